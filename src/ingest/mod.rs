//! Reading trade files into [`Dataset`]s: detect the format from the header, sniff delimiter,
//! encoding and decimal commas, parse every row, and keep every row that cannot be read with its
//! line, column and reason.
//!
//! Entry points: [`read_path`] and [`read_bytes`] for one table, [`read_path_all`] for every
//! table in a file (a zip holds several). Gzip, zip and Excel files are opened in `containers`.
//! Input files are only ever read.

mod baci;
pub mod columns;
mod comtrade;
mod comtrade_legacy;
mod containers;
mod entities;
mod licences;
mod shipments;
mod statistics;
mod stream;
pub mod values;
mod watchlist;
mod wits;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::gazetteer::{AreaKind, CountryId, Gazetteer};
use crate::model::{Dataset, Format, Provenance, Records, RejectedRow};
use crate::text::squash;
pub use columns::{Column, ColumnMap, Mapping, MappingOptions};
pub use containers::{Opened, read_bytes_all, read_path_all};
pub use shipments::check_fixed_value;
pub use stream::set_block_bytes;
pub use values::DateOrder;

/// Why a whole file could not be read.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("cannot read the file {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the file is empty: expected a trade table with a header row")]
    Empty,
    #[error("the file is not text (binary data near byte {offset}): expected a CSV trade table")]
    Binary { offset: usize },
    #[error(
        "the header is not a trade table Chiptrail knows: expected a shipments header (date, exporter, exporter_country, importer, importer_country, hs_code, quantity, value_usd or a vendor's names for them), a UN Comtrade header (typeCode, reporterCode, partnerCode, cmdCode, primaryValue ...), a legacy Comtrade header (Classification, Year, Trade Flow Code, Reporter Code, Partner Code, Commodity Code, Trade Value (US$) ...), a WITS header (ReporterISO3, ProductCode, PartnerISO3, Year, TradeFlowName, TradeValue in 1000 USD ...), a CEPII BACI header (t,i,j,k,v,q), a Consolidated Screening List header (source, name, alt_names ...), an OpenSanctions export (id, schema, name, aliases, countries ...), an entity list (Name, Alias, Country, Program ...) or a licences header (licence_id, exporter, consignee, hs_code, quantity, valid_from, valid_to ...); found {found}. Map the columns with a mapping file (--mapping)"
    )]
    UnknownHeader { found: String },
    #[error(
        "the file is not a trade table but {what}: the data source's answer was saved instead of the data. Run the query again (fewer years, partners or products if it was too large) and download the result as CSV"
    )]
    SourceAnswer { what: String },
    #[error(
        "the file's products are not in HS codes: {found}. Chiptrail reads goods in the Harmonized System: download the data with classification HS (H0-H6)"
    )]
    NotHs { found: String },
    #[error(
        "the file holds services trade only ({rows} rows with typeCode S or EBOPS codes), not goods: Chiptrail reads goods trade in HS codes"
    )]
    NotGoods { rows: usize },
    #[error(
        "the {format} header lacks required columns {missing}; found {found}. Map them with a mapping file (--mapping)"
    )]
    MissingColumns {
        format: Format,
        missing: String,
        found: String,
    },
    #[error("{}", missing_country(columns, found, false))]
    MissingCountry {
        columns: Vec<&'static str>,
        found: String,
    },
    #[error(
        "the licences header lacks required columns {missing}; found {found}. Rename those columns in the file (mapping files apply to shipment files only)"
    )]
    MissingLicenceColumns { missing: String, found: String },
    #[error("mapping file: {0}")]
    Mapping(String),
    #[error("reading was cancelled")]
    Cancelled,
    #[error(
        "the file looks like {kind} but cannot be read ({reason}): it may be truncated or damaged"
    )]
    Corrupt { kind: &'static str, reason: String },
    #[error(
        "{what} decompresses to more than {limit_gib} GiB; unpack it and read the files inside"
    )]
    TooLarge { what: String, limit_gib: u64 },
    #[error("the {kind} holds no table Chiptrail knows: {found}")]
    NoTable { kind: &'static str, found: String },
    #[error("the archive holds {count} tables ({names}); read them with read_path_all")]
    SeveralTables { count: usize, names: String },
    /// A table inside a container (zip member, sheet) that could not be read.
    #[error("{member}: {source}")]
    Member {
        member: String,
        source: Box<IngestError>,
    },
}

/// What to say when the only columns a shipments file lacks are countries: in the command
/// line's words (a mapping file) or in the app's (the column-mapping window).
fn missing_country(columns: &[&str], found: &str, app: bool) -> String {
    let (what, those) = match columns {
        [one] => (format!("{one} column"), "that country"),
        _ => (
            format!("{} columns", columns.join(" and ")),
            "those countries",
        ),
    };
    let how = if app {
        format!(
            "Type the country in the \"same for every row\" box of {} in Map columns (its code or name, e.g. KR)",
            columns.join(" and ")
        )
    } else {
        let lines: Vec<String> = columns.iter().map(|c| format!("`{c} = \"KR\"`")).collect();
        format!(
            "Give the country of every row in a mapping file, `[values]` then {} (its code or name), and pass it with --mapping MAP",
            lines.join(" and ")
        )
    };
    format!(
        "the shipments header has no {what}: a country's own customs declarations do not name {those}; found {found}. {how}"
    )
}

