//! The labelled synthetic data generator behind `chiptrail sample` and the embedded sample.
//!
//! It writes shipment rows in the native format with diversion schemes of every pattern in the
//! domain primer (pass-through, multi-hop, relabelling, valuation, shell fronts, structuring, the
//! Russia roundabout, screening hits, dead ends in transit countries, imitations of the published
//! reference cases, and, since the H200 approval, licence overruns, expired licences, controlled
//! exports with no licence and leaks from licensed consignees), mixed into legitimate trade built
//! to look similar: licensed exports straight to approved Chinese consignees, hub distributors
//! re-exporting to allies, data centres that import and keep, ODM assembly, high-volume
//! uncontrolled chips to China, Hong Kong consumer re-exports. Labels go to a separate file, and
//! the licences the licensed trade runs under to `licences.csv`. Every firm name is invented; the
//! data is synthetic.
//!
//! To measure a scorer honestly, tune it on samples of [`Vocabulary::Tuning`] and measure it on
//! [`Vocabulary::HeldOut`]: the two share no firm-name word, product phrasing or relabel wording
//! (see [`vocabulary`]).
//!
//! Deterministic: the same rows, seed and vocabulary give byte-identical files on every platform
//! (the random generator is SplitMix64, written here so that no dependency update changes it).
//!
//! Layout: [`vocabulary`] holds every word list in its two halves; `world` the random stream,
//! the firm pools and the row writer; `firms` names and spellings; one file per family of
//! schemes (`diversion`, `licensed`, `legitimate`, `background`).

mod background;
mod diversion;
mod firms;
mod legitimate;
mod licensed;
mod rng;
pub mod vocabulary;
mod world;

use std::io::Write;
use std::path::Path;

pub use vocabulary::Vocabulary;

use crate::gazetteer::Gazetteer;
use crate::model::Date;
use crate::output::{SafeCsv, write_atomic};
use world::World;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleConfig {
    /// Approximate number of shipment rows (the generator stops at the first scheme past it).
    pub rows: usize,
    pub seed: u64,
    /// Which half of the word lists to draw from ([`Vocabulary::Full`]: both).
    pub vocabulary: Vocabulary,
    /// The world after the H200 approval: licensed exports to approved Chinese consignees, the
    /// licence abuses, and `licences.csv`. Without it, no licence data exists.
    pub licensed_world: bool,
}

impl SampleConfig {
    /// `rows` rows from `seed`, drawing from the full vocabulary.
    pub const fn new(rows: usize, seed: u64) -> SampleConfig {
        SampleConfig {
            rows,
            seed,
            vocabulary: Vocabulary::Full,
            licensed_world: true,
        }
    }
}

/// One generated shipment row.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleShipment {
    pub id: String,
    pub date: Date,
    pub exporter: String,
    pub exporter_country: &'static str,
    pub importer: String,
    pub importer_country: &'static str,
    pub origin_country: &'static str,
    pub hs_code: String,
    pub description: String,
    pub quantity: u64,
    pub unit: &'static str,
    pub value_usd: f64,
    pub weight_kg: f64,
    pub port_of_loading: String,
    pub port_of_discharge: String,
    pub transport_mode: &'static str,
}

/// The truth about one shipment.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub shipment_id: String,
    /// True for every leg of a diversion scheme, including the vendor's sale to the front.
    pub diversion: bool,
    /// The scheme's pattern (`pass_through`, `structuring` ...) or the look-alike's (`distributor_allies` ...).
    pub pattern: &'static str,
    /// Shipments of one scheme or one legitimate business share an id.
    pub scheme_id: String,
}

/// One synthetic screening-list entry (Consolidated Screening List layout).
#[derive(Clone, Debug, PartialEq)]
pub struct ScreeningRow {
    pub source: &'static str,
    pub name: String,
    pub alt_names: Vec<String>,
    pub country: &'static str,
    pub city: &'static str,
}

/// One synthetic export licence (the licences format, data-formats §7).
#[derive(Clone, Debug, PartialEq)]
pub struct LicenceRow {
    pub licence_id: String,
    /// The licence holder (the vendor) as registered.
    pub exporter: String,
    pub exporter_country: &'static str,
    /// The approved consignee, as the licence spells it.
    pub consignee: String,
    pub consignee_country: &'static str,
    /// The HS prefix the licence covers (`8542.31`, `847150` ...).
    pub hs_code: String,
    pub description: String,
    pub quantity: u64,
    pub value_usd: f64,
    pub valid_from: Date,
    pub valid_to: Date,
}

