//! Files that hold tables instead of being one (data-formats §2b): gzip, zip archives (CEPII
//! BACI ships one CSV per year with its code lists in one zip) and Excel workbooks (`.xlsx`,
//! `.xls`; `.xlsb` and `.ods` as calamine reads them). What a file is comes from its first
//! bytes, never from its name.
//!
//! Every table inside is read by the CSV readers as a file of its own, so line numbers are the
//! member's own lines, and for a sheet its row numbers (title rows above the header keep their
//! numbers). [`Provenance::path`](crate::model::Provenance::path) names the member
//! (`archive.zip!member.csv`, `book.xlsx!Sheet1`), `sha256` is the member's and `archive` the
//! file on disk.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, DataRef, ExcelDateTime, Ods, Reader, Sheets, Xls, Xlsb, Xlsx};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::{
    ColumnMap, IngestError, Progress, ReadOptions, decode, describe_header, detect_format, hex,
    read_header, read_table, sniff_delimiter,
};
use crate::gazetteer::{AreaKind, CountryId, Gazetteer};
use crate::model::{ArchiveSource, Dataset};
use crate::text::squash;

/// What one file held: a dataset per table (a zip may hold many), and what was skipped or used
/// on the way (members that are not tables, the code lists of a BACI zip).
#[derive(Debug)]
pub struct Opened {
    pub datasets: Vec<Dataset>,
    /// Notes about the file as a whole; each dataset keeps its own in its provenance.
    pub notes: Vec<String>,
}

/// The most one zip member or gzip stream may decompress to: a zip bomb stops here.
const MAX_INFLATED: u64 = 8 << 30;
/// How deep containers may nest (a gzip in a zip in a zip ...).
const MAX_DEPTH: u8 = 4;
/// Rows of a sheet searched for the header: downloads put titles and notes above it.
const HEADER_ROWS: usize = 20;
/// Bytes of a zip member read to tell a code list from a table.
const PEEK: u64 = 64 << 10;

/// Reads every table in the file at `path`: the file itself when it is a CSV, the decompressed
/// data of a gzip file, each table member of a zip archive, the first sheet of a workbook with a
/// header Chiptrail knows.
pub fn read_path_all(
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    mut progress: Option<Progress<'_>>,
) -> Result<Opened, IngestError> {
    // A streamed read that turns out not to be UTF-8 starts again on the whole file: the
    // fraction read never goes back.
    let mut high = 0.0f64;
    let mut monotonic = |f: f64| {
        high = high.max(f);
        progress.as_mut().is_none_or(|p| p(high))
    };
    let bytes = match super::stream::read_path(path, options, gazetteer, &mut monotonic)? {
        super::stream::Streamed::Read(d) => {
            return Ok(Opened {
                datasets: vec![*d],
                notes: Vec::new(),
            });
        }
        super::stream::Streamed::Whole(Some(bytes)) => bytes,
        super::stream::Streamed::Whole(None) => {
            let stage = crate::timing::Stage::start("read: file into memory");
            let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            stage.end();
            bytes
        }
    };
    read_bytes_all(&bytes, path, options, gazetteer, Some(&mut monotonic))
}

/// [`read_path_all`] on bytes already read; `path` is recorded as their source.
pub fn read_bytes_all(
    bytes: &[u8],
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Option<Progress<'_>>,
) -> Result<Opened, IngestError> {
    let mut noop = |_: f64| true;
    let progress: Progress<'_> = match progress {
        Some(p) => p,
        None => &mut noop,
    };
    if sniff(bytes) == Kind::Text {
        let d = read_table(bytes, path, options, gazetteer, Some(progress), None)?;
        return Ok(Opened {
            datasets: vec![d],
            notes: Vec::new(),
        });
    }
    let archive = ArchiveSource {
        path: path.to_path_buf(),
        sha256: hex(&Sha256::digest(bytes)),
        size: bytes.len() as u64,
    };
    let ctx = Ctx {
        options,
        g: gazetteer,
        archive: &archive,
        codes: None,
    };
    // zip, flate2 and calamine are fuzzed, but a damaged file must never take the app down
    // (a panicking load thread would leave the GUI waiting): a panic becomes a file-level error.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        open(bytes, path, &ctx, 0, progress)
    }))
    .unwrap_or_else(|_| Err(reader_failed()))
}

fn reader_failed() -> IngestError {
    IngestError::Corrupt {
        kind: "an archive or workbook",
        reason: "its reader failed on it".into(),
    }
}

/// One table from a file that must hold exactly one (what [`super::read_bytes`] returns).
pub(super) fn read_one(
    bytes: &[u8],
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Option<Progress<'_>>,
) -> Result<Dataset, IngestError> {
    one(read_bytes_all(bytes, path, options, gazetteer, progress)?)
}

