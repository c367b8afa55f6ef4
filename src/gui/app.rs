//! The app: the [`State`] the panels read, the map widget's own state, the undo history and the
//! file picker. Each frame the panels draw from the state and return [`Command`]s, which the app
//! applies after the frame by calling the core. Only this module changes the state.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::gazetteer::Gazetteer;
use crate::ingest::Mapping;
use crate::model::{Dataset, Date};
use crate::rules::Rules;
use crate::triage::{RouteKey, Triage};
use egui::Rect;
use walkers::{HttpOptions, HttpTiles, MapMemory, lon_lat};

use super::basemap::{Basemap, mercator};
use super::flows::DrawnFlows;
use super::history::{History, Snapshot, Step, filter_fields};
use super::jobs::{CaseOutcome, Finished, Job, LoadRequest};
use super::panels;
use super::panels::map::MapView;

pub use super::command::{
    Command, ExportFormat, ExportScope, Panel, Sort, SortKey, Window as AppWindow,
};
pub use super::state::{MappingDialog, Settings, State};

/// What the file picker is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileRequest {
    OpenData,
    OpenRules,
    OpenMapping,
    OpenCase,
    /// Where an input of a case is now (the input's file name).
    Locate {
        name: String,
    },
    Save {
        title: String,
        extension: String,
    },
}

/// The file picker: a system dialog in the app, a stand-in in tests (which must never open one).
pub type FilePicker = Box<dyn FnMut(FileRequest) -> Vec<PathBuf>>;

pub struct App {
    /// What the panels read.
    pub state: State,
    /// The map widget's pan and zoom, tiles, and what it reported (the one piece of state a
    /// widget changes itself).
    pub map: MapView,
    pub pick_file: FilePicker,
    /// The time dispositions and notes are stamped with, UTC ISO 8601 (tests fix it).
    pub clock: fn() -> String,
    /// How each file loaded was read (a column mapping), by the path it was loaded from, for
    /// the case file.
    read_options: std::collections::HashMap<PathBuf, crate::ingest::ReadOptions>,
    table_sorted_by: Option<Sort>,
    months_selected_for: Option<usize>,
    /// The selection the drawn flows were made sure to include.
    drawn_selected_for: Option<Option<usize>>,
    pending_png: Option<PathBuf>,
    /// The evidence report waiting for its map view screenshot.
    pending_report: Option<PathBuf>,
    /// `CHIPTRAIL_SCREENSHOT=PATH`: once the first analysis is in, save the map view there and close
    /// (README screenshots, and a check of the PNG export in a real window).
    screenshot_and_close: Option<PathBuf>,
    screenshot_requested: bool,
    frame_log: bool,
    /// Screenshots arrive from the renderer through this channel.
    screenshots: (
        std::sync::mpsc::Sender<Arc<egui::ColorImage>>,
        std::sync::mpsc::Receiver<Arc<egui::ColorImage>>,
    ),
}

const SETTINGS_KEY: &str = "chiptrail-settings";

/// The most hits a search keeps (the list under the box shows the first of them).
const SEARCH_LIMIT: usize = 100;

/// What File > Open offers: tables as text, gzipped, zipped (BACI) or as Excel workbooks.
/// Dropped files are read whatever their name; the reader goes by their content.
pub const DATA_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "gz", "zip", "xlsx", "xlsm", "xls"];

/// The current time, UTC, ISO 8601 to the second (`2026-11-29T10:15:00Z`).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    utc_timestamp(secs)
}

