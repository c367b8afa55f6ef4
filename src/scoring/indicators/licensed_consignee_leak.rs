//! Licensed-consignee leak: an approved consignee ships on goods that a licence covered (often
//! relabelled, often by road) out of its country. The licence approved a consignee that keeps the
//! goods; a re-export is outside it. A violation on its face; only with licence data loaded.

use super::Indicator;
use crate::rules::Rules;
use crate::scoring::{Finding, Role, RouteContext};

pub struct LicensedConsigneeLeak;

impl Indicator for LicensedConsigneeLeak {
    fn name(&self) -> &'static str {
        "licensed_consignee_leak"
    }
    fn role(&self) -> Role {
        Role::Licence
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, rules: &Rules) -> String {
        format!(
            "a licensed consignee ships stock a licence covered out of its country (1); the covered delivery it drew on {}",
            rules
                .indicators
                .licensed_consignee_leak
                .covered_source_value
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        if !ctx.licences.loaded {
            return Finding::none();
        }
        let mut best = Finding::none();
        // A covered delivery whose stock later leaked: ranked for a look, never flagged (the
        // licence covered it; the leak is flagged on its own route).
        for &leg in &ctx.route.legs {
            if !ctx.licences.covered(leg) {
                continue;
            }
            let delivered = &ctx.ledger.legs[leg as usize];
            if let Some(out) = ctx.ledger.drawn_by[leg as usize]
                .iter()
                .map(|li| ctx.ledger.links[*li as usize].outbound)
                .find(|o| {
                    let o = &ctx.ledger.legs[*o as usize];
                    o.from == delivered.to && o.to_country != o.from_country
                })
            {
                let o = &ctx.ledger.legs[out as usize];
                ctx.offer(
                    &mut best,
                    ctx.rules
                        .indicators
                        .licensed_consignee_leak
                        .covered_source_value,
                    || {
                        format!(
                            "{} was covered ({}), but {} later shipped this stock on to {} ({})",
                            delivered.shipment_id,
                            ctx.licences.describe(leg),
                            ctx.holder_label(delivered.to),
                            ctx.holder_label(o.to),
                            o.shipment_id
                        )
                    },
                    || vec![leg, out],
                );
            }
        }
        for &leg in &ctx.route.legs {
            let out = &ctx.ledger.legs[leg as usize];
            if out.to_country == out.from_country
                || !ctx
                    .licences
                    .licensed_consignee
                    .get(out.from.0 as usize)
                    .copied()
                    .unwrap_or(false)
            {
                continue;
            }
            let covered = || {
                ctx.ledger.draws_on[leg as usize]
                    .iter()
                    .map(|li| ctx.ledger.links[*li as usize].inbound)
                    .filter(|i| ctx.licences.covered(*i))
            };
            let Some(first) = covered().next() else {
                continue;
            };
            let inbound = &ctx.ledger.legs[first as usize];
            ctx.offer(
                &mut best,
                1.0,
                || {
                    format!(
                        "{} ships {} ({}) to {} out of stock received as {} ({})",
                        ctx.holder_label(out.from),
                        out.shipment_id,
                        ctx.description(leg),
                        ctx.holder_label(out.to),
                        inbound.shipment_id,
                        ctx.licences.describe(first)
                    )
                },
                || {
                    let mut legs = vec![leg];
                    legs.extend(covered());
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
    use crate::scoring::indicators::testkit::{Case, input};

    /// 60 H200s delivered under licence to Shenzhen, 20 of which its consignee ships on to
    /// `buyer` in `country`, relabelled, by road.
    fn onward(buyer: &str, country: &str) -> Case {
        input(&format!(
            "LW-8,2024-04-02,Pacific Crest Systems Inc.,US,Shenzhen Pengcheng AI Co. Ltd.,CN,TW,854231,NVIDIA H200 141GB GPU,60,PCS,1980000,120\n\
             LW-9,2024-04-25,Shenzhen Pengcheng AI Co. Ltd.,CN,{buyer},{country},TW,903180,Measuring instrument parts,20,PCS,120000,40"
        ))
        .licences("L-300,Pacific Crest Systems Inc.,US,Shenzhen Pengcheng AI Co. Ltd.,CN,8542,NVIDIA H200 141GB GPU,60,1980000,2024-01-01,2024-12-31")
        .run()
    }

    #[test]
    fn a_licensed_consignee_shipping_covered_stock_abroad_leaks_it() {
        let c = onward("OOO Severny Veter", "RU");
        // The covered delivery bounds the leak's route.
        assert_eq!(c.route_ids("LW-9"), ["LW-9"]);
        let f = c.eval(&LicensedConsigneeLeak, "LW-9");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            "Shenzhen Pengcheng AI Co. Ltd. (CN) ships LW-9 (Measuring instrument parts) to OOO Severny Veter (RU) out of stock received as LW-8 (covered by licence L-300 (licences.csv line 2))"
        );
        assert_eq!(c.ids(&f.legs), ["LW-9", "LW-8"]);
        // The covered delivery itself is ranked at its own value, naming the leak.
        let f = c.eval(&LicensedConsigneeLeak, "LW-8");
        assert_eq!(
            f.value,
            Rules::default()
                .indicators
                .licensed_consignee_leak
                .covered_source_value
        );
        assert!(
            f.evidence
                .starts_with("LW-8 was covered (covered by licence L-300")
                && f.evidence.ends_with("to OOO Severny Veter (RU) (LW-9)"),
            "{}",
            f.evidence
        );
        assert_eq!(c.ids(&f.legs), ["LW-8", "LW-9"]);
        assert!(!c.scored("LW-8").score.flagged);
    }

    #[test]
    fn stock_that_stays_in_the_consignees_country_has_not_leaked() {
        let c = onward("Guangzhou Tianhe Computing Co. Ltd.", "CN");
        assert!(
            !c.analysis.ledger.links.is_empty(),
            "the sale draws on the covered stock"
        );
        for id in ["LW-8", "LW-9"] {
            assert_eq!(c.eval(&LicensedConsigneeLeak, id), Finding::none(), "{id}");
        }
    }
}
