//! The trade.gov Consolidated Screening List CSV: one row per listed party, with alternative
//! names (`;`-separated) and addresses that end in a country.

use super::{IngestError, Progress, ReadResult, Table, field, find, for_each_record};
use crate::gazetteer::Gazetteer;
use crate::model::{Provenance, Records, ScreeningEntry};
use crate::parties::normalise;

pub(super) fn read(
    table: &Table<'_>,
    g: &Gazetteer,
    provenance: &mut Provenance,
    progress: Progress<'_>,
) -> ReadResult {
    let h = table.header;
    let name = find(h, "name").ok_or_else(|| IngestError::MissingColumns {
        format: crate::model::Format::Watchlist,
        missing: "name".into(),
        found: super::describe_header(h),
    })?;
    let source = find(h, "source");
    let alt = find(h, "alt_names");
    let addresses = find(h, "addresses");
    let programs = find(h, "programs");
    let entity = find(h, "entity_number");
    provenance.columns = [
        ("name", Some(name)),
        ("source", source),
        ("alt_names", alt),
        ("addresses", addresses),
    ]
    .into_iter()
    .filter_map(|(n, i)| i.map(|i| (n.to_string(), h[i].clone())))
    .collect();
    let get = |r: &csv::ByteRecord, i: Option<usize>| {
        i.map(|i| field(r, i).to_string()).unwrap_or_default()
    };
    let mut entries = Vec::new();
    let (rejects, total) = for_each_record(table, progress, |line, r| {
        let primary = field(r, name);
        if primary.is_empty() {
            return Err(("name".into(), "missing value".into()));
        }
        let alt_names: Vec<String> = get(r, alt)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        // Addresses are `street, city, state, postcode, CC` joined by `;`: the last part names the country.
        let mut countries = Vec::new();
        for address in get(r, addresses).split(';') {
            if let Some(c) = address
                .rsplit(',')
                .next()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .and_then(|c| g.lookup(c))
                && !countries.contains(&c)
            {
                countries.push(c);
            }
        }
        let mut keys = vec![normalise(primary)];
        for a in &alt_names {
            let k = normalise(a);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        entries.push(ScreeningEntry {
            line,
            source: get(r, source),
            name: primary.to_string(),
            alt_names,
            countries,
            programs: get(r, programs),
            entity_number: get(r, entity),
            keys,
        });
        Ok(())
    })?;
    Ok((Records::Watchlist(entries), rejects, total))
}
