//! World Bank WITS exports of Comtrade data (data-formats §2b): `ReporterISO3, ProductCode,
//! PartnerISO3, Year, TradeFlowCode, TradeValue in 1000 USD, ReporterName, PartnerName,
//! TradeFlowName, NetWeight in KGM, Quantity, QtyUnit`. Values are in thousands of USD, areas
//! ISO alpha-3 codes or groups (`WLD`, `ASEAN`, `EUN`: loaded as groups, kept out of
//! corridors, and named in a note), and the product may be a name the user gave a product group
//! in WITS rather than an HS code (said in one note, the rows read as all products).

use std::collections::BTreeMap;

use super::statistics::{self, Classification, Groups, Skipped, cell, qty_unit, thousands};
use super::values::parse_number;
use super::{
    IngestError, Progress, ReadResult, RowError, Table, field, find, for_each_record, row_error,
};
use crate::gazetteer::Gazetteer;
use crate::model::{Flow, FlowCode, Format, HsCode, Period, Provenance, Records};
use crate::text::squash;

/// True for a WITS header: reporter and partner ISO3 codes, a product code and a trade value.
pub(super) fn looks_like_wits(keys: &[String]) -> bool {
    let has = |k: &str| keys.iter().any(|x| x == k);
    has("reporteriso3")
        && has("partneriso3")
        && has("productcode")
        && keys.iter().any(|k| k.starts_with("tradevalue"))
}

/// The flow a WITS row states: `TradeFlowName` (Import, Export, Re-Export, Re-Import, Gross Imp.,
/// Gross Exp.), else `TradeFlowCode` as WITS numbers them (5 imports, 6 exports, 3 re-exports,
/// 4 re-imports) or as Comtrade letters.
fn flow(code: &str, name: &str) -> Result<FlowCode, RowError> {
    let by_name = match squash(name).as_str() {
        "import" | "imports" | "grossimp" | "grossimports" => Some(FlowCode::Import),
        "export" | "exports" | "grossexp" | "grossexports" => Some(FlowCode::Export),
        "reexport" | "reexports" => Some(FlowCode::ReExport),
        "reimport" | "reimports" => Some(FlowCode::ReImport),
        _ => None,
    };
    let code = code.strip_suffix(".0").unwrap_or(code);
    let by_code = || match code {
        "5" => Some(FlowCode::Import),
        "6" => Some(FlowCode::Export),
        "3" => Some(FlowCode::ReExport),
        "4" => Some(FlowCode::ReImport),
        c if c.bytes().all(|b| b.is_ascii_alphabetic()) => FlowCode::parse(c),
        _ => None,
    };
    by_name.or_else(by_code).ok_or_else(|| {
        let shown = if name.is_empty() { code } else { name };
        row_error(
            "TradeFlowName",
            format!(
                "unknown trade flow '{shown}' (expected Import, Export, Re-Export or Re-Import)"
            ),
        )
    })
}

