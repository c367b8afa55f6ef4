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
            let pieces = || {
                ctx.ledger.drawn_by[leg as usize]
                    .iter()
                    .map(|li| ctx.ledger.links[*li as usize].outbound)
                    .filter(|o| ctx.in_route(*o))
            };
            let count = pieces().count();
            if count < s.min_pieces || inbound.quantity <= 0.0 {
                continue;
            }
            let largest = pieces()
                .map(|p| ctx.ledger.legs[p as usize].quantity)
                .fold(0.0, f64::max);
            if largest / inbound.quantity > s.max_piece_share {
                continue;
            }
            let value =
                0.6 + 0.4 * ramp(count as f64, s.min_pieces as f64, 3.0 * s.min_pieces as f64);
            ctx.offer(
                &mut best,
                value,
                || {
                    let mut names: Vec<&str> =
                        pieces().filter_map(|p| ctx.consignee_spelling(p)).collect();
                    names.sort_unstable();
                    names.dedup();
                    format!(
                        "{} units ({}) left as {} pieces of at most {} to {} consignee spelling(s)",
                        qty(inbound.quantity),
                        inbound.shipment_id,
                        count,
                        qty(largest),
                        names.len()
                    )
                },
                || {
                    let mut legs = vec![leg];
                    legs.extend(pieces());
                    legs
                },
            );
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::{Case, case};

    /// 240 H100s into Hong Kong, shipped on to one Shenzhen buyer as `pieces`, under three
    /// spellings of its name in turn (the first two differ only in case and punctuation, which
    /// the file's parties already treat as one name).
    fn split(pieces: &[u32]) -> Case {
        let names = [
            "Shenzhen Huaxin Electronics Co. Ltd.",
            "SHENZHEN HUAXIN ELECTRONICS CO LTD",
            "Shenzhen Huaxin Electronics Co. Ltd. (Branch)",
        ];
        let mut rows = String::from(
            "ST-0,2024-07-01,Pacific Crest Systems Inc.,US,Kowloon Apex Limited,HK,TW,854231,NVIDIA H100 SXM5 80GB GPU,240,PCS,6720000,480\n",
        );
        for (i, q) in pieces.iter().enumerate() {
            rows.push_str(&format!(
                "ST-{},2024-07-{:02},Kowloon Apex Limited,HK,{},CN,TW,854231,H100 GPU,{q},PCS,{},{}\n",
                i + 1,
                i + 5,
                names[i % names.len()],
                q * 29_000,
                q * 2
            ));
        }
        case(&rows)
    }

    #[test]
    fn one_consignment_leaving_as_many_small_pieces_is_structuring() {
        let s = Rules::default().indicators.structuring;
        let c = split(&[60, 60, 60, 60]);
        assert_eq!(
            c.route_ids("ST-1"),
            ["ST-0", "ST-1", "ST-2", "ST-3", "ST-4"]
        );
        let f = c.eval(&Structuring, "ST-1");
        let want = 0.6 + 0.4 * ramp(4.0, s.min_pieces as f64, 3.0 * s.min_pieces as f64);
        assert!((f.value - want).abs() < 1e-12, "{} {}", f.value, f.evidence);
        assert_eq!(
            f.evidence,
            "240 units (ST-0) left as 4 pieces of at most 60 to 2 consignee spelling(s)"
        );
        assert_eq!(c.ids(&f.legs), ["ST-0", "ST-1", "ST-2", "ST-3", "ST-4"]);
        // Ten pieces or more reach the top of the ramp.
        let f = split(&[24; 10]).eval(&Structuring, "ST-10");
        assert_eq!(f.value, 1.0, "{}", f.evidence);
    }

    #[test]
    fn two_pieces_or_one_large_piece_are_not_structuring() {
        let c = split(&[120, 120]);
        assert_eq!(c.route_ids("ST-1"), ["ST-0", "ST-1", "ST-2"]);
        assert_eq!(c.eval(&Structuring, "ST-1"), Finding::none());
        // Three pieces, one of them more than half the consignment.
        let c = split(&[150, 45, 45]);
        assert_eq!(c.route_ids("ST-1"), ["ST-0", "ST-1", "ST-2", "ST-3"]);
        assert_eq!(c.eval(&Structuring, "ST-1"), Finding::none());
    }
}
