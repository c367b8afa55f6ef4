use chiptrail::analysis::Analysis;
use chiptrail::evaluation::{RouteOutcome, evaluate};
use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_bytes, read_path};
use chiptrail::sample::{SampleConfig, generate};
use chiptrail::scoring::rules::Rules;
use std::collections::HashMap;
use std::path::Path;

use super::fixture;

fn analyse(name: &str) -> Analysis {
    let g = Gazetteer::embedded();
    let o = ReadOptions::default();
    let d = read_path(&fixture(&format!("scenarios/{name}.csv")), &o, g, None).unwrap();
    assert!(d.rejects.is_empty(), "{name}: {:?}", d.rejects);
    let list = read_path(&fixture("scenarios/screening_list.csv"), &o, g, None).unwrap();
    Analysis::run(&[&d], list.watchlist(), &Rules::default(), g)
}

/// The top route of a diversion scenario: flagged, along the expected path, with the named
/// factor among those that fired, and every shipment of the file on it.
fn assert_flagged(name: &str, path: &str, factor: &str, shipments: &[&str]) {
    let a = analyse(name);
    let top = &a.routes[0];
    assert!(
        top.score.flagged,
        "{name}: {} {}",
        top.score.score,
        top.score.reasons()
    );
    assert_eq!(top.path.join(">"), path, "{name}");
    assert!(
        top.score.value(factor) > 0.0,
        "{name}: {factor} did not fire: {}",
        top.score.reasons()
    );
    assert!(
        top.score.reasons().contains(&factor.replace('_', " ")),
        "{name}: {}",
        top.score.reasons()
    );
    for id in shipments {
        assert!(
            top.shipment_ids.iter().any(|s| s == id),
            "{name}: {id} not on {:?}",
            top.shipment_ids
        );
    }
    let sum: f64 = top.score.factors.iter().map(|f| f.contribution).sum();
    assert!(
        (sum - top.score.score).abs() < 1e-9,
        "contributions add up to the score"
    );
}

fn assert_not_flagged(name: &str) {
    let a = analyse(name);
    for r in &a.routes {
        assert!(
            !r.score.flagged,
            "{name}: {} {} {}",
            r.path.join(">"),
            r.score.score,
            r.score.reasons()
        );
    }
}

#[test]
fn pass_through_is_flagged_for_conserved_quantity_and_short_dwell() {
    assert_flagged(
        "pass_through",
        "US>SG>CN",
        "pass_through",
        &["PT-1", "PT-2"],
    );
}

#[test]
fn multi_hop_routes_keep_every_leg_in_order() {
    assert_flagged(
        "multi_hop",
        "US>MY>TH>CN",
        "known_hub",
        &["MH-1", "MH-2", "MH-3"],
    );
    let a = analyse("multi_hop");
    assert_eq!(a.routes[0].shipment_ids, ["MH-1", "MH-2", "MH-3"]);
    assert_eq!(a.routes[0].parties[1], "Klang Data Sdn. Bhd.");
}

#[test]
fn relabelling_is_explained_with_both_descriptions() {
    assert_flagged("relabelled", "US>AE>CN", "relabelling", &["RL-1", "RL-2"]);
    let a = analyse("relabelled");
    let f = a.routes[0]
        .score
        .factors
        .iter()
        .find(|f| f.indicator == "relabelling")
        .unwrap();
    assert!(
        f.evidence.contains("NVIDIA H200") && f.evidence.contains("Computer parts"),
        "{}",
        f.evidence
    );
    assert_eq!(f.value, 1.0);
}

#[test]
fn under_invoicing_is_measured_against_reference_and_previous_leg() {
    assert_flagged("undervalued", "US>TH>CN", "valuation", &["UV-1", "UV-2"]);
}

#[test]
fn a_front_pooling_several_vendors_is_one_route() {
    assert_flagged(
        "shell_front",
        "US>SG>RU",
        "new_party",
        &["SF-1", "SF-2", "SF-3", "SF-4", "SF-5"],
    );
}

#[test]
fn structuring_to_name_variants_is_one_route() {
    assert_flagged(
        "structuring",
        "US>HK>CN",
        "structuring",
        &["ST-1", "ST-2", "ST-11"],
    );
    let a = analyse("structuring");
    assert_eq!(
        a.routes[0].shipment_ids.len(),
        11,
        "the inbound and all ten pieces"
    );
    let f = a.routes[0]
        .score
        .factors
        .iter()
        .find(|f| f.indicator == "structuring")
        .unwrap();
    assert!(f.evidence.contains("10 pieces"), "{}", f.evidence);
}

