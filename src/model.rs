//! Plain data types in the investigator's words: shipments, parties, flows, licences, datasets.
//!
//! Nothing here reads files or draws; the readers in [`crate::ingest`] build these values and
//! every later stage (routes, scoring, the map) borrows them.

use std::fmt;
use std::path::PathBuf;

use arcstr::ArcStr;

pub use crate::shipment_id::ShipmentId;
use serde::{Deserialize, Serialize};

use crate::gazetteer::CountryId;

/// A calendar date stored as days since 1970-01-01, so that dwell times are subtractions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(pub i32);

impl Date {
    /// Builds a date from year, month and day; `None` for impossible dates (2024-02-30).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Year, month and day of this date.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// Days from `earlier` to `self` (negative when `self` comes first).
    pub fn days_since(self, earlier: Date) -> i32 {
        self.0 - earlier.0
    }

    /// The date `days` later.
    pub fn plus_days(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// Months since year 0, for monthly buckets (histograms, timelines).
    pub fn month_index(self) -> i32 {
        let (y, m, _) = self.ymd();
        y * 12 + m as i32 - 1
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A Harmonized System / HTS code of 2 to 10 digits, or `TOTAL` (all products, Comtrade).
///
/// Stored as digits and a length so that `0101` and `101` stay different and prefixes are cheap,
/// packed in one word (`digits << 8 | len`; ten digits need 34 bits) because every shipment and
/// every leg carries one: ordered by digits, then length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HsCode {
    packed: u64,
}

impl HsCode {
    /// The whole-trade code Comtrade writes as `TOTAL`.
    pub const TOTAL: HsCode = HsCode { packed: 0 };

    /// Parses `8542.31.00.40`, `854231`, `8542 31`; `None` unless 2 to 10 digits remain.
    pub fn parse(text: &str) -> Option<HsCode> {
        let mut digits = 0u64;
        let mut len = 0u8;
        for b in text.trim().bytes() {
            match b {
                b'0'..=b'9' => {
                    if len == 10 {
                        return None;
                    }
                    digits = digits * 10 + u64::from(b - b'0');
                    len += 1;
                }
                b'.' | b' ' | b'-' => {}
                _ => return None,
            }
        }
        (len >= 2).then_some(HsCode::new(digits, len))
    }

    fn new(digits: u64, len: u8) -> HsCode {
        HsCode {
            packed: digits << 8 | u64::from(len),
        }
    }

    /// The digits as a number (without the leading zeros [`HsCode::len`] keeps).
    fn digits(self) -> u64 {
        self.packed >> 8
    }

    /// Number of digits (0 for `TOTAL`).
    pub fn len(self) -> usize {
        (self.packed & 0xff) as usize
    }

    /// True for `TOTAL`.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The first `n` digits as a number (`prefix(4)` of 854231 is 8542); all digits when shorter.
    pub fn prefix(self, n: usize) -> u64 {
        let n = n.min(self.len());
        self.digits() / 10u64.pow((self.len() - n) as u32)
    }

    /// HS chapter (first two digits).
    pub fn chapter(self) -> u64 {
        self.prefix(2)
    }

    /// HS heading (first four digits).
    pub fn heading(self) -> u64 {
        self.prefix(4)
    }

    /// True when `self` starts with the digits of `other` (854231 starts with 8542).
    pub fn starts_with(self, other: HsCode) -> bool {
        other.len() <= self.len() && self.prefix(other.len()) == other.digits()
    }

    /// The code cut to its first `n` digits (`truncated(4)` of 854231 is the heading 8542); the
    /// code itself when it is no longer.
    pub fn truncated(self, n: usize) -> HsCode {
        let len = n.min(self.len());
        HsCode::new(self.prefix(len), len as u8)
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            f.write_str("TOTAL")
        } else {
            write!(f, "{:0width$}", self.digits(), width = self.len())
        }
    }
}

/// How goods moved.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransportMode {
    Air,
    Sea,
    Road,
    Rail,
    /// A mode the file names that is none of the above (courier, post, multimodal ...), as written.
    Other(ArcStr),
}

impl TransportMode {
    /// Reads the usual spellings (`AIR`, `Ocean`, `Truck`, `Vessel`, `40` ...); anything else is kept as written.
    pub fn parse(text: &str) -> Option<TransportMode> {
        Self::parse_keeping(text, |t| ArcStr::from(t))
    }