impl IngestError {
    /// True when a column mapping (or a value for every row) could make the file readable, also
    /// for a table inside a zip or workbook.
    pub fn needs_mapping(&self) -> bool {
        match self {
            IngestError::UnknownHeader { .. }
            | IngestError::MissingCountry { .. }
            | IngestError::MissingColumns {
                format: Format::Shipments,
                ..
            } => true,
            IngestError::Member { source, .. } => source.needs_mapping(),
            _ => false,
        }
    }

    /// The message in the app's words: the app maps columns in its "Map columns" window, not
    /// with command-line flags.
    pub fn in_app(&self) -> String {
        match self {
            IngestError::MissingCountry { columns, found } => missing_country(columns, found, true),
            IngestError::UnknownHeader { .. } => {
                let text = self.to_string();
                let text = text
                    .strip_suffix(" Map the columns with a mapping file (--mapping)")
                    .unwrap_or(&text);
                format!("{text} Choose what each column is in Map columns.")
            }
            IngestError::MissingColumns {
                format,
                missing,
                found,
            } => {
                let how = if *format == Format::Shipments {
                    " Choose them in Map columns, or give a value for every row."
                } else {
                    ""
                };
                format!("the {format} header lacks required columns {missing}; found {found}.{how}")
            }
            IngestError::Mapping(text) => format!("column mapping: {text}"),
            IngestError::Member { member, source } => format!("{member}: {}", source.in_app()),
            _ => self.to_string(),
        }
    }
}

/// How to read a file when the defaults are not enough.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Force a format instead of detecting it from the header.
    pub format: Option<Format>,
    /// Header names for columns the reader does not recognise (shipment files).
    pub mapping: Option<Mapping>,
    /// Day/month order for `03/04/2024`-style dates when the data cannot decide.
    pub date_order: Option<DateOrder>,
    /// Read a shipments file's rows, judge them and count them, but keep none
    /// ([`Records::Counted`]): `chiptrail check` wants the verdicts, not the rows, and holding a
    /// million of them cost more than reading them. Other formats are read as always.
    pub count_only: bool,
    /// Leave `provenance.sha256` empty: `chiptrail score` writes no hash of its inputs, and
    /// hashing a big file keeps a third thread busy for a tenth of its reading. `check`, the app
    /// and case files hash every file they read (a case file checks its inputs by their hash).
    pub skip_hash: bool,
}

/// Progress callback: given the fraction of the file read so far, returns `false` to cancel.
pub type Progress<'a> = &'a mut dyn FnMut(f64) -> bool;

/// Reads the file at `path`, and never writes it. A plain UTF-8 shipments table is read block by
/// block (never held whole); anything else is read into memory. A gzip, zip or workbook must
/// hold one table; [`read_path_all`] reads every table in a zip.
pub fn read_path(
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Option<Progress<'_>>,
) -> Result<Dataset, IngestError> {
    containers::one(read_path_all(path, options, gazetteer, progress)?)
}

/// Reads a file's bytes; `path` is recorded as the dataset's source.
pub fn read_bytes(
    bytes: &[u8],
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Option<Progress<'_>>,
) -> Result<Dataset, IngestError> {
    containers::read_one(bytes, path, options, gazetteer, progress)
}

/// Reads one table's bytes (text, not a container); `codes` is the country code list of the zip
/// it came in (BACI).
fn read_table(
    bytes: &[u8],
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Option<Progress<'_>>,
    codes: Option<&containers::CountryCodes>,
) -> Result<Dataset, IngestError> {
    // The hash of the whole file costs a tenth of reading a big one: it runs on another thread.
    let mut sha256 = String::new();
    let mut dataset = rayon::in_place_scope(|scope| {
        if !options.skip_hash {
            scope.spawn(|_| {
                let _stage = crate::timing::Stage::start("read: sha256 (in parallel)");
                sha256 = hex(&Sha256::digest(bytes));
            });
        }
        read_text(bytes, path, options, gazetteer, progress, codes)
    })?;
    dataset.provenance.sha256 = sha256;
    Ok(dataset)
}

/// [`read_table`] but for the hash.
fn read_text(
    bytes: &[u8],
    path: &Path,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Option<Progress<'_>>,
    codes: Option<&containers::CountryCodes>,
) -> Result<Dataset, IngestError> {
    let stage = crate::timing::Stage::start("read: decode");
    let (text, encoding) = decode(bytes)?;
    stage.end();
    let text = Text {
        text: &text,
        len: text.len(),
        stream: None,
    };
    let size = bytes.len() as u64;
    read_decoded(
        text, path, size, encoding, options, gazetteer, progress, codes,
    )
}

/// A table's text: all of it, or its head and the blocks of the rest (`stream`).
struct Text<'a> {
    text: &'a str,
    /// The length of the whole text (more than `text`'s when streamed).
    len: usize,
    stream: Option<&'a stream::Blocks>,
}

