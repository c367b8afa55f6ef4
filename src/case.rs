//! Case files: one JSON file that holds everything needed to come back to an investigation and
//! get the same flags: the input files (path, size, SHA-256, how each was read), the rules in
//! full with the scorer's version, the filters, the map view, the selection, and the
//! dispositions and notes. The format is documented in `docs/case-format.md`.
//!
//! - [`CaseFile::new`] describes the state of an analysis; the caller fills in filters, view,
//!   selection and triage. [`CaseFile::save`] writes it atomically and keeps the previous version
//!   beside it (`case.chiptrail.bak`), so a save killed half-way never leaves a broken case.
//! - [`CaseFile::load`] reads one back with errors that say what is wrong and where.
//! - [`open_case`] reads every input again, checks its size and SHA-256, and scores it with the
//!   case's rules; every missing or changed input is named, and [`Locate`] says where moved
//!   files are now.
//!
//! Times are given by the caller (the core reads no clock), so a case replays exactly.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::analysis::Analysis;
use crate::filter::RouteFilter;
use crate::gazetteer::Gazetteer;
use crate::ingest::{self, DateOrder, IngestError, Mapping, Progress, ReadOptions};
use crate::model::{Dataset, Format};
use crate::output::write_atomic;
use crate::rules::Rules;
use crate::triage::{RouteKey, Triage};

/// The value of `format` in every case file.
pub const CASE_FORMAT: &str = "chiptrail-case";
/// The case format version this build writes and the newest it reads.
pub const CASE_VERSION: u32 = 1;
/// The extension of case files (`investigation.chiptrail`).
pub const CASE_EXTENSION: &str = "chiptrail";

/// A whole case, as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Always [`CASE_FORMAT`]: tells a case from any other JSON file.
    pub format: String,
    /// [`CASE_VERSION`] when written by this build.
    pub version: u32,
    /// When the case was saved, as the caller gave it (ISO 8601, UTC).
    #[serde(default)]
    pub saved_at: String,
    /// The program that scored it and the digest of its rules.
    pub scorer: Scorer,
    /// The rules in full, as a rules file's text ([`Rules::to_toml`]).
    pub rules: String,
    /// The input files, in the order they were loaded (the order matters: route ids and leg
    /// references follow it).
    pub inputs: Vec<CaseInput>,
    /// Which routes were shown.
    #[serde(default)]
    pub filter: RouteFilter,
    /// Where the map looked.
    #[serde(default)]
    pub view: View,
    /// The selected route, by what it is ([`RouteKey`]).
    #[serde(default)]
    pub selection: Option<RouteKey>,
    /// Dispositions and notes by route.
    #[serde(default)]
    pub triage: Triage,
    /// A fingerprint of the scored routes when the case was saved: opening checks that scoring
    /// again gives the same.
    #[serde(default)]
    pub results: Option<Results>,
}

/// Which program scored the case, and with which rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorer {
    /// The Chiptrail version (`0.1.0`).
    pub chiptrail: String,
    /// SHA-256 of the case's `rules` text.
    pub rules_sha256: String,
}

impl Scorer {
    /// This build with these rules.
    pub fn current(rules: &Rules) -> Scorer {
        Scorer {
            chiptrail: env!("CARGO_PKG_VERSION").to_string(),
            rules_sha256: rules.digest(),
        }
    }
}

/// The map view: centre (longitude, latitude) and zoom (walkers' zoom levels).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub center: [f64; 2],
    pub zoom: f64,
}

impl Default for View {
    /// The app's first view: the whole trade from the Americas to East Asia.
    fn default() -> Self {
        View {
            center: [10.0, 25.0],
            zoom: 2.2,
        }
    }
}

/// One input file and how it was read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// The file as it was loaded: an absolute path, or `embedded:data/sample/...` for the
    /// embedded sample. A relative path is read from the case file's folder.
    pub path: PathBuf,
    /// The same file relative to the case file's folder when the case was saved, tried when
    /// `path` is gone (a case folder moved or sent whole).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative: Option<PathBuf>,
    /// Size of the file in bytes.
    pub size: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The format the file was forced to be read as; absent when it was detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<Format>,
    /// The column mapping it was read with, as a mapping file's text ([`Mapping::to_toml`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
    /// The day/month order it was read with, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrder>,
    /// What the file held: one table for a plain file, one per member for a zip.
    pub tables: Vec<CaseTable>,
}

