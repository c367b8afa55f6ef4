//! The investigator's licence records: one row per export licence (or authorisation), naming the
//! holder, the approved consignee, the HS prefix it covers, a licensed quantity and a validity
//! window. Headers are matched like the shipments header; values are read with the shipments
//! readers' rules (numbers, countries, dates with the day/month order decided per column).

use super::columns::Column;
use super::values::{DateCell, DateOrder, OrderEvidence, is_missing, parse_date, parse_number};
use super::{
    Countries, IngestError, Progress, ReadOptions, ReadResult, RejectedRow, RowError, Table, field,
    for_each_record,
};
use crate::gazetteer::Gazetteer;
use crate::model::{Date, HsCode, Licence, NamedParty, Provenance, Records};
use crate::text::squash;

/// A column of the licences format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LicenceColumn {
    LicenceId,
    Exporter,
    ExporterCountry,
    Consignee,
    ConsigneeCountry,
    HsCode,
    Description,
    Quantity,
    ValueUsd,
    ValidFrom,
    ValidTo,
}

impl LicenceColumn {
    /// Every column, in the order of the formats document.
    const ALL: [LicenceColumn; 11] = [
        LicenceColumn::LicenceId,
        LicenceColumn::Exporter,
        LicenceColumn::ExporterCountry,
        LicenceColumn::Consignee,
        LicenceColumn::ConsigneeCountry,
        LicenceColumn::HsCode,
        LicenceColumn::Description,
        LicenceColumn::Quantity,
        LicenceColumn::ValueUsd,
        LicenceColumn::ValidFrom,
        LicenceColumn::ValidTo,
    ];