/// Reads decoded text; `size` is the file's size in bytes.
#[allow(clippy::too_many_arguments)]
fn read_decoded(
    Text { text, len, stream }: Text<'_>,
    path: &Path,
    size: u64,
    encoding: &'static str,
    options: &ReadOptions,
    gazetteer: &Gazetteer,
    progress: Option<Progress<'_>>,
    codes: Option<&containers::CountryCodes>,
) -> Result<Dataset, IngestError> {
    if let Some(what) = statistics::source_answer(text) {
        return Err(IngestError::SourceAnswer { what });
    }
    let delimiter = sniff_delimiter(text);
    let header = read_header(text, delimiter)?;
    let format = match options.format {
        Some(f) => f,
        None => detect_format(&header, options.mapping.as_ref())?,
    };
    let mut provenance = Provenance {
        path: path.to_path_buf(),
        sha256: String::new(),
        size,
        archive: None,
        format,
        encoding: encoding.to_string(),
        delimiter: delimiter as char,
        decimal_comma: false,
        columns: Vec::new(),
        fixed: Vec::new(),
        notes: Vec::new(),
    };
    let mut noop = |_: f64| true;
    let progress: Progress<'_> = match progress {
        Some(p) => p,
        None => &mut noop,
    };
    let table = Table {
        text,
        len,
        stream,
        delimiter,
        header: &header,
    };
    // Only the shipments reader reads a stream; the others need the whole text.
    if stream.is_some() && format != Format::Shipments {
        return Err(IngestError::Cancelled);
    }
    let stage = crate::timing::Stage::start("read: records");
    let (records, rejects, rows_total) = match format {
        Format::Shipments => {
            shipments::read(&table, options, gazetteer, &mut provenance, progress)?
        }
        Format::Comtrade => comtrade::read(&table, gazetteer, &mut provenance, progress)?,
        Format::ComtradeLegacy => {
            comtrade_legacy::read(&table, gazetteer, &mut provenance, progress)?
        }
        Format::Wits => wits::read(&table, gazetteer, &mut provenance, progress)?,
        Format::Baci => baci::read(&table, gazetteer, codes, &mut provenance, progress)?,
        Format::Watchlist => watchlist::read(&table, gazetteer, &mut provenance, progress)?,
        Format::OpenSanctions | Format::EntityList => {
            entities::read(&table, format, gazetteer, &mut provenance, progress)?
        }
        Format::Licences => licences::read(&table, options, gazetteer, &mut provenance, progress)?,
    };
    stage.end();
    Ok(Dataset {
        provenance,
        header,
        rows_total,
        records,
        rejects,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes a file's bytes: UTF-8 with or without BOM, UTF-16 with BOM, otherwise Windows-1252.
/// Binary data (NUL bytes, many control characters) is refused.
fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), IngestError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (enc, label) = if bytes[0] == 0xFF {
            (encoding_rs::UTF_16LE, "utf-16le")
        } else {
            (encoding_rs::UTF_16BE, "utf-16be")
        };
        let (text, _, _) = enc.decode(bytes);
        return checked_text(text, label);
    }
    let (body, bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let head = &body[..body.len().min(8192)];
    if let Some(offset) = head.iter().position(|b| *b == 0) {
        return Err(IngestError::Binary { offset });
    }
    match std::str::from_utf8(body) {
        Ok(text) => checked_text(
            Cow::Borrowed(text),
            if bom { "utf-8 (BOM)" } else { "utf-8" },
        ),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
            checked_text(text, "windows-1252")
        }
    }
}

/// Refuses text whose start is mostly control characters: random bytes decode as Windows-1252 too.
fn checked_text<'a>(
    text: Cow<'a, str>,
    label: &'static str,
) -> Result<(Cow<'a, str>, &'static str), IngestError> {
    let mut controls = 0usize;
    let mut seen = 0usize;
    for (offset, ch) in text.char_indices().take(8192) {
        seen += 1;
        if ch == '\0' {
            return Err(IngestError::Binary { offset });
        }
        if (ch.is_control() && !matches!(ch, '\n' | '\r' | '\t')) || ch == '\u{FFFD}' {
            controls += 1;
        }
    }
    if controls * 20 > seen {
        return Err(IngestError::Binary { offset: 0 });
    }
    if text.trim().is_empty() {
        return Err(IngestError::Empty);
    }
    Ok((text, label))
}

/// The header of a file as written, and the columns Chiptrail recognises in it, for a
/// column-mapping dialog: (header, guessed column per header field).
pub fn peek_header(path: &Path) -> Result<(Vec<String>, Vec<Option<Column>>), IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let header = containers::peek_header(&bytes)?;
    let guesses = header.iter().map(|h| Column::from_header(h)).collect();
    Ok((header, guesses))
}

/// Picks the delimiter that splits the header line most: `,` `;` tab or `|`.
fn sniff_delimiter(text: &str) -> u8 {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let mut in_quotes = false;
        let mut n = 0;
        for b in line.bytes() {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == d && !in_quotes {
                n += 1;
            }
        }
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// A decoded file ready for its format's reader.
struct Table<'a> {
    /// The text: all of it, or when `stream` is set its head (at least the header and the
    /// records the sniffers look at).
    text: &'a str,
    /// The length of the whole text.
    len: usize,
    /// The rest of the text, block by block, for [`par_for_each_record`].
    stream: Option<&'a stream::Blocks>,
    delimiter: u8,
    header: &'a [String],
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv_reader_bytes(text.as_bytes(), delimiter)
}

fn csv_reader_bytes(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

fn read_header(text: &str, delimiter: u8) -> Result<Vec<String>, IngestError> {
    let mut reader = csv_reader(text, delimiter);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {
            let mut header: Vec<String> = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).trim().to_string())
                .collect();
            // A trailing delimiter (spreadsheet and legacy Comtrade exports) names no column.
            while header.len() > 1 && header.last().is_some_and(String::is_empty) {
                header.pop();
            }
            Ok(header)
        }
        _ => Err(IngestError::Empty),
    }
}