/// One table read out of an input, as it was read when the case was saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseTable {
    /// The table's name: the file's name, with the member or sheet inside a container
    /// (`BACI_HS92_V202401.zip!BACI_HS92_Y2022_V202401.csv`, `book.xlsx!Sheet1`).
    pub name: String,
    /// SHA-256 of the table's own bytes (the member, the decompressed data).
    pub sha256: String,
    pub format: Format,
    /// Canonical column -> header in the file, as the reader used them (a JSON object, in
    /// canonical order).
    #[serde(default, with = "pairs")]
    pub columns: Vec<(String, String)>,
    /// Canonical column -> the value every row was given.
    #[serde(default, with = "pairs", skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<(String, String)>,
    pub rows_total: usize,
    pub rows_loaded: usize,
    pub rows_rejected: usize,
}

/// Ordered (key, value) pairs as a JSON object, keys in the order given.
mod pairs {
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of column names and texts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    out.push(pair);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Pairs)
    }
}

/// A fingerprint of an analysis' routes: how many, how many flagged, and a SHA-256 over each
/// route's id, key, score (six decimals) and flag in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub routes: usize,
    pub flagged: usize,
    pub sha256: String,
}

impl Results {
    /// The fingerprint of `analysis`.
    pub fn of(analysis: &Analysis, g: &Gazetteer) -> Results {
        let mut h = Sha256::new();
        for r in &analysis.routes {
            h.update(
                format!(
                    "{}\t{}\t{:.6}\t{}\n",
                    r.id,
                    RouteKey::of(r, g).0,
                    r.score.score,
                    r.score.flagged
                )
                .as_bytes(),
            );
        }
        Results {
            routes: analysis.routes.len(),
            flagged: analysis.routes.iter().filter(|r| r.score.flagged).count(),
            sha256: hex(&h.finalize()),
        }
    }
}

impl CaseInput {
    /// Describes a loaded file from the datasets read out of it (in order) and the options it
    /// was read with. The path is made absolute (a case may be opened from another folder);
    /// size and SHA-256 are those the reader computed from the bytes it read.
    pub fn new(file: &Path, options: &ReadOptions, tables: &[&Dataset]) -> CaseInput {
        let path = if crate::sample::embedded_file(file).is_some() {
            file.to_path_buf()
        } else {
            std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf())
        };
        let (size, sha256) = tables
            .first()
            .map(|d| {
                let (_, sha, size) = d.provenance.file();
                (size, sha.to_string())
            })
            .unwrap_or_default();
        CaseInput {
            path,
            relative: None,
            size,
            sha256,
            read_as: options.format,
            mapping: options.mapping.as_ref().map(Mapping::to_toml),
            date_order: options.date_order,
            tables: tables
                .iter()
                .map(|d| CaseTable {
                    name: table_name(file, &d.provenance.path),
                    sha256: d.provenance.sha256.clone(),
                    format: d.provenance.format,
                    columns: d.provenance.columns.clone(),
                    fixed: d.provenance.fixed.clone(),
                    rows_total: d.rows_total,
                    rows_loaded: d.records.len(),
                    rows_rejected: d.rejects.len(),
                })
                .collect(),
        }
    }

    /// Describes every loaded dataset as inputs: consecutive datasets from the same file on
    /// disk (the tables of one zip) are one input. `options_of` gives the options each file was
    /// read with (`ReadOptions::default()` for a file read as detected).
    pub fn from_datasets<'a>(
        datasets: impl IntoIterator<Item = &'a Dataset>,
        options_of: impl Fn(&Path) -> ReadOptions,
    ) -> Vec<CaseInput> {
        let mut groups: Vec<(PathBuf, Vec<&Dataset>)> = Vec::new();
        for d in datasets {
            let file = d.provenance.file().0;
            match groups.last_mut() {
                Some((path, tables)) if path == file && d.provenance.archive.is_some() => {
                    tables.push(d)
                }
                _ => groups.push((file.to_path_buf(), vec![d])),
            }
        }
        groups
            .iter()
            .map(|(path, tables)| CaseInput::new(path, &options_of(path), tables))
            .collect()
    }

    /// The options the file is read with again.
    pub fn read_options(&self) -> Result<ReadOptions, String> {
        let mapping = match &self.mapping {
            Some(text) => Some(Mapping::parse(text)?),
            None => None,
        };
        Ok(ReadOptions {
            format: self.read_as,
            mapping,
            date_order: self.date_order,
            count_only: false,
            skip_hash: false,
        })
    }

    /// The file's name, for messages.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// A table's name in its file: `file.csv`, `BACI.zip!dir/member.csv`.
