//! Long work off the UI thread: loading files and scoring run on a named thread with progress
//! and cancel; the UI keeps drawing and picks up the result (or the error) when it is done.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use crate::analysis::Analysis;
use crate::case::{CaseFile, CaseProblem, CaseProblems, Locate, OpenedCase};
use crate::gazetteer::Gazetteer;
use crate::ingest::{self, IngestError, Mapping, ReadOptions};
use crate::model::Dataset;
use crate::rules::Rules;

/// A file the job could not load, and whether a column mapping could fix it.
#[derive(Clone, Debug)]
pub struct LoadFailure {
    pub path: PathBuf,
    pub message: String,
    pub needs_mapping: bool,
}

/// What a finished job hands back: loaded and scored data, a case opened (or not), or routes
/// exported.
pub enum Finished {
    Data(JobOutput),
    Case(Box<CaseOutcome>),
    Exported(Exported),
}

/// Routes written to a file (or why not).
pub struct Exported {
    pub path: PathBuf,
    pub count: usize,
    pub result: Result<(), String>,
}

/// A case the job tried to open: the case file, where its inputs were looked for, and what
/// came of it (the data scored again, or every input that is missing or changed).
pub struct CaseOutcome {
    pub path: PathBuf,
    pub case: CaseFile,
    pub locate: Locate,
    pub result: Result<OpenedCase, CaseProblems>,
}

/// Loaded and scored data.
pub struct JobOutput {
    pub datasets: Vec<Arc<Dataset>>,
    pub failures: Vec<LoadFailure>,
    pub analysis: Arc<Analysis>,
}

/// A running job.
pub struct Job {
    pub label: String,
    progress: Arc<Mutex<(f32, String)>>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Option<Finished>>,
}

/// What to load before scoring: a path, with a mapping when the user gave one.
pub type LoadRequest = (PathBuf, Option<Mapping>);

impl Job {
    /// Loads `requests`, then scores everything (`existing` plus the new files) with `rules`.
    pub fn start(
        ctx: &egui::Context,
        existing: Vec<Arc<Dataset>>,
        requests: Vec<LoadRequest>,
        rules: Rules,
        embedded_sample: bool,
    ) -> Job {
        let label = if requests.is_empty() && !embedded_sample {
            "Scoring".to_string()
        } else {
            "Loading".to_string()
        };
        Job::spawn(ctx, label, move |p, c, ctx| {
            run(existing, requests, rules, embedded_sample, p, c, ctx).map(Finished::Data)
        })
    }

    /// Opens a case: reads every input again, checks it, and scores it with the case's rules.
    pub fn open_case(ctx: &egui::Context, path: PathBuf, case: CaseFile, locate: Locate) -> Job {
        Job::spawn(ctx, "Opening case".into(), move |p, c, ctx| {
            let mut report = |f: f64| {
                if let Ok(mut p) = p.lock() {
                    *p = (f as f32, "reading and checking the case's files".into());
                }
                ctx.request_repaint();
                !c.load(Ordering::Relaxed)
            };
            let result = crate::case::open_case_with(&case, &locate, Some(&mut report));
            if result.as_ref().is_err_and(|e| {
                e.problems
                    .iter()
                    .any(|p| matches!(p, CaseProblem::Cancelled))
            }) {
                return None;
            }
            Some(Finished::Case(Box::new(CaseOutcome {
                path,
                case,
                locate,
                result,
            })))
        })
    }

