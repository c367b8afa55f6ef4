//! Legacy UN Comtrade downloads (data-formats §2b): the 35-column layout (`Classification, Year,
//! Period, ..., Trade Flow Code, Reporter Code, Partner Code, 2nd Partner Code, Customs Proc.
//! Code, Mode of Transport Code, Commodity Code, Qty Unit, ..., Trade Value (US$), ...`), the
//! 12-column short layout, and Comtrade+ files saved with these headers (flows `M, X, DX, FM,
//! RX, RM, XOP`, world as `W00`, customs `C00`, mode `0`). Rows become [`Flow`]s with the same
//! breakdown fields as the Comtrade+ reader fills, so corridors sum one level.

use super::comtrade::{m49, part};
use super::statistics::{self, AreaCode, Classification, Skipped, cell, qty_unit};
use super::values::parse_number;
use super::{
    IngestError, Progress, ReadResult, RowError, Table, field, find, for_each_record, row_error,
};
use crate::gazetteer::{AreaKind, Gazetteer};
use crate::model::{Flow, FlowCode, Format, HsCode, Provenance, Records};

/// True for a legacy Comtrade header: reporter, partner and commodity codes and a trade flow,
/// named as the legacy download names them (`Reporter Code`, `Commodity Code`, `Trade Flow Code`).
pub(super) fn looks_like_legacy(keys: &[String]) -> bool {
    let has = |k: &str| keys.iter().any(|x| x == k);
    has("reportercode")
        && has("partnercode")
        && has("commoditycode")
        && (has("tradeflowcode") || has("tradeflow"))
}

struct Cols {
    classification: Option<usize>,
    year: Option<usize>,
    period: Option<usize>,
    flow_code: Option<usize>,
    flow_name: Option<usize>,
    reporter: usize,
    reporter_iso: Option<usize>,
    reporter_name: Option<usize>,
    partner: usize,
    partner_iso: Option<usize>,
    partner_name: Option<usize>,
    partner2: Option<usize>,
    partner2_iso: Option<usize>,
    customs: Option<usize>,
    mot: Option<usize>,
    commodity: usize,
    qty_unit_code: Option<usize>,
    qty_unit: Option<usize>,
    qty: Option<usize>,
    net_wgt: Option<usize>,
    value: Option<usize>,
    cif: Option<usize>,
    fob: Option<usize>,
}

