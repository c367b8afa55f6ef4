//! No licence on file: a controlled product delivered to a consignee in a country of concern (or
//! to a licensed consignee under a product or from an exporter its licences do not name) that no
//! licence covers. A violation on its face; only with licence data loaded, and only on a route's
//! deliveries (its last hop): goods that move on are judged where they end up.

use super::Indicator;
use crate::rules::Rules;
use crate::scoring::licences::LegLicence;
use crate::scoring::{Finding, Role, RouteContext};

pub struct NoLicence;

impl Indicator for NoLicence {
    fn name(&self) -> &'static str {
        "no_licence"
    }
    fn role(&self) -> Role {
        Role::Licence
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, _rules: &Rules) -> String {
        "a controlled product to a consignee in a country of concern that no loaded licence names for this exporter and product".into()
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        // Only deliveries: goods that go on through a consignee are judged where they end up.
        let last = ctx.last_hop();
        violation(
            ctx,
            |_, hop, s| hop == last && matches!(s, LegLicence::NoLicence),
            1.0,
        )
    }
}

/// The legs of a route whose licence status matches (`matches` reads a leg, its hop and its
/// status), as one finding that names each leg's status.
pub(super) fn violation(
    ctx: &RouteContext<'_>,
    matches: impl Fn(u32, u8, LegLicence) -> bool,
    value: f64,
) -> Finding {
    let hits = || {
        ctx.route
            .legs
            .iter()
            .zip(&ctx.route.hops)
            .filter(|(l, h)| matches(**l, **h, ctx.licences.of(**l)))
            .map(|(l, _)| *l)
    };
    let Some(first) = hits().next() else {
        return Finding::none();
    };
    let l = &ctx.ledger.legs[first as usize];
    Finding::new(
        value,
        ctx.say(|| {
            let count = hits().count();
            let more = if count > 1 {
                format!(" (and {} more shipments)", count - 1)
            } else {
                String::new()
            };
            format!(
                "{} to {}: {}{more}",
                l.shipment_id,
                ctx.holder_label(l.to),
                ctx.licences.describe(first)
            )
        }),
        ctx.legs(|| hits().collect()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::{case, input};

    const LICENCE: &str = "L-100,Pacific Crest Systems Inc.,US,Hangzhou Yuntu Cloud Co. Ltd.,CN,8542.31,NVIDIA H200 141GB GPU,200,6600000,2024-01-01,2024-12-31";

    const ROWS: &str = "LW-1,2024-03-01,Pacific Crest Systems Inc.,US,Hangzhou Yuntu Cloud Co. Ltd.,CN,TW,854231,NVIDIA H200 141GB GPU,100,PCS,3300000,200\n\
        LW-2,2024-05-01,PACIFIC CREST SYSTEMS INC,US,Hangzhou Yuntu Cloud Co Ltd,CN,TW,8542.31,NVIDIA H200 141GB GPU,80,PCS,2640000,160\n\
        LW-6,2024-04-20,Pacific Crest Systems Inc.,US,Wuhan Qingshan Compute Co. Ltd.,CN,TW,854231,NVIDIA H200 141GB GPU,24,PCS,792000,48";

    #[test]
    fn a_controlled_delivery_no_licence_names_is_a_violation() {
        let c = input(ROWS).licences(LICENCE).run();
        let f = c.eval(&NoLicence, "LW-6");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            "LW-6 to Wuhan Qingshan Compute Co. Ltd. (CN): not covered: no licence names this exporter, consignee and product"
        );
        assert_eq!(c.ids(&f.legs), ["LW-6"]);
    }

    #[test]
    fn covered_deliveries_and_unknown_licence_status_are_not() {
        let c = input(ROWS).licences(LICENCE).run();
        // Covered, also under another spelling of both parties.
        for id in ["LW-1", "LW-2"] {
            assert_eq!(c.eval(&NoLicence, id), Finding::none(), "{id}");
        }
        // Without licence data nothing says a licence is missing.
        let c = case(ROWS);
        assert_eq!(c.eval(&NoLicence, "LW-6"), Finding::none());
    }
}
