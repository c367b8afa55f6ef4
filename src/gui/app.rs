//! App state in one place: settings persisted between runs, the loaded datasets and the analysis,
//! what is shown and selected, and the running job. Panels draw from it and return [`Command`]s,
//! which the app applies after the frame by calling the core.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::filter::{RouteFilter, SearchHit};
use crate::gazetteer::Gazetteer;
use crate::ingest::Mapping;
use crate::model::Dataset;
use crate::rules::Rules;
use egui::Rect;
use serde::{Deserialize, Serialize};
use walkers::{HttpOptions, HttpTiles, MapMemory, lon_lat};

use super::basemap::{Basemap, mercator};
use super::flows::{DrawnFlows, MapEvents};
use super::jobs::{Job, LoadFailure, LoadRequest};
use super::panels;

/// Settings kept between runs (eframe storage).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Map centre (lon, lat) and zoom.
    pub center: [f64; 2],
    pub zoom: f64,
    pub show_data: bool,
    pub show_filters: bool,
    pub show_table: bool,
    pub show_timeline: bool,
    pub filter: RouteFilter,
    pub rules_path: Option<PathBuf>,
    /// Online OpenStreetMap tiles under the routes (off: nothing touches the network).
    pub online_tiles: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            center: [10.0, 25.0],
            zoom: 2.2,
            show_data: true,
            show_filters: true,
            show_table: true,
            show_timeline: true,
            filter: RouteFilter::default(),
            rules_path: None,
            online_tiles: false,
        }
    }
}

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportScope {
    Flagged,
    Filtered,
    Selected,
}

/// Export file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    GeoJson,
    Kml,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::GeoJson => "geojson",
            ExportFormat::Kml => "kml",
        }
    }
}

/// What panels ask the app to do.
#[must_use]
#[derive(Clone, Debug)]
pub enum Command {
    /// Ask for files with the picker, then load them.
    OpenDialog,
    /// Load these files (background) and score again.
    Open(Vec<PathBuf>),
    /// Load one file with a column mapping.
    OpenWithMapping(PathBuf, Box<Mapping>),
    RemoveDataset(usize),
    SetFilter(RouteFilter),
    Select(Option<usize>),
    ZoomToSelection,
    ZoomToCountry(crate::gazetteer::CountryId),
    /// Ask for a path, then export.
    Export(ExportScope, ExportFormat),
    ExportTo(ExportScope, ExportFormat, PathBuf),
    /// Ask for a path, then save the map view as PNG.
    ExportMapPng,
    ExportMapPngTo(PathBuf),
    ChooseRules,
    LoadRules(PathBuf),
    SetOnlineTiles(bool),
    CancelJob,
    CloseMappingDialog,
    /// Ask for a path, then save the mapping dialog's choices as a mapping file.
    SaveMapping,
    SaveMappingTo(PathBuf),
    /// Ask for a mapping file, then fill the mapping dialog from it.
    LoadMapping,
    LoadMappingFrom(PathBuf),
}

/// What the file picker is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileRequest {
    OpenData,
    OpenRules,
    OpenMapping,
    Save { title: String, extension: String },
}

/// The file picker: a system dialog in the app, a stand-in in tests (which must never open one).
pub type FilePicker = Box<dyn FnMut(FileRequest) -> Vec<PathBuf>>;

/// The column-mapping dialog for a file whose header Chiptrail does not know.
#[derive(Clone, Debug)]
pub struct MappingDialog {
    pub path: PathBuf,
    pub header: Vec<String>,
    /// Chosen header index per canonical column (`Column::ALL` order).
    pub chosen: Vec<Option<usize>>,
    /// The value every row has, per canonical column, for columns the file lacks ("same for
    /// every row"; empty for none).
    pub fixed: Vec<String>,
    /// Date order and decimal commas, as a loaded mapping file gives them.
    pub options: crate::ingest::MappingOptions,
    pub message: String,
    /// What saving or loading a mapping did, shown in the dialog.
    pub status: Option<String>,
}

