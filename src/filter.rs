//! Which routes an investigator is looking at: filters by date, HS code, country, product
//! sensitivity and score, a monthly histogram for the date filter, and search across countries,
//! parties, HS codes and shipment ids. Plain data and pure functions, shared by the GUI and tests.
//!
//! Filters hold typed values (`Date`, `CountryId`) and compare them with the routes' own: text a
//! user types is parsed once, where it is typed (the GUI's filter panel).

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, RouteKind, ScoredRoute};
use crate::flowmap::{PlaceKind, RoutePlaces};
use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{Date, HsCode};
use crate::triage::Disposition;

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

/// Where on a route a place filter looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaceRole {
    /// Anywhere on the path.
    #[default]
    Any,
    /// The final destination.
    Into,
    /// The origin.
    OutOf,
    /// A stop between the origin and the destination (an intermediary).
    Through,
}

impl PlaceRole {
    pub const ALL: [PlaceRole; 4] = [
        PlaceRole::Any,
        PlaceRole::Into,
        PlaceRole::OutOf,
        PlaceRole::Through,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PlaceRole::Any => "on path",
            PlaceRole::Into => "into",
            PlaceRole::OutOf => "out of",
            PlaceRole::Through => "through",
        }
    }
}

/// Routes at a place picked on the map: a country (`SG`) or a hub (`SGSIN`), shown as a chip in
/// the filters panel. Several place filters must all hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaceFilter {
    /// A country's code or a hub's UN/LOCODE.
    pub code: String,
    /// As the chip shows it.
    pub name: String,
    pub role: PlaceRole,
}

/// A place filter's code, resolved against the gazetteer once per filtering.
#[derive(Clone, Copy, Debug, PartialEq)]
enum PlaceTarget {
    Country(CountryId),
    Hub(u32),
    /// A code the gazetteer does not know: no route is there.
    Unknown,
}

impl PlaceFilter {
    fn target(&self, g: &Gazetteer) -> PlaceTarget {
        let code = self.code.trim();
        if let Some(h) = g
            .hubs()
            .iter()
            .position(|h| h.locode.eq_ignore_ascii_case(code))
        {
            return PlaceTarget::Hub(h as u32);
        }
        g.by_code(code)
            .map_or(PlaceTarget::Unknown, PlaceTarget::Country)
    }
}

/// Whether a route's stops (its places, or its countries where places are not at hand) put it
/// at `target` in `role`.
fn at_place(
    target: PlaceTarget,
    role: PlaceRole,
    countries: &[CountryId],
    places: Option<(&RoutePlaces, &[u32])>,
) -> bool {
    let hit = |k: usize| -> bool {
        match (target, places) {
            (PlaceTarget::Country(c), Some((p, stops))) => p.place(stops[k]).country == c,
            (PlaceTarget::Hub(h), Some((p, stops))) => p.place(stops[k]).kind == PlaceKind::Hub(h),
            (PlaceTarget::Country(c), None) => countries[k] == c,
            _ => false,
        }
    };
    let n = match places {
        Some((_, stops)) => stops.len(),
        None => countries.len(),
    };
    match role {
        PlaceRole::Any => (0..n).any(hit),
        PlaceRole::Into => n > 0 && hit(n - 1),
        PlaceRole::OutOf => n > 0 && hit(0),
        PlaceRole::Through => (1..n.saturating_sub(1)).any(hit),
    }
}

/// The filter settings (persisted between runs and saved in case files).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteFilter {
    /// A route passes when its span overlaps `[from, to]`.
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// HS digits a leg's code must start with (`8542`, `847150`); empty for any.
    pub hs_prefix: String,
    /// Countries to look for on the path (saved as their codes, `["CN", "RU"]`).
    #[serde(with = "country_codes")]
    pub countries: Vec<CountryId>,
    pub country_mode: CountryMode,
    /// Smallest product-sensitivity value.
    pub min_sensitivity: f64,
    pub min_score: f64,
    pub flagged_only: bool,
    /// Routes with these dispositions are left out (`["dismissed"]`); empty for none.
    pub hidden_dispositions: Vec<Disposition>,
    /// Places picked on the map; a route must be at every one.
    pub places: Vec<PlaceFilter>,
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
            hidden_dispositions: Vec::new(),
            places: Vec::new(),
        }
    }
}

/// Countries saved as their codes ([`crate::gazetteer::Country::code`]), so that settings stay
/// readable and do not depend on the order of the gazetteer's tables; codes the gazetteer does not
/// know are dropped when read.
mod country_codes {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::gazetteer::{CountryId, Gazetteer};

