//! Known hub on the path: an intermediate country is a known transshipment point (FinCEN/BIS 2022
//! list for Russia; hubs for AI chips to China).

use super::Indicator;
use crate::rules::Rules;
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
        // The stops between vendor and buyer; the first holder is one too when its goods came
        // from stock received off the route.
        let first = if ctx.stock_behind().is_empty() { 1 } else { 0 };
        if countries.len() < 2 + first {
            return Finding::none();
        }
        for &c in &countries[first..countries.len() - 1] {
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
                        .filter(|l| {
                            let leg = &ctx.ledger.legs[*l as usize];
                            leg.to_country == c || leg.from_country == c
                        })
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
