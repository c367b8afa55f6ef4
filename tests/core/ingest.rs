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
    assert_eq!(&*first.id, "MEDU1000001");
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
        .find(|s| &*s.id == "MEDU1000004")
        .unwrap();
    assert_eq!(
        &*multi.description,
        "GPU accelerator, \"Tensor Core\", 80GB\nboxed"
    );
    assert_eq!(multi.value_usd, 512_000.0);
    assert_eq!(
        d.shipments()
            .iter()
            .find(|s| &*s.id == "MEDU1000005")
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
        Just("Classification,Year,Period,Trade Flow Code,Reporter Code,Partner Code,2nd Partner Code,Commodity Code,Qty Unit,Qty,Trade Value (US$)".to_string()),
        Just("ReporterISO3,ProductCode,PartnerISO3,Year,TradeFlowName,TradeValue in 1000 USD,QtyUnit,Quantity".to_string()),
        Just("id,schema,name,aliases,countries,dataset".to_string()),
        Just("Name,Alias,Country,Program".to_string()),
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
        for format in [None, Some(Format::Shipments), Some(Format::Comtrade), Some(Format::ComtradeLegacy), Some(Format::Wits), Some(Format::Baci), Some(Format::Watchlist), Some(Format::OpenSanctions), Some(Format::EntityList), Some(Format::Licences)] {
            let options = ReadOptions { format, ..Default::default() };
            if let Ok(d) = read_bytes(text.as_bytes(), Path::new("fuzz.csv"), &options, Gazetteer::embedded(), None) {
                // Nothing is silently dropped: every record is loaded or rejected.
                prop_assert_eq!(d.records.len() + d.rejects.len(), d.rows_total);
            }
        }
    }
}

/// The flows of a country-level fixture, keyed for assertions: (line, reporter, partner, flow,
/// HS, period, value).
fn flow_keys(
    d: &chiptrail::model::Dataset,
) -> Vec<(u64, String, String, &'static str, String, String, f64)> {
    d.flows()
        .iter()
        .map(|f| {
            (
                f.line,
                code(f.reporter),
                code(f.partner),
                f.flow_code.code(),
                f.hs_code.to_string(),
                f.period.to_string(),
                f.value_usd,
            )
        })
        .collect()
}

#[test]
fn legacy_comtrade_35_columns_load_with_their_breakdowns_units_and_letter_codes() {
    // Windows-1252, CRLF, a trailing comma on the header and on all but one row, `Partner ISO`
    // empty, Comtrade+ letter flows (M, FM, RM, X, DX, RX, XOP), W00 and C00 totals beside
    // their breakdowns, a YYYYMM period.
    let d = load("comtrade_legacy_35.csv");
    assert_eq!(d.provenance.format, Format::ComtradeLegacy);
    assert_eq!(d.provenance.encoding, "windows-1252");
    assert_eq!(
        (d.rows_total, d.flows().len(), d.rejects.len()),
        (18, 16, 2)
    );
    let rejected: Vec<(u64, &str)> = d
        .rejects
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(rejected, [(18, "Reporter Code"), (19, "Trade Value (US$)")]);
    let f = d.flows();
    let total = &f[0];
    assert_eq!(
        (code(total.reporter), code(total.partner)),
        ("KZ".into(), "US".into())
    );
    assert_eq!(total.flow_code, chiptrail::model::FlowCode::Import);
    assert_eq!(
        (
            total.transport_part.as_deref(),
            total.customs_part.as_deref(),
            total.consigned_from
        ),
        (None, None, None),
        "motCode 0, C00 and 2nd partner 0/W00 are totals"
    );
    assert_eq!(total.value_usd, 10_000_000.0);
    assert_eq!(total.cif_usd, Some(10_000_000.0));
    assert_eq!(
        (total.quantity, total.qty_unit.as_deref()),
        (Some(1200.0), Some("u"))
    );
    assert_eq!(total.net_weight_kg, Some(150.0));
    assert_eq!(f[1].transport_part.as_deref(), Some("1000"));
    assert_eq!(f[3].customs_part.as_deref(), Some("C01"));
    assert_eq!(f[5].consigned_from.map(code).as_deref(), Some("CN"));
    // "No Quantity" with a 0 is no quantity; kilograms are kept as kg.
    assert_eq!((f[1].quantity, f[1].qty_unit.as_deref()), (None, None));
    assert_eq!(
        (f[8].quantity, f[8].qty_unit.as_deref()),
        (Some(100.0), Some("kg"))
    );
    let flows: Vec<&str> = f.iter().map(|x| x.flow_code.code()).collect();
    assert_eq!(
        flows,
        [
            "M", "M", "M", "M", "M", "M", "FM", "RM", "M", "X", "DX", "RX", "XOP", "M", "M", "M"
        ]
    );
    assert_eq!(f[12].direction, FlowDirection::Export);
    // Partner 490 "Other Asia, nes" with no ISO code is Taiwan; partner 0 (W00) the World.
    assert_eq!(code(f[13].partner), "TW");
    assert_eq!(code(f[14].partner), "M49:0");
    // The Windows-1252 row without a trailing comma, with a monthly period.
    assert_eq!(code(f[15].reporter), "TR");
    assert_eq!(
        f[15].period,
        Period {
            year: 2022,
            month: Some(3)
        }
    );
    assert_eq!(f[15].line, 17);
    // Every value as written: the file's totals.
    let sum = |flow: &str| -> f64 {
        f.iter()
            .filter(|x| x.flow_code.code() == flow)
            .map(|x| x.value_usd)
            .sum()
    };
    assert_eq!(sum("M"), 73_750_000.0);
    assert_eq!(sum("X") + sum("DX") + sum("RX") + sum("XOP"), 16_500_000.0);
}

