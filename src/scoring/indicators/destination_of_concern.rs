//! Destination of concern: where the route ends. China incl. Hong Kong and Macau, Russia, Belarus,
//! Iran, North Korea (group `concern`), then BIS Country Groups D:5, D:1, D:4 at lower values.

use super::Indicator;
use crate::gazetteer::{CountryId, Gazetteer};
use crate::scoring::rules::{DestinationRules, Rules};
use crate::scoring::{Finding, RouteContext};

pub struct DestinationOfConcern;

/// The value of a country as a destination, and the group that gives it.
pub fn strength<'g>(
    g: &'g Gazetteer,
    r: &DestinationRules,
    c: CountryId,
) -> (f64, Option<&'g str>) {
    let mut best = (0.0, None);
    for (group, value) in [
        ("concern", r.concern),
        ("bis_d5", r.bis_d5),
        ("bis_d1", r.bis_d1),
        ("bis_d4", r.bis_d4),
    ] {
        if value > best.0 && g.in_group(group, c) {
            best = (value, g.group(group).map(|gr| gr.name.as_str()));
        }
    }
    best
}

impl Indicator for DestinationOfConcern {
    fn name(&self) -> &'static str {
        "destination_of_concern"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.destination_of_concern.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let r = &rules.indicators.destination_of_concern;
        format!(
            "concern {} / D:5 {} / D:1 {} / D:4 {}",
            r.concern, r.bis_d5, r.bis_d1, r.bis_d4
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let Some(&last) = ctx.route.countries.last() else {
            return Finding::none();
        };
        let (value, group) = strength(
            ctx.gazetteer,
            &ctx.rules.indicators.destination_of_concern,
            last,
        );
        match group {
            Some(group) if value > 0.0 => {
                let c = ctx.gazetteer.country(last);
                Finding::new(
                    value,
                    format!("final destination {} ({}) is in {group}", c.name, c.code()),
                    ctx.route.final_legs().collect(),
                )
            }
            _ => Finding::none(),
        }
    }
}
