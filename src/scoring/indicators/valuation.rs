//! Valuation anomaly: a unit value far below (or above) the product's reference price, or far
//! below what the holder paid on the leg before (EBRD; under-invoicing shows low values).

use super::{Indicator, ramp, usd};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct Valuation;

impl Indicator for Valuation {
    fn name(&self) -> &'static str {
        "valuation"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.valuation.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let v = &rules.indicators.valuation;
        format!(
            "unit value below {:.0}% of the reference price or of the previous leg, or above {}x the reference",
            v.under_ratio * 100.0,
            v.over_ratio
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let v = &ctx.rules.indicators.valuation;
        let mut best = Finding::none();
        // The route's named product sets the reference for every leg, relabelled ones included.
        let reference = ctx
            .route
            .legs
            .iter()
            .filter_map(|l| ctx.ledger.legs[*l as usize].product.reference)
            .next()
            .and_then(|r| ctx.rules.products.get(r as usize));
        for &leg in &ctx.route.legs {
            let l = &ctx.ledger.legs[leg as usize];
            let Some(unit) = l.unit_value() else { continue };
            if let Some(p) = reference {
                let ratio = unit / p.unit_price_usd;
                let value = if ratio < v.under_ratio {
                    1.0 - ratio / v.under_ratio
                } else {
                    ramp(ratio, v.over_ratio, 2.0 * v.over_ratio)
                };
                if value > 0.0 {
                    best = best.max(Finding::new(
                        value,
                        format!(
                            "{} per unit on {} is {:.0}% of the {} reference price {}",
                            usd(unit),
                            l.shipment_id,
                            ratio * 100.0,
                            p.name,
                            usd(p.unit_price_usd)
                        ),
                        vec![leg],
                    ));
                }
            }
        }
        for link in ctx.links() {
            let (a, b) = (
                &ctx.ledger.legs[link.inbound as usize],
                &ctx.ledger.legs[link.outbound as usize],
            );
            if let (Some(ua), Some(ub)) = (a.unit_value(), b.unit_value())
                && ua > 0.0
                && ub / ua < v.under_ratio
            {
                let ratio = ub / ua;
                best = best.max(Finding::new(
                    1.0 - ratio / v.under_ratio,
                    format!(
                        "sold on at {} per unit ({}), {:.0}% of the {} paid ({})",
                        usd(ub),
                        b.shipment_id,
                        ratio * 100.0,
                        usd(ua),
                        a.shipment_id
                    ),
                    vec![link.inbound, link.outbound],
                ));
            }
        }
        best
    }
}