/// Seconds since 1970-01-01 UTC as ISO 8601.
pub fn utc_timestamp(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        Date(days as i32),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The system file dialog.
fn system_picker() -> FilePicker {
    Box::new(|request| match request {
        FileRequest::OpenData => rfd::FileDialog::new()
            .add_filter("Trade data", DATA_EXTENSIONS)
            .pick_files()
            .unwrap_or_default(),
        FileRequest::OpenRules => rfd::FileDialog::new()
            .add_filter("Rules", &["toml"])
            .pick_file()
            .into_iter()
            .collect(),
        FileRequest::OpenMapping => rfd::FileDialog::new()
            .set_title("Load mapping")
            .add_filter("Column mapping", &["toml"])
            .pick_file()
            .into_iter()
            .collect(),
        FileRequest::OpenCase => rfd::FileDialog::new()
            .set_title("Open case")
            .add_filter("Chiptrail case", &[crate::case::CASE_EXTENSION])
            .pick_file()
            .into_iter()
            .collect(),
        FileRequest::Locate { name } => rfd::FileDialog::new()
            .set_title(format!("Locate {name}"))
            .pick_file()
            .into_iter()
            .collect(),
        FileRequest::Save { title, extension } => rfd::FileDialog::new()
            .set_title(title)
            .add_filter(extension.clone(), &[extension.as_str()])
            .save_file()
            .into_iter()
            .collect(),
    })
}

impl App {
    /// The app as `cargo run` opens it: settings from the last run, the embedded sample loading.
    pub fn new(cc: &eframe::CreationContext<'_>, files: Vec<PathBuf>) -> App {
        super::install_fonts(&cc.egui_ctx);
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, SETTINGS_KEY))
            .unwrap_or_default();
        let mut app = App::with_settings(&cc.egui_ctx, settings, system_picker());
        app.open_instead(&cc.egui_ctx, files);
        app
    }

    /// Opens the user's files, or the one case file among them, instead of the sample.
    pub fn open_instead(&mut self, ctx: &egui::Context, files: Vec<PathBuf>) {
        let request = match crate::case::OpenRequest::classify(files) {
            Ok(r) => r,
            Err(e) => {
                self.state.status = e;
                return;
            }
        };
        match request {
            crate::case::OpenRequest::Sample => {}
            crate::case::OpenRequest::Files(files) => {
                if let Some(job) = self.state.job.take() {
                    job.cancel();
                }
                let requests = files.into_iter().map(|f| (f, None)).collect();
                self.state.job = Some(Job::start(
                    ctx,
                    Vec::new(),
                    requests,
                    self.state.rules.clone(),
                    false,
                ));
            }
            crate::case::OpenRequest::Case(path) => self.apply(ctx, Command::OpenCase(path)),
        }
    }

    /// The app with given settings and file picker (tests pass a stand-in picker).
    pub fn with_settings(ctx: &egui::Context, settings: Settings, pick_file: FilePicker) -> App {
        let g = Gazetteer::embedded();
        let mut memory = MapMemory::default();
        let _ = memory.set_zoom(settings.zoom.clamp(1.0, 16.0));
        memory.center_at(lon_lat(settings.center[0], settings.center[1]));
        // No view saved: frame the trade of this domain to the window once it is laid out.
        let first_frame = (settings.center == crate::gui::state::DEFAULT_VIEW_CENTER)
            .then_some(crate::gui::state::DEFAULT_VIEW);
        let (rules, rules_status) = load_rules(settings.rules_path.as_deref());
        let labels = g
            .countries()
            .iter()
            .filter(|c| c.kind == crate::gazetteer::AreaKind::Country)
            .filter_map(|c| c.point.map(|p| (mercator(p.x(), p.y()), c.name.clone())))
            .collect();
        let concern_m49 = g
            .group("concern")
            .map(|gr| {
                gr.members
                    .iter()
                    .filter_map(|c| g.country(*c).m49)
                    .collect()
            })
            .unwrap_or_default();
        let state = State {
            settings,
            datasets: Vec::new(),
            failures: Vec::new(),
            analysis: Arc::new(Analysis::default()),
            rules,
            visible: Vec::new(),
            drawn: DrawnFlows::default(),
            selected: None,
            basemap: Arc::new(Basemap::embedded()),
            labels,
            places: Default::default(),
            concern_m49,
            job: None,
            status: rules_status,
            search: String::new(),
            search_hits: Vec::new(),
            search_open: false,
            search_highlight: 0,
            playback: None,
            playback_speed: 1.0,
            mapping_dialog: None,
            about_open: false,
            shortcuts_open: false,
            routes_sort: Sort::default(),
            table_order: Vec::new(),
            months_all: Vec::new(),
            months_selected: Vec::new(),
            corridor_totals: Vec::new(),
            selected_corridor: None,
            selected_explained: None,
            written: Vec::new(),
            triage: Default::default(),
            route_keys: Vec::new(),
            dispositions: Vec::new(),
            orphans: Vec::new(),
            history: History::default(),
            case_path: None,
            case_dialog: None,
        };
        let mut app = App {
            state,
            map: MapView {
                memory,
                tiles: None,
                rect: None,
                events: Default::default(),
                frame: first_frame.map(|b| (b, crate::gui::panels::map::FRAME_MARGIN)),
                touched: first_frame.is_none(),
            },
            pick_file,
            clock: utc_now,
            read_options: Default::default(),
            table_sorted_by: None,
            months_selected_for: None,
            drawn_selected_for: None,
            pending_png: None,
            pending_report: None,
            screenshots: std::sync::mpsc::channel(),
            screenshot_and_close: std::env::var_os("CHIPTRAIL_SCREENSHOT").map(PathBuf::from),
            screenshot_requested: false,
            frame_log: std::env::var_os("CHIPTRAIL_FRAME_LOG").is_some(),
        };
        if app.state.settings.online_tiles {
            app.set_online_tiles(ctx, true);
        }
        app.state.job = Some(Job::start(
            ctx,
            Vec::new(),
            Vec::new(),
            app.state.rules.clone(),
            true,
        ));
        app
    }

    /// Recomputes what is visible and drawn after the analysis, the filter or the triage changed.
    pub fn refresh(&mut self) {
        let s = &mut self.state;
        let stage = crate::timing::Stage::start("app: filter");
        s.visible = s
            .settings
            .filter
            .apply_at(&s.analysis, &s.dispositions, Some(&s.places));
        stage.end();
        let _stage = crate::timing::Stage::start("app: flows built");
        s.drawn = DrawnFlows::build(&s.analysis, &s.places, &s.visible, &s.dispositions);
        self.table_sorted_by = None;
        self.drawn_selected_for = None;
        if s.selected.is_some_and(|i| i >= s.analysis.routes.len()) {
            s.selected = None;
        }
    }

    /// Recomputes what depends only on the loaded data (not on the filter): route keys and
    /// dispositions, hub sizes and the monthly values of all shipments.
    fn data_changed(&mut self) {
        let s = &mut self.state;
        let stage = crate::timing::Stage::start("app: route keys");
        s.rekey();
        stage.end();
        let stage = crate::timing::Stage::start("app: months and places");
        s.months_all = crate::filter::monthly_values(&s.analysis);
        self.months_selected_for = None;
        let datasets: Vec<&Dataset> = s.datasets.iter().map(Arc::as_ref).collect();
        let g = Gazetteer::embedded();
        s.corridor_totals = s.analysis.corridor_totals(&datasets, g);
        s.places = Arc::new(crate::flowmap::RoutePlaces::build(
            &s.analysis,
            &datasets,
            g,
        ));
        stage.end();
        self.refresh();
    }

    /// Brings the cached table order and timelines up to date with the sort and the selection.
    pub fn update_views(&mut self) {
        let s = &mut self.state;
        if self.table_sorted_by != Some(s.routes_sort) {
            let _stage = crate::timing::Stage::start("app: table order");
            s.table_order =
                panels::routes::ordered(&s.analysis, &s.visible, &s.dispositions, s.routes_sort);
            self.table_sorted_by = Some(s.routes_sort);
        }
        if self.drawn_selected_for != Some(s.selected) {
            s.drawn.select(&s.analysis, &s.places, s.selected);
            let datasets: Vec<&Dataset> = s.datasets.iter().map(Arc::as_ref).collect();
            s.selected_explained = s.selected.and_then(|i| {
                let r = s.analysis.explained(i, &datasets)?;
                Some((i, r.into_owned()))
            });
            self.drawn_selected_for = Some(s.selected);
        }
        if self.months_selected_for != s.selected {
            s.months_selected = s
                .selected_route()
                .map(|r| crate::filter::route_party_months(&s.analysis, r))
                .unwrap_or_default();
            let datasets: Vec<&Dataset> = s.datasets.iter().map(Arc::as_ref).collect();
            s.selected_corridor = s.selected.and_then(|i| {
                let e = s
                    .analysis
                    .corridor_evidence(i, &datasets, Gazetteer::embedded())?;
                Some((i, e))
            });
            self.months_selected_for = s.selected;
        }
    }

    /// Starts playing time from the first month of the data, goes on after a pause, or starts
    /// again from the first month when the last was reached.
    fn play(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        let month = match &mut self.state.playback {
            Some(p) if p.playing => return,
            Some(p) if p.month < p.range.1 => {
                p.playing = true;
                p.stepped_at = now;
                return;
            }
            Some(p) => {
                p.playing = true;
                p.stepped_at = now;
                p.month = p.range.0;
                p.range.0
            }
            None => {
                let Some(range) = crate::filter::month_range(&self.state.analysis) else {
                    return;
                };
                self.state.playback = Some(super::state::Playback {
                    month: range.0,
                    range,
                    playing: true,
                    before: self.state.settings.filter.clone(),
                    stepped_at: now,
                });
                range.0
            }
        };
        let filter = self.state.settings.filter.with_month(month);
        self.apply(ctx, Command::SetFilter(filter));
    }

    /// Steps the playing month when its time has come (egui's input time), and asks for a frame
    /// when the next step is due. At the last month it pauses there.
    pub fn tick_playback(&mut self, ctx: &egui::Context) {
        let Some(p) = &mut self.state.playback else {
            return;
        };
        if !p.playing {
            return;
        }
        let now = ctx.input(|i| i.time);
        let every = 1.0 / self.state.playback_speed.max(0.01);
        if now - p.stepped_at < every {
            let wait = (every - (now - p.stepped_at)).max(0.01);
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(wait));
            return;
        }
        match crate::filter::next_month(Some(p.month), p.range) {
            Some(month) => {
                p.month = month;
                p.stepped_at = now;
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(every));
                let filter = self.state.settings.filter.with_month(month);
                self.apply(ctx, Command::SetFilter(filter));
            }
            None => p.playing = false,
        }
    }

    /// Polls the background job; applies its result.
    pub fn poll_job(&mut self) {
        let Some(job) = &self.state.job else { return };
        let Some(result) = job.poll() else { return };
        self.state.job = None;
        match result {
            None => self.state.status = "cancelled".into(),
            Some(Finished::Case(outcome)) => self.case_opened(*outcome),
            Some(Finished::Exported(out)) => {
                let s = &mut self.state;
                s.status = match out.result {
                    Ok(()) => {
                        s.written.push(out.path.clone());
                        format!("wrote {} route(s) to {}", out.count, out.path.display())
                    }
                    Err(e) => format!("could not write {}: {e}", out.path.display()),
                };
            }
            Some(Finished::Data(out)) => {
                // The selection follows its route into the new analysis, if the route is still there.
                let selected = self.state.selected_key();
                let s = &mut self.state;
                s.datasets = out.datasets;
                s.analysis = out.analysis;
                let flagged = s.analysis.routes.iter().filter(|r| r.score.flagged).count();
                s.status = format!("{} routes, {} flagged", s.analysis.routes.len(), flagged);
                for f in &out.failures {
                    if f.needs_mapping && s.mapping_dialog.is_none() {
                        s.mapping_dialog = mapping_dialog_for(&f.path, &f.message);
                    }
                }
                s.failures
                    .retain(|old| !out.failures.iter().any(|f| f.path == old.path));
                s.failures.extend(out.failures);
                s.selected = None;
                // New data has other months: playing stops and the dates go back.
                if let Some(p) = s.playback.take() {
                    s.settings.filter.from = p.before.from;
                    s.settings.filter.to = p.before.to;
                }
                self.data_changed();
                if !self.map.touched {
                    self.frame_world();
                }
                self.state.selected = selected.and_then(|k| self.state.route_of(&k));
                if !self.state.orphans.is_empty() {
                    self.state.status.push_str(&format!(
                        "; {} disposition(s) no longer have a route",
                        self.state.orphans.len()
                    ));
                }
                if let Some(path) = self.screenshot_and_close.clone() {
                    self.pending_png = Some(path);
                }
            }
        }
    }

    fn start_job(&mut self, ctx: &egui::Context, requests: Vec<LoadRequest>) {
        if let Some(job) = &self.state.job {
            job.cancel();
        }
        // Files loaded again replace their earlier copy (every table of a zip).
        let reloaded: Vec<&PathBuf> = requests.iter().map(|r| &r.0).collect();
        let existing = self
            .state
            .datasets
            .iter()
            .filter(|d| {
                let p = &d.provenance;
                let file = p.archive.as_ref().map_or(&p.path, |a| &a.path);
                !reloaded.contains(&file)
            })
            .cloned()
            .collect();
        self.state.job = Some(Job::start(
            ctx,
            existing,
            requests,
            self.state.rules.clone(),
            false,
        ));
    }

    fn set_online_tiles(&mut self, ctx: &egui::Context, on: bool) {
        self.state.settings.online_tiles = on;
        self.map.tiles = on.then(|| {
            let cache = std::env::temp_dir().join("chiptrail-tiles");
            let options = HttpOptions {
                cache: Some(cache),
                ..HttpOptions::default()
            };
            HttpTiles::with_options(walkers::sources::OpenStreetMap, options, ctx.clone())
        });
    }

    /// Puts a case that was read back in place of the current work, or says why it could not be.
    fn case_opened(&mut self, outcome: CaseOutcome) {
        let CaseOutcome {
            path,
            case,
            locate,
            result,
        } = outcome;
        let opened = match result {
            Ok(opened) => opened,
            Err(problems) => {
                self.state.status = format!("could not open the case {}", path.display());
                self.state.case_dialog = Some(super::state::CaseDialog {
                    path,
                    error: None,
                    backup: None,
                    problems: problems.problems,
                    warnings: Vec::new(),
                    retry: Some((Box::new(case), locate)),
                });
                return;
            }
        };
        self.read_options.clear();
        for input in &opened.inputs {
            if let Ok(options) = input.read_options() {
                self.read_options.insert(input.path.clone(), options);
            }
        }
        let s = &mut self.state;
        s.datasets = opened.datasets.into_iter().map(Arc::new).collect();
        s.analysis = Arc::new(opened.analysis);
        s.rules = s.analysis.rules.clone();
        s.failures.clear();
        s.mapping_dialog = None;
        s.triage = opened.triage;
        s.settings.filter = opened.filter;
        s.playback = None;
        s.selected = None;
        self.map
            .memory
            .center_at(lon_lat(opened.view.center[0], opened.view.center[1]));
        let _ = self.map.memory.set_zoom(opened.view.zoom.clamp(1.0, 16.0));
        // The case's view is the investigator's: no automatic framing replaces it.
        self.map.frame = None;
        self.map.touched = true;
        self.data_changed();
        let s = &mut self.state;
        s.selected = opened.selected;
        s.history.clear();
        let flagged = s.analysis.routes.iter().filter(|r| r.score.flagged).count();
        s.status = format!(
            "opened the case {}: {} routes, {flagged} flagged",
            path.display(),
            s.analysis.routes.len()
        );
        if !s.orphans.is_empty() {
            s.status.push_str(&format!(
                "; {} disposition(s) no longer have a route",
                s.orphans.len()
            ));
        }
        s.case_dialog = (!opened.warnings.is_empty()).then(|| super::state::CaseDialog {
            path: path.clone(),
            error: None,
            backup: None,
            problems: Vec::new(),
            warnings: opened.warnings,
            retry: None,
        });
        self.remember_case(path);
    }

    /// Puts a case at the top of the recent cases.
    fn remember_case(&mut self, path: PathBuf) {
        let recent = &mut self.state.settings.recent_cases;
        recent.retain(|p| p != &path);
        recent.insert(0, path.clone());
        recent.truncate(8);
        self.state.case_path = Some(path);
    }

    /// Saves the work as a case file: the inputs with their hashes and how they were read, the
    /// rules, the filter, the map view, the selection and the triage.
    fn save_case(&mut self, mut path: PathBuf) {
        if path.extension().is_none() {
            path.set_extension(crate::case::CASE_EXTENSION);
        }
        let s = &self.state;
        let inputs = crate::case::CaseInput::from_datasets(
            s.datasets.iter().map(Arc::as_ref),
            |p: &Path| self.read_options.get(p).cloned().unwrap_or_default(),
        );
        let mut case = crate::case::CaseFile::new(inputs, &s.analysis, &(self.clock)());
        case.filter = s.settings.filter.clone();
        case.view = crate::case::View {
            center: s.settings.center,
            zoom: self.map.memory.zoom(),
        };
        case.selection = s.selected_key();
        case.triage = s.triage.clone();
        match case.save(&path) {
            Ok(()) => {
                self.state.status = format!("saved the case to {}", path.display());
                self.state.written.push(path.clone());
                self.remember_case(path);
            }
            Err(e) => self.state.status = format!("{e}"),
        }
    }

    /// What undo would restore now.
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            filter: self.state.settings.filter.clone(),
            selected: self.state.selected_key(),
            triage: self.state.triage.clone(),
        }
    }

    /// Puts back a snapshot from the history.
    fn restore(&mut self, snapshot: Snapshot) {
        let s = &mut self.state;
        let filter_changed = snapshot.filter != s.settings.filter;
        let triage_changed = snapshot.triage != s.triage;
        s.settings.filter = snapshot.filter;
        if triage_changed {
            s.triage = snapshot.triage;
            s.orphans = s.triage.orphans(&s.analysis.routes, Gazetteer::embedded());
            s.redispose();
        }
        s.selected = snapshot.selected.and_then(|k| s.route_of(&k));
        if filter_changed || triage_changed {
            self.refresh();
        }
    }

    /// Selects a route (or nothing), as one undoable step.
    fn select(&mut self, selected: Option<usize>) {
        let selected = selected.filter(|i| *i < self.state.analysis.routes.len());
        if selected != self.state.selected {
            let before = self.snapshot();
            self.state.history.record(before, Step::Select);
            self.state.selected = selected;
            self.frame_selection();
        }
    }

    /// Frames the whole selected route, in the world copy where it is continuous, beside the
    /// panels (the map applies it once it is laid out).
    fn frame_selection(&mut self) {
        let Some(i) = self.state.selected else {
            return;
        };
        let s = &self.state;
        let mut points: Vec<geo::Point<f64>> = s
            .places
            .of(i)
            .iter()
            .map(|p| s.places.place(*p).point)
            .collect();
        if points.is_empty()
            && let Some(r) = s.analysis.routes.get(i)
        {
            points = r.stops.clone();
        }
        if let Some(b) = crate::gui::basemap::Bounds::of_path(&points) {
            self.map.frame = Some((b, crate::gui::panels::map::FRAME_MARGIN));
            self.map.touched = true;
        }
    }

    /// Frames the whole world, cut where the fewest drawn flows cross (preferably in the
    /// Atlantic, so that the Pacific routes stay whole), one world wide.
    fn frame_world(&mut self) {
        let s = &self.state;
        let flows = s.drawn.arcs.iter().map(|a| a.flow);
        let Some(west) = crate::flowmap::world_seam(&s.drawn.summary, &s.places, flows, 5.0, -30.0)
        else {
            return;
        };
        let bounds = crate::gui::basemap::Bounds {
            west,
            east: west + 360.0,
            ..crate::gui::state::DEFAULT_VIEW
        };
        self.map.frame = Some((bounds, crate::gui::basemap::Margins::NONE));
    }

    /// Changes the triage of one route (by index) with `change`, as one undoable step.
    fn triage(&mut self, route: usize, change: impl FnOnce(&mut Triage, RouteKey)) {
        let Some(key) = self.state.route_keys.get(route).cloned() else {
            return;
        };
        let before = self.snapshot();
        change(&mut self.state.triage, key.clone());
        if self.state.triage == before.triage {
            return;
        }
        self.state.history.record(before, Step::Triage);
        let d = self.state.triage.disposition(&key);
        if let Some(slot) = self.state.dispositions.get_mut(route) {
            *slot = d;
        }
        self.refresh();
    }

    /// Applies one command.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::OpenDialog => {
                let files = (self.pick_file)(FileRequest::OpenData);
                if !files.is_empty() {
                    self.apply(ctx, Command::Open(files));
                }
            }
            Command::Open(paths) => {
                self.start_job(ctx, paths.into_iter().map(|p| (p, None)).collect())
            }
            Command::OpenWithMapping(path, mapping) => {
                self.state.mapping_dialog = None;
                self.read_options.insert(
                    path.clone(),
                    crate::ingest::ReadOptions {
                        mapping: Some((*mapping).clone()),
                        ..Default::default()
                    },
                );
                self.start_job(ctx, vec![(path, Some(*mapping))]);
            }
            Command::RemoveDataset(i) => {
                if i < self.state.datasets.len() {
                    self.state.datasets.remove(i);
                    self.start_job(ctx, Vec::new());
                }
            }
            Command::SetFilter(f) => {
                if f != self.state.settings.filter {
                    let fields = filter_fields(&self.state.settings.filter, &f);
                    let before = self.snapshot();
                    self.state.history.record(before, Step::Filter(fields));
                    self.state.settings.filter = f;
                    self.refresh();
                }
            }
            Command::Select(s) => self.select(s),
            Command::MoveSelection(delta) => {
                self.update_views();
                let rows = &self.state.table_order;
                if rows.is_empty() {
                    return;
                }
                let at = self
                    .state
                    .selected
                    .and_then(|s| rows.iter().position(|r| *r == s));
                let next = match at {
                    Some(p) => (p as i64 + i64::from(delta)).clamp(0, rows.len() as i64 - 1),
                    None if delta < 0 => rows.len() as i64 - 1,
                    None => 0,
                };
                self.select(Some(rows[next as usize]));
            }
            Command::ZoomToSelection => self.frame_selection(),
            Command::ZoomToCountry(id) => {
                if let Some(p) = Gazetteer::embedded().country(id).point {
                    self.map.touched = true;
                    self.map.memory.center_at(lon_lat(p.x(), p.y()));
                    let _ = self.map.memory.set_zoom(5.0);
                }
            }
            Command::CenterMap { lon, lat, zoom } => {
                self.map.touched = true;
                self.map.memory.center_at(lon_lat(lon, lat));
                let _ = self.map.memory.set_zoom(zoom);
            }
            Command::SortRoutes(sort) => self.state.routes_sort = sort,
            Command::Search(text) => {
                self.state.search_hits = crate::filter::search(
                    &self.state.analysis,
                    Gazetteer::embedded(),
                    &text,
                    SEARCH_LIMIT,
                );
                self.state.search_open = !text.trim().is_empty();
                self.state.search_highlight = 0;
                self.state.search = text;
            }
            Command::ShowSearchHits(open) => self.state.search_open = open,
            Command::HighlightSearchHit(i) => {
                self.state.search_highlight = i.min(self.state.search_hits.len().saturating_sub(1));
            }
            Command::Play => self.play(ctx),
            Command::Pause => {
                if let Some(p) = &mut self.state.playback {
                    p.playing = false;
                }
            }
            Command::StopPlayback => {
                // The dates go back; what else was changed while playing stays.
                if let Some(p) = self.state.playback.take() {
                    let filter = crate::filter::RouteFilter {
                        from: p.before.from,
                        to: p.before.to,
                        ..self.state.settings.filter.clone()
                    };
                    self.apply(ctx, Command::SetFilter(filter));
                }
            }
            Command::SetPlaybackSpeed(speed) => {
                if speed.is_finite() && speed > 0.0 {
                    self.state.playback_speed = speed;
                }
            }
            Command::ShowPanel(panel, on) => {
                let s = &mut self.state.settings;
                match panel {
                    Panel::Data => s.show_data = on,
                    Panel::Filters => s.show_filters = on,
                    Panel::Table => s.show_table = on,
                    Panel::Timeline => s.show_timeline = on,
                }
            }
            Command::ShowWindow(window, on) => match window {
                AppWindow::About => self.state.about_open = on,
                AppWindow::Shortcuts => self.state.shortcuts_open = on,
            },
            Command::SetDisposition(route, disposition) => {
                let now = (self.clock)();
                self.triage(route, |t, key| {
                    if t.disposition(&key) != disposition {
                        t.set(key, disposition, &now);
                    }
                });
            }
            Command::AddNote(route, text) => {
                let now = (self.clock)();
                self.triage(route, |t, key| t.note(key, &text, &now));
            }
            Command::Undo => {
                let current = self.snapshot();
                if let Some(back) = self.state.history.undo(current) {
                    self.restore(back);
                }
            }
            Command::Redo => {
                let current = self.snapshot();
                if let Some(forward) = self.state.history.redo(current) {
                    self.restore(forward);
                }
            }
            Command::Export(scope, format) => {
                let request = FileRequest::Save {
                    title: "Export routes".into(),
                    extension: format.extension().into(),
                };
                if let Some(path) = (self.pick_file)(request).into_iter().next() {
                    self.apply(ctx, Command::ExportTo(scope, format, path));
                }
            }
            Command::ExportTo(scope, format, path) => {
                let s = &mut self.state;
                if let Some(job) = &s.job {
                    s.status = format!("{} is under way: export when it is done", job.label);
                    return;
                }
                let indices: Vec<usize> = match scope {
                    ExportScope::Flagged => s
                        .analysis
                        .routes
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.score.flagged)
                        .map(|(i, _)| i)
                        .collect(),
                    ExportScope::Filtered => s.visible.clone(),
                    ExportScope::Selected => s.selected.into_iter().collect(),
                };
                // Off the UI thread: exports carry the reasons in words, and routes scored
                // without them are explained as they are written.
                s.job = Some(Job::export(
                    ctx,
                    s.analysis.clone(),
                    s.datasets.clone(),
                    indices,
                    s.triage.clone(),
                    format,
                    path,
                ));
            }
            Command::ExportMapPng => {
                let request = FileRequest::Save {
                    title: "Save map as PNG".into(),
                    extension: "png".into(),
                };
                if let Some(path) = (self.pick_file)(request).into_iter().next() {
                    self.apply(ctx, Command::ExportMapPngTo(path));
                }
            }
            Command::EvidenceReport => {
                let request = FileRequest::Save {
                    title: "Write the evidence report into a new folder".into(),
                    extension: String::new(),
                };
                if let Some(path) = (self.pick_file)(request).into_iter().next() {
                    self.apply(ctx, Command::EvidenceReportTo(path));
                }
            }
            Command::EvidenceReportTo(path) => {
                // Written at once, then again with the map view when the screenshot arrives (a
                // window without a renderer never sends one).
                self.write_report(&path, None);
                self.pending_report = Some(path);
                let (tx, repaint) = (self.screenshots.0.clone(), ctx.clone());
                ctx.request_screenshot(move |image| {
                    let _ = tx.send(image);
                    repaint.request_repaint();
                });
            }
            Command::ExportMapPngTo(path) => {
                self.pending_png = Some(path);
                let (tx, repaint) = (self.screenshots.0.clone(), ctx.clone());
                ctx.request_screenshot(move |image| {
                    let _ = tx.send(image);
                    repaint.request_repaint();
                });
            }
            Command::ChooseRules => {
                if let Some(path) = (self.pick_file)(FileRequest::OpenRules).into_iter().next() {
                    self.apply(ctx, Command::LoadRules(path));
                }
            }
            Command::LoadRules(path) => {
                let (rules, status) = load_rules(Some(&path));
                self.state.status = status;
                if rules != self.state.rules
                    || self.state.settings.rules_path.as_deref() != Some(&path)
                {
                    self.state.rules = rules;
                    self.state.settings.rules_path = Some(path);
                    self.start_job(ctx, Vec::new());
                }
            }
            Command::SetOnlineTiles(on) => self.set_online_tiles(ctx, on),
            Command::CancelJob => {
                if let Some(job) = &self.state.job {
                    job.cancel();
                }
            }
            Command::CloseMappingDialog => self.state.mapping_dialog = None,
            Command::MapColumn(k, choice) => {
                if let Some(dialog) = &mut self.state.mapping_dialog {
                    dialog.choose(k, choice);
                }
            }
            Command::MapValue(k, text) => {
                if let Some(dialog) = &mut self.state.mapping_dialog {
                    dialog.type_value(k, text);
                }
            }
            Command::SaveMapping => {
                let request = FileRequest::Save {
                    title: "Save mapping".into(),
                    extension: "toml".into(),
                };
                if self.state.mapping_dialog.is_some()
                    && let Some(path) = (self.pick_file)(request).into_iter().next()
                {
                    self.apply(ctx, Command::SaveMappingTo(path));
                }
            }
            Command::SaveMappingTo(path) => {
                let Some(dialog) = &mut self.state.mapping_dialog else {
                    return;
                };
                let text = dialog.mapping().to_toml();
                let written = crate::output::write_atomic(&path, |w| {
                    std::io::Write::write_all(w, text.as_bytes())
                });
                dialog.status = Some(match written {
                    Ok(()) => {
                        self.state.written.push(path.clone());
                        format!("saved the mapping to {}", path.display())
                    }
                    Err(e) => format!("could not write {}: {e}", path.display()),
                });
            }
            Command::LoadMapping => {
                if self.state.mapping_dialog.is_some()
                    && let Some(path) = (self.pick_file)(FileRequest::OpenMapping)
                        .into_iter()
                        .next()
                {
                    self.apply(ctx, Command::LoadMappingFrom(path));
                }
            }
            Command::SaveCase => match self.state.case_path.clone() {
                Some(path) => self.save_case(path),
                None => self.apply(ctx, Command::SaveCaseAs),
            },
            Command::SaveCaseAs => {
                let request = FileRequest::Save {
                    title: "Save case".into(),
                    extension: crate::case::CASE_EXTENSION.into(),
                };
                if let Some(path) = (self.pick_file)(request).into_iter().next() {
                    self.apply(ctx, Command::SaveCaseTo(path));
                }
            }
            Command::SaveCaseTo(path) => self.save_case(path),
            Command::OpenCaseDialog => {
                if let Some(path) = (self.pick_file)(FileRequest::OpenCase).into_iter().next() {
                    self.apply(ctx, Command::OpenCase(path));
                }
            }
            Command::OpenCase(path) => match crate::case::CaseFile::load(&path) {
                Ok(case) => {
                    let locate = crate::case::Locate::beside(&path);
                    if let Some(job) = self.state.job.take() {
                        job.cancel();
                    }
                    self.state.case_dialog = None;
                    self.state.job = Some(Job::open_case(ctx, path, case, locate));
                }
                Err(e) => {
                    let backup = match &e {
                        crate::case::CaseError::BackupAvailable { backup, .. } => {
                            Some(backup.clone())
                        }
                        _ => None,
                    };
                    self.state.status = format!("could not open the case {}", path.display());
                    self.state.case_dialog = Some(super::state::CaseDialog {
                        path,
                        error: Some(e.to_string()),
                        backup,
                        problems: Vec::new(),
                        warnings: Vec::new(),
                        retry: None,
                    });
                }
            },
            Command::LocateInput(recorded) => {
                let name = recorded
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| recorded.display().to_string());
                if let Some(now) = (self.pick_file)(FileRequest::Locate { name })
                    .into_iter()
                    .next()
                {
                    self.apply(ctx, Command::LocateInputAt(recorded, now));
                }
            }
            Command::LocateInputAt(recorded, now) => {
                let Some(dialog) = self.state.case_dialog.take() else {
                    return;
                };
                let Some((case, locate)) = dialog.retry else {
                    return;
                };
                if let Some(job) = self.state.job.take() {
                    job.cancel();
                }
                self.state.job = Some(Job::open_case(
                    ctx,
                    dialog.path,
                    *case,
                    locate.moved(recorded, now),
                ));
            }
            Command::CloseCaseDialog => self.state.case_dialog = None,
            Command::LoadMappingFrom(path) => {
                let Some(dialog) = &mut self.state.mapping_dialog else {
                    return;
                };
                let loaded = std::fs::read_to_string(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|text| Mapping::parse(&text))
                    .and_then(|mapping| dialog.load(&mapping));
                dialog.status = Some(match loaded {
                    Ok(()) => format!("loaded the mapping from {}", path.display()),
                    Err(e) => format!("could not use {}: {e}", path.display()),
                });
            }
        }
    }

    /// Saves a screenshot of the map area (with its legend) when one was asked for.
    fn take_screenshots(&mut self, ctx: &egui::Context) {
        let shots: Vec<Arc<egui::ColorImage>> = self.screenshots.1.try_iter().collect();
        let Some(image) = shots.last() else { return };
        if let Some(path) = self.pending_png.take() {
            let ppp = ctx.pixels_per_point();
            let region = self.map.rect.unwrap_or(Rect::EVERYTHING);
            let cropped = image.region(&region, Some(ppp));
            self.state.status = match super::png::write(&path, &cropped) {
                Ok(()) => {
                    self.state.written.push(path.clone());
                    format!("saved the map view to {}", path.display())
                }
                Err(e) => format!("could not write {}: {e}", path.display()),
            };
        }
        if let Some(dir) = self.pending_report.take() {
            let ppp = ctx.pixels_per_point();
            let region = self.map.rect.unwrap_or(Rect::EVERYTHING);
            let png = super::png::encode(&image.region(&region, Some(ppp))).ok();
            self.write_report(&dir, png.as_deref());
        }
    }

    /// Writes the evidence report of the work in hand into `dir`.
    fn write_report(&mut self, dir: &Path, map_png: Option<&[u8]>) {
        let s = &self.state;
        let inputs = crate::case::CaseInput::from_datasets(
            s.datasets.iter().map(Arc::as_ref),
            |p: &Path| self.read_options.get(p).cloned().unwrap_or_default(),
        );
        let datasets: Vec<&crate::model::Dataset> = s.datasets.iter().map(Arc::as_ref).collect();
        let title = s
            .case_path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Chiptrail evidence report".into());
        let made_at = (self.clock)();
        let report = crate::export::report::Report {
            analysis: &s.analysis,
            datasets: &datasets,
            triage: &s.triage,
            inputs: &inputs,
            made_at: &made_at,
            title: &title,
            map_png,
        };
        self.state.status = match crate::export::report::write_report(dir, &report) {
            Ok(written) => {
                self.state.written.push(dir.join("report.html"));
                format!(
                    "wrote the evidence report of {} route(s) to {}",
                    written.routes.len(),
                    dir.display()
                )
            }
            Err(e) => format!(
                "could not write the evidence report to {}: {e}",
                dir.display()
            ),
        };
    }
}