/// The one table of a file that must hold exactly one.
pub(super) fn one(opened: Opened) -> Result<Dataset, IngestError> {
    let Opened {
        mut datasets,
        notes,
    } = opened;
    if datasets.len() == 1
        && let Some(mut d) = datasets.pop()
    {
        d.provenance.notes.extend(notes);
        return Ok(d);
    }
    Err(IngestError::SeveralTables {
        count: datasets.len(),
        names: datasets
            .iter()
            .map(|d| member_name(&d.provenance.path))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The header of the first table in a file, as written (for a column-mapping dialog).
pub(super) fn peek_header(bytes: &[u8]) -> Result<Vec<String>, IngestError> {
    std::panic::catch_unwind(|| peek(bytes, 0)).unwrap_or_else(|_| Err(reader_failed()))
}

fn peek(bytes: &[u8], depth: u8) -> Result<Vec<String>, IngestError> {
    let kind = sniff(bytes);
    if kind != Kind::Text && depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    match kind {
        Kind::Text => {
            let (text, _) = decode(bytes)?;
            read_header(&text, sniff_delimiter(&text))
        }
        Kind::Gzip => peek(&gunzip(bytes)?.0, depth + 1),
        Kind::Cfb => peek_workbook(bytes, Book::Xls),
        Kind::Zip => {
            let mut zip = open_zip(bytes)?;
            if let Some(book) = workbook_kind(&zip) {
                return peek_workbook(bytes, book);
            }
            let mut first_error = None;
            for i in 0..zip.len() {
                let Ok(Member::Table { .. }) = classify(&mut zip, i) else {
                    continue;
                };
                match inflate(&mut zip, i).and_then(|data| peek(&data, depth + 1)) {
                    Ok(header) => return Ok(header),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            Err(first_error.unwrap_or(IngestError::NoTable {
                kind: "zip archive",
                found: "no member".into(),
            }))
        }
    }
}

/// What is around the table being read.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    options: &'a ReadOptions,
    g: &'a Gazetteer,
    /// The file on disk.
    archive: &'a ArchiveSource,
    /// The country code list of the zip the table is in (BACI).
    codes: Option<&'a CountryCodes>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Gzip,
    Zip,
    /// An OLE compound file: a legacy `.xls` workbook.
    Cfb,
}

/// Whether `bytes` start like a gzip, zip or workbook file rather than text.
pub(super) fn is_container(bytes: &[u8]) -> bool {
    sniff(bytes) != Kind::Text
}

fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(&[0x1F, 0x8B]) {
        Kind::Gzip
    } else if bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(b"PK\x05\x06")
        || bytes.starts_with(b"PK\x07\x08")
    {
        Kind::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Kind::Cfb
    } else {
        Kind::Text
    }
}

fn too_deep() -> IngestError {
    IngestError::NoTable {
        kind: "archive",
        found: format!("archives nested more than {MAX_DEPTH} deep"),
    }
}

/// Reads whatever `bytes` are; `name` is what their tables will be called.
fn open(
    bytes: &[u8],
    name: &Path,
    ctx: &Ctx<'_>,
    depth: u8,
    progress: Progress<'_>,
) -> Result<Opened, IngestError> {
    let kind = sniff(bytes);
    if kind != Kind::Text && depth >= MAX_DEPTH {
        return Err(too_deep());
    }
    match kind {
        Kind::Text => {
            let mut d = read_table(bytes, name, ctx.options, ctx.g, Some(progress), ctx.codes)?;
            if depth > 0 {
                d.provenance.archive = Some(ctx.archive.clone());
            }
            Ok(Opened {
                datasets: vec![d],
                notes: Vec::new(),
            })
        }
        Kind::Gzip => {
            let (data, inner) = gunzip(bytes)?;
            let mut opened = open(&data, name, ctx, depth + 1, progress)?;
            for d in &mut opened.datasets {
                d.provenance.encoding = format!("{} (gzip)", d.provenance.encoding);
            }
            if let Some(inner) = inner {
                opened
                    .notes
                    .push(format!("decompressed from gzip (the file inside: {inner})"));
            }
            Ok(opened)
        }
        Kind::Cfb => read_workbook(bytes, Book::Xls, name, ctx, progress),
        Kind::Zip => read_zip(bytes, name, ctx, depth, progress),
    }
}

/// Decompresses gzip data (several concatenated members too), with the name stored inside.
fn gunzip(bytes: &[u8]) -> Result<(Vec<u8>, Option<String>), IngestError> {
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut out = Vec::new();
    (&mut decoder)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .map_err(|e| IngestError::Corrupt {
            kind: "gzip data",
            reason: e.to_string(),
        })?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(IngestError::TooLarge {
            what: "the gzip data".into(),
            limit_gib: MAX_INFLATED >> 30,
        });
    }
    let inner = decoder
        .header()
        .and_then(|h| h.filename())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .filter(|n| !n.is_empty());
    Ok((out, inner))
}

type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

fn open_zip(bytes: &[u8]) -> Result<Zip<'_>, IngestError> {
    ZipArchive::new(Cursor::new(bytes)).map_err(|e| IngestError::Corrupt {
        kind: "a zip archive",
        reason: e.to_string(),
    })
}

/// A zip member, told apart by its name and first bytes.
enum Member {
    /// Folders, and what macOS and Windows leave in archives (`__MACOSX/`, `.DS_Store`).
    Clutter,
    /// A BACI `country_codes_V*.csv`, read whole.
    CountryCodes(Vec<u8>),
    /// A BACI `product_codes_HS*_V*.csv`: product names, which the flows do not need.
    ProductCodes,
    /// Anything else: a table, a nested archive, or something to skip with a note.
    Table { name: String, compressed: u64 },
}

fn member_label(zip: &Zip<'_>, i: usize) -> String {
    match zip.name_for_index(i) {
        Some(Ok(name)) => name.into_owned(),
        _ => format!("member {}", i + 1),
    }
}

fn classify(zip: &mut Zip<'_>, i: usize) -> Result<Member, String> {
    let mut file = zip.by_index(i).map_err(|e| e.to_string())?;
    let name = match file.name() {
        Ok(n) => n.into_owned(),
        Err(_) => String::from_utf8_lossy(file.name_raw()).into_owned(),
    };
    let base = name.rsplit('/').next().unwrap_or("");
    if file.is_dir()
        || name.starts_with("__MACOSX/")
        || base.starts_with("._")
        || base == ".DS_Store"
        || base.eq_ignore_ascii_case("Thumbs.db")
    {
        return Ok(Member::Clutter);
    }
    let compressed = file.compressed_size();
    let mut head = Vec::new();
    (&mut file)
        .take(PEEK)
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    match code_list(&head) {
        Some(CodeList::Country) => {
            (&mut file)
                .take(MAX_INFLATED)
                .read_to_end(&mut head)
                .map_err(|e| e.to_string())?;
            Ok(Member::CountryCodes(head))
        }
        Some(CodeList::Product) => Ok(Member::ProductCodes),
        None => Ok(Member::Table { name, compressed }),
    }
}

/// A member's bytes, decompressed.
fn inflate(zip: &mut Zip<'_>, i: usize) -> Result<Vec<u8>, IngestError> {
    let corrupt = |e: String| IngestError::Corrupt {
        kind: "a zip member",
        reason: e,
    };
    let file = zip.by_index(i).map_err(|e| corrupt(e.to_string()))?;
    // The declared size is only a hint: a damaged or hostile archive may declare anything.
    let mut out = Vec::with_capacity(file.size().min(64 << 20) as usize);
    file.take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .map_err(|e| corrupt(e.to_string()))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(IngestError::TooLarge {
            what: "a zip member".into(),
            limit_gib: MAX_INFLATED >> 30,
        });
    }
    Ok(out)
}

