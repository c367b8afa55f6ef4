//! The native shipment format and the vendor bill-of-lading exports that rename its columns.

use std::sync::Arc;

use arcstr::ArcStr;

use rustc_hash::{FxHashMap, FxHashSet};

use super::columns::{Column, ColumnMap};
use super::values::{DateCell, OrderEvidence, is_missing, parse_date, parse_number};
use super::{
    Cells, Countries, IngestError, Progress, ReadOptions, ReadResult, RowError, Table,
    par_for_each_record,
};
use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{
    Date, HsCode, Party, PartyId, Provenance, Records, Shipment, ShipmentId, TransportMode,
};
use crate::parties::normalise;
use crate::text::squash;

fn reject(column: Column, message: impl Into<String>) -> RowError {
    (column.name().to_string(), message.into())
}

/// Interns parties by (normalised name, country), remembering raw spellings so each distinct
/// spelling is normalised once, however many rows repeat it.
#[derive(Default)]
struct PartyTable {
    parties: Vec<Party>,
    by_key: FxHashMap<(String, CountryId), PartyId>,
    by_raw: FxHashMap<String, Vec<(CountryId, PartyId)>>,
}

impl PartyTable {
    fn intern(&mut self, raw: &str, country: CountryId) -> PartyId {
        if let Some(hit) = self
            .by_raw
            .get(raw)
            .and_then(|v| v.iter().find(|(c, _)| *c == country))
        {
            return hit.1;
        }
        let key = normalise(raw);
        let id = match self.by_key.get(&(key.clone(), country)) {
            Some(id) => {
                let names = &mut self.parties[id.0 as usize].names;
                if names.len() < 32 && !names.iter().any(|n| n == raw) {
                    names.push(raw.to_string());
                }
                *id
            }
            None => {
                let id = PartyId(self.parties.len() as u32);
                self.parties.push(Party {
                    key: key.clone(),
                    country,
                    names: vec![raw.to_string()],
                });
                self.by_key.insert((key, country), id);
                id
            }
        };
        self.by_raw
            .entry(raw.to_string())
            .or_default()
            .push((country, id));
        id
    }
}

/// The party spellings of one chunk of rows, numbered in order of first appearance; merging
/// interns them in that order in the file's [`PartyTable`], so that party ids and spellings are
/// those of one pass over the whole file.
#[derive(Default)]
struct Spellings {
    /// (spelling, country) by number.
    seen: Vec<(Arc<str>, CountryId)>,
    /// The same spelling in another country: the next number, or `u32::MAX`.
    next: Vec<u32>,
    /// The first number of each spelling.
    first: FxHashMap<Arc<str>, u32>,
}

impl Spellings {
    fn with_capacity(spellings: usize) -> Self {
        Spellings {
            seen: Vec::with_capacity(spellings),
            next: Vec::with_capacity(spellings),
            first: FxHashMap::with_capacity_and_hasher(spellings, Default::default()),
        }
    }

    /// The chunk's number for `raw` in `country`.
    fn id(&mut self, raw: &str, country: CountryId) -> PartyId {
        let new = self.seen.len() as u32;
        let text = match self.first.get(raw) {
            Some(&first) => {
                let mut i = first;
                loop {
                    if self.seen[i as usize].1 == country {
                        return PartyId(i);
                    }
                    match self.next[i as usize] {
                        u32::MAX => break,
                        n => i = n,
                    }
                }
                self.next[i as usize] = new;
                self.seen[i as usize].0.clone()
            }
            None => {
                let text: Arc<str> = Arc::from(raw);
                self.first.insert(text.clone(), new);
                text
            }
        };
        self.seen.push((text, country));
        self.next.push(u32::MAX);
        PartyId(new)
    }
}

/// Texts that repeat down a column (descriptions, units, ports), one shared copy each.
#[derive(Default)]
struct Texts(FxHashSet<ArcStr>);

impl Texts {
    fn get(&mut self, text: &str) -> ArcStr {
        match self.0.get(text) {
            Some(known) => known.clone(),
            None => {
                let new = ArcStr::from(text);
                self.0.insert(new.clone());
                new
            }
        }
    }
}

/// What one chunk of rows reads: its shipments (parties numbered by the chunk's [`Spellings`]),
/// and its share of the evidence the whole file decides on.
struct Chunk<'g> {
    shipments: Vec<Shipment>,
    spellings: Spellings,
    texts: Texts,
    countries: Countries<'g>,
    /// Rows whose date waits for the column's day/month order: (index in shipments, a, b, year);
    /// counting only, the row's line instead of its index.
    pending: Vec<(usize, u32, u32, i32)>,
    evidence: OrderEvidence,
    rows_in_kg: usize,
    /// Rows judged good, when counting only ([`ReadOptions::count_only`]).
    counted: usize,
}

