//! What the panels read: settings persisted between runs, the loaded datasets and the analysis,
//! the triage, what is shown and selected, and the running job. Panels borrow it read-only and
//! return [`Command`](super::command::Command)s; only the app changes it.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, ScoredRoute};
use crate::case::{CaseFile, CaseProblem, Locate};
use crate::filter::{RouteFilter, SearchHit};
use crate::gazetteer::Gazetteer;
use crate::ingest::Mapping;
use crate::model::Dataset;
use crate::rules::Rules;
use crate::triage::{Disposition, Entry, RouteKey, Triage};

use super::basemap::Basemap;
use super::command::Sort;
use super::flows::DrawnFlows;
use super::history::History;
use super::jobs::{Job, LoadFailure};

/// Where the map opens when no view was saved: Europe, Asia and the Americas with the Pacific in
/// the middle, where the routes from the United States to Asia cross it (framed to the window with
/// [`DEFAULT_VIEW`]).
pub const DEFAULT_VIEW_CENTER: [f64; 2] = [142.5, 20.0];

/// The first view's bounds, before any data is in: from the Atlantic coast of Europe east across
/// Asia and the Pacific to the east coast of the Americas. Once flows are drawn, the world is
/// framed one world wide, cut where the fewest of them cross (`flowmap::world_seam`).
pub const DEFAULT_VIEW: super::basemap::Bounds = super::basemap::Bounds {
    west: -20.0,
    south: -38.0,
    east: 302.0,
    north: 62.0,
};

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
    /// Case files opened or saved, most recent first.
    pub recent_cases: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            center: DEFAULT_VIEW_CENTER,
            zoom: 2.2,
            show_data: true,
            show_filters: true,
            show_table: true,
            show_timeline: true,
            filter: RouteFilter::default(),
            rules_path: None,
            online_tiles: false,
            recent_cases: Vec::new(),
        }
    }
}

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

    /// Chooses the file's column for canonical column `k` (a chosen column replaces a typed value).
    pub fn choose(&mut self, k: usize, choice: Option<usize>) {
        if let Some(slot) = self.chosen.get_mut(k) {
            *slot = choice.filter(|i| *i < self.header.len());
            if slot.is_some() {
                self.fixed[k].clear();
            }
        }
    }

    /// Types the value every row has for canonical column `k` (a value replaces a chosen column).
    pub fn type_value(&mut self, k: usize, text: String) {
        if let Some(slot) = self.fixed.get_mut(k) {
            if !text.trim().is_empty() {
                self.chosen[k] = None;
            }
            *slot = text;
        }
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

/// Everything the panels draw from.
pub struct State {
    pub settings: Settings,
    pub datasets: Vec<Arc<Dataset>>,
    pub failures: Vec<LoadFailure>,
    pub analysis: Arc<Analysis>,
    pub rules: Rules,
    /// Route indices that pass the filter, highest score first.
    pub visible: Vec<usize>,
    pub drawn: DrawnFlows,
    /// Each route's places (hubs its shipments name, else countries), worked out once per
    /// analysis: the flows and the place filters read them.
    pub places: Arc<crate::flowmap::RoutePlaces>,
    pub selected: Option<usize>,
    pub basemap: Arc<Basemap>,
    pub labels: Vec<([f32; 2], String)>,
    pub concern_m49: Vec<u16>,
    pub job: Option<Job>,
    pub status: String,
    pub search: String,
    pub search_hits: Vec<SearchHit>,
    /// The search's list of hits drops down under the box (typing opens it; Escape, a pick or a
    /// click elsewhere closes it).
    pub search_open: bool,
    /// The hit Enter picks (index into `search_hits`; Down and Up move it).
    pub search_highlight: usize,
    /// Time playing through the months (the filter's dates stepping a month at a time).
    pub playback: Option<Playback>,
    /// Months per second when playing.
    pub playback_speed: f64,
    pub mapping_dialog: Option<MappingDialog>,
    pub about_open: bool,
    pub shortcuts_open: bool,
    pub routes_sort: Sort,
    /// Derived views, recomputed when their inputs change rather than every frame (a million
    /// shipments make ~500k routes): the table order, the monthly values of all shipments, and
    /// the monthly values through the selected route's parties.
    pub table_order: Vec<usize>,
    pub months_all: Vec<(i32, f64)>,
    pub months_selected: Vec<(i32, f64)>,
    /// The value of the loaded corridors per period (country-level data), for the timeline when
    /// no shipments are loaded.
    pub corridor_totals: Vec<(crate::model::Period, f64)>,
    /// The selected corridor's periods as each side reports them and its surge window.
    pub selected_corridor: Option<(usize, crate::analysis::CorridorEvidence)>,
    /// The selected route with its evidence in words (routes not flagged are explained when
    /// selected, once, not every frame).
    pub selected_explained: Option<(usize, crate::analysis::ScoredRoute)>,
    /// Files written by exports this session (shown in the status line, checked by tests).
    pub written: Vec<PathBuf>,
    /// Dispositions and notes, by route key.
    pub triage: Triage,
    /// The key of each route of the analysis (same order as `analysis.routes`).
    pub route_keys: Vec<RouteKey>,
    /// The disposition of each route of the analysis (same order).
    pub dispositions: Vec<Disposition>,
    /// Dispositions and notes whose route the current data no longer has.
    pub orphans: Vec<RouteKey>,
    /// Undo and redo.
    pub history: History,
    /// The case file the work was opened from or last saved to.
    pub case_path: Option<PathBuf>,
    /// What went wrong opening a case (or what to know about one that opened).
    pub case_dialog: Option<CaseDialog>,
}

/// Playing time: the month shown, whether it is moving, and the filter to put back on Stop.
#[derive(Clone, Debug, PartialEq)]
pub struct Playback {
    /// The month the filter's dates hold (as [`crate::model::Date::month_index`]).
    pub month: i32,
    /// The months played through (first, last).
    pub range: (i32, i32),
    pub playing: bool,
    /// The filter as it was before playing (Stop puts its dates back).
    pub before: RouteFilter,
    /// egui's input time of the last step.
    pub stepped_at: f64,
}

/// The speeds offered, in months per second.
pub const PLAYBACK_SPEEDS: [f64; 3] = [0.5, 1.0, 2.0];

/// What the app says about a case it could not open, or opened with warnings.
#[derive(Clone, Debug)]
pub struct CaseDialog {
    /// The case file.
    pub path: PathBuf,
    /// The case file itself could not be read (not a case, damaged, a newer version).
    pub error: Option<String>,
    /// A previous version of the case that loads.
    pub backup: Option<PathBuf>,
    /// Inputs missing, changed or unreadable, and other reasons the case did not open.
    pub problems: Vec<CaseProblem>,
    /// The case opened, but the user should know these.
    pub warnings: Vec<String>,
    /// The case and where its inputs were looked for, to try again once inputs are located.
    pub retry: Option<(Box<CaseFile>, Locate)>,
}

impl State {
    /// The selected route.
    pub fn selected_route(&self) -> Option<&ScoredRoute> {
        self.selected.and_then(|s| self.analysis.routes.get(s))
    }

    /// The disposition of a route (by index).
    pub fn disposition(&self, route: usize) -> Disposition {
        self.dispositions.get(route).copied().unwrap_or_default()
    }

    /// The triage entry of a route (by index), if anything was set or written.
    pub fn entry(&self, route: usize) -> Option<&Entry> {
        self.route_keys.get(route).and_then(|k| self.triage.get(k))
    }

    /// The index of the route with this key.
    pub fn route_of(&self, key: &RouteKey) -> Option<usize> {
        self.route_keys.iter().position(|k| k == key)
    }

    /// The selected route's key.
    pub fn selected_key(&self) -> Option<RouteKey> {
        self.selected.and_then(|s| self.route_keys.get(s)).cloned()
    }

    /// Recomputes every route's key and disposition after the analysis changed.
    pub fn rekey(&mut self) {
        let g = Gazetteer::embedded();
        self.route_keys = self
            .analysis
            .routes
            .iter()
            .map(|r| RouteKey::of(r, g))
            .collect();
        self.orphans = self.triage.orphans(&self.analysis.routes, g);
        self.redispose();
    }

    /// Recomputes every route's disposition after the triage changed.
    pub fn redispose(&mut self) {
        self.dispositions = if self.triage.entries.is_empty() {
            vec![Disposition::Open; self.route_keys.len()]
        } else {
            self.route_keys
                .iter()
                .map(|k| self.triage.disposition(k))
                .collect()
        };
    }
}