/// A generated data set: shipments, their labels (same order), a screening list and licences.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub shipments: Vec<SampleShipment>,
    pub labels: Vec<Label>,
    pub screening: Vec<ScreeningRow>,
    pub licences: Vec<LicenceRow>,
}

/// Patterns of diversion the generator writes (the label's `pattern` when `diversion` is true).
pub const DIVERSION_PATTERNS: &[&str] = &[
    "pass_through",
    "multi_hop",
    "relabelling",
    "valuation",
    "shell_front",
    "structuring",
    "russia_roundabout",
    "screening_hit",
    "transit_dead_end",
    "ref_india_servers",
    "ref_hk_new_firm",
    "no_licence",
    "licence_overrun",
    "licence_expired",
    "licensed_consignee_leak",
];

/// Legitimate look-alikes and background trade (the label's `pattern` when `diversion` is false).
pub const LEGITIMATE_PATTERNS: &[&str] = &[
    "licensed_direct",
    "distributor_allies",
    "datacenter_keep",
    "odm_assembly",
    "uncontrolled_china",
    "hk_consumer_reexport",
    "background",
];

/// The committed sample (synthetic, labelled), embedded as the app's default dataset.
pub const EMBEDDED_SHIPMENTS: &str = include_str!("../../data/sample/shipments.csv");
/// Labels of the embedded sample.
pub const EMBEDDED_LABELS: &str = include_str!("../../data/sample/labels.csv");
/// The synthetic screening list that goes with the embedded sample.
pub const EMBEDDED_SCREENING: &str = include_str!("../../data/sample/screening_list.csv");
/// The synthetic licences the embedded sample's licensed trade runs under.
pub const EMBEDDED_LICENCES: &str = include_str!("../../data/sample/licences.csv");
/// Settings that produced the committed sample (`chiptrail sample --rows 3000 --seed 7`).
pub const EMBEDDED_CONFIG: SampleConfig = SampleConfig::new(3000, 7);

/// The embedded sample as a loaded dataset, the one the app opens on. Its source path reads
/// `embedded:data/sample/shipments.csv`.
pub fn embedded_dataset(
    gazetteer: &Gazetteer,
) -> Result<crate::model::Dataset, crate::ingest::IngestError> {
    crate::ingest::read_bytes(
        EMBEDDED_SHIPMENTS.as_bytes(),
        Path::new("embedded:data/sample/shipments.csv"),
        &crate::ingest::ReadOptions::default(),
        gazetteer,
        None,
    )
}

/// The text of an embedded file by the source path its dataset records
/// (`embedded:data/sample/shipments.csv`, `embedded:data/sample/screening_list.csv`,
/// `embedded:data/sample/licences.csv`), so that a case opened on the sample reads it again.
pub fn embedded_file(path: &Path) -> Option<&'static str> {
    match path.to_str()? {
        "embedded:data/sample/shipments.csv" => Some(EMBEDDED_SHIPMENTS),
        "embedded:data/sample/screening_list.csv" => Some(EMBEDDED_SCREENING),
        "embedded:data/sample/licences.csv" => Some(EMBEDDED_LICENCES),
        _ => None,
    }
}

/// The kinds of scheme and business the generator mixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    PassThrough,
    MultiHop,
    Relabelling,
    Valuation,
    ShellFront,
    Structuring,
    RussiaRoundabout,
    ScreeningHit,
    TransitDeadEnd,
    RefIndiaServers,
    RefHkNewFirm,
    NoLicence,
    LicenceOverrun,
    LicenceExpired,
    LicensedConsigneeLeak,
    LicensedDirect,
    DistributorAllies,
    DatacenterKeep,
    OdmAssembly,
    UncontrolledChina,
    HkConsumerReexport,
    Background,
}

/// Share of draws per scheme. Diversion makes up roughly a tenth of the rows; licensed exports,
/// hub distributors and data centres together move more controlled goods than all diversion.
const MIX: &[(f64, Scheme)] = &[
    (0.8, Scheme::PassThrough),
    (0.4, Scheme::MultiHop),
    (0.35, Scheme::Relabelling),
    (0.3, Scheme::Valuation),
    (0.25, Scheme::ShellFront),
    (0.15, Scheme::Structuring),
    (0.4, Scheme::RussiaRoundabout),
    (0.25, Scheme::ScreeningHit),
    (0.25, Scheme::TransitDeadEnd),
    (0.08, Scheme::RefIndiaServers),
    (0.1, Scheme::RefHkNewFirm),
    (0.3, Scheme::NoLicence),
    (0.15, Scheme::LicenceOverrun),
    (0.15, Scheme::LicenceExpired),
    (0.15, Scheme::LicensedConsigneeLeak),
    (2.0, Scheme::LicensedDirect),
    (6.0, Scheme::DistributorAllies),
    (4.0, Scheme::DatacenterKeep),
    (2.0, Scheme::OdmAssembly),
    (10.0, Scheme::UncontrolledChina),
    (7.0, Scheme::HkConsumerReexport),
    (48.0, Scheme::Background),
];

