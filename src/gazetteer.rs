//! The embedded gazetteer: countries (codes, names, variants, an anchor point), trade hubs by
//! UN/LOCODE, and country groups with their sources.
//!
//! All of it is read from the readable tables in `data/` compiled into the binary, so the app and
//! the CLI work offline. See `data/README.md` for provenance and licences.

use std::collections::HashMap;
use std::sync::OnceLock;

use geo_types::Point;
use serde::Deserialize;

use crate::text::fold;

/// Index of an area (a country, or a statistical area such as "World" or "Areas, nes").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryId(pub u16);

/// What kind of area an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AreaKind {
    /// An ISO 3166 country or territory.
    Country,
    /// The whole world (M49 0).
    World,
    /// An economic union reported as one partner (EU).
    Aggregate,
    /// A UN "not elsewhere specified" area, bunkers, free zones.
    Nes,
}

/// A country or a statistical area.
#[derive(Clone, Debug, PartialEq)]
pub struct Country {
    /// ISO 3166 alpha-2; empty for statistical areas.
    pub alpha2: String,
    pub alpha3: String,
    /// UN M49 numeric code, when it has one.
    pub m49: Option<u16>,
    pub name: String,
    /// A point inside the country (x = longitude, y = latitude) where its flows start and end.
    pub point: Option<Point<f64>>,
    pub kind: AreaKind,
}

impl Country {
    /// The code shown in paths: alpha-2 for countries, `M49:<code>` for statistical areas.
    pub fn code(&self) -> String {
        if self.alpha2.is_empty() {
            format!("M49:{}", self.m49.unwrap_or(0))
        } else {
            self.alpha2.clone()
        }
    }
}

/// A sea port, cargo airport or land crossing that goods pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Hub {
    /// UN/LOCODE without the space (`SGSIN`).
    pub locode: String,
    pub name: String,
    pub country: CountryId,
    /// `sea`, `air`, `rail`, `road` joined by `+`.
    pub kind: String,
    pub point: Point<f64>,
}

/// A named list of countries with where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct CountryGroup {
    pub id: String,
    pub name: String,
    pub source: String,
    pub as_of: String,
    pub members: Vec<CountryId>,
}

/// Countries, hubs and groups, with lookups by every code and spelling.
#[derive(Debug)]
pub struct Gazetteer {
    countries: Vec<Country>,
    by_name: HashMap<String, CountryId>,
    by_m49: HashMap<u16, CountryId>,
    hubs: Vec<Hub>,
    hub_by_key: HashMap<String, usize>,
    groups: Vec<CountryGroup>,
    /// Rank of each area's [`Country::code`] in text order, so that paths of ids sort as their
    /// codes would without making the codes (see [`Gazetteer::cmp_codes`]).
    code_rank: Vec<u16>,
}

const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");
const VARIANTS_CSV: &str = include_str!("../data/country_variants.csv");
const M49_SPECIAL_CSV: &str = include_str!("../data/m49_special.csv");
const HUBS_CSV: &str = include_str!("../data/hubs.csv");
const GROUPS_TOML: &str = include_str!("../data/country_groups.toml");

#[derive(Deserialize)]
struct CountryRow {
    alpha2: String,
    alpha3: String,
    m49: String,
    name: String,
    lat: f64,
    lon: f64,
    variants: String,
}