fn table_name(file: &Path, table: &Path) -> String {
    let file_name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let (f, t) = (file.to_string_lossy(), table.to_string_lossy());
    match t.strip_prefix(f.as_ref()) {
        Some(member) => format!("{}{member}", file_name(file)),
        None => file_name(table),
    }
}

/// Why a case file could not be read or written.
#[derive(Debug, Error)]
pub enum CaseError {
    #[error("cannot read the case file {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot save the case file {}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "not a Chiptrail case file: expected a JSON object with \"format\": \"{CASE_FORMAT}\", found {found}: {}",
        path.display()
    )]
    NotACase { found: String, path: PathBuf },
    #[error(
        "the case file was saved by a newer Chiptrail (case format version {found}; this version reads up to {CASE_VERSION}): {}",
        path.display()
    )]
    Newer { found: u64, path: PathBuf },
    #[error("the case file is damaged or was edited by hand: {message}: {}", path.display())]
    Invalid { message: String, path: PathBuf },
    #[error("the case file's rules cannot be used: {message}: {}", path.display())]
    Rules { message: String, path: PathBuf },
    #[error(
        "the case file's column mapping for {input} cannot be used: {message}: {}",
        path.display()
    )]
    Mapping {
        input: String,
        message: String,
        path: PathBuf,
    },
    #[error("{error}; the version saved before it is whole and loads: {}", backup.display())]
    BackupAvailable {
        error: Box<CaseError>,
        backup: PathBuf,
    },
}

/// Where the previous version of a case is kept: `case.chiptrail.bak` beside `case.chiptrail`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".bak");
    path.with_file_name(name)
}

impl CaseFile {
    /// A case of `analysis` read from `inputs`, saved at `saved_at`: its rules in full, the
    /// scorer's version, the results' fingerprint, and the default filters and view, no
    /// selection and no triage (set those fields from the app's state).
    pub fn new(inputs: Vec<CaseInput>, analysis: &Analysis, saved_at: &str) -> CaseFile {
        CaseFile {
            format: CASE_FORMAT.to_string(),
            version: CASE_VERSION,
            saved_at: saved_at.to_string(),
            scorer: Scorer::current(&analysis.rules),
            rules: analysis.rules.to_toml(),
            inputs,
            filter: RouteFilter::default(),
            view: View::default(),
            selection: None,
            triage: Triage::default(),
            results: Some(Results::of(analysis, Gazetteer::embedded())),
        }
    }

    /// The case's rules.
    pub fn rules(&self) -> Result<Rules, String> {
        Rules::from_toml(&self.rules).map_err(|e| e.to_string())
    }

    /// The case as it is written to `path`: pretty JSON, each input's `relative` path set from
    /// the folder of `path`.
    pub fn to_json(&self, path: &Path) -> String {
        let mut case = self.clone();
        let folder = absolute_folder(path);
        for input in &mut case.inputs {
            // A relative path (a hand-made case) is already read from the case's folder.
            input.relative = if crate::sample::embedded_file(&input.path).is_some()
                || input.path.is_relative()
            {
                None
            } else {
                folder
                    .as_deref()
                    .and_then(|f| relative_path(&input.path, f))
            };
        }
        let mut text = serde_json::to_string_pretty(&case).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Saves the case to `path` in one step (a temporary file, then a rename), after copying
    /// the version it replaces, when that one loads, to [`backup_path`]. Whenever the process
    /// stops, `path` holds either the previous case or the new one, whole.
    pub fn save(&self, path: &Path) -> Result<(), CaseError> {
        self.save_with(path, |out, bytes| out.write_all(bytes))
    }

    /// [`CaseFile::save`] with the final write done by `write` (tests make it fail half-way).
    fn save_with(
        &self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write, &[u8]) -> std::io::Result<()>,
    ) -> Result<(), CaseError> {
        let text = self.to_json(path);
        let failed = |source| CaseError::Write {
            path: path.to_path_buf(),
            source,
        };
        // Keep the previous version, but never let a damaged file replace a good backup.
        if let Ok(old) = std::fs::read(path)
            && parse(&old, path).is_ok()
        {
            write_atomic(&backup_path(path), |out| out.write_all(&old)).map_err(failed)?;
        }
        write_atomic(path, |out| write(out, text.as_bytes())).map_err(failed)
    }