fn describe_header(header: &[String]) -> String {
    let shown: Vec<String> = header.iter().take(12).map(|h| format!("'{h}'")).collect();
    let more = if header.len() > 12 {
        format!(" and {} more", header.len() - 12)
    } else {
        String::new()
    };
    format!("{} column(s): {}{more}", header.len(), shown.join(", "))
}

/// Names the format a header belongs to.
fn detect_format(header: &[String], mapping: Option<&Mapping>) -> Result<Format, IngestError> {
    let keys: Vec<String> = header.iter().map(|h| squash(h)).collect();
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("reportercode") && has("partnercode") && has("cmdcode") {
        return Ok(Format::Comtrade);
    }
    if ["t", "i", "j", "k", "v"].iter().all(|k| has(k)) {
        return Ok(Format::Baci);
    }
    if comtrade_legacy::looks_like_legacy(&keys) {
        return Ok(Format::ComtradeLegacy);
    }
    if wits::looks_like_wits(&keys) {
        return Ok(Format::Wits);
    }
    if has("name") && has("source") && (has("altnames") || has("entitynumber") || has("programs")) {
        return Ok(Format::Watchlist);
    }
    if entities::looks_like_opensanctions(&keys) {
        return Ok(Format::OpenSanctions);
    }
    let map = ColumnMap::from_header(header, mapping).map_err(IngestError::Mapping)?;
    // A licence id and a validity window make a licences file, unless every shipments column is
    // there too (an export declaration that names its licence is still a shipment).
    if licences::looks_like_licences(header) && !map.missing().is_empty() {
        return Ok(Format::Licences);
    }
    if mapping.is_none() && entities::looks_like_entity_list(&keys, &map) {
        return Ok(Format::EntityList);
    }
    if map.missing().is_empty() || map.len() >= 4 || mapping.is_some() {
        return Ok(Format::Shipments);
    }
    Err(IngestError::UnknownHeader {
        found: describe_header(header),
    })
}

/// Walks the data records of a table, calling `row` for each non-blank record with its line.
/// Records with the wrong number of fields are rejected here; `row` rejects the rest.
fn for_each_record(
    table: &Table<'_>,
    progress: Progress<'_>,
    row: impl FnMut(u64, &csv::ByteRecord) -> Result<(), RowError>,
) -> Result<(Vec<RejectedRow>, usize), IngestError> {
    debug_assert!(
        table.stream.is_none(),
        "only par_for_each_record reads a stream"
    );
    let size = table.text.len().max(1) as f64;
    let span = walk_records(
        table,
        Start {
            byte: 0,
            line: 1,
            header: true,
        },
        usize::MAX,
        |byte| progress(byte as f64 / size),
        row,
    )?;
    progress(1.0);
    Ok((span.rejects, span.total))
}

/// What a row reader gives back for a row it cannot load: (column, reason).
pub(super) type RowError = (String, String);

/// A row's problem in `column` (as the file names it), in words.
pub(super) fn row_error(column: &str, message: impl Into<String>) -> RowError {
    (column.to_string(), message.into())
}

/// Where a walk over records starts: the first byte of a record (or of the header), its line.
#[derive(Clone, Copy)]
struct Start {
    byte: usize,
    line: u64,
    /// The first record is the header: skip it.
    header: bool,
}

/// The records of one stretch of a table: rejects, records seen, and where the next record
/// starts (its first byte and line).
struct Span {
    rejects: Vec<RejectedRow>,
    total: usize,
    end: usize,
    end_line: u64,
    /// The walk stopped at a record at or after its limit (not at the end of the text).
    stopped: bool,
}

/// The first byte at or after `at` that is not a line end: where a record the csv reader
/// places at `at` really starts (it skips blank lines and puts a record after CRLF at the LF).
fn skip_line_ends(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && matches!(text[at], b'\r' | b'\n') {
        at += 1;
    }
    at.min(text.len())
}

/// Walks the records from `start` up to, not including, the first record whose first byte is at
/// or after `limit`, calling `row` for each non-blank one; `tick` gets the byte offset every
/// 65,536 records and returns `false` to cancel.
fn walk_records(
    table: &Table<'_>,
    start: Start,
    limit: usize,
    mut tick: impl FnMut(usize) -> bool,
    mut row: impl FnMut(u64, &csv::ByteRecord) -> Result<(), RowError>,
) -> Result<Span, IngestError> {
    let text = table.text.as_bytes();
    let base = start.byte.min(text.len());
    let mut reader = csv_reader_bytes(&text[base..], table.delimiter);
    let mut record = csv::ByteRecord::new();
    let mut rejects = Vec::new();
    let mut total = 0usize;
    let width = table.header.len();
    let mut lines = LineCounter::from(table.text, base, start.line);
    let mut first = start.header;
    let mut end = text.len();
    let mut stopped = false;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // The csv crate reports only I/O and UTF-8 errors in flexible mode; neither can
                // happen on decoded text, but a reader never panics on input.
                let line = e
                    .position()
                    .map(|p| lines.line_at(base + p.byte() as usize))
                    .unwrap_or(0);
                rejects.push(RejectedRow {
                    line,
                    column: "*".into(),
                    message: format!("unreadable record: {e}"),
                    fields: Vec::new(),
                });
                total += 1;
                continue;
            }
        }
        let at = base + record.position().map(|p| p.byte() as usize).unwrap_or(0);
        if limit < text.len() {
            let begins = skip_line_ends(text, at);
            if begins >= limit {
                end = begins;
                stopped = true;
                break;
            }
        }
        if first {
            first = false;
            continue;
        }
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        total += 1;
        let line = lines.line_at(at);
        if total.is_multiple_of(65_536) && !tick(at) {
            return Err(IngestError::Cancelled);
        }
        let extra_blank = record.len() > width && record.iter().skip(width).all(|f| f.is_empty());
        let outcome = if record.len() != width && !extra_blank {
            Err((
                "*".to_string(),
                format!("expected {width} fields, found {}", record.len()),
            ))
        } else {
            row(line, &record)
        };
        if let Err((column, message)) = outcome {
            rejects.push(RejectedRow {
                line,
                column,
                message,
                fields: record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            });
        }
    }
    let end_line = lines.line_at(end);
    Ok(Span {
        rejects,
        total,
        end,
        end_line,
        stopped,
    })
}