#[test]
fn legacy_comtrade_12_columns_read_flow_codes_1_to_4_and_taiwan_as_490() {
    let d = load("comtrade_legacy_12.csv");
    assert_eq!(d.provenance.format, Format::ComtradeLegacy);
    assert_eq!((d.rows_total, d.flows().len()), (7, 7));
    assert!(d.rejects.is_empty(), "{:?}", d.rejects);
    let y = "2019".to_string();
    assert_eq!(
        flow_keys(&d),
        [
            (
                2,
                "SG".into(),
                "TW".into(),
                "X",
                "8542".into(),
                y.clone(),
                5_000_000.0
            ),
            (
                3,
                "SG".into(),
                "TW".into(),
                "RX",
                "8542".into(),
                y.clone(),
                2_000_000.0
            ),
            (
                4,
                "MY".into(),
                "US".into(),
                "M",
                "8471".into(),
                y.clone(),
                3_000_000.0
            ),
            (
                5,
                "MY".into(),
                "US".into(),
                "M",
                "847130".into(),
                y.clone(),
                1_000_000.0
            ),
            (
                6,
                "MY".into(),
                "US".into(),
                "RM",
                "8471".into(),
                y.clone(),
                250_000.0
            ),
            (
                7,
                "MY".into(),
                "M49:0".into(),
                "M",
                "8471".into(),
                y.clone(),
                9_000_000.0
            ),
            (
                8,
                "MY".into(),
                "US".into(),
                "M",
                "TOTAL".into(),
                y,
                50_000_000.0
            ),
        ]
    );
    assert!(
        d.flows()
            .iter()
            .all(|f| f.qty_unit.is_none() && f.quantity.is_none())
    );
}