/// The workbook an Office/OpenDocument zip is.
fn workbook_kind(zip: &Zip<'_>) -> Option<Book> {
    if zip.index_for_name("xl/workbook.xml").is_some() {
        Some(Book::Xlsx)
    } else if zip.index_for_name("xl/workbook.bin").is_some() {
        Some(Book::Xlsb)
    } else if zip.index_for_name("content.xml").is_some()
        && zip.index_for_name("mimetype").is_some()
    {
        Some(Book::Ods)
    } else {
        None
    }
}

fn read_zip(
    bytes: &[u8],
    name: &Path,
    ctx: &Ctx<'_>,
    depth: u8,
    progress: Progress<'_>,
) -> Result<Opened, IngestError> {
    let mut zip = open_zip(bytes)?;
    if let Some(book) = workbook_kind(&zip) {
        return read_workbook(bytes, book, name, ctx, progress);
    }
    let mut notes = Vec::new();
    let mut tables = Vec::new();
    let mut country_lists: Vec<(String, Vec<u8>)> = Vec::new();
    let mut product_lists = Vec::new();
    let mut skipped: Vec<(String, IngestError)> = Vec::new();
    for i in 0..zip.len() {
        match classify(&mut zip, i) {
            Ok(Member::Clutter) => {}
            Ok(Member::CountryCodes(data)) => country_lists.push((member_label(&zip, i), data)),
            Ok(Member::ProductCodes) => product_lists.push(member_label(&zip, i)),
            Ok(Member::Table { name, compressed }) => tables.push((i, name, compressed)),
            Err(reason) => skipped.push((
                member_label(&zip, i),
                IngestError::Corrupt {
                    kind: "a zip member",
                    reason,
                },
            )),
        }
    }
    let codes = country_lists
        .first()
        .and_then(|(file, data)| CountryCodes::parse(file, data, ctx.g));
    let mut lists = Vec::new();
    if let Some(c) = &codes {
        lists.push(format!(
            "{} ({} codes: resolves BACI codes the embedded gazetteer lacks)",
            c.file,
            c.codes.len()
        ));
    }
    for (file, _) in country_lists.iter().skip(usize::from(codes.is_some())) {
        lists.push(format!(
            "{file} (not used: one country code list is enough)"
        ));
    }
    for file in &product_lists {
        lists.push(format!(
            "{file} (product names: not needed, HS codes are read as written)"
        ));
    }
    if !lists.is_empty() {
        notes.push(format!("code lists in the archive: {}", lists.join(", ")));
    }
    let inner = Ctx {
        codes: codes.as_ref(),
        ..*ctx
    };
    let total = tables.iter().map(|t| t.2.max(1)).sum::<u64>().max(1) as f64;
    let mut done = 0u64;
    let candidates = tables.len();
    let mut datasets = Vec::new();
    for (i, member, compressed) in tables {
        let member_path = PathBuf::from(format!("{}!{member}", name.display()));
        let (base, share) = (done as f64 / total, compressed.max(1) as f64 / total);
        let mut sub = |f: f64| progress(base + f * share);
        let outcome = inflate(&mut zip, i)
            .and_then(|data| open(&data, &member_path, &inner, depth + 1, &mut sub));
        match outcome {
            Ok(o) => {
                datasets.extend(o.datasets);
                notes.extend(o.notes.into_iter().map(|n| format!("{member}: {n}")));
            }
            Err(IngestError::Cancelled) => return Err(IngestError::Cancelled),
            Err(e) => skipped.push((member, e)),
        }
        done += compressed.max(1);
        if !progress(done as f64 / total) {
            return Err(IngestError::Cancelled);
        }
    }
    if datasets.is_empty() {
        // One member that failed: its own error says most (a CSV that was zipped).
        if candidates == 1
            && skipped.len() == 1
            && let Some((member, e)) = skipped.pop()
        {
            return Err(IngestError::Member {
                member,
                source: Box::new(e),
            });
        }
        let found = if skipped.is_empty() {
            if lists.is_empty() {
                "it is empty".to_string()
            } else {
                format!("only code lists ({})", lists.join(", "))
            }
        } else {
            skipped
                .iter()
                .map(|(m, e)| format!("{m}: {}", why_skipped(e)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        return Err(IngestError::NoTable {
            kind: "zip archive",
            found,
        });
    }
    for (member, e) in &skipped {
        notes.push(format!("skipped {member}: {}", why_skipped(e)));
    }
    Ok(Opened { datasets, notes })
}

/// Why a member was not loaded, in a few words.
fn why_skipped(e: &IngestError) -> String {
    match e {
        IngestError::Binary { .. } => "not a table (binary data)".into(),
        IngestError::Empty => "empty".into(),
        IngestError::UnknownHeader { found } => {
            format!("not a table Chiptrail knows (its first line has {found})")
        }
        other => other.to_string(),
    }
}

/// The last part of a member path (`a.zip!b.csv` -> `b.csv`).
fn member_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.rsplit('!').next().unwrap_or(&text).to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CodeList {
    Country,
    Product,
}

/// Tells BACI's code lists by their headers: `country_code,country_name,country_iso2,
/// country_iso3` (older releases: `country_code,country_name_abbreviation,country_name_full,
/// iso_2digit_alpha,iso_3digit_alpha`) and `code,description`.
fn code_list(head: &[u8]) -> Option<CodeList> {
    let line_end = head.iter().position(|b| *b == b'\n').unwrap_or(head.len());
    let line = String::from_utf8_lossy(&head[..line_end]);
    let line = line.trim_start_matches('\u{FEFF}');
    let delimiter = sniff_delimiter(line) as char;
    let keys: Vec<String> = line
        .split(delimiter)
        .map(|k| squash(k.trim().trim_matches('"')))
        .collect();
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("countrycode")
        && [
            "countryiso3",
            "countryiso2",
            "iso3digitalpha",
            "iso2digitalpha",
        ]
        .iter()
        .any(|k| has(k))
    {
        Some(CodeList::Country)
    } else if keys.len() == 2 && has("code") && has("description") {
        Some(CodeList::Product)
    } else {
        None
    }
}

/// A BACI country code list: code -> the country it names, where the gazetteer knows it.
#[derive(Debug)]
pub(crate) struct CountryCodes {
    /// The member it was read from.
    file: String,
    codes: FxHashMap<u16, CodeEntry>,
}

#[derive(Debug)]
struct CodeEntry {
    name: String,
    iso3: String,
    id: Option<CountryId>,
}

impl CountryCodes {
    fn parse(file: &str, bytes: &[u8], g: &Gazetteer) -> Option<CountryCodes> {
        let (text, _) = decode(bytes).ok()?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sniff_delimiter(&text))
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .ok()?
            .iter()
            .map(|h| squash(h.trim_start_matches('\u{FEFF}')))
            .collect();
        let col = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| header.iter().position(|h| h == n))
        };
        let code = col(&["countrycode"])?;
        let iso3 = col(&["countryiso3", "iso3digitalpha"]);
        let iso2 = col(&["countryiso2", "iso2digitalpha"]);
        let name = col(&["countryname", "countrynamefull", "countrynameabbreviation"]);
        let is_country = |id: &CountryId| g.country(*id).kind == AreaKind::Country;
        let mut codes = FxHashMap::default();
        for record in reader.records().flatten() {
            let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
            let Ok(n) = get(Some(code)).trim_end_matches(".0").parse::<u16>() else {
                continue;
            };
            let (iso3, iso2, name) = (get(iso3), get(iso2), get(name));
            let id = [iso3, iso2]
                .into_iter()
                .filter(|c| c.len() >= 2 && c.bytes().all(|b| b.is_ascii_alphabetic()))
                .find_map(|c| g.lookup(c).filter(is_country))
                .or_else(|| g.lookup(name).filter(is_country));
            codes.insert(
                n,
                CodeEntry {
                    name: name.to_string(),
                    iso3: iso3.to_string(),
                    id,
                },
            );
        }
        Some(CountryCodes {
            file: file.rsplit('/').next().unwrap_or(file).to_string(),
            codes,
        })
    }
}

