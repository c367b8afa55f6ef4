//! Which routes an investigator is looking at: filters by date, HS code, country, product
//! sensitivity and score, a monthly histogram for the date filter, and search across countries,
//! parties, HS codes and shipment ids. Plain data and pure functions, shared by the GUI and tests.

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, RouteKind, ScoredRoute};
use crate::gazetteer::Gazetteer;
use crate::model::{Date, HsCode};

/// How the country filter applies to a route's path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CountryMode {
    /// Any country on the path.
    #[default]
    Any,
    /// The final destination.
    Into,
    /// The origin.
    OutOf,
    /// Both the origin and the final destination.
    Between,
}

/// The filter settings (persisted between runs and saved in case files).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteFilter {
    /// ISO dates; a route passes when its span overlaps `[from, to]`.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// HS digits a leg's code must start with (`8542`, `847150`); empty for any.
    pub hs_prefix: String,
    /// ISO alpha-2 codes.
    pub countries: Vec<String>,
    pub country_mode: CountryMode,
    /// Smallest product-sensitivity value.
    pub min_sensitivity: f64,
    pub min_score: f64,
    pub flagged_only: bool,
}

impl Default for RouteFilter {
    fn default() -> Self {
        RouteFilter {
            from: None,
            to: None,
            hs_prefix: String::new(),
            countries: Vec::new(),
            country_mode: CountryMode::Any,
            min_sensitivity: 0.0,
            min_score: 0.0,
            flagged_only: false,
        }
    }
}

fn parse_iso(text: &str) -> Option<Date> {
    match crate::ingest::values::parse_date(text)? {
        crate::ingest::values::DateCell::Known(d) => Some(d),
        _ => None,
    }
}

impl RouteFilter {
    /// True when the route passes every active filter.
    pub fn matches(&self, r: &ScoredRoute, analysis: &Analysis) -> bool {
        if self.flagged_only && !r.score.flagged {
            return false;
        }
        if r.score.score < self.min_score
            || r.score.value("product_sensitivity") < self.min_sensitivity
        {
            return false;
        }
        if self.from.is_some() || self.to.is_some() {
            let (Some(first), Some(last)) = (parse_iso(&r.first_date), parse_iso(&r.last_date))
            else {
                return false;
            };
            if self.from.is_some_and(|f| last < f) || self.to.is_some_and(|t| first > t) {
                return false;
            }
        }
        if !self.countries.is_empty() {
            let has =
                |code: Option<&String>| code.is_some_and(|c| self.countries.iter().any(|x| x == c));
            let ok = match self.country_mode {
                CountryMode::Any => r.path.iter().any(|c| has(Some(c))),
                CountryMode::Into => has(r.path.last()),
                CountryMode::OutOf => has(r.path.first()),
                CountryMode::Between => has(r.path.first()) && has(r.path.last()),
            };
            if !ok {
                return false;
            }
        }
        let prefix: String = self
            .hs_prefix
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if !prefix.is_empty()
            && let (RouteKind::Shipments(route), Some(p)) = (&r.kind, HsCode::parse(&prefix))
            && !route
                .legs
                .iter()
                .any(|l| analysis.ledger.legs[*l as usize].hs.starts_with(p))
        {
            return false;
        }
        true
    }

    /// Indices of the routes that pass, in the analysis' order (highest score first).
    pub fn apply(&self, analysis: &Analysis) -> Vec<usize> {
        analysis
            .routes
            .iter()
            .enumerate()
            .filter(|(_, r)| self.matches(r, analysis))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Value of shipments per month (month index as [`Date::month_index`]), for the date filter's histogram.
pub fn monthly_values(analysis: &Analysis) -> Vec<(i32, f64)> {
    let mut months: std::collections::BTreeMap<i32, f64> = std::collections::BTreeMap::new();
    for l in &analysis.ledger.legs {
        *months.entry(l.date.month_index()).or_default() += l.value_usd;
    }
    months.into_iter().collect()
}

/// Monthly value of the legs that touch a route's parties (intermediaries and final buyer), for
/// the timeline of a selected route: (month index, value).
pub fn route_party_months(analysis: &Analysis, route: &ScoredRoute) -> Vec<(i32, f64)> {
    let RouteKind::Shipments(r) = &route.kind else {
        return Vec::new();
    };
    let parties: Vec<_> = r.holders.iter().skip(1).copied().collect();
    let mut months: std::collections::BTreeMap<i32, f64> = std::collections::BTreeMap::new();
    for l in &analysis.ledger.legs {
        if parties.contains(&l.from) || parties.contains(&l.to) {
            *months.entry(l.date.month_index()).or_default() += l.value_usd;
        }
    }
    months.into_iter().collect()
}

/// Value of shipments through each hub named as a port of loading or discharge, for sizing hubs
/// on the map: (index into `g.hubs()`, value in USD).
pub fn hub_throughput(datasets: &[&crate::model::Dataset], g: &Gazetteer) -> Vec<(usize, f64)> {
    let mut by_hub: std::collections::HashMap<String, (usize, f64)> =
        std::collections::HashMap::new();
    let mut seen: std::collections::HashMap<&str, Option<usize>> = std::collections::HashMap::new();
    let index: std::collections::HashMap<&str, usize> = g
        .hubs()
        .iter()
        .enumerate()
        .map(|(i, h)| (h.locode.as_str(), i))
        .collect();
    for d in datasets {
        for s in d.shipments() {
            for port in [&s.port_of_loading, &s.port_of_discharge]
                .into_iter()
                .flatten()
            {
                let hub = *seen.entry(port.as_str()).or_insert_with(|| {
                    g.hub(port)
                        .and_then(|h| index.get(h.locode.as_str()).copied())
                });
                if let Some(i) = hub {
                    by_hub
                        .entry(g.hubs()[i].locode.clone())
                        .or_insert((i, 0.0))
                        .1 += s.value_usd;
                }
            }
        }
    }
    let mut out: Vec<(usize, f64)> = by_hub.into_values().collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchHit {
    /// A country, to zoom to: (alpha-2, name).
    Country(String, String),
    /// A route holding a matching party, HS code or shipment id: (route index, why).
    Route(usize, String),
}

/// Finds countries (code or name), parties, HS codes and shipment ids. At most `limit` hits.
pub fn search(analysis: &Analysis, g: &Gazetteer, query: &str, limit: usize) -> Vec<SearchHit> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    if let Some(id) = g.lookup(q) {
        let c = g.country(id);
        hits.push(SearchHit::Country(c.code(), c.name.clone()));
    }
    let lower = q.to_lowercase();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let hs = (digits.len() >= 4
        && digits.len() == q.chars().filter(|c| !matches!(c, '.' | ' ')).count())
    .then(|| HsCode::parse(&digits))
    .flatten();
    for (i, r) in analysis.routes.iter().enumerate() {
        if hits.len() >= limit {
            break;
        }
        let why = if let Some(id) = r.shipment_ids.iter().find(|s| s.eq_ignore_ascii_case(q)) {
            Some(format!("shipment {id}"))
        } else if let Some(p) = r.parties.iter().find(|p| p.to_lowercase().contains(&lower)) {
            Some(format!("party {p}"))
        } else if let (Some(code), RouteKind::Shipments(route)) = (hs, &r.kind) {
            route
                .legs
                .iter()
                .map(|l| analysis.ledger.legs[*l as usize].hs)
                .find(|h| h.starts_with(code))
                .map(|h| format!("HS {h}"))
        } else {
            None
        };
        if let Some(why) = why {
            hits.push(SearchHit::Route(i, why));
        }
    }
    hits
}