    /// Reads a case file. Errors name what is wrong (not a case, a newer version, a bad value
    /// with its line and column, rules or a mapping that cannot be used) and, when the case
    /// cannot be read but the version saved before it can, that backup.
    pub fn load(path: &Path) -> Result<CaseFile, CaseError> {
        let bytes = std::fs::read(path).map_err(|source| CaseError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        parse(&bytes, path).map_err(|e| {
            let backup = backup_path(path);
            match std::fs::read(&backup) {
                Ok(b) if parse(&b, &backup).is_ok() => CaseError::BackupAvailable {
                    error: Box::new(e),
                    backup,
                },
                _ => e,
            }
        })
    }
}

/// Parses and checks a case file's bytes; `path` is for messages.
fn parse(bytes: &[u8], path: &Path) -> Result<CaseFile, CaseError> {
    let at = |what: &str, e: &serde_json::Error| {
        format!(
            "{what} at line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        )
    };
    let text = std::str::from_utf8(bytes).map_err(|_| CaseError::NotACase {
        found: "binary data".into(),
        path: path.to_path_buf(),
    })?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        if text.trim_start().starts_with('{') {
            CaseError::Invalid {
                message: at("not valid JSON", &e),
                path: path.to_path_buf(),
            }
        } else {
            CaseError::NotACase {
                found: "something that is not JSON".into(),
                path: path.to_path_buf(),
            }
        }
    })?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(CASE_FORMAT) => {}
        Some(other) => {
            return Err(CaseError::NotACase {
                found: format!("\"format\": \"{other}\""),
                path: path.to_path_buf(),
            });
        }
        None => {
            return Err(CaseError::NotACase {
                found: "no \"format\" key".into(),
                path: path.to_path_buf(),
            });
        }
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v > u64::from(CASE_VERSION) => {
            return Err(CaseError::Newer {
                found: v,
                path: path.to_path_buf(),
            });
        }
        _ => {}
    }
    let case: CaseFile = serde_json::from_str(text).map_err(|e| CaseError::Invalid {
        message: at("bad value", &e),
        path: path.to_path_buf(),
    })?;
    case.rules().map_err(|message| CaseError::Rules {
        message,
        path: path.to_path_buf(),
    })?;
    for input in &case.inputs {
        input.read_options().map_err(|message| CaseError::Mapping {
            input: input.path.display().to_string(),
            message,
            path: path.to_path_buf(),
        })?;
    }
    Ok(case)
}

/// serde_json ends its messages with " at line L column C"; the message says where already.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// True when `path` is a case file: its extension is `.chiptrail`, or it is a JSON object whose
/// first bytes say `"format": "chiptrail-case"`.
pub fn is_case_file(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(CASE_EXTENSION))
    {
        return true;
    }
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.trim_start().starts_with('{')
        && head.contains(&format!("\"{CASE_FORMAT}\""))
        && head.contains("\"format\"")
}

/// What `chiptrail open PATH...` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenRequest {
    /// The embedded sample (no paths).
    Sample,
    /// Data files.
    Files(Vec<PathBuf>),
    /// One case file.
    Case(PathBuf),
}

impl OpenRequest {
    /// Tells a case file from data files ([`is_case_file`]); a case opens on its own.
    pub fn classify(paths: Vec<PathBuf>) -> Result<OpenRequest, String> {
        let cases: Vec<&PathBuf> = paths.iter().filter(|p| is_case_file(p)).collect();
        match (paths.len(), cases.as_slice()) {
            (0, _) => Ok(OpenRequest::Sample),
            (_, []) => Ok(OpenRequest::Files(paths)),
            (1, [case]) => Ok(OpenRequest::Case((*case).clone())),
            (_, [case, ..]) => Err(format!(
                "a case file opens on its own (it names its inputs): {} was given with other files",
                case.display()
            )),
        }
    }
}