/// BACI country cells: the gazetteer's M49 and BACI codes first, then the code list of the zip
/// the file came in, counting the codes only the list knew.
pub(super) struct BaciCountries<'a> {
    g: &'a Gazetteer,
    codes: Option<&'a CountryCodes>,
    used: BTreeMap<u16, usize>,
}

impl<'a> BaciCountries<'a> {
    pub(super) fn new(g: &'a Gazetteer, codes: Option<&'a CountryCodes>) -> Self {
        BaciCountries {
            g,
            codes,
            used: BTreeMap::new(),
        }
    }

    /// The country in a BACI `i`/`j` cell, or (`column`, reason).
    pub(super) fn get(&mut self, column: &str, text: &str) -> Result<CountryId, (String, String)> {
        let error = match super::comtrade::m49(self.g, column, text) {
            Ok(id) => return Ok(id),
            Err(e) => e,
        };
        let Some(codes) = self.codes else {
            return Err(error);
        };
        let Some((n, entry)) = text
            .trim_end_matches(".0")
            .parse::<u16>()
            .ok()
            .and_then(|n| codes.codes.get(&n).map(|e| (n, e)))
        else {
            return Err(error);
        };
        match entry.id {
            Some(id) => {
                *self.used.entry(n).or_default() += 1;
                Ok(id)
            }
            None => Err((
                column.to_string(),
                format!(
                    "BACI code {n} ({}{}) in {} is not a country Chiptrail knows",
                    entry.name,
                    if entry.iso3.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", entry.iso3)
                    },
                    codes.file
                ),
            )),
        }
    }

    /// Which codes the archive's list resolved, for the dataset's notes.
    pub(super) fn note(&self) -> Option<String> {
        let codes = self.codes?;
        if self.used.is_empty() {
            return None;
        }
        let used: Vec<String> = self
            .used
            .iter()
            .filter_map(|(n, cells)| {
                let entry = codes.codes.get(n)?;
                let id = entry.id?;
                Some(format!(
                    "{n} {} -> {} ({cells} cells)",
                    entry.name,
                    self.g.country(id).alpha2
                ))
            })
            .collect();
        Some(format!(
            "country codes the embedded gazetteer lacks, read from {} in the archive: {}",
            codes.file,
            used.join(", ")
        ))
    }
}

