use chiptrail::analysis::Analysis;
use chiptrail::evaluation::{RouteOutcome, evaluate};
use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_bytes, read_path};
use chiptrail::rules::Rules;
use chiptrail::sample::{SampleConfig, generate};
use std::collections::HashMap;
use std::path::Path;

use super::{country, fixture, path};

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
fn assert_flagged(name: &str, want: &str, factor: &str, shipments: &[&str]) {
    let a = analyse(name);
    let top = &a.routes[0];
    assert!(
        top.score.flagged,
        "{name}: {} {}",
        top.score.score,
        top.score.reasons()
    );
    assert_eq!(path(top), want, "{name}");
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
            top.shipment_ids.iter().any(|s| &**s == *id),
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
            path(r),
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
    assert_eq!(ids(&a.routes[0]), ["MH-1", "MH-2", "MH-3"]);
    assert_eq!(&*a.routes[0].parties[1], "Klang Data Sdn. Bhd.");
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
        .flat_map(|r| r.shipment_ids.iter().map(|s| &**s))
        .collect();
    assert_eq!(on_route.len(), d.shipments().len());
    assert!(
        a.routes
            .windows(2)
            .all(|w| w[0].score.score >= w[1].score.score)
    );
}

/// The generator's licensed world of `rows` rows, read as a user's files would be: the
/// shipments, the licences and the screening list.
fn licensed_sample(
    rows: usize,
    seed: u64,
) -> (
    chiptrail::model::Dataset,
    chiptrail::model::Dataset,
    chiptrail::model::Dataset,
) {
    let s = generate(&SampleConfig::new(rows, seed));
    let (mut bytes, mut licences, mut list) = (Vec::new(), Vec::new(), Vec::new());
    s.write_shipments(&mut bytes).unwrap();
    s.write_licences(&mut licences).unwrap();
    s.write_screening(&mut list).unwrap();
    let g = Gazetteer::embedded();
    let d = read_bytes(&bytes, Path::new("s.csv"), &ReadOptions::default(), g, None).unwrap();
    let licence_options = ReadOptions {
        format: Some(chiptrail::model::Format::Licences),
        ..ReadOptions::default()
    };
    let l = read_bytes(&licences, Path::new("l.csv"), &licence_options, g, None).unwrap();
    let w = read_bytes(&list, Path::new("w.csv"), &ReadOptions::default(), g, None).unwrap();
    (d, l, w)
}

/// The app scores every route without words and explains the flagged ones; any other route,
/// explained when shown or exported, reads exactly as it does when every route is explained.
#[test]
fn a_route_explained_later_reads_as_one_explained_when_scored() {
    use chiptrail::analysis::Keep;
    // The licensed world with its licences and screening list: licence notes and screening
    // evidence are words too.
    let (d, l, w) = licensed_sample(3000, 7);
    let g = Gazetteer::embedded();
    let watchlist = Analysis::watchlist_entries([&w]);
    let rules = Rules::default();
    let all = Analysis::run(&[&d, &l], &watchlist, &rules, g);
    let lazy = Analysis::run_keeping(&[&d, &l], &watchlist, &rules, g, Keep::All, Keep::Flagged);
    assert!(
        all.routes.iter().any(|r| !r.licence_notes.is_empty())
            && all
                .routes
                .iter()
                .any(|r| r.score.value("screening_match") > 0.0),
        "licences and the screening list bear on some routes"
    );
    assert_eq!(all.routes.len(), lazy.routes.len());
    let unexplained = lazy.routes.iter().filter(|r| !r.score.explained).count();
    assert!(
        unexplained > 0 && lazy.routes.iter().any(|r| r.score.explained),
        "some routes explained as scored, some later"
    );
    assert!(lazy.explained(all.routes.len(), &[&d, &l, &w]).is_none());
    for (i, r) in all.routes.iter().enumerate() {
        let later = lazy
            .explained(i, &[&d, &l, &w])
            .expect("a route of the analysis");
        assert_eq!(&*later, r, "route {i}");
        // Without words, the values and the verdict are already the same.
        let early = &lazy.routes[i];
        assert_eq!(
            (early.score.score, early.score.flagged, early.score.basis),
            (r.score.score, r.score.flagged, r.score.basis)
        );
        for name in chiptrail::scoring::indicators::indicator_names() {
            assert_eq!(early.score.value(name), r.score.value(name), "{name}");
        }
        if !early.score.explained {
            assert!(early.score.factors.iter().all(|f| f.evidence.is_empty()));
        }
    }
}

