//! Relabelling: an onward leg declares a vaguer HS code or description than the leg it continues
//! (CNAS documents relabelling as unrelated goods).

use super::Indicator;
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct Relabelling;

impl Indicator for Relabelling {
    fn name(&self) -> &'static str {
        "relabelling"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.relabelling.weight
    }
    fn threshold(&self, _rules: &Rules) -> String {
        "named product or HS heading of the inbound leg lost on the onward leg (1.0 to a vague description, 0.6 HS change only)".into()
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let mut best = Finding::none();
        for link in ctx.links() {
            let a = &ctx.ledger.legs[link.inbound as usize];
            let b = &ctx.ledger.legs[link.outbound as usize];
            let name_lost = a.product.reference.is_some() && b.product.reference.is_none();
            let hs_changed = a.hs.heading() != b.hs.heading()
                || (a.hs.len() >= 6 && b.hs.len() >= 6 && a.hs.prefix(6) != b.hs.prefix(6));
            let value = if name_lost && (b.product.vague || hs_changed) {
                1.0
            } else if hs_changed && a.product.sensitivity >= 0.5 {
                0.6
            } else {
                0.0
            };
            if value > 0.0 {
                best = best.max(Finding::new(
                    value,
                    format!(
                        "HS {} '{}' ({}) left as HS {} '{}' ({})",
                        a.hs,
                        ctx.description(link.inbound),
                        a.shipment_id,
                        b.hs,
                        ctx.description(link.outbound),
                        b.shipment_id
                    ),
                    vec![link.inbound, link.outbound],
                ));
            }
        }
        best
    }
}
