use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{DateOrder, IngestError, Mapping, ReadOptions, read_bytes, read_path};
use chiptrail::model::{Date, FlowDirection, Format, HsCode, Period, TransportMode};
use proptest::prelude::*;
use std::path::Path;

use super::{code, fixture, load};

#[test]
fn vendor_bill_of_lading_loads_every_good_row_and_rejects_exactly_the_broken_ones() {
    let d = load("vendor_bol.csv");
    assert_eq!(d.provenance.format, Format::Shipments);
    assert_eq!(d.provenance.encoding, "utf-8 (BOM)");
    assert_eq!(d.rows_total, 16);
    assert_eq!(d.shipments().len(), 9);
    let rejected: Vec<(u64, &str)> = d
        .rejects
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(
        rejected,
        vec![
            (11, "exporter_country"),
            (12, "value_usd"),
            (13, "date"),
            (14, "importer"),
            (15, "quantity"),
            (16, "hs_code"),
            (17, "*"),
        ]
    );
    // Rejected rows keep their fields as written, for the rejects file.
    assert_eq!(d.rejects[0].fields[3], "Atlantis");
    assert_eq!(d.rejects[6].fields.len(), 6);

    let first = &d.shipments()[0];
    assert_eq!(first.id, "MEDU1000001");
    assert_eq!(first.line, 2);
    assert_eq!(first.date, Date::from_ymd(2024, 3, 15).unwrap());
    assert_eq!(first.value_usd, 1_856_000.0);
    assert_eq!(first.hs_code, HsCode::parse("8542310040").unwrap());
    assert_eq!(first.transport_mode, Some(TransportMode::Air));
    assert_eq!(code(first.exporter_country), "US");
    assert_eq!(first.port_of_discharge.as_deref(), Some("SGSIN"));

    // The quoted description with a comma, quotes and a newline survives, and the row after it
    // is numbered by the line it starts on.
    let multi = d
        .shipments()
        .iter()
        .find(|s| s.id == "MEDU1000004")
        .unwrap();
    assert_eq!(
        multi.description,
        "GPU accelerator, \"Tensor Core\", 80GB\nboxed"
    );
    assert_eq!(multi.value_usd, 512_000.0);
    assert_eq!(
        d.shipments()
            .iter()
            .find(|s| s.id == "MEDU1000005")
            .unwrap()
            .line,
        7
    );

    // Country spellings: names, alpha-3, variants.
    let countries: Vec<String> = d
        .shipments()
        .iter()
        .map(|s| code(s.importer_country))
        .collect();
    assert_eq!(
        countries,
        ["SG", "CN", "TH", "KG", "AM", "RU", "VN", "GE", "SG"]
    );
    let exporters: Vec<String> = d
        .shipments()
        .iter()
        .map(|s| code(s.exporter_country))
        .collect();
    assert_eq!(
        exporters,
        ["US", "SG", "MY", "AE", "HK", "AM", "KR", "TR", "US"]
    );
    assert_eq!(d.shipments()[6].quantity, 20_000.0);

    // `Lion City Compute Pte. Ltd.` and `LION CITY COMPUTE PTE LTD` are one party.
    let lion_in = d.shipments()[0].importer;
    let lion_out = d.shipments()[1].exporter;
    assert_eq!(lion_in, lion_out);
    let party = d.party(lion_in).unwrap();
    assert_eq!(party.display_name(), "Lion City Compute Pte. Ltd.");
    assert_eq!(
        party.names,
        ["Lion City Compute Pte. Ltd.", "LION CITY COMPUTE PTE LTD"]
    );
    // Ararat Tech imports, then exports: one party in Armenia.
    assert_eq!(d.shipments()[4].importer, d.shipments()[5].exporter);
}

