use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_bytes};
use chiptrail::model::{Date, Format};
use chiptrail::sample::{
    self, DIVERSION_PATTERNS, EMBEDDED_CONFIG, LEGITIMATE_PATTERNS, Sample, SampleConfig,
    Vocabulary,
};

const FILES: [&str; 4] = [
    "shipments.csv",
    "labels.csv",
    "screening_list.csv",
    "licences.csv",
];

fn config(rows: usize, seed: u64, vocabulary: Vocabulary) -> SampleConfig {
    SampleConfig {
        rows,
        seed,
        vocabulary,
        licensed_world: true,
    }
}

#[test]
fn generated_rows_all_load_and_name_variants_fold_into_parties() {
    let s = sample::generate(&SampleConfig::new(4000, 21));
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
fn the_same_seed_writes_byte_identical_files() {
    for vocabulary in [Vocabulary::Full, Vocabulary::Tuning, Vocabulary::HeldOut] {
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        for d in &dirs {
            sample::generate(&config(2500, 99, vocabulary))
                .write(d.path())
                .unwrap();
        }
        for f in FILES {
            let a = std::fs::read(dirs[0].path().join(f)).unwrap();
            let b = std::fs::read(dirs[1].path().join(f)).unwrap();
            assert!(a.len() > 100, "{vocabulary} {f}");
            assert!(a == b, "{vocabulary}: {f} differs between two runs");
        }
    }
}

#[test]
fn every_pattern_appears_in_every_vocabulary() {
    for vocabulary in [Vocabulary::Full, Vocabulary::Tuning, Vocabulary::HeldOut] {
        let s = sample::generate(&config(3000, 31, vocabulary));
        let seen: HashSet<(bool, &str)> =
            s.labels.iter().map(|l| (l.diversion, l.pattern)).collect();
        for p in DIVERSION_PATTERNS {
            assert!(seen.contains(&(true, *p)), "{vocabulary}: no {p}");
        }
        for p in LEGITIMATE_PATTERNS {
            assert!(seen.contains(&(false, *p)), "{vocabulary}: no {p}");
        }
        assert_eq!(
            seen.len(),
            DIVERSION_PATTERNS.len() + LEGITIMATE_PATTERNS.len(),
            "{vocabulary}: a pattern with the wrong label: {seen:?}"
        );
    }
}

/// The words of every firm name a sample writes (shipments, screening list, licences), legal
/// forms and numbers left out.
fn name_words(s: &Sample) -> BTreeSet<String> {
    let legal = sample::vocabulary::legal_form_words();
    let names = s
        .shipments
        .iter()
        .flat_map(|x| [&x.exporter, &x.importer])
        .chain(s.screening.iter().map(|e| &e.name))
        .chain(s.screening.iter().flat_map(|e| &e.alt_names))
        .chain(s.licences.iter().flat_map(|l| [&l.exporter, &l.consignee]));
    let mut out = BTreeSet::new();
    for n in names {
        for w in chiptrail::text::fold(n).split(' ') {
            if !w.is_empty() && !legal.contains(w) && !w.chars().all(|c| c.is_ascii_digit()) {
                out.insert(w.to_string());
            }
        }
    }
    out
}

/// Every description a sample writes: product phrasings and relabel wordings.
fn descriptions(s: &Sample) -> BTreeSet<String> {
    s.shipments
        .iter()
        .map(|x| x.description.to_lowercase())
        .chain(s.licences.iter().map(|l| l.description.to_lowercase()))
        .collect()
}

#[test]
fn tuning_and_held_out_samples_share_no_name_word_phrasing_or_wording() {
    let t = sample::generate(&config(6000, 41, Vocabulary::Tuning));
    let h = sample::generate(&config(6000, 41, Vocabulary::HeldOut));
    let (tw, hw) = (name_words(&t), name_words(&h));
    assert!(tw.len() > 60 && hw.len() > 60, "{} {}", tw.len(), hw.len());
    let shared: Vec<_> = tw.intersection(&hw).collect();
    assert!(
        shared.is_empty(),
        "firm-name words in both halves: {shared:?}"
    );
    let (td, hd) = (descriptions(&t), descriptions(&h));
    let shared: Vec<_> = td.intersection(&hd).collect();
    assert!(shared.is_empty(), "descriptions in both halves: {shared:?}");
    // Relabelled legs in particular: each half has its own vague wordings.
    let relabels = |s: &Sample| -> BTreeSet<String> {
        s.shipments
            .iter()
            .zip(&s.labels)
            .filter(|(_, l)| l.pattern == "relabelling")
            .map(|(x, _)| x.description.clone())
            .collect()
    };
    let (tr, hr) = (relabels(&t), relabels(&h));
    assert!(tr.len() >= 3 && hr.len() >= 3, "{tr:?} {hr:?}");
    assert!(tr.is_disjoint(&hr));
    // A full sample draws from both halves.
    let f = sample::generate(&config(6000, 41, Vocabulary::Full));
    let fd = descriptions(&f);
    assert!(!fd.is_disjoint(&td) && !fd.is_disjoint(&hd));
}

/// One licences.csv row, read back with nothing but the csv crate.
#[derive(Debug)]
struct Licence {
    exporter: String,
    consignee: String,
    prefix: String,
    quantity: u64,
    from: Date,
    to: Date,
}

fn iso_date(text: &str) -> Date {
    let parts: Vec<&str> = text.split('-').collect();
    assert_eq!(parts.len(), 3, "{text}");
    Date::from_ymd(
        parts[0].parse().unwrap(),
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
    )
    .unwrap_or_else(|| panic!("{text} is not a date"))
}

fn read_licences(text: &str) -> Vec<Licence> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, sample::LICENCE_HEADER);
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        assert!(ids.insert(rec[0].to_string()), "licence ids are unique");
        let prefix: String = rec[5].chars().filter(char::is_ascii_digit).collect();
        assert!(
            (4..=6).contains(&prefix.len()) && rec[5].len() <= 7,
            "{rec:?}"
        );
        assert!(rec[6].contains("H200"), "{rec:?}");
        let quantity: u64 = rec[7].parse().unwrap();
        let value: f64 = rec[8].parse().unwrap();
        let (from, to) = (iso_date(&rec[9]), iso_date(&rec[10]));
        assert!(quantity > 0 && from < to, "{rec:?}");
        // Unit values of H200-class goods: chips tens of thousands, servers hundreds.
        let unit = value / quantity as f64;
        assert!((20_000.0..600_000.0).contains(&unit), "{rec:?}");
        assert!(
            from >= Date::from_ymd(2025, 12, 8).unwrap(),
            "licences start after the H200 approval: {rec:?}"
        );
        assert_eq!(&rec[4], "CN");
        out.push(Licence {
            exporter: rec[1].to_string(),
            consignee: rec[3].to_string(),
            prefix,
            quantity,
            from,
            to,
        });
    }
    out
}