/// Evaluation on the generator's labelled data, on the held-out half of its vocabulary (firm
/// names, product phrasings, relabel wordings and hub choices no rule was tuned on), decoys
/// included, in a world without licence data and in the licensed world with its licences loaded.
/// Run `cargo test --release --test core evaluation -- --nocapture` to see the numbers.
#[test]
fn evaluation_on_the_held_out_vocabulary() {
    use chiptrail::sample::Vocabulary;
    let g = Gazetteer::embedded();
    for (seed, licensed_world) in [(101, false), (202, true)] {
        let s = generate(&SampleConfig {
            vocabulary: Vocabulary::HeldOut,
            licensed_world,
            ..SampleConfig::new(40_000, seed)
        });
        // Written and read back as a user's files would be.
        let dir = tempfile::tempdir().unwrap();
        s.write(dir.path()).unwrap();
        let read = |name: &str| {
            read_path(&dir.path().join(name), &ReadOptions::default(), g, None).unwrap()
        };
        let shipments = read("shipments.csv");
        let list = read("screening_list.csv");
        let licences = licensed_world.then(|| read("licences.csv"));
        let mut sets = vec![&shipments];
        sets.extend(licences.as_ref());
        let a = Analysis::run(&sets, list.watchlist(), &Rules::default(), g);
        let outcomes: Vec<RouteOutcome> = a
            .routes
            .iter()
            .map(|r| RouteOutcome {
                score: r.score.score,
                flagged: r.score.flagged,
                shipment_ids: r.shipment_ids.iter().map(|s| s.to_string()).collect(),
            })
            .collect();
        let labels: HashMap<String, bool> = s
            .labels
            .iter()
            .map(|l| (l.shipment_id.clone(), l.diversion))
            .collect();
        let m = evaluate(&outcomes, &labels);
        println!(
            "seed {seed}, licensed world {licensed_world}: {} shipments ({} diversion), {} routes, {} flagged; AP {:.4}; routes P {:.4} R {:.4}; shipments P {:.4} R {:.4}",
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
            m.shipment_recall >= 0.9 && m.shipment_precision >= 0.8,
            "seed {seed}: {m:?}"
        );
        // Every kind of scheme is caught, and nothing a licence covers is flagged.
        let flagged: std::collections::HashSet<&str> = a
            .routes
            .iter()
            .filter(|r| r.score.flagged)
            .flat_map(|r| r.shipment_ids.iter().map(|s| &**s))
            .collect();
        let mut by_pattern: HashMap<&str, (usize, usize)> = HashMap::new();
        for l in &s.labels {
            let e = by_pattern.entry(l.pattern).or_default();
            e.0 += 1;
            e.1 += usize::from(flagged.contains(l.shipment_id.as_str()));
        }
        for (pattern, (n, hit)) in &by_pattern {
            let share = *hit as f64 / *n as f64;
            if chiptrail::sample::DIVERSION_PATTERNS.contains(pattern) {
                assert!(share >= 0.5, "seed {seed}: {pattern} caught {hit} of {n}");
            }
        }
        if licensed_world {
            let covered = a
                .routes
                .iter()
                .filter(|r| r.score.flagged)
                .flat_map(|r| &r.licence_notes)
                .filter(|n| n.contains(": covered by"))
                .count();
            assert_eq!(
                covered, 0,
                "a shipment a licence covers sits on a flagged route"
            );
        }
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
            .map(|i| path(&a.routes[i]))
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
        countries: vec![country("RU")],
        country_mode: CountryMode::Into,
        ..Default::default()
    });
    assert_eq!(into_ru, ["US>HK>KZ>RU"]);
    let through_hk = paths(&RouteFilter {
        countries: vec![country("HK")],
        country_mode: CountryMode::Any,
        ..Default::default()
    });
    assert_eq!(through_hk.len(), 2, "{through_hk:?}");
    let out_of_hk = paths(&RouteFilter {
        countries: vec![country("HK")],
        country_mode: CountryMode::OutOf,
        ..Default::default()
    });
    assert!(out_of_hk.is_empty());
    let between = paths(&RouteFilter {
        countries: vec![country("US"), country("CN")],
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
    assert_eq!(hits[0], SearchHit::Country(country("KZ")));
    let hits = search(&a, g, "steppe systems", 10);
    assert!(
        matches!(&hits[..], [SearchHit::Route(i, why)] if path(&a.routes[*i]) == "US>HK>KZ>RU" && why.contains("Steppe"))
    );
    let hits = search(&a, g, "MH-2", 10);
    assert!(matches!(&hits[..], [SearchHit::Route(i, _)] if ids(&a.routes[*i]).contains(&"MH-2")));
    let hits = search(&a, g, "8542.32", 10);
    assert!(matches!(&hits[..], [SearchHit::Route(_, why)] if why.starts_with("HS 854232")));
}

/// Runs one scenario with a rules override, for "does this factor decide?" checks.
fn analyse_with(name: &str, rules: &Rules, licences: Option<&str>) -> Analysis {
    let g = Gazetteer::embedded();
    let o = ReadOptions::default();
    let d = read_path(&fixture(&format!("scenarios/{name}.csv")), &o, g, None).unwrap();
    assert!(d.rejects.is_empty(), "{name}: {:?}", d.rejects);
    let list = read_path(&fixture("scenarios/screening_list.csv"), &o, g, None).unwrap();
    let lic = licences.map(|l| {
        let d = read_path(&fixture(&format!("scenarios/{l}.csv")), &o, g, None).unwrap();
        assert!(d.rejects.is_empty(), "{l}: {:?}", d.rejects);
        d
    });
    let mut sets = vec![&d];
    sets.extend(lic.as_ref());
    Analysis::run(&sets, list.watchlist(), rules, g)
}

/// A route's shipment ids as text.
fn ids(r: &chiptrail::analysis::ScoredRoute) -> Vec<&str> {
    r.shipment_ids.iter().map(|s| &**s).collect()
}

/// The route holding a shipment.
fn route_of<'a>(a: &'a Analysis, id: &str) -> &'a chiptrail::analysis::ScoredRoute {
    a.routes
        .iter()
        .find(|r| r.shipment_ids.iter().any(|s| &**s == id))
        .unwrap_or_else(|| panic!("{id} is on no route"))
}