#[test]
fn comtrade_rows_reproduce_the_published_shape() {
    let d = load("comtrade_small.csv");
    assert_eq!(d.provenance.format, Format::Comtrade);
    assert_eq!(
        (d.rows_total, d.flows().len(), d.rejects.len()),
        (14, 10, 4)
    );
    let g = Gazetteer::embedded();
    let all_2015: f64 = d
        .flows()
        .iter()
        .filter(|f| f.period.year == 2015 && f.consigned_from.is_none())
        .map(|f| f.value_usd)
        .sum();
    let via_hk: f64 = d
        .flows()
        .iter()
        .filter(|f| {
            f.period.year == 2015
                && f.consigned_from.map(|c| g.country(c).code()) == Some("HK".into())
        })
        .map(|f| f.value_usd)
        .sum();
    assert_eq!(all_2015, 1_000_000_000.0);
    assert!((via_hk / all_2015 - 0.367).abs() < 1e-9);
    let tw = d
        .flows()
        .iter()
        .find(|f| f.consigned_from.map(|c| g.country(c).code()) == Some("TW".into()));
    assert!(tw.is_some(), "M49 490 is Taiwan");
    let total = d
        .flows()
        .iter()
        .find(|f| f.hs_code == HsCode::TOTAL)
        .unwrap();
    assert_eq!(total.direction, FlowDirection::ReExport);
    let monthly = d.flows().iter().find(|f| f.period.month.is_some()).unwrap();
    assert_eq!(
        monthly.period,
        Period {
            year: 2024,
            month: Some(3)
        }
    );
    assert_eq!(code(monthly.partner), "TW");
    let armenia = d
        .flows()
        .iter()
        .find(|f| code(f.reporter) == "AM" && f.period.year == 2022)
        .unwrap();
    assert_eq!(code(armenia.partner), "RU");
    assert_eq!(armenia.direction, FlowDirection::Export);
    let rejected: Vec<(u64, &str)> = d
        .rejects
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (12, "reporterCode"),
            (13, "flowCode"),
            (14, "primaryValue"),
            (15, "refMonth")
        ]
    );
}

#[test]
fn baci_values_are_thousands_and_codes_keep_their_zeros() {
    let d = load("baci_small.csv");
    assert_eq!(d.provenance.format, Format::Baci);
    assert_eq!(d.flows().len(), 6);
    let first = &d.flows()[0];
    assert_eq!(first.value_usd, 1_523_456.0);
    assert_eq!(first.net_weight_kg, Some(800.0));
    assert_eq!(code(first.reporter), "US");
    assert_eq!(code(d.flows()[1].reporter), "TW");
    assert_eq!(d.flows()[1].quantity, None);
    assert_eq!(d.flows()[3].hs_code.to_string(), "085423");
    assert_eq!(code(d.flows()[5].partner), "IN");
    assert!(
        d.provenance
            .notes
            .iter()
            .any(|n| n.contains("leading zero"))
    );
    assert_eq!(d.rejects.iter().map(|r| r.line).collect::<Vec<_>>(), [8, 9]);
}

#[test]
fn screening_list_entries_keep_every_name_and_country() {
    let d = load("screening_small.csv");
    assert_eq!(d.provenance.format, Format::Watchlist);
    let volga = &d.watchlist()[0];
    assert_eq!(volga.alt_names, ["OOO VOLGA SYSTEMS", "Volga Sistemy"]);
    assert_eq!(volga.keys[0], "volga systems");
    assert_eq!(
        volga.keys.len(),
        2,
        "the OOO spelling folds into the same key"
    );
    assert!(volga.source.starts_with("Entity List"));
    let pearl = &d.watchlist()[1];
    let countries: Vec<String> = pearl.countries.iter().map(|c| code(*c)).collect();
    assert_eq!(countries, ["HK", "CN"]);
    assert_eq!(d.rejects[0].line, 4);
}

