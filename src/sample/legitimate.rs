//! Legitimate trade built to look like diversion: hub distributors whose controlled imports all
//! leave for allied buyers, data centres that keep what they buy, ODM assembly, high-volume
//! uncontrolled chips to China, and Hong Kong re-exports of consumer goods to the mainland.

use super::world::{Declared, Leg, World, truth};

impl World {
    /// A hub distributor with a long history: buys accelerators from vendors, sells them on to
    /// allied buyers within weeks, in pieces.
    pub(super) fn distributor_allies(&mut self) {
        let s = self.next_scheme();
        let t = truth("distributor_allies", false, s);
        let dist = self.rng.pick(&self.distributors).clone();
        let p = self.controlled();
        let vendor = self.vendor_for(&p);
        let q = self.qty(&p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 60);
        let inbound = Leg {
            date: d0,
            from: &vendor,
            to: &dist,
            product: &p,
            qty: q,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        self.leg(&inbound, t);
        let pieces = self.rng.int(1, 3) as u64;
        let mut left = q;
        for i in 0..pieces {
            let part = if i + 1 == pieces {
                left
            } else {
                (q / pieces).max(1).min(left)
            };
            if part == 0 {
                break;
            }
            left -= part;
            let buyer = self.rng.pick(&self.allied_buyers).clone();
            let d = d0.plus_days(self.rng.int(3, 40) as i32);
            let markup = self.rng.uniform(1.03, 1.15);
            self.leg(
                &Leg {
                    date: d,
                    from: &dist,
                    to: &buyer,
                    qty: part,
                    unit_value: price * markup,
                    ..inbound
                },
                t,
            );
        }
    }

    /// A data centre in a hub that imports accelerators and servers and keeps them.
    pub(super) fn datacenter_keep(&mut self) {
        let s = self.next_scheme();
        let t = truth("datacenter_keep", false, s);
        let dc = self.rng.pick(&self.datacenters).clone();
        for _ in 0..self.rng.int(1, 3) {
            let p = self.controlled();
            let vendor = self.vendor_for(&p);
            let q = self.qty(&p);
            let price = self.rng.uniform(p.price.0, p.price.1);
            let d = self.date(0, self.days);
            let leg = Leg {
                date: d,
                from: &vendor,
                to: &dc,
                product: &p,
                qty: q,
                unit_value: price,
                declared: Declared::AsProduct,
            };
            self.leg(&leg, t);
        }
    }

    /// Accelerators to an assembler in Mexico or Taiwan; servers out to a US cloud firm.
    pub(super) fn odm_assembly(&mut self) {
        let s = self.next_scheme();
        let t = truth("odm_assembly", false, s);
        let odm = self.rng.pick(&self.odms).clone();
        let gpu = self.rng.pick(&self.lex.gpus).clone();
        let vendor = self.rng.pick(&self.vendors_us).clone();
        let servers = self.rng.int(4, 60) as u64;
        let gpu_price = self.rng.uniform(gpu.price.0, gpu.price.1);
        let d0 = self.date(0, self.days - 90);
        let chips = Leg {
            date: d0,
            from: &vendor,
            to: &odm,
            product: &gpu,
            qty: servers * 8,
            unit_value: gpu_price,
            declared: Declared::AsProduct,
        };
        self.leg(&chips, t);
        let server = self.rng.pick(&self.lex.servers[..3]).clone();
        let buyer = self.rng.pick(&self.us_cloud).clone();
        let d1 = d0.plus_days(self.rng.int(20, 60) as i32);
        let server_price = gpu_price * 8.0 * self.rng.uniform(1.25, 1.5);
        let systems = Leg {
            date: d1,
            from: &odm,
            to: &buyer,
            product: &server,
            qty: servers,
            unit_value: server_price,
            declared: Declared::AsProduct,
        };
        self.leg(&systems, t);
    }

    /// High-volume, low-value chips to China, direct or through a Hong Kong distributor.
    pub(super) fn uncontrolled_china(&mut self) {
        let s = self.next_scheme();
        let t = truth("uncontrolled_china", false, s);
        let p = self.rng.pick(&self.lex.uncontrolled).clone();
        let vendor = match self.rng.int(0, 2) {
            0 => self.rng.pick(&self.vendors_us).clone(),
            1 => self.rng.pick(&self.vendors_tw).clone(),
            _ => self.rng.pick(&self.vendors_kr).clone(),
        };
        let maker = self.rng.pick(&self.cn_makers).clone();
        let q = self.qty(&p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 30);
        let direct = Leg {
            date: d0,
            from: &vendor,
            to: &maker,
            product: &p,
            qty: q,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        if self.rng.chance(0.5) {
            let hk = self.rng.pick(&self.hk_traders).clone();
            self.leg(&Leg { to: &hk, ..direct }, t);
            let d1 = d0.plus_days(self.rng.int(2, 15) as i32);
            let markup = self.rng.uniform(1.02, 1.1);
            self.leg(
                &Leg {
                    date: d1,
                    from: &hk,
                    unit_value: price * markup,
                    ..direct
                },
                t,
            );
        } else {
            self.leg(&direct, t);
        }
    }

    /// Consumer electronics into a Hong Kong trader and on to a mainland maker within days.
    pub(super) fn hk_consumer_reexport(&mut self) {
        let s = self.next_scheme();
        let t = truth("hk_consumer_reexport", false, s);
        let p = self.rng.pick(&self.lex.consumer).clone();
        let src = *self.rng.pick(&["TW", "KR", "JP", "US", "VN"]);
        let supplier = self.firm_from_pool(src);
        let hk = self.rng.pick(&self.hk_traders).clone();
        let maker = self.rng.pick(&self.cn_makers).clone();
        let q = self.qty(&p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 20);
        let inbound = Leg {
            date: d0,
            from: &supplier,
            to: &hk,
            product: &p,
            qty: q,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        self.leg(&inbound, t);
        let d1 = d0.plus_days(self.rng.int(1, 12) as i32);
        let markup = self.rng.uniform(1.02, 1.08);
        self.leg(
            &Leg {
                date: d1,
                from: &hk,
                to: &maker,
                unit_value: price * markup,
                ..inbound
            },
            t,
        );
    }
}