    /// [`TransportMode::parse`], with `keep` making the text of a mode of no known kind (a
    /// reader shares one copy of each among its rows).
    pub fn parse_keeping(text: &str, keep: impl FnOnce(&str) -> ArcStr) -> Option<TransportMode> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        // The first word, compared without regard to ASCII case (no lower-cased copy per row).
        let word = t
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        let is = |names: &[&str]| names.iter().any(|n| word.eq_ignore_ascii_case(n));
        Some(
            if is(&["air", "airfreight", "aircraft", "flight", "40", "41"]) {
                TransportMode::Air
            } else if is(&["sea", "ocean", "vessel", "maritime", "ship", "10", "11"]) {
                TransportMode::Sea
            } else if is(&["road", "truck", "lorry", "land", "30", "31"]) {
                TransportMode::Road
            } else if is(&["rail", "train", "railway", "20", "21"]) {
                TransportMode::Rail
            } else {
                TransportMode::Other(keep(t))
            },
        )
    }

    /// Upper-case label as written in exports.
    pub fn label(&self) -> &str {
        match self {
            TransportMode::Air => "AIR",
            TransportMode::Sea => "SEA",
            TransportMode::Road => "ROAD",
            TransportMode::Rail => "RAIL",
            TransportMode::Other(s) => s,
        }
    }
}

/// Index of a party in its dataset's party table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PartyId(pub u32);

/// A firm or person trading goods: one per normalised name and country.
#[derive(Clone, Debug, PartialEq)]
pub struct Party {
    /// Normalised key (see [`crate::parties::normalise`]); equal keys in one country are one party.
    pub key: String,
    /// The country the party trades from.
    pub country: CountryId,
    /// Every spelling seen, first seen first; the first is used for display.
    pub names: Vec<String>,
}

impl Party {
    /// The name to show: the first spelling seen.
    pub fn display_name(&self) -> &str {
        self.names.first().map(String::as_str).unwrap_or(&self.key)
    }
}

/// One shipment or customs declaration (one row of the native format or a vendor export).
#[derive(Clone, Debug, PartialEq)]
pub struct Shipment {
    /// The file's id, or `L<line>` when the file has none. Copied to the ledger's leg and the
    /// scored routes that carry the shipment: 16 bytes, most ids held in place.
    pub id: ShipmentId,
    /// Line in the source file where the row starts (header = line 1). Four bytes: a file of
    /// four billion lines is a terabyte of text.
    pub line: u32,
    pub date: Date,
    pub exporter: PartyId,
    pub exporter_country: CountryId,
    pub importer: PartyId,
    pub importer_country: CountryId,
    pub origin_country: Option<CountryId>,
    pub hs_code: HsCode,
    /// Descriptions, units and ports repeat across a file's rows: each distinct text is shared.
    /// Texts are [`ArcStr`]s, one word each where `Arc<str>` takes two: a million rows hold
    /// five of them.
    pub description: ArcStr,
    pub quantity: f64,
    pub unit: Option<ArcStr>,
    pub value_usd: f64,
    pub weight_kg: Option<f64>,
    /// As written: a UN/LOCODE or a port or city name; see [`crate::gazetteer::Gazetteer::hub`].
    pub port_of_loading: Option<ArcStr>,
    pub port_of_discharge: Option<ArcStr>,
    pub transport_mode: Option<TransportMode>,
}

impl Shipment {
    /// Declared value per unit, `None` when the quantity is zero.
    pub fn unit_value_usd(&self) -> Option<f64> {
        (self.quantity > 0.0).then(|| self.value_usd / self.quantity)
    }
}

/// Direction of a country-level flow as the reporter states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FlowDirection {
    Import,
    Export,
    ReExport,
    ReImport,
}

impl FlowDirection {
    /// Comtrade `flowCode`: M, X, RX, RM (also DX/FM as export/import).
    pub fn parse(code: &str) -> Option<FlowDirection> {
        FlowCode::parse(code).map(FlowCode::direction)
    }

