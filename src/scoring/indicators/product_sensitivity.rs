//! Product sensitivity: a named controlled accelerator or AI server, or a sensitive HS code at an
//! accelerator's unit value. What counts is what the route delivers: its last-hop legs, each
//! judged by the more sensitive of itself and the stock it was drawn from (so a relabelled
//! delivery keeps what its inbound leg was, and a laptop does not inherit a server's name).

use super::{Indicator, usd};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct ProductSensitivity;

impl Indicator for ProductSensitivity {
    fn name(&self) -> &'static str {
        "product_sensitivity"
    }
    fn role(&self) -> crate::scoring::Role {
        crate::scoring::Role::Product
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, rules: &Rules) -> String {
        let p = &rules.indicators.product_sensitivity;
        format!(
            "named product {}; sensitive HS at >= {} per unit {}; >= {} per unit {}; else {}",
            p.keyword_value,
            usd(p.accelerator_unit_usd),
            p.accelerator_value,
            usd(p.midrange_unit_usd),
            p.midrange_value,
            p.low_value
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let mut best: Option<u32> = None;
        let mut consider = |leg: u32| {
            let sensitivity = |leg: u32| {
                ctx.ledger
                    .reading(&ctx.ledger.legs[leg as usize])
                    .sensitivity
            };
            if best.is_none_or(|b| sensitivity(leg) > sensitivity(b)) {
                best = Some(leg);
            }
        };
        // Every leg of a route is upstream of its deliveries: goods relabelled on the way keep
        // the reading of the leg that named them.
        // The stock a route's first legs drew on off the route (a licensed consignee's covered
        // receipts) says what the goods are too.
        for &leg in &ctx.route.legs {
            consider(leg);
            for &li in &ctx.ledger.draws_on[leg as usize] {
                consider(ctx.ledger.links[li as usize].inbound);
            }
        }
        let Some(leg) = best else {
            return Finding::none();
        };
        let sensitivity = ctx
            .ledger
            .reading(&ctx.ledger.legs[leg as usize])
            .sensitivity;
        if sensitivity <= 0.0 {
            return Finding::none();
        }
        Finding::new(
            sensitivity,
            ctx.say(|| evidence(ctx, leg)),
            ctx.legs(|| vec![leg]),
        )
    }
}

