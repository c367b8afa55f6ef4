//! Tables inside containers (data-formats §2b): a BACI zip with its code lists, a gzipped
//! shipments file, an Excel download with a title above its header, and damaged or random
//! bytes under container names.

use std::path::Path;

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{
    IngestError, Opened, ReadOptions, read_bytes, read_bytes_all, read_path_all,
};
use chiptrail::model::{Dataset, Format};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

#[path = "../support/containers.rs"]
mod support;

use super::{code, fixture};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn all(bytes: &[u8], name: &str) -> Result<Opened, IngestError> {
    read_bytes_all(
        bytes,
        Path::new(name),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
}

fn lines(d: &Dataset) -> Vec<(u64, String)> {
    d.rejects
        .iter()
        .map(|r| (r.line, r.column.clone()))
        .collect()
}

#[test]
fn a_baci_zip_loads_every_year_and_resolves_codes_through_its_country_list() {
    let bytes = support::baci_zip();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("BACI_HS92_V202401.zip");
    std::fs::write(&path, &bytes).unwrap();
    let opened =
        read_path_all(&path, &ReadOptions::default(), Gazetteer::embedded(), None).unwrap();
    // The two year files, in archive order; code lists, readme, PDF and folder are not tables.
    assert_eq!(opened.datasets.len(), 2, "{:?}", opened.notes);
    let (y2021, y2022) = (&opened.datasets[0], &opened.datasets[1]);
    for d in [y2021, y2022] {
        assert_eq!(d.provenance.format, Format::Baci);
        assert_eq!((d.rows_total, d.records.len(), d.rejects.len()), (3, 2, 1));
        let archive = d
            .provenance
            .archive
            .as_ref()
            .expect("the archive is recorded");
        assert_eq!(archive.path, path);
        assert_eq!(archive.sha256, sha(&bytes));
    }
    assert_eq!(
        y2021.provenance.path,
        Path::new(&format!(
            "{}!BACI_HS92_V202401/BACI_HS92_Y2021_V202401.csv",
            path.display()
        ))
    );
    // The member's own hash, which `unzip -p | sha256sum` gives.
    let member = b"t,i,j,k,v,q\n2021,842,156,854231,1500.5,2.1\n2021,842,412,854231,10,NA\n2021,842,999,854231,5,1\n";
    assert_eq!(y2021.provenance.sha256, sha(member));
    // 412 is Kosovo only in the archive's list; the row loads and the note says so.
    let kosovo = y2021.flows().iter().find(|f| f.line == 3).unwrap();
    assert_eq!(code(kosovo.partner), "XK");
    let note = y2021
        .provenance
        .notes
        .iter()
        .find(|n| n.contains("country_codes_V202401.csv"))
        .unwrap_or_else(|| panic!("{:?}", y2021.provenance.notes));
    assert!(note.contains("412 Kosovo -> XK (1 cells)"), "{note}");
    let used_2022 = y2022.provenance.notes.join(" ");
    assert!(
        used_2022.contains("412 Kosovo -> XK (1 cells)"),
        "{used_2022}"
    );
    // Lines are the member's own (the 2022 file has CRLF line ends).
    assert_eq!(lines(y2021), [(4, "j".to_string())]);
    assert!(y2021.rejects[0].message.contains("999"));
    assert_eq!(lines(y2022), [(4, "j".to_string())]);
    assert!(
        y2022.rejects[0]
            .message
            .contains("530 (Netherlands Antilles, ANT) in country_codes_V202401.csv"),
        "{}",
        y2022.rejects[0].message
    );
    // The archive's notes: which code lists it held and used, what it skipped.
    let notes = opened.notes.join("\n");
    assert!(
        notes.contains("code lists in the archive: country_codes_V202401.csv (5 codes"),
        "{notes}"
    );
    assert!(
        notes.contains("product_codes_HS92_V202401.csv (product names"),
        "{notes}"
    );
    assert!(
        notes.contains("skipped BACI_HS92_V202401/Readme.txt: not a table"),
        "{notes}"
    );
    assert!(
        notes.contains("skipped BACI_HS92_V202401/BACI_doc.pdf: not a table (binary data)"),
        "{notes}"
    );
}

#[test]
fn without_its_country_list_a_baci_zip_rejects_the_codes_only_the_list_knew() {
    let zip = support::zip(&[(
        "BACI_HS92_Y2021_V202401.csv",
        Some(
            b"t,i,j,k,v,q\n2021,842,156,854231,1500.5,2.1\n2021,842,412,854231,10,NA\n".as_slice(),
        ),
    )]);
    let d = read_bytes(
        &zip,
        Path::new("baci.zip"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    assert_eq!(d.records.len(), 1);
    assert_eq!(lines(&d), [(3, "j".to_string())]);
    assert!(
        d.provenance
            .notes
            .iter()
            .all(|n| !n.contains("country_codes"))
    );
}

#[test]
fn read_bytes_wants_one_table_and_read_bytes_all_gives_each() {
    let err = read_bytes(
        &support::baci_zip(),
        Path::new("baci.zip"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, IngestError::SeveralTables { count: 2, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("BACI_HS92_V202401/BACI_HS92_Y2022_V202401.csv")
    );
}

#[test]
fn a_zip_without_tables_says_what_it_holds() {
    let zip = support::zip(&[
        ("readme.txt", Some(b"nothing to see\n".as_slice())),
        (
            "logo.png",
            Some(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice()),
        ),
    ]);
    let err = all(&zip, "docs.zip").unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, IngestError::NoTable { .. }), "{message}");
    assert!(message.contains("readme.txt: not a table"), "{message}");
    assert!(
        message.contains("logo.png: not a table (binary data)"),
        "{message}"
    );
    // A zipped CSV alone gets the CSV's own message, naming the member.
    let zip = support::zip(&[("data.csv", Some(b"foo,bar\n1,2\n".as_slice()))]);
    let err = all(&zip, "data.zip").unwrap_err();
    assert!(err.needs_mapping(), "{err}");
    assert!(
        err.to_string()
            .starts_with("data.csv: the header is not a trade table"),
        "{err}"
    );
    // An empty archive.
    let err = all(&support::zip(&[]), "empty.zip").unwrap_err();
    assert!(err.to_string().contains("it is empty"), "{err}");
}

#[test]
fn a_gzipped_file_reads_as_the_file_inside() {
    let plain = std::fs::read(fixture("vendor_bol.csv")).unwrap();
    let gz = support::gzip(&plain);
    let o = ReadOptions::default();
    let g = Gazetteer::embedded();
    // The name decides nothing: detection is by content.
    let d = read_bytes(&gz, Path::new("bol.data"), &o, g, None).unwrap();
    let want = read_bytes(&plain, Path::new("bol.csv"), &o, g, None).unwrap();
    assert_eq!(d.provenance.format, Format::Shipments);
    assert_eq!(d.shipments(), want.shipments());
    assert_eq!(d.rejects, want.rejects);
    assert_eq!(d.provenance.path, Path::new("bol.data"));
    assert_eq!(d.provenance.sha256, sha(&plain));
    assert_eq!(d.provenance.archive.as_ref().unwrap().sha256, sha(&gz));
    assert_eq!(d.provenance.encoding, "utf-8 (BOM) (gzip)");
    // A gzip inside a zip still comes out.
    let nested = support::zip(&[("inner.csv.gz", Some(gz.as_slice()))]);
    let d = read_bytes(&nested, Path::new("outer.zip"), &o, g, None).unwrap();
    assert_eq!(d.provenance.path, Path::new("outer.zip!inner.csv.gz"));
    assert_eq!(d.rows_total, want.rows_total);
}

#[test]
fn an_excel_download_reads_from_its_header_row_with_sheet_row_numbers() {
    let bytes = support::shipments_xlsx();
    let d = read_bytes(
        &bytes,
        Path::new("export.xlsx"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.provenance.format, Format::Shipments);
    assert_eq!(d.provenance.path, Path::new("export.xlsx!Shipments"));
    assert_eq!(d.provenance.sha256, sha(&bytes));
    assert_eq!(d.provenance.encoding, "xlsx");
    let notes = d.provenance.notes.join("\n");
    assert!(
        notes.contains("read sheet 'Shipments', header on row 3"),
        "{notes}"
    );
    assert!(notes.contains("other sheets not read: 'Notes'"), "{notes}");
    assert_eq!(d.rows_total, 3);
    let s = d.shipments();
    assert_eq!(s.len(), 2);
    // Row numbers as the sheet shows them; dates from date cells and text alike.
    assert_eq!((&*s[0].id, s[0].line), ("S1", 4));
    assert_eq!(s[0].date.to_string(), "2024-03-15");
    assert_eq!(s[0].value_usd, 1234.5);
    assert_eq!(s[0].hs_code.to_string(), "854231");
    assert_eq!(s[0].quantity, 64.0);
    assert_eq!((&*s[1].id, s[1].line), ("S3", 7));
    assert_eq!(s[1].date.to_string(), "2024-04-01");
    assert_eq!(s[1].value_usd, 0.3);
    assert_eq!(lines(&d), [(5, "importer_country".to_string())]);
    assert!(d.rejects[0].message.contains("Atlantis"));
    // Rejected rows keep their fields as text for writing back out.
    assert_eq!(d.rejects[0].fields[1], "2024-03-29");
    assert_eq!(d.rejects[0].fields[8], "2048000.5");
}

#[test]
fn a_workbook_without_a_known_header_names_its_sheets() {
    use support::Cell::Text;
    let book = support::xlsx(&[
        ("Summary", vec![(2, vec![Text("Total"), Text("12")])]),
        (
            "Data",
            vec![(
                1,
                vec![Text("Remitente"), Text("Destinatario"), Text("Fecha")],
            )],
        ),
    ]);
    let err = all(&book, "book.xlsx").unwrap_err();
    let message = err.to_string();
    assert!(err.needs_mapping(), "{message}");
    assert!(
        message.contains("sheet 'Summary' has no header"),
        "{message}"
    );
    assert!(
        message.contains("sheet 'Data' has no header Chiptrail knows in its first 20 rows (row 1: 3 column(s): 'Remitente'"),
        "{message}"
    );
    // The mapping dialog sees the fullest first row.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    std::fs::write(&path, &book).unwrap();
    let (header, _) = chiptrail::ingest::peek_header(&path).unwrap();
    assert_eq!(header, ["Total", "12"]);
}

#[test]
fn damaged_containers_get_one_file_level_message() {
    let cases: [(&str, Vec<u8>); 4] = [
        ("baci.zip", support::baci_zip()),
        ("export.xlsx", support::shipments_xlsx()),
        (
            "bol.csv.gz",
            support::gzip(&std::fs::read(fixture("vendor_bol.csv")).unwrap()),
        ),
        ("old.xls", {
            let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
            b.extend([0u8; 100]);
            b
        }),
    ];
    for (name, bytes) in cases {
        let cut = &bytes[..bytes.len() * 2 / 3];
        let err = all(cut, name).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, IngestError::Corrupt { .. }) && message.contains("truncated or damaged"),
            "{name}: {message}"
        );
    }
}

fn mutated() -> impl Strategy<Value = (usize, Vec<u8>)> {
    let sources = [
        support::baci_zip(),
        support::shipments_xlsx(),
        support::gzip(b"t,i,j,k,v,q\n2021,842,156,854231,1500.5,2.1\n"),
    ];
    (
        0..sources.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        any::<prop::sample::Index>(),
    )
        .prop_map(move |(k, flips, cut)| {
            let mut bytes = sources[k].clone();
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] ^= b | 1;
            }
            let keep = bytes.len() / 2 + cut.index(bytes.len() / 2 + 1);
            bytes.truncate(keep);
            (k, bytes)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_under_container_names_never_panic(
        magic in prop_oneof![
            Just(b"PK\x03\x04".to_vec()),
            Just(b"PK\x05\x06".to_vec()),
            Just(vec![0x1F, 0x8B, 0x08, 0x00]),
            Just(vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
            Just(Vec::new()),
        ],
        tail in prop::collection::vec(any::<u8>(), 0..2048),
        name in prop_oneof![Just("x.zip"), Just("x.csv.gz"), Just("x.xlsx"), Just("x.xls")],
    ) {
        let mut bytes = magic;
        bytes.extend(tail);
        let _ = all(&bytes, name);
        let _ = read_bytes(&bytes, Path::new(name), &ReadOptions::default(), Gazetteer::embedded(), None);
    }

    #[test]
    fn damaged_archives_never_panic_and_account_for_every_row((k, bytes) in mutated()) {
        let name = ["x.zip", "x.xlsx", "x.gz"][k];
        if let Ok(opened) = all(&bytes, name) {
            for d in &opened.datasets {
                prop_assert_eq!(d.records.len() + d.rejects.len(), d.rows_total);
            }
        }
    }
}
