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
                    return Finding::new(
                        1.0,
                        ctx.say(|| {
                            let g = ctx
                                .gazetteer
                                .group(group)
                                .map(|g| format!("{} ({})", g.name, g.as_of))
                                .unwrap_or_default();
                            format!("passes {}, listed in {g}", ctx.gazetteer.country(c).name)
                        }),
                        ctx.legs(|| {
                            ctx.legs_where(|leg| leg.to_country == c || leg.from_country == c)
                        }),
                    );
                }
            }
        }
        Finding::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::Gazetteer;
    use crate::scoring::indicators::testkit::{case, input};

    #[test]
    fn an_intermediate_hub_is_named_with_its_list() {
        let c = case(
            "KH-1,2024-03-01,Pacific Crest Systems Inc.,US,Lion City Compute Pte. Ltd.,SG,TW,854231,NVIDIA H100 80GB GPU,64,PCS,1792000,128\n\
             KH-2,2024-03-12,Lion City Compute Pte. Ltd.,SG,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 80GB GPU,64,PCS,1920000,128",
        );
        assert_eq!(c.route_ids("KH-2"), ["KH-1", "KH-2"]);
        let f = c.eval(&KnownHub, "KH-2");
        assert_eq!(f.value, 1.0);
        // The first group of the rules that lists Singapore names it.
        let rules = Rules::default();
        let g = Gazetteer::embedded();
        let sg = g.by_code("SG").unwrap();
        let group = rules
            .indicators
            .known_hub
            .groups
            .iter()
            .find(|id| g.in_group(id, sg))
            .and_then(|id| g.group(id))
            .unwrap();
        assert_eq!(
            f.evidence,
            format!(
                "passes Singapore, listed in {} ({})",
                group.name, group.as_of
            )
        );
        assert_eq!(c.ids(&f.legs), ["KH-1", "KH-2"]);
    }

    #[test]
    fn a_hub_as_the_final_destination_is_not_passed() {
        let c = case(
            "KH-1,2024-03-01,Pacific Crest Systems Inc.,US,Lion City Compute Pte. Ltd.,SG,TW,854231,NVIDIA H100 80GB GPU,64,PCS,1792000,128\n\
             KJ-1,2024-03-01,Pacific Crest Systems Inc.,US,Sakura Cloud K.K.,JP,TW,854231,NVIDIA H100 80GB GPU,64,PCS,1792000,128\n\
             KJ-2,2024-03-12,Sakura Cloud K.K.,JP,Lion City Compute Pte. Ltd.,SG,TW,854231,NVIDIA H100 80GB GPU,64,PCS,1920000,128",
        );
        assert_eq!(c.route_ids("KH-1"), ["KH-1"]);
        assert_eq!(c.eval(&KnownHub, "KH-1"), Finding::none());
        // Through Japan into Singapore: the hub is where the goods end.
        assert_eq!(c.route_ids("KJ-2"), ["KJ-1", "KJ-2"]);
        assert_eq!(c.eval(&KnownHub, "KJ-2"), Finding::none());
    }

    #[test]
    fn the_hub_lists_are_the_rules() {
        let rows = "KT-1,2024-03-01,Pacific Crest Systems Inc.,US,Andaman Sourcing Co. Ltd.,TH,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1080000,80\n\
            KT-2,2024-03-20,Andaman Sourcing Co. Ltd.,TH,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1200000,80";
        assert_eq!(case(rows).eval(&KnownHub, "KT-2").value, 1.0);
        // Thailand is a hub for AI chips to China, not on the list of transshipment points to
        // Russia.
        let mut rules = Rules::default();
        rules.indicators.known_hub.groups = vec!["hubs_russia".into()];
        let c = input(rows).rules(rules).run();
        assert_eq!(c.route_ids("KT-2"), ["KT-1", "KT-2"]);
        assert_eq!(c.eval(&KnownHub, "KT-2"), Finding::none());
    }
}
