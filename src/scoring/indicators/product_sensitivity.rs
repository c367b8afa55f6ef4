//! Product sensitivity: a named controlled accelerator or AI server, or a sensitive HS code at an
//! accelerator's unit value. What counts is what the route delivers: its last-hop legs, each
//! judged by the more sensitive of itself and the stock it was drawn from (so a relabelled
//! delivery keeps what its inbound leg was, and a laptop does not inherit a server's name).

use super::{Indicator, usd};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct ProductSensitivity;

impl Indicator for ProductSensitivity {
    fn name(&self) -> &'static str {
        "product_sensitivity"
    }
    fn role(&self) -> crate::scoring::Role {
        crate::scoring::Role::Product
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
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
        // Every leg of a route is upstream of its deliveries: goods relabelled on the way keep
        // the reading of the leg that named them.
        // The stock a route's first legs drew on off the route (a licensed consignee's covered
        // receipts) says what the goods are too.
        for &leg in &ctx.route.legs {
            consider(leg);
            for &li in &ctx.ledger.draws_on[leg as usize] {
                consider(ctx.ledger.links[li as usize].inbound);
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
