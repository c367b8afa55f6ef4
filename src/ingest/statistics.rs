//! What country-level statistics files share beyond their layouts (data-formats §2, §2b): the
//! classification a file is in (HS, or SITC, BEC and EBOPS services, which are not HS codes),
//! units of quantity, area codes that are groups rather than countries, periods, and the answers
//! a data source gives instead of a table (an API error saved as `.csv`).

use std::collections::BTreeMap;

use super::values::{is_missing, parse_number};
use super::{IngestError, RowError};
use crate::gazetteer::{AreaKind, CountryId, Gazetteer};
use crate::model::{Period, Provenance};

/// The text of an optional column's field (empty when the file has no such column).
pub(super) fn cell(record: &csv::ByteRecord, i: Option<usize>) -> &str {
    i.map(|i| super::field(record, i)).unwrap_or("")
}

/// The product classification a row's codes are in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Classification {
    /// The Harmonized System (`H0`-`H6`, `HS`), or no classification given.
    Hs,
    /// Goods in another classification: SITC (`S1`-`S4`) or BEC (`B*`), as written.
    NotHs(String),
    /// Services (`typeCode` S, EBOPS `EB*` codes).
    Services,
}

impl Classification {
    /// Reads a classification cell (`H5`, `HS`, `S3`, `SITC`, `BEC`, `B5`, `EB10`) and, where the
    /// file has one, the Comtrade+ `typeCode` (`C` goods, `S` services).
    pub(super) fn of(classification: &str, type_code: &str) -> Classification {
        let t = classification.trim().to_ascii_uppercase();
        if type_code.trim().eq_ignore_ascii_case("S") || t.starts_with("EB") {
            return Classification::Services;
        }
        let digit_after = |c: char| {
            t.strip_prefix(c)
                .is_some_and(|rest| rest.bytes().next().is_some_and(|b| b.is_ascii_digit()))
        };
        if t.starts_with("SITC") || (digit_after('S') && t.len() <= 3) {
            return Classification::NotHs(classification.trim().to_string());
        }
        if t.starts_with("BEC") || (digit_after('B') && t.len() <= 3) {
            return Classification::NotHs(classification.trim().to_string());
        }
        Classification::Hs
    }
}

/// Names a non-HS classification code for a message (`S3` -> `SITC Rev. 3 (S3)`).
fn describe_classification(code: &str) -> String {
    let t = code.to_ascii_uppercase();
    if let Some(rev) = t.strip_prefix('S').filter(|r| r.len() == 1) {
        return format!("SITC Rev. {rev} ({code})");
    }
    if t.starts_with("SITC") {
        return format!("SITC ({code})");
    }
    format!("BEC ({code})")
}

/// Rows that are not goods in HS codes: skipped with a note, or, when the whole file is such
/// rows, one file-level message instead of a rejected row each.
#[derive(Debug, Default)]
pub(super) struct Skipped {
    services: usize,
    not_hs: BTreeMap<String, usize>,
}

impl Skipped {
    /// True (and counted) when a row in `classification` is to be skipped.
    pub(super) fn skip(&mut self, classification: &Classification) -> bool {
        match classification {
            Classification::Hs => false,
            Classification::Services => {
                self.services += 1;
                true
            }
            Classification::NotHs(code) => {
                *self.not_hs.entry(code.clone()).or_default() += 1;
                true
            }
        }
    }

    /// Rows skipped.
    pub(super) fn count(&self) -> usize {
        self.services + self.not_hs.values().sum::<usize>()
    }

    /// The notes for skipped rows, or the file-level error when nothing else was in the file
    /// (`read` = rows loaded or rejected).
    pub(super) fn finish(
        &self,
        read: usize,
        provenance: &mut Provenance,
    ) -> Result<(), IngestError> {
        let not_hs: Vec<String> = self
            .not_hs
            .iter()
            .map(|(code, n)| format!("{} ({n} rows)", describe_classification(code)))
            .collect();
        if read == 0 && !self.not_hs.is_empty() {
            let mut found = format!("its commodity codes are {}", not_hs.join(", "));
            if self.services > 0 {
                found.push_str(&format!(
                    ", and {} services rows (typeCode S / EBOPS codes)",
                    self.services
                ));
            }
            return Err(IngestError::NotHs { found });
        }
        if read == 0 && self.services > 0 {
            return Err(IngestError::NotGoods {
                rows: self.services,
            });
        }
        if self.services > 0 {
            provenance.notes.push(format!(
                "{} services rows (typeCode S / EBOPS codes) skipped: not goods, so neither loaded, rejected nor counted in the rows total",
                self.services
            ));
        }
        if !not_hs.is_empty() {
            provenance.notes.push(format!(
                "{} rows skipped (not counted in the rows total): their codes are not HS codes but {}",
                self.not_hs.values().sum::<usize>(),
                not_hs.join(", ")
            ));
        }
        Ok(())
    }
}