/// Bytes of text per chunk when a table's records are read on several threads.
const CHUNK_BYTES: usize = 8 << 20;
static CHUNK_BYTES_SET: AtomicUsize = AtomicUsize::new(0);

/// Sets the bytes of text per chunk of records read on one thread (0: the default, 8 MiB).
/// Results do not depend on it: tests make chunks small to read small files in many pieces.
#[doc(hidden)]
pub fn set_chunk_bytes(bytes: usize) {
    CHUNK_BYTES_SET.store(bytes, Ordering::Relaxed);
}

fn chunk_bytes() -> usize {
    match CHUNK_BYTES_SET.load(Ordering::Relaxed) {
        0 => CHUNK_BYTES,
        n => n,
    }
}

/// [`for_each_record`] on rayon's threads: the table is cut into chunks of about
/// [`chunk_bytes`] at line ends, each chunk is read with a state of its own (`new_state` gets the
/// chunk's length in bytes) and `merge` receives the states in file order, on the calling thread,
/// which also reports progress. Records, rejects and line numbers are those of one sequential
/// pass, whatever the number of threads: a chunk start is only a guess (a line end inside a
/// quoted field is not a record boundary), so a chunk whose start is not where the chunk before
/// it ended is read again from there.
///
/// A streamed table is read window by window: the head first, then what is left of each window
/// (a partial record) followed by the next block of the file. A window's records are read up to
/// its last line start; a chunk that runs into the end of its window (a quoted field that goes
/// on in the next block) is not merged but read again in the next, bigger window.
fn par_for_each_record<S: Send>(
    table: &Table<'_>,
    progress: Progress<'_>,
    new_state: impl Fn(usize) -> S + Sync,
    row: impl Fn(&mut S, u64, &csv::ByteRecord) -> Result<(), RowError> + Sync,
    merge: impl FnMut(S),
) -> Result<(Vec<RejectedRow>, usize), IngestError> {
    let mut merge = Merging {
        held: std::collections::VecDeque::new(),
        merge,
    };
    let mut read = Reading {
        rejects: Vec::new(),
        total: 0,
        size: table.len.max(1) as f64,
        base: 0,
    };
    let mut at = Start {
        byte: after_header(table),
        line: 0,
        header: false,
    };
    at.line = LineCounter::new(table.text).line_at(at.byte);
    let Some(stream) = table.stream else {
        read_window(
            table, at, true, &mut read, progress, &new_state, &row, &mut merge,
        )?;
        merge.flush();
        progress(1.0);
        return Ok((read.rejects, read.total));
    };
    // The window read now and the next one, two buffers used in turn.
    let (mut window, mut next) = (Vec::new(), Vec::new());
    let mut last = false;
    let mut first = true;
    loop {
        let text = if first {
            table.text
        } else {
            match std::str::from_utf8(&window) {
                Ok(text) => text,
                // A character cut at the end of the block: it ends in the next.
                Err(e) if e.error_len().is_none() && !last => {
                    std::str::from_utf8(&window[..e.valid_up_to()]).expect("valid up to there")
                }
                Err(_) => return Err(stream.not_utf8()),
            }
        };
        let part = Table {
            text,
            stream: None,
            ..*table
        };
        at = read_window(
            &part, at, last, &mut read, progress, &new_state, &row, &mut merge,
        )?;
        if last {
            break;
        }
        next.clear();
        next.extend_from_slice(&text.as_bytes()[at.byte..]);
        if !first {
            // What was not whole UTF-8 yet.
            next.extend_from_slice(&window[text.len()..]);
        }
        read.base += at.byte;
        at.byte = 0;
        first = false;
        last = !stream.append_next(&mut next)?;
        std::mem::swap(&mut window, &mut next);
    }
    merge.flush();
    progress(1.0);
    Ok((read.rejects, read.total))
}

/// The chunk states read and found whole, merged in file order: a window's last chunks are
/// merged while the next window's chunks are read, not while both threads wait for the merge.
struct Merging<S, F: FnMut(S)> {
    held: std::collections::VecDeque<S>,
    merge: F,
}

impl<S, F: FnMut(S)> Merging<S, F> {
    /// Keeps a chunk's state, to be merged after those kept before it.
    fn hold(&mut self, state: S) {
        self.held.push_back(state);
    }

