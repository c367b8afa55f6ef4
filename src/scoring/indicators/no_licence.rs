//! No licence on file: a controlled product delivered to a consignee in a country of concern (or
//! to a licensed consignee under a product or from an exporter its licences do not name) that no
//! licence covers. A violation on its face; only with licence data loaded, and only on a route's
//! deliveries (its last hop): goods that move on are judged where they end up.

use super::Indicator;
use crate::rules::Rules;
use crate::scoring::licences::LegLicence;
use crate::scoring::{Finding, Role, RouteContext};

pub struct NoLicence;

impl Indicator for NoLicence {
    fn name(&self) -> &'static str {
        "no_licence"
    }
    fn role(&self) -> Role {
        Role::Licence
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, _rules: &Rules) -> String {
        "a controlled product to a consignee in a country of concern that no loaded licence names for this exporter and product".into()
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        // Only deliveries: goods that go on through a consignee are judged where they end up.
        let finals: Vec<u32> = ctx.route.final_legs().collect();
        violation(
            ctx,
            |leg, s| finals.contains(&leg) && matches!(s, LegLicence::NoLicence),
            1.0,
        )
    }
}

/// The legs of a route whose licence status matches, as one finding that names each leg's status.
pub(super) fn violation(
    ctx: &RouteContext<'_>,
    matches: impl Fn(u32, LegLicence) -> bool,
    value: f64,
) -> Finding {
    let legs: Vec<u32> = ctx
        .route
        .legs
        .iter()
        .copied()
        .filter(|l| matches(*l, ctx.licences.of(*l)))
        .collect();
    let Some(&first) = legs.first() else {
        return Finding::none();
    };
    let l = &ctx.ledger.legs[first as usize];
    let more = if legs.len() > 1 {
        format!(" (and {} more shipments)", legs.len() - 1)
    } else {
        String::new()
    };
    Finding::new(
        value,
        format!(
            "{} to {}: {}{more}",
            l.shipment_id,
            ctx.holder_label(l.to),
            ctx.licences.describe(first)
        ),
        legs,
    )
}