    /// The Comtrade code.
    pub fn code(self) -> &'static str {
        match self {
            FlowDirection::Import => "M",
            FlowDirection::Export => "X",
            FlowDirection::ReExport => "RX",
            FlowDirection::ReImport => "RM",
        }
    }

    /// True for imports and re-imports (values are CIF).
    pub fn is_import(self) -> bool {
        matches!(self, FlowDirection::Import | FlowDirection::ReImport)
    }
}

/// The flow code as written (Comtrade `flowCode`), which tells a total from its parts:
/// exports `X` are domestic exports `DX` plus re-exports `RX`, imports `M` are foreign imports
/// `FM` plus re-imports `RM` (data-formats §2b). Legacy codes 1-4 and the words read as the
/// totals M and X and the parts RX and RM, as the legacy files define them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FlowCode {
    /// `M`: all imports.
    Import,
    /// `FM`: foreign (not re-) imports.
    ForeignImport,
    /// `RM`: re-imports.
    ReImport,
    /// `X`: all exports.
    Export,
    /// `DX`: domestic exports (goods produced or transformed in the reporter).
    DomesticExport,
    /// `RX`: re-exports (goods leaving as they came in).
    ReExport,
    /// `MIP`: imports for inward processing, a part of `M` beside `FM`/`RM` ("of which").
    InwardProcessingImport,
    /// `MOP`: imports after outward processing, a part of `M` beside `FM`/`RM` ("of which").
    OutwardProcessingImport,
    /// `XIP`: exports after inward processing, a part of `X` beside `DX`/`RX` ("of which").
    InwardProcessingExport,
    /// `XOP`: exports for outward processing, a part of `X` beside `DX`/`RX` ("of which").
    OutwardProcessingExport,
}

impl FlowCode {
    /// Reads `M`, `FM`, `RM`, `X`, `DX`, `RX`, the processing codes `MIP`, `MOP`, `XIP`,
    /// `XOP`, the legacy codes 1-4 and their names.
    pub fn parse(code: &str) -> Option<FlowCode> {
        match code.trim().to_ascii_uppercase().as_str() {
            "M" | "IMPORT" | "1" => Some(FlowCode::Import),
            "FM" | "FOREIGN IMPORT" => Some(FlowCode::ForeignImport),
            "RM" | "RE-IMPORT" | "4" => Some(FlowCode::ReImport),
            "X" | "EXPORT" | "2" => Some(FlowCode::Export),
            "DX" | "DOMESTIC EXPORT" => Some(FlowCode::DomesticExport),
            "RX" | "RE-EXPORT" | "3" => Some(FlowCode::ReExport),
            "MIP" => Some(FlowCode::InwardProcessingImport),
            "MOP" => Some(FlowCode::OutwardProcessingImport),
            "XIP" => Some(FlowCode::InwardProcessingExport),
            "XOP" => Some(FlowCode::OutwardProcessingExport),
            _ => None,
        }
    }

    /// The Comtrade code.
    pub fn code(self) -> &'static str {
        match self {
            FlowCode::Import => "M",
            FlowCode::ForeignImport => "FM",
            FlowCode::ReImport => "RM",
            FlowCode::Export => "X",
            FlowCode::DomesticExport => "DX",
            FlowCode::ReExport => "RX",
            FlowCode::InwardProcessingImport => "MIP",
            FlowCode::OutwardProcessingImport => "MOP",
            FlowCode::InwardProcessingExport => "XIP",
            FlowCode::OutwardProcessingExport => "XOP",
        }
    }

    /// The direction the code states.
    pub fn direction(self) -> FlowDirection {
        match self {
            FlowCode::Import
            | FlowCode::ForeignImport
            | FlowCode::InwardProcessingImport
            | FlowCode::OutwardProcessingImport => FlowDirection::Import,
            FlowCode::ReImport => FlowDirection::ReImport,
            FlowCode::Export
            | FlowCode::DomesticExport
            | FlowCode::InwardProcessingExport
            | FlowCode::OutwardProcessingExport => FlowDirection::Export,
            FlowCode::ReExport => FlowDirection::ReExport,
        }
    }

    /// True for the totals `M` and `X`, false for their parts.
    pub fn is_total(self) -> bool {
        matches!(self, FlowCode::Import | FlowCode::Export)
    }

    /// True for the processing flows (`MIP`, `MOP`, `XIP`, `XOP`): "of which" parts that overlap
    /// `FM`/`RM` and `DX`/`RX`, never summed with them.
    pub fn is_processing(self) -> bool {
        matches!(
            self,
            FlowCode::InwardProcessingImport
                | FlowCode::OutwardProcessingImport
                | FlowCode::InwardProcessingExport
                | FlowCode::OutwardProcessingExport
        )
    }
}