#[test]
fn a_direct_export_with_unknown_licence_status_is_ranked_not_flagged() {
    use chiptrail::scoring::Basis;
    let rules = Rules::default();
    let a = analyse_with("direct_unknown_licence", &rules, None);
    let r = route_of(&a, "DU-1");
    assert_eq!(r.score.basis, Basis::DeliveryOnly);
    assert!(!r.score.flagged);
    assert!((r.score.score - rules.scoring.delivery_floor).abs() < 1e-9);
    assert!(
        r.score.reasons().contains("licence status unknown"),
        "{}",
        r.score.reasons()
    );
}

#[test]
fn licences_cover_direct_exports_and_flag_what_leaks_out_of_them() {
    use chiptrail::scoring::Basis;
    let a = analyse_with("licensed_world", &Rules::default(), Some("licences"));
    // Covered, also under another spelling of both parties: nothing of concern delivered.
    for id in ["LW-1", "LW-2", "LW-4"] {
        let r = route_of(&a, id);
        assert!(!r.score.flagged, "{id}: {}", r.score.reasons());
        assert_eq!(r.score.score, 0.0, "{id}: {}", r.score.reasons());
    }
    // LW-8 is covered too, and its stock later leaked: ranked for a look, never flagged.
    let lw8 = route_of(&a, "LW-8");
    assert!(!lw8.score.flagged, "{}", lw8.score.reasons());
    assert_eq!(
        lw8.score.score,
        Rules::default()
            .indicators
            .licensed_consignee_leak
            .covered_source_value
    );
    assert!(
        lw8.score.reasons().contains("LW-9"),
        "{}",
        lw8.score.reasons()
    );
    // LW-3 takes the licence past its 200 units (100 + 80 already drawn).
    let decided = |id: &str, factor: &str| {
        let r = route_of(&a, id);
        assert!(r.score.flagged, "{id}: {}", r.score.reasons());
        assert_eq!(r.score.basis, Basis::Licence, "{id}");
        let f = r.score.factor(factor).unwrap();
        assert!(
            (f.contribution - r.score.score).abs() < 1e-9,
            "{id}: {factor} decides: {}",
            r.score.reasons()
        );
        f.evidence.clone()
    };
    assert!(decided("LW-3", "licence_overrun").contains("L-100"));
    // LW-5 ships after L-200 expired on 2024-06-30.
    assert!(decided("LW-5", "licence_expired").contains("expired 2024-06-30"));
    // LW-6: a consignee no licence names.
    decided("LW-6", "no_licence");
    // LW-9: the approved consignee re-exports part of its licensed stock, relabelled, by road.
    let leak = decided("LW-9", "licensed_consignee_leak");
    assert!(leak.contains("LW-8") && leak.contains("L-300"), "{leak}");
    assert!(
        !route_of(&a, "LW-9")
            .shipment_ids
            .iter()
            .any(|s| &**s == "LW-8"),
        "the covered delivery stays off the flagged route"
    );
    let r = route_of(&a, "LW-9");
    assert!(
        r.licence_notes.iter().any(|n| n.contains("LW-9")),
        "{:?}",
        r.licence_notes
    );
    // Without the licences, the same direct exports are ranked, not flagged on delivery alone.
    let without = analyse_with("licensed_world", &Rules::default(), None);
    for id in ["LW-1", "LW-3", "LW-6"] {
        let r = route_of(&without, id);
        assert_eq!(
            r.score.basis,
            Basis::DeliveryOnly,
            "{id}: {}",
            r.score.reasons()
        );
    }
}