#[test]
fn licences_load_with_their_window_prefix_and_keyed_parties() {
    let d = load("licences_small.csv");
    assert_eq!(d.provenance.format, Format::Licences);
    assert_eq!(d.rows_total, 5);
    assert_eq!(d.licences().len(), 4);
    assert!(d.shipments().is_empty() && d.flows().is_empty() && d.watchlist().is_empty());
    // Vendor-style header names map onto the canonical columns.
    assert!(
        d.provenance
            .columns
            .contains(&("licence_id".into(), "License Number".into()))
    );
    assert!(
        d.provenance
            .columns
            .contains(&("valid_to".into(), "Expiry Date".into()))
    );

    let h200 = &d.licences()[0];
    assert_eq!(h200.line, 2);
    assert_eq!(h200.licence_id, "EXP-H200-0001");
    assert_eq!(h200.exporter.name, "NVIDIA Corporation");
    assert_eq!(h200.exporter.key, "nvidia");
    assert_eq!(h200.consignee.name, "Pearl River Compute Co., Ltd.");
    assert_eq!(h200.consignee.key, "pearl river compute");
    assert_eq!(code(h200.exporter_country), "US");
    assert_eq!(code(h200.consignee_country), "CN");
    // The dotted prefix covers every longer code under it, and nothing beside it.
    assert_eq!(h200.hs_code, HsCode::parse("854231").unwrap());
    assert!(h200.covers_hs(HsCode::parse("8542.31.00.40").unwrap()));
    assert!(!h200.covers_hs(HsCode::parse("854232").unwrap()));
    assert_eq!(h200.description, "NVIDIA H200 141GB GPU");
    assert_eq!(h200.quantity, 2000.0);
    assert_eq!(h200.value_usd, Some(60_000_000.0));
    // `15/03/2025` settles the column as day/month, so `01/04/2025` is the 1st of April.
    assert_eq!(h200.valid_from, Date::from_ymd(2025, 3, 15).unwrap());
    assert_eq!(h200.valid_to, Date::from_ymd(2026, 3, 14).unwrap());
    assert_eq!(
        d.licences()[1].valid_from,
        Date::from_ymd(2025, 4, 1).unwrap()
    );
    assert_eq!(d.licences()[1].exporter.key, h200.exporter.key);
    assert!(d.provenance.notes.iter().any(|n| n.contains("day/month")));
    let boards = &d.licences()[2];
    assert_eq!(boards.hs_code.to_string(), "8473");
    assert_eq!(boards.value_usd, None);
    let servers = &d.licences()[3];
    assert_eq!(servers.line, 6);
    assert_eq!(code(servers.consignee_country), "AE");
    assert_eq!(servers.value_usd, Some(12_000_000.0));

    // The one bad row: its validity ends before it starts.
    assert_eq!(d.rejects.len(), 1);
    let bad = &d.rejects[0];
    assert_eq!((bad.line, bad.column.as_str()), (5, "valid_to"));
    assert_eq!(
        bad.message,
        "valid_to 2024-06-19 is before valid_from 2025-06-20"
    );
    assert_eq!(bad.fields[0], "EXP-H200-0004");

    // Licence parties are keyed like shipment parties, so they can be matched to them.
    let shipments = load("vendor_bol.csv");
    for party in [&boards.exporter, &boards.consignee] {
        assert!(
            shipments.parties().iter().any(|p| p.key == party.key),
            "{} ({})",
            party.name,
            party.key
        );
    }
}

#[test]
fn licences_and_shipments_headers_are_not_mistaken_for_each_other() {
    let g = Gazetteer::embedded();
    let o = ReadOptions::default();
    let licences = "licence_id,exporter,exporter_country,consignee,consignee_country,hs_code,quantity,value_usd,valid_from,valid_to\n\
                    L1,Nvidia,US,Pearl River Compute,CN,8542.31,10,100000,2025-01-01,2025-12-31\n";
    let d = read_bytes(licences.as_bytes(), Path::new("l.csv"), &o, g, None).unwrap();
    assert_eq!(d.provenance.format, Format::Licences);
    // The same header as a shipments file, forced, lacks the shipment date.
    let forced = ReadOptions {
        format: Some(Format::Shipments),
        ..Default::default()
    };
    let err = read_bytes(licences.as_bytes(), Path::new("l.csv"), &forced, g, None).unwrap_err();
    assert!(err.to_string().contains("date"), "{err}");
    // Shipment files stay shipment files, even one naming a licence per declaration.
    assert_eq!(load("vendor_bol.csv").provenance.format, Format::Shipments);
    let declared = "date,exporter,exporter_country,importer,importer_country,hs_code,quantity,value_usd,license_number,valid_from,valid_to\n\
                    2025-02-01,Nvidia,US,Pearl River Compute,CN,854231,8,200000,L1,2025-01-01,2025-12-31\n";
    let d = read_bytes(declared.as_bytes(), Path::new("s.csv"), &o, g, None).unwrap();
    assert_eq!(d.provenance.format, Format::Shipments);
    assert_eq!(d.shipments().len(), 1);
    // Forcing licences onto a shipments file names the licence columns it lacks.
    let forced = ReadOptions {
        format: Some(Format::Licences),
        ..Default::default()
    };
    let err = read_path(&fixture("vendor_bol.csv"), &forced, g, None).unwrap_err();
    assert!(matches!(err, IngestError::MissingLicenceColumns { .. }));
    assert!(err.to_string().contains("licence_id"), "{err}");
}

