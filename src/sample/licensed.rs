//! The world after the H200 approval: licensed exports of H200-class goods straight to approved
//! Chinese consignees, and what leaks out of that regime.
//!
//! Each licence names one vendor and one consignee, and no two licences name the same pair, so
//! which licence covers a shipment is never in doubt. A shipment is covered when it goes from the
//! licence's vendor to its consignee, under its HS prefix, inside its window, while quantity is
//! left (drawn down in date order). Covered shipments are `licensed_direct` and legitimate, also
//! when a leak later draws on them; everything past the quantity, outside the window, with no
//! licence at all, or re-exported by the consignee is diversion.

use super::LicenceRow;
use super::firms::Firm;
use super::vocabulary::Product;
use super::world::{Declared, Leg, Truth, World, truth};
use crate::model::Date;

impl World {
    /// One delivery straight from `vendor` to `consignee` at `price`, declared as what it is,
    /// in the product's usual quantity: its row and its quantity.
    fn deliver(
        &mut self,
        date: Date,
        vendor: &Firm,
        consignee: &Firm,
        p: &Product,
        price: f64,
        truth: Truth,
    ) -> (usize, u64) {
        let qty = self.qty(p);
        let leg = Leg {
            date,
            from: vendor,
            to: consignee,
            product: p,
            qty,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        (self.leg(&leg, truth), qty)
    }

    /// A vendor and an approved Chinese consignee that no licence pairs yet. The consignee is
    /// one of the approved pool (`reuse` of the time) or a new one that joins it.
    fn licensed_pair(&mut self, p: &Product, reuse: f64) -> (Firm, Firm) {
        for _ in 0..20 {
            let vendor = self.vendor_for(p);
            let consignee = if self.rng.chance(reuse) && !self.approved_cn.is_empty() {
                self.rng.pick(&self.approved_cn).clone()
            } else {
                let f = self.firm("CN");
                self.approved_cn.push(f.clone());
                f
            };
            if self
                .licensed_pairs
                .insert((vendor.name.clone(), consignee.name.clone()))
            {
                return (vendor, consignee);
            }
        }
        self.exclusive_pair(p, true)
    }

    /// A vendor and a new consignee, joining the approved pool only when `pool` is true.
    fn exclusive_pair(&mut self, p: &Product, pool: bool) -> (Firm, Firm) {
        let vendor = self.vendor_for(p);
        let consignee = self.firm("CN");
        if pool {
            self.approved_cn.push(consignee.clone());
        }
        self.licensed_pairs
            .insert((vendor.name.clone(), consignee.name.clone()));
        (vendor, consignee)
    }

    /// Writes a licence for `quantity` units of `p` from `vendor` to `consignee`.
    #[allow(clippy::too_many_arguments)]
    fn issue_licence(
        &mut self,
        vendor: &Firm,
        consignee: &Firm,
        p: &Product,
        quantity: u64,
        price: f64,
        valid_from: Date,
        valid_to: Date,
    ) {
        let licence_id = format!("D{}", self.next_licence);
        self.next_licence += self.rng.int(1, 37) as u64;
        // Licences name the consignee as registered, sometimes as a clerk typed it.
        let consignee_name = if self.rng.chance(0.8) {
            consignee.name.clone()
        } else {
            self.rng.pick(&consignee.variants[..3]).clone()
        };
        let hs_code = self.rng.pick(p.licence_hs).to_string();
        let description = self.rng.pick(&p.descriptions).to_string();
        self.licences.push(LicenceRow {
            licence_id,
            exporter: vendor.name.clone(),
            exporter_country: vendor.country,
            consignee: consignee_name,
            consignee_country: consignee.country,
            hs_code,
            description,
            quantity,
            value_usd: (quantity as f64 * price * 100.0).round() / 100.0,
            valid_from,
            valid_to,
        });
    }

    /// `n` different dates in `lo..=hi`, in order (`hi` is moved out when the span is short).
    fn dates_within(&mut self, lo: Date, hi: Date, n: usize) -> Vec<Date> {
        let span = hi.days_since(lo).max(n as i32);
        let mut days: Vec<i32> = Vec::with_capacity(n);
        while days.len() < n {
            let d = self.rng.int(0, i64::from(span)) as i32;
            if !days.contains(&d) {
                days.push(d);
            }
        }
        days.sort_unstable();
        days.into_iter().map(|d| lo.plus_days(d)).collect()
    }

    /// A licence window starting `min_left` days or more before the end of the sample.
    fn licence_window(&mut self, min_left: i32, validity: (i64, i64)) -> (Date, Date) {
        let from = self.date(self.licence_era, self.days - min_left);
        let to = from.plus_days(self.rng.int(validity.0, validity.1) as i32);
        (from, to)
    }

    /// The last day shipments of a window can carry: its end, or the sample's.
    fn window_end(&self, to: Date) -> Date {
        to.min(self.start.plus_days(self.days))
    }

    /// Vendor -> approved consignee, product and quantity within a licence, inside its window;
    /// the consignee keeps the goods. Legitimate, and plentiful since the approval.
    pub(super) fn licensed_direct(&mut self) {
        let s = self.next_scheme();
        let t = truth("licensed_direct", false, s);
        let p = self.rng.pick(&self.lex.licensed).clone();
        let (vendor, consignee) = self.licensed_pair(&p, 0.65);
        let (from, to) = self.licence_window(90, (180, 365));
        let last = self.window_end(to);
        let n = self.rng.int(3, 7) as usize;
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut total = 0;
        for date in self.dates_within(from, last, n) {
            let (_, q) = self.deliver(date, &vendor, &consignee, &p, price, t);
            total += q;
        }
        let quantity = World::round_up(&p, total as f64 * self.rng.uniform(1.0, 1.5));
        self.issue_licence(&vendor, &consignee, &p, quantity, price, from, to);
    }

    /// Shipments to a licensed consignee keep coming after the licensed quantity is used up:
    /// the covered ones are `licensed_direct`, the excess ones diversion.
    pub(super) fn licence_overrun(&mut self) {
        let s = self.next_scheme();
        let covered = truth("licensed_direct", false, s);
        let excess = truth("licence_overrun", true, s);
        let p = self.rng.pick(&self.lex.licensed).clone();
        let (vendor, consignee) = self.licensed_pair(&p, 0.5);
        let (from, to) = self.licence_window(120, (150, 300));
        let last = self.window_end(to);
        let span = last.days_since(from);
        let k = self.rng.int(2, 4) as usize;
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut quantity = 0;
        let mut last_covered = from;
        for date in self.dates_within(from, from.plus_days(span * 55 / 100), k) {
            let (_, q) = self.deliver(date, &vendor, &consignee, &p, price, covered);
            quantity += q;
            last_covered = date;
        }
        // The licence holds exactly what was covered; every later shipment in the window is over.
        let m = self.rng.int(1, 3) as usize;
        for date in self.dates_within(last_covered.plus_days(1), last, m) {
            let q = self.qty(&p);
            let leg = Leg {
                date,
                from: &vendor,
                to: &consignee,
                product: &p,
                qty: q,
                unit_value: price * self.rng.uniform(0.97, 1.03),
                declared: Declared::AsProduct,
            };
            self.leg(&leg, excess);
        }
        self.issue_licence(&vendor, &consignee, &p, quantity, price, from, to);
    }

    /// Shipments under a licence after its `valid_to` (or, now and then, before `valid_from`),
    /// with quantity still left on it: only the date is wrong.
    pub(super) fn licence_expired(&mut self) {
        let s = self.next_scheme();
        let covered = truth("licensed_direct", false, s);
        let outside = truth("licence_expired", true, s);
        let p = self.rng.pick(&self.lex.licensed).clone();
        let (vendor, consignee) = self.licensed_pair(&p, 0.5);
        let (from, to) = self.licence_window(200, (90, 150));
        let k = self.rng.int(2, 4) as usize;
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut shipped = 0;
        for date in self.dates_within(from, to, k) {
            let (_, q) = self.deliver(date, &vendor, &consignee, &p, price, covered);
            shipped += q;
        }
        let m = self.rng.int(1, 3) as usize;
        let dates = if self.rng.chance(0.2) {
            self.dates_within(from.plus_days(-45), from.plus_days(-1), m)
        } else {
            let end = self.window_end(to.plus_days(75));
            self.dates_within(to.plus_days(1), end, m)
        };
        for date in dates {
            let (_, q) = self.deliver(date, &vendor, &consignee, &p, price, outside);
            shipped += q;
        }
        let quantity = World::round_up(&p, shipped as f64 * self.rng.uniform(1.0, 1.3));
        self.issue_licence(&vendor, &consignee, &p, quantity, price, from, to);
    }

    /// Controlled goods straight to a Chinese consignee no licence names. Otherwise ordinary:
    /// a regular vendor, the licensed era's products, usual quantities and prices, plain
    /// descriptions, often a Chinese maker with a long record of buying uncontrolled chips.
    pub(super) fn no_licence(&mut self) {
        let s = self.next_scheme();
        let t = truth("no_licence", true, s);
        let p = if self.rng.chance(0.75) {
            self.rng.pick(&self.lex.licensed).clone()
        } else {
            self.controlled()
        };
        let vendor = self.vendor_for(&p);
        let consignee = if self.rng.chance(0.5) {
            self.rng.pick(&self.cn_makers).clone()
        } else {
            self.firm("CN")
        };
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut d = if self.rng.chance(0.8) {
            self.date(self.licence_era, self.days - 20)
        } else {
            self.date(0, self.days - 20)
        };
        for _ in 0..self.rng.int(1, 4) {
            let q = self.qty(&p);
            let leg = Leg {
                date: d,
                from: &vendor,
                to: &consignee,
                product: &p,
                qty: q,
                unit_value: price,
                declared: Declared::AsProduct,
            };
            self.leg(&leg, t);
            d = d.plus_days(self.rng.int(5, 40) as i32);
        }
    }

    /// An approved consignee re-exports part of its licensed stock to Russia or Iran, often
    /// relabelled, often by road. The leak legs are diversion; the licensed deliveries they drew
    /// on stay `licensed_direct` (a shipment a licence covers is never the diversion).
    pub(super) fn licensed_consignee_leak(&mut self) {
        let s = self.next_scheme();
        let kept = truth("licensed_direct", false, s);
        let leak = truth("licensed_consignee_leak", true, s);
        let p = self.rng.pick(&self.lex.licensed).clone();
        // The leaking consignee holds no other stock, so first in, first out is unambiguous.
        let (vendor, consignee) = self.exclusive_pair(&p, false);
        let (from, to) = self.licence_window(150, (180, 365));
        let last = self.window_end(to).plus_days(-40);
        let n = self.rng.int(3, 6) as usize;
        let price = self.rng.uniform(p.price.0, p.price.1);
        let mut stock: Vec<(usize, Date, u64)> = Vec::with_capacity(n);
        for date in self.dates_within(from, last, n) {
            let (row, q) = self.deliver(date, &vendor, &consignee, &p, price, kept);
            stock.push((row, date, q));
        }
        let total: u64 = stock.iter().map(|s| s.2).sum();
        let quantity = World::round_up(&p, total as f64 * self.rng.uniform(1.0, 1.3));
        self.issue_licence(&vendor, &consignee, &p, quantity, price, from, to);

        // The leak leaves some days after one of the vendor legs, with part of what has arrived.
        let j = self.rng.int(0, n as i64 - 1) as usize;
        let leak_date = stock[j].1.plus_days(self.rng.int(5, 40) as i32);
        let arrived: u64 = stock.iter().filter(|s| s.1 < leak_date).map(|s| s.2).sum();
        let share = arrived as f64 * self.rng.uniform(0.2, 0.6);
        let leaked = if p.unit == "PCS" && p.qty.1 <= 512 {
            ((share as u64) / 8 * 8).max(8)
        } else {
            (share as u64).max(1)
        }
        .min(arrived);
        // The vendor legs stay `licensed_direct`: the licence covered them, and what an
        // investigator must find is the re-export, not the licensed delivery it drew on.

        let declared = if self.rng.chance(0.6) {
            Declared::Relabel(*self.rng.pick(&self.lex.relabels))
        } else {
            Declared::AsProduct
        };
        let markup = self.rng.uniform(1.15, 1.6);
        let pieces = self.rng.int(1, 3) as u64;
        let out = Leg {
            date: leak_date,
            from: &consignee,
            to: &consignee,
            product: &p,
            qty: leaked,
            unit_value: price * markup,
            declared,
        };
        let route = self.rng.unit();
        if route < 0.55 {
            // Straight over the border to Russia, mostly by road.
            let buyer = self.concern_buyer(Some("RU"), "");
            self.pieces(&Leg { to: &buyer, ..out }, leak, pieces);
        } else if route < 0.8 {
            // Through a Central Asian or Caucasian firm, then by road to Russia.
            let c = *self.rng.pick(&self.lex.leak_transit);
            let transit = self.firm(c);
            let buyer = self.concern_buyer(Some("RU"), "");
            self.leg(
                &Leg {
                    to: &transit,
                    ..out
                },
                leak,
            );
            let onward = Leg {
                date: leak_date.plus_days(self.rng.int(2, 20) as i32),
                from: &transit,
                to: &buyer,
                unit_value: price * markup * self.rng.uniform(1.05, 1.2),
                ..out
            };
            self.pieces(&onward, leak, pieces);
        } else {
            let buyer = self.concern_buyer(Some("IR"), "");
            self.pieces(&Leg { to: &buyer, ..out }, leak, pieces);
        }
    }

    /// Sends `leg.qty` in `pieces` from `leg.date` on, a few days apart.
    fn pieces(&mut self, leg: &Leg, t: super::world::Truth, pieces: u64) {
        let mut left = leg.qty;
        let mut date = leg.date;
        for i in 0..pieces {
            let part = if i + 1 == pieces {
                left
            } else {
                (leg.qty / pieces).max(1).min(left)
            };
            if part == 0 {
                break;
            }
            left -= part;
            self.leg(
                &Leg {
                    date,
                    qty: part,
                    ..*leg
                },
                t,
            );
            date = date.plus_days(self.rng.int(1, 6) as i32);
        }
    }

    /// Licences on file that nothing has been shipped under yet.
    pub(super) fn unused_licences(&mut self) {
        for _ in 0..self.rng.int(2, 4) {
            let p = self.rng.pick(&self.lex.licensed).clone();
            let (vendor, consignee) = self.licensed_pair(&p, 0.8);
            let (from, to) = self.licence_window(30, (180, 365));
            let price = self.rng.uniform(p.price.0, p.price.1);
            let q = self.qty(&p) * self.rng.int(2, 6) as u64;
            self.issue_licence(&vendor, &consignee, &p, q, price, from, to);
        }
    }
}
