//! Reading speed of the shipment reader. Run with `cargo bench --bench ingest`.
//!
//! The input is made by the project's own generator (never committed): 20,000 and 200,000 rows of
//! native-format CSV held in memory, so the numbers measure parsing, not the disk.

use std::path::Path;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_bytes};
use chiptrail::sample::{SampleConfig, generate};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn shipments_csv(rows: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    generate(&SampleConfig::new(rows, 1))
        .write_shipments(&mut bytes)
        .expect("in-memory write");
    bytes
}

fn read_shipments(c: &mut Criterion) {
    let g = Gazetteer::embedded();
    let mut group = c.benchmark_group("read_shipments");
    group.sample_size(10);
    for rows in [20_000, 200_000] {
        let bytes = shipments_csv(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::from_parameter(rows), &bytes, |b, bytes| {
            b.iter(|| {
                read_bytes(
                    bytes,
                    Path::new("bench.csv"),
                    &ReadOptions::default(),
                    g,
                    None,
                )
                .expect("loads")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, read_shipments);
criterion_main!(benches);
