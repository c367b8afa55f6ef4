//! `chiptrail report CASE --out DIR` and `chiptrail open CASE`, as a user runs them, and the
//! report printed to PDF by a real browser (headless Chromium).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{chiptrail, chiptrail_ok, fixture, no_temporaries_left};

const AT: &str = "2026-11-30T08:00:00Z";

/// The fixture case rewritten into `dir` with its inputs given by absolute paths, and `edit`
/// applied to it (a case written elsewhere reads its relative inputs from its own folder).
fn case_copy(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("cases/two_routes.chiptrail")).unwrap(),
    )
    .unwrap();
    for input in v["inputs"].as_array_mut().unwrap() {
        let relative = input["path"].as_str().unwrap().to_string();
        let absolute = fixture("cases").join(relative);
        input["path"] = serde_json::json!(absolute.canonicalize().unwrap());
    }
    edit(&mut v);
    let path = dir.join("copy.chiptrail");
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    path
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn report_writes_the_evidence_folder_of_the_confirmed_routes() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("report");
    let case = fixture("cases/two_routes.chiptrail");
    let out = chiptrail_ok(&[
        "report",
        case.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--at",
        AT,
    ]);
    let said = stderr(&out);
    assert!(said.contains("1 confirmed route in the report"), "{said}");
    for name in ["report.html", "routes.csv", "routes.geojson", "routes.kml"] {
        assert!(out_dir.join(name).is_file(), "{name}");
    }
    assert!(
        !out_dir.join("map.png").exists(),
        "the command line has no map view"
    );
    no_temporaries_left(&out_dir);
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        html.contains("<h2>R000002 · US → SG → CN</h2>"),
        "the confirmed route"
    );
    assert!(
        !html.contains("id=\"R000001\""),
        "the other route is not confirmed"
    );
    assert!(html.contains(AT));
    // The same case and time give the same report, byte for byte.
    let again = dir.path().join("again");
    chiptrail_ok(&[
        "report",
        case.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--at",
        AT,
    ]);
    for name in ["report.html", "routes.csv", "routes.geojson", "routes.kml"] {
        assert_eq!(
            std::fs::read(out_dir.join(name)).unwrap(),
            std::fs::read(again.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn report_names_a_changed_input_and_takes_where_a_moved_one_is() {
    let dir = tempfile::tempdir().unwrap();
    let shipments = dir.path().join("shipments.csv");
    let text = std::fs::read_to_string(fixture("cases/shipments.csv")).unwrap();
    std::fs::write(&shipments, text.replacen("Siam", "Siem", 1)).unwrap();
    let recorded = shipments.clone();
    let case = case_copy(dir.path(), |v| {
        v["inputs"][0]["path"] = serde_json::json!(recorded);
    });
    let out_dir = dir.path().join("report");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "report",
            case.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        chiptrail(&refs)
    };
    let out = run(args(&[]));
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.contains("input changed")
            && said.contains(shipments.to_str().unwrap())
            && said.contains("same size, but SHA-256"),
        "{said}"
    );
    assert!(!out_dir.exists(), "nothing is written from changed data");
    let locate = format!(
        "{}={}",
        shipments.display(),
        fixture("cases/shipments.csv").display()
    );
    let out = run(args(&["--locate", &locate]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out_dir.join("report.html").is_file());
}

#[test]
fn open_checks_a_case_before_any_window_opens() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.chiptrail");
    std::fs::write(&broken, "{\"format\": \"chiptrail-case\", \"version\": 1,").unwrap();
    let out = chiptrail(&["open", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not valid JSON at line"),
        "{}",
        stderr(&out)
    );
    let case = fixture("cases/two_routes.chiptrail");
    let data = fixture("cases/shipments.csv");
    let out = chiptrail(&["open", case.to_str().unwrap(), data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("opens on its own"),
        "{}",
        stderr(&out)
    );
}

/// Runs a program we started, killing it when it takes longer than `limit`.
fn run_for(cmd: &mut Command, limit: Duration) -> std::process::ExitStatus {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the program starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn the_report_prints_to_pdf_one_route_per_page_in_a_real_browser() {
    if !installed("chromium") {
        println!(
            "SKIPPED the_report_prints_to_pdf_one_route_per_page_in_a_real_browser: chromium is not installed (apt-get install chromium poppler-utils; .ci/run installs both)"
        );
        return;
    }
    for tool in ["pdfinfo", "pdftotext"] {
        assert!(
            installed(tool),
            "{tool} is needed to read the PDF: apt-get install poppler-utils"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    // Nothing confirmed: the report holds both flagged routes.
    let case = case_copy(dir.path(), |v| {
        v["triage"] = serde_json::json!({});
    });
    let out_dir = dir.path().join("report");
    let out = chiptrail_ok(&[
        "report",
        case.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--at",
        AT,
    ]);
    assert!(stderr(&out).contains("2 flagged"), "{}", stderr(&out));
    let pdf = dir.path().join("report.pdf");
    let profile = dir.path().join("chromium-profile");
    let status = run_for(
        Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", out_dir.join("report.html").display())),
        Duration::from_secs(180),
    );
    assert!(status.success(), "chromium: {status}");
    let bytes = std::fs::read(&pdf).expect("chromium wrote the PDF");
    assert!(bytes.starts_with(b"%PDF"));
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"));
    // The summary, then each route from a page of its own.
    assert!(pages > 2, "{pages} pages for 2 routes");
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for id in ["R000001", "R000002"] {
        assert!(
            text.contains(&format!("{id} · US")),
            "{id} heads its page: {text}"
        );
    }
    assert!(text.contains("Score breakdown") && text.contains("pass through"));
    // Each route starts a page: its heading is on a page that begins after a form feed.
    let page_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\u{c}').count();
    assert_ne!(page_of("R000001 · US"), page_of("R000002 · US"));
    assert_ne!(page_of("Input files"), page_of("R000001 · US"));
}