/// Where to look for a case's inputs.
#[derive(Clone, Debug, Default)]
pub struct Locate {
    /// The case file's folder: relative input paths are read from here, and each input's
    /// `relative` path is tried here when its `path` is gone.
    pub case_dir: Option<PathBuf>,
    /// Inputs that moved: the path recorded in the case -> where the file is now.
    pub relocated: BTreeMap<PathBuf, PathBuf>,
}

impl Locate {
    /// Looks for inputs as recorded and beside the case file at `case_path`.
    pub fn beside(case_path: &Path) -> Locate {
        Locate {
            case_dir: absolute_folder(case_path),
            relocated: BTreeMap::new(),
        }
    }

    /// Adds a moved input: `recorded` (an input's `path`) is now at `now`.
    pub fn moved(mut self, recorded: impl Into<PathBuf>, now: impl Into<PathBuf>) -> Locate {
        self.relocated.insert(recorded.into(), now.into());
        self
    }

    /// The places an input may be, in the order they are tried.
    fn candidates(&self, input: &CaseInput) -> Vec<PathBuf> {
        if let Some(now) = self.relocated.get(&input.path) {
            return vec![now.clone()];
        }
        let mut out = Vec::new();
        match &self.case_dir {
            Some(dir) if input.path.is_relative() => out.push(lexical_join(dir, &input.path)),
            _ => out.push(input.path.clone()),
        }
        if let (Some(dir), Some(rel)) = (&self.case_dir, &input.relative) {
            let p = lexical_join(dir, rel);
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

/// One reason a case cannot be opened as saved.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CaseProblem {
    #[error("input missing: {} (looked at {}); locate the file to open the case", path.display(), list(tried))]
    Missing { path: PathBuf, tried: Vec<PathBuf> },
    #[error(
        "input changed: {} differs from the file the case was saved with ({}): the flags would not be the same; locate the original file",
        path.display(),
        changed(expected_size, found_size, expected_sha256, found_sha256)
    )]
    Changed {
        /// The path recorded in the case.
        path: PathBuf,
        /// Where the changed file was found.
        found_at: PathBuf,
        expected_size: u64,
        found_size: u64,
        expected_sha256: String,
        found_sha256: String,
    },
    #[error("input unreadable: {} ({message})", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error("the case's rules cannot be used: {0}")]
    Rules(String),
    #[error("opening the case was cancelled")]
    Cancelled,
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn changed(expected_size: &u64, found_size: &u64, expected: &str, found: &str) -> String {
    if expected_size != found_size {
        format!(
            "{found_size} bytes instead of {expected_size}, SHA-256 {found} instead of {expected}"
        )
    } else {
        format!("same size, but SHA-256 {found} instead of {expected}")
    }
}

impl CaseProblem {
    /// The input the problem is about, as the case records it (the key to give
    /// [`Locate::moved`]); `None` for problems with no file.
    pub fn input(&self) -> Option<&Path> {
        match self {
            CaseProblem::Missing { path, .. }
            | CaseProblem::Changed { path, .. }
            | CaseProblem::Unreadable { path, .. } => Some(path),
            CaseProblem::Rules(_) | CaseProblem::Cancelled => None,
        }
    }
}

/// Every reason a case could not be opened (all inputs are checked, not just the first).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{}", self.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct CaseProblems {
    pub problems: Vec<CaseProblem>,
}

/// A case read back: its data scored again with its rules, and its triage and view.
#[derive(Clone, Debug)]
pub struct OpenedCase {
    /// Every table of every input, in the case's order (screening lists included), as the
    /// app holds them.
    pub datasets: Vec<Dataset>,
    /// The datasets scored with the case's rules ([`Analysis::run_all`]).
    pub analysis: Analysis,
    pub triage: Triage,
    pub filter: RouteFilter,
    pub view: View,
    pub selection: Option<RouteKey>,
    /// The index in `analysis.routes` of the selected route, when it is still there.
    pub selected: Option<usize>,
    /// Routes with a disposition or notes that the data no longer has.
    pub orphans: Vec<RouteKey>,
    /// The inputs with the paths they were read from now (what a later save records).
    pub inputs: Vec<CaseInput>,
    /// What the user should know but that does not stop the case from opening: another
    /// Chiptrail version, rules edited by hand, results that differ from the saved ones, a
    /// file read differently.
    pub warnings: Vec<String>,
}