#[test]
fn russia_roundabout_through_kazakhstan() {
    assert_flagged(
        "russia_roundabout",
        "US>HK>KZ>RU",
        "known_hub",
        &["RR-1", "RR-2", "RR-3"],
    );
}

#[test]
fn screening_hits_match_names_fuzzily() {
    assert_flagged(
        "screening_hit",
        "US>SG>RU",
        "screening_match",
        &["SH-1", "SH-2"],
    );
}

#[test]
fn reference_case_indian_firm_shipping_malaysian_servers_to_russia() {
    assert_flagged(
        "ref_india_servers",
        "US>MY>IN>RU",
        "pass_through",
        &["IN-1", "IN-2", "IN-3", "IN-4"],
    );
}

#[test]
fn reference_case_new_hong_kong_firm_exporting_us_chips_to_russia() {
    assert_flagged(
        "ref_hk_new_firm",
        "US>HK>RU",
        "new_party",
        &["HK-1", "HK-2"],
    );
}

#[test]
fn legitimate_look_alikes_are_not_flagged() {
    for name in [
        "legit_distributor_allies",
        "legit_datacenter_keep",
        "legit_odm_assembly",
        "legit_uncontrolled_china",
        "legit_hk_consumer_reexport",
    ] {
        assert_not_flagged(name);
    }
}

#[test]
fn every_shipment_is_on_a_route_and_output_is_deterministic() {
    let s = generate(&SampleConfig::new(3000, 5));
    let mut bytes = Vec::new();
    s.write_shipments(&mut bytes).unwrap();
    let g = Gazetteer::embedded();
    let d = read_bytes(&bytes, Path::new("s.csv"), &ReadOptions::default(), g, None).unwrap();
    let a = Analysis::run(&[&d], &[], &Rules::default(), g);
    let b = Analysis::run(&[&d], &[], &Rules::default(), g);
    assert_eq!(a.routes, b.routes);
    let on_route: std::collections::HashSet<&str> = a
        .routes
        .iter()
        .flat_map(|r| r.shipment_ids.iter().map(String::as_str))
        .collect();
    assert_eq!(on_route.len(), d.shipments().len());
    assert!(
        a.routes
            .windows(2)
            .all(|w| w[0].score.score >= w[1].score.score)
    );
}

#[test]
fn corridors_reproduce_the_consignment_share_and_flag_the_armenian_surge() {
    let g = Gazetteer::embedded();
    let d = read_path(
        &fixture("comtrade_small.csv"),
        &ReadOptions::default(),
        g,
        None,
    )
    .unwrap();
    let a = Analysis::run(&[&d], &[], &Rules::default(), g);
    let hk = a
        .routes
        .iter()
        .find(|r| r.path.join(">") == "US>HK>CN")
        .unwrap();
    assert!((hk.score.value("consignment_share") - 0.367 / 0.5).abs() < 1e-9);
    assert!(
        hk.score.reasons().contains("36.7%"),
        "{}",
        hk.score.reasons()
    );
    assert!(hk.shipment_ids.is_empty());
    let am = a
        .routes
        .iter()
        .find(|r| r.path.join(">") == "AM>RU")
        .unwrap();
    assert_eq!(am.score.value("surge"), 1.0);
    assert!(am.score.flagged, "{}", am.score.reasons());
    assert_eq!(
        (am.first_date.as_str(), am.last_date.as_str()),
        ("2021-01-01", "2022-12-31")
    );
}

/// Evaluation on the generator's labelled data, several seeds of 50,000 rows, decoys included.
/// Run `cargo test --release --test core evaluation -- --nocapture` to see the numbers.
#[test]
fn evaluation_on_labelled_generated_data() {
    let g = Gazetteer::embedded();
    for seed in [101, 202, 303] {
        let s = generate(&SampleConfig::new(50_000, seed));
        let mut bytes = Vec::new();
        s.write_shipments(&mut bytes).unwrap();
        let d = read_bytes(
            &bytes,
            Path::new("eval.csv"),
            &ReadOptions::default(),
            g,
            None,
        )
        .unwrap();
        // The generator's screening list, read back as a user's --watchlist would be.
        let dir = tempfile::tempdir().unwrap();
        s.write(dir.path()).unwrap();
        let list = read_path(
            &dir.path().join("screening_list.csv"),
            &ReadOptions::default(),
            g,
            None,
        )
        .unwrap();
        let csl = list.watchlist().to_vec();
        let a = Analysis::run(&[&d], &csl, &Rules::default(), g);
        let outcomes: Vec<RouteOutcome> = a
            .routes
            .iter()
            .map(|r| RouteOutcome {
                score: r.score.score,
                flagged: r.score.flagged,
                shipment_ids: r.shipment_ids.clone(),
            })
            .collect();
        let labels: HashMap<String, bool> = s
            .labels
            .iter()
            .map(|l| (l.shipment_id.clone(), l.diversion))
            .collect();
        let m = evaluate(&outcomes, &labels);
        println!(
            "seed {seed}: {} shipments ({} diversion), {} routes, {} flagged; AP {:.4}; routes P {:.4} R {:.4}; shipments P {:.4} R {:.4}",
            m.shipments,
            m.diversion_shipments,
            m.routes,
            m.flagged,
            m.average_precision,
            m.route_precision,
            m.route_recall,
            m.shipment_precision,
            m.shipment_recall
        );
        assert!(m.average_precision >= 0.9, "seed {seed}: {m:?}");
        assert!(
            m.route_recall >= 0.9 && m.route_precision >= 0.8,
            "seed {seed}: {m:?}"
        );
    }
}

