//! What panels ask the app to do. Panels read the state and return these; the app applies them
//! after the panels have drawn, by calling the core. This module depends on no panel and on no
//! app code, so that the panels and the app do not import each other.

use std::path::PathBuf;

use crate::gazetteer::CountryId;
use crate::ingest::Mapping;
use crate::triage::Disposition;

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

/// Which column the routes table is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Flagged first, then score (the default).
    #[default]
    Score,
    /// Confirmed first, then needs information, open, dismissed.
    Disposition,
    Value,
    Date,
    Path,
}

/// The routes table's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub ascending: bool,
}

/// Panels that can be shown or hidden (View menu).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Data,
    Filters,
    Table,
    Timeline,
}

/// Windows that can be opened or closed (Help menu).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    About,
    Shortcuts,
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
    /// Undoable.
    SetFilter(crate::filter::RouteFilter),
    /// Select a route (index into the analysis' routes), or nothing. Undoable.
    Select(Option<usize>),
    /// Move the selection this many rows down the routes table (up when negative). Undoable.
    MoveSelection(i32),
    ZoomToSelection,
    ZoomToCountry(CountryId),
    /// Centre the map on (lon, lat) at a zoom.
    CenterMap {
        lon: f64,
        lat: f64,
        zoom: f64,
    },
    SortRoutes(Sort),
    /// The search box's text changed.
    Search(String),
    /// Open or close the search's list of hits.
    ShowSearchHits(bool),
    /// Highlight this hit of the search's list (index into `search_hits`).
    HighlightSearchHit(usize),
    /// Play time from the first month (or go on from a pause): the filter's dates step a month
    /// at a time.
    Play,
    /// Stop moving; the month stays.
    Pause,
    /// Stop playing and put the filter back as it was before.
    StopPlayback,
    /// Months per second when playing.
    SetPlaybackSpeed(f64),
    ShowPanel(Panel, bool),
    ShowWindow(Window, bool),
    /// Set a route's disposition (route index). Undoable.
    SetDisposition(usize, Disposition),
    /// Add a note to a route (route index). Undoable.
    AddNote(usize, String),
    Undo,
    Redo,
    /// Ask for a path, then export.
    Export(ExportScope, ExportFormat),
    ExportTo(ExportScope, ExportFormat, PathBuf),
    /// Ask for a path, then save the map view as PNG.
    ExportMapPng,
    ExportMapPngTo(PathBuf),
    /// Ask for a folder, then write the evidence report into it.
    EvidenceReport,
    /// Write the evidence report (with the map view) into this folder.
    EvidenceReportTo(PathBuf),
    ChooseRules,
    LoadRules(PathBuf),
    SetOnlineTiles(bool),
    CancelJob,
    CloseMappingDialog,
    /// The mapping dialog: choose the file's column for a canonical column (`Column::ALL` index).
    MapColumn(usize, Option<usize>),
    /// The mapping dialog: the value every row has for a canonical column.
    MapValue(usize, String),
    /// Ask for a path, then save the mapping dialog's choices as a mapping file.
    SaveMapping,
    SaveMappingTo(PathBuf),
    /// Ask for a mapping file, then fill the mapping dialog from it.
    LoadMapping,
    LoadMappingFrom(PathBuf),
    /// Save the case to the file it came from (ask for one when there is none).
    SaveCase,
    /// Ask for a path, then save the case there.
    SaveCaseAs,
    SaveCaseTo(PathBuf),
    /// Ask for a case file, then open it.
    OpenCaseDialog,
    /// Open a case file: read its inputs again, check them, and score them with its rules.
    OpenCase(PathBuf),
    /// Ask where an input of the case being opened is now (the path the case records).
    LocateInput(PathBuf),
    /// An input of the case being opened (the path the case records) is now at this path:
    /// try opening the case again.
    LocateInputAt(PathBuf, PathBuf),
    CloseCaseDialog,
}
