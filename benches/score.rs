//! Route reconstruction and scoring. Run with `cargo bench --bench score`; at other sizes with
//! `CHIPTRAIL_BENCH_ROWS=100000 cargo bench --bench score` (or `1000000`: about a minute a sample
//! on a laptop, ten samples a benchmark).
//!
//! The input is made by the project's generator (licensed world, seed 1), written to a temporary
//! directory and read back as `chiptrail score` reads it, outside the timed part:
//! - `routes/ledger_build/N`: `Ledger::build` (holder merging, product readings, legs and links);
//! - `routes/reconstruct/N`: `Ledger::routes` on that ledger, licensed shipments as boundaries;
//! - `score/analysis_run/N`: the whole `Analysis::run` (ledger, licences, screening, routes,
//!   scoring, sort), what `chiptrail score` does between reading and writing.

mod common;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::routes::Ledger;
use chiptrail::rules::Rules;
use chiptrail::scoring::licences::LicenceIndex;
use common::{Inputs, rows};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn routes(c: &mut Criterion) {
    let rows = rows();
    let inputs = Inputs::load(rows);
    let rules = Rules::default();
    let mut group = c.benchmark_group("routes");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function(BenchmarkId::new("ledger_build", rows), |b| {
        b.iter(|| Ledger::build(&[&inputs.shipments], &rules))
    });
    let ledger = Ledger::build(&[&inputs.shipments], &rules);
    let licences = LicenceIndex::build(&[&inputs.licences], &ledger, &rules, Gazetteer::embedded());
    let boundary: Vec<bool> = (0..ledger.legs.len() as u32)
        .map(|l| licences.covered(l))
        .collect();
    group.bench_function(BenchmarkId::new("reconstruct", rows), |b| {
        b.iter(|| ledger.routes(&rules.routes, &boundary))
    });
    group.finish();
}

fn score(c: &mut Criterion) {
    let rows = rows();
    let inputs = Inputs::load(rows);
    let rules = Rules::default();
    let mut group = c.benchmark_group("score");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function(BenchmarkId::new("analysis_run", rows), |b| {
        b.iter(|| inputs.analysis(&rules))
    });
    group.finish();
}

criterion_group!(benches, routes, score);
criterion_main!(benches);