    /// Writes routes `indices` of `analysis` to `path` as `format`, each explained in words as it
    /// is written (a chunk at a time, so that a large export holds one chunk, not every route),
    /// with the triage's dispositions and notes. Cancelled, it writes nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn export(
        ctx: &egui::Context,
        analysis: Arc<Analysis>,
        datasets: Vec<Arc<Dataset>>,
        indices: Vec<usize>,
        triage: crate::triage::Triage,
        format: super::command::ExportFormat,
        path: PathBuf,
    ) -> Job {
        let label = format!("Exporting {} route(s)", indices.len());
        Job::spawn(ctx, label, move |p, c, ctx| {
            use super::command::ExportFormat;
            let done = std::sync::atomic::AtomicUsize::new(0);
            let sets: Vec<&Dataset> = datasets.iter().map(Arc::as_ref).collect();
            let routes: Vec<&crate::analysis::ScoredRoute> =
                indices.iter().map(|&k| &analysis.routes[k]).collect();
            let source = crate::export::ExplainedRows {
                routes: &routes,
                explain: &|r| analysis.explain(r, &sets),
                done: Some(&done),
                cancel: Some(c),
            };
            let g = Gazetteer::embedded();
            let n = indices.len().max(1);
            let result = std::thread::scope(|scope| {
                let writing = scope.spawn(|| match format {
                    ExportFormat::Csv => {
                        crate::export::write_routes_csv_triaged(&path, &source, g, Some(&triage))
                    }
                    ExportFormat::GeoJson => {
                        crate::export::geojson::write_triaged(&path, &source, g, Some(&triage))
                    }
                    ExportFormat::Kml => {
                        crate::export::kml::write_triaged(&path, &source, g, Some(&triage))
                    }
                });
                // Progress from the routes made so far, until the writer is done.
                while !writing.is_finished() {
                    let k = done.load(Ordering::Relaxed).min(n);
                    if let Ok(mut p) = p.lock() {
                        *p = (k as f32 / n as f32, format!("{k} of {n} routes written"));
                    }
                    ctx.request_repaint();
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                writing
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("the writer stopped")))
            });
            if c.load(Ordering::Relaxed) {
                return None;
            }
            Some(Finished::Exported(Exported {
                count: indices.len(),
                result: result.map_err(|e| e.to_string()),
                path,
            }))
        })
    }

    /// Runs `work` on a thread of its own with progress and cancel.
    fn spawn(
        ctx: &egui::Context,
        label: String,
        work: impl FnOnce(&Mutex<(f32, String)>, &AtomicBool, &egui::Context) -> Option<Finished>
        + Send
        + 'static,
    ) -> Job {
        let progress = Arc::new(Mutex::new((0.0, "starting".to_string())));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let (p, c, ctx) = (progress.clone(), cancel.clone(), ctx.clone());
        let spawned = std::thread::Builder::new()
            .name("chiptrail-job".into())
            .spawn(move || {
                let out = work(&p, &c, &ctx);
                let _ = tx.send(out);
                ctx.request_repaint();
            });
        if let Err(e) = spawned {
            *progress.lock().unwrap_or_else(|p| p.into_inner()) =
                (1.0, format!("could not start a thread: {e}"));
        }
        Job {
            label,
            progress,
            cancel,
            result: rx,
        }
    }

    /// (fraction done, what is happening).
    pub fn progress(&self) -> (f32, String) {
        self.progress
            .lock()
            .map(|g| g.clone())
            .unwrap_or((0.0, String::new()))
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The result once the job is done: `Some(None)` when it was cancelled.
    pub fn poll(&self) -> Option<Option<Finished>> {
        self.result.try_recv().ok()
    }
}

fn run(
    existing: Vec<Arc<Dataset>>,
    requests: Vec<LoadRequest>,
    rules: Rules,
    embedded_sample: bool,
    progress: &Mutex<(f32, String)>,
    cancel: &AtomicBool,
    ctx: &egui::Context,
) -> Option<JobOutput> {
    let g = Gazetteer::embedded();
    let set = |f: f32, s: String| {
        if let Ok(mut p) = progress.lock() {
            *p = (f, s);
        }
        ctx.request_repaint();
    };
    let mut datasets = existing;
    let mut failures = Vec::new();
    if embedded_sample {
        set(0.05, "reading the embedded sample".into());
        match crate::sample::embedded_dataset(g) {
            Ok(d) => datasets.push(Arc::new(d)),
            Err(e) => failures.push(LoadFailure {
                path: "embedded sample".into(),
                message: e.to_string(),
                needs_mapping: false,
            }),
        }
        for (text, path) in [
            (
                crate::sample::EMBEDDED_SCREENING,
                "embedded:data/sample/screening_list.csv",
            ),
            (
                crate::sample::EMBEDDED_LICENCES,
                "embedded:data/sample/licences.csv",
            ),
        ] {
            if let Ok(d) = ingest::read_bytes(
                text.as_bytes(),
                std::path::Path::new(path),
                &ReadOptions::default(),
                g,
                None,
            ) {
                datasets.push(Arc::new(d));
            }
        }
    }
    let n = requests.len().max(1) as f32;
    let stage = crate::timing::Stage::start("app: reading");
    for (k, (path, mapping)) in requests.into_iter().enumerate() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let options = ReadOptions {
            mapping,
            ..Default::default()
        };
        let mut report = |f: f64| {
            set((k as f32 + f as f32) / n * 0.7, format!("reading {name}"));
            !cancel.load(Ordering::Relaxed)
        };
        match ingest::read_path_all(&path, &options, g, Some(&mut report)) {
            Ok(opened) => {
                // A zip gives a dataset per table; what was skipped in it shows on the first.
                let mut notes = Some(opened.notes);
                for mut d in opened.datasets {
                    d.provenance.notes.extend(notes.take().unwrap_or_default());
                    datasets.push(Arc::new(d));
                }
            }
            Err(IngestError::Cancelled) => return None,
            Err(e) => {
                let needs_mapping = e.needs_mapping();
                failures.push(LoadFailure {
                    path,
                    message: e.in_app(),
                    needs_mapping,
                });
            }
        }
    }
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    stage.end();
    set(0.75, "reconstructing and scoring routes".into());
    let trade: Vec<&Dataset> = datasets
        .iter()
        .map(Arc::as_ref)
        .filter(|d| !d.provenance.format.is_screening())
        .collect();
    let lists = Analysis::watchlist_entries(
        datasets
            .iter()
            .map(Arc::as_ref)
            .filter(|d| d.provenance.format.is_screening()),
    );
    // Every route is kept for the map and the table; the flagged ones are explained in words
    // now, the others when they are shown or exported (Analysis::explained).
    let analysis = Analysis::run_keeping(
        &trade,
        &lists,
        &rules,
        g,
        crate::analysis::Keep::All,
        crate::analysis::Keep::Flagged,
    );
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    set(1.0, "done".into());
    Some(JobOutput {
        datasets,
        failures,
        analysis: Arc::new(analysis),
    })
}