#[derive(Deserialize)]
struct SpecialRow {
    code: u16,
    alpha2: String,
    name: String,
    kind: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

#[derive(Deserialize)]
struct HubRow {
    locode: String,
    name: String,
    alpha2: String,
    kind: String,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct GroupsFile {
    group: Vec<GroupRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupRow {
    id: String,
    name: String,
    source: String,
    as_of: String,
    members: Vec<String>,
}

impl Gazetteer {
    /// The gazetteer compiled into the binary, built once on first use.
    pub fn embedded() -> &'static Gazetteer {
        static CELL: OnceLock<Gazetteer> = OnceLock::new();
        CELL.get_or_init(|| {
            Gazetteer::from_tables(
                COUNTRIES_CSV,
                VARIANTS_CSV,
                M49_SPECIAL_CSV,
                HUBS_CSV,
                GROUPS_TOML,
            )
            .expect("the embedded gazetteer tables are valid (checked by the test suite)")
        })
    }

    /// Builds a gazetteer from the text of its five tables.
    pub fn from_tables(
        countries_csv: &str,
        variants_csv: &str,
        special_csv: &str,
        hubs_csv: &str,
        groups_toml: &str,
    ) -> Result<Gazetteer, String> {
        let mut g = Gazetteer {
            countries: Vec::new(),
            by_name: HashMap::new(),
            by_m49: HashMap::new(),
            hubs: Vec::new(),
            hub_by_key: HashMap::new(),
            groups: Vec::new(),
            code_rank: Vec::new(),
        };
        let mut alpha2: HashMap<String, CountryId> = HashMap::new();
        for row in csv::Reader::from_reader(countries_csv.as_bytes()).deserialize() {
            let row: CountryRow = row.map_err(|e| format!("countries.csv: {e}"))?;
            let id = CountryId(g.countries.len() as u16);
            let m49 = row.m49.parse::<u16>().ok();
            g.countries.push(Country {
                alpha2: row.alpha2.clone(),
                alpha3: row.alpha3.clone(),
                m49,
                name: row.name.clone(),
                point: Some(Point::new(row.lon, row.lat)),
                kind: AreaKind::Country,
            });
            alpha2.insert(row.alpha2.clone(), id);
            if let Some(code) = m49 {
                g.by_m49.insert(code, id);
            }
            for key in [&row.alpha2, &row.alpha3, &row.name] {
                g.by_name.insert(fold(key), id);
            }
            for v in row.variants.split('|').filter(|v| !v.is_empty()) {
                g.by_name.entry(fold(v)).or_insert(id);
            }
        }
        for row in csv::Reader::from_reader(variants_csv.as_bytes()).records() {
            let row = row.map_err(|e| format!("country_variants.csv: {e}"))?;
            let id = *alpha2
                .get(&row[0])
                .ok_or_else(|| format!("country_variants.csv: unknown alpha-2 {}", &row[0]))?;
            // Hand-kept variants win over the package's alternative spellings.
            g.by_name.insert(fold(&row[1]), id);
        }
        for row in csv::Reader::from_reader(special_csv.as_bytes()).deserialize() {
            let row: SpecialRow = row.map_err(|e| format!("m49_special.csv: {e}"))?;
            let id = if row.kind == "alias" {
                *alpha2
                    .get(&row.alpha2)
                    .ok_or_else(|| format!("m49_special.csv: unknown alpha-2 {}", row.alpha2))?
            } else {
                let id = CountryId(g.countries.len() as u16);
                let kind = match row.kind.as_str() {
                    "world" => AreaKind::World,
                    "aggregate" => AreaKind::Aggregate,
                    _ => AreaKind::Nes,
                };
                let point = row.lat.zip(row.lon).map(|(lat, lon)| Point::new(lon, lat));
                g.countries.push(Country {
                    alpha2: String::new(),
                    alpha3: String::new(),
                    m49: Some(row.code),
                    name: row.name.clone(),
                    point,
                    kind,
                });
                id
            };
            g.by_m49.insert(row.code, id);
            g.by_name.entry(fold(&row.name)).or_insert(id);
        }
        for row in csv::Reader::from_reader(hubs_csv.as_bytes()).deserialize() {
            let row: HubRow = row.map_err(|e| format!("hubs.csv: {e}"))?;
            let country = *alpha2
                .get(&row.alpha2)
                .ok_or_else(|| format!("hubs.csv: unknown alpha-2 {}", row.alpha2))?;
            let index = g.hubs.len();
            g.hub_by_key.insert(row.locode.clone(), index);
            g.hub_by_key.entry(fold(&row.name)).or_insert(index);
            g.hubs.push(Hub {
                locode: row.locode,
                name: row.name,
                country,
                kind: row.kind,
                point: Point::new(row.lon, row.lat),
            });
        }
        let groups: GroupsFile =
            toml::from_str(groups_toml).map_err(|e| format!("country_groups.toml: {e}"))?;
        for row in groups.group {
            let members = row
                .members
                .iter()
                .map(|a2| {
                    alpha2.get(a2).copied().ok_or_else(|| {
                        format!("country_groups.toml: group {}: unknown {a2}", row.id)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            g.groups.push(CountryGroup {
                id: row.id,
                name: row.name,
                source: row.source,
                as_of: row.as_of,
                members,
            });
        }
        g.code_rank = code_ranks(&g.countries);
        Ok(g)
    }

    /// Every area, countries first.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// The area behind an id.
    pub fn country(&self, id: CountryId) -> &Country {
        &self.countries[usize::from(id.0)]
    }

    /// Finds a country by alpha-2, alpha-3, M49 number (`156`, `051`) or English name in the usual
    /// spellings (`Korea, Republic of`, `Viet Nam`, `Türkiye`, `China, Hong Kong SAR`, `UAE`).
    pub fn lookup(&self, text: &str) -> Option<CountryId> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return t.parse::<u16>().ok().and_then(|n| self.by_m49(n));
        }
        self.by_name.get(&fold(t)).copied()
    }

    /// Finds an area by UN M49 numeric code, including the UN/BACI special codes (490, 842, 0 ...).
    pub fn by_m49(&self, code: u16) -> Option<CountryId> {
        self.by_m49.get(&code).copied()
    }

    /// The area behind a code as [`Country::code`] writes it: alpha-2 (`KZ`) or `M49:<code>` for
    /// statistical areas (`M49:0`).
    pub fn by_code(&self, code: &str) -> Option<CountryId> {
        match code.strip_prefix("M49:") {
            Some(n) => n.parse().ok().and_then(|n| self.by_m49(n)),
            None => self.by_alpha2(code),
        }
    }

    /// Orders two paths of areas as their codes would order as text (`CN` < `HK` < `M49:0`),
    /// element by element, as `Vec<String>` comparison would.
    pub fn cmp_codes(&self, a: &[CountryId], b: &[CountryId]) -> std::cmp::Ordering {
        let rank = |c: &CountryId| self.code_rank[usize::from(c.0)];
        a.iter().map(rank).cmp(b.iter().map(rank))
    }

    /// Finds a country by ISO alpha-2 code.
    pub fn by_alpha2(&self, code: &str) -> Option<CountryId> {
        if code.len() != 2 {
            return None;
        }
        self.lookup(code)
            .filter(|id| self.country(*id).alpha2 == code.to_ascii_uppercase())
    }

    /// Every hub.
    pub fn hubs(&self) -> &[Hub] {
        &self.hubs
    }

    /// Finds a hub by UN/LOCODE (`SGSIN`, `SG SIN`) or by name (`Port Klang`).
    pub fn hub(&self, text: &str) -> Option<&Hub> {
        self.hub_index(text).map(|i| &self.hubs[i])
    }

    /// As [`Gazetteer::hub`], the hub's index in [`Gazetteer::hubs`].
    pub fn hub_index(&self, text: &str) -> Option<usize> {
        let t = text.trim();
        let code: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() == 5
            && let Some(i) = self.hub_by_key.get(&code.to_ascii_uppercase())
        {
            return Some(*i);
        }
        self.hub_by_key.get(&fold(t)).copied()
    }

    /// Every country group.
    pub fn groups(&self) -> &[CountryGroup] {
        &self.groups
    }

    /// A country group by id (`concern`, `bis_d1`, `hubs_russia` ...).
    pub fn group(&self, id: &str) -> Option<&CountryGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// True when `country` belongs to the group `group_id`.
    pub fn in_group(&self, group_id: &str, country: CountryId) -> bool {
        self.group(group_id)
            .is_some_and(|g| g.members.contains(&country))
    }
}

/// The rank of each area's code in text order; areas with the same code share a rank.
fn code_ranks(countries: &[Country]) -> Vec<u16> {
    let mut order: Vec<(String, usize)> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code(), i))
        .collect();
    order.sort();
    let mut ranks = vec![0u16; countries.len()];
    let mut rank = 0u16;
    for (k, (code, i)) in order.iter().enumerate() {
        if k > 0 && *code != order[k - 1].0 {
            rank += 1;
        }
        ranks[*i] = rank;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a2(g: &Gazetteer, text: &str) -> Option<String> {
        g.lookup(text).map(|id| g.country(id).code())
    }

    #[test]
    fn every_iso_country_is_there_with_a_point_inside_the_globe() {
        let g = Gazetteer::embedded();
        let real: Vec<_> = g
            .countries()
            .iter()
            .filter(|c| c.kind == AreaKind::Country)
            .collect();
        assert!(real.len() >= 249, "{} countries", real.len());
        for c in real {
            let p = c.point.expect("every country has an anchor point");
            assert!((-180.0..=180.0).contains(&p.x()) && (-90.0..=90.0).contains(&p.y()));
            assert_eq!(c.alpha2.len(), 2);
            assert_eq!(c.alpha3.len(), 3);
        }
    }

    #[test]
    fn codes_and_names_in_the_wild_resolve() {
        let g = Gazetteer::embedded();
        for (text, want) in [
            ("CN", "CN"),
            ("chn", "CN"),
            ("156", "CN"),
            ("051", "AM"),
            ("51", "AM"),
            ("Korea, Republic of", "KR"),
            ("Viet Nam", "VN"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("China, Hong Kong SAR", "HK"),
            ("Russian Federation", "RU"),
            ("Chinese Taipei", "TW"),
            ("UAE", "AE"),
            ("United Arab Emirates", "AE"),
            ("490", "TW"),
            ("842", "US"),
            ("699", "IN"),
            ("251", "FR"),
            ("757", "CH"),
            ("579", "NO"),
            ("Iran (Islamic Republic of)", "IR"),
            ("Kyrgyz Republic", "KG"),
            ("  malaysia ", "MY"),
        ] {
            assert_eq!(a2(g, text).as_deref(), Some(want), "{text}");
        }
        assert_eq!(a2(g, "0").as_deref(), Some("M49:0"));
        assert_eq!(g.country(g.lookup("899").unwrap()).kind, AreaKind::Nes);
        assert_eq!(a2(g, "Atlantis"), None);
        assert_eq!(a2(g, ""), None);
        assert_eq!(a2(g, "99999"), None);
    }

    #[test]
    fn hubs_cover_the_domain_and_resolve_by_code_and_name() {
        let g = Gazetteer::embedded();
        assert!(g.hubs().len() >= 150);
        for (text, code) in [
            ("SGSIN", "SGSIN"),
            ("SG SIN", "SGSIN"),
            ("Port Klang", "MYPKG"),
            ("penang", "MYPEN"),
            ("HKHKG", "HKHKG"),
            ("Jebel Ali", "AEJEA"),
            ("Laem Chabang", "THLCH"),
            ("Almaty", "KZALA"),
            ("Bishkek", "KGFRU"),
            ("Yerevan", "AMEVN"),
            ("Nhava Sheva (JNPT)", "INNSA"),
        ] {
            assert_eq!(g.hub(text).map(|h| h.locode.as_str()), Some(code), "{text}");
        }
        // Every intermediary country named in the domain primer has at least one hub.
        for a2 in [
            "SG", "MY", "TH", "HK", "AE", "IN", "KZ", "KG", "AM", "GE", "UZ", "TR", "RU", "CN",
        ] {
            let id = g.by_alpha2(a2).unwrap();
            assert!(g.hubs().iter().any(|h| h.country == id), "no hub in {a2}");
        }
    }

    #[test]
    fn groups_carry_sources_and_the_countries_of_concern() {
        let g = Gazetteer::embedded();
        let concern = g.group("concern").unwrap();
        assert!(!concern.source.is_empty() && !concern.as_of.is_empty());
        for a2 in ["CN", "HK", "MO", "RU", "BY", "IR", "KP"] {
            assert!(g.in_group("concern", g.by_alpha2(a2).unwrap()), "{a2}");
        }
        assert!(!g.in_group("concern", g.by_alpha2("SG").unwrap()));
        assert!(g.in_group("hubs_russia", g.by_alpha2("AM").unwrap()));
        assert!(g.in_group("hubs_ai_chips", g.by_alpha2("MY").unwrap()));
        for id in ["bis_d1", "bis_d4", "bis_d5", "allies"] {
            assert!(g.group(id).is_some(), "{id}");
        }
    }

    #[test]
    fn codes_lead_back_to_their_area_and_paths_sort_as_their_codes() {
        let g = Gazetteer::embedded();
        let ids: Vec<CountryId> = (0..g.countries().len() as u16).map(CountryId).collect();
        for id in &ids {
            let code = g.country(*id).code();
            assert_eq!(g.country(g.by_code(&code).unwrap()).code(), code);
        }
        assert_eq!(g.by_code("M49:0"), g.by_m49(0));
        assert_eq!(g.by_code("Atlantis"), None);
        // Paths of ids compare as the `Vec<String>` of their codes would.
        let code =
            |p: &[CountryId]| -> Vec<String> { p.iter().map(|c| g.country(*c).code()).collect() };
        let paths: Vec<Vec<CountryId>> =
            ["US>SG>CN", "US>SG", "US>HK>CN", "M49:0>CN", "CN>US", "US"]
                .iter()
                .map(|p| p.split('>').map(|c| g.by_code(c).unwrap()).collect())
                .chain(ids.iter().map(|c| vec![*c]))
                .collect();
        for a in &paths {
            for b in &paths {
                assert_eq!(
                    g.cmp_codes(a, b),
                    code(a).cmp(&code(b)),
                    "{:?} {:?}",
                    code(a),
                    code(b)
                );
            }
        }
    }
}
