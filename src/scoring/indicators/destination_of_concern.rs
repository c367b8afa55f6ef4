//! Destination of concern: where the route ends. China incl. Hong Kong and Macau, Russia, Belarus,
//! Iran, North Korea (group `concern`), then BIS Country Groups D:5, D:1, D:4 at lower values.

use super::Indicator;
use crate::gazetteer::{CountryId, Gazetteer};
use crate::rules::{DestinationRules, Rules};
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
    fn role(&self) -> crate::scoring::Role {
        crate::scoring::Role::Delivers
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, rules: &Rules) -> String {
        let r = &rules.indicators.destination_of_concern;
        format!(
            "concern {} / D:5 {} / D:1 {} / D:4 {}; new holder in a transit country that ships nothing on {}",
            r.concern, r.bis_d5, r.bis_d1, r.bis_d4, r.transit_sink
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let Some(&last) = ctx.route.countries.last() else {
            return Finding::none();
        };
        let r = &ctx.rules.indicators.destination_of_concern;
        // A delivery a licence covers is the licensed regime working: nothing of concern delivered.
        let mut finals = ctx.route.final_legs().peekable();
        if finals.peek().is_some() && finals.all(|l| ctx.licences.covered(l)) {
            return Finding::none();
        }
        let (value, group) = strength(ctx.gazetteer, r, last);
        let c = ctx.gazetteer.country(last);
        let by_group = match group {
            Some(group) if value > 0.0 => Finding::new(
                value,
                ctx.say(|| format!("final destination {} ({}) is in {group}", c.name, c.code())),
                ctx.legs(|| ctx.route.final_legs().collect()),
            ),
            _ => Finding::none(),
        };
        by_group.max(transit_sink(ctx))
    }
}

/// A transit country: in a known-hub group and not itself a country of concern (China is on the
/// FinCEN list of transshipment points to Russia, but goods that reach it have arrived).
pub fn is_transit(ctx: &RouteContext<'_>, c: CountryId) -> bool {
    strength(
        ctx.gazetteer,
        &ctx.rules.indicators.destination_of_concern,
        c,
    )
    .0 < 1.0
        && ctx
            .rules
            .indicators
            .known_hub
            .groups
            .iter()
            .any(|g| ctx.gazetteer.in_group(g, c))
}

