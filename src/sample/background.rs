//! Ordinary trade between ordinary firms, and screening-list entries that match nobody in the
//! schemes (decoys a matcher must not flag on their own).

use super::world::{Declared, Leg, World, truth};

/// Lists the decoy entries come from.
const DECOY_SOURCES: &[&str] = &[
    "Entity List (EL) - Bureau of Industry and Security",
    "Specially Designated Nationals (SDN) - Treasury Department",
    "Military End User (MEU) List - Bureau of Industry and Security",
];

impl World {
    /// A shipment of chips, consumer goods or network gear between two background firms.
    pub(super) fn background(&mut self) {
        let s = self.next_scheme();
        let t = truth("background", false, s);
        // Accelerators and AI servers move in the businesses above, not between ordinary firms.
        let group = self.rng.weighted(&[3.0, 3.0, 2.0]);
        let p = match group {
            0 => self.rng.pick(&self.lex.uncontrolled).clone(),
            1 => self.rng.pick(&self.lex.consumer).clone(),
            _ => self.rng.pick(&self.lex.network).clone(),
        };
        let (from, to) = loop {
            let a = self.rng.pick(&self.background).clone();
            let b = self.rng.pick(&self.background).clone();
            if a.country != b.country {
                break (a, b);
            }
        };
        let price = self.rng.uniform(p.price.0, p.price.1);
        let d = self.date(0, self.days);
        let q = self.qty(&p);
        let leg = Leg {
            date: d,
            from: &from,
            to: &to,
            product: &p,
            qty: q,
            unit_value: price,
            declared: Declared::AsProduct,
        };
        self.leg(&leg, t);
    }

    /// Twelve listed firms in countries of concern that trade with nobody in the sample.
    pub(super) fn screening_decoys(&mut self) {
        for _ in 0..12 {
            let c = *self.rng.pick(&["CN", "RU", "IR", "HK", "BY"]);
            let f = self.firm(c);
            let source = *self.rng.pick(DECOY_SOURCES);
            self.screened.push((f, source));
        }
    }
}