/// A year, or a month of a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    /// 1-12 for monthly data, `None` for annual.
    pub month: Option<u8>,
}

impl Period {
    /// The first day of the period.
    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year, u32::from(self.month.unwrap_or(1)), 1).unwrap_or(Date(0))
    }

    /// The same period `years` years earlier (the same month for a monthly period).
    pub fn years_before(self, years: i32) -> Period {
        Period {
            year: self.year - years,
            month: self.month,
        }
    }

    /// The last day of the period.
    pub fn last_day(self) -> Date {
        match self.month {
            Some(m) if m < 12 => {
                Date::from_ymd(self.year, u32::from(m) + 1, 1).map(|d| d.plus_days(-1))
            }
            _ => Date::from_ymd(self.year, 12, 31),
        }
        .unwrap_or_else(|| self.first_day())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.month {
            Some(m) => write!(f, "{:04}-{:02}", self.year, m),
            None => write!(f, "{:04}", self.year),
        }
    }
}

/// One country-level trade statistic (a Comtrade row or a BACI row).
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    /// Line in the source file where the row starts.
    pub line: u64,
    pub period: Period,
    /// The reporting country (Comtrade) or the exporter (BACI).
    pub reporter: CountryId,
    /// The partner country (Comtrade) or the importer (BACI).
    pub partner: CountryId,
    /// Country of consignment (Comtrade `partner2Code`); `None` when 0 (all) or absent: a
    /// `Some` row is one part of the consignment breakdown beside its total.
    pub consigned_from: Option<CountryId>,
    pub direction: FlowDirection,
    /// The flow code as written: `X` or `M` (totals) or one of their parts (`DX`, `RX`, `FM`,
    /// `RM`). BACI rows are `X`.
    pub flow_code: FlowCode,
    /// Mode of transport (`motCode`) as written when the row is one mode of a breakdown;
    /// `None` for 0 (all modes) or absent.
    pub transport_part: Option<Box<str>>,
    /// Customs procedure (`customsCode`) as written when the row is one procedure of a
    /// breakdown; `None` for `C00` (all procedures) or absent.
    pub customs_part: Option<Box<str>>,
    pub hs_code: HsCode,
    /// Primary value in USD (CIF for imports, FOB for exports as reported).
    pub value_usd: f64,
    pub cif_usd: Option<f64>,
    pub fob_usd: Option<f64>,
    /// Quantity in the file's unit (`qty_unit`), when given.
    pub quantity: Option<f64>,
    pub qty_unit: Option<String>,
    pub net_weight_kg: Option<f64>,
}

/// One entry of a screening list (the trade.gov Consolidated Screening List, an OpenSanctions
/// export or a plain entity list).
#[derive(Clone, Debug, PartialEq)]
pub struct ScreeningEntry {
    pub line: u64,
    /// The list it comes from (Entity List, SDN, an OpenSanctions dataset, an entity list's file
    /// name ...).
    pub source: String,
    pub name: String,
    pub alt_names: Vec<String>,
    /// Countries named in the entry's addresses (or its country column).
    pub countries: Vec<CountryId>,
    pub programs: String,
    pub entity_number: String,
    /// Normalised keys of the name and every alternative name.
    pub keys: Vec<String>,
}

/// A party as a licence names it: the name as written and its matching key.
///
/// Licence files carry no party table: the key is what later code compares with
/// [`Party::key`] of shipment parties (same normalisation, [`crate::parties::normalise`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamedParty {
    /// The name as written in the file.
    pub name: String,
    /// Normalised key (see [`crate::parties::normalise`]).
    pub key: String,
}

impl NamedParty {
    /// Keeps `name` as written and keys it like the shipments reader keys its parties.
    pub fn new(name: &str) -> NamedParty {
        NamedParty {
            name: name.to_string(),
            key: crate::parties::normalise(name),
        }
    }
}