    pub fn serialize<S: Serializer>(ids: &[CountryId], s: S) -> Result<S::Ok, S::Error> {
        let g = Gazetteer::embedded();
        s.collect_seq(ids.iter().map(|c| g.country(*c).code()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CountryId>, D::Error> {
        let g = Gazetteer::embedded();
        let codes = Vec::<String>::deserialize(d)?;
        Ok(codes.iter().filter_map(|c| g.by_code(c)).collect())
    }
}

impl RouteFilter {
    /// The HS prefix as a code, `None` when it holds no digits.
    fn hs_code(&self) -> Option<HsCode> {
        let digits: String = self
            .hs_prefix
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if digits.is_empty() {
            None
        } else {
            HsCode::parse(&digits)
        }
    }

    fn passes(
        &self,
        r: &ScoredRoute,
        analysis: &Analysis,
        hs: Option<HsCode>,
        disposition: Disposition,
    ) -> bool {
        if self.hidden_dispositions.contains(&disposition) {
            return false;
        }
        if self.flagged_only && !r.score.flagged {
            return false;
        }
        if r.score.score < self.min_score
            || r.score.value("product_sensitivity") < self.min_sensitivity
        {
            return false;
        }
        if self.from.is_some_and(|f| r.last_date < f) || self.to.is_some_and(|t| r.first_date > t) {
            return false;
        }
        if !self.countries.is_empty() {
            let has = |c: Option<&CountryId>| c.is_some_and(|c| self.countries.contains(c));
            let path = &r.countries;
            let ok = match self.country_mode {
                CountryMode::Any => path.iter().any(|c| has(Some(c))),
                CountryMode::Into => has(path.last()),
                CountryMode::OutOf => has(path.first()),
                CountryMode::Between => has(path.first()) && has(path.last()),
            };
            if !ok {
                return false;
            }
        }
        if let (RouteKind::Shipments(route), Some(p)) = (&r.kind, hs)
            && !route
                .legs
                .iter()
                .any(|l| analysis.ledger.legs[*l as usize].hs.starts_with(p))
        {
            return false;
        }
        true
    }

    /// Indices of the routes that pass, in the analysis' order (highest score first); every
    /// route counts as open, and place filters read the routes' countries only.
    pub fn apply(&self, analysis: &Analysis) -> Vec<usize> {
        self.apply_at(analysis, &[], None)
    }

    /// As [`RouteFilter::apply`], with each route's disposition (`dispositions[i]` for route `i`;
    /// routes beyond the slice are open), reading place filters against each route's places
    /// (hubs need them; without them a country is looked for among the route's countries and a
    /// hub is nowhere).
    pub fn apply_at(
        &self,
        analysis: &Analysis,
        dispositions: &[Disposition],
        places: Option<&RoutePlaces>,
    ) -> Vec<usize> {
        let hs = self.hs_code();
        let g = Gazetteer::embedded();
        let targets: Vec<(PlaceTarget, PlaceRole)> =
            self.places.iter().map(|p| (p.target(g), p.role)).collect();
        analysis
            .routes
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                let d = dispositions.get(*i).copied().unwrap_or_default();
                self.passes(r, analysis, hs, d)
                    && targets.iter().all(|&(t, role)| {
                        at_place(t, role, &r.countries, places.map(|p| (p, p.of(*i))))
                    })
            })
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

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchHit {
    /// A country, to zoom to.
    Country(CountryId),
    /// A port, airport or crossing of the gazetteer (index into `g.hubs()`), to zoom to.
    Hub(usize),
    /// A route holding a matching party, HS code or shipment id: (route index, why).
    Route(usize, String),
}

/// The most hubs one search lists, so that routes still show.
const HUB_HITS: usize = 5;

/// Hubs whose UN/LOCODE is the query (with or without the space: `SGSIN`, `sg sin`) or whose
/// name holds it (three letters or more, case-blind: `klang`), the LOCODE matches first.
pub fn search_hubs(g: &Gazetteer, query: &str, limit: usize) -> Vec<usize> {
    let q = query.trim();
    let code: String = q
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let lower = q.to_lowercase();
    let hubs = g.hubs();
    let by_code = hubs
        .iter()
        .position(|h| code.len() == 5 && h.locode == code);
    let by_name = hubs.iter().enumerate().filter(|(i, h)| {
        lower.chars().count() >= 3 && Some(*i) != by_code && h.name.to_lowercase().contains(&lower)
    });
    by_code
        .into_iter()
        .chain(by_name.map(|(i, _)| i))
        .take(limit)
        .collect()
}

/// Finds countries (code or name), hubs (name or UN/LOCODE), parties, HS codes and shipment
/// ids. At most `limit` hits: countries, then hubs (at most five), then routes.
pub fn search(analysis: &Analysis, g: &Gazetteer, query: &str, limit: usize) -> Vec<SearchHit> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    if let Some(id) = g.lookup(q) {
        hits.push(SearchHit::Country(id));
    }
    let room = limit.saturating_sub(hits.len()).min(HUB_HITS);
    hits.extend(search_hubs(g, q, room).into_iter().map(SearchHit::Hub));
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

/// The first and last month (as [`Date::month_index`]) the routes span, for playing time
/// through; `None` with no routes.
pub fn month_range(analysis: &Analysis) -> Option<(i32, i32)> {
    let first = analysis.routes.iter().map(|r| r.first_date).min()?;
    let last = analysis.routes.iter().map(|r| r.last_date).max()?;
    Some((
        first.month_index(),
        last.month_index().max(first.month_index()),
    ))
}

/// The first and last day of a month (as [`Date::month_index`]).
pub fn month_days(month: i32) -> (Date, Date) {
    let (y, m) = (month.div_euclid(12), month.rem_euclid(12) as u32 + 1);
    let first = Date::from_ymd(y, m, 1).unwrap_or(Date(0));
    let next = Date::from_ymd(
        (month + 1).div_euclid(12),
        (month + 1).rem_euclid(12) as u32 + 1,
        1,
    )
    .unwrap_or(first.plus_days(31));
    (first, next.plus_days(-1))
}

/// A month as `2024-03`.
pub fn month_label(month: i32) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// Playing time: the month to show after `current` within `range` (first, last), one month at a
/// time; the first month when nothing is shown yet or `current` lies outside the range; `None`
/// past the end.
pub fn next_month(current: Option<i32>, range: (i32, i32)) -> Option<i32> {
    match current {
        Some(m) if (range.0..range.1).contains(&m) => Some(m + 1),
        Some(m) if m == range.1 => None,
        _ => (range.0 <= range.1).then_some(range.0),
    }
}

impl RouteFilter {
    /// This filter with its dates set to one month: the routes active that month pass.
    pub fn with_month(&self, month: i32) -> RouteFilter {
        let (from, to) = month_days(month);
        RouteFilter {
            from: Some(from),
            to: Some(to),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubs_are_found_by_name_and_by_locode_with_or_without_the_space() {
        let g = Gazetteer::embedded();
        let at = |code: &str| g.hubs().iter().position(|h| h.locode == code).unwrap();
        assert_eq!(search_hubs(g, "MYPKG", 5), [at("MYPKG")]);
        assert_eq!(search_hubs(g, "my pkg", 5), [at("MYPKG")]);
        assert_eq!(search_hubs(g, " sgSIN ", 5)[0], at("SGSIN"));
        assert_eq!(search_hubs(g, "KLANG", 5), [at("MYPKG")]);
        assert_eq!(search_hubs(g, "port klang", 5), [at("MYPKG")]);
        assert_eq!(search_hubs(g, "jebel ali", 5), [at("AEJEA")]);
        // Two letters name no hub (they are country codes), and the cap holds.
        assert!(search_hubs(g, "po", 5).is_empty());
        assert!(search_hubs(g, "an", 50).is_empty());
        assert!(search_hubs(g, "por", 2).len() <= 2);
        // Through the search, after the country a name may also be.
        let a = Analysis::default();
        let hits = search(&a, g, "Singapore", 12);
        assert_eq!(hits[0], SearchHit::Country(g.by_alpha2("SG").unwrap()));
        assert!(hits.contains(&SearchHit::Hub(at("SGSIN"))), "{hits:?}");
        assert_eq!(search(&a, g, "sg sin", 12), [SearchHit::Hub(at("SGSIN"))]);
    }

    #[test]
    fn playing_time_steps_one_month_at_a_time_and_stops_at_the_end() {
        let m = |y: i32, mo: i32| y * 12 + mo - 1;
        let range = (m(2023, 11), m(2024, 2));
        assert_eq!(next_month(None, range), Some(m(2023, 11)));
        assert_eq!(next_month(Some(m(2023, 11)), range), Some(m(2023, 12)));
        assert_eq!(next_month(Some(m(2023, 12)), range), Some(m(2024, 1)));
        assert_eq!(next_month(Some(m(2024, 1)), range), Some(m(2024, 2)));
        assert_eq!(next_month(Some(m(2024, 2)), range), None);
        assert_eq!(next_month(Some(m(2020, 1)), range), Some(m(2023, 11)));
        assert_eq!(next_month(None, (5, 4)), None);
        let (from, to) = month_days(m(2024, 2));
        assert_eq!(
            (Some(from), Some(to)),
            (Date::from_ymd(2024, 2, 1), Date::from_ymd(2024, 2, 29))
        );
        let (from, to) = month_days(m(2023, 12));
        assert_eq!(
            (Some(from), Some(to)),
            (Date::from_ymd(2023, 12, 1), Date::from_ymd(2023, 12, 31))
        );
        assert_eq!(month_label(m(2024, 2)), "2024-02");
        let f = RouteFilter {
            flagged_only: true,
            ..RouteFilter::default()
        }
        .with_month(m(2024, 2));
        assert!(f.flagged_only && f.from == Date::from_ymd(2024, 2, 1));
    }

    #[test]
    fn countries_are_saved_as_their_codes() {
        let g = Gazetteer::embedded();
        let filter = RouteFilter {
            countries: vec![g.by_alpha2("CN").unwrap(), g.by_m49(0).unwrap()],
            ..RouteFilter::default()
        };
        let text = serde_json::to_string(&filter).unwrap();
        assert!(text.contains(r#""countries":["CN","M49:0"]"#), "{text}");
        let back: RouteFilter = serde_json::from_str(&text).unwrap();
        assert_eq!(back, filter);
        // Settings saved before a code was dropped from the gazetteer still load.
        let old: RouteFilter = serde_json::from_str(r#"{"countries":["RU","XX"]}"#).unwrap();
        assert_eq!(old.countries, [g.by_alpha2("RU").unwrap()]);
    }
}