/// Workbook formats calamine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Book {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Book {
    fn name(self) -> &'static str {
        match self {
            Book::Xlsx => "xlsx",
            Book::Xlsb => "xlsb",
            Book::Xls => "xls",
            Book::Ods => "ods",
        }
    }
}

type Workbook<'a> = Sheets<Cursor<&'a [u8]>>;

fn open_workbook(bytes: &[u8], book: Book) -> Result<Workbook<'_>, IngestError> {
    let cursor = Cursor::new(bytes);
    let opened = match book {
        Book::Xlsx => Xlsx::new(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        Book::Xlsb => Xlsb::new(cursor)
            .map(Sheets::Xlsb)
            .map_err(|e| e.to_string()),
        Book::Xls => Xls::new(cursor).map(Sheets::Xls).map_err(|e| e.to_string()),
        Book::Ods => Ods::new(cursor).map(Sheets::Ods).map_err(|e| e.to_string()),
    };
    opened.map_err(|reason| IngestError::Corrupt {
        kind: "an Excel workbook",
        reason,
    })
}

/// Reads the first sheet with a header Chiptrail knows in its first rows.
fn read_workbook(
    bytes: &[u8],
    book: Book,
    name: &Path,
    ctx: &Ctx<'_>,
    progress: Progress<'_>,
) -> Result<Opened, IngestError> {
    let mut workbook = open_workbook(bytes, book)?;
    let sheets = workbook.sheet_names();
    let mut found = Vec::new();
    for sheet in &sheets {
        let mut scan = SheetScan::new(ctx.options);
        if let Err(reason) = for_each_row(&mut workbook, sheet, |row, cells| scan.push(row, cells))
        {
            found.push(format!("sheet '{sheet}' cannot be read ({reason})"));
            continue;
        }
        let text = match scan.finish() {
            Ok(text) => text,
            Err(what) => {
                found.push(format!("sheet '{sheet}' {what}"));
                continue;
            }
        };
        let sheet_path = PathBuf::from(format!("{}!{sheet}", name.display()));
        let mut d = read_table(
            text.csv.as_bytes(),
            &sheet_path,
            ctx.options,
            ctx.g,
            Some(progress),
            ctx.codes,
        )
        .map_err(|e| match e {
            IngestError::Cancelled => e,
            e => IngestError::Member {
                member: format!("sheet '{sheet}'"),
                source: Box::new(e),
            },
        })?;
        let p = &mut d.provenance;
        p.sha256 = hex(&Sha256::digest(bytes));
        p.size = bytes.len() as u64;
        p.archive = Some(ctx.archive.clone());
        p.encoding = book.name().to_string();
        let mut notes = vec![format!(
            "read sheet '{sheet}', header on row {}",
            text.header_row
        )];
        let others: Vec<String> = sheets
            .iter()
            .filter(|s| *s != sheet)
            .map(|s| format!("'{s}'"))
            .collect();
        if !others.is_empty() {
            notes.push(format!("other sheets not read: {}", others.join(", ")));
        }
        if text.dropped > 0 {
            notes.push(format!(
                "{} cells left of the header's first column ignored",
                text.dropped
            ));
        }
        notes.append(&mut p.notes);
        p.notes = notes;
        return Ok(Opened {
            datasets: vec![d],
            notes: Vec::new(),
        });
    }
    let found = if found.is_empty() {
        "no sheet".to_string()
    } else {
        found.join("; ")
    };
    Err(IngestError::UnknownHeader { found })
}

