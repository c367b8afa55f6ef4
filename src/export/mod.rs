//! Files Chiptrail writes. Every file goes through [`write_atomic`] (a temporary file beside the
//! target, then a rename), and every CSV cell through [`spreadsheet_safe`]; both live in
//! [`crate::output`], below the analysis, so that the sample generator can use them too.

pub mod geojson;
pub mod kml;
pub mod report;
pub mod route_map;

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;

pub use crate::output::{SafeCsv, spreadsheet_safe, write_atomic};

use crate::analysis::ScoredRoute;
use crate::gazetteer::Gazetteer;
use crate::model::Dataset;
use crate::scoring::indicators::indicator_names;
use crate::triage::{RouteKey, Triage};

/// A route's disposition and notes as exports write them: (`disposition`, `notes`), notes as
/// `TIME text` joined by ` | `.
pub fn triage_cells(r: &ScoredRoute, triage: &Triage, g: &Gazetteer) -> (String, String) {
    let entry = triage.get(&RouteKey::of(r, g));
    let disposition = entry.map(|e| e.disposition).unwrap_or_default();
    let notes = entry
        .map(|e| {
            e.notes
                .iter()
                .map(|n| format!("{} {}", n.at, n.text))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default();
    (disposition.label().to_string(), notes)
}

/// Writes a dataset's rejected rows: `line,column,reason`, then the original fields under the
/// file's own header, so nothing is lost and the rows can be fixed and loaded again.
pub fn write_rejects(path: &Path, dataset: &Dataset) -> std::io::Result<()> {
    write_atomic(path, |out| {
        let mut csv = SafeCsv::new(out);
        let mut header = vec!["line".to_string(), "column".into(), "reason".into()];
        header.extend(dataset.header.iter().cloned());
        csv.row(&header)?;
        for r in &dataset.rejects {
            let mut row = vec![r.line.to_string(), r.column.clone(), r.message.clone()];
            row.extend(r.fields.iter().cloned());
            csv.row(&row)?;
        }
        csv.flush()
    })
}

/// Formats a score or indicator value with six decimals, so output is byte-identical across runs.
pub fn fixed(v: f64) -> String {
    format!("{v:.6}")
}

/// Writes routes as CSV: the `score` contract's columns, `basis` (which part of the scoring
/// decided) and `licences` (which licence covered each leg, or why none did), then one
/// `f_<indicator>` column each. Countries are written as their codes in `g`.
pub fn write_routes_csv(
    path: &Path,
    routes: &[&ScoredRoute],
    g: &Gazetteer,
) -> std::io::Result<()> {
    write_routes_csv_triaged(path, routes, g, None)
}

/// As [`write_routes_csv`], with `disposition` and `notes` columns at the end when a triage is
/// given (without one, the output is exactly [`write_routes_csv`]'s).
pub fn write_routes_csv_triaged(
    path: &Path,
    routes: &[&ScoredRoute],
    g: &Gazetteer,
    triage: Option<&Triage>,
) -> std::io::Result<()> {
    write_routes_csv_with(path, routes, g, triage, &|r| Cow::Borrowed(r))
}

/// As [`write_routes_csv`], each row written as `explain` gives it: the command line scores
/// without words and explains each row here, a chunk at a time, so that memory holds the words
/// of one chunk rather than of every row (see [`crate::analysis::Analysis::explain`]).
pub fn write_routes_csv_explained(
    path: &Path,
    routes: &[&ScoredRoute],
    g: &Gazetteer,
    explain: &(dyn for<'r> Fn(&'r ScoredRoute) -> Cow<'r, ScoredRoute> + Sync),
) -> std::io::Result<()> {
    write_routes_csv_with(path, routes, g, None, explain)
}

fn write_routes_csv_with(
    path: &Path,
    routes: &[&ScoredRoute],
    g: &Gazetteer,
    triage: Option<&Triage>,
    explain: &(dyn for<'r> Fn(&'r ScoredRoute) -> Cow<'r, ScoredRoute> + Sync),
) -> std::io::Result<()> {
    write_atomic(path, |out| {
        let mut csv = SafeCsv::new(out);
        let mut header: Vec<String> = [
            "route_id",
            "score",
            "flagged",
            "path",
            "parties",
            "shipment_ids",
            "first_date",
            "last_date",
            "quantity",
            "value_usd",
            "reasons",
            "basis",
            "licences",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let names = indicator_names();
        header.extend(names.iter().map(|n| format!("f_{n}")));
        if triage.is_some() {
            header.extend(["disposition".to_string(), "notes".to_string()]);
        }
        csv.row(&header)?;
        // Rows are made in parallel, a chunk at a time, and written in order: the file is the
        // same whatever the number of threads, and memory holds one chunk of text.
        let cells = |r: &ScoredRoute| {
            let mut row = vec![
                r.id.clone(),
                fixed(r.score.score),
                r.score.flagged.to_string(),
                r.path_codes(g),
                r.parties.join(" > "),
                r.shipment_ids.join(";"),
                r.first_date.to_string(),
                r.last_date.to_string(),
                crate::scoring::indicators::qty(r.quantity),
                format!("{:.2}", r.value_usd),
                r.score.reasons(),
                r.score.basis.label().to_string(),
                r.licence_notes.join("; "),
            ];
            row.extend(names.iter().map(|n| fixed(r.score.value(n))));
            if let Some(t) = triage {
                let (disposition, notes) = triage_cells(r, t, g);
                row.extend([disposition, notes]);
            }
            row
        };
        for chunk in routes.chunks(8192) {
            let rows: Vec<Vec<String>> = chunk.par_iter().map(|r| cells(&explain(r))).collect();
            for row in rows {
                csv.row(&row)?;
            }
        }
        csv.flush()
    })
}