fn load_rules(path: Option<&Path>) -> (Rules, String) {
    let Some(path) = path else {
        return (Rules::default(), "default rules".into());
    };
    match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| Rules::from_toml(&t).map_err(|e| e.to_string()))
    {
        Ok(r) => (r, format!("rules from {}", path.display())),
        Err(e) => (
            Rules::default(),
            format!("rules file {}: {e}; using the defaults", path.display()),
        ),
    }
}

fn mapping_dialog_for(path: &Path, message: &str) -> Option<MappingDialog> {
    let (header, guesses) = crate::ingest::peek_header(path).ok()?;
    let chosen = crate::ingest::Column::ALL
        .iter()
        .map(|col| guesses.iter().position(|g| g.as_ref() == Some(col)))
        .collect();
    Some(MappingDialog {
        path: path.to_path_buf(),
        fixed: vec![String::new(); crate::ingest::Column::ALL.len()],
        header,
        chosen,
        options: Default::default(),
        message: message.to_string(),
        status: None,
    })
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_job();
        if self.screenshot_and_close.is_some()
            && self.pending_png.is_some()
            && self.map.rect.is_some()
            && !self.screenshot_requested
        {
            // Ask a few frames after the data arrived, so that the map shows it.
            self.screenshot_requested = true;
            if let Some(path) = self.pending_png.clone() {
                self.apply(ctx, Command::ExportMapPngTo(path));
            }
        }
        if self.screenshot_and_close.is_some()
            && self.screenshot_requested
            && self.pending_png.is_none()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        self.take_screenshots(ctx);
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.apply(ctx, Command::Open(dropped));
        }
        if self.state.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let started = std::time::Instant::now();
        self.tick_playback(&ctx);
        self.update_views();
        let commands = panels::draw(ui, &self.state, &mut self.map);
        if self.frame_log {
            // CHIPTRAIL_FRAME_LOG=1: how long building each frame took, for measuring large files.
            eprintln!(
                "frame {:.1} ms, {} flows drawn",
                started.elapsed().as_secs_f64() * 1e3,
                self.state.drawn.arcs.len()
            );
        }
        for c in commands {
            self.apply(&ctx, c);
        }
        let center = self.map.memory.detached().unwrap_or(lon_lat(
            self.state.settings.center[0],
            self.state.settings.center[1],
        ));
        self.state.settings.center = [center.x(), center.y()];
        self.state.settings.zoom = self.map.memory.zoom();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.state.settings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_iso_8601() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(1_795_774_500), "2026-11-27T10:15:00Z");
        let now = utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T');
    }
}
