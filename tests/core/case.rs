//! Case files and the evidence report: a case saved and opened again gives the same flags and
//! routes; a changed or missing input is named; the report of a fixture case says what it must.

use std::path::{Path, PathBuf};

use chiptrail::analysis::{Analysis, RouteKind};
use chiptrail::case::{
    CaseFile, CaseInput, CaseProblem, Locate, OpenedCase, View, backup_path, open_case,
};
use chiptrail::export::report::{Chosen, Report, write_report};
use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{ReadOptions, read_path_all};
use chiptrail::model::Dataset;
use chiptrail::rules::Rules;
use chiptrail::triage::{Disposition, RouteKey, Triage};

use super::{country, fixture};

/// The note the fixture case holds on its confirmed route: markup and CJK that must be escaped
/// and kept.
const NOTE: &str = "Consignee <Jade & Dragon> is 深圳市玉龙贸易有限公司 — see BoL #4";

/// Copies the case fixtures' inputs into `dir` (so a test may change or remove them).
fn copy_inputs(dir: &Path) -> Vec<PathBuf> {
    ["cases/shipments.csv", "scenarios/screening_list.csv"]
        .iter()
        .map(|name| {
            let to = dir.join(Path::new(name).file_name().unwrap());
            std::fs::copy(fixture(name), &to).unwrap();
            to
        })
        .collect()
}

fn load_all(paths: &[PathBuf]) -> Vec<Dataset> {
    paths
        .iter()
        .flat_map(|p| {
            read_path_all(p, &ReadOptions::default(), Gazetteer::embedded(), None)
                .unwrap()
                .datasets
        })
        .collect()
}

/// A case over `paths` with a filter, a view, a selection and dispositions set.
fn make_case(paths: &[PathBuf]) -> (CaseFile, Analysis) {
    let g = Gazetteer::embedded();
    let datasets = load_all(paths);
    let refs: Vec<&Dataset> = datasets.iter().collect();
    let mut rules = Rules::default();
    rules.routes.window_days += 1;
    let analysis = Analysis::run_all(&refs, &rules, g);
    assert_eq!(analysis.routes.len(), 2, "the fixture holds two routes");
    let inputs = CaseInput::from_datasets(refs.iter().copied(), |_| ReadOptions::default());
    let mut case = CaseFile::new(inputs, &analysis, "2026-11-29T10:00:00Z");
    case.filter.min_score = 0.25;
    case.filter.hs_prefix = "8542".into();
    case.filter.countries = vec![country("CN")];
    case.view = View {
        center: [103.8, 1.35],
        zoom: 4.5,
    };
    let through_sg = analysis
        .routes
        .iter()
        .find(|r| r.countries.contains(&country("SG")))
        .unwrap();
    let key = RouteKey::of(through_sg, g);
    case.selection = Some(key.clone());
    case.triage
        .set(key.clone(), Disposition::Confirmed, "2026-11-29T10:05:00Z");
    case.triage.note(key, NOTE, "2026-11-29T10:06:00Z");
    let other = RouteKey::of(
        analysis
            .routes
            .iter()
            .find(|r| r.id != through_sg.id)
            .unwrap(),
        g,
    );
    case.triage
        .set(other, Disposition::NeedsInformation, "2026-11-29T10:07:00Z");
    (case, analysis)
}

