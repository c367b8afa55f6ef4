//! The command-line face: the `check` and `sample` contracts, run as a user runs them.

mod containers;
mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn chiptrail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiptrail"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the binary and asserts that it succeeded, showing its error output otherwise.
fn chiptrail_ok(args: &[&str]) -> Output {
    let out = chiptrail(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn check_json_follows_the_contract_with_one_error_per_rejected_row() {
    let out = chiptrail(&[
        "check",
        fixture("vendor_bol.csv").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["format"], "shipments");
    assert_eq!(v["rows_total"], 16);
    assert_eq!(v["rows_loaded"], 9);
    assert_eq!(v["rows_rejected"], 7);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 7);
    let lines: Vec<u64> = errors.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [11, 12, 13, 14, 15, 16, 17]);
    assert_eq!(errors[0]["column"], "exporter_country");
    assert!(errors[0]["message"].as_str().unwrap().contains("Atlantis"));
    // The keys come in the contract's order.
    let text = String::from_utf8_lossy(&out.stdout);
    let order: Vec<usize> = [
        "\"format\"",
        "\"rows_total\"",
        "\"rows_loaded\"",
        "\"rows_rejected\"",
        "\"errors\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn check_reports_formats_it_detects_and_forces() {
    for (file, format, loaded) in [
        ("comtrade_small.csv", "comtrade", 10),
        ("baci_small.csv", "baci", 6),
        ("screening_small.csv", "watchlist", 2),
        ("semicolon_cp1252.csv", "shipments", 3),
    ] {
        let out = chiptrail(&["check", fixture(file).to_str().unwrap(), "--json"]);
        let v = json(&out);
        assert_eq!(
            (
                v["format"].as_str().unwrap(),
                v["rows_loaded"].as_u64().unwrap()
            ),
            (format, loaded),
            "{file}"
        );
    }
    let out = chiptrail(&[
        "check",
        fixture("vendor_bol.csv").to_str().unwrap(),
        "--format",
        "comtrade",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reporterCode"));
}

#[test]
fn check_recognises_licences_and_reports_their_rejected_row() {
    let file = fixture("licences_small.csv");
    let v = json(&chiptrail_ok(&["check", file.to_str().unwrap(), "--json"]));
    assert_eq!(v["format"], "licences");
    assert_eq!(v["rows_total"], 5);
    assert_eq!(v["rows_loaded"], 4);
    assert_eq!(v["rows_rejected"], 1);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 5);
    assert_eq!(errors[0]["column"], "valid_to");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("before valid_from"),
        "{v}"
    );
    // `--format licences` forces the reader: the same file loads, a shipments file is refused
    // with the licence columns it lacks.
    let v = json(&chiptrail_ok(&[
        "check",
        file.to_str().unwrap(),
        "--format",
        "licences",
        "--json",
    ]));
    assert_eq!(
        (v["format"].as_str(), v["rows_loaded"].as_u64()),
        (Some("licences"), Some(4))
    );
    let out = chiptrail(&[
        "check",
        fixture("vendor_bol.csv").to_str().unwrap(),
        "--format",
        "licences",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("licence_id"));
}

#[test]
fn exit_codes_say_whether_anything_loaded() {
    let out = chiptrail(&[
        "check",
        fixture("all_rejected.csv").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["rows_rejected"], 2);

    let dir = tempfile::tempdir().unwrap();
    let noise: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    let bin = dir.path().join("noise.csv");
    std::fs::write(&bin, &noise).unwrap();
    let out = chiptrail(&["check", bin.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
    let out = chiptrail(&["check", bin.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        json(&out)["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not text")
    );

    let out = chiptrail(&["check", fixture("unknown_header.csv").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'colour'"));
}

#[test]
fn rejects_file_keeps_original_fields_and_is_spreadsheet_safe() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("rejects.csv");
    let input = fixture("formula_party.csv");
    let before = std::fs::read(&input).unwrap();
    let out = chiptrail(&[
        "check",
        input.to_str().unwrap(),
        "--rejects",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "input files are never modified"
    );
    let mut reader = csv::Reader::from_path(&out_path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(&header[..4], ["line", "column", "reason", "date"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "2");
    assert_eq!(&rows[0][1], "importer_country");
    assert_eq!(
        &rows[0][4], "'=HYPERLINK(\"http://evil\")",
        "formula neutralised"
    );

    let out_path = dir.path().join("vendor_rejects.csv");
    chiptrail_ok(&[
        "check",
        fixture("vendor_bol.csv").to_str().unwrap(),
        "--rejects",
        out_path.to_str().unwrap(),
    ]);
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&out_path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(
        &rows[1][13], "-$5,000.00",
        "a negative amount is kept as written"
    );
}

#[test]
fn mapping_files_map_and_bad_keys_are_named_with_their_line() {
    let out = chiptrail(&[
        "check",
        fixture("custom_header.csv").to_str().unwrap(),
        "--mapping",
        fixture("custom_header.toml").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["rows_loaded"], 1);
    let out = chiptrail(&[
        "check",
        fixture("custom_header.csv").to_str().unwrap(),
        "--mapping",
        fixture("bad_mapping.toml").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exportr_country") && err.contains("line 3"),
        "{err}"
    );
}

#[test]
fn sample_is_deterministic_and_loads_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for d in [&a, &b] {
        chiptrail_ok(&[
            "sample",
            "--rows",
            "2000",
            "--seed",
            "42",
            "--out",
            d.to_str().unwrap(),
        ]);
    }
    for f in ["shipments.csv", "labels.csv", "screening_list.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let out = chiptrail(&["check", a.join("shipments.csv").to_str().unwrap(), "--json"]);
    let v = json(&out);
    assert_eq!(v["rows_rejected"], 0);
    assert!(v["rows_loaded"].as_u64().unwrap() >= 2000);
    let labels = std::fs::read_to_string(a.join("labels.csv")).unwrap();
    assert!(labels.starts_with("shipment_id,label,pattern,scheme_id\n"));
    assert!(labels.contains(",diversion,") && labels.contains(",legitimate,"));
    no_temporaries_left(&a);
}

fn no_temporaries_left(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
}

#[test]
fn help_lists_the_subcommands() {
    // With no arguments the binary opens the map app, so the test asks for help instead.
    let out = chiptrail(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["check", "score", "evaluate", "sample", "open", "report"] {
        assert!(text.contains(sub), "{sub}: {text}");
    }
}

fn scenario(name: &str) -> String {
    fixture(&format!("scenarios/{name}.csv"))
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn score_writes_the_contract_columns_and_only_flagged_routes_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("routes.csv");
    chiptrail_ok(&[
        "score",
        &scenario("multi_hop"),
        &scenario("legit_distributor_allies"),
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        &header[..11],
        [
            "route_id",
            "score",
            "flagged",
            "path",
            "parties",
            "shipment_ids",
            "first_date",
            "last_date",
            "quantity",
            "value_usd",
            "reasons"
        ]
    );
    assert_eq!(&header[11..13], ["basis", "licences"]);
    assert!(
        header[13..].iter().all(|h| h.starts_with("f_")) && header.len() >= 23,
        "{header:?}"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "only the flagged route");
    assert_eq!(&rows[0][2], "true");
    assert_eq!(&rows[0][3], "US>MY>TH>CN");
    assert_eq!(
        &rows[0][4],
        "Pacific Crest Systems Inc. > Klang Data Sdn. Bhd. > Siam Server Co. Ltd. > Pearl River Compute Co. Ltd."
    );
    assert_eq!(&rows[0][5], "MH-1;MH-2;MH-3");
    assert_eq!((&rows[0][6], &rows[0][7]), ("2024-05-02", "2024-05-30"));
    assert!(!rows[0][10].is_empty());

    let all = dir.path().join("all.csv");
    chiptrail_ok(&[
        "score",
        &scenario("multi_hop"),
        &scenario("legit_distributor_allies"),
        "--min-score",
        "0",
        "--out",
        all.to_str().unwrap(),
    ]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&all)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert!(rows.len() >= 2);
    let scores: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "highest score first"
    );
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    assert!(rows.iter().any(|r| &r[3] == "US>SG>AU" && &r[2] == "false"));
}

#[test]
fn score_output_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("s");
    chiptrail_ok(&[
        "sample",
        "--rows",
        "3000",
        "--seed",
        "9",
        "--out",
        sample.to_str().unwrap(),
    ]);
    let input = sample.join("shipments.csv");
    let list = sample.join("screening_list.csv");
    let run = |n: &str| {
        let csv = dir.path().join(format!("{n}.csv"));
        let geo = dir.path().join(format!("{n}.geojson"));
        let kml = dir.path().join(format!("{n}.kml"));
        chiptrail_ok(&[
            "score",
            input.to_str().unwrap(),
            "--watchlist",
            list.to_str().unwrap(),
            "--min-score",
            "0",
            "--out",
            csv.to_str().unwrap(),
            "--geojson",
            geo.to_str().unwrap(),
            "--kml",
            kml.to_str().unwrap(),
        ]);
        [
            std::fs::read(csv).unwrap(),
            std::fs::read(geo).unwrap(),
            std::fs::read(kml).unwrap(),
        ]
    };
    assert_eq!(run("a"), run("b"));
}

#[test]
fn a_rules_file_overrides_and_a_misspelt_key_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.csv");
    let strict = dir.path().join("strict.toml");
    std::fs::write(&strict, "[scoring]\nflag_threshold = 0.99\n").unwrap();
    chiptrail_ok(&[
        "score",
        &scenario("multi_hop"),
        "--rules",
        strict.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        csv::Reader::from_path(&out).unwrap().records().count(),
        0,
        "nothing reaches 0.99"
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[scoring]\nflag_threshold = 0.6\n\n[routes]\nwindow_dayz = 30\n",
    )
    .unwrap();
    let o = chiptrail(&[
        "score",
        &scenario("multi_hop"),
        "--rules",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("routes.window_dayz") && err.contains("line 5"),
        "{err}"
    );
}

#[test]
fn evaluate_reads_what_score_writes() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("s");
    chiptrail_ok(&[
        "sample",
        "--rows",
        "3000",
        "--seed",
        "4",
        "--out",
        sample.to_str().unwrap(),
    ]);
    let routes = dir.path().join("routes.csv");
    chiptrail_ok(&[
        "score",
        sample.join("shipments.csv").to_str().unwrap(),
        "--min-score",
        "0",
        "--out",
        routes.to_str().unwrap(),
    ]);
    let o = chiptrail(&[
        "evaluate",
        routes.to_str().unwrap(),
        "--labels",
        sample.join("labels.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    let ap: f64 = text
        .lines()
        .find(|l| l.starts_with("average precision"))
        .unwrap()
        .split(':')
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(ap > 0.9, "{text}");
}

/// GDAL reads the GeoJSON and KML exports with one feature per route. CI installs `gdal-bin`;
/// elsewhere the test says it was skipped.
#[test]
fn geojson_and_kml_open_in_gdal_with_one_feature_per_route() {
    if Command::new("ogrinfo").arg("--version").output().is_err() {
        assert!(std::env::var("CI").is_err(), "CI must install gdal-bin");
        eprintln!("ogrinfo not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, geo, kml) = (
        dir.path().join("r.csv"),
        dir.path().join("r.geojson"),
        dir.path().join("r.kml"),
    );
    // A trans-Pacific route crosses the antimeridian: US vendor to a Taiwanese buyer.
    let input = dir.path().join("pacific.csv");
    std::fs::write(
        &input,
        "date,exporter,exporter_country,importer,importer_country,hs_code,description,quantity,value_usd\n\
         2024-01-02,Pacific Crest Systems Inc.,US,Formosa Board Co. Ltd.,TW,854231,NVIDIA H100 GPU,8,224000\n",
    )
    .unwrap();
    chiptrail_ok(&[
        "score",
        &scenario("multi_hop"),
        &scenario("structuring"),
        input.to_str().unwrap(),
        "--min-score",
        "0",
        "--out",
        csv_path.to_str().unwrap(),
        "--geojson",
        geo.to_str().unwrap(),
        "--kml",
        kml.to_str().unwrap(),
    ]);
    let routes = csv::Reader::from_path(&csv_path).unwrap().records().count();
    for (file, multi) in [(&geo, "MULTILINESTRING"), (&kml, "MULTILINESTRING")] {
        let info = Command::new("ogrinfo")
            .args(["-ro", "-al", "-so"])
            .arg(file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.status.success(),
            "{}",
            String::from_utf8_lossy(&info.stderr)
        );
        assert!(
            text.contains(&format!("Feature Count: {routes}")),
            "{file:?}: {text}"
        );
        let full = Command::new("ogrinfo")
            .args(["-ro", "-al"])
            .arg(file)
            .output()
            .unwrap();
        let full = String::from_utf8_lossy(&full.stdout);
        assert!(
            full.contains(multi),
            "{file:?}: the trans-Pacific route is split at the antimeridian"
        );
        assert!(full.contains("US>MY>TH>CN"), "{file:?}");
    }
}

#[test]
fn check_and_score_say_which_level_of_a_comtrade_file_they_kept() {
    let file = fixture("comtrade_levels.csv");
    let v = json(&chiptrail_ok(&["check", file.to_str().unwrap(), "--json"]));
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("corridors: 4 rows make the corridor values")
                && n.contains("7 rows by mode of transport beside motCode 0")),
        "{notes:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out_csv = dir.path().join("routes.csv");
    let out = chiptrail_ok(&[
        "score",
        file.to_str().unwrap(),
        "--min-score",
        "0",
        "--out",
        out_csv.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("note: comtrade_levels.csv: corridors: 4 rows make the corridor values"),
        "{stderr}"
    );
    let routes = std::fs::read_to_string(&out_csv).unwrap();
    assert_eq!(routes.lines().count(), 2, "one corridor: {routes}");
    assert!(routes.contains(",US>KZ,"), "{routes}");
}

#[test]
fn check_names_the_legacy_wits_and_entity_list_formats() {
    for (file, format, total, loaded) in [
        ("comtrade_legacy_35.csv", "comtrade_legacy", 18, 16),
        ("comtrade_legacy_12.csv", "comtrade_legacy", 7, 7),
        ("wits_small.csv", "wits", 10, 9),
        ("opensanctions_simple.csv", "opensanctions", 4, 3),
        ("opensanctions_old.csv", "opensanctions", 2, 2),
        ("entity_list_plain.csv", "entity_list", 6, 5),
        ("comtrade_services_mixed.csv", "comtrade", 2, 2),
    ] {
        let v = json(&chiptrail_ok(&[
            "check",
            fixture(file).to_str().unwrap(),
            "--json",
        ]));
        assert_eq!(
            (
                v["format"].as_str().unwrap(),
                v["rows_total"].as_u64().unwrap(),
                v["rows_loaded"].as_u64().unwrap()
            ),
            (format, total, loaded),
            "{file}"
        );
        let errors = v["errors"].as_array().unwrap().len() as u64;
        assert_eq!(errors, total - loaded, "{file}: one error per rejected row");
    }
    // WITS groups are notes, not errors.
    let v = json(&chiptrail_ok(&[
        "check",
        fixture("wits_small.csv").to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(v["errors"][0]["column"], "PartnerISO3");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("groups, not countries") && notes.contains("ASEAN"),
        "{notes}"
    );
    // The new names are accepted by --format.
    for (file, format) in [
        ("comtrade_legacy_12.csv", "comtrade_legacy"),
        ("wits_small.csv", "wits"),
        ("opensanctions_old.csv", "opensanctions"),
        ("entity_list_plain.csv", "entity_list"),
    ] {
        let v = json(&chiptrail_ok(&[
            "check",
            fixture(file).to_str().unwrap(),
            "--format",
            format,
            "--json",
        ]));
        assert_eq!(v["format"], format);
    }
}

#[test]
fn check_says_what_a_file_is_when_it_is_not_goods_in_hs_or_not_a_table() {
    for (file, says) in [
        ("comtrade_legacy_sitc.csv", "SITC Rev. 3 (S3)"),
        ("comtrade_api_error.csv", "invalid subscription key"),
    ] {
        let out = chiptrail(&["check", fixture(file).to_str().unwrap(), "--json"]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let v = json(&out);
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{file}: one message, not one per row");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{file}: {message}");
    }
}

#[test]
fn score_takes_opensanctions_and_plain_entity_lists_as_watchlists() {
    let dir = tempfile::tempdir().unwrap();
    let shipments = fixture("scenarios/screening_hit.csv");
    for list in [
        fixture("scenarios/screening_list.csv"),
        fixture("opensanctions_simple.csv"),
        fixture("entity_list_plain.csv"),
    ] {
        let out_csv = dir.path().join("routes.csv");
        chiptrail_ok(&[
            "score",
            shipments.to_str().unwrap(),
            "--watchlist",
            list.to_str().unwrap(),
            "--min-score",
            "0",
            "--out",
            out_csv.to_str().unwrap(),
        ]);
        let routes = std::fs::read_to_string(&out_csv).unwrap();
        let mut reader = csv::Reader::from_reader(routes.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = header
            .iter()
            .position(|h| h == "f_screening_match")
            .unwrap();
        let hit = reader
            .records()
            .map(|r| r.unwrap()[col].parse::<f64>().unwrap())
            .fold(0.0, f64::max);
        assert!(hit > 0.0, "{list:?}: {routes}");
    }
}

#[test]
fn a_national_extract_without_its_country_says_how_to_give_it_and_loads_with_values() {
    let file = fixture("kr_import_declarations.csv");
    let out = chiptrail(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no importer_country column")
            && err.contains("[values]")
            && err.contains("importer_country = \"KR\"")
            && err.contains("--mapping"),
        "{err}"
    );
    let out = chiptrail_ok(&[
        "check",
        file.to_str().unwrap(),
        "--mapping",
        fixture("kr_import_declarations.toml").to_str().unwrap(),
        "--json",
    ]);
    let report = json(&out);
    assert_eq!(report["rows_loaded"], 3);
    assert_eq!(report["rows_rejected"], 1);
    assert_eq!(report["errors"][0]["column"], "quantity");
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(
        notes.contains(&"importer_country = KR for every row")
            && notes
                .contains(&"no piece count: quantities are net mass in kg; unit values are per kg"),
        "{notes:?}"
    );
    // The text report shows the fixed value too.
    let out = chiptrail_ok(&[
        "check",
        file.to_str().unwrap(),
        "--mapping",
        fixture("kr_import_declarations.toml").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("importer_country = KR for every row"),
        "{text}"
    );
    let out = chiptrail(&[
        "check",
        file.to_str().unwrap(),
        "--mapping",
        fixture("bad_values.toml").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("importer_contry") && err.contains("line 3"),
        "{err}"
    );
}