    /// The canonical name (`valid_from`), as reject reports name the column.
    fn name(self) -> &'static str {
        match self {
            LicenceColumn::LicenceId => "licence_id",
            LicenceColumn::Exporter => "exporter",
            LicenceColumn::ExporterCountry => "exporter_country",
            LicenceColumn::Consignee => "consignee",
            LicenceColumn::ConsigneeCountry => "consignee_country",
            LicenceColumn::HsCode => "hs_code",
            LicenceColumn::Description => "description",
            LicenceColumn::Quantity => "quantity",
            LicenceColumn::ValueUsd => "value_usd",
            LicenceColumn::ValidFrom => "valid_from",
            LicenceColumn::ValidTo => "valid_to",
        }
    }

    fn required(self) -> bool {
        !matches!(self, LicenceColumn::Description | LicenceColumn::ValueUsd)
    }

    /// Header names seen for this column, squashed, best first.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            LicenceColumn::LicenceId => &[
                "licenceid",
                "licenseid",
                "licencenumber",
                "licensenumber",
                "licenceno",
                "licenseno",
                "licencenr",
                "licensenr",
                "licencereference",
                "licensereference",
                "licenceref",
                "licenseref",
                "authorization",
                "authorisation",
                "authorizationnumber",
                "authorisationnumber",
                "authorizationno",
                "authorisationno",
                "authorizationid",
                "authorisationid",
                "licence",
                "license",
            ],
            LicenceColumn::Exporter => &[
                "exporter",
                "exportername",
                "licenceholder",
                "licenseholder",
                "licenceholdername",
                "licenseholdername",
                "holder",
                "licensee",
                "applicant",
                "applicantname",
            ],
            LicenceColumn::ExporterCountry => &[
                "exportercountry",
                "licenceholdercountry",
                "licenseholdercountry",
                "holdercountry",
                "licenseecountry",
                "applicantcountry",
            ],
            LicenceColumn::Consignee => &[
                "consignee",
                "consigneename",
                "approvedconsignee",
                "ultimateconsignee",
                "enduser",
                "endusername",
                "approvedenduser",
            ],
            LicenceColumn::ConsigneeCountry => &[
                "consigneecountry",
                "approvedconsigneecountry",
                "ultimateconsigneecountry",
                "endusercountry",
                "countryofultimatedestination",
                "ultimatedestination",
            ],
            LicenceColumn::HsCode => &["hscode", "hsprefix", "hsheading", "hs"],
            LicenceColumn::Description => &[
                "description",
                "productdescription",
                "licenseddescription",
                "licenceddescription",
                "item",
                "itemdescription",
            ],
            LicenceColumn::Quantity => &[
                "quantity",
                "licensedquantity",
                "licencedquantity",
                "authorizedquantity",
                "authorisedquantity",
                "approvedquantity",
                "qty",
                "licensedqty",
                "licencedqty",
            ],
            LicenceColumn::ValueUsd => &[
                "valueusd",
                "licensedvalue",
                "licencedvalue",
                "licensedvalueusd",
                "licencedvalueusd",
                "authorizedvalue",
                "authorisedvalue",
                "approvedvalue",
                "value",
            ],
            LicenceColumn::ValidFrom => &[
                "validfrom",
                "validfromdate",
                "validitystart",
                "startdate",
                "effectivedate",
                "issuedate",
                "dateofissue",
                "issued",
                "issuedon",
            ],
            LicenceColumn::ValidTo => &[
                "validto",
                "validtodate",
                "validuntil",
                "validthrough",
                "validityend",
                "expiry",
                "expirydate",
                "expirationdate",
                "dateofexpiry",
                "expires",
                "enddate",
            ],
        }
    }

    /// The shipments column whose vendor names (`Shipper`, `Buyer Country`, `HTS` ...) also stand
    /// for this column when no licence name matches.
    fn shipment_column(self) -> Option<Column> {
        Some(match self {
            LicenceColumn::Exporter => Column::Exporter,
            LicenceColumn::ExporterCountry => Column::ExporterCountry,
            LicenceColumn::Consignee => Column::Importer,
            LicenceColumn::ConsigneeCountry => Column::ImporterCountry,
            LicenceColumn::HsCode => Column::HsCode,
            LicenceColumn::Description => Column::Description,
            LicenceColumn::Quantity => Column::Quantity,
            LicenceColumn::ValueUsd => Column::ValueUsd,
            _ => return None,
        })
    }

    /// The column a header names, and how good a name it is (lower is better): licence names
    /// first across all columns, then the shipments header's names.
    fn from_header(header: &str) -> Option<(LicenceColumn, usize)> {
        let key = squash(header);
        let own = LicenceColumn::ALL.into_iter().find_map(|c| {
            c.aliases()
                .iter()
                .position(|a| *a == key)
                .map(|rank| (c, rank))
        });
        own.or_else(|| {
            let shipment = Column::from_header(header)?;
            LicenceColumn::ALL
                .into_iter()
                .find(|c| c.shipment_column() == Some(shipment))
                .map(|c| (c, usize::MAX))
        })
    }
}

/// Where each licence column sits in a file's header.
#[derive(Clone, Debug, Default, PartialEq)]
struct LicenceMap {
    index: [Option<usize>; LicenceColumn::ALL.len()],
}

impl LicenceMap {
    /// Recognises the columns of `header`; for a column named twice the better name wins, then
    /// the first.
    fn from_header(header: &[String]) -> LicenceMap {
        let mut best: [Option<(usize, usize)>; LicenceColumn::ALL.len()] = Default::default();
        for (i, h) in header.iter().enumerate() {
            if let Some((column, rank)) = LicenceColumn::from_header(h) {
                let slot = &mut best[column as usize];
                if slot.is_none_or(|(_, r)| rank < r) {
                    *slot = Some((i, rank));
                }
            }
        }
        LicenceMap {
            index: best.map(|b| b.map(|(i, _)| i)),
        }
    }

    fn get(&self, column: LicenceColumn) -> Option<usize> {
        self.index[column as usize]
    }

