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
use crate::scoring::{Finding, Gates, Measured, Role, RouteContext, Score, combine_findings};

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

const _: () = assert!(ROUTE_INDICATORS.len() == ROUTE_INDICATOR_NAMES.len());

/// The route indicators' names, in column order (as `ROUTE_INDICATORS`; a test holds them equal).
pub const ROUTE_INDICATOR_NAMES: &[&str] = &[
    "destination_of_concern",
    "product_sensitivity",
    "pass_through",
    "relabelling",
    "valuation",
    "new_party",
    "structuring",
    "known_hub",
    "circuity",
    "screening_match",
    "no_licence",
    "licence_overrun",
    "licence_expired",
    "licensed_consignee_leak",
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
    ROUTE_INDICATOR_NAMES
        .iter()
        .chain(CORRIDOR_INDICATORS)
        .copied()
        .collect()
}

/// Per-holder facts several indicators need: when it was first seen and where its goods go.
#[derive(Clone, Debug, Default)]
pub struct HolderStats {
    pub first_seen: Vec<Option<crate::model::Date>>,
    pub outbound_value: Vec<f64>,
    pub outbound_concern_value: Vec<f64>,
    pub outbound_count: Vec<u32>,
}

impl HolderStats {
    pub fn build(ledger: &Ledger, rules: &Rules, g: &Gazetteer) -> HolderStats {
        let _stage = crate::timing::Stage::start("holder stats");
        let n = ledger.holders.list.len();
        let mut s = HolderStats {
            first_seen: vec![None; n],
            outbound_value: vec![0.0; n],
            outbound_concern_value: vec![0.0; n],
            outbound_count: vec![0; n],
        };
        // Whether each country is of concern, asked once per country rather than per leg.
        let concern = crate::scoring::licences::concern_by_country(g, rules);
        for l in &ledger.legs {
            for h in [l.from, l.to] {
                let slot = &mut s.first_seen[h.0 as usize];
                *slot = Some(slot.map_or(l.date, |d| d.min(l.date)));
            }
            let f = l.from.0 as usize;
            s.outbound_value[f] += l.value_usd;
            s.outbound_count[f] += 1;
            if concern.of(l.to_country) {
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

/// The most a route with legs `legs` can score, read from the legs without building the route.
///
/// Why: every basis of the score is gated on the goods (see [`combine_findings`]). Delivery and
/// the licence factors are multiplied by the product factor, so they score no more than it, and
/// the product factor is the highest sensitivity among the route's legs and the stock they drew
/// on. A listed party's match is its screening value times the route's goods. So the score is
/// at most the larger of those two bounds, and the command line, which keeps only the routes it
/// flags, counts a route whose bound is under the bar without building or scoring it (see the
/// test `no_route_scores_above_its_bound_and_passing_over_loses_nothing`).
pub fn score_bound(
    ledger: &Ledger,
    screening: &screening_match::ScreeningIndex,
    rules: &Rules,
    legs: impl Iterator<Item = u32>,
) -> f64 {
    let (mut product, mut goods, mut listed) = (0.0f64, 0.0f64, 0.0f64);
    for leg in legs {
        let l = &ledger.legs[leg as usize];
        // As the product factor reads a leg: itself, then its stock.
        product = product.max(ledger.reading(l).sensitivity);
        for li in &ledger.draws_on[leg as usize] {
            product = product.max(
                ledger
                    .reading(&ledger.legs[ledger.links[*li as usize].inbound as usize])
                    .sensitivity,
            );
        }
        goods = goods.max(screening_match::goods(ledger, rules, leg));
        for h in [l.from, l.to] {
            if let Some((value, _)) = screening.get(h) {
                listed = listed.max(*value);
            }
        }
    }
    product.max(listed * goods)
}

/// Scores one route with every route indicator. Without `ctx.explain`, only what decides the
/// score is kept (no factors): the score of a row that is not kept.
pub fn score_route(ctx: &RouteContext<'_>) -> Score {
    score_route_with(ctx, false)
}

/// [`score_route_with`], unless the factors that gate the score already put the route out of
/// `reach` (true for a bound no kept row reaches): then `None`, and the behaviour indicators
/// are not evaluated. Behaviour only scales delivery down (see [`combine_findings`]), so a
/// route scores at most the largest of its delivery, licence and listed parts, which read the
/// goods, the destination, the licences and the screening match alone.
pub fn score_route_within(
    ctx: &RouteContext<'_>,
    factors: bool,
    reach: impl Fn(f64) -> bool,
) -> Option<Score> {
    const N: usize = ROUTE_INDICATOR_NAMES.len();
    let mut found: [Option<Finding>; N] = std::array::from_fn(|_| None);
    let (mut product, mut delivers, mut licence, mut listed) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut has_product = false;
    for (k, i) in ROUTE_INDICATORS.iter().enumerate() {
        let value = match i.role() {
            Role::Product => {
                has_product = true;
                &mut product
            }
            Role::Delivers => &mut delivers,
            Role::Licence => &mut licence,
            Role::Listed => &mut listed,
            Role::Behaviour | Role::Corridor => continue,
        };
        let finding = i.evaluate(ctx);
        *value = value.max(finding.value);
        found[k] = Some(finding);
    }
    let bound = Gates::new(has_product.then_some(product), delivers, licence, listed).most();
    if !reach(bound) {
        return None;
    }
    Some(score_measured(ctx, factors, |k, i| {
        found[k].take().unwrap_or_else(|| i.evaluate(ctx))
    }))
}

/// [`score_route`]; with `factors`, the factors' values are kept even without words (the app
/// keeps every route: filters read the values, words come when a route is shown).
pub fn score_route_with(ctx: &RouteContext<'_>, factors: bool) -> Score {
    score_measured(ctx, factors, |_, i| i.evaluate(ctx))
}

/// The score of a route whose indicator `k` finds `finding(k, indicator)`.
fn score_measured(
    ctx: &RouteContext<'_>,
    factors: bool,
    mut finding: impl FnMut(usize, &dyn Indicator) -> Finding,
) -> Score {
    const N: usize = ROUTE_INDICATOR_NAMES.len();
    let measured: [Measured; N] = std::array::from_fn(|k| {
        let i = ROUTE_INDICATORS[k];
        Measured {
            indicator: i.name(),
            role: i.role(),
            weight: i.weight(ctx.rules),
            threshold: &ctx.thresholds[k],
            finding: finding(k, i),
        }
    });
    let mut score = combine_findings(
        measured,
        ctx.rules.scoring.delivery_floor,
        ctx.rules,
        factors || ctx.explain,
    );
    score.explained = ctx.explain;
    if ctx.explain && score.basis == crate::scoring::Basis::DeliveryOnly && !ctx.licences.loaded {
        score.note = "licence status unknown (no licence data loaded): a delivery alone is ranked, not flagged".into();
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

/// Builds what the indicators read from inline CSV text, for their unit tests: shipments in the
/// native format, and optionally licences and screening-list entries, run through
/// [`crate::analysis::Analysis::run`] as a user's files would be; then one indicator is evaluated
/// on the route that holds a given shipment.
#[cfg(test)]
pub(crate) mod testkit {
    use super::Indicator;
    use crate::analysis::{Analysis, RouteKind, ScoredRoute};
    use crate::gazetteer::Gazetteer;
    use crate::ingest::{ReadOptions, read_bytes};
    use crate::model::{Dataset, Format, ScreeningEntry};
    use crate::routes::Route;
    use crate::rules::Rules;
    use crate::scoring::Finding;
    use std::path::Path;

    /// Header of the shipment rows given to [`case`].
    pub(crate) const SHIPMENTS: &str = "shipment_id,date,exporter,exporter_country,importer,importer_country,origin_country,hs_code,description,quantity,unit,value_usd,weight_kg";
    /// Header of the licence rows given to [`Input::licences`] (read from `licences.csv`).
    pub(crate) const LICENCES: &str = "licence_id,exporter,exporter_country,consignee,consignee_country,hs_code,description,quantity,value_usd,valid_from,valid_to";
    /// Header of the screening-list rows given to [`Input::screening`] (Consolidated Screening
    /// List columns; addresses end in a country).
    pub(crate) const SCREENING: &str = "source,name,alt_names,addresses";

    /// What to analyse.
    pub(crate) struct Input {
        shipments: String,
        licences: Option<String>,
        screening: Option<String>,
        rules: Rules,
    }

    /// Shipment rows (without their header, [`SHIPMENTS`]), scored with `Rules::default()`.
    pub(crate) fn input(rows: &str) -> Input {
        Input {
            shipments: rows.to_string(),
            licences: None,
            screening: None,
            rules: Rules::default(),
        }
    }

    /// Shipment rows analysed with the default rules and nothing else loaded.
    pub(crate) fn case(rows: &str) -> Case {
        input(rows).run()
    }

    fn read(header: &str, rows: &str, file: &str, format: Format) -> Dataset {
        let text = format!("{header}\n{}\n", rows.trim());
        let d = read_bytes(
            text.as_bytes(),
            Path::new(file),
            &ReadOptions::default(),
            Gazetteer::embedded(),
            None,
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(d.provenance.format, format, "{file}");
        assert!(d.rejects.is_empty(), "{file}: {:?}", d.rejects);
        d
    }

    impl Input {
        /// Licence rows (without their header, [`LICENCES`]).
        pub(crate) fn licences(mut self, rows: &str) -> Input {
            self.licences = Some(rows.to_string());
            self
        }

        /// Screening-list rows (without their header, [`SCREENING`]).
        pub(crate) fn screening(mut self, rows: &str) -> Input {
            self.screening = Some(rows.to_string());
            self
        }

        /// Other rules than the defaults.
        pub(crate) fn rules(mut self, rules: Rules) -> Input {
            self.rules = rules;
            self
        }

        /// Reads the rows and runs the analysis.
        pub(crate) fn run(self) -> Case {
            let g = Gazetteer::embedded();
            let shipments = read(
                SHIPMENTS,
                &self.shipments,
                "shipments.csv",
                Format::Shipments,
            );
            let licences = self
                .licences
                .map(|rows| read(LICENCES, &rows, "licences.csv", Format::Licences));
            let watchlist: Vec<ScreeningEntry> = self
                .screening
                .map(|rows| {
                    read(SCREENING, &rows, "screening.csv", Format::Watchlist)
                        .watchlist()
                        .to_vec()
                })
                .unwrap_or_default();
            let mut sets = vec![&shipments];
            sets.extend(licences.as_ref());
            let analysis = Analysis::run(&sets, &watchlist, &self.rules, g);
            Case {
                shipments,
                analysis,
            }
        }
    }

    /// An analysed set of rows.
    pub(crate) struct Case {
        shipments: Dataset,
        pub(crate) analysis: Analysis,
    }

    impl Case {
        /// The scored route holding a shipment.
        pub(crate) fn scored(&self, id: &str) -> &ScoredRoute {
            self.analysis
                .routes
                .iter()
                .find(|r| r.shipment_ids.iter().any(|s| &**s == id))
                .unwrap_or_else(|| panic!("{id} is on no route"))
        }

        /// The route holding a shipment.
        pub(crate) fn route(&self, id: &str) -> &Route {
            match &self.scored(id).kind {
                RouteKind::Shipments(r) => r,
                RouteKind::Corridor { .. } => unreachable!("a shipment is on a shipment route"),
            }
        }

        /// The shipment ids of the route holding a shipment, in leg order.
        pub(crate) fn route_ids(&self, id: &str) -> Vec<&str> {
            self.scored(id).shipment_ids.iter().map(|s| &**s).collect()
        }

        /// The shipment ids of some legs, in the order given.
        pub(crate) fn ids(&self, legs: &[u32]) -> Vec<&str> {
            legs.iter()
                .map(|l| self.analysis.ledger.legs[*l as usize].shipment_id.as_ref())
                .collect()
        }

        /// One indicator's finding on the route holding a shipment. It is the finding the
        /// analysis scored that route with (checked), so a test reads what a user would see.
        pub(crate) fn eval(&self, indicator: &dyn Indicator, id: &str) -> Finding {
            let route = self.route(id);
            let datasets = [&self.shipments];
            // The context the analysis scored the route with, explained.
            let ctx = self
                .analysis
                .route_context(route, &datasets, true)
                .expect("an analysis keeps what its indicators read");
            let finding = indicator.evaluate(&ctx);
            // An indicator that did not fire is not kept on the score: it reads as no finding.
            let none = Finding::none();
            let (value, evidence, legs) = match self.scored(id).score.factor(indicator.name()) {
                Some(f) => (f.value, &f.evidence, &f.legs),
                None => (none.value, &none.evidence, &none.legs),
            };
            assert_eq!(
                (value, evidence, legs),
                (finding.value, &finding.evidence, &finding.legs),
                "{}: the test context differs from the analysis",
                indicator.name()
            );
            finding
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Goods nothing marks as sensitive score nothing, whatever the route shows: here a listed
    /// consignee in a country of concern without a licence. A network card under a sensitive
    /// HS code to the same consignee scores its listed match, which is all its bound allows.
    #[test]
    fn a_route_scores_no_more_than_its_goods_allow() {
        let list = "Entity List (EL) - Bureau of Industry and Security,VOLGA SYSTEMS,,\"1 Test Street, Moscow, RU\"";
        let c = testkit::input(
            "OF-1,2024-08-01,Lion City Compute Pte. Ltd.,SG,Volga Systems LLC,RU,CN,940330,Office desk,20,PCS,4000,300\n\
             NC-1,2024-08-02,Straits Meridian Pte. Ltd.,SG,Volga Systems LLC,RU,TW,851762,25GbE network card,20,PCS,9000,10",
        )
        .screening(list)
        .run();
        let bound = |id: &str| c.analysis.score_bound(c.route(id)).expect("an explainer");
        let desk = &c.scored("OF-1").score;
        assert_eq!(c.route_ids("OF-1"), ["OF-1"]);
        assert_eq!((desk.score, desk.flagged, bound("OF-1")), (0.0, false, 0.0));
        // The consignee is listed and in a country of concern: only the goods hold it back.
        assert_eq!(
            c.eval(&destination_of_concern::DestinationOfConcern, "OF-1")
                .value,
            1.0
        );
        assert_eq!(c.eval(&screening_match::ScreeningMatch, "OF-1").value, 0.0);
        let card = &c.scored("NC-1").score;
        let listed = c.eval(&screening_match::ScreeningMatch, "NC-1").value;
        assert!(listed > 0.0);
        assert_eq!(card.basis, crate::scoring::Basis::Listed);
        assert_eq!((card.score, bound("NC-1")), (listed, listed));
    }

    #[test]
    fn route_indicator_names_follow_the_indicators() {
        let names: Vec<&str> = ROUTE_INDICATORS.iter().map(|i| i.name()).collect();
        assert_eq!(names, ROUTE_INDICATOR_NAMES);
    }
}
