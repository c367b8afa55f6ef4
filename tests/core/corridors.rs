//! Corridors from country-level files: one level of each breakdown, and every corridor factor on
//! the direct corridor it is evidence for.

use std::path::Path;

use chiptrail::analysis::{Analysis, corridor_headings};
use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_bytes};
use chiptrail::model::{Dataset, Date, Period};
use chiptrail::routes::corridors::{Corridors, assemble};
use chiptrail::rules::Rules;

use super::{code, fixture, load, path};

/// The rows of a Comtrade text that are totals on every dimension: flow X or M, partner2Code 0,
/// motCode 0, customsCode C00, an HS4 heading.
fn totals_only(text: &str) -> String {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (flow, p2, mot, customs, cmd) = (
        col("flowCode"),
        col("partner2Code"),
        col("motCode"),
        col("customsCode"),
        col("cmdCode"),
    );
    let mut out = vec![header.join(",")];
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if ["X", "M"].contains(&f[flow])
            && f[p2] == "0"
            && f[mot] == "0"
            && f[customs] == "C00"
            && f[cmd].len() == 4
        {
            out.push(line.to_string());
        }
    }
    out.join("\n") + "\n"
}

fn corridors(d: &Dataset) -> Corridors {
    assemble(
        &[(0, d)],
        &corridor_headings(&Rules::default()),
        Gazetteer::embedded(),
    )
}

/// (period, exporter-reported, importer-reported) of each corridor, by path.
fn values(cs: &Corridors) -> Vec<(String, Period, Option<f64>, Option<f64>)> {
    cs.corridors
        .iter()
        .flat_map(|c| {
            c.periods.iter().map(move |p| {
                (
                    format!("{}>{} {}", code(c.exporter), code(c.importer), c.heading),
                    p.period,
                    p.exporter_reported.as_ref().map(|s| s.value_usd),
                    p.importer_reported.as_ref().map(|s| s.value_usd),
                )
            })
        })
        .collect()
}

#[test]
fn totals_beside_breakdowns_give_the_corridor_values_of_the_totals_alone() {
    let g = Gazetteer::embedded();
    let full = load("comtrade_levels.csv");
    assert!(full.rejects.is_empty(), "{:?}", full.rejects);
    let text = std::fs::read_to_string(fixture("comtrade_levels.csv")).unwrap();
    let totals = read_bytes(
        totals_only(&text).as_bytes(),
        Path::new("totals.csv"),
        &ReadOptions::default(),
        g,
        None,
    )
    .unwrap();
    assert_eq!((full.flows().len(), totals.flows().len()), (26, 5));
    let (a, b) = (corridors(&full), corridors(&totals));
    let year = |y| Period {
        year: y,
        month: None,
    };
    let expected = vec![
        (
            "US>KZ 8542".to_string(),
            year(2021),
            Some(12e6),
            Some(12.72e6),
        ),
        (
            "US>KZ 8542".to_string(),
            year(2022),
            Some(30e6),
            Some(25.44e6),
        ),
    ];
    assert_eq!(values(&a), expected, "totals and breakdowns");
    assert_eq!(values(&b), expected, "totals alone");
    // The breakdowns are read beside the totals: re-exports and countries of consignment.
    let p = &a.corridors[0].periods[1];
    assert_eq!(p.re_exported.as_ref().map(|s| s.value_usd), Some(12e6));
    let via_cn = p.consigned[&g.by_alpha2("CN").unwrap()].value_usd;
    assert!((via_cn / 25.44e6 - 0.45).abs() < 1e-9);
    let note = &a.notes[0];
    assert!(
        note.starts_with("comtrade_levels.csv: corridors: 4 rows make the corridor values"),
        "{note}"
    );
    for part in [
        "by mode of transport beside motCode 0",
        "by customs procedure beside C00",
        "DX/RX/FM/RM rows beside X or M",
        "by country of consignment beside partner2Code 0",
        "finer HS rows beside their heading",
        "1 rows with a group",
    ] {
        assert!(note.contains(part), "{part}: {note}");
    }
    // Scored, the corridor is the same but for what only the breakdowns show.
    let rules = Rules::default();
    let (sa, sb) = (
        Analysis::run(&[&full], &[], &rules, g),
        Analysis::run(&[&totals], &[], &rules, g),
    );
    assert_eq!((sa.routes.len(), sb.routes.len()), (1, 1));
    let (ra, rb) = (&sa.routes[0], &sb.routes[0]);
    assert_eq!(path(ra), "US>KZ");
    for f in ["surge", "mirror_gap"] {
        assert_eq!(ra.score.value(f), rb.score.value(f), "{f}");
    }
    assert!(ra.score.value("mirror_gap") > 0.0);
    assert!(
        ra.score.value("consignment_share") > 0.0,
        "{}",
        ra.score.reasons()
    );
    assert_eq!(rb.score.value("consignment_share"), 0.0);
    assert!(ra.score.score > rb.score.score);
    assert_eq!(sa.notes, a.notes, "the analysis hands the notes on");
}

