//! Pass-through: a holder ships on about what it received, soon after it arrived. The core
//! re-export signal (Malaysia asks 30 days' notice for AI-chip transshipment).

use super::{Indicator, qty, ramp};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct PassThrough;

impl Indicator for PassThrough {
    fn name(&self) -> &'static str {
        "pass_through"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.pass_through.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let p = &rules.indicators.pass_through;
        format!(
            ">= {:.0}% of the inbound quantity shipped on; full value at <= {} days dwell, none at {} days",
            p.min_conserved_share * 100.0,
            p.fast_dwell_days,
            rules.routes.window_days
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let mut best = Finding::none();
        let last_hop = ctx.last_hop();
        // Each hop against the one before it, and the first hop against the stock it drew on
        // off the route (an established distributor's supply, a licensed delivery).
        for hop in 1..=last_hop {
            pair(
                ctx,
                &mut best,
                &ctx.legs_at(hop - 1),
                &ctx.legs_at(hop),
                hop as usize,
            );
        }
        let behind = ctx.stock_behind();
        if !behind.is_empty() {
            pair(ctx, &mut best, behind, &ctx.legs_at(0), 0);
        }
        best
    }
}

/// Offers the finding of one pair: `outbound` legs shipped on by holder `at` of the route out
/// of `inbound`.
fn pair(ctx: &RouteContext<'_>, best: &mut Finding, inbound: &[u32], outbound: &[u32], at: usize) {
    let r = &ctx.rules.indicators.pass_through;
    let qin: f64 = inbound
        .iter()
        .map(|l| ctx.ledger.legs[*l as usize].quantity)
        .sum();
    let qout: f64 = outbound
        .iter()
        .map(|l| ctx.ledger.legs[*l as usize].quantity)
        .sum();
    if qin <= 0.0 || qout <= 0.0 {
        return;
    }
    let conserved = (qout / qin).min(qin / qout);
    if conserved < r.min_conserved_share {
        return;
    }
    let (mut days, mut weight) = (0.0, 0.0);
    for &o in outbound {
        for &li in &ctx.ledger.draws_on[o as usize] {
            let link = ctx.ledger.links[li as usize];
            if inbound.contains(&link.inbound) {
                let dwell = ctx.ledger.legs[o as usize]
                    .date
                    .days_since(ctx.ledger.legs[link.inbound as usize].date);
                days += f64::from(dwell) * link.quantity;
                weight += link.quantity;
            }
        }
    }
    let dwell = if weight > 0.0 {
        days / weight
    } else {
        return;
    };
    let fast = 1.0
        - ramp(
            dwell,
            f64::from(r.fast_dwell_days),
            f64::from(ctx.rules.routes.window_days),
        );
    let value = conserved * fast;
    let holder = ctx.route.holders.get(at).copied();
    ctx.offer(
        best,
        value,
        || {
            format!(
                "{} shipped on {} of {} units ({:.0}%) after {:.0} days on average",
                holder.map(|h| ctx.holder_label(h)).unwrap_or_default(),
                qty(qout.min(qin)),
                qty(qin),
                conserved * 100.0,
                dwell
            )
        },
        || {
            let mut legs = inbound.to_vec();
            legs.extend(outbound);
            legs
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;
    use crate::scoring::indicators::testkit::{Case, case};

    /// 64 H100s into Singapore on 2024-03-01, `out` of them on to China `dwell` days later.
    fn through_singapore(out: u32, dwell: i32) -> Case {
        let arrived = Date::from_ymd(2024, 3, 1).unwrap();
        let left = arrived.plus_days(dwell);
        case(&format!(
            "PT-1,{arrived},Pacific Crest Systems Inc.,US,Lion City Compute Pte. Ltd.,SG,TW,854231,NVIDIA H100 SXM5 80GB GPU,64,PCS,1792000,128\n\
             PT-2,{left},LION CITY COMPUTE PTE LTD,SG,Jade Dragon Trading Co.,CN,TW,854231,H100 80GB Tensor Core GPU,{out},PCS,{},{}",
            out * 30_000,
            out * 2
        ))
    }

    #[test]
    fn everything_shipped_on_within_days_passes_through_in_full() {
        let c = through_singapore(64, 11);
        let f = c.eval(&PassThrough, "PT-2");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            "Lion City Compute Pte. Ltd. (SG) shipped on 64 of 64 units (100%) after 11 days on average"
        );
        assert_eq!(c.ids(&f.legs), ["PT-1", "PT-2"]);
    }

    #[test]
    fn the_value_falls_with_the_share_kept_and_the_dwell() {
        let rules = Rules::default();
        let r = &rules.indicators.pass_through;
        // Three quarters shipped on at once.
        let f = through_singapore(48, 5).eval(&PassThrough, "PT-2");
        assert_eq!(f.value, 0.75);
        assert!(
            f.evidence.contains("48 of 64 units (75%)"),
            "{}",
            f.evidence
        );
        // Everything, halfway between the fast dwell and the end of the window.
        let half = (r.fast_dwell_days + rules.routes.window_days) / 2;
        let f = through_singapore(64, half).eval(&PassThrough, "PT-2");
        let want = 1.0
            - ramp(
                f64::from(half),
                f64::from(r.fast_dwell_days),
                f64::from(rules.routes.window_days),
            );
        assert!(want > 0.0 && want < 1.0);
        assert!((f.value - want).abs() < 1e-12, "{} {}", f.value, f.evidence);
        assert!(
            f.evidence.contains(&format!("after {half} days")),
            "{}",
            f.evidence
        );
    }

    #[test]
    fn goods_kept_beyond_the_window_or_mostly_kept_do_not_pass_through() {
        let rules = Rules::default();
        // The same quantity, after the window: another lot as far as the rows show.
        let late = through_singapore(64, rules.routes.window_days + 10);
        assert_eq!(late.route_ids("PT-2"), ["PT-2"]);
        assert_eq!(late.eval(&PassThrough, "PT-2"), Finding::none());
        // Less than half shipped on, at once: a distributor selling from stock.
        let kept = (64.0 * rules.indicators.pass_through.min_conserved_share) as u32 - 2;
        let c = through_singapore(kept, 5);
        assert_eq!(c.route_ids("PT-2"), ["PT-1", "PT-2"], "linked all the same");
        assert_eq!(c.eval(&PassThrough, "PT-2"), Finding::none());
    }
}
