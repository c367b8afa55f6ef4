//! Licence overrun: shipments to a licensed consignee keep coming after the licensed quantity is
//! used up. A violation on its face; only with licence data loaded.

use super::Indicator;
use super::no_licence::violation;
use crate::rules::Rules;
use crate::scoring::licences::LegLicence;
use crate::scoring::{Finding, Role, RouteContext};

pub struct LicenceOverrun;

impl Indicator for LicenceOverrun {
    fn name(&self) -> &'static str {
        "licence_overrun"
    }
    fn role(&self) -> Role {
        Role::Licence
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, _rules: &Rules) -> String {
        "a shipment under a licence whose quantity, drawn down in date order, is used up".into()
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        violation(ctx, |_, _, s| matches!(s, LegLicence::Overrun { .. }), 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::{Case, input};

    /// Two deliveries under a licence for 100 units: 60, then `second`.
    fn deliveries(second: u32) -> Case {
        input(&format!(
            "LO-1,2024-03-01,Pacific Crest Systems Inc.,US,Hangzhou Yuntu Cloud Co. Ltd.,CN,TW,854231,NVIDIA H200 141GB GPU,60,PCS,1980000,120\n\
             LO-2,2024-05-01,Pacific Crest Systems Inc.,US,Hangzhou Yuntu Cloud Co. Ltd.,CN,TW,854231,NVIDIA H200 141GB GPU,{second},PCS,{},{}",
            second * 33_000,
            second * 2
        ))
        .licences("L-100,Pacific Crest Systems Inc.,US,Hangzhou Yuntu Cloud Co. Ltd.,CN,854231,NVIDIA H200 141GB GPU,100,3300000,2024-01-01,2024-12-31")
        .run()
    }

    #[test]
    fn a_delivery_past_the_licensed_quantity_overruns_it() {
        let c = deliveries(50);
        let f = c.eval(&LicenceOverrun, "LO-2");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            "LO-2 to Hangzhou Yuntu Cloud Co. Ltd. (CN): not covered: licence L-100 (licences.csv line 2) had 40 units left"
        );
        assert_eq!(c.ids(&f.legs), ["LO-2"]);
        assert_eq!(c.eval(&LicenceOverrun, "LO-1"), Finding::none());
    }

    #[test]
    fn deliveries_that_use_the_licence_up_exactly_are_covered() {
        let c = deliveries(40);
        for id in ["LO-1", "LO-2"] {
            assert_eq!(c.eval(&LicenceOverrun, id), Finding::none(), "{id}");
        }
    }
}
