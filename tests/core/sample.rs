use std::collections::HashMap;
use std::path::Path;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_bytes};
use chiptrail::sample::{self, EMBEDDED_CONFIG, SampleConfig};

#[test]
fn generated_rows_all_load_and_name_variants_fold_into_parties() {
    let s = sample::generate(&SampleConfig {
        rows: 4000,
        seed: 21,
    });
    let mut bytes = Vec::new();
    s.write_shipments(&mut bytes).unwrap();
    let d = read_bytes(
        &bytes,
        Path::new("gen.csv"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    assert!(
        d.rejects.is_empty(),
        "{:?}",
        &d.rejects[..d.rejects.len().min(3)]
    );
    assert_eq!(d.shipments().len(), s.shipments.len());
    let spellings = s
        .shipments
        .iter()
        .flat_map(|x| [&x.exporter, &x.importer])
        .collect::<std::collections::HashSet<_>>();
    assert!(
        d.parties().len() < spellings.len(),
        "clerical variants fold into fewer parties"
    );
    assert!(d.parties().iter().any(|p| p.names.len() > 1));
}

#[test]
fn the_committed_sample_is_what_the_generator_writes_and_loads_cleanly() {
    let regenerated = sample::generate(&EMBEDDED_CONFIG);
    let mut bytes = Vec::new();
    regenerated.write_shipments(&mut bytes).unwrap();
    assert!(
        bytes == sample::EMBEDDED_SHIPMENTS.as_bytes(),
        "data/sample/shipments.csv is stale: run `chiptrail sample --rows 3000 --seed 7 --out data/sample`"
    );
    let d = sample::embedded_dataset(Gazetteer::embedded()).unwrap();
    assert_eq!(
        d.provenance.path,
        Path::new("embedded:data/sample/shipments.csv")
    );
    assert!(d.rejects.is_empty());
    let labels: HashMap<&str, &str> = sample::EMBEDDED_LABELS
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            Some((f.next()?, f.next()?))
        })
        .collect();
    assert_eq!(labels.len(), d.shipments().len());
    assert!(
        d.shipments()
            .iter()
            .all(|s| labels.contains_key(s.id.as_str()))
    );
    let diversion = labels.values().filter(|l| **l == "diversion").count();
    assert!(diversion > 100 && diversion < 1000, "{diversion}");
    let screening = read_bytes(
        sample::EMBEDDED_SCREENING.as_bytes(),
        Path::new("csl"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    assert_eq!(
        screening.provenance.format,
        chiptrail::model::Format::Watchlist
    );
    assert!(screening.rejects.is_empty() && screening.watchlist().len() > 12);
}
