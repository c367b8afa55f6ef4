//! Route circuity: the sum of great-circle legs over the direct great-circle distance. Goods for
//! Moscow do not need to pass Kuala Lumpur and Mumbai.

use super::{Indicator, ramp};
use crate::geometry::circuity;
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct Circuity;

/// Below this direct distance a ratio says little (Hong Kong to Shenzhen).
const MIN_DIRECT_KM: f64 = 1000.0;

impl Indicator for Circuity {
    fn name(&self) -> &'static str {
        "circuity"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.circuity.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let c = &rules.indicators.circuity;
        format!(
            "0 at <= {}x the direct distance, 1 at >= {}x (direct >= {MIN_DIRECT_KM} km)",
            c.low, c.high
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let points: Vec<_> = ctx
            .route
            .countries
            .iter()
            .filter_map(|c| ctx.gazetteer.country(*c).point)
            .collect();
        if points.len() < 3 || points.len() != ctx.route.countries.len() {
            return Finding::none();
        }
        let Some((path_km, direct_km)) = circuity(&points) else {
            return Finding::none();
        };
        if direct_km < MIN_DIRECT_KM {
            return Finding::none();
        }
        let ratio = path_km / direct_km;
        let c = &ctx.rules.indicators.circuity;
        let value = ramp(ratio, c.low, c.high);
        if value <= 0.0 {
            return Finding::none();
        }
        Finding::new(
            value,
            format!(
                "{path_km:.0} km along the route against {direct_km:.0} km direct ({ratio:.1}x)"
            ),
            ctx.route.legs.clone(),
        )
    }
}
