//! Chiptrail: trace export-controlled AI chips through trade data.
//!
//! The core never draws. Modules, in the order data flows through them:
//!
//! - [`ingest`]: detect a file's format, read its rows, report every row it cannot read.
//! - [`model`]: shipments, parties, flows, datasets: plain data in the investigator's words.
//! - [`gazetteer`]: countries, trade hubs and country groups embedded from `data/`.
//! - [`parties`]: one key per firm, whatever the spelling.
//! - [`routes`]: reconstruct multi-hop routes from shipments, and corridors from statistics.
//! - [`scoring`]: the rules file, one indicator per file, and their combination.
//! - [`analysis`]: the facade both faces call: datasets and rules in, scored routes out.
//! - [`geometry`]: great-circle arcs, antimeridian splits, circuity.
//! - [`filter`]: which routes are shown: filters, histograms, search.
//! - [`output`]: atomic writes and spreadsheet-safe CSV, below everything that writes files.
//! - [`export`]: files Chiptrail writes (routes as CSV, GeoJSON, KML; rejected rows; the
//!   evidence report).
//! - [`case`]: case files: inputs with their hashes, rules, filters, view, dispositions; opened
//!   again to the same flags.
//! - [`basemap`]: the embedded country outlines, for the app's map and the report's maps.
//! - [`sample`]: the labelled synthetic data generator.
//! - [`evaluation`]: average precision, precision and recall against labels.
//!
//! The `gui` feature (on by default) gates the desktop app; everything here builds without it.

pub mod analysis;
pub mod basemap;
pub mod case;
pub mod evaluation;
pub mod export;
pub mod filter;
pub mod flowmap;
pub mod gazetteer;
pub mod geometry;
pub mod ingest;
pub mod memory;
pub mod model;
pub mod output;
pub mod parties;
pub mod product;
pub mod routes;
pub mod rules;
pub mod sample;
pub mod scoring;
pub mod shipment_id;
pub mod text;
pub mod timing;
pub mod triage;
pub mod units;

/// The desktop map app; everything that names eframe, egui or walkers is in here.
#[cfg(feature = "gui")]
pub mod gui;