/// The header row of the first sheet with one (a recognisable header, or else the fullest of
/// the first rows), for a column-mapping dialog.
fn peek_workbook(bytes: &[u8], book: Book) -> Result<Vec<String>, IngestError> {
    let mut workbook = open_workbook(bytes, book)?;
    let options = ReadOptions::default();
    let mut fallback = None;
    for sheet in workbook.sheet_names() {
        let mut scan = SheetScan::new(&options);
        scan.keep_going = false;
        let _ = for_each_row(&mut workbook, &sheet, |row, cells| scan.push(row, cells));
        if let Some(k) = scan.recognised() {
            return Ok(header_texts(&scan.pending[k].1));
        }
        if fallback.is_none() {
            fallback = scan.fullest().map(|k| header_texts(&scan.pending[k].1));
        }
    }
    fallback.ok_or(IngestError::Empty)
}

/// Calls `row(index, cells)` for each row of a sheet with its non-empty cells as text, in column
/// order, until it returns false. Rows and columns count from 0.
fn for_each_row(
    workbook: &mut Workbook<'_>,
    sheet: &str,
    mut row: impl FnMut(u32, Vec<(u32, String)>) -> bool,
) -> Result<(), String> {
    if let Sheets::Xlsx(xlsx) = workbook {
        // Streamed: a large sheet never becomes a dense grid of cells.
        let mut reader = xlsx
            .worksheet_cells_reader(sheet)
            .map_err(|e| e.to_string())?;
        let mut current = None;
        let mut cells: Vec<(u32, String)> = Vec::new();
        while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
            let (r, c) = cell.get_position();
            if current != Some(r) {
                if let Some(at) = current {
                    cells.sort_by_key(|c| c.0);
                    if !row(at, std::mem::take(&mut cells)) {
                        return Ok(());
                    }
                }
                current = Some(r);
            }
            let text = data_ref_text(cell.get_value());
            if !text.is_empty() {
                cells.push((c, text));
            }
        }
        if let Some(at) = current {
            cells.sort_by_key(|c| c.0);
            row(at, cells);
        }
        return Ok(());
    }
    let range = workbook.worksheet_range(sheet).map_err(|e| e.to_string())?;
    let Some((r0, c0)) = range.start() else {
        return Ok(());
    };
    for (i, cells) in range.rows().enumerate() {
        let cells = cells
            .iter()
            .enumerate()
            .filter_map(|(j, d)| {
                let text = data_text(d);
                (!text.is_empty()).then(|| (c0 + j as u32, text))
            })
            .collect();
        if !row(r0 + i as u32, cells) {
            break;
        }
    }
    Ok(())
}

/// A sheet turned into CSV text whose line numbers are the sheet's row numbers.
#[derive(Debug)]
struct SheetText {
    csv: String,
    /// 1-based.
    header_row: u32,
    /// Non-empty cells left of the header's first column.
    dropped: usize,
}

