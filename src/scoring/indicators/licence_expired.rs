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
            |_, s| {
                matches!(
                    s,
                    LegLicence::Expired { .. } | LegLicence::NotYetValid { .. }
                )
            },
            1.0,
        )
    }
}