    /// Merges the oldest state kept; false when none is.
    fn merge_one(&mut self) -> bool {
        match self.held.pop_front() {
            Some(state) => {
                (self.merge)(state);
                true
            }
            None => false,
        }
    }

    /// Merges every state kept.
    fn flush(&mut self) {
        while self.merge_one() {}
    }
}

/// What [`par_for_each_record`] has read so far.
struct Reading {
    rejects: Vec<RejectedRow>,
    total: usize,
    /// The length of the whole text, for progress.
    size: f64,
    /// Where the window being read starts in the whole text.
    base: usize,
}

/// Reads the records of `table` (one window of the text) from `at` in chunks on rayon's threads,
/// up to the end of the text when it is the `last` window, otherwise up to its last line start;
/// returns where the records not read yet start.
#[allow(clippy::too_many_arguments)]
fn read_window<S: Send>(
    table: &Table<'_>,
    at: Start,
    last: bool,
    read: &mut Reading,
    progress: Progress<'_>,
    new_state: &(impl Fn(usize) -> S + Sync),
    row: &(impl Fn(&mut S, u64, &csv::ByteRecord) -> Result<(), RowError> + Sync),
    merge: &mut Merging<S, impl FnMut(S)>,
) -> Result<Start, IngestError> {
    let text = table.text.as_bytes();
    let data = at.byte;
    let cut = if last {
        text.len()
    } else {
        match last_line_start(text, data) {
            Some(cut) => cut,
            None => return Ok(at),
        }
    };
    // Guessed chunk starts: after each multiple of the chunk size, the first line end with an
    // even number of quotes before it (outside any quoted field in a file that quotes by the
    // rules; a stray quote only costs a chunk read twice). Quotes are counted in parallel.
    let size = chunk_bytes().max(1);
    let mut targets = Vec::new();
    let mut from = data;
    while let Some(next) = from.checked_add(size).filter(|t| *t < cut) {
        targets.push(next);
        from = next;
    }
    let quotes: Vec<u64> = (0..targets.len())
        .into_par_iter()
        .map(|k| {
            let from = if k == 0 { data } else { targets[k - 1] };
            count_byte(&text[from..targets[k]], b'"')
        })
        .collect();
    let mut bounds = vec![data];
    let mut odd = false;
    for (&target, n) in targets.iter().zip(&quotes) {
        odd ^= n % 2 == 1;
        if target < *bounds.last().unwrap_or(&data) {
            continue;
        }
        let after = line_end_outside_quotes(&text[target..], odd).map_or_else(
            || memchr_newline(&text[target..]).map(|i| target + i + 1),
            |i| Some(target + i + 1),
        );
        let Some(after) = after else {
            break;
        };
        let next = skip_line_ends(text, after);
        if next >= cut {
            break;
        }
        if next > *bounds.last().unwrap_or(&data) {
            bounds.push(next);
        }
    }
    bounds.push(cut);
    let chunks = bounds.len() - 1;

    let walk = |start: usize, line: u64, limit: usize, cancel: &AtomicBool| {
        let mut state = new_state(limit.saturating_sub(start));
        let span = walk_records(
            table,
            Start {
                byte: start,
                line,
                header: false,
            },
            limit,
            |_| !cancel.load(Ordering::Relaxed),
            |line, record| row(&mut state, line, record),
        )?;
        Ok::<_, IngestError>((state, span))
    };
    // A chunk read to the end of a window that is not the last may have cut its last record.
    let whole = |span: &Span| last || (span.stopped && span.end < text.len());
    let cancel = AtomicBool::new(false);
    if chunks == 1 {
        let (state, mut span) = walk(data, at.line, cut, &cancel)?;
        if !whole(&span) {
            return Ok(at);
        }
        read.rejects.append(&mut span.rejects);
        read.total += span.total;
        merge.flush();
        merge.hold(state);
        if !last && !progress((read.base + span.end) as f64 / read.size) {
            return Err(IngestError::Cancelled);
        }
        return Ok(Start {
            byte: span.end,
            line: span.end_line,
            header: false,
        });
    }
    // The line of each guessed start, from the line ends before it (counted in parallel).
    let newlines: Vec<u64> = (0..chunks)
        .into_par_iter()
        .map(|i| count_byte(&text[bounds[i]..bounds[i + 1]], b'\n'))
        .collect();
    let mut lines = Vec::with_capacity(chunks);
    let mut line = at.line;
    for n in &newlines {
        lines.push(line);
        line += n;
    }

    type Read<S> = Result<(S, Span), IngestError>;
    let (sender, receiver) = mpsc::channel::<(usize, Read<S>)>();
    let (walk, bounds, lines, cancel) = (&walk, &bounds, &lines, &cancel);
    rayon::in_place_scope_fifo(|scope| {
        for i in 0..chunks {
            let sender = sender.clone();
            scope.spawn_fifo(move |_| {
                let read = if cancel.load(Ordering::Relaxed) {
                    Err(IngestError::Cancelled)
                } else {
                    walk(bounds[i], lines[i], bounds[i + 1], cancel)
                };
                // The receiver is gone only when merging has failed; nothing to report then.
                let _ = sender.send((i, read));
            });
        }
        drop(sender);
        let mut merged = || -> Result<Start, IngestError> {
            let mut ready: Vec<Option<Read<S>>> = (0..chunks).map(|_| None).collect();
            let (mut expected, mut expected_line) = (data, at.line);
            for i in 0..chunks {
                while ready[i].is_none() {
                    // Merge what is kept (the window before's last chunks first) while the
                    // chunks are read; wait only when nothing is left to merge.
                    if merge.merge_one() {
                        while let Ok((k, read)) = receiver.try_recv() {
                            ready[k] = Some(read);
                        }
                        continue;
                    }
                    let (k, read) = next_chunk(&receiver)?;
                    ready[k] = Some(read);
                }
                let (mut state, mut span) = ready[i].take().expect("chunk i is ready")?;
                if bounds[i] != expected {
                    // The guessed start fell inside a record (a quoted line end): read the chunk
                    // again from where the record before it ended.
                    (state, span) = walk(expected, expected_line, bounds[i + 1], cancel)?;
                }
                if !whole(&span) {
                    // The rest waits for the next window; the chunks after this one are unused.
                    cancel.store(true, Ordering::Relaxed);
                    break;
                }
                (expected, expected_line) = (span.end, span.end_line);
                read.rejects.append(&mut span.rejects);
                read.total += span.total;
                merge.hold(state);
                if (i + 1 < chunks || !last) && !progress((read.base + expected) as f64 / read.size)
                {
                    return Err(IngestError::Cancelled);
                }
            }
            Ok(Start {
                byte: expected,
                line: expected_line,
                header: false,
            })
        };
        let result = merged();
        if result.is_err() {
            cancel.store(true, Ordering::Relaxed);
        }
        result
    })
}

