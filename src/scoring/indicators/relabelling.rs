//! Relabelling: an onward leg declares a vaguer HS code or description than the leg it continues
//! (CNAS documents relabelling as unrelated goods).

use super::Indicator;
use crate::routes::Leg;
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct Relabelling;

impl Indicator for Relabelling {
    fn name(&self) -> &'static str {
        "relabelling"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.relabelling.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        format!(
            "named product or HS heading of the inbound leg lost on the onward leg (1.0 to a vague description, 0.6 HS change only); not goods worth over {}x the inbound's unit value (made from it)",
            rules.routes.close_value_ratio
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let mut best = Finding::none();
        for &link in ctx.links() {
            let a = &ctx.ledger.legs[link.inbound as usize];
            let b = &ctx.ledger.legs[link.outbound as usize];
            // Goods worth several times what came in, per unit, were made from it (servers
            // assembled from GPUs, declared under the code of what they now are), not relabelled.
            if made_from(a, b, ctx.rules.routes.close_value_ratio) {
                continue;
            }
            let (ra, rb) = (ctx.ledger.reading(a), ctx.ledger.reading(b));
            let name_lost = ra.reference.is_some() && rb.reference.is_none();
            let hs_changed = a.hs.heading() != b.hs.heading()
                || (a.hs.len() >= 6 && b.hs.len() >= 6 && a.hs.prefix(6) != b.hs.prefix(6));
            let value = if name_lost && (rb.vague || hs_changed) {
                1.0
            } else if hs_changed && ra.sensitivity >= 0.5 {
                0.6
            } else {
                0.0
            };
            if value > 0.0 {
                ctx.offer(
                    &mut best,
                    value,
                    || {
                        format!(
                            "HS {} '{}' ({}) left as HS {} '{}' ({})",
                            a.hs,
                            ctx.description(link.inbound),
                            a.shipment_id,
                            b.hs,
                            ctx.description(link.outbound),
                            b.shipment_id
                        )
                    },
                    || vec![link.inbound, link.outbound],
                );
            }
        }
        best
    }
}

/// The onward leg's unit value is more than `factor` times the inbound's, both counted alike.
fn made_from(inbound: &Leg, onward: &Leg, factor: f64) -> bool {
    inbound.unit == onward.unit
        && matches!(
            (inbound.unit_value(), onward.unit_value()),
            (Some(a), Some(b)) if b > factor * a
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::{Case, case};

    /// 32 H200s into the Emirates, shipped on to China under `hs` as `description`, `unit` USD each.
    fn onward(hs: &str, description: &str, unit: u32, quantity: u32) -> Case {
        case(&format!(
            "RL-1,2024-02-05,Pacific Crest Systems Inc.,US,Gulf Star FZE,AE,TW,854231,NVIDIA H200 141GB GPU,32,PCS,1056000,64\n\
             RL-2,2024-02-16,Gulf Star FZE,AE,Red Lotus Electronics Co. Ltd.,CN,TW,{hs},{description},{quantity},PCS,{},",
            unit * quantity
        ))
    }

    #[test]
    fn a_named_product_left_as_a_vague_description_is_relabelled() {
        let c = onward("847330", "Computer parts", 34_000, 32);
        assert_eq!(c.route_ids("RL-2"), ["RL-1", "RL-2"]);
        let f = c.eval(&Relabelling, "RL-2");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            "HS 854231 'NVIDIA H200 141GB GPU' (RL-1) left as HS 847330 'Computer parts' (RL-2)"
        );
        assert_eq!(c.ids(&f.legs), ["RL-1", "RL-2"]);
    }

    #[test]
    fn the_same_product_under_another_heading_counts_less() {
        let c = onward("847330", "NVIDIA H200 GPU module", 34_000, 32);
        assert_eq!(c.route_ids("RL-2"), ["RL-1", "RL-2"]);
        let f = c.eval(&Relabelling, "RL-2");
        assert_eq!(f.value, 0.6);
        assert!(f.evidence.contains("left as HS 847330"), "{}", f.evidence);
    }

    #[test]
    fn the_same_heading_onward_is_not_relabelling() {
        let c = onward("854231", "H200 GPU", 34_000, 32);
        assert_eq!(c.route_ids("RL-2"), ["RL-1", "RL-2"]);
        assert_eq!(c.eval(&Relabelling, "RL-2"), Finding::none());
    }

    #[test]
    fn servers_assembled_from_gpus_are_not_relabelling() {
        // Eight GPUs a server, each server worth about eleven times a GPU: goods made from the
        // stock, under the code of what they now are. No weights, the same origin: the rows
        // cannot tell them apart from the stock, so the server sale draws on the GPUs.
        let c = case(
            "OD-1,2024-02-01,Pacific Crest Systems Inc.,US,Penang Assembly Sdn. Bhd.,MY,TW,854231,NVIDIA H100 SXM5 GPU,80,PCS,2240000,\n\
             OD-2,2024-03-01,Penang Assembly Sdn. Bhd.,MY,Cascade Cloud Inc.,US,TW,847150,HGX H100 8-GPU server,10,PCS,3100000,",
        );
        assert_eq!(c.route_ids("OD-2"), ["OD-1", "OD-2"]);
        assert_eq!(c.eval(&Relabelling, "OD-2"), Finding::none());
        // Relabelled at the price it was bought for, the same stock is relabelling.
        let c = case(
            "OD-1,2024-02-01,Pacific Crest Systems Inc.,US,Penang Assembly Sdn. Bhd.,MY,TW,854231,NVIDIA H100 SXM5 GPU,80,PCS,2240000,\n\
             OD-2,2024-03-01,Penang Assembly Sdn. Bhd.,MY,Cascade Cloud Inc.,US,TW,847150,Server parts,10,PCS,290000,",
        );
        assert_eq!(c.route_ids("OD-2"), ["OD-1", "OD-2"]);
        assert_eq!(c.eval(&Relabelling, "OD-2").value, 1.0);
    }
}