/// Rows of a sheet as they arrive: the first ones held until the header is found among them,
/// then each row written as a CSV line under it.
struct SheetScan<'o> {
    options: &'o ReadOptions,
    /// Non-empty rows read before the header was decided.
    pending: Vec<(u32, Vec<(u32, String)>)>,
    header: Option<Span>,
    header_row: u32,
    lines: Vec<(u32, String)>,
    dropped: usize,
    /// False stops once the first rows are in (peeking).
    keep_going: bool,
    gave_up: bool,
}

/// The columns of the table: from the header's first non-empty cell, as wide as the header.
#[derive(Clone, Copy)]
struct Span {
    left: u32,
    width: usize,
}

impl<'o> SheetScan<'o> {
    fn new(options: &'o ReadOptions) -> Self {
        SheetScan {
            options,
            pending: Vec::new(),
            header: None,
            header_row: 0,
            lines: Vec::new(),
            dropped: 0,
            keep_going: true,
            gave_up: false,
        }
    }

    /// Takes one row's non-empty cells; returns false when the rest of the sheet is not needed.
    fn push(&mut self, row: u32, cells: Vec<(u32, String)>) -> bool {
        if cells.is_empty() {
            return true;
        }
        if let Some(span) = self.header {
            let line = span.line(&cells, &mut self.dropped);
            self.lines.push((row, line));
            return true;
        }
        self.pending.push((row, cells));
        if self.pending.len() < HEADER_ROWS {
            return true;
        }
        if !self.keep_going {
            return false;
        }
        self.decide()
    }

    /// The first pending row that is a header Chiptrail knows.
    fn recognised(&self) -> Option<usize> {
        self.pending
            .iter()
            .position(|(_, cells)| recognisable(&header_texts(cells), self.options))
    }

    /// The pending row with the most cells (the first of them): the likeliest header when none
    /// is recognised.
    fn fullest(&self) -> Option<usize> {
        let most = self.pending.iter().map(|(_, c)| c.len()).max()?;
        self.pending.iter().position(|(_, c)| c.len() == most)
    }

    /// Settles the header among the pending rows; false when there is none.
    fn decide(&mut self) -> bool {
        let chosen = self.recognised().or_else(|| {
            // A forced format reads the likeliest row and says what it lacks.
            self.options.format.and_then(|_| self.fullest())
        });
        let Some(k) = chosen else {
            self.gave_up = true;
            return false;
        };
        let pending = std::mem::take(&mut self.pending);
        let (row, cells) = &pending[k];
        let left = cells.first().map_or(0, |c| c.0);
        let right = cells.last().map_or(0, |c| c.0);
        let span = Span {
            left,
            width: (right - left) as usize + 1,
        };
        self.header = Some(span);
        self.header_row = row + 1;
        for (row, cells) in &pending[k..] {
            let line = span.line(cells, &mut self.dropped);
            self.lines.push((*row, line));
        }
        true
    }

    /// The CSV text, or what the first rows were when none is a header.
    fn finish(mut self) -> Result<SheetText, String> {
        if self.header.is_none() && !self.gave_up && !self.pending.is_empty() {
            self.decide();
        }
        if self.header.is_none() {
            return Err(match self.fullest() {
                Some(k) => {
                    let (row, cells) = &self.pending[k];
                    format!(
                        "has no header Chiptrail knows in its first {HEADER_ROWS} rows (row {}: {})",
                        row + 1,
                        describe_header(&header_texts(cells))
                    )
                }
                None => "is empty".to_string(),
            });
        }
        let mut lines = self.lines;
        if !lines.is_sorted_by_key(|l| l.0) {
            lines.sort_by_key(|l| l.0);
        }
        let mut csv = String::with_capacity(lines.iter().map(|l| l.1.len() + 1).sum::<usize>());
        let mut next = 0u32;
        for (row, line) in &lines {
            // Blank lines keep every line on its sheet row (the CSV reader skips them).
            while next < *row {
                csv.push('\n');
                next += 1;
            }
            csv.push_str(line);
            csv.push('\n');
            next += 1;
        }
        Ok(SheetText {
            csv,
            header_row: self.header_row,
            dropped: self.dropped,
        })
    }
}

impl Span {
    /// A row as one CSV line: every field quoted, as wide as the header at least.
    fn line(self, cells: &[(u32, String)], dropped: &mut usize) -> String {
        let mut fields: Vec<&str> = vec![""; self.width];
        for (col, text) in cells {
            let Some(k) = col.checked_sub(self.left) else {
                *dropped += 1;
                continue;
            };
            let k = k as usize;
            if k >= fields.len() {
                fields.resize(k + 1, "");
            }
            fields[k] = text;
        }
        let mut line = String::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            if !f.is_empty() {
                // One line per row, whatever the cell holds.
                let f = cell_text(f);
                line.push('"');
                line.push_str(&f.replace('"', "\"\""));
                line.push('"');
            }
        }
        line
    }
}