impl MappingDialog {
    /// The mapping the dialog's choices make: a typed value wins over a chosen column.
    pub fn mapping(&self) -> Mapping {
        use crate::ingest::Column;
        let mut pairs = Vec::new();
        let mut values = Vec::new();
        for (k, col) in Column::ALL.iter().enumerate() {
            let value = self.fixed[k].trim();
            if !value.is_empty() {
                values.push((*col, value.to_string()));
            } else if let Some(i) = self.chosen[k] {
                pairs.push((*col, self.header[i].clone()));
            }
        }
        let mut mapping = Mapping::from_pairs(&pairs).with_values(&values);
        mapping.options = self.options.clone();
        mapping
    }

    /// Required columns neither chosen nor given a value (a weight stands in for the quantity).
    pub fn missing(&self) -> Vec<crate::ingest::Column> {
        crate::ingest::Column::missing_from(|c| {
            let k = c as usize;
            self.chosen[k].is_some() || !self.fixed[k].trim().is_empty()
        })
    }

    /// Why a typed value would not read, per canonical column (`None` when it reads or is empty).
    pub fn problems(&self) -> Vec<Option<String>> {
        let g = Gazetteer::embedded();
        let comma = self.options.decimal_comma.unwrap_or(false);
        crate::ingest::Column::ALL
            .iter()
            .zip(&self.fixed)
            .map(|(col, text)| {
                if text.trim().is_empty() {
                    None
                } else {
                    crate::ingest::check_fixed_value(*col, text, comma, g).err()
                }
            })
            .collect()
    }

    /// Fills the choices from a mapping file, as the reader would apply it to this header.
    pub fn load(&mut self, mapping: &Mapping) -> Result<(), String> {
        let map = crate::ingest::ColumnMap::from_header(&self.header, Some(mapping))?;
        let named = |col: &crate::ingest::Column| {
            mapping.pairs().iter().any(|(c, _)| c == col)
                || mapping.values().iter().any(|(c, _)| c == col)
        };
        let claimed: Vec<usize> = crate::ingest::Column::ALL
            .iter()
            .filter(|c| named(c))
            .filter_map(|c| map.get(*c))
            .collect();
        for (k, col) in crate::ingest::Column::ALL.iter().enumerate() {
            if named(col) {
                self.chosen[k] = map.get(*col);
                self.fixed[k] = map.fixed(*col).unwrap_or("").to_string();
            } else if self.chosen[k].is_some_and(|i| claimed.contains(&i)) {
                // A header the mapping gives another column no longer stands for this one.
                self.chosen[k] = None;
            }
        }
        self.options = mapping.options.clone();
        Ok(())
    }
}