/// One export licence (or authorisation) from the investigator's licence records.
#[derive(Clone, Debug, PartialEq)]
pub struct Licence {
    /// Line in the source file where the row starts (header = line 1).
    pub line: u64,
    /// The licence or authorisation number as written.
    pub licence_id: String,
    /// The licence holder as named on the licence.
    pub exporter: NamedParty,
    pub exporter_country: CountryId,
    /// The approved consignee (the end user where the licence names one).
    pub consignee: NamedParty,
    pub consignee_country: CountryId,
    /// The HS heading or code the licence covers: a prefix of the shipments' codes.
    pub hs_code: HsCode,
    /// The product as the licence names it (empty when not given).
    pub description: String,
    /// Licensed number of units (more than zero).
    pub quantity: f64,
    /// Licensed value in USD, when given.
    pub value_usd: Option<f64>,
    /// First day of validity.
    pub valid_from: Date,
    /// Last day of validity (not before `valid_from`).
    pub valid_to: Date,
}

impl Licence {
    /// True when `date` lies in the validity window, both ends included.
    pub fn is_valid_on(&self, date: Date) -> bool {
        self.valid_from <= date && date <= self.valid_to
    }

    /// True when the licence's HS prefix covers `code` (`8542.31` covers `8542310040`).
    pub fn covers_hs(&self, code: HsCode) -> bool {
        code.starts_with(self.hs_code)
    }
}

/// Which kind of file a dataset came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Shipments,
    /// UN Comtrade+ / API v1 download (47 columns).
    Comtrade,
    /// Legacy UN Comtrade download (35 or 12 columns), also Comtrade+ saved with legacy headers.
    ComtradeLegacy,
    /// World Bank WITS export of Comtrade data (values in thousand USD, ISO alpha-3).
    Wits,
    Baci,
    /// trade.gov Consolidated Screening List.
    Watchlist,
    /// OpenSanctions "simple" CSV export.
    #[serde(rename = "opensanctions")]
    OpenSanctions,
    /// A plain entity list: a name column and optional alias, country and programme columns.
    EntityList,
    Licences,
}

impl Format {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Shipments => "shipments",
            Format::Comtrade => "comtrade",
            Format::ComtradeLegacy => "comtrade_legacy",
            Format::Wits => "wits",
            Format::Baci => "baci",
            Format::Watchlist => "watchlist",
            Format::OpenSanctions => "opensanctions",
            Format::EntityList => "entity_list",
            Format::Licences => "licences",
        }
    }

    /// True for country-level statistics read into [`Flow`]s (Comtrade in any layout, WITS, BACI).
    pub fn is_flows(self) -> bool {
        matches!(
            self,
            Format::Comtrade | Format::ComtradeLegacy | Format::Wits | Format::Baci
        )
    }

    /// True for lists of parties to screen against, read into [`ScreeningEntry`]s.
    pub fn is_screening(self) -> bool {
        matches!(
            self,
            Format::Watchlist | Format::OpenSanctions | Format::EntityList
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a file was read: enough to say where every row came from and to read it again the same way.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provenance {
    /// The file, or for a table inside a container the container and the member joined by `!`:
    /// `BACI_HS92_V202401.zip!BACI_HS92_Y2022_V202401.csv`, `book.xlsx!Sheet1` (members nest:
    /// `a.zip!b.xlsx!Data`). A gzip file keeps its own name.
    pub path: PathBuf,
    /// SHA-256 of the table's own bytes, lowercase hex: the file, the zip member, the
    /// decompressed gzip data, or for a sheet the workbook it is in.
    pub sha256: String,
    /// Size in bytes of what `sha256` hashes.
    pub size: u64,
    /// The file on disk the table came out of, when `path` names something inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveSource>,
    pub format: Format,
    /// `utf-8`, `utf-8 (BOM)`, `windows-1252` or `utf-16le`/`utf-16be`.
    pub encoding: String,
    pub delimiter: char,
    pub decimal_comma: bool,
    /// Canonical column name -> header as written in the file, in canonical order.
    pub columns: Vec<(String, String)>,
    /// Canonical column name -> the value the column mapping gives every row, for columns the
    /// file lacks (a country's own declarations never name it: `importer_country` = `KR`).
    pub fixed: Vec<(String, String)>,
    /// Decisions the reader took that a user should know (date order, padded codes ...).
    pub notes: Vec<String>,
}

impl Provenance {
    /// The file on disk the table was read from, with its SHA-256 and size: the container
    /// for a table inside one, the table's own file otherwise (what a case file records).
    pub fn file(&self) -> (&std::path::Path, &str, u64) {
        match &self.archive {
            Some(a) => (&a.path, &a.sha256, a.size),
            None => (&self.path, &self.sha256, self.size),
        }
    }

    /// The name of the table's file as evidence and panels show it (`shipments.csv`,
    /// `BACI.zip!BACI_Y2022.csv`); the whole path when it has no file name.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// The file on disk (zip, gzip, workbook) a table was read out of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArchiveSource {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// Size of the file in bytes.
    pub size: u64,
}

/// A row the reader could not load, with why, and its fields as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RejectedRow {
    /// Line in the file where the record starts (header = line 1).
    pub line: u64,
    /// Canonical name of the offending column, or `*` for the whole row.
    pub column: String,
    pub message: String,
    #[serde(skip)]
    pub fields: Vec<String>,
}

/// The rows one file holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Records {
    Shipments {
        shipments: Vec<Shipment>,
        parties: Vec<Party>,
    },
    Flows(Vec<Flow>),
    Watchlist(Vec<ScreeningEntry>),
    Licences(Vec<Licence>),
    /// Shipment rows read, judged and counted, but not kept (see
    /// [`crate::ingest::ReadOptions::count_only`]).
    Counted(usize),
}

