//! The core face: readers, gazetteer and generator exercised on named fixtures, without the CLI.

mod case;
mod containers;
mod corridors;
mod declarations;
mod flowmap;
mod ingest;
mod parallel;
mod sample;
mod scoring;

use std::path::PathBuf;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_path};
use chiptrail::model::Dataset;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn load(name: &str) -> Dataset {
    read_path(
        &fixture(name),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The alpha-2 code of a country id.
pub fn code(id: chiptrail::gazetteer::CountryId) -> String {
    Gazetteer::embedded().country(id).code()
}

/// A route's path as the exports write it (`US>SG>CN`).
pub fn path(r: &chiptrail::analysis::ScoredRoute) -> String {
    r.path_codes(Gazetteer::embedded())
}

/// The id of a country code (`RU`, `M49:0`).
pub fn country(code: &str) -> chiptrail::gazetteer::CountryId {
    Gazetteer::embedded()
        .by_code(code)
        .unwrap_or_else(|| panic!("no country {code}"))
}
