//! A country's own declarations: a national customs extract never names its own country and
//! often counts no pieces. A mapping gives the country for every row; the weight stands in for
//! the quantity.

use chiptrail::gazetteer::Gazetteer;
use chiptrail::ingest::{IngestError, Mapping, ReadOptions, read_bytes, read_path};
use chiptrail::model::{Date, Format, HsCode};

use super::{code, fixture};

fn with_mapping(file: &str) -> ReadOptions {
    let text = std::fs::read_to_string(fixture(file)).unwrap();
    ReadOptions {
        mapping: Some(Mapping::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"))),
        ..Default::default()
    }
}

#[test]
fn a_national_import_extract_loads_with_its_country_fixed_and_weights_as_quantities() {
    let d = read_path(
        &fixture("kr_import_declarations.csv"),
        &with_mapping("kr_import_declarations.toml"),
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    assert_eq!(d.provenance.format, Format::Shipments);
    assert_eq!((d.rows_total, d.shipments().len()), (4, 3));
    // Every row is an import into KR; the exporting countries come from the file.
    let s = d.shipments();
    assert!(s.iter().all(|s| code(s.importer_country) == "KR"));
    let from: Vec<String> = s.iter().map(|s| code(s.exporter_country)).collect();
    assert_eq!(from, ["MY", "TW", "CN"]);
    // The declaration headers are recognised without a mapping of their own.
    assert_eq!(s[0].hs_code, HsCode::parse("854231").unwrap());
    assert_eq!(s[0].value_usd, 125_000.0);
    assert_eq!(s[0].date, Date::from_ymd(2024, 3, 15).unwrap());
    assert_eq!(d.party(s[0].importer).unwrap().names[0], "KR-IMP-0042");
    assert_eq!(
        d.party(s[0].exporter).unwrap().names[0],
        "Klang Data Sdn Bhd"
    );
    // No piece count: the quantity is the net mass, in kg, and unit values are per kg.
    let kg: Vec<(f64, Option<&str>, Option<f64>)> = s
        .iter()
        .map(|s| (s.quantity, s.unit.as_deref(), s.weight_kg))
        .collect();
    assert_eq!(
        kg,
        [
            (12.5, Some("KG"), Some(12.5)),
            (40.0, Some("KG"), Some(40.0)),
            (0.8, Some("KG"), Some(0.8)),
        ]
    );
    assert_eq!(s[0].unit_value_usd(), Some(10_000.0));
    assert!(
        d.provenance
            .notes
            .iter()
            .any(|n| n == "no piece count: quantities are net mass in kg; unit values are per kg"),
        "{:?}",
        d.provenance.notes
    );
    // The fixed value is part of how the file was read.
    assert_eq!(
        d.provenance.fixed,
        [("importer_country".to_string(), "KR".to_string())]
    );
    assert!(
        d.provenance
            .notes
            .contains(&"importer_country = KR for every row".to_string())
    );
    assert!(
        d.provenance
            .columns
            .contains(&("weight_kg".into(), "Net Mass".into()))
    );
    // The row with neither a quantity nor a weight is rejected, saying so.
    assert_eq!(d.rejects.len(), 1);
    let r = &d.rejects[0];
    assert_eq!((r.line, r.column.as_str()), (5, "quantity"));
    assert!(
        r.message.contains("no quantity and no weight"),
        "{}",
        r.message
    );
}

#[test]
fn without_the_country_the_reader_says_which_column_and_how_to_give_it() {
    let err = read_path(
        &fixture("kr_import_declarations.csv"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&err, IngestError::MissingCountry { columns, .. } if columns == &["importer_country"]),
        "{err}"
    );
    // The command line's words: a mapping file with [values], passed with --mapping.
    let cli = err.to_string();
    assert!(
        cli.contains("no importer_country column")
            && cli.contains("[values]")
            && cli.contains("importer_country = \"KR\"")
            && cli.contains("--mapping"),
        "{cli}"
    );
    // The app's words: the box in the mapping window, no command-line flags.
    let app = err.in_app();
    assert!(
        app.contains("importer_country") && app.contains("same for every row"),
        "{app}"
    );
    assert!(!app.contains("--"), "{app}");
}

#[test]
fn both_countries_missing_are_named_together() {
    let text = "HS Code 10,Statistical Value,Importer Name,Supplier,Gross Mass,Acceptance Date,Declaration Number\n\
                8542310000,1000,Acme,Foo Ltd,2.5,2024-01-05,D-1\n";
    let err = read_bytes(
        text.as_bytes(),
        std::path::Path::new("x.csv"),
        &ReadOptions::default(),
        Gazetteer::embedded(),
        None,
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("exporter_country and importer_country columns"),
        "{message}"
    );
    // Given both, the file loads; the gross mass is the quantity.
    let options = ReadOptions {
        mapping: Some(
            Mapping::parse("[values]\nexporter_country = \"Taiwan\"\nimporter_country = \"KR\"\n")
                .unwrap(),
        ),
        ..Default::default()
    };
    let d = read_bytes(
        text.as_bytes(),
        std::path::Path::new("x.csv"),
        &options,
        Gazetteer::embedded(),
        None,
    )
    .unwrap();
    let s = &d.shipments()[0];
    assert_eq!(
        (code(s.exporter_country), code(s.importer_country)),
        ("TW".into(), "KR".into())
    );
    assert_eq!(&*s.id, "D-1");
    assert_eq!(s.hs_code, HsCode::parse("8542310000").unwrap());
    assert_eq!((s.quantity, s.unit.as_deref()), (2.5, Some("KG")));
    assert!(
        d.provenance
            .notes
            .iter()
            .any(|n| n.contains("quantities are gross mass in kg")),
        "{:?}",
        d.provenance.notes
    );
}

#[test]
fn usual_declaration_headers_are_recognised() {
    use chiptrail::ingest::{Column, ColumnMap};
    let header: Vec<String> = [
        "Declaration Number",
        "Declaration Date",
        "HS6 Code",
        "Invoice Value (USD)",
        "Importer Name",
        "Importer ID",
        "Seller Name",
        "Seller ID",
        "Country of Dispatch",
        "Net Weight (kg)",
        "Gross Mass",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let m = ColumnMap::from_header(&header, None).unwrap();
    assert_eq!(m.get(Column::ShipmentId), Some(0));
    assert_eq!(m.get(Column::Date), Some(1));
    assert_eq!(m.get(Column::HsCode), Some(2));
    assert_eq!(m.get(Column::ValueUsd), Some(3));
    assert_eq!(m.get(Column::Importer), Some(4), "a name beats an id");
    assert_eq!(m.get(Column::Exporter), Some(6));
    assert_eq!(m.get(Column::ExporterCountry), Some(8));
    assert_eq!(m.get(Column::WeightKg), Some(9));
    assert_eq!(
        m.missing(),
        [Column::ImporterCountry],
        "the weight stands in for the quantity"
    );
    for (h, col) in [
        ("HS Code 10", Column::HsCode),
        ("Item Price", Column::ValueUsd),
        ("Statistical Value", Column::ValueUsd),
        ("Supplier", Column::Exporter),
        ("Trading Country", Column::ExporterCountry),
        ("Country of Departure", Column::ExporterCountry),
        ("Net Mass", Column::WeightKg),
        ("Acceptance Date", Column::Date),
    ] {
        assert_eq!(Column::from_header(h), Some(col), "{h}");
    }
}

#[test]
fn a_mistyped_values_key_is_named_with_its_line() {
    let text = std::fs::read_to_string(fixture("bad_values.toml")).unwrap();
    let err = Mapping::parse(&text).unwrap_err();
    assert!(
        err.contains("importer_contry") && err.contains("line 3"),
        "{err}"
    );
}

#[test]
fn a_fixed_value_is_read_like_a_cell_and_a_bad_one_fails_the_file() {
    let read = |mapping: &str| {
        read_path(
            &fixture("kr_import_declarations.csv"),
            &ReadOptions {
                mapping: Some(Mapping::parse(mapping).unwrap()),
                ..Default::default()
            },
            Gazetteer::embedded(),
            None,
        )
    };
    let err = read("[values]\nimporter_country = \"Narnia\"\n").unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, IngestError::Mapping(_))
            && message.contains("importer_country")
            && message.contains("unknown country 'Narnia'"),
        "{message}"
    );
    // Names as the cells write them are read the same way.
    let d = read("[values]\nimporter_country = \"Korea, Republic of\"\n").unwrap();
    assert!(
        d.shipments()
            .iter()
            .all(|s| code(s.importer_country) == "KR")
    );
    // A column and a value for the same column contradict each other.
    let err = read("[columns]\nexporter_country = \"Country of Departure\"\n[values]\nexporter_country = \"CN\"\nimporter_country = \"KR\"\n")
        .unwrap_err();
    assert!(err.to_string().contains("keep one"), "{err}");
    // A value for a column the file has replaces it.
    let d = read("[values]\nexporter_country = \"CN\"\nimporter_country = \"KR\"\n").unwrap();
    assert!(
        d.shipments()
            .iter()
            .all(|s| code(s.exporter_country) == "CN")
    );
    // Every fixed value is checked: an impossible date fails the file too.
    let err = read("[values]\nimporter_country = \"KR\"\nunit = \"KG\"\ndate = \"2024-13-45\"\n")
        .unwrap_err();
    assert!(err.to_string().contains("2024-13-45"), "{err}");
}

#[test]
fn a_mapping_written_out_reads_back_the_same() {
    let mapping = Mapping::parse(
        "[columns]\nexporter = \"Seller \\\"ID\\\"\"\n[values]\nimporter_country = \"KR\"\n[options]\ndate_order = \"dmy\"\ndecimal_comma = true\n",
    )
    .unwrap();
    let text = mapping.to_toml();
    assert!(
        text.contains("[values]\nimporter_country = \"KR\"\n"),
        "{text}"
    );
    assert_eq!(Mapping::parse(&text).unwrap(), mapping);
}
