//! The indicators, one per file. Route indicators read a reconstructed route of shipments and
//! implement [`Indicator`]; corridor indicators (surge, mirror gap, corridor pass-through,
//! consignment share) read the country-level series of one corridor, assembled by
//! [`crate::routes::corridors`] and handed over by [`crate::scoring::corridors`].

pub mod circuity;
pub mod consignment_share;
pub mod corridor_pass_through;
pub mod destination_of_concern;
pub mod known_hub;
pub mod licence_expired;
pub mod licence_overrun;
pub mod licensed_consignee_leak;
pub mod mirror_gap;
pub mod new_party;
pub mod no_licence;
pub mod pass_through;
pub mod product_sensitivity;
pub mod relabelling;
pub mod screening_match;
pub mod structuring;
pub mod surge;
pub mod valuation;

use crate::gazetteer::Gazetteer;
use crate::routes::Ledger;
use crate::rules::Rules;
use crate::scoring::{Finding, Measured, Role, RouteContext, Score, combine};

/// One red flag, measured on a route.
pub trait Indicator: Sync {
    /// Name, as in `f_<name>` columns and the rules file.
    fn name(&self) -> &'static str;
    /// Which part of the score it feeds.
    fn role(&self) -> Role {
        Role::Behaviour
    }
    /// Weight in the behaviour score (0 for the factors that multiply).
    fn weight(&self, rules: &Rules) -> f64;
    /// The rule in words, shown beside the factor.
    fn threshold(&self, rules: &Rules) -> String;
    /// The finding on one route.
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding;
}

/// Every route indicator, in column order.
pub const ROUTE_INDICATORS: &[&dyn Indicator] = &[
    &destination_of_concern::DestinationOfConcern,
    &product_sensitivity::ProductSensitivity,
    &pass_through::PassThrough,
    &relabelling::Relabelling,
    &valuation::Valuation,
    &new_party::NewParty,
    &structuring::Structuring,
    &known_hub::KnownHub,
    &circuity::Circuity,
    &screening_match::ScreeningMatch,
    &no_licence::NoLicence,
    &licence_overrun::LicenceOverrun,
    &licence_expired::LicenceExpired,
    &licensed_consignee_leak::LicensedConsigneeLeak,
];

/// Corridor indicator names, in column order (after the route indicators).
pub const CORRIDOR_INDICATORS: &[&str] = &[
    "surge",
    "mirror_gap",
    "corridor_pass_through",
    "consignment_share",
];

/// Every `f_` column name, in order.
pub fn indicator_names() -> Vec<&'static str> {
    ROUTE_INDICATORS
        .iter()
        .map(|i| i.name())
        .chain(CORRIDOR_INDICATORS.iter().copied())
        .collect()
}

/// Per-holder facts several indicators need: when it was first seen and where its goods go.
#[derive(Clone, Debug, Default)]
pub struct HolderStats {
    pub first_seen: Vec<Option<crate::model::Date>>,
    pub outbound_value: Vec<f64>,
    pub outbound_concern_value: Vec<f64>,
    pub outbound_count: Vec<u32>,
    /// How many distinct holders shipped to each holder.
    pub inbound_senders: Vec<u32>,
    /// How many distinct holders each holder shipped to.
    pub buyers: Vec<u32>,
}

impl HolderStats {
    pub fn build(ledger: &Ledger, rules: &Rules, g: &Gazetteer) -> HolderStats {
        let n = ledger.holders.list.len();
        let mut s = HolderStats {
            first_seen: vec![None; n],
            outbound_value: vec![0.0; n],
            outbound_concern_value: vec![0.0; n],
            outbound_count: vec![0; n],
            inbound_senders: vec![0; n],
            buyers: vec![0; n],
        };
        let mut sales: Vec<(u32, u32)> = ledger.legs.iter().map(|l| (l.from.0, l.to.0)).collect();
        sales.sort_unstable();
        sales.dedup();
        for (from, _) in sales {
            s.buyers[from as usize] += 1;
        }
        let mut pairs: Vec<(u32, u32)> = ledger.legs.iter().map(|l| (l.to.0, l.from.0)).collect();
        pairs.sort_unstable();
        pairs.dedup();
        for (to, _) in pairs {
            s.inbound_senders[to as usize] += 1;
        }
        for l in &ledger.legs {
            for h in [l.from, l.to] {
                let slot = &mut s.first_seen[h.0 as usize];
                *slot = Some(slot.map_or(l.date, |d| d.min(l.date)));
            }
            let f = l.from.0 as usize;
            s.outbound_value[f] += l.value_usd;
            s.outbound_count[f] += 1;
            if destination_of_concern::strength(
                g,
                &rules.indicators.destination_of_concern,
                l.to_country,
            )
            .0 >= 1.0
            {
                s.outbound_concern_value[f] += l.value_usd;
            }
        }
        s
    }
}

/// Each route indicator's rule in words, for [`RouteContext::thresholds`].
pub fn thresholds(rules: &Rules) -> Vec<std::sync::Arc<str>> {
    ROUTE_INDICATORS
        .iter()
        .map(|i| i.threshold(rules).into())
        .collect()
}

/// Scores one route with every route indicator.
pub fn score_route(ctx: &RouteContext<'_>) -> Score {
    let measured: Vec<Measured> = ROUTE_INDICATORS
        .iter()
        .zip(ctx.thresholds)
        .map(|(i, t)| Measured {
            indicator: i.name(),
            role: i.role(),
            weight: i.weight(ctx.rules),
            threshold: t.clone(),
            finding: i.evaluate(ctx),
        })
        .collect();
    let mut score = combine(measured, ctx.rules.scoring.delivery_floor, ctx.rules);
    if score.basis == crate::scoring::Basis::DeliveryOnly && !ctx.licences.loaded {
        score.note = "licence status unknown (no licence data loaded): a delivery alone is ranked, not flagged".into();
    }
    // Corridor columns exist for every row; on shipment routes they are 0.
    for name in CORRIDOR_INDICATORS {
        score.factors.push(crate::scoring::Factor {
            indicator: name,
            role: Role::Corridor,
            value: 0.0,
            weight: 0.0,
            contribution: 0.0,
            evidence: String::new(),
            legs: Vec::new(),
            threshold: "".into(),
        });
    }
    score
}

/// Formats USD amounts for evidence: `USD 1,234,567`.
pub fn usd(v: f64) -> String {
    let whole = v.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("USD {}{out}", if whole < 0 { "-" } else { "" })
}

/// Names a period of a corridor series in evidence: a year (`2022`), or for monthly data the
/// twelve months it ends (`the 12 months to 2022-03`), as corridor indicators compare them.
pub fn span(p: crate::model::Period) -> String {
    match p.month {
        Some(_) => format!("the 12 months to {p}"),
        None => p.to_string(),
    }
}

/// The values of up to `years` earlier years of `p` (the same months a year, two years ...
/// before), most recent first, with their periods.
pub fn years_before<T>(
    series: &std::collections::BTreeMap<crate::model::Period, T>,
    p: crate::model::Period,
    years: usize,
) -> Vec<(crate::model::Period, &T)> {
    (1..=years as i32)
        .map(|y| p.years_before(y))
        .filter_map(|q| series.get(&q).map(|v| (q, v)))
        .collect()
}

/// Formats quantities: whole numbers without decimals.
pub fn qty(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
    }
}

/// Linear ramp: 0 at or below `lo`, 1 at or above `hi`.
pub fn ramp(x: f64, lo: f64, hi: f64) -> f64 {
    if hi <= lo {
        return if x >= hi { 1.0 } else { 0.0 };
    }
    ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
}