/// A row's cells as header names, from its first non-empty cell to its last.
fn header_texts(cells: &[(u32, String)]) -> Vec<String> {
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
        return Vec::new();
    };
    let mut out = vec![String::new(); (last.0 - first.0) as usize + 1];
    for (col, text) in cells {
        out[(col - first.0) as usize] = text.trim().to_string();
    }
    out
}

/// True when a row is a header Chiptrail reads: detected as any format, or, with a mapping,
/// naming every required column through it.
fn recognisable(header: &[String], options: &ReadOptions) -> bool {
    if detect_format(header, None).is_ok() {
        return true;
    }
    options.mapping.as_ref().is_some_and(|m| {
        ColumnMap::from_header(header, Some(m)).is_ok_and(|map| map.missing().is_empty())
    })
}

fn data_text(d: &Data) -> String {
    match d {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => cell_text(s),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => datetime_text(dt),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

fn data_ref_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => cell_text(s),
        DataRef::SharedString(s) => cell_text(s),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) => datetime_text(dt),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Cell text on one line: line breaks and other control characters become spaces, so that each
/// row stays one CSV line and keeps its row number.
fn cell_text(s: &str) -> String {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    } else {
        s.to_string()
    }
}

/// A number as a person reads it in Excel: 15 significant digits at most, so binary noise
/// (`1234.4999999999998`) goes; whole numbers without a fraction.
fn number_text(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let rounded: f64 = format!("{x:.14e}").parse().unwrap_or(x);
    format!("{rounded}")
}

/// A date cell as ISO `YYYY-MM-DD`, with ` HH:MM:SS` when it has a time of day.
fn datetime_text(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        return number_text(dt.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(1234.4999999999998), "1234.5");
        assert_eq!(number_text(1234.5), "1234.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1234.0), "1234");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(8542310000.0), "8542310000");
        assert_eq!(number_text(15734159486.0), "15734159486");
        assert_eq!(number_text(2.5e-7), "0.00000025");
        assert_eq!(number_text(f64::NAN), "");
    }

    #[test]
    fn dates_become_iso() {
        use calamine::ExcelDateTimeType;
        let date = ExcelDateTime::new(45366.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&date), "2024-03-15");
        let with_time = ExcelDateTime::new(45366.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&with_time), "2024-03-15 12:00:00");
    }

    #[test]
    fn containers_are_told_by_their_first_bytes() {
        assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Kind::Gzip);
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Kind::Cfb
        );
        assert_eq!(sniff(b"t,i,j,k,v,q\n"), Kind::Text);
        assert_eq!(sniff(b"PK"), Kind::Text);
    }

    #[test]
    fn code_lists_are_told_by_their_headers() {
        assert_eq!(
            code_list(b"country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG"),
            Some(CodeList::Country)
        );
        assert_eq!(
            code_list(b"country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,iso_3digit_alpha\r\n"),
            Some(CodeList::Country)
        );
        assert_eq!(
            code_list(b"code,description\n010121,\"Horses\""),
            Some(CodeList::Product)
        );
        assert_eq!(code_list(b"t,i,j,k,v,q\n"), None);
    }

    #[test]
    fn sheet_rows_keep_their_numbers_and_widths() {
        let options = ReadOptions::default();
        let mut scan = SheetScan::new(&options);
        let row = |cells: &[(u32, &str)]| -> Vec<(u32, String)> {
            cells.iter().map(|(c, t)| (*c, t.to_string())).collect()
        };
        assert!(scan.push(0, row(&[(0, "BACI extract, \"HS92\"")])));
        assert!(scan.push(
            2,
            row(&[(1, "t"), (2, "i"), (3, "j"), (4, "k"), (5, "v"), (6, "q")])
        ));
        assert!(scan.push(
            3,
            row(&[
                (0, "stray"),
                (1, "2021"),
                (2, "842"),
                (3, "156"),
                (4, "854231"),
                (5, "12.5")
            ])
        ));
        assert!(scan.push(
            5,
            row(&[
                (1, "2022"),
                (2, "842"),
                (3, "156"),
                (4, "854231"),
                (5, "1,5\nx")
            ])
        ));
        let text = scan.finish().unwrap();
        assert_eq!(text.header_row, 3);
        assert_eq!(text.dropped, 1);
        assert_eq!(
            text.csv,
            "\n\n\"t\",\"i\",\"j\",\"k\",\"v\",\"q\"\n\"2021\",\"842\",\"156\",\"854231\",\"12.5\",\n\n\"2022\",\"842\",\"156\",\"854231\",\"1,5 x\",\n"
        );
    }

    #[test]
    fn a_sheet_without_a_header_says_what_it_found() {
        let options = ReadOptions::default();
        let mut scan = SheetScan::new(&options);
        for r in 0..30u32 {
            if !scan.push(r, vec![(0, format!("note {r}")), (1, "x".into())]) {
                break;
            }
        }
        let err = scan.finish().unwrap_err();
        assert!(err.contains("first 20 rows"), "{err}");
        assert!(err.contains("row 1"), "{err}");
    }
}