#[test]
fn a_route_ending_in_a_d1_country_can_be_flagged_by_its_behaviour() {
    let rules = Rules::default();
    let a = analyse_with("d1_destination", &rules, None);
    let r = route_of(&a, "D1-2");
    assert_eq!(path(r), "US>SG>KZ");
    assert!(
        r.score.value("destination_of_concern") < 1.0,
        "KZ is D:1, not a country of concern"
    );
    assert!(r.score.flagged, "{}", r.score.reasons());
    // Pass-through decides: without it the same route is not flagged.
    let mut without = rules.clone();
    without.indicators.pass_through.weight = 0.0;
    let b = analyse_with("d1_destination", &without, None);
    assert!(!route_of(&b, "D1-2").score.flagged);
}

#[test]
fn goods_relabelled_under_an_unlisted_code_stay_on_their_route() {
    let rules = Rules::default();
    let a = analyse_with("relabelled_other_code", &rules, None);
    let r = route_of(&a, "RO-2");
    assert_eq!(ids(r), ["RO-1", "RO-2"], "linked by quantity and weight");
    assert!(r.score.flagged, "{}", r.score.reasons());
    assert!(r.score.value("relabelling") > 0.0);
    let mut without = rules.clone();
    without.indicators.relabelling.weight = 0.0;
    without.indicators.valuation.weight = 0.0;
    let b = analyse_with("relabelled_other_code", &without, None);
    assert!(
        route_of(&b, "RO-2").score.flagged,
        "pass-through alone still flags it: the link is what matters"
    );
}

#[test]
fn a_distributor_selling_other_goods_to_china_keeps_its_servers_apart() {
    let a = analyse_with("legit_switch_sale", &Rules::default(), None);
    let r = route_of(&a, "SW-4");
    assert_eq!(ids(r), ["SW-4"], "a switch does not draw on server stock");
    for r in &a.routes {
        assert!(!r.score.flagged, "{} {}", path(r), r.score.reasons());
    }
}