/// Opens a case: reads every input again, checks its size and SHA-256, and scores the data with
/// the case's rules. See [`open_case_with`].
pub fn open_case(case: &CaseFile, locate: &Locate) -> Result<OpenedCase, CaseProblems> {
    open_case_with(case, locate, None)
}

/// [`open_case`] with a progress callback (fraction done; return `false` to cancel). Every input
/// is checked before anything is scored: the error lists each missing, changed or unreadable
/// file.
pub fn open_case_with(
    case: &CaseFile,
    locate: &Locate,
    progress: Option<Progress<'_>>,
) -> Result<OpenedCase, CaseProblems> {
    let g = Gazetteer::embedded();
    let mut noop = |_: f64| true;
    let progress: Progress<'_> = match progress {
        Some(p) => p,
        None => &mut noop,
    };
    let fail = |p: CaseProblem| CaseProblems { problems: vec![p] };
    let rules = case.rules().map_err(|m| fail(CaseProblem::Rules(m)))?;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut datasets = Vec::new();
    let mut inputs = Vec::new();
    let n = case.inputs.len().max(1) as f64;
    for (k, input) in case.inputs.iter().enumerate() {
        let mut report = |f: f64| progress((k as f64 + f) / n * 0.8);
        match read_input(input, locate, g, &mut report) {
            Ok((found_at, opened)) => {
                if let Some(w) = read_differently(input, &opened.datasets) {
                    warnings.push(w);
                }
                let mut notes = Some(opened.notes);
                for mut d in opened.datasets {
                    d.provenance.notes.extend(notes.take().unwrap_or_default());
                    datasets.push(d);
                }
                inputs.push(CaseInput {
                    path: found_at,
                    ..input.clone()
                });
            }
            Err(CaseProblem::Cancelled) => return Err(fail(CaseProblem::Cancelled)),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(CaseProblems { problems });
    }
    if !progress(0.85) {
        return Err(fail(CaseProblem::Cancelled));
    }
    let refs: Vec<&Dataset> = datasets.iter().collect();
    let analysis = Analysis::run_all(&refs, &rules, g);
    let version = env!("CARGO_PKG_VERSION");
    if case.scorer.chiptrail != version {
        warnings.push(format!(
            "the case was scored by Chiptrail {} and is scored again by {version}: scores may differ",
            case.scorer.chiptrail
        ));
    }
    if case.scorer.rules_sha256 != sha256_hex(case.rules.as_bytes()) {
        warnings.push(
            "the case's rules differ from the digest saved with them (edited by hand?): they are used as they are".into(),
        );
    }
    if let Some(saved) = &case.results {
        let now = Results::of(&analysis, g);
        if &now != saved {
            warnings.push(format!(
                "scoring again does not give the saved results: {} routes, {} flagged when saved; {} routes, {} flagged now",
                saved.routes, saved.flagged, now.routes, now.flagged
            ));
        }
    }
    let selected = case.selection.as_ref().and_then(|key| {
        analysis
            .routes
            .iter()
            .position(|r| &RouteKey::of(r, g) == key)
    });
    if let (Some(key), None) = (&case.selection, selected) {
        warnings.push(format!(
            "the selected route is no longer in the data: {}",
            key.0
        ));
    }
    let orphans = case.triage.orphans(&analysis.routes, g);
    progress(1.0);
    Ok(OpenedCase {
        datasets,
        analysis,
        triage: case.triage.clone(),
        filter: case.filter.clone(),
        view: case.view,
        selection: case.selection.clone(),
        selected,
        orphans,
        inputs,
        warnings,
    })
}