#[test]
fn wits_values_are_thousands_and_groups_are_groups_not_errors() {
    let d = load("wits_small.csv");
    assert_eq!(d.provenance.format, Format::Wits);
    assert_eq!((d.rows_total, d.flows().len(), d.rejects.len()), (10, 9, 1));
    // Only the unknown partner is rejected; WLD, ASEAN and EUN load as groups.
    assert_eq!(
        (d.rejects[0].line, d.rejects[0].column.as_str()),
        (11, "PartnerISO3")
    );
    let y = "2019".to_string();
    assert_eq!(
        flow_keys(&d),
        [
            (
                2,
                "CN".into(),
                "US".into(),
                "M",
                "8542".into(),
                y.clone(),
                15_553_944.0
            ),
            (
                3,
                "CN".into(),
                "US".into(),
                "X",
                "8542".into(),
                y.clone(),
                4_200_500.0
            ),
            (
                4,
                "CN".into(),
                "M49:899".into(),
                "M",
                "8542".into(),
                y.clone(),
                92_656_309.0
            ),
            (
                5,
                "CN".into(),
                "M49:0".into(),
                "M",
                "8542".into(),
                y.clone(),
                300_000_000.0
            ),
            (
                6,
                "CN".into(),
                "M49:97".into(),
                "X",
                "8542".into(),
                y.clone(),
                8_000_000.0
            ),
            (
                7,
                "CN".into(),
                "US".into(),
                "RM",
                "8542".into(),
                y.clone(),
                120_250.0
            ),
            (
                8,
                "CN".into(),
                "US".into(),
                "M",
                "854231".into(),
                y.clone(),
                9_000_000.0
            ),
            (
                9,
                "MY".into(),
                "US".into(),
                "M",
                "8471".into(),
                y.clone(),
                2_500_000.0
            ),
            (
                10,
                "CN".into(),
                "US".into(),
                "M",
                "TOTAL".into(),
                y,
                1_500.0
            ),
        ]
    );
    let g = Gazetteer::embedded();
    let groups = d
        .flows()
        .iter()
        .filter(|f| g.country(f.partner).kind != chiptrail::gazetteer::AreaKind::Country)
        .count();
    assert_eq!(groups, 3);
    let f = d.flows();
    assert_eq!(
        (f[0].quantity, f[0].qty_unit.as_deref(), f[0].net_weight_kg),
        (Some(3_500_000.0), Some("Item"), Some(120_000.0))
    );
    assert_eq!(
        (f[3].quantity, f[3].qty_unit.as_deref()),
        (None, None),
        "N.Q."
    );
    let notes = d.provenance.notes.join("\n");
    assert!(notes.contains("thousands of USD"), "{notes}");
    assert!(
        notes.contains("ASEAN (1 rows")
            && notes.contains("WLD (1 rows")
            && notes.contains("EUN (1 rows"),
        "{notes}"
    );
    assert!(notes.contains("'chips basket' (1 rows)"), "{notes}");
}

#[test]
fn opensanctions_exports_new_and_old_become_screening_entries() {
    let d = load("opensanctions_simple.csv");
    assert_eq!(d.provenance.format, Format::OpenSanctions);
    assert_eq!((d.rows_total, d.watchlist().len()), (4, 3));
    assert_eq!(
        (d.rejects[0].line, d.rejects[0].column.as_str()),
        (5, "name")
    );
    let volga = &d.watchlist()[0];
    assert_eq!(volga.name, "Volga Systems LLC");
    assert_eq!(volga.alt_names, ["OOO Volga Systems", "Volga Sistemy"]);
    assert_eq!(volga.keys, ["volga systems", "volga sistemy"]);
    assert_eq!(volga.source, "US BIS Entity List");
    assert_eq!(volga.programs, "US-BIS-EL");
    assert_eq!(volga.entity_number, "NK-volga");
    let countries: Vec<String> = d.watchlist()[1]
        .countries
        .iter()
        .map(|c| code(*c))
        .collect();
    assert_eq!(countries, ["CN", "HK"]);
    // A name repeated among the aliases is not an alias; an unknown code is said once.
    let petrov = &d.watchlist()[2];
    assert_eq!(petrov.alt_names, ["I. Petrov"]);
    assert_eq!(
        petrov
            .countries
            .iter()
            .map(|c| code(*c))
            .collect::<Vec<_>>(),
        ["RU"]
    );
    assert!(d.provenance.notes.iter().any(|n| n.contains("'suhh'")));

    // Older exports lack program_ids: the sanctions text stands in.
    let old = load("opensanctions_old.csv");
    assert_eq!(old.provenance.format, Format::OpenSanctions);
    assert_eq!(old.watchlist().len(), 2);
    assert_eq!(old.watchlist()[0].programs, "OFAC SDN RUSSIA-EO14024");
    assert_eq!(
        old.watchlist()[1]
            .countries
            .iter()
            .map(|c| code(*c))
            .collect::<Vec<_>>(),
        ["KG", "RU"]
    );
}