/// An area from its M49 code, or from its ISO code (often empty, `W00` for the world) or its
/// name when the code is missing or unknown.
fn place(
    g: &Gazetteer,
    column: &str,
    code: &str,
    iso: &str,
    name: &str,
) -> Result<AreaCode, RowError> {
    if !code.is_empty() {
        match m49(g, column, code) {
            Ok(id) => {
                let group = (g.country(id).kind != AreaKind::Country).then(|| code.to_string());
                return Ok(AreaCode { id, group });
            }
            // An unknown M49 number: the ISO code or the name may still say which area it is.
            Err(e) if code.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
                if iso.is_empty() && name.is_empty() {
                    return Err(e);
                }
                return statistics::area(g, column, iso, name).map_err(|_| e);
            }
            Err(_) => {}
        }
    }
    let iso = if iso.is_empty() { code } else { iso };
    statistics::area(g, column, iso, name)
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
            format: Format::ComtradeLegacy,
            missing: name.to_string(),
            found: super::describe_header(h),
        })
    };
    let cols = Cols {
        classification: find(h, "Classification"),
        year: find(h, "Year"),
        period: find(h, "Period"),
        flow_code: find(h, "Trade Flow Code"),
        flow_name: find(h, "Trade Flow"),
        reporter: need("Reporter Code")?,
        reporter_iso: find(h, "Reporter ISO"),
        reporter_name: find(h, "Reporter"),
        partner: need("Partner Code")?,
        partner_iso: find(h, "Partner ISO"),
        partner_name: find(h, "Partner"),
        partner2: find(h, "2nd Partner Code"),
        partner2_iso: find(h, "2nd Partner ISO"),
        customs: find(h, "Customs Proc. Code").or_else(|| find(h, "Customs Code")),
        mot: find(h, "Mode of Transport Code"),
        commodity: need("Commodity Code")?,
        qty_unit_code: find(h, "Qty Unit Code"),
        qty_unit: find(h, "Qty Unit"),
        qty: find(h, "Qty"),
        net_wgt: find(h, "Netweight (kg)").or_else(|| find(h, "Net Weight (kg)")),
        value: find(h, "Trade Value (US$)").or_else(|| find(h, "Trade Value")),
        cif: find(h, "CIF Trade Value (US$)"),
        fob: find(h, "FOB Trade Value (US$)"),
    };
    let missing = |what: &str| IngestError::MissingColumns {
        format: Format::ComtradeLegacy,
        missing: what.to_string(),
        found: super::describe_header(h),
    };
    if cols.year.is_none() && cols.period.is_none() {
        return Err(missing("Year or Period"));
    }
    if cols.flow_code.is_none() && cols.flow_name.is_none() {
        return Err(missing("Trade Flow Code"));
    }
    if cols.value.is_none() && cols.cif.is_none() && cols.fob.is_none() {
        return Err(missing("Trade Value (US$)"));
    }
    provenance.columns = [
        ("classification", cols.classification),
        ("reporter", Some(cols.reporter)),
        ("partner", Some(cols.partner)),
        ("consigned_from", cols.partner2),
        ("flow", cols.flow_code.or(cols.flow_name)),
        ("customs_procedure", cols.customs),
        ("transport_mode", cols.mot),
        ("hs_code", Some(cols.commodity)),
        ("year", cols.year),
        ("period", cols.period),
        ("qty_unit", cols.qty_unit.or(cols.qty_unit_code)),
        ("value_usd", cols.value),
    ]
    .into_iter()
    .filter_map(|(name, i)| i.map(|i| (name.to_string(), h[i].clone())))
    .collect();
    let value_cols: Vec<usize> = [cols.value, cols.cif, cols.fob, cols.qty, cols.net_wgt]
        .into_iter()
        .flatten()
        .collect();
    let decimal_comma = super::sniff_decimal_comma(table, &value_cols);
    provenance.decimal_comma = decimal_comma;
    let number = |t: &str| statistics::number(t, decimal_comma);

    let mut flows = Vec::new();
    let mut skipped = Skipped::default();
    let (rejects, total) = for_each_record(table, progress, |line, r| {
        if skipped.skip(&Classification::of(cell(r, cols.classification), "")) {
            return Ok(());
        }
        let period = match cell(r, cols.period) {
            "" => statistics::period("Year", cell(r, cols.year))?,
            p => statistics::period("Period", p)?,
        };
        let reporter = place(
            g,
            "Reporter Code",
            field(r, cols.reporter),
            cell(r, cols.reporter_iso),
            cell(r, cols.reporter_name),
        )?
        .id;
        let partner = place(
            g,
            "Partner Code",
            field(r, cols.partner),
            cell(r, cols.partner_iso),
            cell(r, cols.partner_name),
        )?
        .id;
        let p2_code = cell(r, cols.partner2);
        let p2_iso = cell(r, cols.partner2_iso);
        let consigned_from = match (p2_code, p2_iso) {
            ("" | "0" | "0.0", "" | "W00" | "WLD") => None,
            ("0" | "0.0", _) => None,
            _ => Some(place(g, "2nd Partner Code", p2_code, p2_iso, "")?.id),
        };
        let flow_code = flow(cell(r, cols.flow_code), cell(r, cols.flow_name))?;
        let direction = flow_code.direction();
        let cmd = field(r, cols.commodity);
        let hs_code = if cmd.eq_ignore_ascii_case("TOTAL") || cmd.eq_ignore_ascii_case("ALL") {
            HsCode::TOTAL
        } else {
            HsCode::parse(cmd)
                .ok_or_else(|| row_error("Commodity Code", format!("'{cmd}' is not an HS code")))?
        };
        let cif_usd = number(cell(r, cols.cif));
        let fob_usd = number(cell(r, cols.fob));
        let value_text = cell(r, cols.value);
        let value_usd = if value_text.is_empty() {
            if direction.is_import() {
                cif_usd.or(fob_usd)
            } else {
                fob_usd.or(cif_usd)
            }
            .ok_or_else(|| row_error("Trade Value (US$)", "missing value"))?
        } else {
            parse_number(value_text, decimal_comma).ok_or_else(|| {
                row_error(
                    "Trade Value (US$)",
                    format!("unreadable number '{value_text}'"),
                )
            })?
        };
        if value_usd < 0.0 {
            return Err(row_error(
                "Trade Value (US$)",
                format!("negative number '{value_text}'"),
            ));
        }
        let qty_unit = qty_unit("", cell(r, cols.qty_unit), cell(r, cols.qty_unit_code));
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
            quantity: statistics::quantity(cell(r, cols.qty), &qty_unit, decimal_comma),
            qty_unit,
            net_weight_kg: number(cell(r, cols.net_wgt)).filter(|w| *w >= 0.0),
        });
        Ok(())
    })?;
    skipped.finish(flows.len() + rejects.len(), provenance)?;
    Ok((Records::Flows(flows), rejects, total - skipped.count()))
}

/// The flow from `Trade Flow Code` (1-4, or the Comtrade+ letters M, X, DX, FM, RX, RM and the
/// processing codes), else from the `Trade Flow` name.
fn flow(code: &str, name: &str) -> Result<FlowCode, RowError> {
    let code = code.strip_suffix(".0").unwrap_or(code);
    FlowCode::parse(code)
        .or_else(|| FlowCode::parse(name))
        .ok_or_else(|| {
            let shown = if code.is_empty() { name } else { code };
            row_error(
                "Trade Flow Code",
                format!(
                    "unknown trade flow '{shown}' (expected 1-4, M, X, DX, FM, RX, RM, XOP, XIP, MIP, MOP or their names)"
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_read_from_codes_letters_and_names() {
        assert_eq!(flow("1", "Import").unwrap(), FlowCode::Import);
        assert_eq!(flow("3", "").unwrap(), FlowCode::ReExport);
        assert_eq!(flow("DX", "").unwrap(), FlowCode::DomesticExport);
        assert_eq!(
            flow("XOP", "Export of goods for outward processing").unwrap(),
            FlowCode::OutwardProcessingExport
        );
        assert_eq!(flow("", "Re-Import").unwrap(), FlowCode::ReImport);
        assert_eq!(flow("2.0", "").unwrap(), FlowCode::Export);
        assert!(flow("9", "Sideways").is_err());
    }
}
