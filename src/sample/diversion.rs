//! Diversion schemes through intermediaries: pass-through (plain, relabelled, mis-valued),
//! multi-hop chains, shell fronts, structuring, the Russia roundabout, screening hits, dead ends
//! in transit countries, and imitations of the published reference cases. Every leg of a scheme,
//! the vendor's sale to the front included, is labelled diversion.

use super::firms::Firm;
use super::world::{Declared, Leg, World, truth};

impl World {
    /// Vendor -> a new front in a hub -> a buyer of concern, in one to three consignments. The
    /// onward leg is relabelled (`relabelling`), mis-valued (`valuation`) or neither.
    pub(super) fn pass_through(&mut self, pattern: &'static str) {
        let s = self.next_scheme();
        let t = truth(pattern, true, s);
        let p = self.controlled();
        let vendor = self.vendor_for(&p);
        let hub = *self.rng.pick(&self.lex.front_hubs);
        let front = self.firm(hub);
        let buyer = self.concern_buyer(None, hub);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let consignments = self.rng.int(1, 3);
        for _ in 0..consignments {
            let q = self.qty(&p);
            let d0 = self.date(0, self.days - 60);
            let inbound = Leg {
                date: d0,
                from: &vendor,
                to: &front,
                product: &p,
                qty: q,
                unit_value: price,
                declared: Declared::AsProduct,
            };
            self.leg(&inbound, t);
            let (declared, markup) = match pattern {
                "relabelling" => (
                    Declared::Relabel(*self.rng.pick(&self.lex.relabels)),
                    self.rng.uniform(0.9, 1.2),
                ),
                "valuation" => {
                    if self.rng.chance(0.7) {
                        (Declared::AsProduct, self.rng.uniform(0.04, 0.3))
                    } else {
                        (Declared::AsProduct, self.rng.uniform(2.2, 4.0))
                    }
                }
                _ => (Declared::AsProduct, self.rng.uniform(1.0, 1.25)),
            };
            let pieces = self.rng.int(1, 2) as u64;
            let onward = Leg {
                from: &front,
                to: &buyer,
                unit_value: price * markup,
                declared,
                ..inbound
            };
            self.forward(&onward, t, pieces);
        }
    }

    /// The same goods through two or three intermediaries, quantity conserved at each step.
    pub(super) fn multi_hop(&mut self) {
        let s = self.next_scheme();
        let t = truth("multi_hop", true, s);
        let p = self.controlled();
        let vendor = self.vendor_for(&p);
        let hops = self.rng.int(2, 3);
        let mut chain = vec![vendor];
        let mut used = Vec::new();
        for _ in 0..hops {
            let c = loop {
                let c = *self.rng.pick(&self.lex.multi_hop_hubs);
                if !used.contains(&c) {
                    break c;
                }
            };
            used.push(c);
            chain.push(self.firm(c));
        }
        let c = if self.rng.chance(0.75) { "CN" } else { "RU" };
        chain.push(self.concern_buyer(Some(c), ""));
        let q = self.qty(&p);
        let mut price = self.rng.uniform(p.price.0, p.price.1);
        let mut d = self.date(0, self.days - 120);
        for w in chain.windows(2) {
            let leg = Leg {
                date: d,
                from: &w[0],
                to: &w[1],
                product: &p,
                qty: q,
                unit_value: price,
                declared: Declared::AsProduct,
            };
            self.leg(&leg, t);
            d = d.plus_days(self.rng.int(3, 28) as i32);
            price *= self.rng.uniform(1.0, 1.12);
        }
    }