/// What the delivered goods are, in words: the leg that says most, and the systems it left in.
fn evidence(ctx: &RouteContext<'_>, leg: u32) -> String {
    let l = &ctx.ledger.legs[leg as usize];
    let desc = ctx.description(leg);
    let reading = ctx.ledger.reading(l);
    let text = match reading
        .reference
        .and_then(|r| ctx.rules.products.get(r as usize))
    {
        Some(p) if reading.sensitivity >= 1.0 => {
            format!("{} named in '{desc}' ({})", p.name, l.shipment_id)
        }
        _ => format!(
            "HS {} '{desc}' at {} per unit ({})",
            l.hs,
            l.unit_value().map(usd).unwrap_or_else(|| "?".into()),
            l.shipment_id
        ),
    };
    // Chips that leave inside systems: say so (a server may carry the GPUs it drew on).
    let inside = ctx.ledger.drawn_by[leg as usize]
        .iter()
        .map(|li| ctx.ledger.links[*li as usize].outbound)
        .filter(|o| ctx.in_route(*o))
        .find(|o| {
            let out = &ctx.ledger.legs[*o as usize];
            out.hs.heading() != l.hs.heading()
                && match (out.unit_value(), l.unit_value()) {
                    (Some(a), Some(b)) => a > ctx.rules.routes.close_value_ratio * b,
                    _ => false,
                }
        });
    match inside {
        Some(o) => {
            let out = &ctx.ledger.legs[o as usize];
            format!(
                "{text}; carried on inside systems: HS {} '{}' at {} per unit ({})",
                out.hs,
                ctx.description(o),
                out.unit_value().map(usd).unwrap_or_default(),
                out.shipment_id
            )
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::case;

    #[test]
    fn a_named_accelerator_reads_as_its_reference_product() {
        let rules = Rules::default();
        let c = case(
            "P-1,2024-03-01,Pacific Crest Systems Inc.,US,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 80GB GPU,8,PCS,224000,16",
        );
        let f = c.eval(&ProductSensitivity, "P-1");
        assert_eq!(f.value, rules.indicators.product_sensitivity.keyword_value);
        assert_eq!(
            f.evidence,
            "NVIDIA H100 / H800 named in 'NVIDIA H100 80GB GPU' (P-1)"
        );
        assert_eq!(c.ids(&f.legs), ["P-1"]);
    }

    #[test]
    fn without_a_name_the_code_and_unit_value_decide() {
        let p = Rules::default().indicators.product_sensitivity;
        // Ten units each, at five times the accelerator bar, between the bars, and far below.
        let accelerator = p.accelerator_unit_usd * 5.0;
        let midrange = (p.midrange_unit_usd + p.accelerator_unit_usd) / 2.0;
        let c = case(&format!(
            "A-1,2024-03-01,Pacific Crest Systems Inc.,US,Jade Dragon Trading Co.,CN,TW,854231,GPU module,10,PCS,{},20\n\
             M-1,2024-03-02,Pacific Crest Systems Inc.,US,Red Lotus Electronics Co. Ltd.,CN,TW,854231,Graphics processor board,10,PCS,{},20\n\
             U-1,2024-03-03,Pacific Crest Systems Inc.,US,Hangzhou Bofeng Co. Ltd.,CN,TW,854231,STM32F407 ARM microcontroller,10,PCS,30,1\n\
             N-1,2024-03-04,Pacific Crest Systems Inc.,US,Dalian Haixing Trading Co. Ltd.,CN,TW,851713,Smartphones,10,PCS,5000,2",
            accelerator * 10.0,
            midrange * 10.0
        ));
        let f = c.eval(&ProductSensitivity, "A-1");
        assert_eq!(f.value, p.accelerator_value);
        assert_eq!(
            f.evidence,
            format!(
                "HS 854231 'GPU module' at {} per unit (A-1)",
                usd(accelerator)
            )
        );
        assert_eq!(c.eval(&ProductSensitivity, "M-1").value, p.midrange_value);
        // A microcontroller under the accelerators' code is ordinary goods, read low.
        assert_eq!(c.eval(&ProductSensitivity, "U-1").value, p.low_value);
        assert_eq!(c.eval(&ProductSensitivity, "N-1"), Finding::none());
    }

    #[test]
    fn chips_that_leave_inside_servers_are_said_to() {
        // An assembler in Mexico turns 80 H100s into ten 8-GPU servers and ships them on.
        let c = case(
            "G-1,2024-02-05,Pacific Crest Systems Inc.,US,Monterrey Ensambles SA de CV,MX,TW,854231,NVIDIA H100 80GB GPU,80,PCS,2240000,\n\
             S-1,2024-02-26,Monterrey Ensambles SA de CV,MX,Red Lotus Electronics Co. Ltd.,CN,TW,847150,GPU server 8-way,10,PCS,3100000,",
        );
        assert_eq!(c.route_ids("S-1"), ["G-1", "S-1"]);
        let f = c.eval(&ProductSensitivity, "S-1");
        assert!(
            f.evidence
                .contains("carried on inside systems: HS 847150 'GPU server 8-way'")
                && f.evidence.contains("(S-1)"),
            "{}",
            f.evidence
        );
        // Relabelled at a like price: no such words.
        let c = case(
            "RL-1,2024-02-05,Pacific Crest Systems Inc.,US,Gulf Star FZE,AE,TW,854231,NVIDIA H200 141GB GPU,32,PCS,1056000,64\n\
             RL-2,2024-02-16,Gulf Star FZE,AE,Red Lotus Electronics Co. Ltd.,CN,TW,847330,Computer parts,32,PCS,1100000,64",
        );
        assert!(
            !c.eval(&ProductSensitivity, "RL-2")
                .evidence
                .contains("inside systems")
        );
    }

    #[test]
    fn a_relabelled_delivery_keeps_the_reading_of_the_leg_that_named_it() {
        let c = case(
            "RL-1,2024-02-05,Pacific Crest Systems Inc.,US,Gulf Star FZE,AE,TW,854231,NVIDIA H200 141GB GPU,32,PCS,1056000,64\n\
             RL-2,2024-02-16,Gulf Star FZE,AE,Red Lotus Electronics Co. Ltd.,CN,TW,847330,Computer parts,32,PCS,1100000,64",
        );
        assert_eq!(c.route_ids("RL-2"), ["RL-1", "RL-2"]);
        let f = c.eval(&ProductSensitivity, "RL-2");
        assert_eq!(f.value, 1.0);
        assert_eq!(c.ids(&f.legs), ["RL-1"]);
        assert!(f.evidence.contains("NVIDIA H200"), "{}", f.evidence);
    }
}