pub(super) fn read(
    table: &Table<'_>,
    g: &Gazetteer,
    provenance: &mut Provenance,
    progress: Progress<'_>,
) -> ReadResult {
    let h = table.header;
    let missing = |what: &str| IngestError::MissingColumns {
        format: Format::Wits,
        missing: what.to_string(),
        found: super::describe_header(h),
    };
    let need = |name: &str| find(h, name).ok_or_else(|| missing(name));
    let reporter = need("ReporterISO3")?;
    let partner = need("PartnerISO3")?;
    let product = need("ProductCode")?;
    let year = need("Year")?;
    let value = h
        .iter()
        .position(|k| squash(k).starts_with("tradevalue"))
        .ok_or_else(|| missing("TradeValue in 1000 USD"))?;
    let value_key = squash(&h[value]);
    let in_thousands = value_key.contains("1000") || value_key.contains("thousand");
    let flow_code = find(h, "TradeFlowCode");
    let flow_name = find(h, "TradeFlowName");
    if flow_code.is_none() && flow_name.is_none() {
        return Err(missing("TradeFlowName or TradeFlowCode"));
    }
    let reporter_name = find(h, "ReporterName");
    let partner_name = find(h, "PartnerName");
    let net_wgt = h.iter().position(|k| squash(k).starts_with("netweight"));
    let qty = find(h, "Quantity");
    let unit = find(h, "QtyUnit");
    let classification = find(h, "Nomenclature").or_else(|| find(h, "Classification"));
    provenance.columns = [
        ("reporter", Some(reporter)),
        ("partner", Some(partner)),
        ("flow", flow_name.or(flow_code)),
        ("hs_code", Some(product)),
        ("year", Some(year)),
        (
            if in_thousands {
                "value_kusd"
            } else {
                "value_usd"
            },
            Some(value),
        ),
        ("net_weight_kg", net_wgt),
        ("quantity", qty),
        ("qty_unit", unit),
    ]
    .into_iter()
    .filter_map(|(name, i)| i.map(|i| (name.to_string(), h[i].clone())))
    .collect();

    let mut flows = Vec::new();
    let mut groups = Groups::default();
    let mut skipped = Skipped::default();
    // Product codes that are names (a WITS product group), with their row counts.
    let mut named_products: BTreeMap<String, usize> = BTreeMap::new();
    let (rejects, total) = for_each_record(table, progress, |line, r| {
        if skipped.skip(&Classification::of(cell(r, classification), "")) {
            return Ok(());
        }
        let year_text = field(r, year);
        let y: i32 = year_text
            .strip_suffix(".0")
            .unwrap_or(year_text)
            .parse()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| row_error("Year", format!("'{year_text}' is not a year")))?;
        let rep = statistics::area(
            g,
            "ReporterISO3",
            field(r, reporter),
            cell(r, reporter_name),
        )?;
        let par = statistics::area(g, "PartnerISO3", field(r, partner), cell(r, partner_name))?;
        let flow_code = flow(cell(r, flow_code), cell(r, flow_name))?;
        let direction = flow_code.direction();
        let product_text = field(r, product);
        let hs_code = match HsCode::parse(product_text) {
            Some(code) => code,
            None if product_text.is_empty() => {
                return Err(row_error("ProductCode", "missing value"));
            }
            None if ["total", "all", "all products", "tot"]
                .iter()
                .any(|t| product_text.eq_ignore_ascii_case(t)) =>
            {
                HsCode::TOTAL
            }
            // Letters: a product group's name, not a mistyped code.
            None if product_text.chars().any(char::is_alphabetic) => {
                *named_products.entry(product_text.to_string()).or_default() += 1;
                HsCode::TOTAL
            }
            None => {
                return Err(row_error(
                    "ProductCode",
                    format!("'{product_text}' is not an HS code"),
                ));
            }
        };
        let value_text = field(r, value);
        let value_usd = if in_thousands {
            thousands(value_text)
        } else {
            parse_number(value_text, false)
        }
        .ok_or_else(|| {
            let what = if value_text.is_empty() {
                "missing value".to_string()
            } else {
                format!("unreadable number '{value_text}'")
            };
            row_error(&h[value], what)
        })?;
        if value_usd < 0.0 {
            return Err(row_error(
                &h[value],
                format!("negative number '{value_text}'"),
            ));
        }
        let qty_unit = qty_unit(cell(r, unit), "", "");
        groups.add(&rep);
        groups.add(&par);
        flows.push(Flow {
            line,
            period: Period {
                year: y,
                month: None,
            },
            reporter: rep.id,
            partner: par.id,
            consigned_from: None,
            direction,
            flow_code,
            transport_part: None,
            customs_part: None,
            hs_code,
            value_usd,
            cif_usd: None,
            fob_usd: None,
            quantity: statistics::quantity(cell(r, qty), &qty_unit, false),
            qty_unit,
            net_weight_kg: statistics::number(cell(r, net_wgt), false).filter(|w| *w >= 0.0),
        });
        Ok(())
    })?;
    skipped.finish(flows.len() + rejects.len(), provenance)?;
    if in_thousands {
        provenance
            .notes
            .push(format!("'{}' read as thousands of USD", h[value]));
    }
    groups.note(g, provenance);
    if !named_products.is_empty() {
        let list: Vec<String> = named_products
            .iter()
            .take(5)
            .map(|(name, n)| format!("'{name}' ({n} rows)"))
            .collect();
        let more = named_products.len().saturating_sub(5);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        provenance.notes.push(format!(
            "ProductCode is a name, not an HS code: {}{more}: a product group defined in WITS; its rows are read as all products of the group (HS TOTAL) and stay out of the HS corridors",
            list.join(", ")
        ));
    }
    Ok((Records::Flows(flows), rejects, total - skipped.count()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_read_from_names_then_codes() {
        assert_eq!(flow("5", "Import").unwrap(), FlowCode::Import);
        assert_eq!(flow("6", "Export").unwrap(), FlowCode::Export);
        assert_eq!(flow("4", "Re-Import").unwrap(), FlowCode::ReImport);
        assert_eq!(flow("", "Re-Export").unwrap(), FlowCode::ReExport);
        assert_eq!(flow("", "Gross Imp.").unwrap(), FlowCode::Import);
        assert_eq!(flow("6", "").unwrap(), FlowCode::Export);
        assert_eq!(flow("RX", "").unwrap(), FlowCode::ReExport);
        assert!(flow("9", "").is_err());
    }
}
