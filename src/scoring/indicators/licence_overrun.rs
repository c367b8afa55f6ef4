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
        violation(ctx, |_, s| matches!(s, LegLicence::Overrun { .. }), 1.0)
    }
}
