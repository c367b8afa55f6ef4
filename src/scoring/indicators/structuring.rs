//! Structuring: one large inbound consignment leaves as many small ones, often to several
//! spellings of one buyer.

use super::{Indicator, qty, ramp};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct Structuring;

impl Indicator for Structuring {
    fn name(&self) -> &'static str {
        "structuring"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.structuring.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let s = &rules.indicators.structuring;
        format!(
            ">= {} onward pieces, each <= {:.0}% of the inbound quantity",
            s.min_pieces,
            s.max_piece_share * 100.0
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let s = &ctx.rules.indicators.structuring;
        let mut best = Finding::none();
        for &leg in &ctx.route.legs {
            let inbound = &ctx.ledger.legs[leg as usize];
            let pieces: Vec<u32> = ctx.ledger.drawn_by[leg as usize]
                .iter()
                .map(|li| ctx.ledger.links[*li as usize].outbound)
                .filter(|o| ctx.in_route(*o))
                .collect();
            if pieces.len() < s.min_pieces || inbound.quantity <= 0.0 {
                continue;
            }
            let largest = pieces
                .iter()
                .map(|p| ctx.ledger.legs[*p as usize].quantity)
                .fold(0.0, f64::max);
            if largest / inbound.quantity > s.max_piece_share {
                continue;
            }
            let mut names: Vec<&str> = pieces
                .iter()
                .filter_map(|p| {
                    let l = &ctx.ledger.legs[*p as usize];
                    ctx.datasets
                        .get(l.dataset as usize)?
                        .shipments()
                        .get(l.row as usize)
                        .and_then(|sh| {
                            ctx.datasets[l.dataset as usize]
                                .party(sh.importer)
                                .map(|p| p.display_name())
                        })
                })
                .collect();
            names.sort_unstable();
            names.dedup();
            let value = 0.6
                + 0.4
                    * ramp(
                        pieces.len() as f64,
                        s.min_pieces as f64,
                        3.0 * s.min_pieces as f64,
                    );
            let mut legs = vec![leg];
            legs.extend(&pieces);
            best = best.max(Finding::new(
                value,
                format!(
                    "{} units ({}) left as {} pieces of at most {} to {} consignee spelling(s)",
                    qty(inbound.quantity),
                    inbound.shipment_id,
                    pieces.len(),
                    qty(largest),
                    names.len()
                ),
                legs,
            ));
        }
        best
    }
}
