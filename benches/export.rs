//! GeoJSON export of scored routes. Run with `cargo bench --bench export`; at other sizes with
//! `CHIPTRAIL_BENCH_ROWS=100000 cargo bench --bench export` (or `1000000`).
//!
//! The input is made by the project's generator (licensed world, seed 1), read and scored outside
//! the timed part; each benchmark writes a FeatureCollection to a temporary file with
//! `export::geojson::write`, as `chiptrail score --geojson` does:
//! - `export_geojson/flagged/N`: the flagged routes (the default of `chiptrail score`);
//! - `export_geojson/all/N`: every route (`--min-score 0`).

mod common;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::rules::Rules;
use common::{Inputs, rows};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn export_geojson(c: &mut Criterion) {
    let rows = rows();
    let analysis = Inputs::load(rows).analysis(&Rules::default());
    let g = Gazetteer::embedded();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("routes.geojson");
    let mut group = c.benchmark_group("export_geojson");
    group.sample_size(10);
    let all: Vec<_> = analysis.routes.iter().collect();
    let flagged: Vec<_> = all.iter().copied().filter(|r| r.score.flagged).collect();
    for (name, chosen) in [("flagged", &flagged), ("all", &all)] {
        group.throughput(Throughput::Elements(chosen.len() as u64));
        group.bench_function(BenchmarkId::new(name, rows), |b| {
            b.iter(|| chiptrail::export::geojson::write(&path, chosen, g).expect("written"))
        });
    }
    group.finish();
}

criterion_group!(benches, export_geojson);
criterion_main!(benches);
