//! Entity lists other than the Consolidated Screening List (data-formats §4): the OpenSanctions
//! "simple" CSV export (`id, schema, name, aliases, birth_date, countries, ..., sanctions,
//! program_ids, dataset, ...`; older exports lack `program_ids`) and plain lists with a name
//! column and optional alias, country and programme columns (`Name, Alias, Country, Program`,
//! e.g. the DoD 1260H list or the BIS Military End-User list). Both become the
//! [`ScreeningEntry`]s the screening list gives, so `score --watchlist` and the app take them.

use std::collections::BTreeMap;

use super::columns::{Column, ColumnMap};
use super::statistics::cell;
use super::{IngestError, Progress, ReadResult, Table, field, for_each_record};
use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{Format, Provenance, Records, ScreeningEntry};
use crate::parties::normalise;
use crate::text::squash;

/// True for an OpenSanctions "simple" export: `id, schema, name` and its list columns.
pub(super) fn looks_like_opensanctions(keys: &[String]) -> bool {
    let has = |k: &str| keys.iter().any(|x| x == k);
    has("id")
        && has("schema")
        && has("name")
        && (has("aliases") || has("countries") || has("dataset"))
}

const NAME: &[&str] = &[
    "name",
    "entityname",
    "companyname",
    "entity",
    "company",
    "organization",
    "organisation",
    "organizationname",
    "organisationname",
    "fullname",
    "firmname",
    "partyname",
    "legalname",
    "nameofentity",
    "listedentity",
    "caption",
];
const ALIAS: &[&str] = &[
    "alias",
    "aliases",
    "aka",
    "akas",
    "alsoknownas",
    "altnames",
    "altname",
    "alternativenames",
    "alternativename",
    "alternatenames",
    "alternatename",
    "othernames",
    "formernames",
    "weakaliases",
];
const COUNTRY: &[&str] = &[
    "country",
    "countries",
    "countrycode",
    "nationality",
    "nationalities",
    "citizenship",
    "citizenships",
    "countryofregistration",
    "countryofincorporation",
    "jurisdiction",
    "location",
    "address",
    "addresses",
    "headquarters",
];
const PROGRAM: &[&str] = &[
    "program",
    "programs",
    "programme",
    "programmes",
    "programids",
    "sanctionsprogram",
    "sanctions",
    "designation",
    "basis",
    "regime",
    "listingbasis",
];
const SOURCE: &[&str] = &["source", "dataset", "list", "listname", "sourcelist"];
const ID: &[&str] = &[
    "id",
    "entitynumber",
    "entityid",
    "referencenumber",
    "reference",
    "uid",
    "listid",
];

/// The first header (in `names` order) a file has for a role.
fn pick(keys: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| keys.iter().position(|k| k == n))
}

/// True for a plain entity list: a name column and none of the columns a trade table has
/// (goods, values, quantities, dates, exporter or importer).
pub(super) fn looks_like_entity_list(keys: &[String], map: &ColumnMap) -> bool {
    pick(keys, NAME).is_some()
        && [
            Column::HsCode,
            Column::ValueUsd,
            Column::Quantity,
            Column::Date,
            Column::Exporter,
            Column::Importer,
        ]
        .iter()
        .all(|c| map.get(*c).is_none())
}