/// The start of the last line of `text[from..]` that begins outside quotes (an even number of
/// quotes from `from`) and has a byte of its own in `text`: where a window's records are cut,
/// so that the record that starts there shows that the record before it ended in the window.
fn last_line_start(text: &[u8], from: usize) -> Option<usize> {
    let mut quotes = count_byte(&text[from..], b'"');
    let mut at = text.len();
    while at > from {
        at -= 1;
        match text[at] {
            b'"' => quotes -= 1,
            b'\n' if quotes.is_multiple_of(2) => {
                let next = skip_line_ends(text, at + 1);
                if next < text.len() {
                    return Some(next);
                }
            }
            _ => {}
        }
    }
    None
}

/// The next chunk a rayon task has read. A thread of the pool runs the pool's other tasks while
/// it waits, so that a pool of one thread does not wait for itself.
fn next_chunk<T>(receiver: &mpsc::Receiver<(usize, T)>) -> Result<(usize, T), IngestError> {
    loop {
        match receiver.try_recv() {
            Ok(got) => return Ok(got),
            Err(mpsc::TryRecvError::Disconnected) => return Err(IngestError::Cancelled),
            Err(mpsc::TryRecvError::Empty) => {}
        }
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {}
            Some(rayon::Yield::Idle) => {
                if let Ok(got) = receiver.recv_timeout(std::time::Duration::from_millis(1)) {
                    return Ok(got);
                }
            }
            None => return receiver.recv().map_err(|_| IngestError::Cancelled),
        }
    }
}

/// The first byte of the first record after the header (the text's length when there is none).
fn after_header(table: &Table<'_>) -> usize {
    let mut reader = csv_reader(table.text, table.delimiter);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => skip_line_ends(table.text.as_bytes(), reader.position().byte() as usize),
        _ => table.text.len(),
    }
}

/// Line numbers from byte offsets. The csv crate's own line count is one short after CRLF line
/// ends, so lines are counted here: the line where a record's first character stands, header = 1.
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self::from(text, 0, 1)
    }

    /// A counter that knows `offset` is on line `line`.
    fn from(text: &'a str, offset: usize, line: u64) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset,
            line,
        }
    }

    /// The line of the record starting at `byte` (offsets must not decrease between calls).
    pub(crate) fn line_at(&mut self, byte: usize) -> u64 {
        let mut start = byte.min(self.text.len());
        // A record's position can point at the line end that precedes it.
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += count_byte(&self.text[self.offset..start], b'\n');
        self.offset = start;
        self.line
    }
}

/// The number of `byte` in `text`, counted in byte-wide lanes (a million records ask).
fn count_byte(text: &[u8], byte: u8) -> u64 {
    text.chunks(255)
        .map(|c| {
            let n = c
                .iter()
                .fold(0u8, |n, b| n.wrapping_add(u8::from(*b == byte)));
            u64::from(n)
        })
        .sum()
}

/// The first `\n` in `text` with an even number of quotes before it, counting `odd` (quotes
/// before `text`); looks at most 1 MiB ahead.
fn line_end_outside_quotes(text: &[u8], mut odd: bool) -> Option<usize> {
    for (i, b) in text.iter().take(1 << 20).enumerate() {
        match b {
            b'"' => odd = !odd,
            b'\n' if !odd => return Some(i),
            _ => {}
        }
    }
    None
}

/// The first `\n` in `text`.
fn memchr_newline(text: &[u8]) -> Option<usize> {
    text.iter().position(|b| *b == b'\n')
}

/// `text` without surrounding white space; most cells have none to cut.
fn trim(text: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|b| (0x21..0x80).contains(b));
    if solid(text.as_bytes().first()) && solid(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// The text of field `i` (empty when the record is short).
fn field(record: &csv::ByteRecord, i: usize) -> &str {
    record
        .get(i)
        .and_then(|f| std::str::from_utf8(f).ok())
        .map(trim)
        .unwrap_or("")
}

/// The fields of a record as text, its UTF-8 checked once for the whole record.
struct Cells<'r> {
    record: &'r csv::ByteRecord,
    text: Option<&'r str>,
}

