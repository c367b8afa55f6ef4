//! Licensed-consignee leak: an approved consignee ships on goods that a licence covered (often
//! relabelled, often by road) out of its country. The licence approved a consignee that keeps the
//! goods; a re-export is outside it. A violation on its face; only with licence data loaded.

use super::Indicator;
use crate::rules::Rules;
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
    fn threshold(&self, rules: &Rules) -> String {
        format!(
            "a licensed consignee ships stock a licence covered out of its country (1); the covered delivery it drew on {}",
            rules
                .indicators
                .licensed_consignee_leak
                .covered_source_value
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        if !ctx.licences.loaded {
            return Finding::none();
        }
        let mut best = Finding::none();
        // A covered delivery whose stock later leaked: ranked for a look, never flagged (the
        // licence covered it; the leak is flagged on its own route).
        for &leg in &ctx.route.legs {
            if !ctx.licences.covered(leg) {
                continue;
            }
            let delivered = &ctx.ledger.legs[leg as usize];
            if let Some(out) = ctx.ledger.drawn_by[leg as usize]
                .iter()
                .map(|li| ctx.ledger.links[*li as usize].outbound)
                .find(|o| {
                    let o = &ctx.ledger.legs[*o as usize];
                    o.from == delivered.to && o.to_country != o.from_country
                })
            {
                let o = &ctx.ledger.legs[out as usize];
                best = best.max(Finding::new(
                    ctx.rules
                        .indicators
                        .licensed_consignee_leak
                        .covered_source_value,
                    format!(
                        "{} was covered ({}), but {} later shipped this stock on to {} ({})",
                        delivered.shipment_id,
                        ctx.licences.describe(leg),
                        ctx.holder_label(delivered.to),
                        ctx.holder_label(o.to),
                        o.shipment_id
                    ),
                    vec![leg, out],
                ));
            }
        }
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