pub struct App {
    pub settings: Settings,
    pub datasets: Vec<Arc<Dataset>>,
    pub failures: Vec<LoadFailure>,
    pub analysis: Arc<Analysis>,
    pub rules: Rules,
    /// Route indices that pass the filter, highest score first.
    pub visible: Vec<usize>,
    pub drawn: DrawnFlows,
    pub selected: Option<usize>,
    pub map_memory: MapMemory,
    pub basemap: Arc<Basemap>,
    pub labels: Vec<([f32; 2], String)>,
    pub hubs: Vec<([f32; 2], f32, String)>,
    pub concern_m49: Vec<u16>,
    pub job: Option<Job>,
    pub status: String,
    pub search: String,
    pub search_hits: Vec<SearchHit>,
    pub mapping_dialog: Option<MappingDialog>,
    pub pick_file: FilePicker,
    pub tiles: Option<HttpTiles>,
    pub map_events: MapEvents,
    pub map_rect: Option<Rect>,
    pub pending_png: Option<PathBuf>,
    pub about_open: bool,
    pub routes_sort: panels::routes::Sort,
    /// Derived views, recomputed when their inputs change rather than every frame (a million
    /// shipments make ~500k routes): the table order, the monthly values of all shipments, and
    /// the monthly values through the selected route's parties.
    pub table_order: Vec<usize>,
    table_sorted_by: Option<panels::routes::Sort>,
    pub months_all: Vec<(i32, f64)>,
    pub months_selected: Vec<(i32, f64)>,
    months_selected_for: Option<usize>,
    /// Files written by exports this session (shown in the status line, checked by tests).
    pub written: Vec<PathBuf>,
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

/// What File > Open offers: tables as text, gzipped, zipped (BACI) or as Excel workbooks.
/// Dropped files are read whatever their name; the reader goes by their content.
pub const DATA_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "gz", "zip", "xlsx", "xlsm", "xls"];

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
        if !files.is_empty() {
            // The user's files instead of the sample.
            if let Some(job) = app.job.take() {
                job.cancel();
            }
            let requests = files.into_iter().map(|f| (f, None)).collect();
            app.job = Some(Job::start(
                &cc.egui_ctx,
                Vec::new(),
                requests,
                app.rules.clone(),
                false,
            ));
        }
        app
    }

    /// The app with given settings and file picker (tests pass a stand-in picker).
    pub fn with_settings(ctx: &egui::Context, settings: Settings, pick_file: FilePicker) -> App {
        let g = Gazetteer::embedded();
        let mut map_memory = MapMemory::default();
        let _ = map_memory.set_zoom(settings.zoom.clamp(1.0, 16.0));
        map_memory.center_at(lon_lat(settings.center[0], settings.center[1]));
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
        let mut app = App {
            settings,
            datasets: Vec::new(),
            failures: Vec::new(),
            analysis: Arc::new(Analysis::default()),
            rules,
            visible: Vec::new(),
            drawn: DrawnFlows::default(),
            selected: None,
            map_memory,
            basemap: Arc::new(Basemap::embedded()),
            labels,
            hubs: Vec::new(),
            concern_m49,
            job: None,
            status: rules_status,
            search: String::new(),
            search_hits: Vec::new(),
            mapping_dialog: None,
            pick_file,
            tiles: None,
            map_events: MapEvents::default(),
            map_rect: None,
            pending_png: None,
            about_open: false,
            routes_sort: panels::routes::Sort::default(),
            table_order: Vec::new(),
            table_sorted_by: None,
            months_all: Vec::new(),
            months_selected: Vec::new(),
            months_selected_for: None,
            written: Vec::new(),
            screenshots: std::sync::mpsc::channel(),
            screenshot_and_close: std::env::var_os("CHIPTRAIL_SCREENSHOT").map(PathBuf::from),
            screenshot_requested: false,
            frame_log: std::env::var_os("CHIPTRAIL_FRAME_LOG").is_some(),
        };
        if app.settings.online_tiles {
            app.set_online_tiles(ctx, true);
        }
        app.job = Some(Job::start(
            ctx,
            Vec::new(),
            Vec::new(),
            app.rules.clone(),
            true,
        ));
        app
    }

    /// Recomputes what is visible and drawn after the analysis or the filter changed.
    pub fn refresh(&mut self) {
        self.visible = self.settings.filter.apply(&self.analysis);
        self.drawn = DrawnFlows::build(&self.analysis, &self.visible);
        self.table_sorted_by = None;
        if self
            .selected
            .is_some_and(|s| s >= self.analysis.routes.len())
        {
            self.selected = None;
        }
    }

    /// Recomputes what depends only on the loaded data (not on the filter): hub sizes and the
    /// monthly values of all shipments.
    fn data_changed(&mut self) {
        self.months_all = crate::filter::monthly_values(&self.analysis);
        self.months_selected_for = None;
        let g = Gazetteer::embedded();
        let trade: Vec<&Dataset> = self.datasets.iter().map(Arc::as_ref).collect();
        let throughput = crate::filter::hub_throughput(&trade, g);
        let top = throughput.first().map(|t| t.1).unwrap_or(1.0).max(1.0);
        self.hubs = throughput
            .iter()
            .map(|(i, v)| {
                let h = &g.hubs()[*i];
                (
                    mercator(h.point.x(), h.point.y()),
                    2.5 + 6.0 * (v / top).sqrt() as f32,
                    h.name.clone(),
                )
            })
            .collect();
        self.refresh();
    }

    /// Brings the cached table order and timelines up to date with the sort and the selection.
    pub fn update_views(&mut self) {
        if self.table_sorted_by != Some(self.routes_sort) {
            self.table_order = panels::routes::ordered(self);
            self.table_sorted_by = Some(self.routes_sort);
        }
        if self.months_selected_for != self.selected {
            self.months_selected = self
                .selected
                .and_then(|s| self.analysis.routes.get(s))
                .map(|r| crate::filter::route_party_months(&self.analysis, r))
                .unwrap_or_default();
            self.months_selected_for = self.selected;
        }
    }

    /// Polls the background job; applies its result.
    pub fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        let Some(result) = job.poll() else { return };
        self.job = None;
        match result {
            None => self.status = "cancelled".into(),
            Some(out) => {
                self.datasets = out.datasets;
                self.analysis = out.analysis;
                let flagged = self
                    .analysis
                    .routes
                    .iter()
                    .filter(|r| r.score.flagged)
                    .count();
                self.status = format!("{} routes, {} flagged", self.analysis.routes.len(), flagged);
                for f in &out.failures {
                    if f.needs_mapping && self.mapping_dialog.is_none() {
                        self.mapping_dialog = mapping_dialog_for(&f.path, &f.message);
                    }
                }
                self.failures
                    .retain(|old| !out.failures.iter().any(|f| f.path == old.path));
                self.failures.extend(out.failures);
                self.data_changed();
                if let Some(path) = self.screenshot_and_close.clone() {
                    self.pending_png = Some(path);
                }
            }
        }
    }

    fn start_job(&mut self, ctx: &egui::Context, requests: Vec<LoadRequest>) {
        if let Some(job) = &self.job {
            job.cancel();
        }
        // Files loaded again replace their earlier copy (every table of a zip).
        let reloaded: Vec<&PathBuf> = requests.iter().map(|r| &r.0).collect();
        let existing = self
            .datasets
            .iter()
            .filter(|d| {
                let p = &d.provenance;
                let file = p.archive.as_ref().map_or(&p.path, |a| &a.path);
                !reloaded.contains(&file)
            })
            .cloned()
            .collect();
        self.job = Some(Job::start(
            ctx,
            existing,
            requests,
            self.rules.clone(),
            false,
        ));
    }

    fn set_online_tiles(&mut self, ctx: &egui::Context, on: bool) {
        self.settings.online_tiles = on;
        self.tiles = on.then(|| {
            let cache = std::env::temp_dir().join("chiptrail-tiles");
            let options = HttpOptions {
                cache: Some(cache),
                ..HttpOptions::default()
            };
            HttpTiles::with_options(walkers::sources::OpenStreetMap, options, ctx.clone())
        });
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
                self.mapping_dialog = None;
                self.start_job(ctx, vec![(path, Some(*mapping))]);
            }
            Command::RemoveDataset(i) => {
                if i < self.datasets.len() {
                    self.datasets.remove(i);
                    self.start_job(ctx, Vec::new());
                }
            }
            Command::SetFilter(f) => {
                self.settings.filter = f;
                self.refresh();
            }
            Command::Select(s) => self.selected = s,
            Command::ZoomToSelection => {
                if let Some(r) = self.selected.and_then(|s| self.analysis.routes.get(s)) {
                    zoom_to_points(&mut self.map_memory, &r.stops, self.map_rect);
                }
            }
            Command::ZoomToCountry(id) => {
                if let Some(p) = Gazetteer::embedded().country(id).point {
                    self.map_memory.center_at(lon_lat(p.x(), p.y()));
                    let _ = self.map_memory.set_zoom(5.0);
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
                let routes: Vec<&crate::analysis::ScoredRoute> = match scope {
                    ExportScope::Flagged => self
                        .analysis
                        .routes
                        .iter()
                        .filter(|r| r.score.flagged)
                        .collect(),
                    ExportScope::Filtered => self
                        .visible
                        .iter()
                        .map(|i| &self.analysis.routes[*i])
                        .collect(),
                    ExportScope::Selected => self
                        .selected
                        .and_then(|s| self.analysis.routes.get(s))
                        .into_iter()
                        .collect(),
                };
                let g = Gazetteer::embedded();
                let written = match format {
                    ExportFormat::Csv => crate::export::write_routes_csv(&path, &routes, g),
                    ExportFormat::GeoJson => crate::export::geojson::write(&path, &routes, g),
                    ExportFormat::Kml => crate::export::kml::write(&path, &routes, g),
                };
                self.status = match written {
                    Ok(()) => {
                        self.written.push(path.clone());
                        format!("wrote {} route(s) to {}", routes.len(), path.display())
                    }
                    Err(e) => format!("could not write {}: {e}", path.display()),
                };
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
                self.status = status;
                if rules != self.rules || self.settings.rules_path.as_deref() != Some(&path) {
                    self.rules = rules;
                    self.settings.rules_path = Some(path);
                    self.start_job(ctx, Vec::new());
                }
            }
            Command::SetOnlineTiles(on) => self.set_online_tiles(ctx, on),
            Command::CancelJob => {
                if let Some(job) = &self.job {
                    job.cancel();
                }
            }
            Command::CloseMappingDialog => self.mapping_dialog = None,
            Command::SaveMapping => {
                let request = FileRequest::Save {
                    title: "Save mapping".into(),
                    extension: "toml".into(),
                };
                if self.mapping_dialog.is_some()
                    && let Some(path) = (self.pick_file)(request).into_iter().next()
                {
                    self.apply(ctx, Command::SaveMappingTo(path));
                }
            }
            Command::SaveMappingTo(path) => {
                let Some(dialog) = &mut self.mapping_dialog else {
                    return;
                };
                let text = dialog.mapping().to_toml();
                let written = crate::output::write_atomic(&path, |w| {
                    std::io::Write::write_all(w, text.as_bytes())
                });
                dialog.status = Some(match written {
                    Ok(()) => {
                        self.written.push(path.clone());
                        format!("saved the mapping to {}", path.display())
                    }
                    Err(e) => format!("could not write {}: {e}", path.display()),
                });
            }
            Command::LoadMapping => {
                if self.mapping_dialog.is_some()
                    && let Some(path) = (self.pick_file)(FileRequest::OpenMapping)
                        .into_iter()
                        .next()
                {
                    self.apply(ctx, Command::LoadMappingFrom(path));
                }
            }
            Command::LoadMappingFrom(path) => {
                let Some(dialog) = &mut self.mapping_dialog else {
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
            let region = self.map_rect.unwrap_or(Rect::EVERYTHING);
            let cropped = image.region(&region, Some(ppp));
            self.status = match super::png::write(&path, &cropped) {
                Ok(()) => {
                    self.written.push(path.clone());
                    format!("saved the map view to {}", path.display())
                }
                Err(e) => format!("could not write {}: {e}", path.display()),
            };
        }
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

/// Centres and zooms the map so that `points` fill most of the map area.
pub fn zoom_to_points(memory: &mut MapMemory, points: &[geo::Point<f64>], map_rect: Option<Rect>) {
    if points.is_empty() {
        return;
    }
    let merc: Vec<[f32; 2]> = points.iter().map(|p| mercator(p.x(), p.y())).collect();
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in &merc {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    let size = map_rect
        .map(|r| r.width().min(r.height()))
        .unwrap_or(600.0)
        .max(100.0);
    let span = (x1 - x0).max(y1 - y0).max(1e-4);
    // World width in pixels is 256 * 2^zoom; fit the span into 80% of the map.
    let zoom = ((size * 0.8 / span / 256.0).log2() as f64).clamp(1.0, 12.0);
    let lon = ((x0 + x1) / 2.0) as f64 * 360.0 - 180.0;
    let ym = ((y0 + y1) / 2.0) as f64;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * ym))
        .sinh()
        .atan()
        .to_degrees();
    memory.center_at(lon_lat(lon, lat));
    let _ = memory.set_zoom(zoom);
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_job();
        if self.screenshot_and_close.is_some()
            && self.pending_png.is_some()
            && self.map_rect.is_some()
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
        if self.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let started = std::time::Instant::now();
        self.update_views();
        let commands = panels::draw(ui, self);
        if self.frame_log {
            // CHIPTRAIL_FRAME_LOG=1: how long building each frame took, for measuring large files.
            eprintln!(
                "frame {:.1} ms, {} routes drawn",
                started.elapsed().as_secs_f64() * 1e3,
                self.drawn.at_zoom(self.map_memory.zoom()).len()
            );
        }
        for c in commands {
            self.apply(&ctx, c);
        }
        let center = self
            .map_memory
            .detached()
            .unwrap_or(lon_lat(self.settings.center[0], self.settings.center[1]));
        self.settings.center = [center.x(), center.y()];
        self.settings.zoom = self.map_memory.zoom();
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}