/// A firm's matching key: clerks' abbreviations (`Tech.`) spelled out, then the library's key.
fn key(name: &str, abbreviations: &HashMap<String, String>) -> String {
    let expanded: Vec<&str> = name
        .split(' ')
        .map(|w| abbreviations.get(w).map_or(w, String::as_str))
        .collect();
    chiptrail::parties::normalise(&expanded.join(" "))
}

fn abbreviations() -> HashMap<String, String> {
    sample::vocabulary::lists(Vocabulary::Full)
        .into_iter()
        .find(|l| l.name == "name abbreviations")
        .unwrap()
        .items
        .iter()
        .map(|i| {
            let (word, short) = i.split_once(" -> ").unwrap();
            (short.to_string(), word.to_string())
        })
        .collect()
}

/// Which licence covers each shipment, drawing each licence down in date order (data-formats
/// §7): same vendor and consignee, HS code under the licence's, date inside the window, quantity
/// left.
fn coverage(s: &Sample, licences: &[Licence]) -> Vec<Option<usize>> {
    let ab = abbreviations();
    let by_pair: HashMap<(String, String), usize> = licences
        .iter()
        .enumerate()
        .map(|(i, l)| ((key(&l.exporter, &ab), key(&l.consignee, &ab)), i))
        .collect();
    assert_eq!(by_pair.len(), licences.len(), "one licence per pair");
    let mut left: Vec<u64> = licences.iter().map(|l| l.quantity).collect();
    // Shipments are written in date order already.
    s.shipments
        .iter()
        .map(|x| {
            let i = *by_pair.get(&(key(&x.exporter, &ab), key(&x.importer, &ab)))?;
            let l = &licences[i];
            let hs: String = x.hs_code.chars().filter(char::is_ascii_digit).collect();
            let inside = hs.starts_with(&l.prefix) && l.from <= x.date && x.date <= l.to;
            (inside && x.quantity <= left[i]).then(|| {
                left[i] -= x.quantity;
                i
            })
        })
        .collect()
}