    fn missing(&self) -> Vec<LicenceColumn> {
        LicenceColumn::ALL
            .into_iter()
            .filter(|c| c.required() && self.get(*c).is_none())
            .collect()
    }

    /// (canonical name, header as written) for every recognised column, in canonical order.
    fn describe(&self, header: &[String]) -> Vec<(String, String)> {
        LicenceColumn::ALL
            .into_iter()
            .filter_map(|c| {
                self.get(c)
                    .map(|i| (c.name().to_string(), header[i].clone()))
            })
            .collect()
    }

    /// The header as written for `column`, or its canonical name.
    fn header_name<'a>(&self, header: &'a [String], column: LicenceColumn) -> &'a str {
        self.get(column)
            .map(|i| header[i].as_str())
            .unwrap_or(column.name())
    }
}

/// True when a header names a licence id and both ends of a validity window: the columns no
/// shipments, statistics or screening-list header has.
pub(super) fn looks_like_licences(header: &[String]) -> bool {
    let map = LicenceMap::from_header(header);
    [
        LicenceColumn::LicenceId,
        LicenceColumn::ValidFrom,
        LicenceColumn::ValidTo,
    ]
    .into_iter()
    .all(|c| map.get(c).is_some())
}

fn reject(column: LicenceColumn, message: impl Into<String>) -> RowError {
    (column.name().to_string(), message.into())
}

fn required<'a>(
    record: &'a csv::ByteRecord,
    map: &LicenceMap,
    column: LicenceColumn,
) -> Result<&'a str, RowError> {
    let text = map.get(column).map(|i| field(record, i)).unwrap_or("");
    if text.is_empty() {
        Err(reject(column, "missing value"))
    } else {
        Ok(text)
    }
}

fn optional<'a>(
    record: &'a csv::ByteRecord,
    map: &LicenceMap,
    column: LicenceColumn,
) -> Option<&'a str> {
    map.get(column)
        .map(|i| field(record, i))
        .filter(|t| !is_missing(t))
}

fn number(text: &str, column: LicenceColumn, decimal_comma: bool) -> Result<f64, RowError> {
    match parse_number(text, decimal_comma) {
        Some(v) if v < 0.0 => Err(reject(column, format!("negative number '{text}'"))),
        Some(v) => Ok(v),
        None => Err(reject(column, format!("unreadable number '{text}'"))),
    }
}

fn date(
    record: &csv::ByteRecord,
    map: &LicenceMap,
    column: LicenceColumn,
) -> Result<DateCell, RowError> {
    let text = required(record, map, column)?;
    parse_date(text)
        .ok_or_else(|| reject(column, format!("unreadable or impossible date '{text}'")))
}

fn window_error(from: Date, to: Date) -> RowError {
    reject(
        LicenceColumn::ValidTo,
        format!("valid_to {to} is before valid_from {from}"),
    )
}

fn order_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "day/month",
        DateOrder::Mdy => "month/day",
    }
}

/// The day/month order of one date column. A column whose own dates all fit both orders takes
/// the order the other validity column shows (a file writes its dates one way).
fn decide_order(
    own: OrderEvidence,
    other: OrderEvidence,
    column: &str,
    other_column: &str,
    forced: Option<DateOrder>,
) -> (DateOrder, Option<String>) {
    let decisive = |e: OrderEvidence| e.day_first + e.month_first > 0;
    if forced.is_none() && !decisive(own) && own.either > 0 && decisive(other) {
        let (order, _) = other.decide(other_column, None);
        let note = format!(
            "column '{column}' read as {} like column '{other_column}' ({} of its dates fit both orders)",
            order_name(order),
            own.either
        );
        return (order, Some(note));
    }
    own.decide(column, forced)
}

/// Which end of the validity window waits for its column's day/month order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    From,
    To,
}