/// Statistical codes for groups and special areas that are not ISO countries, as WITS and
/// Comtrade+ write them, with the M49 area each is read as (0 World, 97 European Union,
/// 490 Other Asia nes = Taiwan, 837-839 bunkers/free zones/special categories, 899 Areas nes).
const AREA_CODES: &[(&str, u16)] = &[
    ("WLD", 0),
    ("W00", 0),
    ("EUN", 97),
    ("EUU", 97),
    ("EU", 97),
    ("EU27", 97),
    ("EU28", 97),
    ("EUR", 97),
    ("OAS", 490),
    ("S19", 490),
    ("BUN", 837),
    ("FRE", 838),
    ("SPE", 839),
    ("UNS", 899),
    ("_X", 899),
    ("X1", 899),
    ("ZZ", 899),
];

/// Country groups WITS reports as partners (regions, income groups, trade blocs): read as
/// "Areas, nes" (M49 899), kept as groups and out of corridors.
const GROUP_CODES: &[&str] = &[
    "ASEAN", "APEC", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "FCS", "HIC",
    "HPC", "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC", "LMY",
    "LTE", "MEA", "MIC", "MNA", "NAC", "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA", "SSF",
    "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "UMC", "NAFTA", "USMCA", "MERCOSUR", "SACU",
    "GCC", "COMESA", "ECOWAS", "SAARC", "SADC", "CACM", "CARICOM", "ECCAS", "EAC", "EFTA", "CIS",
    "EEU", "WAEMU", "CEMAC", "ANDEAN", "OPEC", "BRICS",
];

/// An area code (ISO alpha-3 or alpha-2, a WITS group, a Comtrade+ special code such as `W00`)
/// and, for groups and special areas, the code as written so that notes can name them.
pub(super) struct AreaCode {
    pub(super) id: CountryId,
    pub(super) group: Option<String>,
}

/// Reads an area code; `name` (the file's description of the area, when it has one) is tried
/// when the code is unknown.
pub(super) fn area(
    g: &Gazetteer,
    column: &str,
    code: &str,
    name: &str,
) -> Result<AreaCode, RowError> {
    let upper = code.trim().to_ascii_uppercase();
    if upper.is_empty() && name.trim().is_empty() {
        return Err((column.to_string(), "missing value".into()));
    }
    let special = AREA_CODES
        .iter()
        .find(|(c, _)| *c == upper)
        .map(|(_, m49)| *m49)
        .or_else(|| GROUP_CODES.contains(&upper.as_str()).then_some(899));
    if let Some(m49) = special
        && let Some(id) = g.by_m49(m49)
    {
        let group = (g.country(id).kind != AreaKind::Country).then(|| upper.clone());
        return Ok(AreaCode { id, group });
    }
    let found = [code, name]
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .find_map(|t| g.lookup(t));
    match found {
        Some(id) => {
            let kind = g.country(id).kind;
            let group = (kind != AreaKind::Country).then(|| {
                if upper.is_empty() {
                    name.trim().to_string()
                } else {
                    upper.clone()
                }
            });
            Ok(AreaCode { id, group })
        }
        None => {
            let shown = if upper.is_empty() {
                name.trim()
            } else {
                code.trim()
            };
            Err((column.to_string(), format!("unknown country '{shown}'")))
        }
    }
}

/// Rows with a group or special area as reporter or partner, by code (with the area it is read
/// as), for the note.
#[derive(Debug, Default)]
pub(super) struct Groups(BTreeMap<String, (CountryId, usize)>);

impl Groups {
    pub(super) fn add(&mut self, code: &AreaCode) {
        if let Some(c) = &code.group {
            self.0.entry(c.clone()).or_insert((code.id, 0)).1 += 1;
        }
    }

    pub(super) fn note(&self, g: &Gazetteer, provenance: &mut Provenance) {
        if self.0.is_empty() {
            return;
        }
        let list: Vec<String> = self
            .0
            .iter()
            .map(|(code, (id, n))| format!("{code} ({n} rows, as '{}')", g.country(*id).name))
            .collect();
        provenance.notes.push(format!(
            "groups, not countries, as reporter or partner: {}: loaded as groups, not errors, and kept out of corridors",
            list.join(", ")
        ));
    }
}

