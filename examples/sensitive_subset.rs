//! How small is the part of a shipment file that route reconstruction really needs?
//! (docs/scaling.md). Run with
//! `cargo run --release --example sensitive_subset -- SHIPMENTS.csv [SUBSET.csv]`, e.g. on
//! `chiptrail sample --rows 1000000 --seed 1 --out /tmp/big`.
//!
//! Counts the shipments whose product reading (`product::ProductClassifier`, default rules) has a
//! sensitivity of at least 0.5, the holders (merged parties) at either end of one, and every
//! shipment of those holders; with a second path, writes those shipments (header and rows as in
//! the input) there, so `chiptrail score` can be run on the subset.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_path};
use chiptrail::routes::Ledger;
use chiptrail::rules::Rules;
use rustc_hash::FxHashSet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let input = args
        .next()
        .ok_or("usage: sensitive_subset SHIPMENTS.csv [SUBSET.csv]")?;
    let output = args.next();
    let rules = Rules::default();
    let started = Instant::now();
    let data = read_path(&input, &ReadOptions::default(), Gazetteer::embedded(), None)?;
    let read_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let ledger = Ledger::build(&[&data], &rules);
    let ledger_s = started.elapsed().as_secs_f64();
    let legs = &ledger.legs;
    let n = legs.len();
    let sensitive_hs = legs
        .iter()
        .filter(|l| ledger.reading(l).sensitive_hs)
        .count();
    let sensitive: Vec<bool> = legs
        .iter()
        .map(|l| ledger.reading(l).sensitivity >= 0.5)
        .collect();
    let sensitive_n = sensitive.iter().filter(|s| **s).count();
    // Holders (merged parties) and raw party names on a sensitive leg.
    let mut holders = FxHashSet::default();
    let mut parties = FxHashSet::default();
    for (l, s) in legs.iter().zip(data.shipments()) {
        if ledger.reading(l).sensitivity >= 0.5 {
            holders.insert(l.from);
            holders.insert(l.to);
            parties.insert(s.exporter);
            parties.insert(s.importer);
        }
    }
    let all_holders: FxHashSet<_> = legs.iter().flat_map(|l| [l.from, l.to]).collect();
    let by_holder: Vec<bool> = legs
        .iter()
        .map(|l| holders.contains(&l.from) || holders.contains(&l.to))
        .collect();
    let by_holder_n = by_holder.iter().filter(|k| **k).count();
    let by_party_n = data
        .shipments()
        .iter()
        .filter(|s| parties.contains(&s.exporter) || parties.contains(&s.importer))
        .count();
    let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
    println!("shipments read:                          {n} ({read_s:.1} s)");
    println!("ledger built (holders, readings, links): {ledger_s:.1} s");
    println!(
        "holders:                                 {} ({} on a sensitive shipment)",
        all_holders.len(),
        holders.len()
    );
    println!(
        "HS code accelerators ship under:         {sensitive_hs} ({:.1} %)",
        pct(sensitive_hs)
    );
    println!(
        "product sensitivity >= 0.5:              {sensitive_n} ({:.1} %)",
        pct(sensitive_n)
    );
    println!(
        "... plus every shipment of their parties, by exact name:   {by_party_n} ({:.1} %)",
        pct(by_party_n)
    );
    println!(
        "... plus every shipment of their holders (merged names):   {by_holder_n} ({:.1} %)",
        pct(by_holder_n)
    );
    if let Some(output) = output {
        // One file: a leg's number is its row.
        let keep: BTreeSet<u64> = by_holder
            .iter()
            .enumerate()
            .filter(|(_, k)| **k)
            .map(|(row, _)| u64::from(data.shipments()[row].line))
            .collect();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(&input)?;
        let mut writer = csv::Writer::from_path(&output)?;
        let mut record = csv::ByteRecord::new();
        let mut first = true;
        while reader.read_byte_record(&mut record)? {
            let line = record.position().map_or(0, |p| p.line());
            if first || keep.contains(&line) {
                writer.write_byte_record(&record)?;
            }
            first = false;
        }
        writer.flush()?;
        println!("wrote {} shipments to {}", keep.len(), output.display());
    }
    Ok(())
}