impl Records {
    /// Number of loaded rows.
    pub fn len(&self) -> usize {
        match self {
            Records::Shipments { shipments, .. } => shipments.len(),
            Records::Flows(f) => f.len(),
            Records::Watchlist(w) => w.len(),
            Records::Licences(l) => l.len(),
            Records::Counted(n) => *n,
        }
    }

    /// True when no row loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One loaded file: its rows, its rejected rows, and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub provenance: Provenance,
    /// The header as written, for writing rejected rows back out.
    pub header: Vec<String>,
    /// Data records in the file (loaded + rejected).
    pub rows_total: usize,
    pub records: Records,
    pub rejects: Vec<RejectedRow>,
}

impl Dataset {
    /// The shipments, empty for country-level files.
    pub fn shipments(&self) -> &[Shipment] {
        match &self.records {
            Records::Shipments { shipments, .. } => shipments,
            _ => &[],
        }
    }

    /// Takes the shipment rows out (empty for country-level files), leaving the party table,
    /// which evidence quotes, and the counts and rejected rows: the command line lets a big
    /// file's rows go as their legs are made ([`crate::routes::Ledger::unlinked_taking_rows`]).
    pub fn take_shipments(&mut self) -> Vec<Shipment> {
        match &mut self.records {
            Records::Shipments { shipments, .. } => std::mem::take(shipments),
            _ => Vec::new(),
        }
    }

    /// The party table of a shipments file, empty otherwise.
    pub fn parties(&self) -> &[Party] {
        match &self.records {
            Records::Shipments { parties, .. } => parties,
            _ => &[],
        }
    }

    /// The party a shipment names.
    pub fn party(&self, id: PartyId) -> Option<&Party> {
        self.parties().get(id.0 as usize)
    }

    /// The country-level flows, empty for shipment files.
    pub fn flows(&self) -> &[Flow] {
        match &self.records {
            Records::Flows(f) => f,
            _ => &[],
        }
    }

    /// The screening-list entries, empty for other files.
    pub fn watchlist(&self) -> &[ScreeningEntry] {
        match &self.records {
            Records::Watchlist(w) => w,
            _ => &[],
        }
    }