/// Names in a cell: `;`, `|` or line breaks between them (commas belong to names).
fn names(cell: &str) -> Vec<String> {
    cell.split([';', '|', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Countries in a cell: the whole cell (`Korea, Republic of`), else its `;`/`|`/`,`-separated
/// parts (`cn;hk`, `China, Hong Kong`), else the last part of each address (`..., Shenzhen, CN`).
/// Parts that name no country are returned separately.
fn countries(g: &Gazetteer, cell: &str, alpha2_lower: bool) -> (Vec<CountryId>, Vec<String>) {
    let lookup = |t: &str| {
        let t = t.trim();
        if alpha2_lower && t.len() == 2 {
            g.by_alpha2(&t.to_ascii_uppercase())
        } else {
            g.lookup(t)
        }
    };
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    if cell.trim().is_empty() {
        return (found, unknown);
    }
    if let Some(c) = lookup(cell) {
        return (vec![c], unknown);
    }
    for part in cell
        .split([';', '|', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let hits: Vec<CountryId> = match lookup(part) {
            Some(c) => vec![c],
            None => {
                let pieces: Vec<Option<CountryId>> = part.split(',').map(lookup).collect();
                if pieces.iter().all(Option::is_some) {
                    pieces.into_iter().flatten().collect()
                } else {
                    // An address: the country is its last part.
                    part.rsplit(',')
                        .next()
                        .and_then(lookup)
                        .into_iter()
                        .collect()
                }
            }
        };
        if hits.is_empty() {
            unknown.push(part.to_string());
        }
        for c in hits {
            if !found.contains(&c) {
                found.push(c);
            }
        }
    }
    (found, unknown)
}

pub(super) fn read(
    table: &Table<'_>,
    format: Format,
    g: &Gazetteer,
    provenance: &mut Provenance,
    progress: Progress<'_>,
) -> ReadResult {
    let h = table.header;
    let keys: Vec<String> = h.iter().map(|k| squash(k)).collect();
    let opensanctions = format == Format::OpenSanctions;
    let name = pick(&keys, NAME).ok_or_else(|| IngestError::MissingColumns {
        format,
        missing: "name".into(),
        found: super::describe_header(h),
    })?;
    let (alias, country, program, source, id) = if opensanctions {
        (
            pick(&keys, &["aliases"]),
            pick(&keys, &["countries"]),
            pick(&keys, &["programids", "sanctions"]),
            pick(&keys, &["dataset", "datasets"]),
            pick(&keys, &["id"]),
        )
    } else {
        (
            pick(&keys, ALIAS),
            pick(&keys, COUNTRY),
            pick(&keys, PROGRAM),
            pick(&keys, SOURCE),
            pick(&keys, ID),
        )
    };
    let sanctions = opensanctions.then(|| pick(&keys, &["sanctions"])).flatten();
    provenance.columns = [
        ("name", Some(name)),
        ("source", source),
        ("alt_names", alias),
        ("countries", country),
        ("programs", program),
        ("entity_number", id),
    ]
    .into_iter()
    .filter_map(|(n, i)| i.map(|i| (n.to_string(), h[i].clone())))
    .collect();
    let file_name = provenance
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let default_source = if opensanctions {
        "OpenSanctions".to_string()
    } else {
        file_name
    };
    let mut entries = Vec::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    let (rejects, total) = for_each_record(table, progress, |line, r| {
        let primary = field(r, name);
        if primary.is_empty() {
            return Err((h[name].clone(), "missing value".into()));
        }
        let alt_names: Vec<String> = names(cell(r, alias))
            .into_iter()
            .filter(|a| a != primary)
            .collect();
        let (found, missed) = countries(g, cell(r, country), opensanctions);
        for m in missed {
            *unknown.entry(m).or_default() += 1;
        }
        let mut keys = vec![normalise(primary)];
        for a in &alt_names {
            let k = normalise(a);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        let mut programs = cell(r, program).to_string();
        if programs.is_empty() {
            programs = cell(r, sanctions).to_string();
        }
        let source = match cell(r, source) {
            "" => default_source.clone(),
            s => s.to_string(),
        };
        entries.push(ScreeningEntry {
            line,
            source,
            name: primary.to_string(),
            alt_names,
            countries: found,
            programs,
            entity_number: cell(r, id).to_string(),
            keys,
        });
        Ok(())
    })?;
    if !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .take(8)
            .map(|(c, n)| format!("'{c}' ({n} rows)"))
            .collect();
        let more = unknown.len().saturating_sub(8);
        provenance.notes.push(format!(
            "countries not recognised (the entries load without them): {}{}",
            list.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    Ok((Records::Watchlist(entries), rejects, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_read_codes_names_lists_and_addresses() {
        let g = Gazetteer::embedded();
        let codes = |cell: &str, lower: bool| -> Vec<String> {
            countries(g, cell, lower)
                .0
                .iter()
                .map(|c| g.country(*c).code())
                .collect()
        };
        assert_eq!(codes("cn;hk", true), ["CN", "HK"]);
        assert_eq!(codes("Korea, Republic of", false), ["KR"]);
        assert_eq!(codes("China, Hong Kong", false), ["CN", "HK"]);
        assert_eq!(codes("1 Queens Road, Hong Kong, HK", false), ["HK"]);
        let (_, unknown) = countries(g, "ru;suhh", true);
        assert_eq!(unknown, ["suhh"]);
    }

    #[test]
    fn names_split_on_semicolons_bars_and_lines_not_commas() {
        assert_eq!(
            names("Sugon; Dawning Information Industry Co., Ltd.|曙光"),
            ["Sugon", "Dawning Information Industry Co., Ltd.", "曙光"]
        );
    }
}
