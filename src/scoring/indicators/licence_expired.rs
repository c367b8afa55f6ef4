//! Expired or not yet valid: shipments under a licence after its `valid_to` date (or before its
//! `valid_from`). A violation on its face; only with licence data loaded.

use super::Indicator;
use super::no_licence::violation;
use crate::rules::Rules;
use crate::scoring::licences::LegLicence;
use crate::scoring::{Finding, Role, RouteContext};

pub struct LicenceExpired;

impl Indicator for LicenceExpired {
    fn name(&self) -> &'static str {
        "licence_expired"
    }
    fn role(&self) -> Role {
        Role::Licence
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, _rules: &Rules) -> String {
        "a shipment between a licence's exporter and consignee dated outside its validity window"
            .into()
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        violation(
            ctx,
            |_, _, s| {
                matches!(
                    s,
                    LegLicence::Expired { .. } | LegLicence::NotYetValid { .. }
                )
            },
            1.0,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::{Case, input};

    /// A delivery on `date` under a licence valid from 2024-01-01 to 2024-06-30.
    fn delivery(date: &str) -> Case {
        input(&format!(
            "LE-1,{date},Pacific Crest Systems Inc.,US,Chengdu Lanting Data Co. Ltd.,CN,TW,854231,NVIDIA H200 141GB GPU,40,PCS,1320000,80"
        ))
        .licences("L-200,Pacific Crest Systems Inc.,US,Chengdu Lanting Data Co. Ltd.,CN,854231,NVIDIA H200 141GB GPU,100,3300000,2024-01-01,2024-06-30")
        .run()
    }

    #[test]
    fn a_delivery_outside_the_validity_window_is_a_violation() {
        let c = delivery("2024-09-15");
        let f = c.eval(&LicenceExpired, "LE-1");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            "LE-1 to Chengdu Lanting Data Co. Ltd. (CN): not covered: licence L-200 (licences.csv line 2) expired 2024-06-30"
        );
        assert_eq!(c.ids(&f.legs), ["LE-1"]);
        let f = delivery("2023-12-20").eval(&LicenceExpired, "LE-1");
        assert_eq!(f.value, 1.0);
        assert!(
            f.evidence.ends_with("valid only from 2024-01-01"),
            "{}",
            f.evidence
        );
    }

    #[test]
    fn a_delivery_within_the_window_is_covered() {
        for date in ["2024-01-01", "2024-06-30"] {
            let c = delivery(date);
            assert_eq!(c.eval(&LicenceExpired, "LE-1"), Finding::none(), "{date}");
        }
    }
}