/// The usual abbreviations of the legacy Comtrade quantity units, by code and by name.
const UNITS: &[(&str, &str, &str)] = &[
    ("2", "Area in square metres", "m²"),
    (
        "3",
        "Electrical energy in thousands of kilowatt-hours",
        "1000 kWh",
    ),
    ("4", "Length in metres", "m"),
    ("5", "Number of items", "u"),
    ("6", "Number of pairs", "2u"),
    ("7", "Volume in litres", "l"),
    ("8", "Weight in kilograms", "kg"),
    ("9", "Thousands of items", "1000u"),
    ("10", "Number of packages", "u (jeu/pack)"),
    ("11", "Dozen of items", "12u"),
    ("12", "Volume in cubic meters", "m³"),
    ("13", "Weight in carats", "carat"),
];

fn no_quantity(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    is_missing(text)
        || matches!(t.as_str(), "1" | "noquantity" | "nq" | "na" | "")
        || text.trim() == "-1"
}

/// The unit of a row's quantity from whatever the file gives: an abbreviation (`qtyUnitAbbr`,
/// WITS `QtyUnit`), a name (legacy `Qty Unit`) or a code (`qtyUnitCode`, legacy `Qty Unit Code`).
/// Known names and codes become Comtrade's abbreviations (`Number of items` and `5` -> `u`,
/// `8` -> `kg`); anything else is kept as written. `None` for "no quantity" (`1`, `-1`,
/// `No Quantity`, `N.Q.`).
pub(super) fn qty_unit(abbr: &str, name: &str, code: &str) -> Option<String> {
    if !no_quantity(abbr) {
        return Some(abbr.trim().to_string());
    }
    if !no_quantity(name) {
        let known = UNITS
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name.trim()));
        return Some(known.map_or_else(|| name.trim().to_string(), |(_, _, a)| a.to_string()));
    }
    let code = code.trim();
    let code = code.strip_suffix(".0").unwrap_or(code);
    if !no_quantity(code) {
        let known = UNITS.iter().find(|(c, _, _)| *c == code);
        return Some(known.map_or_else(|| code.to_string(), |(_, _, a)| a.to_string()));
    }
    None
}

/// A quantity cell with its unit: the quantity is kept only with a unit (a `0` beside
/// "No Quantity" is not a quantity) and when it is a non-negative number.
pub(super) fn quantity(text: &str, unit: &Option<String>, decimal_comma: bool) -> Option<f64> {
    unit.as_ref()?;
    number(text, decimal_comma).filter(|q| *q >= 0.0)
}

/// A number in an optional cell, `None` when empty, missing or unreadable.
pub(super) fn number(text: &str, decimal_comma: bool) -> Option<f64> {
    (!is_missing(text))
        .then(|| parse_number(text, decimal_comma))
        .flatten()
}

/// A value written in thousands (`72961044.074` -> 72,961,044,074): the decimal point is moved
/// in the text, so that the dollars are exact where the file's digits allow it.
pub(super) fn thousands(text: &str) -> Option<f64> {
    let t = text.trim();
    let plain = !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.bytes().filter(|b| *b == b'.').count() <= 1
        && t != ".";
    if !plain {
        return parse_number(t, false).map(|v| v * 1000.0);
    }
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let mut frac = frac.to_string();
    while frac.len() < 3 {
        frac.push('0');
    }
    let (moved, rest) = frac.split_at(3);
    let shifted = if rest.is_empty() {
        format!("{int}{moved}")
    } else {
        format!("{int}{moved}.{rest}")
    };
    shifted.parse().ok()
}