    /// The licences of a licences file, empty for other files.
    pub fn licences(&self) -> &[Licence] {
        match &self.records {
            Records::Licences(l) => l,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row is held once per shipment of a file of millions (docs/performance.md): a field
    /// that widens it shows here.
    #[test]
    fn a_shipment_row_stays_compact() {
        assert_eq!(std::mem::size_of::<HsCode>(), 8);
        assert!(
            std::mem::size_of::<Shipment>() <= 128,
            "Shipment is {} bytes",
            std::mem::size_of::<Shipment>()
        );
    }

    #[test]
    fn packed_hs_codes_keep_their_order_and_leading_zeros() {
        let code = |t: &str| HsCode::parse(t).unwrap();
        assert!(code("0101") != code("101"));
        assert_eq!(code("0101").to_string(), "0101");
        assert_eq!(code("8542310040").to_string(), "8542310040");
        assert_eq!(code("8542310040").heading(), 8542);
        // Digits first, then length, as before packing.
        assert!(code("101") < code("0102"));
        assert!(code("8542") < code("854231"));
        assert!(code("85") < code("8542"));
        assert!(code("8542310040").starts_with(code("854231")));
        assert_eq!(code("8542310040").truncated(4), code("8542"));
    }

    #[test]
    fn dates_round_trip_and_reject_impossible_days() {
        let d = Date::from_ymd(2024, 3, 15).unwrap();
        assert_eq!(d.ymd(), (2024, 3, 15));
        assert_eq!(d.to_string(), "2024-03-15");
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert!(Date::from_ymd(2024, 2, 29).is_some());
        assert!(Date::from_ymd(2023, 2, 29).is_none());
        assert!(Date::from_ymd(2024, 13, 1).is_none());
        assert!(Date::from_ymd(2024, 4, 31).is_none());
        let later = Date::from_ymd(2024, 4, 14).unwrap();
        assert_eq!(later.days_since(d), 30);
        assert_eq!(d.plus_days(30), later);
    }

    #[test]
    fn every_day_for_centuries_round_trips() {
        for n in -40_000..60_000 {
            let (y, m, d) = Date(n).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(n)), "day {n}");
        }
    }

    #[test]
    fn hs_codes_keep_leading_zeros_and_prefixes() {
        let gpu = HsCode::parse("8542.31.00.40").unwrap();
        assert_eq!(gpu.to_string(), "8542310040");
        assert_eq!(gpu.heading(), 8542);
        assert_eq!(gpu.chapter(), 85);
        assert!(gpu.starts_with(HsCode::parse("854231").unwrap()));
        assert!(!gpu.starts_with(HsCode::parse("854232").unwrap()));
        assert_eq!(HsCode::parse("010190").unwrap().to_string(), "010190");
        assert!(HsCode::parse("85423100401").is_none());
        assert!(HsCode::parse("8").is_none());
        assert!(HsCode::parse("85A2").is_none());
        assert_eq!(HsCode::TOTAL.to_string(), "TOTAL");
    }

    #[test]
    fn licences_cover_their_window_and_hs_prefix() {
        let licence = Licence {
            line: 2,
            licence_id: "D123".into(),
            exporter: NamedParty::new("Nvidia Corporation"),
            exporter_country: CountryId(0),
            consignee: NamedParty::new("Pearl River Compute Co., Ltd."),
            consignee_country: CountryId(0),
            hs_code: HsCode::parse("8542.31").unwrap(),
            description: String::new(),
            quantity: 100.0,
            value_usd: None,
            valid_from: Date::from_ymd(2025, 3, 15).unwrap(),
            valid_to: Date::from_ymd(2026, 3, 14).unwrap(),
        };
        assert_eq!(licence.exporter.key, "nvidia");
        assert_eq!(licence.consignee.name, "Pearl River Compute Co., Ltd.");
        assert_eq!(licence.consignee.key, "pearl river compute");
        assert!(licence.covers_hs(HsCode::parse("8542310040").unwrap()));
        assert!(licence.covers_hs(HsCode::parse("854231").unwrap()));
        assert!(!licence.covers_hs(HsCode::parse("854232").unwrap()));
        assert!(!licence.covers_hs(HsCode::parse("8542").unwrap()));
        assert!(licence.is_valid_on(licence.valid_from));
        assert!(licence.is_valid_on(licence.valid_to));
        assert!(!licence.is_valid_on(licence.valid_to.plus_days(1)));
        assert!(!licence.is_valid_on(licence.valid_from.plus_days(-1)));
    }

    #[test]
    fn transport_modes_read_common_spellings() {
        assert_eq!(TransportMode::parse("Ocean"), Some(TransportMode::Sea));
        assert_eq!(
            TransportMode::parse("AIR FREIGHT"),
            Some(TransportMode::Air)
        );
        assert_eq!(TransportMode::parse("truck"), Some(TransportMode::Road));
        assert_eq!(
            TransportMode::parse("Courier"),
            Some(TransportMode::Other("Courier".into()))
        );
        assert_eq!(TransportMode::parse(" "), None);
    }
}
