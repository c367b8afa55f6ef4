//! Licensed-consignee leak: an approved consignee ships on goods that a licence covered (often
//! relabelled, often by road) out of its country. The licence approved a consignee that keeps the
//! goods; a re-export is outside it. A violation on its face; only with licence data loaded.

use super::Indicator;
use crate::scoring::rules::Rules;
use crate::scoring::{Finding, Role, RouteContext};

pub struct LicensedConsigneeLeak;

impl Indicator for LicensedConsigneeLeak {
    fn name(&self) -> &'static str {
        "licensed_consignee_leak"
    }
    fn role(&self) -> Role {
        Role::Licence
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, _rules: &Rules) -> String {
        "a licensed consignee ships stock a licence covered out of its country".into()
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        if !ctx.licences.loaded {
            return Finding::none();
        }
        let mut best = Finding::none();
        for &leg in &ctx.route.legs {
            let out = &ctx.ledger.legs[leg as usize];
            if out.to_country == out.from_country
                || !ctx
                    .licences
                    .licensed_consignee
                    .get(out.from.0 as usize)
                    .copied()
                    .unwrap_or(false)
            {
                continue;
            }
            let covered: Vec<u32> = ctx.ledger.draws_on[leg as usize]
                .iter()
                .map(|li| ctx.ledger.links[*li as usize].inbound)
                .filter(|i| ctx.licences.covered(*i))
                .collect();
            let Some(&first) = covered.first() else {
                continue;
            };
            let inbound = &ctx.ledger.legs[first as usize];
            let mut legs = vec![leg];
            legs.extend(&covered);
            best = best.max(Finding::new(
                1.0,
                format!(
                    "{} ships {} ({}) to {} out of stock received as {} ({})",
                    ctx.holder_label(out.from),
                    out.shipment_id,
                    ctx.description(leg),
                    ctx.holder_label(out.to),
                    inbound.shipment_id,
                    ctx.licences.describe(first)
                ),
                legs,
            ));
        }
        best
    }
}