#[test]
fn the_hong_kong_share_is_evidence_on_the_corridor_and_the_armenian_surge_flags() {
    let g = Gazetteer::embedded();
    let d = load("comtrade_small.csv");
    let a = Analysis::run(&[&d], &[], &Rules::default(), g);
    assert!(
        a.routes.iter().all(|r| r.countries.len() == 2),
        "one row per direct corridor"
    );
    let us_cn = a.routes.iter().find(|r| path(r) == "US>CN").unwrap();
    // The first year broken down has nothing to compare with: evidence, not counted.
    let f = us_cn.score.factor("consignment_share").unwrap();
    assert_eq!(f.value, 0.0);
    assert!(
        f.evidence.contains("36.7%") && f.evidence.contains("Hong Kong"),
        "{}",
        f.evidence
    );
    assert!(!us_cn.score.flagged);
    assert!(us_cn.shipment_ids.is_empty());
    let am = a.routes.iter().find(|r| path(r) == "AM>RU").unwrap();
    assert_eq!(am.score.value("surge"), 1.0);
    assert!(am.score.flagged, "{}", am.score.reasons());
    assert_eq!(
        (am.first_date, am.last_date),
        (
            Date::from_ymd(2021, 1, 1).unwrap(),
            Date::from_ymd(2022, 12, 31).unwrap()
        ),
        "a corridor spans its periods, first day to last"
    );
}

/// `values` sorted by path and period, for files whose corridor order is not the point.
fn sorted_values(d: &Dataset) -> Vec<(String, Period, Option<f64>, Option<f64>)> {
    let mut v = values(&corridors(d));
    v.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    v
}

fn year(y: i32) -> Period {
    Period {
        year: y,
        month: None,
    }
}

#[test]
fn legacy_comtrade_corridors_sum_one_level_of_every_breakdown() {
    let g = Gazetteer::embedded();
    let d = load("comtrade_legacy_35.csv");
    let march = Period {
        year: 2022,
        month: Some(3),
    };
    assert_eq!(
        sorted_values(&d),
        [
            ("TW>KZ 8542".to_string(), year(2022), None, Some(2.5e6)),
            ("US>KZ 8542".to_string(), year(2022), Some(8e6), Some(10e6)),
            ("US>TR 8471".to_string(), march, None, Some(1.25e6)),
        ]
    );
    let cs = corridors(&d);
    let us_kz = cs
        .corridors
        .iter()
        .find(|c| code(c.exporter) == "US" && code(c.importer) == "KZ")
        .unwrap();
    let p = &us_kz.periods[0];
    // X over DX/RX/XOP; RX read for the re-export share, 2nd partner 156 for the consignment one.
    assert_eq!(p.re_exported.as_ref().map(|s| s.value_usd), Some(1e6));
    assert_eq!(p.consigned[&g.by_alpha2("CN").unwrap()].value_usd, 4e6);
    let note = &cs.notes[0];
    for part in [
        "4 rows make the corridor values",
        "1 processing-trade rows (MIP/MOP/XIP/XOP) beside the other flow codes",
        "4 DX/RX/FM/RM rows beside X or M",
        "2 rows by mode of transport beside motCode 0",
        "2 rows by customs procedure beside C00",
        "1 rows by country of consignment beside partner2Code 0",
        "1 finer HS rows beside their heading",
        "1 rows with a group",
    ] {
        assert!(note.contains(part), "{part}: {note}");
    }
    // The analysis takes the legacy file as it takes a Comtrade+ one.
    let a = Analysis::run(&[&d], &[], &Rules::default(), g);
    assert!(a.routes.iter().any(|r| path(r) == "US>KZ"), "{:?}", a.notes);

    let short = load("comtrade_legacy_12.csv");
    assert_eq!(
        sorted_values(&short),
        [
            ("SG>TW 8542".to_string(), year(2019), Some(5e6), None),
            ("US>MY 8471".to_string(), year(2019), None, Some(3e6)),
        ]
    );
    let cs = corridors(&short);
    let sg_tw = cs
        .corridors
        .iter()
        .find(|c| code(c.exporter) == "SG")
        .unwrap();
    assert_eq!(
        sg_tw.periods[0].re_exported.as_ref().map(|s| s.value_usd),
        Some(2e6)
    );
}