impl Scheme {
    /// The schemes of the licensed world (licensed exports and their abuses).
    fn needs_licences(self) -> bool {
        matches!(
            self,
            Scheme::NoLicence
                | Scheme::LicenceOverrun
                | Scheme::LicenceExpired
                | Scheme::LicensedConsigneeLeak
                | Scheme::LicensedDirect
        )
    }
}

impl World {
    fn run(&mut self, scheme: Scheme) {
        match scheme {
            Scheme::PassThrough => self.pass_through("pass_through"),
            Scheme::MultiHop => self.multi_hop(),
            Scheme::Relabelling => self.pass_through("relabelling"),
            Scheme::Valuation => self.pass_through("valuation"),
            Scheme::ShellFront => self.shell_front(),
            Scheme::Structuring => self.structuring(),
            Scheme::RussiaRoundabout => self.russia_roundabout(),
            Scheme::ScreeningHit => self.screening_hit(),
            Scheme::TransitDeadEnd => self.transit_dead_end(),
            Scheme::RefIndiaServers => self.ref_india_servers(),
            Scheme::RefHkNewFirm => self.ref_hk_new_firm(),
            Scheme::NoLicence => self.no_licence(),
            Scheme::LicenceOverrun => self.licence_overrun(),
            Scheme::LicenceExpired => self.licence_expired(),
            Scheme::LicensedConsigneeLeak => self.licensed_consignee_leak(),
            Scheme::LicensedDirect => self.licensed_direct(),
            Scheme::DistributorAllies => self.distributor_allies(),
            Scheme::DatacenterKeep => self.datacenter_keep(),
            Scheme::OdmAssembly => self.odm_assembly(),
            Scheme::UncontrolledChina => self.uncontrolled_china(),
            Scheme::HkConsumerReexport => self.hk_consumer_reexport(),
            Scheme::Background => self.background(),
        }
    }
}

/// Generates a labelled sample.
pub fn generate(config: &SampleConfig) -> Sample {
    let mut w = World::new(config.seed, config.rows, config.vocabulary);
    w.screening_decoys();
    let mix: Vec<(f64, Scheme)> = MIX
        .iter()
        .copied()
        .filter(|(_, s)| config.licensed_world || !s.needs_licences())
        .collect();
    if config.licensed_world {
        w.unused_licences();
    }
    let weights: Vec<f64> = mix.iter().map(|m| m.0).collect();
    // Every scheme runs at least once, even in a small sample.
    let mut first: Vec<Scheme> = mix.iter().map(|m| m.1).collect();
    while w.rows.len() < config.rows || !first.is_empty() {
        let scheme = match first.pop() {
            Some(s) => s,
            None => mix[w.rng.weighted(&weights)].1,
        };
        w.run(scheme);
    }
    let mut rows = std::mem::take(&mut w.rows);
    rows.sort_by_key(|r| (r.ship.date, r.tiebreak));
    let mut shipments = Vec::with_capacity(rows.len());
    let mut labels = Vec::with_capacity(rows.len());
    for (i, mut r) in rows.into_iter().enumerate() {
        let (y, _, _) = r.ship.date.ymd();
        r.ship.id = format!("BL{y}{:07}", i + 1);
        labels.push(Label {
            shipment_id: r.ship.id.clone(),
            diversion: r.truth.diversion,
            pattern: r.truth.pattern,
            scheme_id: format!("S{:06}", r.truth.scheme),
        });
        shipments.push(r.ship);
    }
    let screening = w
        .screened
        .iter()
        .map(|(f, source)| ScreeningRow {
            source,
            name: f.name.clone(),
            alt_names: f.variants.iter().take(1).cloned().collect(),
            country: f.country,
            city: city(f.country),
        })
        .collect();
    let mut licences = std::mem::take(&mut w.licences);
    licences.sort_by(|a, b| (a.valid_from, &a.licence_id).cmp(&(b.valid_from, &b.licence_id)));
    Sample {
        shipments,
        labels,
        screening,
        licences,
    }
}

