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
        let r = &ctx.rules.indicators.pass_through;
        let mut best = Finding::none();
        let last_hop = ctx.route.hops.iter().copied().max().unwrap_or(0);
        // Each hop against the one before it, and the first hop against the stock it drew on
        // off the route (an established distributor's supply, a licensed delivery).
        let mut pairs: Vec<(Vec<u32>, Vec<u32>, usize)> = (1..=last_hop)
            .map(|hop| (ctx.legs_at(hop - 1), ctx.legs_at(hop), hop as usize))
            .collect();
        let behind = ctx.stock_behind();
        if !behind.is_empty() {
            pairs.push((behind, ctx.legs_at(0), 0));
        }
        for (inbound, outbound, at) in pairs {
            let qin: f64 = inbound
                .iter()
                .map(|l| ctx.ledger.legs[*l as usize].quantity)
                .sum();
            let qout: f64 = outbound
                .iter()
                .map(|l| ctx.ledger.legs[*l as usize].quantity)
                .sum();
            if qin <= 0.0 || qout <= 0.0 {
                continue;
            }
            let conserved = (qout / qin).min(qin / qout);
            if conserved < r.min_conserved_share {
                continue;
            }
            let (mut days, mut weight) = (0.0, 0.0);
            for &o in &outbound {
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
                continue;
            };
            let fast = 1.0
                - ramp(
                    dwell,
                    f64::from(r.fast_dwell_days),
                    f64::from(ctx.rules.routes.window_days),
                );
            let value = conserved * fast;
            let holder = ctx.route.holders.get(at).copied();
            let who = holder.map(|h| ctx.holder_label(h)).unwrap_or_default();
            let mut legs = inbound.clone();
            legs.extend(&outbound);
            best = best.max(Finding::new(
                value,
                format!(
                    "{who} shipped on {} of {} units ({:.0}%) after {:.0} days on average",
                    qty(qout.min(qin)),
                    qty(qin),
                    conserved * 100.0,
                    dwell
                ),
                legs,
            ));
        }
        best
    }
}