#[test]
fn filters_and_search_work_on_the_analysis_without_the_gui() {
    use chiptrail::filter::{CountryMode, RouteFilter, SearchHit, search};
    let g = Gazetteer::embedded();
    let o = ReadOptions::default();
    let files = [
        "multi_hop",
        "russia_roundabout",
        "legit_distributor_allies",
        "legit_uncontrolled_china",
    ];
    let sets: Vec<_> = files
        .iter()
        .map(|f| read_path(&fixture(&format!("scenarios/{f}.csv")), &o, g, None).unwrap())
        .collect();
    let refs: Vec<&chiptrail::model::Dataset> = sets.iter().collect();
    let a = Analysis::run(&refs, &[], &Rules::default(), g);
    let paths = |f: &RouteFilter| -> Vec<String> {
        f.apply(&a)
            .into_iter()
            .map(|i| a.routes[i].path.join(">"))
            .collect()
    };

    let all = paths(&RouteFilter::default());
    assert_eq!(all.len(), a.routes.len());
    let flagged = paths(&RouteFilter {
        flagged_only: true,
        ..Default::default()
    });
    let mut sorted = flagged.clone();
    sorted.sort();
    assert_eq!(sorted, ["US>HK>KZ>RU", "US>MY>TH>CN"]);
    let into_ru = paths(&RouteFilter {
        countries: vec!["RU".into()],
        country_mode: CountryMode::Into,
        ..Default::default()
    });
    assert_eq!(into_ru, ["US>HK>KZ>RU"]);
    let through_hk = paths(&RouteFilter {
        countries: vec!["HK".into()],
        country_mode: CountryMode::Any,
        ..Default::default()
    });
    assert_eq!(through_hk.len(), 2, "{through_hk:?}");
    let out_of_hk = paths(&RouteFilter {
        countries: vec!["HK".into()],
        country_mode: CountryMode::OutOf,
        ..Default::default()
    });
    assert!(out_of_hk.is_empty());
    let between = paths(&RouteFilter {
        countries: vec!["US".into(), "CN".into()],
        country_mode: CountryMode::Between,
        ..Default::default()
    });
    assert_eq!(between.len(), 2, "{between:?}");
    let dram = paths(&RouteFilter {
        hs_prefix: "8542.32".into(),
        ..Default::default()
    });
    assert_eq!(dram, ["KR>CN"]);
    let late = RouteFilter {
        from: chiptrail::model::Date::from_ymd(2024, 5, 1),
        ..Default::default()
    };
    assert!(
        paths(&late).iter().all(|p| p != "US>HK>KZ>RU"),
        "the roundabout ended in 2023"
    );
    let sensitive = paths(&RouteFilter {
        min_sensitivity: 0.5,
        ..Default::default()
    });
    assert!(
        !sensitive.contains(&"US>HK>CN".to_string()),
        "microcontrollers are not sensitive"
    );

    let hits = search(&a, g, "Kazakhstan", 10);
    assert_eq!(
        hits[0],
        SearchHit::Country("KZ".into(), "Kazakhstan".into())
    );
    let hits = search(&a, g, "steppe systems", 10);
    assert!(
        matches!(&hits[..], [SearchHit::Route(i, why)] if a.routes[*i].path.join(">") == "US>HK>KZ>RU" && why.contains("Steppe"))
    );
    let hits = search(&a, g, "MH-2", 10);
    assert!(
        matches!(&hits[..], [SearchHit::Route(i, _)] if a.routes[*i].shipment_ids.contains(&"MH-2".to_string()))
    );
    let hits = search(&a, g, "8542.32", 10);
    assert!(matches!(&hits[..], [SearchHit::Route(_, why)] if why.starts_with("HS 854232")));
}
