//! Product sensitivity: a named controlled accelerator or AI server, or a sensitive HS code at an
//! accelerator's unit value. What counts is what the route delivers: its last-hop legs, each
//! judged by the more sensitive of itself and the stock it was drawn from (so a relabelled
//! delivery keeps what its inbound leg was, and a laptop does not inherit a server's name).

use super::{Indicator, usd};
use crate::scoring::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct ProductSensitivity;

impl Indicator for ProductSensitivity {
    fn name(&self) -> &'static str {
        "product_sensitivity"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.product_sensitivity.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let p = &rules.indicators.product_sensitivity;
        format!(
            "named product {}; sensitive HS at >= {} per unit {}; >= {} per unit {}; else {}",
            p.keyword_value,
            usd(p.accelerator_unit_usd),
            p.accelerator_value,
            usd(p.midrange_unit_usd),
            p.midrange_value,
            p.low_value
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let mut best: Option<u32> = None;
        let mut consider = |leg: u32| {
            let l = &ctx.ledger.legs[leg as usize];
            if best.is_none_or(|b| {
                l.product.sensitivity > ctx.ledger.legs[b as usize].product.sensitivity
            }) {
                best = Some(leg);
            }
        };
        for last in ctx.route.final_legs() {
            consider(last);
            for &li in &ctx.ledger.draws_on[last as usize] {
                let inbound = ctx.ledger.links[li as usize].inbound;
                if ctx.in_route(inbound) {
                    consider(inbound);
                }
            }
        }
        let Some(leg) = best else {
            return Finding::none();
        };
        let l = &ctx.ledger.legs[leg as usize];
        if l.product.sensitivity <= 0.0 {
            return Finding::none();
        }
        let desc = ctx.description(leg);
        let text = match l
            .product
            .reference
            .and_then(|r| ctx.rules.products.get(r as usize))
        {
            Some(p) if l.product.sensitivity >= 1.0 => {
                format!("{} named in '{desc}' ({})", p.name, l.shipment_id)
            }
            _ => format!(
                "HS {} '{desc}' at {} per unit ({})",
                l.hs,
                l.unit_value().map(usd).unwrap_or_else(|| "?".into()),
                l.shipment_id
            ),
        };
        Finding::new(l.product.sensitivity, text, vec![leg])
    }
}
