//! `check` and `score` on zipped, gzipped and Excel files, as a user runs them.

use sha2::{Digest, Sha256};

use super::{chiptrail, chiptrail_ok, json, scenario};

#[path = "../support/containers.rs"]
mod support;

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn check_json_on_a_baci_zip_reports_every_year_and_the_code_lists() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("BACI_HS92_V202401.zip");
    let bytes = support::baci_zip();
    std::fs::write(&zip, &bytes).unwrap();
    let zip_arg = zip.to_str().unwrap();
    let v = json(&chiptrail_ok(&["check", zip_arg, "--json"]));
    assert_eq!(v["format"], "baci");
    assert_eq!(v["rows_total"], 6);
    assert_eq!(v["rows_loaded"], 4);
    assert_eq!(v["rows_rejected"], 2);
    let member = |year: u32| format!("{zip_arg}!BACI_HS92_V202401/BACI_HS92_Y{year}_V202401.csv");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    for (e, year) in errors.iter().zip([2021, 2022]) {
        assert_eq!(e["file"], member(year).as_str());
        assert_eq!(e["line"], 4);
        assert_eq!(e["column"], "j");
    }
    assert_eq!(v["archive"]["sha256"], sha(&bytes).as_str());
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], member(2021).as_str());
    assert_eq!(files[0]["rows_loaded"], 2);
    assert_eq!(files[0]["sha256"].as_str().unwrap().len(), 64);
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let text = notes.join("\n");
    assert!(
        text.contains("code lists in the archive: country_codes_V202401.csv"),
        "{text}"
    );
    assert!(
        text.contains("skipped BACI_HS92_V202401/Readme.txt"),
        "{text}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with(&member(2021)) && n.contains("412 Kosovo -> XK")),
        "{text}"
    );

    // The report as a person reads it, and the rejected rows of both years in one file.
    let rejects = dir.path().join("rejects.csv");
    let out = chiptrail_ok(&["check", zip_arg, "--rejects", rejects.to_str().unwrap()]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains(&format!("archive:  {zip_arg}")), "{report}");
    assert!(report.contains("tables:   2"), "{report}");
    assert!(
        report.contains(&format!("file:     {}", member(2022))),
        "{report}"
    );
    let written = std::fs::read_to_string(&rejects).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("file,line,column,reason,t,i,j,k,v,q"));
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(&format!("{},4,j,", member(2021)))
    );
    assert!(lines.next().unwrap().contains("2022,842,530,854231,1,1"));
}

#[test]
fn check_on_an_excel_download_names_the_sheet_and_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("export.xlsx");
    std::fs::write(&book, support::shipments_xlsx()).unwrap();
    let v = json(&chiptrail_ok(&["check", book.to_str().unwrap(), "--json"]));
    assert_eq!(v["format"], "shipments");
    assert_eq!(
        (v["rows_total"].as_u64(), v["rows_loaded"].as_u64()),
        (Some(3), Some(2))
    );
    let e = &v["errors"][0];
    assert_eq!(e["line"], 5);
    assert_eq!(e["column"], "importer_country");
    assert_eq!(e["file"], format!("{}!Shipments", book.display()).as_str());
}

#[test]
fn a_damaged_zip_gets_one_clear_message_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("broken.zip");
    let bytes = support::baci_zip();
    std::fs::write(&zip, &bytes[..bytes.len() / 2]).unwrap();
    let out = chiptrail(&["check", zip.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    let message = v["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("zip archive") && message.contains("truncated or damaged"),
        "{message}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn score_reads_gzipped_files_as_the_files_inside() {
    let dir = tempfile::tempdir().unwrap();
    let mut gzipped = Vec::new();
    for name in ["multi_hop", "legit_distributor_allies"] {
        let path = dir.path().join(format!("{name}.csv.gz"));
        std::fs::write(
            &path,
            support::gzip(&std::fs::read(scenario(name)).unwrap()),
        )
        .unwrap();
        gzipped.push(path.to_str().unwrap().to_string());
    }
    let plain_out = dir.path().join("plain.csv");
    let gz_out = dir.path().join("gz.csv");
    chiptrail_ok(&[
        "score",
        &scenario("multi_hop"),
        &scenario("legit_distributor_allies"),
        "--min-score",
        "0",
        "--out",
        plain_out.to_str().unwrap(),
    ]);
    chiptrail_ok(&[
        "score",
        &gzipped[0],
        &gzipped[1],
        "--min-score",
        "0",
        "--out",
        gz_out.to_str().unwrap(),
    ]);
    let plain = std::fs::read_to_string(&plain_out).unwrap();
    assert!(plain.contains("US>MY>TH>CN"));
    assert_eq!(std::fs::read_to_string(&gz_out).unwrap(), plain);
}
