//! New or single-purpose party: an intermediary first seen shortly before the route (BIS 2025:
//! customers that first ordered only after the controls), or one whose outflow goes almost all to
//! countries of concern.

use super::{Indicator, usd};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct NewParty;

impl Indicator for NewParty {
    fn name(&self) -> &'static str {
        "new_party"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.new_party.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let n = &rules.indicators.new_party;
        format!(
            "first seen <= {} days before the route (and >= {} days into the data), or >= {:.0}% of outbound value to countries of concern",
            n.new_within_days,
            n.history_days,
            n.single_purpose_share * 100.0
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let n = &ctx.rules.indicators.new_party;
        let (Some(data_start), Some(route_start)) = (
            ctx.ledger.first_date,
            ctx.route
                .legs
                .iter()
                .map(|l| ctx.ledger.legs[*l as usize].date)
                .min(),
        ) else {
            return Finding::none();
        };
        let mut best = Finding::none();
        let holders = &ctx.route.holders;
        let is_new = |h: crate::routes::HolderId| {
            let first = ctx.stats.first_seen[h.0 as usize]?;
            let into_data = first.days_since(data_start);
            let before_route = route_start.days_since(first);
            (into_data >= n.history_days && before_route <= n.new_within_days)
                .then_some((first, before_route))
        };
        let legs_of = |h: crate::routes::HolderId| -> Vec<u32> {
            ctx.legs_where(|leg| leg.from == h || leg.to == h)
        };
        // The final buyer: a new consignee counts `new_buyer_value`; a new firm in a transit
        // country that ships nothing on at all (the goods' onward trade is not in the data) counts
        // in full.
        if holders.len() >= 2
            && let Some(&h) = holders.last()
            && let Some((first, before_route)) = is_new(h)
        {
            let country = ctx.ledger.holders.get(h).country;
            let transit = super::destination_of_concern::is_transit(ctx, country);
            let sink = transit && ctx.stats.outbound_count[h.0 as usize] == 0;
            let (value, how) = if sink {
                (1.0, ", in a transit country, and it shipped nothing on")
            } else {
                (n.new_buyer_value, "")
            };
            ctx.offer(
                &mut best,
                value,
                || format!(
                    "final buyer {} first seen {first}, {before_route} days before the route{how}",
                    ctx.holder_label(h)
                ),
                || legs_of(h),
            );
        }
        // Intermediaries: every holder between the vendor and the final buyer.
        for &h in holders.iter().skip(1).take(holders.len().saturating_sub(2)) {
            let i = h.0 as usize;
            if let Some((first, before_route)) = is_new(h) {
                ctx.offer(
                    &mut best,
                    1.0,
                    || {
                        format!(
                            "{} first seen {first}, {before_route} days before the route",
                            ctx.holder_label(h)
                        )
                    },
                    || legs_of(h),
                );
            }
            let out = ctx.stats.outbound_value[i];
            let concern = ctx.stats.outbound_concern_value[i];
            if ctx.stats.outbound_count[i] >= 2
                && out > 0.0
                && concern / out >= n.single_purpose_share
            {
                ctx.offer(
                    &mut best,
                    0.7,
                    || format!(
                        "{} sends {:.0}% of its outbound value ({} of {}) to countries of concern",
                        ctx.holder_label(h),
                        concern / out * 100.0,
                        usd(concern),
                        usd(out)
                    ),
                    || legs_of(h),
                );
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;
    use crate::scoring::indicators::testkit::{Case, case};

    /// Singapore to China and Japan. With `history`, the data starts earlier than the
    /// Singapore firm, which then first appears on this route; else it is there from the start.
    fn front(history: bool) -> Case {
        let n = Rules::default().indicators.new_party;
        let start = Date::from_ymd(2024, 1, 2).unwrap();
        let route = if history {
            start.plus_days(n.history_days + 30)
        } else {
            start
        };
        let (out, later) = (route.plus_days(9), route.plus_days(12));
        let background = if history {
            format!(
                "B-0,{start},Pacific Crest Systems Inc.,US,Rhein Rechenzentrum GmbH,DE,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n"
            )
        } else {
            String::new()
        };
        case(&format!(
            "{background}\
             NP-1,{route},Pacific Crest Systems Inc.,US,Orchard Nova Trading Pte. Ltd.,SG,TW,854231,NVIDIA H100 SXM5 80GB,40,PCS,1120000,80\n\
             NP-2,{out},Orchard Nova Trading Pte. Ltd.,SG,Jade Dragon Trading Co.,CN,TW,854231,H100 GPU,20,PCS,600000,40\n\
             NP-3,{later},Orchard Nova Trading Pte. Ltd.,SG,Sakura Cloud K.K.,JP,TW,854231,H100 GPU,20,PCS,600000,40"
        ))
    }

    #[test]
    fn an_intermediary_first_seen_on_the_route_is_new() {
        let c = front(true);
        assert_eq!(c.route_ids("NP-2"), ["NP-1", "NP-2"]);
        let first = c.analysis.ledger.legs[c.route("NP-2").legs[0] as usize].date;
        let f = c.eval(&NewParty, "NP-2");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            format!(
                "Orchard Nova Trading Pte. Ltd. (SG) first seen {first}, 0 days before the route"
            )
        );
        assert_eq!(c.ids(&f.legs), ["NP-1", "NP-2"]);
    }

    #[test]
    fn parties_seen_from_the_start_of_the_data_are_not_new() {
        let c = front(false);
        assert_eq!(c.route_ids("NP-2"), ["NP-1", "NP-2"]);
        assert_eq!(c.eval(&NewParty, "NP-2"), Finding::none());
    }

    #[test]
    fn a_new_final_buyer_counts_its_own_value() {
        let rules = Rules::default();
        let n = &rules.indicators.new_party;
        let start = Date::from_ymd(2024, 1, 2).unwrap();
        let late = start.plus_days(n.history_days + 30);
        let c = case(&format!(
            "B-0,{start},Pacific Crest Systems Inc.,US,Rhein Rechenzentrum GmbH,DE,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16\n\
             NB-1,{late},Pacific Crest Systems Inc.,US,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16"
        ));
        let f = c.eval(&NewParty, "NB-1");
        assert_eq!(f.value, n.new_buyer_value);
        assert_eq!(
            f.evidence,
            format!(
                "final buyer Jade Dragon Trading Co. (CN) first seen {late}, 0 days before the route"
            )
        );
        assert_eq!(c.ids(&f.legs), ["NB-1"]);
    }

    #[test]
    fn an_intermediary_shipping_only_to_countries_of_concern_is_single_purpose() {
        let c = case(
            "SP-1,2024-01-02,Pacific Crest Systems Inc.,US,Orchard Nova Trading Pte. Ltd.,SG,TW,854231,NVIDIA H100 SXM5 80GB,40,PCS,1120000,80\n\
             SP-2,2024-01-11,Orchard Nova Trading Pte. Ltd.,SG,Jade Dragon Trading Co.,CN,TW,854231,H100 GPU,20,PCS,600000,40\n\
             SP-3,2024-01-14,Orchard Nova Trading Pte. Ltd.,SG,Ural Vector OOO,RU,TW,854231,H100 GPU,20,PCS,600000,40",
        );
        assert_eq!(c.route_ids("SP-2"), ["SP-1", "SP-2"]);
        let f = c.eval(&NewParty, "SP-2");
        assert_eq!(f.value, 0.7);
        assert_eq!(
            f.evidence,
            "Orchard Nova Trading Pte. Ltd. (SG) sends 100% of its outbound value (USD 1,200,000 of USD 1,200,000) to countries of concern"
        );
        // Half of it to Japan (the same rows as `front(false)`) is not single-purpose: checked
        // there.
    }
}
