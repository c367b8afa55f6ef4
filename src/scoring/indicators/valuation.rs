//! Valuation anomaly: a unit value far below (or above) the product's reference price, or far
//! below what the holder paid on the leg before (EBRD; under-invoicing shows low values).

use super::{Indicator, ramp, usd};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct Valuation;

impl Indicator for Valuation {
    fn name(&self) -> &'static str {
        "valuation"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.valuation.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let v = &rules.indicators.valuation;
        format!(
            "unit value below {:.0}% of the reference price or of the previous leg, or above {}x the reference",
            v.under_ratio * 100.0,
            v.over_ratio
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let v = &ctx.rules.indicators.valuation;
        let mut best = Finding::none();
        // The route's named product sets the reference for every leg, relabelled ones included.
        let reference = ctx
            .route
            .legs
            .iter()
            .filter_map(|l| ctx.ledger.reading(&ctx.ledger.legs[*l as usize]).reference)
            .next()
            .and_then(|r| ctx.rules.products.get(r as usize));
        for &leg in &ctx.route.legs {
            let l = &ctx.ledger.legs[leg as usize];
            let Some(unit) = l.unit_value() else { continue };
            if let Some(p) = reference {
                let ratio = unit / p.unit_price_usd;
                let value = if ratio < v.under_ratio {
                    1.0 - ratio / v.under_ratio
                } else {
                    ramp(ratio, v.over_ratio, 2.0 * v.over_ratio)
                };
                if value > 0.0 {
                    ctx.offer(
                        &mut best,
                        value,
                        || {
                            format!(
                                "{} per unit on {} is {:.0}% of the {} reference price {}",
                                usd(unit),
                                l.shipment_id,
                                ratio * 100.0,
                                p.name,
                                usd(p.unit_price_usd)
                            )
                        },
                        || vec![leg],
                    );
                }
            }
        }
        for &link in ctx.links() {
            let (a, b) = (
                &ctx.ledger.legs[link.inbound as usize],
                &ctx.ledger.legs[link.outbound as usize],
            );
            if let (Some(ua), Some(ub)) = (a.unit_value(), b.unit_value())
                && ua > 0.0
                && ub / ua < v.under_ratio
            {
                let ratio = ub / ua;
                ctx.offer(
                    &mut best,
                    1.0 - ratio / v.under_ratio,
                    || {
                        format!(
                            "sold on at {} per unit ({}), {:.0}% of the {} paid ({})",
                            usd(ub),
                            b.shipment_id,
                            ratio * 100.0,
                            usd(ua),
                            a.shipment_id
                        )
                    },
                    || vec![link.inbound, link.outbound],
                );
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::case;

    fn h100_price(rules: &Rules) -> f64 {
        rules
            .products
            .iter()
            .find(|p| p.keywords.iter().any(|k| k == "h100"))
            .unwrap()
            .unit_price_usd
    }

    #[test]
    fn a_price_far_below_the_reference_is_under_invoicing() {
        let rules = Rules::default();
        let v = &rules.indicators.valuation;
        let reference = h100_price(&rules);
        // A fifth of the reference price, straight from the vendor.
        let unit = reference * 0.2;
        let c = case(&format!(
            "V-1,2024-06-03,Pacific Crest Systems Inc.,US,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 PCIe 80GB GPU,10,PCS,{},20",
            unit * 10.0
        ));
        let f = c.eval(&Valuation, "V-1");
        assert!(
            (f.value - (1.0 - 0.2 / v.under_ratio)).abs() < 1e-12,
            "{}",
            f.value
        );
        assert_eq!(
            f.evidence,
            format!(
                "{} per unit on V-1 is 20% of the NVIDIA H100 / H800 reference price {}",
                usd(unit),
                usd(reference)
            )
        );
        assert_eq!(c.ids(&f.legs), ["V-1"]);
    }

    #[test]
    fn a_price_far_above_the_reference_ramps_up() {
        let rules = Rules::default();
        let v = &rules.indicators.valuation;
        let ratio = 1.5 * v.over_ratio;
        let c = case(&format!(
            "V-1,2024-06-03,Pacific Crest Systems Inc.,US,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 PCIe 80GB GPU,10,PCS,{},20",
            h100_price(&rules) * ratio * 10.0
        ));
        let f = c.eval(&Valuation, "V-1");
        let want = ramp(ratio, v.over_ratio, 2.0 * v.over_ratio);
        assert!(want > 0.0 && want < 1.0);
        assert!((f.value - want).abs() < 1e-12, "{} {}", f.value, f.evidence);
    }

    #[test]
    fn sold_on_far_below_what_was_paid() {
        let rules = Rules::default();
        let v = &rules.indicators.valuation;
        let c = case(
            "UV-1,2024-06-03,Pacific Crest Systems Inc.,US,Chao Phraya Tech Co. Ltd.,TH,TW,854231,NVIDIA H100 PCIe 80GB GPU,48,PCS,1440000,96\n\
             UV-2,2024-06-20,Chao Phraya Tech Co. Ltd.,TH,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 PCIe 80GB GPU,48,PCS,288000,96",
        );
        assert_eq!(c.route_ids("UV-2"), ["UV-1", "UV-2"]);
        // USD 6,000 against USD 30,000 paid (20%) is further off than against the reference.
        let f = c.eval(&Valuation, "UV-2");
        assert!(
            (f.value - (1.0 - 0.2 / v.under_ratio)).abs() < 1e-12,
            "{}",
            f.value
        );
        assert_eq!(
            f.evidence,
            "sold on at USD 6,000 per unit (UV-2), 20% of the USD 30,000 paid (UV-1)"
        );
        assert_eq!(c.ids(&f.legs), ["UV-1", "UV-2"]);
    }

    #[test]
    fn prices_within_the_band_are_not_anomalies() {
        let rules = Rules::default();
        let v = &rules.indicators.valuation;
        let reference = h100_price(&rules);
        // Bought at the reference, sold on at the top of the band a re-seller may charge.
        let (paid, sold) = (reference, reference * v.over_ratio * 0.9);
        let c = case(&format!(
            "UV-1,2024-06-03,Pacific Crest Systems Inc.,US,Chao Phraya Tech Co. Ltd.,TH,TW,854231,NVIDIA H100 PCIe 80GB GPU,48,PCS,{},96\n\
             UV-2,2024-06-20,Chao Phraya Tech Co. Ltd.,TH,Jade Dragon Trading Co.,CN,TW,854231,NVIDIA H100 PCIe 80GB GPU,48,PCS,{},96",
            paid * 48.0,
            sold * 48.0
        ));
        assert_eq!(c.route_ids("UV-2"), ["UV-1", "UV-2"]);
        assert_eq!(c.eval(&Valuation, "UV-2"), Finding::none());
    }
}