/// Reads `YYYY` or `YYYYMM` (also `2017.0`) as a period.
pub(super) fn period(column: &str, text: &str) -> Result<Period, RowError> {
    let t = text.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    let bad = || {
        (
            column.to_string(),
            format!("'{text}' is not a period (YYYY or YYYYMM)"),
        )
    };
    if t.is_empty() {
        return Err((column.to_string(), "missing value".into()));
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = t
        .get(..4)
        .and_then(|y| y.parse().ok())
        .filter(|y| (1900..=2100).contains(y))
        .ok_or_else(bad)?;
    match t.len() {
        4 => Ok(Period { year, month: None }),
        6 => match t[4..].parse::<u8>() {
            Ok(m @ 1..=12) => Ok(Period {
                year,
                month: Some(m),
            }),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// Phrases data sources write instead of data (Comtrade, WITS, API gateways).
const SOURCE_MESSAGES: &[&str] = &[
    "no data matches your query",
    "query is too complex",
    "no data available",
    "no data found",
    "there is no data",
    "no records found",
    "no results found",
    "too many requests",
    "rate limit exceeded",
    "quota exceeded",
    "usage limit",
    "invalid subscription key",
    "access denied",
    "401 unauthorized",
    "403 forbidden",
    "400 bad request",
    "500 internal server error",
    "503 service unavailable",
];

/// What a file is when it is an answer from a data source rather than a table: a JSON or XML
/// document, an HTML page, or a one-line message such as `No data matches your query`.
pub(super) fn source_answer(text: &str) -> Option<String> {
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.starts_with('{') || (t.starts_with('[') && t.contains("\":")) {
        return Some(describe_json(t));
    }
    let lower_head: String = t.chars().take(512).collect::<String>().to_ascii_lowercase();
    if lower_head.starts_with("<!doctype html") || lower_head.starts_with("<html") {
        let title = tag_text(t, "title").or_else(|| tag_text(t, "h1"));
        return Some(match title {
            Some(title) => format!("an HTML page (\"{title}\")"),
            None => "an HTML page".to_string(),
        });
    }
    if lower_head.starts_with("<?xml") || lower_head.starts_with('<') {
        return Some(
            match tag_text(t, "message").or_else(|| tag_text(t, "error")) {
                Some(m) => format!("an XML document (\"{m}\")"),
                None => "an XML document".to_string(),
            },
        );
    }
    // Seven lines are enough to know the text is longer than a message (a table).
    let lines: Vec<&str> = t
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(7)
        .collect();
    if lines.len() > 6 {
        return None;
    }
    for line in lines {
        let sentence = line
            .trim_end_matches([',', ';', '\t', '|', ' '])
            .trim_matches('"')
            .trim();
        let lower = sentence.to_ascii_lowercase();
        // A message is one cell: a row of a table has its delimiters between values.
        let body = line.trim_end_matches([',', ';', '\t', '|', ' ']);
        let quoted = body.len() > 1 && body.starts_with('"') && body.ends_with('"');
        let one_cell = !sentence.contains([',', ';', '\t', '|'])
            || (quoted && !body[1..body.len() - 1].contains('"'));
        if one_cell
            && sentence.split_whitespace().count() >= 2
            && SOURCE_MESSAGES.iter().any(|m| lower.contains(m))
        {
            let shown: String = sentence.chars().take(200).collect();
            return Some(format!("a message from the data source (\"{shown}\")"));
        }
    }
    None
}

fn describe_json(t: &str) -> String {
    let value: Option<serde_json::Value> = serde_json::from_str(t).ok();
    let pick = |v: &serde_json::Value| -> Option<String> {
        for key in [
            "error",
            "message",
            "Message",
            "errorMessage",
            "detail",
            "title",
        ] {
            match v.get(key) {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    return Some(s.trim().chars().take(200).collect());
                }
                Some(serde_json::Value::Object(o)) => {
                    if let Some(serde_json::Value::String(s)) = o.get("message") {
                        return Some(s.trim().chars().take(200).collect());
                    }
                }
                _ => {}
            }
        }
        None
    };
    match value {
        Some(v) => {
            let status = v
                .get("statusCode")
                .or_else(|| v.get("status"))
                .and_then(|s| {
                    s.as_i64()
                        .map(|n| n.to_string())
                        .or(s.as_str().map(str::to_string))
                });
            let records = v.get("data").and_then(|d| d.as_array()).map(Vec::len);
            let mut s = "a JSON document".to_string();
            if let Some(m) = pick(&v) {
                s.push_str(&format!(" with the error \"{m}\""));
            }
            if let Some(code) = status {
                s.push_str(&format!(" (status {code})"));
            }
            if let Some(n) = records {
                s.push_str(&format!(" holding {n} data records"));
            }
            s
        }
        None => "a JSON document".to_string(),
    }
}

/// The text inside the first `<tag ...>...</tag>`, whitespace collapsed.
fn tag_text(t: &str, tag: &str) -> Option<String> {
    let lower = t.to_ascii_lowercase();
    let open = lower.find(&format!("<{tag}"))?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find(&format!("</{tag}"))?;
    let text: Vec<&str> = t.get(start..end)?.split_whitespace().collect();
    let text = text.join(" ");
    (!text.is_empty()).then(|| text.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifications_tell_hs_from_sitc_bec_and_services() {
        assert_eq!(Classification::of("H5", ""), Classification::Hs);
        assert_eq!(Classification::of("HS", "C"), Classification::Hs);
        assert_eq!(Classification::of("", ""), Classification::Hs);
        assert_eq!(
            Classification::of("S3", ""),
            Classification::NotHs("S3".into())
        );
        assert_eq!(
            Classification::of("BEC", ""),
            Classification::NotHs("BEC".into())
        );
        assert_eq!(
            Classification::of("B5", "C"),
            Classification::NotHs("B5".into())
        );
        assert_eq!(Classification::of("EB10", ""), Classification::Services);
        assert_eq!(Classification::of("H6", "S"), Classification::Services);
        assert_eq!(describe_classification("S3"), "SITC Rev. 3 (S3)");
    }

    #[test]
    fn units_read_from_abbreviations_names_and_codes() {
        assert_eq!(qty_unit("kg", "", ""), Some("kg".into()));
        assert_eq!(qty_unit("", "Number of items", "5"), Some("u".into()));
        assert_eq!(qty_unit("", "", "8"), Some("kg".into()));
        assert_eq!(qty_unit("", "", "8.0"), Some("kg".into()));
        assert_eq!(qty_unit("", "No Quantity", "1"), None);
        assert_eq!(qty_unit("N/A", "", "-1"), None);
        assert_eq!(qty_unit("N.Q.", "", ""), None);
        assert_eq!(qty_unit("Item", "", ""), Some("Item".into()));
        assert_eq!(quantity("0", &None, false), None);
        assert_eq!(quantity("91453", &Some("u".into()), false), Some(91_453.0));
        assert_eq!(quantity("1.234,5", &Some("kg".into()), true), Some(1234.5));
    }

    #[test]
    fn thousands_move_the_decimal_point() {
        assert_eq!(thousands("72961044.074"), Some(72_961_044_074.0));
        assert_eq!(thousands("66545726.608"), Some(66_545_726_608.0));
        assert_eq!(thousands("1.5"), Some(1_500.0));
        assert_eq!(thousands("12"), Some(12_000.0));
        assert_eq!(thousands("0.0001"), Some(0.1));
        assert_eq!(thousands("1,234.5"), Some(1_234_500.0));
        assert_eq!(thousands("x"), None);
    }

    #[test]
    fn periods_are_years_or_months() {
        assert_eq!(
            period("Period", "2017").unwrap(),
            Period {
                year: 2017,
                month: None
            }
        );
        assert_eq!(period("Period", "201703").unwrap().month, Some(3));
        assert!(period("Period", "201713").is_err());
        assert!(period("Period", "17").is_err());
        assert!(period("Period", "").is_err());
    }

    #[test]
    fn answers_instead_of_tables_are_named() {
        let json = source_answer(
            r#"{"statusCode": 401, "message": "Access denied due to invalid subscription key."}"#,
        )
        .unwrap();
        assert!(
            json.contains("JSON") && json.contains("Access denied") && json.contains("401"),
            "{json}"
        );
        let html = source_answer(
            "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head></html>",
        )
        .unwrap();
        assert!(html.contains("HTML page") && html.contains("503"), "{html}");
        let msg = source_answer("No data matches your query or your query is too complex. Request JSON or XML format for more information.,,,\r\n").unwrap();
        assert!(msg.contains("No data matches your query"), "{msg}");
        assert!(source_answer("t,i,j,k,v,q\n2022,842,156,854231,1,2\n").is_none());
        assert!(source_answer("name\nError Systems Ltd\n").is_none());
        assert!(source_answer("Name,Country\nAccess Denied Holdings,China\n").is_none());
        assert!(source_answer("\"Too many requests. Try again later.\"\n").is_some());
        assert!(
            source_answer("\"Access denied, please log in\",,,\n").is_some(),
            "a quoted message with a comma is one cell"
        );
        assert!(source_answer("Name,Country\n\"Access Denied, Ltd\",China\n").is_none());
    }

    #[test]
    fn areas_read_codes_groups_and_names() {
        let g = Gazetteer::embedded();
        let us = area(g, "PartnerISO3", "USA", "United States").unwrap();
        assert_eq!(g.country(us.id).alpha2, "US");
        assert!(us.group.is_none());
        let wld = area(g, "PartnerISO3", "WLD", " World").unwrap();
        assert_eq!(g.country(wld.id).kind, AreaKind::World);
        assert_eq!(wld.group.as_deref(), Some("WLD"));
        let asean = area(g, "PartnerISO3", "ASEAN", "Asia Tenggara --- ASEAN").unwrap();
        assert_eq!(asean.group.as_deref(), Some("ASEAN"));
        let tw = area(g, "PartnerISO3", "OAS", "Other Asia, nes").unwrap();
        assert_eq!(g.country(tw.id).alpha2, "TW");
        assert!(area(g, "PartnerISO3", "XYZ", "Atlantis").is_err());
        let by_name = area(g, "PartnerISO3", "", "Viet Nam").unwrap();
        assert_eq!(g.country(by_name.id).alpha2, "VN");
    }
}