/// The text of `column` in a row: its cell, or the value the mapping fixes for every row.
fn cell<'a>(record: &Cells<'a>, map: &'a ColumnMap, column: Column) -> &'a str {
    match map.get(column) {
        Some(i) => record.get(i),
        None => map.fixed(column).unwrap_or(""),
    }
}

fn required<'a>(
    record: &Cells<'a>,
    map: &'a ColumnMap,
    column: Column,
) -> Result<&'a str, RowError> {
    let text = cell(record, map, column);
    if text.is_empty() {
        Err(reject(column, "missing value"))
    } else {
        Ok(text)
    }
}

fn optional<'a>(record: &Cells<'a>, map: &'a ColumnMap, column: Column) -> Option<&'a str> {
    Some(cell(record, map, column)).filter(|t| !is_missing(t))
}

/// Checks a value the mapping fixes for every row of `column` as a cell of that column would
/// be read, so that a mistyped country fails the file once instead of every row.
pub fn check_fixed_value(
    column: Column,
    text: &str,
    decimal_comma: bool,
    g: &Gazetteer,
) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty".into());
    }
    match column {
        Column::ShipmentId => Err("a shipment id cannot be the same for every row".to_string()),
        Column::Date => parse_date(text)
            .map(|_| ())
            .ok_or_else(|| format!("unreadable or impossible date '{text}'")),
        Column::ExporterCountry | Column::ImporterCountry | Column::OriginCountry => {
            Countries::new(g)
                .get(column.name(), text)
                .map(|_| ())
                .map_err(|e| e.1)
        }
        Column::HsCode => HsCode::parse(text)
            .filter(|h| h.len() >= 4)
            .map(|_| ())
            .ok_or_else(|| format!("'{text}' is not a 4-10 digit HS code")),
        Column::Quantity | Column::ValueUsd | Column::WeightKg => {
            amount(text, column, decimal_comma)
                .map(|_| ())
                .map_err(|e| e.1)
        }
        Column::Exporter
        | Column::Importer
        | Column::Description
        | Column::Unit
        | Column::PortOfLoading
        | Column::PortOfDischarge
        | Column::TransportMode => Ok(()),
    }
}

fn amount(text: &str, column: Column, decimal_comma: bool) -> Result<f64, RowError> {
    match parse_number(text, decimal_comma) {
        Some(v) if v < 0.0 => Err(reject(column, format!("negative number '{text}'"))),
        Some(v) => Ok(v),
        None => Err(reject(column, format!("unreadable number '{text}'"))),
    }
}

/// Guesses whether numbers use decimal commas from the value columns.
fn sniff_decimal_comma(table: &Table<'_>, map: &ColumnMap) -> bool {
    let cols: Vec<usize> = [Column::ValueUsd, Column::Quantity, Column::WeightKg]
        .into_iter()
        .filter_map(|c| map.get(c))
        .collect();
    super::sniff_decimal_comma(table, &cols)
}

