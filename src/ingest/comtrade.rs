//! UN Comtrade downloads (Comtrade+ / API v1, 47 columns): one row per reporter, partner,
//! commodity and period, with M49 codes.

use super::statistics::{Classification, Skipped, cell, number, qty_unit, quantity};
use super::values::parse_number;
use super::{
    IngestError, Progress, ReadResult, RowError, Table, field, find, for_each_record, row_error,
};
use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{Flow, FlowCode, HsCode, Period, Provenance, Records};

struct Cols {
    freq: Option<usize>,
    year: Option<usize>,
    month: Option<usize>,
    period: Option<usize>,
    reporter: usize,
    partner: usize,
    partner2: Option<usize>,
    flow: usize,
    customs: Option<usize>,
    mot: Option<usize>,
    cmd: usize,
    type_code: Option<usize>,
    classification: Option<usize>,
    qty_unit_abbr: Option<usize>,
    qty_unit_code: Option<usize>,
    qty: Option<usize>,
    net_wgt: Option<usize>,
    cif: Option<usize>,
    fob: Option<usize>,
    primary: Option<usize>,
}

/// Reads an M49 code cell (`156`, `051`, `156.0`).
pub(super) fn m49(g: &Gazetteer, column: &str, text: &str) -> Result<CountryId, RowError> {
    if text.is_empty() {
        return Err(row_error(column, "missing value"));
    }
    let code = text.strip_suffix(".0").unwrap_or(text);
    let n: u16 = code
        .parse()
        .map_err(|_| row_error(column, format!("'{text}' is not an M49 country code")))?;
    g.by_m49(n)
        .ok_or_else(|| row_error(column, format!("unknown M49 country code {n}")))
}

/// A breakdown cell as written, `None` when it is the total (`total`, e.g. motCode `0` or
/// customsCode `C00`), empty or absent.
pub(super) fn part(record: &csv::ByteRecord, i: Option<usize>, total: &str) -> Option<Box<str>> {
    let text = field(record, i?);
    let text = text.strip_suffix(".0").unwrap_or(text);
    (!text.is_empty() && !text.eq_ignore_ascii_case(total)).then(|| text.into())
}