#[test]
fn plain_entity_lists_become_screening_entries() {
    let d = load("entity_list_plain.csv");
    assert_eq!(d.provenance.format, Format::EntityList);
    assert_eq!((d.rows_total, d.watchlist().len()), (6, 5));
    assert_eq!(
        (d.rejects[0].line, d.rejects[0].column.as_str()),
        (6, "Name")
    );
    let sugon = &d.watchlist()[0];
    assert_eq!(sugon.name, "Dawning Information Industry Co., Ltd.");
    assert_eq!(sugon.alt_names, ["Sugon", "Dawning"]);
    assert_eq!(sugon.programs, "1260H");
    assert_eq!(sugon.source, "entity_list_plain", "the file names the list");
    let countries: Vec<String> = d
        .watchlist()
        .iter()
        .map(|e| {
            e.countries
                .iter()
                .map(|c| code(*c))
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    assert_eq!(countries, ["CN", "CN", "RU", "HK", ""]);
    assert!(d.provenance.notes.iter().any(|n| n.contains("'Atlantis'")));
}

#[test]
fn sitc_bec_and_services_are_said_once_never_as_bad_hs_codes() {
    let g = Gazetteer::embedded();
    let o = ReadOptions::default();
    // A whole file in SITC: one file-level message.
    let err = read_path(&fixture("comtrade_legacy_sitc.csv"), &o, g, None).unwrap_err();
    assert!(matches!(err, IngestError::NotHs { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("SITC Rev. 3 (S3) (3 rows)") && msg.contains("HS"),
        "{msg}"
    );
    // BEC in a Comtrade+ file, likewise.
    let text = std::fs::read_to_string(fixture("comtrade_services_mixed.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let goods: Vec<&str> = lines.filter(|l| l.starts_with("C,")).collect();
    let bec = format!(
        "{header}\n{}\n",
        goods.join("\n").replace(",H6,HS,", ",B5,BEC,")
    );
    let err = read_bytes(bec.as_bytes(), Path::new("bec.csv"), &o, g, None).unwrap_err();
    assert!(err.to_string().contains("BEC (B5) (2 rows)"), "{err}");
    // Services beside goods: skipped with a note counting them, neither loaded nor rejected.
    let d = load("comtrade_services_mixed.csv");
    assert_eq!((d.rows_total, d.flows().len(), d.rejects.len()), (2, 2, 0));
    assert!(
        d.provenance
            .notes
            .iter()
            .any(|n| n.starts_with("2 services rows")),
        "{:?}",
        d.provenance.notes
    );
    // Units come from the code where the abbreviation is empty.
    let units: Vec<(Option<f64>, Option<&str>)> = d
        .flows()
        .iter()
        .map(|f| (f.quantity, f.qty_unit.as_deref()))
        .collect();
    assert_eq!(units, [(Some(250.0), Some("u")), (Some(30.0), Some("kg"))]);
    // A services-only file: one message.
    let services: String = text
        .lines()
        .filter(|l| !l.starts_with("C,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let err = read_bytes(services.as_bytes(), Path::new("s.csv"), &o, g, None).unwrap_err();
    assert!(matches!(err, IngestError::NotGoods { rows: 2 }), "{err}");
}

#[test]
fn answers_saved_instead_of_data_are_named() {
    let g = Gazetteer::embedded();
    let o = ReadOptions::default();
    let p = Path::new("download.csv");
    let err = read_path(&fixture("comtrade_api_error.csv"), &o, g, None).unwrap_err();
    assert!(matches!(err, IngestError::SourceAnswer { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("JSON") && msg.contains("invalid subscription key") && msg.contains("401"),
        "{msg}"
    );
    let html = b"<!DOCTYPE html>\r\n<html><head><title>Service Unavailable</title></head><body>The server is busy</body></html>";
    let err = read_bytes(html, p, &o, g, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("an HTML page (\"Service Unavailable\")"),
        "{err}"
    );
    let legacy = b"Classification,Year,Period,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,Trade Value (US$)\r\nNo data matches your query or your query is too complex. Request JSON or XML format for more information.,,,,,,,\r\n";
    let err = read_bytes(legacy, p, &o, g, None).unwrap_err();
    assert!(
        err.to_string().contains("No data matches your query"),
        "{err}"
    );
    // Forcing a format does not make an answer a table.
    let forced = ReadOptions {
        format: Some(Format::Comtrade),
        ..Default::default()
    };
    assert!(matches!(
        read_bytes(legacy, p, &forced, g, None),
        Err(IngestError::SourceAnswer { .. })
    ));
}