#[test]
fn a_listed_consignee_flags_on_its_face_and_a_namesake_elsewhere_does_not() {
    use chiptrail::scoring::Basis;
    let a = analyse_with("listed_party", &Rules::default(), None);
    let nic = route_of(&a, "LP-1");
    assert!(nic.score.flagged, "{}", nic.score.reasons());
    assert_eq!(nic.score.basis, Basis::Listed);
    let namesake = route_of(&a, "LP-2");
    assert!(!namesake.score.flagged, "{}", namesake.score.reasons());
    assert!(
        namesake.score.reasons().contains("another country"),
        "{}",
        namesake.score.reasons()
    );
}

#[test]
fn scores_are_identical_whatever_the_number_of_threads() {
    let s = generate(&SampleConfig::new(6000, 17));
    let dir = tempfile::tempdir().unwrap();
    s.write(dir.path()).unwrap();
    let g = Gazetteer::embedded();
    let read =
        |name: &str| read_path(&dir.path().join(name), &ReadOptions::default(), g, None).unwrap();
    let (shipments, list, licences) = (
        read("shipments.csv"),
        read("screening_list.csv"),
        read("licences.csv"),
    );
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                Analysis::run(
                    &[&shipments, &licences],
                    list.watchlist(),
                    &Rules::default(),
                    g,
                )
            })
    };
    let one = run(1);
    let four = run(4);
    assert_eq!(one.routes, four.routes);
    assert!(one.routes.iter().any(|r| r.score.flagged));
}

/// The command line keeps only what it flags (or what scores at least `--min-score`), and
/// passes over the routes whose bound (`score_bound`) is under that without scoring them: it
/// must keep and count exactly what scoring every route keeps and counts, and no route may
/// score above its bound.
#[test]
fn no_route_scores_above_its_bound_and_passing_over_loses_nothing() {
    use chiptrail::analysis::{Keep, RouteKind};
    let (d, l, w) = licensed_sample(4000, 11);
    let g = Gazetteer::embedded();
    let watchlist = Analysis::watchlist_entries([&w]);
    let rules = Rules::default();
    let sets = [&d, &l];
    let all = Analysis::run_keeping(&sets, &watchlist, &rules, g, Keep::All, Keep::All);
    let mut below = 0;
    for r in &all.routes {
        let RouteKind::Shipments(route) = &r.kind else {
            continue;
        };
        let bound = all.score_bound(route).expect("an explainer");
        assert!(
            r.score.score <= bound,
            "{} scores {} > {bound}",
            r.id,
            r.score.score
        );
        below += usize::from(bound < rules.scoring.flag_threshold);
    }
    assert!(
        below > all.routes.len() / 10 && all.flagged_rows > 0,
        "the bound passes over some routes ({below} of {}), and some are flagged",
        all.routes.len()
    );
    for keep in [Keep::Flagged, Keep::AtLeast(0.2), Keep::AtLeast(0.7)] {
        let some = Analysis::run_keeping(&sets, &watchlist, &rules, g, keep, keep);
        let expected: Vec<_> = all.routes.iter().filter(|r| keep.keeps(&r.score)).collect();
        assert!(!expected.is_empty());
        assert_eq!(some.routes.iter().collect::<Vec<_>>(), expected, "{keep:?}");
        assert_eq!(
            (some.scored_rows, some.flagged_rows),
            (all.scored_rows, all.flagged_rows),
            "{keep:?}"
        );
    }
}