pub(super) fn read(
    table: &Table<'_>,
    options: &ReadOptions,
    g: &Gazetteer,
    provenance: &mut Provenance,
    progress: Progress<'_>,
) -> ReadResult {
    let header = table.header;
    let map = LicenceMap::from_header(header);
    let missing = map.missing();
    if !missing.is_empty() {
        return Err(IngestError::MissingLicenceColumns {
            missing: missing
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(", "),
            found: super::describe_header(header),
        });
    }
    provenance.columns = map.describe(header);
    let mapping = options.mapping.as_ref();
    if mapping.is_some_and(|m| !m.pairs().is_empty()) {
        provenance.notes.push(
            "the mapping file's [columns] apply to shipment files; a licences file is read by its own header names".into(),
        );
    }
    let value_columns: Vec<usize> = [LicenceColumn::Quantity, LicenceColumn::ValueUsd]
        .into_iter()
        .filter_map(|c| map.get(c))
        .collect();
    let decimal_comma = mapping
        .and_then(|m| m.options.decimal_comma)
        .unwrap_or_else(|| super::sniff_decimal_comma(table, &value_columns));
    provenance.decimal_comma = decimal_comma;
    let date_order = options
        .date_order
        .or_else(|| mapping.and_then(|m| m.options.date_order));

    let mut countries = Countries::new(g);
    let mut licences: Vec<Licence> = Vec::new();
    // Dates that wait for their column's day/month order: (index in licences, end, a, b, year).
    let mut pending: Vec<(usize, End, u32, u32, i32)> = Vec::new();
    let mut from_evidence = OrderEvidence::default();
    let mut to_evidence = OrderEvidence::default();

    let (mut rejects, total) = for_each_record(table, progress, |line, record| {
        use LicenceColumn as C;
        let licence_id = required(record, &map, C::LicenceId)?;
        let exporter = required(record, &map, C::Exporter)?;
        let exporter_country = countries.get(
            C::ExporterCountry.name(),
            required(record, &map, C::ExporterCountry)?,
        )?;
        let consignee = required(record, &map, C::Consignee)?;
        let consignee_country = countries.get(
            C::ConsigneeCountry.name(),
            required(record, &map, C::ConsigneeCountry)?,
        )?;
        let hs_text = required(record, &map, C::HsCode)?;
        let hs_code = HsCode::parse(hs_text)
            .filter(|h| h.len() >= 4)
            .ok_or_else(|| {
                reject(
                    C::HsCode,
                    format!("'{hs_text}' is not a 4-10 digit HS heading or code"),
                )
            })?;
        let quantity_text = required(record, &map, C::Quantity)?;
        let quantity = number(quantity_text, C::Quantity, decimal_comma)?;
        if quantity == 0.0 {
            return Err(reject(
                C::Quantity,
                format!("licensed quantity '{quantity_text}' is zero"),
            ));
        }
        let value_usd = optional(record, &map, C::ValueUsd)
            .map(|t| number(t, C::ValueUsd, decimal_comma))
            .transpose()?;
        let from_cell = date(record, &map, C::ValidFrom)?;
        let to_cell = date(record, &map, C::ValidTo)?;
        if let (DateCell::Known(from), DateCell::Known(to)) = (from_cell, to_cell)
            && to < from
        {
            return Err(window_error(from, to));
        }
        let index = licences.len();
        let mut settle = |cell: DateCell, end: End, evidence: &mut OrderEvidence| match cell {
            DateCell::Known(d) => d,
            DateCell::Ambiguous { a, b, year } => {
                evidence.add(a, b);
                pending.push((index, end, a, b, year));
                Date(i32::MIN)
            }
        };
        let valid_from = settle(from_cell, End::From, &mut from_evidence);
        let valid_to = settle(to_cell, End::To, &mut to_evidence);
        licences.push(Licence {
            line,
            licence_id: licence_id.to_string(),
            exporter: NamedParty::new(exporter),
            exporter_country,
            consignee: NamedParty::new(consignee),
            consignee_country,
            hs_code,
            description: optional(record, &map, C::Description)
                .unwrap_or("")
                .to_string(),
            quantity,
            value_usd,
            valid_from,
            valid_to,
        });
        Ok(())
    })?;

    if !pending.is_empty() {
        let from_column = map.header_name(header, LicenceColumn::ValidFrom);
        let to_column = map.header_name(header, LicenceColumn::ValidTo);
        let (from_order, from_note) = decide_order(
            from_evidence,
            to_evidence,
            from_column,
            to_column,
            date_order,
        );
        let (to_order, to_note) = decide_order(
            to_evidence,
            from_evidence,
            to_column,
            from_column,
            date_order,
        );
        provenance.notes.extend(from_note);
        provenance.notes.extend(to_note);
        let mut failed: Vec<Option<RowError>> = vec![None; licences.len()];
        for &(i, end, a, b, year) in &pending {
            let (order, column, slot) = match end {
                End::From => (
                    from_order,
                    LicenceColumn::ValidFrom,
                    &mut licences[i].valid_from,
                ),
                End::To => (to_order, LicenceColumn::ValidTo, &mut licences[i].valid_to),
            };
            match order.resolve(a, b, year) {
                Some(d) => *slot = d,
                None => {
                    failed[i].get_or_insert_with(|| {
                        reject(
                            column,
                            format!("impossible date in {} order", order_name(order)),
                        )
                    });
                }
            }
        }
        for &(i, ..) in &pending {
            let l = &licences[i];
            if failed[i].is_none() && l.valid_to < l.valid_from {
                failed[i] = Some(window_error(l.valid_from, l.valid_to));
            }
        }
        if failed.iter().any(Option::is_some) {
            let mut kept = Vec::with_capacity(licences.len());
            for (l, failure) in licences.into_iter().zip(failed) {
                match failure {
                    Some((column, message)) => rejects.push(RejectedRow {
                        line: l.line,
                        column,
                        message,
                        fields: Vec::new(),
                    }),
                    None => kept.push(l),
                }
            }
            licences = kept;
            rejects.sort_by_key(|r| r.line);
            super::fill_fields(table, &mut rejects)?;
        }
    }
    Ok((Records::Licences(licences), rejects, total))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ingest::{IngestError, ReadOptions, read_bytes};
    use crate::model::{Dataset, Format};

    const HEADER: &str = "licence_id,exporter,exporter_country,consignee,consignee_country,hs_code,description,quantity,value_usd,valid_from,valid_to";

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn read_with(text: &str, options: &ReadOptions) -> Result<Dataset, IngestError> {
        read_bytes(
            text.as_bytes(),
            Path::new("licences.csv"),
            options,
            Gazetteer::embedded(),
            None,
        )
    }

    fn read(text: &str) -> Dataset {
        read_with(text, &ReadOptions::default()).unwrap()
    }

    fn code(id: crate::gazetteer::CountryId) -> String {
        Gazetteer::embedded().country(id).code()
    }

    fn ymd(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn licence_header_aliases_are_recognised() {
        let h = header(&[
            "License Number",
            "Licence Holder",
            "Applicant Country",
            "End User",
            "End-User Country",
            "HTS",
            "Product Description",
            "Licensed Quantity",
            "Licensed Value",
            "Issue Date",
            "Expiry Date",
        ]);
        let m = LicenceMap::from_header(&h);
        assert!(m.missing().is_empty(), "{:?}", m.missing());
        for (i, c) in LicenceColumn::ALL.into_iter().enumerate() {
            assert_eq!(m.get(c), Some(i), "{}", c.name());
        }
        let h = header(&[
            "Authorization",
            "Applicant",
            "Shipper Country",
            "Approved Consignee",
            "Buyer Country",
            "HS Code",
            "qty",
            "Start Date",
            "Expiry",
        ]);
        let m = LicenceMap::from_header(&h);
        assert!(m.missing().is_empty(), "{:?}", m.missing());
        assert_eq!(m.get(LicenceColumn::ExporterCountry), Some(2));
        assert_eq!(m.get(LicenceColumn::ConsigneeCountry), Some(4));
        assert_eq!(m.get(LicenceColumn::ValueUsd), None);
        // The better name wins when two headers mean one column.
        let m =
            LicenceMap::from_header(&header(&["Issue Date", "Valid From", "Buyer", "End User"]));
        assert_eq!(m.get(LicenceColumn::ValidFrom), Some(1));
        assert_eq!(m.get(LicenceColumn::Consignee), Some(3));
    }

    #[test]
    fn licences_are_told_apart_from_shipments_and_screening_lists() {
        assert!(looks_like_licences(&header(
            &HEADER.split(',').collect::<Vec<_>>()
        )));
        assert!(looks_like_licences(&header(&[
            "LICENSE_NO",
            "end_user",
            "Expiry",
            "Start Date"
        ])));
        let shipments = header(&[
            "Bill of Lading Number",
            "Arrival Date",
            "Shipper Name",
            "Shipper Country",
            "Consignee",
            "Consignee Country",
            "HS Code",
            "Quantity",
            "Value (USD)",
        ]);
        assert!(!looks_like_licences(&shipments));
        let csl = header(&[
            "_id",
            "source",
            "entity_number",
            "name",
            "start_date",
            "end_date",
            "license_requirement",
            "license_policy",
            "alt_names",
        ]);
        assert!(!looks_like_licences(&csl));

        let licences = format!(
            "{HEADER}\nL1,Nvidia Corp,US,Pearl River Compute,CN,8542.31,H200,100,,2025-01-01,2025-12-31\n"
        );
        assert_eq!(read(&licences).provenance.format, Format::Licences);
        // An export declaration that names its licence and its validity is still a shipment.
        let declaration = "date,exporter,exporter_country,importer,importer_country,hs_code,quantity,value_usd,licence_no,valid_from,valid_to\n\
                           2025-02-01,Nvidia Corp,US,Pearl River Compute,CN,854231,8,200000,L1,2025-01-01,2025-12-31\n";
        let d = read(declaration);
        assert_eq!(d.provenance.format, Format::Shipments);
        assert_eq!(d.shipments().len(), 1);
    }

    #[test]
    fn rows_load_with_their_fields() {
        let d = read(&format!(
            "{HEADER}\n\
             EX-2025-001,NVIDIA Corporation,USA,\"Pearl River Compute Co., Ltd.\",China,8542.31,NVIDIA H200 141GB GPU,\"1,000\",\"$25,000,000\",2025-03-15,2026-03-14\n\
             EX-2025-002,Nvidia Corp.,United States,Shenzhen AI Cloud,CN,8473,,40,n/a,15-Mar-2025,2025-09-30\n"
        ));
        assert_eq!(d.provenance.format, Format::Licences);
        assert_eq!((d.rows_total, d.licences().len()), (2, 2));
        assert!(d.rejects.is_empty(), "{:?}", d.rejects);
        assert!(d.shipments().is_empty() && d.watchlist().is_empty());
        let l = &d.licences()[0];
        assert_eq!(l.line, 2);
        assert_eq!(l.licence_id, "EX-2025-001");
        assert_eq!(l.exporter.name, "NVIDIA Corporation");
        assert_eq!(l.exporter.key, "nvidia");
        assert_eq!(l.consignee.name, "Pearl River Compute Co., Ltd.");
        assert_eq!(
            l.consignee.key,
            crate::parties::normalise("PEARL RIVER COMPUTE LTD")
        );
        assert_eq!(
            (code(l.exporter_country), code(l.consignee_country)),
            ("US".into(), "CN".into())
        );
        assert_eq!(l.hs_code.to_string(), "854231");
        assert_eq!(l.description, "NVIDIA H200 141GB GPU");
        assert_eq!(l.quantity, 1000.0);
        assert_eq!(l.value_usd, Some(25_000_000.0));
        assert_eq!(
            (l.valid_from, l.valid_to),
            (ymd(2025, 3, 15), ymd(2026, 3, 14))
        );
        let l = &d.licences()[1];
        assert_eq!(l.hs_code.to_string(), "8473");
        assert_eq!(l.value_usd, None);
        assert_eq!(l.description, "");
        assert_eq!(l.valid_from, ymd(2025, 3, 15));
        assert_eq!(l.exporter.key, d.licences()[0].exporter.key);
        assert_eq!(
            d.provenance.columns[0],
            ("licence_id".to_string(), "licence_id".to_string())
        );
    }

    #[test]
    fn bad_rows_are_rejected_with_column_and_reason() {
        let d = read(&format!(
            "{HEADER}\n\
             OK-1,Nvidia,US,Pearl River,CN,854231,,10,,2025-01-01,2025-12-31\n\
             ,Nvidia,US,Pearl River,CN,854231,,10,,2025-01-01,2025-12-31\n\
             L3,Nvidia,Atlantis,Pearl River,CN,854231,,10,,2025-01-01,2025-12-31\n\
             L4,Nvidia,US,Pearl River,World,854231,,10,,2025-01-01,2025-12-31\n\
             L5,Nvidia,US,Pearl River,CN,85,,10,,2025-01-01,2025-12-31\n\
             L6,Nvidia,US,Pearl River,CN,854231,,0,,2025-01-01,2025-12-31\n\
             L7,Nvidia,US,Pearl River,CN,854231,,-5,,2025-01-01,2025-12-31\n\
             L8,Nvidia,US,Pearl River,CN,854231,,10,-1,2025-01-01,2025-12-31\n\
             L9,Nvidia,US,Pearl River,CN,854231,,10,,2025-02-30,2025-12-31\n\
             L10,Nvidia,US,Pearl River,CN,854231,,10,,2025-06-01,2025-05-31\n\
             L11,Nvidia,US,,CN,854231,,10,,2025-01-01,2025-12-31\n\
             L12,Nvidia,US,Pearl River,CN,854231,,10,,2025-01-01,\n\
             L13,Nvidia,US\n"
        ));
        assert_eq!(d.rows_total, 13);
        assert_eq!(d.licences().len(), 1);
        let got: Vec<(u64, &str)> = d
            .rejects
            .iter()
            .map(|r| (r.line, r.column.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "licence_id"),
                (4, "exporter_country"),
                (5, "consignee_country"),
                (6, "hs_code"),
                (7, "quantity"),
                (8, "quantity"),
                (9, "value_usd"),
                (10, "valid_from"),
                (11, "valid_to"),
                (12, "consignee"),
                (13, "valid_to"),
                (14, "*"),
            ]
        );
        let message = |line: u64| {
            d.rejects
                .iter()
                .find(|r| r.line == line)
                .unwrap()
                .message
                .as_str()
        };
        assert_eq!(message(3), "missing value");
        assert!(message(4).contains("unknown country 'Atlantis'"));
        assert!(message(5).contains("not a country"));
        assert!(message(7).contains("zero"));
        assert!(message(8).contains("negative"));
        assert!(message(10).contains("2025-02-30"));
        assert_eq!(
            message(11),
            "valid_to 2025-05-31 is before valid_from 2025-06-01"
        );
        assert_eq!(d.rejects[0].fields[1], "Nvidia");
    }

    #[test]
    fn each_date_column_gets_its_day_month_order_and_late_rejects_keep_their_fields() {
        // valid_to has a day over 12 (day first); valid_from's dates fit both orders and follow it.
        let d = read(&format!(
            "{HEADER}\n\
             L1,Nvidia,US,Pearl River,CN,854231,,10,,01/04/2025,31/03/2026\n\
             L2,Nvidia,US,Pearl River,CN,854231,,10,,02/05/2025,15/04/2026\n\
             L3,Nvidia,US,Pearl River,CN,854231,,10,,05/06/2025,03/02/2025\n"
        ));
        assert_eq!(d.licences().len(), 2);
        assert_eq!(d.licences()[0].valid_from, ymd(2025, 4, 1));
        assert_eq!(d.licences()[0].valid_to, ymd(2026, 3, 31));
        assert_eq!(d.licences()[1].valid_from, ymd(2025, 5, 2));
        assert!(
            d.provenance
                .notes
                .iter()
                .any(|n| n.contains("'valid_from' read as day/month like column 'valid_to'")),
            "{:?}",
            d.provenance.notes
        );
        // Only once both dates are known is 3 Feb 2025 found before 5 Jun 2025.
        assert_eq!(d.rejects.len(), 1);
        assert_eq!(
            (d.rejects[0].line, d.rejects[0].column.as_str()),
            (4, "valid_to")
        );
        assert_eq!(
            d.rejects[0].message,
            "valid_to 2025-02-03 is before valid_from 2025-06-05"
        );
        assert_eq!(d.rejects[0].fields[0], "L3");

        // Forced order wins; a date impossible in it is rejected on its own column.
        let forced = ReadOptions {
            date_order: Some(DateOrder::Mdy),
            ..Default::default()
        };
        let d = read_with(
            &format!(
                "{HEADER}\n\
                 L1,Nvidia,US,Pearl River,CN,854231,,10,,01/04/2025,03/31/2026\n\
                 L2,Nvidia,US,Pearl River,CN,854231,,10,,13/04/2025,03/31/2026\n"
            ),
            &forced,
        )
        .unwrap();
        assert_eq!(d.licences().len(), 1);
        assert_eq!(d.licences()[0].valid_from, ymd(2025, 1, 4));
        assert_eq!(
            (d.rejects[0].line, d.rejects[0].column.as_str()),
            (3, "valid_from")
        );
        assert!(d.rejects[0].message.contains("month/day"));
    }

    #[test]
    fn semicolon_files_with_decimal_commas_load() {
        let d = read(
            "Licence No;Applicant;Applicant Country;End User;End User Country;HS;Licensed Quantity;Licensed Value;Start Date;End Date\n\
             L1;Rhein Server GmbH;Deutschland;Almaty Systems LLP;Kazakhstan;8471.50;12,5;1.234.567,50;15.03.2025;14.03.2026\n",
        );
        assert_eq!(d.provenance.format, Format::Licences);
        assert!(d.provenance.decimal_comma);
        let l = &d.licences()[0];
        assert_eq!((l.quantity, l.value_usd), (12.5, Some(1_234_567.5)));
        assert_eq!(l.valid_to, ymd(2026, 3, 14));
        assert_eq!(code(l.consignee_country), "KZ");
    }

    #[test]
    fn a_forced_licences_format_names_the_missing_columns() {
        let forced = ReadOptions {
            format: Some(Format::Licences),
            ..Default::default()
        };
        let err = read_with(
            "date,exporter,exporter_country,importer,importer_country,hs_code,quantity,value_usd\n2025-01-01,A,US,B,SG,854231,1,1\n",
            &forced,
        )
        .unwrap_err();
        assert!(matches!(err, IngestError::MissingLicenceColumns { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("licence_id, valid_from, valid_to") && msg.contains("'importer'"),
            "{msg}"
        );
        // A licences header that lacks a required column is still named as licences.
        let err = read_with(
            "licence_id,exporter,consignee,hs_code,quantity,valid_from,valid_to\nL1,A,B,8542,1,2025-01-01,2025-12-31\n",
            &ReadOptions::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("exporter_country, consignee_country"),
            "{err}"
        );
    }
}
