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

/// Routes an export writes, one at a time: a slice of routes at hand, or routes explained as they
/// are written ([`Explained`]), so that an export of half a million routes holds a chunk of them,
/// not all, and stops when asked to.
pub trait RouteSource: Sync {
    /// How many routes.
    fn len(&self) -> usize;
    /// True when there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The `i`-th route.
    fn route(&self, i: usize) -> std::borrow::Cow<'_, ScoredRoute>;
    /// True when the export should stop (nothing is written then).
    fn cancelled(&self) -> bool {
        false
    }
}

impl RouteSource for [&ScoredRoute] {
    fn len(&self) -> usize {
        <[&ScoredRoute]>::len(self)
    }
    fn route(&self, i: usize) -> std::borrow::Cow<'_, ScoredRoute> {
        std::borrow::Cow::Borrowed(self[i])
    }
}

impl RouteSource for Vec<&ScoredRoute> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn route(&self, i: usize) -> std::borrow::Cow<'_, ScoredRoute> {
        std::borrow::Cow::Borrowed(self[i])
    }
}

/// Rows at hand, each written as `explain` gives it: the command line scores without words and
/// the app keeps unflagged routes without them, and each row is explained as it is written, a
/// chunk at a time, so that memory holds the words of one chunk rather than of every row (see
/// [`crate::analysis::Analysis::explain`]). `done`, when given, counts the rows made (for
/// progress), and `cancel` stops the export.
pub struct ExplainedRows<'a> {
    pub routes: &'a [&'a ScoredRoute],
    pub explain: &'a (dyn for<'r> Fn(&'r ScoredRoute) -> Cow<'r, ScoredRoute> + Sync),
    pub done: Option<&'a std::sync::atomic::AtomicUsize>,
    pub cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

impl RouteSource for ExplainedRows<'_> {
    fn len(&self) -> usize {
        self.routes.len()
    }
    fn route(&self, i: usize) -> Cow<'_, ScoredRoute> {
        if let Some(done) = self.done {
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        (self.explain)(self.routes[i])
    }
    fn cancelled(&self) -> bool {
        self.cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// Routes are made in parallel a chunk at a time, and written in order: the file is the same
/// whatever the number of threads, and memory holds one chunk.
pub(crate) const CHUNK: usize = 4096;

/// Runs `each` on the routes of `routes` in order, made a chunk at a time in parallel by `make`;
/// stops with `Interrupted` when the source is cancelled. A chunk is handed to `each` (written)
/// while the next one is made: writing is serial, and the other threads need not wait for it.
pub(crate) fn for_each_chunk<R: RouteSource + ?Sized, T: Send>(
    routes: &R,
    make: impl Fn(&ScoredRoute) -> T + Sync,
    mut each: impl FnMut(T) -> std::io::Result<()> + Send,
) -> std::io::Result<()> {
    let n = routes.len();
    let mut start = 0;
    let mut made_before: Vec<T> = Vec::new();
    while start < n {
        if routes.cancelled() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "export cancelled",
            ));
        }
        let end = (start + CHUNK).min(n);
        let before = std::mem::take(&mut made_before);
        let (made, written) = rayon::join(
            || {
                (start..end)
                    .into_par_iter()
                    .map(|i| make(&routes.route(i)))
                    .collect::<Vec<T>>()
            },
            || before.into_iter().try_for_each(&mut each),
        );
        written?;
        made_before = made;
        start = end;
    }
    made_before.into_iter().try_for_each(&mut each)
}

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
    // Most factors did not fire or fired in full: written without the formatter's exact
    // decimal expansion, a million times in a big export (the same text: `-0.0` keeps its sign
    // by the formatter).
    if v.to_bits() == 0 {
        "0.000000".to_string()
    } else if v == 1.0 {
        "1.000000".to_string()
    } else {
        format!("{v:.6}")
    }
}

/// Writes routes as CSV: the `score` contract's columns, `basis` (which part of the scoring
/// decided) and `licences` (which licence covered each leg, or why none did), then one
/// `f_<indicator>` column each. Countries are written as their codes in `g`.
pub fn write_routes_csv<R: RouteSource + ?Sized>(
    path: &Path,
    routes: &R,
    g: &Gazetteer,
) -> std::io::Result<()> {
    write_routes_csv_triaged(path, routes, g, None)
}

/// As [`write_routes_csv`], with `disposition` and `notes` columns at the end when a triage is
/// given (without one, the output is exactly [`write_routes_csv`]'s).
pub fn write_routes_csv_triaged<R: RouteSource + ?Sized>(
    path: &Path,
    routes: &R,
    g: &Gazetteer,
    triage: Option<&Triage>,
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
        for_each_chunk(routes, cells, |row| csv.row(&row))?;
        csv.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::borrow::Cow;
    use std::sync::atomic::{AtomicBool, Ordering};

    proptest! {
        /// The shortcuts for 0 and 1 write what the formatter writes, and so does every other
        /// value (signs, zeros and halves at the sixth decimal included).
        #[test]
        fn fixed_writes_what_the_formatter_writes(bits in any::<u64>(), pick in 0usize..8) {
            let v = [
                f64::from_bits(bits), 0.0, -0.0, 1.0, -1.0, 0.5e-6, 1.0 - 0.5e-6, 2.5e-6,
            ][pick];
            prop_assert_eq!(fixed(v), format!("{v:.6}"));
        }
    }

    /// The routes of an analysis of nothing, with a cancel switch.
    struct Stoppable {
        route: ScoredRoute,
        n: usize,
        cancel: AtomicBool,
    }

    impl RouteSource for Stoppable {
        fn len(&self) -> usize {
            self.n
        }
        fn route(&self, _: usize) -> Cow<'_, ScoredRoute> {
            // Asked to stop once the first chunk is being made.
            self.cancel.store(true, Ordering::Relaxed);
            Cow::Borrowed(&self.route)
        }
        fn cancelled(&self) -> bool {
            self.cancel.load(Ordering::Relaxed)
        }
    }

    #[test]
    fn a_cancelled_export_writes_nothing_and_leaves_the_old_file() {
        let g = Gazetteer::embedded();
        let route = ScoredRoute {
            id: "R1".into(),
            kind: crate::analysis::RouteKind::Corridor { flows: Vec::new() },
            score: crate::scoring::combine(Vec::new(), 0.0, &crate::rules::Rules::default()),
            countries: Vec::new(),
            parties: Vec::new(),
            shipment_ids: Vec::new(),
            first_date: crate::model::Date(0),
            last_date: crate::model::Date(0),
            quantity: 0.0,
            value_usd: 0.0,
            stops: Vec::new(),
            licence_notes: Vec::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("routes.csv");
        std::fs::write(&path, "before\n").unwrap();
        let source = Stoppable {
            route,
            n: 3 * CHUNK,
            cancel: AtomicBool::new(false),
        };
        let err = write_routes_csv(&path, &source, g).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "before\n");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