impl<'r> Cells<'r> {
    fn new(record: &'r csv::ByteRecord) -> Self {
        Cells {
            record,
            text: std::str::from_utf8(record.as_slice()).ok(),
        }
    }

    /// [`field`] `i`.
    fn get(&self, i: usize) -> &'r str {
        match self.text {
            Some(text) => self
                .record
                .range(i)
                .and_then(|r| text.get(r))
                .map(trim)
                .unwrap_or(""),
            None => field(self.record, i),
        }
    }
}

/// Guesses whether numbers use decimal commas: only in files not delimited by `,`, and only when
/// one of the value columns `cols` holds `1234,5`-style text.
fn sniff_decimal_comma(table: &Table<'_>, cols: &[usize]) -> bool {
    if table.delimiter == b',' {
        return false;
    }
    let mut reader = csv_reader(table.text, table.delimiter);
    let mut record = csv::ByteRecord::new();
    let mut seen = 0;
    while seen < 2000 && reader.read_byte_record(&mut record).unwrap_or(false) {
        seen += 1;
        for &i in cols {
            let t = field(&record, i);
            if let Some(pos) = t.rfind(',') {
                let after = &t[pos + 1..];
                let digits_after = after.bytes().take_while(u8::is_ascii_digit).count();
                if digits_after > 0 && digits_after != 3 && !t[..pos].contains(',') {
                    return true;
                }
                if t[..pos].contains('.') {
                    return true;
                }
            }
        }
    }
    false
}

/// Country cells read through the gazetteer, remembered per spelling: a file names a few dozen
/// countries a million times. Statistical areas (World, ASEAN) are not countries.
struct Countries<'g> {
    gazetteer: &'g Gazetteer,
    seen: FxHashMap<String, Option<CountryId>>,
}

impl<'g> Countries<'g> {
    fn new(gazetteer: &'g Gazetteer) -> Self {
        Countries {
            gazetteer,
            seen: FxHashMap::default(),
        }
    }

    /// The country `text` names, or (`column`, reason).
    fn get(&mut self, column: &str, text: &str) -> Result<CountryId, (String, String)> {
        if text.is_empty() {
            return Err((column.to_string(), "missing value".into()));
        }
        let found = match self.seen.get(text) {
            Some(hit) => *hit,
            None => {
                let g = self.gazetteer;
                let id = g
                    .lookup(text)
                    .filter(|id| g.country(*id).kind == AreaKind::Country);
                self.seen.insert(text.to_string(), id);
                id
            }
        };
        found.ok_or_else(|| {
            let message = match self.gazetteer.lookup(text) {
                Some(_) => format!("'{text}' is a statistical area, not a country"),
                None => format!("unknown country '{text}'"),
            };
            (column.to_string(), message)
        })
    }
}

/// Fills the original fields of rejects found after the first pass (dates that fail the
/// column's day/month order), which carry none yet: a second pass over the text (of a streamed
/// table, over the file again).
fn fill_fields(table: &Table<'_>, rejects: &mut [RejectedRow]) -> Result<(), IngestError> {
    let want: FxHashMap<u64, usize> = rejects
        .iter()
        .enumerate()
        .filter(|(_, r)| r.fields.is_empty())
        .map(|(i, r)| (r.line, i))
        .collect();
    if want.is_empty() {
        return Ok(());
    }
    let again = table.stream.map(stream::Blocks::reopen).transpose()?;
    let table = Table {
        stream: again.as_ref(),
        ..*table
    };
    let fields = |record: &csv::ByteRecord| -> Vec<String> {
        record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    };
    par_for_each_record(
        &table,
        &mut |_| true,
        |_| Vec::new(),
        |found: &mut Vec<(usize, Vec<String>)>, line, record| {
            if let Some(&i) = want.get(&line) {
                found.push((i, fields(record)));
            }
            Ok(())
        },
        |found| {
            for (i, fields) in found {
                rejects[i].fields = fields;
            }
        },
    )?;
    Ok(())
}

/// Index of the header named `name` (compared squashed).
fn find(header: &[String], name: &str) -> Option<usize> {
    let want = squash(name);
    header.iter().position(|h| squash(h) == want)
}

type ReadResult = Result<(Records, Vec<RejectedRow>, usize), IngestError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("a|b|c"), b'|');
        assert_eq!(sniff_delimiter("\"x;y\",b,c"), b',');
    }

    #[test]
    fn encodings_are_detected() {
        assert_eq!(decode(b"a,b\n1,2").unwrap().1, "utf-8");
        assert_eq!(
            decode(b"\xEF\xBB\xBFa,b").unwrap(),
            (Cow::Borrowed("a,b"), "utf-8 (BOM)")
        );
        let (text, enc) = decode(b"name\nT\xfcrkiye").unwrap();
        assert_eq!((text.as_ref(), enc), ("name\nTürkiye", "windows-1252"));
        assert!(matches!(decode(b""), Err(IngestError::Empty)));
        assert!(matches!(decode(b"  \n "), Err(IngestError::Empty)));
        assert!(matches!(
            decode(b"PK\x03\x04\x00\x00"),
            Err(IngestError::Binary { .. })
        ));
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 1)
            .collect();
        assert!(decode(&noise).is_err());
    }
}