/// The city a synthetic screening entry gives as its address.
fn city(country: &str) -> &'static str {
    match country {
        "CN" => "Shenzhen",
        "RU" => "Moscow",
        "IR" => "Tehran",
        "HK" => "Hong Kong",
        "BY" => "Minsk",
        "SG" => "Singapore",
        "MY" => "Kuala Lumpur",
        "AE" => "Dubai",
        "IN" => "Mumbai",
        "TH" => "Bangkok",
        "VN" => "Hanoi",
        "KZ" => "Almaty",
        "AM" => "Yerevan",
        "KG" => "Bishkek",
        _ => "",
    }
}

/// The native shipment header, in the formats document's order.
pub const SHIPMENT_HEADER: [&str; 16] = [
    "shipment_id",
    "date",
    "exporter",
    "exporter_country",
    "importer",
    "importer_country",
    "origin_country",
    "hs_code",
    "description",
    "quantity",
    "unit",
    "value_usd",
    "weight_kg",
    "port_of_loading",
    "port_of_discharge",
    "transport_mode",
];

/// The labels header.
pub const LABEL_HEADER: [&str; 4] = ["shipment_id", "label", "pattern", "scheme_id"];

/// The licences header (data-formats §7).
pub const LICENCE_HEADER: [&str; 11] = [
    "licence_id",
    "exporter",
    "exporter_country",
    "consignee",
    "consignee_country",
    "hs_code",
    "description",
    "quantity",
    "value_usd",
    "valid_from",
    "valid_to",
];

/// The Consolidated Screening List header.
pub const CSL_HEADER: [&str; 29] = [
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
];

impl Sample {
    /// Writes `shipments.csv`, `labels.csv`, `screening_list.csv` and (in the licensed world)
    /// `licences.csv` into `dir`, each atomically.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        write_atomic(&dir.join("shipments.csv"), |out| self.write_shipments(out))?;
        write_atomic(&dir.join("labels.csv"), |out| self.write_labels(out))?;
        write_atomic(&dir.join("screening_list.csv"), |out| {
            self.write_screening(out)
        })?;
        if self.licences.is_empty() {
            return Ok(());
        }
        write_atomic(&dir.join("licences.csv"), |out| self.write_licences(out))
    }

    /// Writes the shipment rows as native-format CSV.
    pub fn write_shipments(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut csv = SafeCsv::new(out);
        csv.row(SHIPMENT_HEADER)?;
        for s in &self.shipments {
            csv.row([
                s.id.as_str(),
                &s.date.to_string(),
                &s.exporter,
                s.exporter_country,
                &s.importer,
                s.importer_country,
                s.origin_country,
                &s.hs_code,
                &s.description,
                &s.quantity.to_string(),
                s.unit,
                &format!("{:.2}", s.value_usd),
                &format!("{:.1}", s.weight_kg),
                &s.port_of_loading,
                &s.port_of_discharge,
                s.transport_mode,
            ])?;
        }
        csv.flush()
    }

    /// Writes the labels: `shipment_id,label,pattern,scheme_id`, label `diversion` or
    /// `legitimate`.
    pub fn write_labels(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut csv = SafeCsv::new(out);
        csv.row(LABEL_HEADER)?;
        for l in &self.labels {
            csv.row([
                l.shipment_id.as_str(),
                if l.diversion {
                    "diversion"
                } else {
                    "legitimate"
                },
                l.pattern,
                &l.scheme_id,
            ])?;
        }
        csv.flush()
    }

    /// Writes the screening list in the Consolidated Screening List layout.
    pub fn write_screening(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut csv = SafeCsv::new(out);
        csv.row(CSL_HEADER)?;
        for (i, e) in self.screening.iter().enumerate() {
            let mut row = vec![String::new(); CSL_HEADER.len()];
            row[0] = format!("synthetic-{:04}", i + 1);
            row[1] = e.source.to_string();
            row[3] = "Entity".into();
            row[4] = "EAR".into();
            row[5] = e.name.clone();
            row[7] = format!("1 Example Road, {}, {}", e.city, e.country);
            row[20] = "Synthetic entry generated by chiptrail sample; not a real listing.".into();
            row[22] = e.alt_names.join("; ");
            csv.row(&row)?;
        }
        csv.flush()
    }

    /// Writes the licences (data-formats §7), dates as `YYYY-MM-DD`.
    pub fn write_licences(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut csv = SafeCsv::new(out);
        csv.row(LICENCE_HEADER)?;
        for l in &self.licences {
            csv.row([
                l.licence_id.as_str(),
                &l.exporter,
                l.exporter_country,
                &l.consignee,
                l.consignee_country,
                &l.hs_code,
                &l.description,
                &l.quantity.to_string(),
                &format!("{:.2}", l.value_usd),
                &l.valid_from.to_string(),
                &l.valid_to.to_string(),
            ])?;
        }
        csv.flush()
    }
}

#[cfg(test)]
mod tests;