#[test]
fn wits_corridors_leave_groups_out_and_read_thousands() {
    let d = load("wits_small.csv");
    assert_eq!(
        sorted_values(&d),
        [
            (
                "CN>US 8542".to_string(),
                year(2019),
                Some(4_200_500.0),
                None
            ),
            (
                "US>CN 8542".to_string(),
                year(2019),
                None,
                Some(15_553_944.0)
            ),
            (
                "US>MY 8471".to_string(),
                year(2019),
                None,
                Some(2_500_000.0)
            ),
        ]
    );
    let note = &corridors(&d).notes[0];
    assert!(
        note.contains("3 rows with a group") && note.contains("1 DX/RX/FM/RM rows beside X or M"),
        "{note}"
    );
}

#[test]
fn a_corridors_evidence_has_each_sides_values_its_surge_window_and_its_rows() {
    let g = Gazetteer::embedded();
    let d = load("comtrade_small.csv");
    let a = Analysis::run(&[&d], &[], &Rules::default(), g);
    let am = a.routes.iter().position(|r| path(r) == "AM>RU").unwrap();
    let e = a.corridor_evidence(am, &[&d], g).unwrap();
    assert_eq!(
        (code(e.exporter), code(e.importer)),
        ("AM".into(), "RU".into())
    );
    assert_eq!(e.heading.to_string(), "8542");
    // The surge the score used: 2022 against 2021.
    let s = e.surge.as_ref().unwrap();
    assert_eq!(
        (s.judged, s.baseline.clone()),
        (year(2022), vec![year(2021)])
    );
    assert!(!s.rolling && s.factor == 1.0 && s.value_usd > 10.0 * s.baseline_usd);
    let periods: Vec<Period> = e.periods.iter().map(|p| p.period).collect();
    assert_eq!(periods, [year(2021), year(2022)]);
    assert!(e.periods.iter().any(|p| p.exporter_usd.is_some()));
    // The rows behind it, with their lines.
    let chiptrail::analysis::RouteKind::Corridor { flows } = &a.routes[am].kind else {
        panic!()
    };
    let rows = chiptrail::analysis::flow_rows(&[&d], flows);
    assert_eq!(rows.len(), flows.len());
    assert!(rows.iter().all(|(_, f)| f.line > 1));
    // Consignment shares where the importer breaks its imports down.
    let us_cn = a.routes.iter().position(|r| path(r) == "US>CN").unwrap();
    let e = a.corridor_evidence(us_cn, &[&d], g).unwrap();
    let share = e
        .periods
        .iter()
        .find_map(|p| p.third_country_share)
        .unwrap();
    // Hong Kong's 36.7%, and any other third country's.
    assert!((0.366..=0.501).contains(&share), "{share}");
    // The totals add up every corridor per period.
    let totals = a.corridor_totals(&[&d], g);
    assert!(
        totals
            .iter()
            .any(|(p, v)| *p == year(2022) && *v >= s.value_usd)
    );
}
