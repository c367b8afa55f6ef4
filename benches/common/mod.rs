//! Inputs shared by the score and export benches: a generated sample written to a temporary
//! directory and read back the way `chiptrail score` reads it, outside the timed part.

use chiptrail::analysis::Analysis;
use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_path};
use chiptrail::model::{Dataset, Format, ScreeningEntry};
use chiptrail::sample::{SampleConfig, generate};

/// Rows generated when `CHIPTRAIL_BENCH_ROWS` is not set: small enough that `cargo bench` stays
/// short.
const DEFAULT_ROWS: usize = 20_000;

/// The number of generated rows: `CHIPTRAIL_BENCH_ROWS` (underscores allowed, `1_000_000`), or
/// 20,000.
pub fn rows() -> usize {
    match std::env::var("CHIPTRAIL_BENCH_ROWS") {
        Ok(v) => {
            v.replace('_', "").trim().parse().unwrap_or_else(|_| {
                panic!("CHIPTRAIL_BENCH_ROWS must be a number of rows, not {v:?}")
            })
        }
        Err(_) => DEFAULT_ROWS,
    }
}

/// A generated sample (licensed world, seed 1) as `chiptrail score` reads it.
pub struct Inputs {
    pub shipments: Dataset,
    pub licences: Dataset,
    pub watchlist: Vec<ScreeningEntry>,
}

impl Inputs {
    pub fn load(rows: usize) -> Inputs {
        let g = Gazetteer::embedded();
        let dir = tempfile::tempdir().expect("temporary directory");
        generate(&SampleConfig::new(rows, 1))
            .write(dir.path())
            .expect("sample written");
        let read = |name: &str, format: Option<Format>| {
            let options = ReadOptions {
                format,
                ..ReadOptions::default()
            };
            read_path(&dir.path().join(name), &options, g, None)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let shipments = read("shipments.csv", None);
        let screening = read("screening_list.csv", None);
        let licences = read("licences.csv", Some(Format::Licences));
        Inputs {
            shipments,
            licences,
            watchlist: Analysis::watchlist_entries([&screening]),
        }
    }

    /// The datasets `Analysis::run` scores: shipments, then licences.
    pub fn datasets(&self) -> [&Dataset; 2] {
        [&self.shipments, &self.licences]
    }

    /// The full analysis with the default rules.
    pub fn analysis(&self, rules: &chiptrail::rules::Rules) -> Analysis {
        Analysis::run(
            &self.datasets(),
            &self.watchlist,
            rules,
            Gazetteer::embedded(),
        )
    }
}