pub(super) fn read(
    table: &Table<'_>,
    g: &Gazetteer,
    provenance: &mut Provenance,
    progress: Progress<'_>,
) -> ReadResult {
    let h = table.header;
    let need = |name: &str| {
        find(h, name).ok_or_else(|| IngestError::MissingColumns {
            format: crate::model::Format::Comtrade,
            missing: name.to_string(),
            found: super::describe_header(h),
        })
    };
    let cols = Cols {
        freq: find(h, "freqCode"),
        year: find(h, "refYear"),
        month: find(h, "refMonth"),
        period: find(h, "period"),
        reporter: need("reporterCode")?,
        partner: need("partnerCode")?,
        partner2: find(h, "partner2Code"),
        flow: need("flowCode")?,
        customs: find(h, "customsCode"),
        mot: find(h, "motCode"),
        cmd: need("cmdCode")?,
        type_code: find(h, "typeCode"),
        classification: find(h, "classificationCode")
            .or_else(|| find(h, "classificationSearchCode")),
        qty_unit_abbr: find(h, "qtyUnitAbbr"),
        qty_unit_code: find(h, "qtyUnitCode"),
        qty: find(h, "qty"),
        net_wgt: find(h, "netWgt"),
        cif: find(h, "cifvalue"),
        fob: find(h, "fobvalue"),
        primary: find(h, "primaryValue"),
    };
    if cols.year.is_none() && cols.period.is_none() {
        return Err(IngestError::MissingColumns {
            format: crate::model::Format::Comtrade,
            missing: "refYear or period".into(),
            found: super::describe_header(h),
        });
    }
    provenance.columns = [
        ("reporter", Some(cols.reporter)),
        ("partner", Some(cols.partner)),
        ("consigned_from", cols.partner2),
        ("flow", Some(cols.flow)),
        ("customs_procedure", cols.customs),
        ("transport_mode", cols.mot),
        ("hs_code", Some(cols.cmd)),
        ("year", cols.year),
        ("period", cols.period),
        ("value_usd", cols.primary),
    ]
    .into_iter()
    .filter_map(|(name, i)| i.map(|i| (name.to_string(), h[i].clone())))
    .collect();

    let mut flows = Vec::new();
    let mut skipped = Skipped::default();
    let (rejects, total) = for_each_record(table, progress, |line, r| {
        // Services and SITC/BEC rows are not goods in HS codes: skipped with a note.
        let class = Classification::of(cell(r, cols.classification), cell(r, cols.type_code));
        if skipped.skip(&class) {
            return Ok(());
        }
        let period = period(r, &cols)?;
        let reporter = m49(g, "reporterCode", field(r, cols.reporter))?;
        let partner = m49(g, "partnerCode", field(r, cols.partner))?;
        let consigned_from = match cols.partner2.map(|i| field(r, i)).filter(|t| !t.is_empty()) {
            None | Some("0") => None,
            Some(t) => Some(m49(g, "partner2Code", t)?),
        };
        let flow_text = field(r, cols.flow);
        let flow_code = FlowCode::parse(flow_text).ok_or_else(|| {
            row_error(
                "flowCode",
                format!("unknown flow code '{flow_text}' (expected M, X, RX, RM, DX or FM)"),
            )
        })?;
        let direction = flow_code.direction();
        let cmd = field(r, cols.cmd);
        let hs_code = if cmd.eq_ignore_ascii_case("TOTAL") {
            HsCode::TOTAL
        } else {
            HsCode::parse(cmd)
                .ok_or_else(|| row_error("cmdCode", format!("'{cmd}' is not an HS code")))?
        };
        let cif_usd = number(cell(r, cols.cif), false);
        let fob_usd = number(cell(r, cols.fob), false);
        let primary_text = cols.primary.map(|i| field(r, i)).unwrap_or("");
        let value_usd = if primary_text.is_empty() {
            if direction.is_import() {
                cif_usd.or(fob_usd)
            } else {
                fob_usd.or(cif_usd)
            }
            .ok_or_else(|| {
                row_error(
                    "primaryValue",
                    "missing value (and no cifvalue or fobvalue)",
                )
            })?
        } else {
            parse_number(primary_text, false).ok_or_else(|| {
                row_error(
                    "primaryValue",
                    format!("unreadable number '{primary_text}'"),
                )
            })?
        };
        if value_usd < 0.0 {
            return Err(row_error(
                "primaryValue",
                format!("negative number '{primary_text}'"),
            ));
        }
        let qty_unit = qty_unit(cell(r, cols.qty_unit_abbr), "", cell(r, cols.qty_unit_code));
        flows.push(Flow {
            line,
            period,
            reporter,
            partner,
            consigned_from,
            direction,
            flow_code,
            transport_part: part(r, cols.mot, "0"),
            customs_part: part(r, cols.customs, "C00"),
            hs_code,
            value_usd,
            cif_usd,
            fob_usd,
            quantity: quantity(cell(r, cols.qty), &qty_unit, false),
            qty_unit,
            net_weight_kg: number(cell(r, cols.net_wgt), false).filter(|w| *w >= 0.0),
        });
        Ok(())
    })?;
    skipped.finish(flows.len() + rejects.len(), provenance)?;
    Ok((Records::Flows(flows), rejects, total - skipped.count()))
}

/// The period of a row: `refYear` + `refMonth` (52 = annual), else `period` (`2023` or `202303`).
fn period(r: &csv::ByteRecord, cols: &Cols) -> Result<Period, RowError> {
    let annual_freq = cols.freq.map(|i| field(r, i).eq_ignore_ascii_case("A"));
    if let Some(year_text) = cols.year.map(|i| field(r, i)).filter(|t| !t.is_empty()) {
        let year: i32 = year_text
            .parse()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| row_error("refYear", format!("'{year_text}' is not a year")))?;
        let month_text = cols.month.map(|i| field(r, i)).unwrap_or("");
        let month = if annual_freq == Some(true) || month_text.is_empty() || month_text == "52" {
            None
        } else {
            match month_text.parse::<u8>() {
                Ok(m @ 1..=12) => Some(m),
                _ => {
                    let message = format!("'{month_text}' is not a month (1-12, or 52 for annual)");
                    return Err(row_error("refMonth", message));
                }
            }
        };
        return Ok(Period { year, month });
    }
    let text = cols.period.map(|i| field(r, i)).unwrap_or("");
    let bad = || {
        row_error(
            "period",
            format!("'{text}' is not a period (YYYY or YYYYMM)"),
        )
    };
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match text.len() {
        4 => Ok(Period {
            year: text.parse().map_err(|_| bad())?,
            month: None,
        }),
        6 => {
            let year = text[..4].parse().map_err(|_| bad())?;
            let month: u8 = text[4..].parse().map_err(|_| bad())?;
            if !(1..=12).contains(&month) {
                return Err(bad());
            }
            Ok(Period {
                year,
                month: Some(month),
            })
        }
        _ => Err(bad()),
    }
}