/// Goods that vanish in a transit country: the final holder sits in a known hub country, is new,
/// and shipped nothing on at all (its onward trade is not in the data).
fn transit_sink(ctx: &RouteContext<'_>) -> Finding {
    let r = &ctx.rules.indicators.destination_of_concern;
    let n = &ctx.rules.indicators.new_party;
    let (Some(&last), Some(&holder)) = (ctx.route.countries.last(), ctx.route.holders.last())
    else {
        return Finding::none();
    };
    let in_hub = is_transit(ctx, last);
    let i = holder.0 as usize;
    if r.transit_sink <= 0.0 || !in_hub || ctx.stats.outbound_count[i] > 0 {
        return Finding::none();
    }
    let (Some(data_start), Some(first), Some(route_start)) = (
        ctx.ledger.first_date,
        ctx.stats.first_seen[i],
        ctx.route
            .legs
            .iter()
            .map(|l| ctx.ledger.legs[*l as usize].date)
            .min(),
    ) else {
        return Finding::none();
    };
    let into_data = first.days_since(data_start);
    let before_route = route_start.days_since(first);
    if into_data < n.history_days || before_route > n.new_within_days {
        return Finding::none();
    }
    Finding::new(
        r.transit_sink,
        ctx.say(|| format!(
            "goods end with {}, first seen {first}, in a transit country, and nothing was shipped on",
            ctx.holder_label(holder)
        )),
        ctx.legs(|| ctx.route.final_legs().collect()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::{case, input};

    fn group_name(id: &str) -> &'static str {
        &Gazetteer::embedded().group(id).unwrap().name
    }

    #[test]
    fn the_final_country_counts_by_its_strongest_group() {
        let r = Rules::default().indicators.destination_of_concern;
        let c = case(
            "D-CN,2024-03-01,Pacific Crest Systems Inc.,US,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n\
             D-MM,2024-03-02,Pacific Crest Systems Inc.,US,Yangon Digital Co. Ltd.,MM,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n\
             D-KZ,2024-03-03,Pacific Crest Systems Inc.,US,Qazaq Digital Systems LLP,KZ,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n\
             D-AE,2024-03-04,Pacific Crest Systems Inc.,US,Gulf Star FZE,AE,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n\
             D-DE,2024-03-05,Pacific Crest Systems Inc.,US,Rhein Rechenzentrum GmbH,DE,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16",
        );
        // China is in every group: the concern value wins.
        for (id, code, value, group) in [
            ("D-CN", "CN", r.concern, "concern"),
            ("D-MM", "MM", r.bis_d5, "bis_d5"),
            ("D-KZ", "KZ", r.bis_d1, "bis_d1"),
            ("D-AE", "AE", r.bis_d4, "bis_d4"),
        ] {
            let f = c.eval(&DestinationOfConcern, id);
            assert_eq!(f.value, value, "{id}: {}", f.evidence);
            assert!(
                f.evidence.contains(&format!("({code})")) && f.evidence.contains(group_name(group)),
                "{id}: {}",
                f.evidence
            );
            assert_eq!(c.ids(&f.legs), [id]);
        }
        assert_eq!(c.eval(&DestinationOfConcern, "D-DE"), Finding::none());
    }

    #[test]
    fn a_new_firm_in_a_transit_country_that_ships_nothing_on_is_a_destination() {
        let rules = Rules::default();
        let n = &rules.indicators.new_party;
        let start = crate::model::Date::from_ymd(2024, 1, 2).unwrap();
        let late = start.plus_days(n.history_days + 30);
        let c = case(&format!(
            "B-0,{start},Pacific Crest Systems Inc.,US,Rhein Rechenzentrum GmbH,DE,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n\
             O-1,{start},Pacific Crest Systems Inc.,US,Straits Old Compute Pte. Ltd.,SG,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n\
             O-2,{late},Pacific Crest Systems Inc.,US,Straits Old Compute Pte. Ltd.,SG,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1120000,80\n\
             T-1,{late},Pacific Crest Systems Inc.,US,Merlion Nova Pte. Ltd.,SG,TW,854231,NVIDIA H100 80GB GPU,40,PCS,1120000,80"
        ));
        let f = c.eval(&DestinationOfConcern, "T-1");
        assert_eq!(
            f.value,
            rules.indicators.destination_of_concern.transit_sink
        );
        assert!(
            f.evidence.contains("Merlion Nova Pte. Ltd. (SG)")
                && f.evidence.contains(&format!("first seen {late}"))
                && f.evidence.contains("transit country"),
            "{}",
            f.evidence
        );
        assert_eq!(c.ids(&f.legs), ["T-1"]);
        // The same delivery to a firm seen since the start of the data: Singapore is in no group.
        assert_eq!(c.route_ids("O-2"), ["O-2"]);
        assert_eq!(c.eval(&DestinationOfConcern, "O-2"), Finding::none());
    }

    #[test]
    fn a_delivery_a_licence_covers_delivers_nothing_of_concern() {
        let rows = "C-1,2024-03-01,Pacific Crest Systems Inc.,US,Hangzhou Yuntu Cloud Co. Ltd.,CN,TW,854231,NVIDIA H200 141GB GPU,100,PCS,3300000,200";
        let licence = "L-1,Pacific Crest Systems Inc.,US,Hangzhou Yuntu Cloud Co. Ltd.,CN,854231,NVIDIA H200 141GB GPU,200,6600000,2024-01-01,2024-12-31";
        let covered = input(rows).licences(licence).run();
        assert!(
            covered
                .analysis
                .licences
                .covered(covered.route("C-1").legs[0])
        );
        assert_eq!(covered.eval(&DestinationOfConcern, "C-1"), Finding::none());
        let unknown = case(rows);
        assert_eq!(unknown.eval(&DestinationOfConcern, "C-1").value, 1.0);
    }
}