#[test]
fn semicolons_decimal_commas_and_windows_1252_load() {
    let d = load("semicolon_cp1252.csv");
    assert_eq!(d.provenance.encoding, "windows-1252");
    assert_eq!(d.provenance.delimiter, ';');
    assert!(d.provenance.decimal_comma);
    assert_eq!(d.shipments().len(), 3);
    let s = &d.shipments()[0];
    assert_eq!(s.value_usd, 1234.5);
    assert_eq!(s.date, Date::from_ymd(2024, 3, 15).unwrap());
    assert_eq!(code(s.exporter_country), "DE", "Deutschland");
    assert_eq!(code(s.importer_country), "TR", "Türkiye in Windows-1252");
    assert_eq!(d.shipments()[1].value_usd, 96_000.0);
    assert_eq!(d.shipments()[2].quantity, 1.5);
}

#[test]
fn day_month_order_is_decided_per_column_and_said_when_it_cannot_be() {
    let d = load("dmy_dates.csv");
    assert_eq!(d.shipments()[0].date, Date::from_ymd(2024, 4, 3).unwrap());
    assert_eq!(d.shipments()[2].date, Date::from_ymd(2024, 5, 13).unwrap());
    assert!(d.provenance.notes[0].contains("day/month"));

    let d = load("ambiguous_dates.csv");
    assert_eq!(d.shipments()[0].date, Date::from_ymd(2024, 3, 4).unwrap());
    assert!(d.provenance.notes[0].contains("cannot be decided"));
    let forced = ReadOptions {
        date_order: Some(DateOrder::Dmy),
        ..Default::default()
    };
    let d = read_path(
        &fixture("ambiguous_dates.csv"),
        &forced,
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    assert_eq!(d.shipments()[0].date, Date::from_ymd(2024, 4, 3).unwrap());
    assert!(d.provenance.notes.is_empty());
}

#[test]
fn a_column_mixing_orders_rejects_the_dates_impossible_in_the_majority_order() {
    let text = "date,exporter,exporter_country,importer,importer_country,hs_code,quantity,value_usd\n\
                25/04/2024,A,US,B,SG,854231,1,1\n26/04/2024,A,US,B,SG,854231,1,1\n04/25/2024,A,US,B,SG,854231,1,1\n";
    let d = read_bytes(
        text.as_bytes(),
        Path::new("mixed.csv"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    assert_eq!(d.shipments().len(), 2);
    assert_eq!(d.rejects.len(), 1);
    assert_eq!(
        (d.rejects[0].line, d.rejects[0].column.as_str()),
        (4, "date")
    );
    assert_eq!(
        d.rejects[0].fields[0], "04/25/2024",
        "fields are filled in for late rejects"
    );
    assert!(d.provenance.notes[0].contains("mixes"));
}

#[test]
fn a_mapping_file_reads_headers_the_reader_does_not_know() {
    let mapping =
        Mapping::parse(&std::fs::read_to_string(fixture("custom_header.toml")).unwrap()).unwrap();
    let options = ReadOptions {
        mapping: Some(mapping),
        ..Default::default()
    };
    let d = read_path(
        &fixture("custom_header.csv"),
        &options,
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    assert_eq!(d.shipments().len(), 1);
    assert_eq!(d.shipments()[0].value_usd, 1_200_000.0);
    assert!(
        d.provenance
            .columns
            .contains(&("exporter".into(), "Remitente".into()))
    );
    // Without it the header is not recognised and the error says what was found.
    let err = read_path(
        &fixture("custom_header.csv"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("Remitente"), "{err}");
}

#[test]
fn file_level_errors_name_what_was_expected_and_found() {
    let g = Gazetteer::embedded();
    let o = ReadOptions::default();
    let p = Path::new("x.csv");
    let err = read_path(&fixture("unknown_header.csv"), &o, g, None).unwrap_err();
    assert!(matches!(err, IngestError::UnknownHeader { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("colour") && msg.contains("Comtrade") && msg.contains("BACI"),
        "{msg}"
    );
    assert!(matches!(
        read_bytes(b"", p, &o, g, None),
        Err(IngestError::Empty)
    ));
    assert!(matches!(
        read_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", p, &o, g, None),
        Err(IngestError::Binary { .. })
    ));
    let err = read_bytes(b"date,exporter,importer,quantity\n", p, &o, g, None).unwrap_err();
    assert!(err.to_string().contains("exporter_country"), "{err}");
    let forced = ReadOptions {
        format: Some(Format::Comtrade),
        ..Default::default()
    };
    let err = read_path(&fixture("vendor_bol.csv"), &forced, g, None).unwrap_err();
    assert!(err.to_string().contains("reporterCode"), "{err}");
    let missing = read_path(Path::new("/definitely/not/here.csv"), &o, g, None).unwrap_err();
    assert!(matches!(missing, IngestError::Io { .. }));
}

#[test]
fn provenance_records_the_bytes_read() {
    let d = load("vendor_bol.csv");
    let bytes = std::fs::read(fixture("vendor_bol.csv")).unwrap();
    use sha2_check::hex_sha256;
    assert_eq!(d.provenance.sha256, hex_sha256(&bytes));
    assert_eq!(
        d.provenance.columns[0],
        (
            "shipment_id".to_string(),
            "Bill of Lading Number".to_string()
        )
    );
}

mod sha2_check {
    /// SHA-256 through the system's `sha256sum`, so the test does not trust the code it checks.
    pub fn hex_sha256(bytes: &[u8]) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sha256sum is available");
        child.stdin.take().unwrap().write_all(bytes).unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }
}

#[test]
fn progress_is_reported_and_cancel_stops_reading() {
    let sample = chiptrail::sample::generate(&chiptrail::sample::SampleConfig::new(70_000, 2));
    let mut bytes = Vec::new();
    sample.write_shipments(&mut bytes).unwrap();
    let g = Gazetteer::embedded();
    let mut seen = Vec::new();
    let mut record = |f: f64| {
        seen.push(f);
        true
    };
    read_bytes(
        &bytes,
        Path::new("big.csv"),
        &ReadOptions::default(),
        g,
        Some(&mut record),
    )
    .unwrap();
    assert!(
        seen.len() >= 2 && seen.windows(2).all(|w| w[0] <= w[1]) && *seen.last().unwrap() == 1.0,
        "{seen:?}"
    );
    let mut cancel = |_: f64| false;
    let err = read_bytes(
        &bytes,
        Path::new("big.csv"),
        &ReadOptions::default(),
        g,
        Some(&mut cancel),
    )
    .unwrap_err();
    assert!(matches!(err, IngestError::Cancelled));
}

fn csv_like() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        "[A-Za-z0-9 .,$-]{0,12}",
        Just("\"quoted, cell\"".to_string()),
        Just("\"unterminated".to_string()),
        Just("2024-02-30".to_string()),
        Just("-$1,234.50".to_string()),
        Just("Türkiye".to_string()),
        Just("".to_string()),
    ];
    let header = prop_oneof![
        Just(
            "date,exporter,exporter_country,importer,importer_country,hs_code,quantity,value_usd"
                .to_string()
        ),
        Just("t,i,j,k,v,q".to_string()),
        Just(
            "typeCode,refYear,reporterCode,partnerCode,partner2Code,flowCode,cmdCode,primaryValue"
                .to_string()
        ),
        Just("_id,source,name,alt_names,addresses".to_string()),
        "[a-z,;|\t]{0,30}",
    ];
    let delim = prop_oneof![Just(","), Just(";"), Just("\t"), Just("|")];
    let eol = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    (
        header,
        prop::collection::vec(prop::collection::vec(cell, 0..10), 0..12),
        delim,
        eol,
    )
        .prop_map(|(h, rows, d, e)| {
            let mut s = h;
            for r in rows {
                s.push_str(e);
                s.push_str(&r.join(d));
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_bytes(&bytes, Path::new("random.bin"), &ReadOptions::default(), Gazetteer::embedded(), None);
    }

    #[test]
    fn csv_like_text_never_panics_and_accounts_for_every_row(text in csv_like()) {
        for format in [None, Some(Format::Shipments), Some(Format::Comtrade), Some(Format::Baci), Some(Format::Watchlist), Some(Format::Licences)] {
            let options = ReadOptions { format, ..Default::default() };
            if let Ok(d) = read_bytes(text.as_bytes(), Path::new("fuzz.csv"), &options, Gazetteer::embedded(), None) {
                // Nothing is silently dropped: every record is loaded or rejected.
                prop_assert_eq!(d.records.len() + d.rejects.len(), d.rows_total);
            }
        }
    }
}