#[test]
fn licences_parse_and_cover_exactly_the_licensed_shipments() {
    for vocabulary in [Vocabulary::Full, Vocabulary::Tuning, Vocabulary::HeldOut] {
        let s = sample::generate(&config(8000, 53, vocabulary));
        let mut text = Vec::new();
        s.write_licences(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        let licences = read_licences(&text);
        assert_eq!(licences.len(), s.licences.len());

        // Chiptrail's own reader takes the file as a licences file, every row.
        let d = read_bytes(
            text.as_bytes(),
            Path::new("licences.csv"),
            &ReadOptions::default(),
            Gazetteer::embedded(),
            None,
        )
        .unwrap();
        assert_eq!(d.provenance.format, Format::Licences);
        assert!(d.rejects.is_empty(), "{:?}", d.rejects.first());
        assert_eq!(d.licences().len(), licences.len());

        let ab = abbreviations();
        let consignees: HashSet<String> = licences.iter().map(|l| key(&l.consignee, &ab)).collect();
        let covered = coverage(&s, &licences);
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for ((x, l), c) in s.shipments.iter().zip(&s.labels).zip(&covered) {
            *counts.entry(l.pattern).or_default() += 1;
            match l.pattern {
                "licensed_direct" => assert!(c.is_some(), "{vocabulary}: uncovered {x:?}"),
                "licence_overrun" | "licence_expired" => {
                    assert!(c.is_none(), "{vocabulary}: covered {l:?} {x:?}")
                }
                "no_licence" => assert!(
                    !consignees.contains(&key(&x.importer, &ab)),
                    "{vocabulary}: a licence names {x:?}"
                ),
                // The vendor legs a leak drew on were licensed; the leak legs were not.
                "licensed_consignee_leak" => {
                    assert_eq!(c.is_some(), x.importer_country == "CN", "{x:?}")
                }
                _ => assert!(c.is_none(), "{vocabulary}: {l:?} covered by a licence"),
            }
        }
        for p in [
            "licensed_direct",
            "licence_overrun",
            "licence_expired",
            "no_licence",
            "licensed_consignee_leak",
        ] {
            assert!(counts.get(p).copied().unwrap_or(0) > 0, "{vocabulary}: {p}");
        }
    }
}

#[test]
fn the_committed_sample_is_what_the_generator_writes_and_loads_cleanly() {
    let regenerated = sample::generate(&EMBEDDED_CONFIG);
    let stale = "is stale: run `chiptrail sample --rows 3000 --seed 7 --out data/sample`";
    let mut bytes = Vec::new();
    regenerated.write_shipments(&mut bytes).unwrap();
    assert!(
        bytes == sample::EMBEDDED_SHIPMENTS.as_bytes(),
        "data/sample/shipments.csv {stale}"
    );
    let mut bytes = Vec::new();
    regenerated.write_labels(&mut bytes).unwrap();
    assert!(
        bytes == sample::EMBEDDED_LABELS.as_bytes(),
        "data/sample/labels.csv {stale}"
    );
    let mut bytes = Vec::new();
    regenerated.write_screening(&mut bytes).unwrap();
    assert!(
        bytes == sample::EMBEDDED_SCREENING.as_bytes(),
        "data/sample/screening_list.csv {stale}"
    );
    let mut bytes = Vec::new();
    regenerated.write_licences(&mut bytes).unwrap();
    assert!(
        bytes == sample::EMBEDDED_LICENCES.as_bytes(),
        "data/sample/licences.csv {stale}"
    );
    assert_eq!(EMBEDDED_CONFIG.vocabulary, Vocabulary::Full);

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
    assert!(d.shipments().iter().all(|s| labels.contains_key(&*s.id)));
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
    assert_eq!(screening.provenance.format, Format::Watchlist);
    assert!(screening.rejects.is_empty() && screening.watchlist().len() > 12);
    let licences = read_licences(sample::EMBEDDED_LICENCES);
    assert!(licences.len() > 20, "{}", licences.len());
}
