//! Known hub on the path: an intermediate country is a known transshipment point (FinCEN/BIS 2022
//! list for Russia; hubs for AI chips to China).

use super::Indicator;
use crate::scoring::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct KnownHub;

impl Indicator for KnownHub {
    fn name(&self) -> &'static str {
        "known_hub"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.known_hub.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        format!(
            "an intermediate country in {}",
            rules.indicators.known_hub.groups.join(" or ")
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let countries = &ctx.route.countries;
        if countries.len() < 3 {
            return Finding::none();
        }
        for &c in &countries[1..countries.len() - 1] {
            for group in &ctx.rules.indicators.known_hub.groups {
                if ctx.gazetteer.in_group(group, c) {
                    let g = ctx
                        .gazetteer
                        .group(group)
                        .map(|g| format!("{} ({})", g.name, g.as_of))
                        .unwrap_or_default();
                    let legs = ctx
                        .route
                        .legs
                        .iter()
                        .copied()
                        .filter(|l| ctx.ledger.legs[*l as usize].to_country == c)
                        .collect();
                    return Finding::new(
                        1.0,
                        format!("passes {}, listed in {g}", ctx.gazetteer.country(c).name),
                        legs,
                    );
                }
            }
        }
        Finding::none()
    }
}