/// Finds, checks and reads one input: (where it was found, what it held).
fn read_input(
    input: &CaseInput,
    locate: &Locate,
    g: &Gazetteer,
    progress: Progress<'_>,
) -> Result<(PathBuf, ingest::Opened), CaseProblem> {
    let options = input
        .read_options()
        .map_err(|message| CaseProblem::Unreadable {
            path: input.path.clone(),
            message: format!("column mapping: {message}"),
        })?;
    let (found_at, bytes): (PathBuf, std::borrow::Cow<'_, [u8]>) =
        match crate::sample::embedded_file(&input.path) {
            Some(text) if !locate.relocated.contains_key(&input.path) => {
                (input.path.clone(), text.as_bytes().into())
            }
            _ => {
                let tried = locate.candidates(input);
                let Some(at) = tried.iter().find(|p| p.is_file()) else {
                    return Err(CaseProblem::Missing {
                        path: input.path.clone(),
                        tried,
                    });
                };
                let bytes = std::fs::read(at).map_err(|e| CaseProblem::Unreadable {
                    path: input.path.clone(),
                    message: format!("{e}: {}", at.display()),
                })?;
                (at.clone(), bytes.into())
            }
        };
    let sha = sha256_hex(&bytes);
    if sha != input.sha256 || bytes.len() as u64 != input.size {
        return Err(CaseProblem::Changed {
            path: input.path.clone(),
            found_at,
            expected_size: input.size,
            found_size: bytes.len() as u64,
            expected_sha256: input.sha256.clone(),
            found_sha256: sha,
        });
    }
    match ingest::read_bytes_all(&bytes, &found_at, &options, g, Some(progress)) {
        Ok(opened) => Ok((found_at, opened)),
        Err(IngestError::Cancelled) => Err(CaseProblem::Cancelled),
        Err(e) => Err(CaseProblem::Unreadable {
            path: input.path.clone(),
            message: e.to_string(),
        }),
    }
}

/// A warning when the same bytes gave other tables than when the case was saved (another
/// version's reader).
fn read_differently(input: &CaseInput, datasets: &[Dataset]) -> Option<String> {
    let now: Vec<(&str, Format, usize, usize)> = datasets
        .iter()
        .map(|d| {
            (
                d.provenance.sha256.as_str(),
                d.provenance.format,
                d.records.len(),
                d.rejects.len(),
            )
        })
        .collect();
    let then: Vec<(&str, Format, usize, usize)> = input
        .tables
        .iter()
        .map(|t| (t.sha256.as_str(), t.format, t.rows_loaded, t.rows_rejected))
        .collect();
    (now != then).then(|| {
        let loaded = |rows: &[(&str, Format, usize, usize)]| -> usize {
            rows.iter().map(|r| r.2).sum()
        };
        format!(
            "{} was read differently than when the case was saved: {} tables, {} rows loaded then; {} tables, {} rows loaded now",
            input.name(),
            then.len(),
            loaded(&then),
            now.len(),
            loaded(&now)
        )
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The absolute folder of a file path.
fn absolute_folder(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    absolute.parent().map(Path::to_path_buf)
}

/// `dir` joined with a relative path, `.` and `..` resolved on the names (`/c/cases` and
/// `../data/x.csv` give `/c/data/x.csv`), so that messages and reports show plain paths.
fn lexical_join(dir: &Path, relative: &Path) -> PathBuf {
    let mut out = dir.to_path_buf();
    for c in relative.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `target` relative to the folder `base` (both absolute): `data/x.csv`, `../shared/x.csv`;
/// `None` when they do not share a root (another drive).
fn relative_path(target: &Path, base: &Path) -> Option<PathBuf> {
    let t: Vec<Component<'_>> = target.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    if t.first() != b.first() {
        return None;
    }
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_case() -> CaseFile {
        let g = Gazetteer::embedded();
        let d = crate::sample::embedded_dataset(g).unwrap();
        let analysis = Analysis::run_all(&[&d], &Rules::default(), g);
        let inputs = CaseInput::from_datasets([&d], |_| ReadOptions::default());
        CaseFile::new(inputs, &analysis, "2026-11-29T10:00:00Z")
    }

    #[test]
    fn relative_paths_walk_up_and_down() {
        assert_eq!(
            lexical_join(Path::new("/c/cases"), Path::new("../data/./x.csv")),
            PathBuf::from("/c/data/x.csv")
        );
        assert_eq!(
            relative_path(Path::new("/a/b/data/x.csv"), Path::new("/a/b")),
            Some(PathBuf::from("data/x.csv"))
        );
        assert_eq!(
            relative_path(Path::new("/a/shared/x.csv"), Path::new("/a/b/cases")),
            Some(PathBuf::from("../../shared/x.csv"))
        );
    }

    #[test]
    fn the_embedded_sample_is_an_input_that_needs_no_file() {
        let case = sample_case();
        assert_eq!(case.inputs.len(), 1);
        assert_eq!(
            case.inputs[0].path,
            PathBuf::from("embedded:data/sample/shipments.csv")
        );
        let opened = open_case(&case, &Locate::default()).unwrap();
        assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
        assert_eq!(
            Results::of(&opened.analysis, Gazetteer::embedded()),
            case.results.clone().unwrap()
        );
    }

    #[test]
    fn a_save_that_fails_half_way_leaves_the_old_case_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("case.chiptrail");
        let mut case = sample_case();
        case.saved_at = "first".into();
        case.save(&path).unwrap();
        assert!(
            !backup_path(&path).exists(),
            "nothing to keep on the first save"
        );
        let first = std::fs::read(&path).unwrap();
        case.saved_at = "second".into();
        let failed = case.save_with(&path, |out, bytes| {
            out.write_all(&bytes[..bytes.len() / 2])?;
            Err(std::io::Error::other("the disk filled up"))
        });
        let err = failed.unwrap_err();
        assert!(
            err.to_string().contains("cannot save the case file"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            first,
            "the case is untouched"
        );
        assert_eq!(CaseFile::load(&path).unwrap().saved_at, "first");
        // No half-written temporary is left beside it.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
        // A save that goes through keeps the version it replaces.
        case.save(&path).unwrap();
        assert_eq!(CaseFile::load(&path).unwrap().saved_at, "second");
        assert_eq!(
            CaseFile::load(&backup_path(&path)).unwrap().saved_at,
            "first"
        );
    }

    #[test]
    fn a_damaged_case_names_the_problem_and_its_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("case.chiptrail");
        let case = sample_case();
        case.save(&path).unwrap();
        case.save(&path).unwrap();
        // Cut short, as a crash of another program writing it in place would leave it.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        let err = CaseFile::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("not valid JSON at line") && err.contains("case.chiptrail.bak"),
            "{err}"
        );
        // Saving over a damaged case does not replace the good backup with it.
        case.save(&path).unwrap();
        assert!(CaseFile::load(&backup_path(&path)).is_ok());
    }

    #[test]
    fn load_errors_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let msg = |p: PathBuf| CaseFile::load(&p).unwrap_err().to_string();
        let csv = write("a.chiptrail", "shipment_id,date\n");
        assert!(msg(csv).contains("not a Chiptrail case file"));
        let other = write("b.chiptrail", "{\"format\": \"geojson\"}");
        assert!(msg(other).contains("\"format\": \"geojson\""));
        let newer = write(
            "c.chiptrail",
            "{\"format\": \"chiptrail-case\", \"version\": 7}",
        );
        let m = msg(newer);
        assert!(
            m.contains("newer Chiptrail") && m.contains("version 7"),
            "{m}"
        );
        let mut v: serde_json::Value =
            serde_json::from_str(&sample_case().to_json(Path::new("x"))).unwrap();
        v["view"]["zoom"] = serde_json::json!("close");
        let bad = write("d.chiptrail", &serde_json::to_string_pretty(&v).unwrap());
        let m = msg(bad);
        assert!(
            m.contains("bad value at line") && m.contains("d.chiptrail"),
            "{m}"
        );
        let mut v: serde_json::Value =
            serde_json::from_str(&sample_case().to_json(Path::new("x"))).unwrap();
        v["rules"] = serde_json::json!("[scoring]\nflag_treshold = 0.4\n");
        let m = msg(write("e.chiptrail", &v.to_string()));
        assert!(m.contains("rules") && m.contains("flag_treshold"), "{m}");
    }

    #[test]
    fn case_files_are_told_from_data_files() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("x.json");
        sample_case().save(&case).unwrap();
        let data = dir.path().join("d.csv");
        std::fs::write(&data, "shipment_id,date\n").unwrap();
        assert!(is_case_file(&case), "by content");
        assert!(is_case_file(Path::new("missing.chiptrail")), "by extension");
        assert!(!is_case_file(&data));
        assert_eq!(
            OpenRequest::classify(vec![case.clone()]).unwrap(),
            OpenRequest::Case(case.clone())
        );
        assert_eq!(
            OpenRequest::classify(vec![data.clone()]).unwrap(),
            OpenRequest::Files(vec![data.clone()])
        );
        assert_eq!(
            OpenRequest::classify(Vec::new()).unwrap(),
            OpenRequest::Sample
        );
        assert!(OpenRequest::classify(vec![data, case]).is_err());
    }
}
