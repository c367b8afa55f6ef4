//! Container fixtures made at run time (data-formats §2b): a BACI-style zip, gzip, and a minimal
//! xlsx assembled from its XML parts (calamine only reads, and a writer crate would cost build
//! time for a few lines of XML).

use std::io::{Cursor, Write};

/// Two BACI year files, the country and product code lists, a readme, a PDF and a folder, as
/// CEPII ships them. 412 (Kosovo) is in no M49 table, only in the code list; 530 (Netherlands
/// Antilles) is in the list but names no country the gazetteer knows; 999 is in neither.
pub fn baci_zip() -> Vec<u8> {
    zip(&[
        ("BACI_HS92_V202401/", None),
        (
            "BACI_HS92_V202401/BACI_HS92_Y2021_V202401.csv",
            Some(b"t,i,j,k,v,q\n2021,842,156,854231,1500.5,2.1\n2021,842,412,854231,10,NA\n2021,842,999,854231,5,1\n".as_slice()),
        ),
        (
            "BACI_HS92_V202401/BACI_HS92_Y2022_V202401.csv",
            Some(b"t,i,j,k,v,q\r\n2022,842,344,854231,200,\r\n2022,412,156,847130,30,0.5\r\n2022,842,530,854231,1,1\r\n".as_slice()),
        ),
        (
            "BACI_HS92_V202401/country_codes_V202401.csv",
            Some(b"country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n344,\"China, Hong Kong SAR\",HK,HKG\n412,Kosovo,XK,XKX\n530,Netherlands Antilles,AN,ANT\n842,USA,US,USA\n".as_slice()),
        ),
        (
            "BACI_HS92_V202401/product_codes_HS92_V202401.csv",
            Some(b"code,description\n847130,\"Portable digital automatic data processing machines\"\n854231,\"Processors and controllers\"\n".as_slice()),
        ),
        (
            "BACI_HS92_V202401/Readme.txt",
            Some(b"BACI: International Trade Database at the Product-Level\nRelease 202401\n".as_slice()),
        ),
        (
            "BACI_HS92_V202401/BACI_doc.pdf",
            Some(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\x00\x00\x01\x02 obj stream\x00".as_slice()),
        ),
    ])
}

/// A zip of `(name, contents)` members; `None` makes a folder.
pub fn zip(members: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, contents) in members {
        match contents {
            None => writer.add_directory(*name, options).unwrap(),
            Some(bytes) => {
                writer.start_file(*name, options).unwrap();
                writer.write_all(bytes).unwrap();
            }
        }
    }
    writer.finish().unwrap().into_inner()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A cell of a hand-made sheet.
#[derive(Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    /// An Excel date serial, formatted as a date (built-in number format 14).
    Date(f64),
}

/// A sheet: its name and `(1-based row number, cells from column A)`.
pub type Sheet<'a> = (&'a str, Vec<(u32, Vec<Cell<'a>>)>);

/// A workbook of sheets, as the minimal set of xlsx parts calamine (and Excel) read.
pub fn xlsx(sheets: &[Sheet<'_>]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    );
    let mut workbook = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>"#
    );
    let mut rels =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">"#);
    let mut parts: Vec<(String, String)> = Vec::new();
    for (k, (name, rows)) in sheets.iter().enumerate() {
        let n = k + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        workbook.push_str(&format!(
            r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
            escape(name)
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        let mut xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>"#
        );
        for (r, cells) in rows {
            xml.push_str(&format!(r#"<row r="{r}">"#));
            for (c, cell) in cells.iter().enumerate() {
                let at = format!("{}{r}", (b'A' + c as u8) as char);
                xml.push_str(&match cell {
                    Cell::Text("") => String::new(),
                    Cell::Text(t) => format!(
                        r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#,
                        escape(t)
                    ),
                    Cell::Number(x) => format!(r#"<c r="{at}"><v>{x:?}</v></c>"#),
                    Cell::Date(x) => format!(r#"<c r="{at}" s="1"><v>{x:?}</v></c>"#),
                });
            }
            xml.push_str("</row>");
        }
        xml.push_str("</sheetData></worksheet>");
        parts.push((format!("xl/worksheets/sheet{n}.xml"), xml));
    }
    types.push_str("</Types>");
    workbook.push_str("</sheets></workbook>");
    let styles_id = sheets.len() + 1;
    rels.push_str(&format!(
        r#"<Relationship Id="rId{styles_id}" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#
    ));
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#
    );
    let root_rels = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    );
    let mut members: Vec<(String, String)> = vec![
        ("[Content_Types].xml".into(), types),
        ("_rels/.rels".into(), root_rels),
        ("xl/workbook.xml".into(), workbook),
        ("xl/_rels/workbook.xml.rels".into(), rels),
        ("xl/styles.xml".into(), styles),
    ];
    members.extend(parts);
    let members: Vec<(&str, Option<&[u8]>)> = members
        .iter()
        .map(|(n, x)| (n.as_str(), Some(x.as_bytes())))
        .collect();
    zip(&members)
}

/// A shipments workbook as a download looks: a notes sheet first, then a sheet with a title
/// and a blank row above the header (row 3), a date cell, a value with binary noise, a row with
/// an unknown country (row 5) and a blank row before the last (row 7).
pub fn shipments_xlsx() -> Vec<u8> {
    use Cell::{Date, Number, Text};
    let header = [
        "shipment_id",
        "date",
        "exporter",
        "exporter_country",
        "importer",
        "importer_country",
        "hs_code",
        "quantity",
        "value_usd",
    ]
    .map(Text)
    .to_vec();
    let shipment = |id, date, importer_country, value| {
        vec![
            Text(id),
            date,
            Text("Pacific Crest Systems Inc."),
            Text("US"),
            Text("Lion City Compute Pte. Ltd."),
            Text(importer_country),
            Number(854231.0),
            Number(64.0),
            Number(value),
        ]
    };
    xlsx(&[
        (
            "Notes",
            vec![
                (1, vec![Text("Exported from the customs portal")]),
                (2, vec![Text("Values in USD")]),
            ],
        ),
        (
            "Shipments",
            vec![
                (1, vec![Text("Shipments export, 2024-04-01")]),
                (3, header),
                (
                    4,
                    shipment("S1", Date(45366.0), "Singapore", 1234.4999999999998),
                ),
                (5, shipment("S2", Text("2024-03-29"), "Atlantis", 2048000.5)),
                (7, shipment("S3", Date(45383.0), "SG", 0.1 + 0.2)),
            ],
        ),
    ])
}