/// What must be the same after reopening: every route's id, key, score, flag and shipments.
fn fingerprint(a: &Analysis) -> Vec<(String, String, f64, bool, Vec<String>)> {
    let g = Gazetteer::embedded();
    a.routes
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                RouteKey::of(r, g).0,
                r.score.score,
                r.score.flagged,
                r.shipment_ids.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn a_case_saved_and_opened_again_gives_the_same_flags_routes_and_dispositions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let paths = copy_inputs(&data);
    let (case, analysis) = make_case(&paths);
    let path = dir.path().join("investigation.chiptrail");
    case.save(&path).unwrap();
    case.save(&path).unwrap();
    assert!(backup_path(&path).exists(), "the previous version is kept");

    let loaded = CaseFile::load(&path).unwrap();
    assert_eq!(loaded.version, 1);
    assert_eq!(loaded.rules().unwrap(), analysis.rules, "rules in full");
    assert_eq!(loaded.scorer.rules_sha256, analysis.rules.digest());
    assert_eq!(loaded.filter, case.filter);
    assert_eq!(loaded.view, case.view);
    assert_eq!(loaded.selection, case.selection);
    assert_eq!(loaded.triage, case.triage);
    for (l, c) in loaded.inputs.iter().zip(&case.inputs) {
        assert_eq!((&l.path, l.size, &l.sha256), (&c.path, c.size, &c.sha256));
        assert_eq!(l.tables, c.tables);
        assert!(l.path.is_absolute());
        assert_eq!(
            l.relative.as_deref(),
            Some(
                Path::new("data")
                    .join(l.path.file_name().unwrap())
                    .as_path()
            )
        );
    }
    let sha = |p: &Path| {
        use sha2::Digest;
        sha2::Sha256::digest(std::fs::read(p).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(loaded.inputs[0].sha256, sha(&paths[0]));
    assert_eq!(
        loaded.inputs[0].size,
        std::fs::metadata(&paths[0]).unwrap().len()
    );

    let opened = open_case(&loaded, &Locate::beside(&path)).unwrap();
    assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
    assert_eq!(fingerprint(&opened.analysis), fingerprint(&analysis));
    assert_eq!(opened.analysis.rules, analysis.rules);
    assert_eq!(opened.triage, case.triage);
    assert_eq!(opened.view, case.view);
    assert_eq!(opened.filter, case.filter);
    let selected = opened.selected.expect("the selected route is found again");
    assert_eq!(
        Some(RouteKey::of(
            &opened.analysis.routes[selected],
            Gazetteer::embedded()
        )),
        case.selection
    );
    assert!(opened.orphans.is_empty());
    assert_eq!(opened.datasets.len(), 2);

    // The case folder moved whole: the inputs are found beside it by their relative paths.
    let moved = dir.path().join("moved");
    std::fs::create_dir(&moved).unwrap();
    std::fs::rename(&data, moved.join("data")).unwrap();
    std::fs::rename(&path, moved.join("investigation.chiptrail")).unwrap();
    let case_path = moved.join("investigation.chiptrail");
    let reopened = open_case(
        &CaseFile::load(&case_path).unwrap(),
        &Locate::beside(&case_path),
    )
    .unwrap();
    assert_eq!(
        fingerprint(&reopened.analysis),
        fingerprint(&analysis),
        "same flags from the moved folder"
    );
    assert!(reopened.inputs[0].path.starts_with(&moved));
}

#[test]
fn a_changed_or_missing_input_is_named_with_why_and_can_be_located() {
    let dir = tempfile::tempdir().unwrap();
    let paths = copy_inputs(dir.path());
    let (case, analysis) = make_case(&paths);
    let path = dir.path().join("case.chiptrail");
    case.save(&path).unwrap();
    let original = std::fs::read(&paths[0]).unwrap();
    // One byte changed, same size: a value 1792000 becomes 1793000.
    let text = String::from_utf8(original.clone()).unwrap();
    let changed = text.replacen("1792000", "1793000", 1);
    assert_eq!(changed.len(), text.len());
    std::fs::write(&paths[0], changed).unwrap();
    std::fs::remove_file(&paths[1]).unwrap();

    let loaded = CaseFile::load(&path).unwrap();
    let problems = open_case(&loaded, &Locate::beside(&path))
        .unwrap_err()
        .problems;
    assert_eq!(problems.len(), 2, "every input is checked: {problems:?}");
    match &problems[0] {
        CaseProblem::Changed {
            path: p,
            expected_sha256,
            found_sha256,
            expected_size,
            found_size,
            ..
        } => {
            assert_eq!(p, &paths[0]);
            assert_ne!(expected_sha256, found_sha256);
            assert_eq!(expected_size, found_size);
        }
        other => panic!("expected a changed input, got {other:?}"),
    }
    let message = problems[0].to_string();
    assert!(
        message.contains("input changed")
            && message.contains("shipments.csv")
            && message.contains("SHA-256")
            && message.contains("same size"),
        "{message}"
    );
    assert!(matches!(&problems[1], CaseProblem::Missing { path: p, .. } if p == &paths[1]));
    let message = problems[1].to_string();
    assert!(
        message.contains("input missing") && message.contains("screening_list.csv"),
        "{message}"
    );
    assert_eq!(problems[1].input(), Some(paths[1].as_path()));

    // Located: the original shipments elsewhere, the list where it was copied from.
    let elsewhere = dir.path().join("elsewhere.csv");
    std::fs::write(&elsewhere, &original).unwrap();
    let locate = Locate::beside(&path)
        .moved(&paths[0], &elsewhere)
        .moved(&paths[1], fixture("scenarios/screening_list.csv"));
    let opened = open_case(&loaded, &locate).unwrap();
    assert_eq!(fingerprint(&opened.analysis), fingerprint(&analysis));
    assert_eq!(
        opened.inputs[0].path, elsewhere,
        "a later save records where it is now"
    );
    // A located file that is not the original is refused too.
    let wrong = Locate::beside(&path)
        .moved(&paths[0], &paths[0])
        .moved(&paths[1], fixture("scenarios/screening_list.csv"));
    let problems = open_case(&loaded, &wrong).unwrap_err().problems;
    assert!(matches!(problems.as_slice(), [CaseProblem::Changed { .. }]));
}

/// The committed fixture case, opened where it lies (its inputs are relative to it).
fn fixture_case() -> (PathBuf, OpenedCase) {
    let path = fixture("cases/two_routes.chiptrail");
    let case = CaseFile::load(&path).unwrap();
    let opened = open_case(&case, &Locate::beside(&path)).unwrap();
    (path, opened)
}

fn report_of(
    opened: &OpenedCase,
    triage: &Triage,
    dir: &Path,
) -> chiptrail::export::report::Written {
    let datasets: Vec<&Dataset> = opened.datasets.iter().collect();
    write_report(
        dir,
        &Report {
            analysis: &opened.analysis,
            datasets: &datasets,
            triage,
            inputs: &opened.inputs,
            made_at: "2026-11-30T08:00:00Z",
            title: "two_routes.chiptrail",
            map_png: None,
        },
    )
    .unwrap()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn the_report_of_a_fixture_case_holds_its_confirmed_route_with_evidence_and_notes() {
    let (_, opened) = fixture_case();
    let g = Gazetteer::embedded();
    let dir = tempfile::tempdir().unwrap();
    let written = report_of(&opened, &opened.triage, dir.path());
    assert_eq!(written.chosen, Chosen::Confirmed);
    assert_eq!(written.routes.len(), 1, "only the confirmed route");
    let route = opened
        .analysis
        .routes
        .iter()
        .find(|r| r.id == written.routes[0])
        .unwrap();
    assert_eq!(route.path_codes(g), "US>SG>CN");
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains(&format!("<h2>{} · US → SG → CN</h2>", route.id)));
    // Every factor that counts, by name, with its evidence.
    for f in route
        .score
        .factors
        .iter()
        .filter(|f| f.weight > 0.0 || f.value > 0.0)
    {
        assert!(
            html.contains(&format!("f_{}", f.indicator)),
            "{}",
            f.indicator
        );
        assert!(
            html.contains(&f.indicator.replace('_', " ")),
            "{}",
            f.indicator
        );
    }
    let fired = route
        .score
        .factors
        .iter()
        .find(|f| f.indicator == "pass_through")
        .unwrap();
    assert!(fired.value > 0.0 && html.contains(&*chiptrail::export::report::esc(&fired.evidence)));
    // The evidence rows with their file and line (the header is line 1).
    assert!(html.contains("CF-1 (shipments.csv line 2)"), "factor rows");
    assert!(html.contains("CF-2<br>shipments.csv line 3"), "legs");
    // Party names and the note: escaped, CJK kept.
    assert!(html.contains("Lion &amp; &lt;Crown&gt; Compute Pte. Ltd."));
    assert!(!html.contains("<Crown>") && !html.contains("<Jade"));
    assert!(
        html.contains("Consignee &lt;Jade &amp; Dragon&gt; is 深圳市玉龙贸易有限公司 — see BoL #4")
    );
    assert!(html.contains("confirmed (set 2026-11-29T10:05:00Z)"));
    // The whole report: inputs with their hashes, rules digest, scorer and time.
    for input in &opened.inputs {
        assert!(html.contains(&input.sha256));
        assert!(html.contains(&format!(">{}<", input.size)));
    }
    assert!(html.contains(&opened.analysis.rules.digest()));
    assert!(html.contains(&format!("Chiptrail {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains("2026-11-30T08:00:00Z"));
    assert!(
        html.contains("leaves it out"),
        "says the map view image is missing"
    );
    assert!(html.contains("<svg class=\"route-map\""));
    // Self-contained: nothing fetched, nothing run.
    for outside in ["<script", "http://", "https://", "<link", "@import"] {
        let n = html.matches(outside).count();
        let allowed = if outside == "http://" { 1 } else { 0 }; // the SVG namespace
        assert_eq!(n, allowed, "{outside}");
    }

    // The legs CSV: one row per leg, with the file and line and the route's factors.
    let (header, rows) = read_csv(&dir.path().join("routes.csv"));
    assert_eq!(rows.len(), 2, "two legs");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows[0][col("route_id")], route.id);
    assert_eq!(rows[0][col("leg")], "1");
    assert_eq!(rows[0][col("shipment_id")], "CF-1");
    assert_eq!(rows[1][col("shipment_id")], "CF-2");
    assert_eq!(rows[1][col("file")], "shipments.csv");
    assert_eq!(rows[1][col("line")], "3");
    assert_eq!(rows[1][col("importer")], "深圳市玉龙贸易有限公司");
    assert_eq!(rows[0][col("unit")], "PCS");
    assert_eq!(rows[0][col("disposition")], "confirmed");
    assert_eq!(rows[0][col("flagged")], "true");
    assert!(header.iter().any(|h| h == "f_pass_through"));
    assert_ne!(rows[0][col("f_pass_through")], "0.000000");
    let geojson: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("routes.geojson")).unwrap())
            .unwrap();
    assert_eq!(
        geojson["features"][0]["properties"]["disposition"],
        "confirmed"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("routes.kml"))
            .unwrap()
            .contains(&route.id)
    );
}

#[test]
fn with_nothing_confirmed_the_report_holds_the_flagged_routes_one_row_per_leg() {
    let (_, opened) = fixture_case();
    let dir = tempfile::tempdir().unwrap();
    let written = report_of(&opened, &Triage::default(), dir.path());
    assert_eq!(written.chosen, Chosen::Flagged);
    assert_eq!(written.routes.len(), 2);
    let (header, rows) = read_csv(&dir.path().join("routes.csv"));
    let legs: usize = opened
        .analysis
        .routes
        .iter()
        .map(|r| r.shipment_ids.len())
        .sum();
    assert_eq!(rows.len(), legs);
    assert_eq!(legs, 5);
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["R000001", "R000001", "R000001", "R000002", "R000002"]);
    let col = header.iter().position(|h| h == "disposition").unwrap();
    assert!(rows.iter().all(|r| r[col] == "open"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("No route is confirmed yet: the 2 flagged routes."));
    assert_eq!(html.matches("<section class=\"route\"").count(), 2);
}

/// Writes `tests/fixtures/cases/two_routes.chiptrail` from the fixture data, with input paths
/// relative to it: `cargo test --test core -- --ignored write_the_case_fixture`.
#[test]
#[ignore = "writes the committed fixture case; run on purpose"]
fn write_the_case_fixture() {
    let paths = [
        fixture("cases/shipments.csv"),
        fixture("scenarios/screening_list.csv"),
    ];
    let (mut case, _) = make_case(&paths);
    // The default rules, so that the fixture reads like a case made in the app.
    let datasets = load_all(&paths);
    let refs: Vec<&Dataset> = datasets.iter().collect();
    let analysis = Analysis::run_all(&refs, &Rules::default(), Gazetteer::embedded());
    let fresh = CaseFile::new(case.inputs.clone(), &analysis, "2026-11-29T10:10:00Z");
    case.rules = fresh.rules;
    case.scorer = fresh.scorer;
    case.results = fresh.results;
    case.saved_at = fresh.saved_at;
    case.triage
        .entries
        .retain(|_, e| e.disposition == Disposition::Confirmed);
    for (input, name) in case
        .inputs
        .iter_mut()
        .zip(["shipments.csv", "../scenarios/screening_list.csv"])
    {
        input.path = PathBuf::from(name);
    }
    let out = fixture("cases/two_routes.chiptrail");
    std::fs::write(&out, case.to_json(&out)).unwrap();
}

#[test]
fn a_corridor_in_a_report_lists_the_country_level_rows_it_sums() {
    let g = Gazetteer::embedded();
    let datasets = load_all(&[fixture("comtrade_small.csv")]);
    let refs: Vec<&Dataset> = datasets.iter().collect();
    let analysis = Analysis::run_all(&refs, &Rules::default(), g);
    let corridor = &analysis.routes[0];
    assert_eq!(corridor.path_codes(g), "AM>RU");
    let inputs = CaseInput::from_datasets(refs.iter().copied(), |_| ReadOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let written = write_report(
        dir.path(),
        &Report {
            analysis: &analysis,
            datasets: &refs,
            triage: &Triage::default(),
            inputs: &inputs,
            made_at: "2026-11-30T08:00:00Z",
            title: "corridor",
            map_png: Some(b"\x89PNG not really"),
        },
    )
    .unwrap();
    assert_eq!(written.routes, std::slice::from_ref(&corridor.id));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Country-level rows"));
    assert!(html.contains("comtrade_small.csv line"));
    assert!(
        html.contains("src=\"data:image/png;base64,iVBORyBub3QgcmVhbGx5\""),
        "the app's map view is embedded in the page"
    );
    assert!(!html.contains("leaves it out"));
    assert_eq!(
        std::fs::read(dir.path().join("map.png")).unwrap(),
        b"\x89PNG not really"
    );
    let (header, rows) = read_csv(&dir.path().join("routes.csv"));
    let RouteKind::Corridor { flows } = &corridor.kind else {
        panic!("a corridor");
    };
    assert_eq!(rows.len(), flows.len(), "one row per country-level row");
    let file = header.iter().position(|h| h == "file").unwrap();
    let line = header.iter().position(|h| h == "line").unwrap();
    assert!(
        rows.iter()
            .all(|r| r[file] == "comtrade_small.csv" && r[line] != "0")
    );
}
