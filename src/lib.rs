//! Chiptrail: trace export-controlled AI chips through trade data.
//!
//! The core never draws. Modules, in the order data flows through them:
//!
//! - [`ingest`]: detect a file's format, read its rows, report every row it cannot read.
//! - [`model`]: shipments, parties, flows, datasets: plain data in the investigator's words.
//! - [`gazetteer`]: countries, trade hubs and country groups embedded from `data/`.
//! - [`parties`]: one key per firm, whatever the spelling.
//! - [`export`]: files Chiptrail writes (atomically, spreadsheet-safe).
//! - [`sample`]: the labelled synthetic data generator.
//!
//! The `gui` feature (on by default) gates the desktop app; everything here builds without it.

pub mod export;
pub mod gazetteer;
pub mod ingest;
pub mod model;
pub mod parties;
pub mod sample;
pub mod text;