/// Rows explained as they are written are kept unmade (a route and its score), and made when
/// written: the same rows, in the same order, with the same ids, as rows made when scored and
/// explained then; and look-alikes apart (the app's rows, every one kept, are made at once).
#[test]
fn rows_made_as_they_are_written_are_the_rows_made_when_scored() {
    use chiptrail::analysis::Keep;
    use chiptrail::export::RouteSource;
    let (d, l, w) = licensed_sample(4000, 7);
    let g = Gazetteer::embedded();
    let rules = Rules::default();
    let sets = [&d, &l, &w];
    for keep in [Keep::Flagged, Keep::AtLeast(0.0)] {
        let made = Analysis::run_all_explaining(&sets, &rules, g, keep, keep);
        let unmade = Analysis::run_all_explaining(&sets, &rules, g, keep, Keep::Nothing);
        assert!(unmade.routes.is_empty(), "kept unmade");
        assert_eq!(unmade.kept_rows(), made.routes.len());
        assert!(
            made.routes.len() > 50,
            "{keep:?}: {} rows",
            made.routes.len()
        );
        // Scores tie often (a few discrete values): the order below the score is tested too.
        let scores: std::collections::BTreeSet<u64> = made
            .routes
            .iter()
            .map(|r| r.score.score.to_bits())
            .collect();
        assert!(scores.len() < made.routes.len() / 2, "ties");
        let rows = unmade.rows_to_write(&sets, g);
        assert_eq!(rows.len(), made.routes.len());
        for (i, r) in made.routes.iter().enumerate() {
            assert_eq!(&*rows.route(i), r, "{keep:?}: row {i}");
        }
    }
    let all = Analysis::run_all(&sets, &rules, g);
    assert_eq!(all.kept_rows(), all.routes.len());
}

/// The command line lets the shipment rows go once the legs are built: every route, explained
/// afterwards, reads word for word as when the rows are kept, and the words are the rows'
/// (descriptions, consignees as spelled).
#[test]
fn routes_read_the_same_after_the_rows_are_let_go() {
    use chiptrail::analysis::Keep;
    let (d, l, w) = licensed_sample(4000, 11);
    let g = Gazetteer::embedded();
    let rules = Rules::default();
    let descriptions: std::collections::BTreeSet<String> = d
        .shipments()
        .iter()
        .map(|s| s.description.to_string())
        .filter(|t| t.len() > 8)
        .collect();
    let consignees: std::collections::BTreeSet<String> = d
        .shipments()
        .iter()
        .filter_map(|s| d.party(s.importer))
        .map(|p| p.display_name().to_string())
        .collect();
    let explained = |a: &Analysis, sets: &[&chiptrail::model::Dataset]| -> Vec<_> {
        use chiptrail::export::RouteSource;
        let rows = a.rows_to_write(sets, g);
        (0..rows.len())
            .map(|i| rows.route(i).into_owned())
            .collect()
    };
    let sets = [&d, &l, &w];
    let kept = Analysis::run_all_explaining(&sets, &rules, g, Keep::AtLeast(0.0), Keep::Nothing);
    let expected = explained(&kept, &sets);
    let rows = d.shipments().len();
    let mut taken = [d.clone(), l.clone(), w.clone()];
    let ledger = Analysis::ledger_taking_rows(&mut taken, &rules);
    assert_eq!(ledger.legs, Analysis::ledger(&sets, &rules).legs);
    assert_eq!(ledger.legs.len(), rows);
    let [d, l, w] = &taken;
    assert!(d.shipments().is_empty() && !d.parties().is_empty());
    assert_eq!(l.licences().len(), taken[1].licences().len());
    let sets = [d, l, w];
    let lean = Analysis::run_all_on(ledger, &sets, &rules, g, Keep::AtLeast(0.0), Keep::Nothing);
    let got = explained(&lean, &sets);
    assert_eq!(got.len(), expected.len());
    assert!(got.len() > 100, "{} rows", got.len());
    for (a, b) in got.iter().zip(&expected) {
        assert!(a.score.explained);
        assert_eq!(a, b);
    }
    // The words are the rows' own: a description quoted as written, a consignee's spelling.
    let evidence: Vec<&str> = got
        .iter()
        .flat_map(|r| &r.score.factors)
        .map(|f| f.evidence.as_str())
        .collect();
    assert!(
        evidence
            .iter()
            .any(|e| descriptions.iter().any(|t| e.contains(t.as_str()))),
        "some evidence quotes a description"
    );
    assert!(
        evidence
            .iter()
            .any(|e| consignees.iter().any(|t| e.contains(t.as_str()))),
        "some evidence names a consignee"
    );
    // Pieces counted by their consignees' spellings, which the party tables still hold.
    let pieces: Vec<&&str> = evidence
        .iter()
        .filter(|e| e.contains("consignee spelling"))
        .collect();
    assert!(
        !pieces.is_empty() && pieces.iter().all(|e| !e.contains(" to 0 consignee")),
        "{pieces:?}"
    );
}
