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
            ctx.route
                .legs
                .iter()
                .copied()
                .filter(|l| {
                    let leg = &ctx.ledger.legs[*l as usize];
                    leg.from == h || leg.to == h
                })
                .collect()
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
            best = best.max(Finding::new(
                value,
                format!(
                    "final buyer {} first seen {first}, {before_route} days before the route{how}",
                    ctx.holder_label(h)
                ),
                legs_of(h),
            ));
        }
        // Intermediaries: every holder between the vendor and the final buyer.
        for &h in holders.iter().skip(1).take(holders.len().saturating_sub(2)) {
            let i = h.0 as usize;
            let legs = legs_of(h);
            if let Some((first, before_route)) = is_new(h) {
                best = best.max(Finding::new(
                    1.0,
                    format!(
                        "{} first seen {first}, {before_route} days before the route",
                        ctx.holder_label(h)
                    ),
                    legs.clone(),
                ));
            }
            let out = ctx.stats.outbound_value[i];
            let concern = ctx.stats.outbound_concern_value[i];
            if ctx.stats.outbound_count[i] >= 2
                && out > 0.0
                && concern / out >= n.single_purpose_share
            {
                best = best.max(Finding::new(
                    0.7,
                    format!(
                        "{} sends {:.0}% of its outbound value ({} of {}) to countries of concern",
                        ctx.holder_label(h),
                        concern / out * 100.0,
                        usd(concern),
                        usd(out)
                    ),
                    legs,
                ));
            }
        }
        best
    }
}