    /// A new firm pools consignments from several vendors, then ships the pool on in pieces.
    pub(super) fn shell_front(&mut self) {
        let s = self.next_scheme();
        let t = truth("shell_front", true, s);
        let hub = *self.rng.pick(&self.lex.front_hubs);
        let front = self.firm(hub);
        let p = self.controlled();
        let buyer = self.concern_buyer(None, hub);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 90);
        let vendors = self.rng.int(2, 4);
        let mut pooled = 0;
        let mut last_in = d0;
        for _ in 0..vendors {
            let v = if self.rng.chance(0.5) {
                self.rng.pick(&self.vendors_us).clone()
            } else {
                self.rng.pick(&self.vendors_tw).clone()
            };
            let q = self.qty(&p);
            last_in = d0.plus_days(self.rng.int(0, 20) as i32);
            let markup = self.rng.uniform(0.95, 1.05);
            let leg = Leg {
                date: last_in,
                from: &v,
                to: &front,
                product: &p,
                qty: q,
                unit_value: price * markup,
                declared: Declared::AsProduct,
            };
            self.leg(&leg, t);
            pooled += q;
        }
        let pieces = self.rng.int(2, 5) as u64;
        let markup = self.rng.uniform(1.02, 1.2);
        let onward = Leg {
            date: last_in,
            from: &front,
            to: &buyer,
            product: &p,
            qty: pooled,
            unit_value: price * markup,
            declared: Declared::AsProduct,
        };
        self.forward(&onward, t, pieces);
    }

    /// One large inbound consignment leaves as many small ones, to name variants of one buyer.
    pub(super) fn structuring(&mut self) {
        let s = self.next_scheme();
        let t = truth("structuring", true, s);
        let p = self.rng.pick(&self.lex.gpus).clone();
        let vendor = self.vendor_for(&p);
        let hub = *self.rng.pick(&self.lex.front_hubs);
        let front = self.firm(hub);
        let buyer_country = if hub == "HK" {
            "CN"
        } else {
            *self.rng.pick(&["CN", "CN", "RU", "HK"])
        };
        let buyer = self.firm(buyer_country);
        let q = self.rng.int(24, 64) as u64 * 8;
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 80);
        let inbound = Leg {
            date: d0,
            from: &vendor,
            to: &front,
            product: &p,
            qty: q,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        self.leg(&inbound, t);
        let mut left = q;
        let mut d = d0.plus_days(self.rng.int(3, 15) as i32);
        let mut aliases = vec![buyer.clone()];
        for _ in 0..self.rng.int(1, 3) {
            let alias = self.alias(&buyer);
            aliases.push(alias);
        }
        let piece = (q / self.rng.int(6, 14) as u64).max(1);
        while left > 0 {
            let part = piece.min(left);
            left -= part;
            let to = self.rng.pick(&aliases).clone();
            let markup = self.rng.uniform(1.0, 1.15);
            let leg = Leg {
                date: d,
                from: &front,
                to: &to,
                product: &p,
                qty: part,
                unit_value: price * markup,
                declared: Declared::AsProduct,
            };
            self.leg(&leg, t);
            d = d.plus_days(self.rng.int(0, 4) as i32);
        }
    }

    /// CN/HK firms ship Western chips to a Eurasian transit country, then by road to Russia.
    pub(super) fn russia_roundabout(&mut self) {
        let s = self.next_scheme();
        let t = truth("russia_roundabout", true, s);
        let p = self.controlled();
        let vendor = self.vendor_for(&p);
        let cn_country = if self.rng.chance(0.6) { "HK" } else { "CN" };
        let cn = self.firm(cn_country);
        let mid_country = *self.rng.pick(&self.lex.roundabout_transit);
        let mid = self.firm(mid_country);
        let c = if self.rng.chance(0.85) { "RU" } else { "BY" };
        let ru = self.concern_buyer(Some(c), "");
        let q = self.qty(&p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut d = self.date(0, self.days - 100);
        let first = Leg {
            date: d,
            from: &vendor,
            to: &cn,
            product: &p,
            qty: q,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        if self.rng.chance(0.7) {
            self.leg(&first, t);
            d = d.plus_days(self.rng.int(4, 30) as i32);
        }
        let markup = self.rng.uniform(1.05, 1.3);
        self.leg(
            &Leg {
                date: d,
                from: &cn,
                to: &mid,
                unit_value: price * markup,
                ..first
            },
            t,
        );
        d = d.plus_days(self.rng.int(2, 20) as i32);
        let pieces = self.rng.int(1, 3) as u64;
        let markup = self.rng.uniform(1.2, 1.6);
        let onward = Leg {
            date: d,
            from: &mid,
            to: &ru,
            unit_value: price * markup,
            ..first
        };
        self.forward(&onward, t, pieces);
    }

    /// A pass-through whose buyer (now and then the front) is on the screening list, spelled a
    /// little differently from the shipping documents.
    pub(super) fn screening_hit(&mut self) {
        let s = self.next_scheme();
        let t = truth("screening_hit", true, s);
        let p = self.controlled();
        let vendor = self.vendor_for(&p);
        let hub = *self.rng.pick(&self.lex.front_hubs);
        let front = self.firm(hub);
        let c = *self.rng.pick(&["CN", "RU", "RU", "IR"]);
        let buyer = self.concern_buyer(Some(c), "");
        let target = if self.rng.chance(0.75) {
            &buyer
        } else {
            &front
        };
        let listed = if self.rng.chance(0.5) {
            target.listed_name()
        } else {
            target.base.clone()
        };
        let entry = Firm {
            name: listed,
            ..target.clone()
        };
        self.screened
            .push((entry, "Entity List (EL) - Bureau of Industry and Security"));
        let q = self.qty(&p);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 60);
        let inbound = Leg {
            date: d0,
            from: &vendor,
            to: &front,
            product: &p,
            qty: q,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        self.leg(&inbound, t);
        let markup = self.rng.uniform(1.0, 1.2);
        let onward = Leg {
            from: &front,
            to: &buyer,
            unit_value: price * markup,
            ..inbound
        };
        self.forward(&onward, t, 1);
    }

    /// Controlled goods into a new firm in a transit country (Kazakhstan, Armenia, the UAE ...)
    /// that never ships anything visible: the onward leg is missing from the data, as it often
    /// is. The firm is new, buys in a burst, and has no other business.
    pub(super) fn transit_dead_end(&mut self) {
        let s = self.next_scheme();
        let t = truth("transit_dead_end", true, s);
        let p = self.controlled();
        let hub = *self.rng.pick(&self.lex.dead_end_hubs);
        let sink = self.firm(hub);
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut d = self.date(0, self.days - 90);
        for _ in 0..self.rng.int(1, 3) {
            let vendor = self.vendor_for(&p);
            let q = self.qty(&p);
            let direct = Leg {
                date: d,
                from: &vendor,
                to: &sink,
                product: &p,
                qty: q,
                unit_value: price,
                declared: Declared::AsProduct,
            };
            if self.rng.chance(0.65) {
                self.leg(&direct, t);
            } else {
                // Through a Hong Kong or mainland trader first, as in the roundabout.
                let c = if self.rng.chance(0.6) { "HK" } else { "CN" };
                let trader = self.firm(c);
                self.leg(
                    &Leg {
                        to: &trader,
                        ..direct
                    },
                    t,
                );
                let later = d.plus_days(self.rng.int(3, 25) as i32);
                let markup = self.rng.uniform(1.05, 1.3);
                self.leg(
                    &Leg {
                        date: later,
                        from: &trader,
                        unit_value: price * markup,
                        ..direct
                    },
                    t,
                );
            }
            d = d.plus_days(self.rng.int(7, 45) as i32);
        }
    }

    /// After the 2024 reporting: an Indian firm with no computing business ships Dell XE9680
    /// servers bought from Malaysia to Russia.
    pub(super) fn ref_india_servers(&mut self) {
        let s = self.next_scheme();
        let t = truth("ref_india_servers", true, s);
        let p = self.lex.servers[0].clone();
        let vendor = self.rng.pick(&self.vendors_us).clone();
        let my = self.firm("MY");
        let trade = *self.rng.pick(&self.lex.side_trades);
        let india = self.firm_in_trade("IN", trade);
        let ru = self.concern_buyer(Some("RU"), "");
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d0 = self.date(0, self.days - 120);
        let total = self.rng.int(6, 20) as u64 * 4;
        let first = Leg {
            date: d0,
            from: &vendor,
            to: &my,
            product: &p,
            qty: total,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        self.leg(&first, t);
        let d1 = d0.plus_days(self.rng.int(5, 20) as i32);
        let markup = self.rng.uniform(1.02, 1.1);
        self.leg(
            &Leg {
                date: d1,
                from: &my,
                to: &india,
                unit_value: price * markup,
                ..first
            },
            t,
        );
        let pieces = self.rng.int(2, 4) as u64;
        let markup = self.rng.uniform(1.1, 1.4);
        let onward = Leg {
            date: d1,
            from: &india,
            to: &ru,
            unit_value: price * markup,
            ..first
        };
        self.forward(&onward, t, pieces);
    }

    /// After the 2022 reporting: a Hong Kong firm incorporated weeks earlier becomes a large
    /// exporter of US chips to Russia.
    pub(super) fn ref_hk_new_firm(&mut self) {
        let s = self.next_scheme();
        let t = truth("ref_hk_new_firm", true, s);
        let hk = self.firm("HK");
        let ru = self.concern_buyer(Some("RU"), "");
        let d0 = self.date(0, self.days - 150);
        for k in 0..self.rng.int(2, 4) {
            let p = self.rng.pick(&self.lex.gpus).clone();
            let vendor = self.rng.pick(&self.vendors_us).clone();
            let q = self.qty(&p);
            let price = self.rng.uniform(p.price.0, p.price.1);
            let d = d0.plus_days(k as i32 * self.rng.int(10, 30) as i32);
            let inbound = Leg {
                date: d,
                from: &vendor,
                to: &hk,
                product: &p,
                qty: q,
                unit_value: price,
                declared: Declared::AsProduct,
            };
            self.leg(&inbound, t);
            let markup = self.rng.uniform(1.1, 1.35);
            let onward = Leg {
                from: &hk,
                to: &ru,
                unit_value: price * markup,
                ..inbound
            };
            self.forward(&onward, t, 1);
        }
    }
}