pub(super) fn read(
    table: &Table<'_>,
    options: &ReadOptions,
    g: &Gazetteer,
    provenance: &mut Provenance,
    progress: Progress<'_>,
) -> ReadResult {
    let map = ColumnMap::from_header(table.header, options.mapping.as_ref())
        .map_err(IngestError::Mapping)?;
    let missing = map.missing();
    // A country's own declarations name every country but their own: say how to give it.
    if !missing.is_empty()
        && missing
            .iter()
            .all(|c| matches!(c, Column::ExporterCountry | Column::ImporterCountry))
    {
        return Err(IngestError::MissingCountry {
            columns: missing.iter().map(|c| c.name()).collect(),
            found: super::describe_header(table.header),
        });
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            format: crate::model::Format::Shipments,
            missing: missing
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", "),
            found: super::describe_header(table.header),
        });
    }
    provenance.columns = map.describe(table.header);
    let forced_comma = options
        .mapping
        .as_ref()
        .and_then(|m| m.options.decimal_comma);
    let decimal_comma = forced_comma.unwrap_or_else(|| sniff_decimal_comma(table, &map));
    provenance.decimal_comma = decimal_comma;
    provenance.fixed = map.describe_fixed();
    for (name, value) in &provenance.fixed {
        let column = Column::from_name(name).unwrap_or(Column::Description);
        check_fixed_value(column, value, decimal_comma, g).map_err(|reason| {
            IngestError::Mapping(format!("{name} = \"{value}\" for every row: {reason}"))
        })?;
        provenance
            .notes
            .push(format!("{name} = {value} for every row"));
    }
    // Without a piece count the quantity is the weight, in kg.
    let no_piece_count = !map.has(Column::Quantity);
    let weight_header = map
        .get(Column::WeightKg)
        .map(|i| table.header[i].as_str())
        .unwrap_or("");
    let mass = if squash(weight_header).contains("gross") {
        "gross mass"
    } else {
        "net mass"
    };
    let date_order = options
        .date_order
        .or_else(|| options.mapping.as_ref().and_then(|m| m.options.date_order));
    let count_only = options.count_only;
    let mut counted = 0usize;

    let mut parties = PartyTable::default();
    let mut shipments: Vec<Shipment> =
        Vec::with_capacity(if count_only { 0 } else { estimate_rows(table) });
    // Rows whose date waits for the column's day/month order: (index in shipments, a, b, year).
    let mut pending: Vec<(usize, u32, u32, i32)> = Vec::new();
    let mut evidence = OrderEvidence::default();
    let mut rows_in_kg = 0usize;
    let line_bytes = line_bytes(table.text);

    // The shipment tables of merged chunks, emptied, for the chunks still to read: a table
    // reused is memory the system need not hand out (and zero) again.
    let spare: std::sync::Mutex<Vec<Vec<Shipment>>> = std::sync::Mutex::default();
    let new_chunk = |bytes: usize| Chunk {
        shipments: {
            let reused = spare.lock().ok().and_then(|mut s| s.pop());
            let mut table = reused.unwrap_or_default();
            if !count_only {
                table.reserve(bytes / line_bytes + 16);
            }
            table
        },
        // A row names two parties; a chunk's rows repeat most of them.
        spellings: Spellings::with_capacity(if count_only {
            0
        } else {
            bytes / line_bytes / 2 + 16
        }),
        texts: Texts::default(),
        countries: Countries::new(g),
        pending: Vec::new(),
        evidence: OrderEvidence::default(),
        rows_in_kg: 0,
        counted: 0,
    };
    let merge = |mut chunk: Chunk<'_>| {
        let ids: Vec<PartyId> = chunk
            .spellings
            .seen
            .iter()
            .map(|(raw, country)| parties.intern(raw, *country))
            .collect();
        // Counting only, pending rows carry their line, not an index.
        let offset = if count_only { 0 } else { shipments.len() };
        counted += chunk.counted;
        for s in &mut chunk.shipments {
            s.exporter = ids[s.exporter.0 as usize];
            s.importer = ids[s.importer.0 as usize];
        }
        shipments.append(&mut chunk.shipments);
        if let Ok(mut spare) = spare.lock() {
            spare.push(chunk.shipments);
        }
        pending.extend(
            chunk
                .pending
                .iter()
                .map(|&(i, a, b, year)| (offset + i, a, b, year)),
        );
        evidence.merge(&chunk.evidence);
        rows_in_kg += chunk.rows_in_kg;
    };
    let row =
        |chunk: &mut Chunk<'_>, line: u64, record: &csv::ByteRecord| -> Result<(), RowError> {
            let record = &Cells::new(record);
            let date_text = required(record, &map, Column::Date)?;
            let date = parse_date(date_text).ok_or_else(|| {
                reject(
                    Column::Date,
                    format!("unreadable or impossible date '{date_text}'"),
                )
            })?;
            let exporter = required(record, &map, Column::Exporter)?;
            let exporter_country = chunk.countries.get(
                Column::ExporterCountry.name(),
                required(record, &map, Column::ExporterCountry)?,
            )?;
            let importer = required(record, &map, Column::Importer)?;
            let importer_country = chunk.countries.get(
                Column::ImporterCountry.name(),
                required(record, &map, Column::ImporterCountry)?,
            )?;
            let origin_country = optional(record, &map, Column::OriginCountry)
                .map(|t| chunk.countries.get(Column::OriginCountry.name(), t))
                .transpose()?;
            let hs_text = required(record, &map, Column::HsCode)?;
            let hs_code = HsCode::parse(hs_text)
                .filter(|h| h.len() >= 4)
                .ok_or_else(|| {
                    reject(
                        Column::HsCode,
                        format!("'{hs_text}' is not a 4-10 digit HS code"),
                    )
                })?;
            let pieces = optional(record, &map, Column::Quantity)
                .map(|t| amount(t, Column::Quantity, decimal_comma))
                .transpose()?;
            let value_usd = amount(
                required(record, &map, Column::ValueUsd)?,
                Column::ValueUsd,
                decimal_comma,
            )?;
            let weight_kg = optional(record, &map, Column::WeightKg)
                .map(|t| amount(t, Column::WeightKg, decimal_comma))
                .transpose()?;
            // No piece count: the weight is the quantity, in kg.
            let (quantity, in_kg) = match (pieces, weight_kg) {
                (Some(q), _) => (q, false),
                (None, Some(w)) => (w, true),
                (None, None) => {
                    return Err(reject(
                        Column::Quantity,
                        "no quantity and no weight: a row needs a piece count or a net mass",
                    ));
                }
            };
            chunk.rows_in_kg += usize::from(in_kg);
            let date = match date {
                DateCell::Known(d) => d,
                DateCell::Ambiguous { a, b, year } => {
                    chunk.evidence.add(a, b);
                    let at = if count_only {
                        line as usize
                    } else {
                        chunk.shipments.len()
                    };
                    chunk.pending.push((at, a, b, year));
                    Date(i32::MIN)
                }
            };
            // Every cell that can fail a row has been read: the rest only fills the row in.
            if count_only {
                chunk.counted += 1;
                return Ok(());
            }
            let id = optional(record, &map, Column::ShipmentId)
                .map(ShipmentId::new)
                .unwrap_or_else(|| format!("L{line}").into());
            chunk.shipments.push(Shipment {
                id,
                // Past four billion lines (a terabyte of text) every row reads the last line.
                line: u32::try_from(line).unwrap_or(u32::MAX),
                date,
                exporter: chunk.spellings.id(exporter, exporter_country),
                exporter_country,
                importer: chunk.spellings.id(importer, importer_country),
                importer_country,
                origin_country,
                hs_code,
                description: chunk
                    .texts
                    .get(optional(record, &map, Column::Description).unwrap_or("")),
                quantity,
                unit: if in_kg {
                    Some(chunk.texts.get("KG"))
                } else {
                    optional(record, &map, Column::Unit).map(|t| chunk.texts.get(t))
                },
                value_usd,
                weight_kg,
                port_of_loading: optional(record, &map, Column::PortOfLoading)
                    .map(|t| chunk.texts.get(t)),
                port_of_discharge: optional(record, &map, Column::PortOfDischarge)
                    .map(|t| chunk.texts.get(t)),
                transport_mode: optional(record, &map, Column::TransportMode)
                    .and_then(|t| TransportMode::parse_keeping(t, |t| chunk.texts.get(t))),
            });
            Ok(())
        };
    let (mut rejects, total) = par_for_each_record(table, progress, new_chunk, row, merge)?;
    if no_piece_count {
        provenance.notes.push(format!(
            "no piece count: quantities are {mass} in kg; unit values are per kg"
        ));
    } else if rows_in_kg > 0 {
        provenance.notes.push(format!(
            "{rows_in_kg} row(s) have no piece count: their quantities are {mass} in kg; unit values are per kg"
        ));
    }

    if !pending.is_empty() {
        let column = map
            .get(Column::Date)
            .map(|i| table.header[i].as_str())
            .unwrap_or("date");
        let (order, note) = evidence.decide(column, date_order);
        provenance.notes.extend(note);
        let message = format!(
            "impossible date in {} order",
            if order == super::DateOrder::Dmy {
                "day/month"
            } else {
                "month/day"
            }
        );
        // Rows whose date the order cannot make are rejected (counting only, `at` is the line;
        // else the row's index, and the row is dropped).
        let mut dropped = vec![false; shipments.len()];
        let before = rejects.len();
        for &(at, a, b, year) in &pending {
            match order.resolve(a, b, year) {
                Some(d) if !count_only => shipments[at].date = d,
                Some(_) => {}
                None => {
                    let line = if count_only {
                        at as u64
                    } else {
                        dropped[at] = true;
                        u64::from(shipments[at].line)
                    };
                    rejects.push(super::RejectedRow {
                        line,
                        column: Column::Date.name().into(),
                        message: message.clone(),
                        fields: Vec::new(),
                    });
                }
            }
        }
        let rejected = rejects.len() - before;
        if rejected > 0 {
            if count_only {
                counted -= rejected;
            }
            let mut row = 0;
            shipments.retain(|_| {
                row += 1;
                !dropped[row - 1]
            });
            rejects.sort_by_key(|r| r.line);
            super::fill_fields(table, &mut rejects)?;
        }
    }
    // The table was sized from a generous guess at the number of rows and is not shrunk to fit:
    // capacity never written is never given memory by the system, and shrinking would copy
    // every row to memory the system must hand out (and zero) afresh.
    if count_only {
        return Ok((Records::Counted(counted), rejects, total));
    }
    Ok((
        Records::Shipments {
            shipments,
            parties: parties.parties,
        },
        rejects,
        total,
    ))
}

/// A guess at the number of records from the length of the first lines, so that a million rows
/// do not pay for repeated doubling of the shipment table.
fn estimate_rows(table: &Table<'_>) -> usize {
    // A quarter more than the first lines suggest: a table that must grow near its end copies
    // every row.
    (table.len / line_bytes(table.text) * 5 / 4 + 1024).min(60_000_000)
}

/// The mean length of the first lines, at least 1.
fn line_bytes(text: &str) -> usize {
    let sample: usize = text.lines().take(200).map(|l| l.len() + 1).sum();
    let lines = text.lines().take(200).count().max(1);
    (sample / lines).max(1)
}
