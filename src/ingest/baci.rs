//! CEPII BACI: `t,i,j,k,v,q` = year, exporter, importer (M49-style codes), HS6 product, value in
//! thousand USD, quantity in metric tonnes (sometimes empty or `NA`).

use super::containers::{BaciCountries, CountryCodes};
use super::values::{is_missing, parse_number};
use super::{IngestError, Progress, ReadResult, Table, field, find, for_each_record};
use crate::gazetteer::Gazetteer;
use crate::model::{Flow, FlowCode, FlowDirection, HsCode, Period, Provenance, Records};

pub(super) fn read(
    table: &Table<'_>,
    g: &Gazetteer,
    codes: Option<&CountryCodes>,
    provenance: &mut Provenance,
    progress: Progress<'_>,
) -> ReadResult {
    let h = table.header;
    let need = |name: &str| {
        find(h, name).ok_or_else(|| IngestError::MissingColumns {
            format: crate::model::Format::Baci,
            missing: name.to_string(),
            found: super::describe_header(h),
        })
    };
    let (t, i, j, k, v) = (need("t")?, need("i")?, need("j")?, need("k")?, need("v")?);
    let q = find(h, "q");
    provenance.columns = [
        ("year", t),
        ("exporter", i),
        ("importer", j),
        ("hs_code", k),
        ("value_kusd", v),
    ]
    .into_iter()
    .map(|(name, idx)| (name.to_string(), h[idx].clone()))
    .collect();
    let mut padded = 0usize;
    let mut countries = BaciCountries::new(g, codes);
    let mut flows = Vec::new();
    let (rejects, total) = for_each_record(table, progress, |line, r| {
        let year_text = field(r, t);
        let year: i32 = year_text
            .parse()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| ("t".to_string(), format!("'{year_text}' is not a year")))?;
        let reporter = countries.get("i", field(r, i))?;
        let partner = countries.get("j", field(r, j))?;
        let k_text = field(r, k);
        // HS6 codes lose their leading zero when a spreadsheet has touched the file.
        let hs_code = match HsCode::parse(k_text) {
            Some(code) if code.len() == 6 => code,
            Some(code) if code.len() == 5 => {
                padded += 1;
                HsCode::parse(&format!("0{k_text}")).unwrap_or(code)
            }
            _ => return Err(("k".to_string(), format!("'{k_text}' is not an HS6 code"))),
        };
        let v_text = field(r, v);
        let value = parse_number(v_text, false)
            .filter(|x| *x >= 0.0)
            .ok_or_else(|| {
                (
                    "v".to_string(),
                    format!("unreadable or negative value '{v_text}'"),
                )
            })?;
        let tonnes = q
            .map(|qi| field(r, qi))
            .filter(|s| !is_missing(s))
            .map(|s| {
                parse_number(s, false).filter(|x| *x >= 0.0).ok_or_else(|| {
                    (
                        "q".to_string(),
                        format!("unreadable or negative quantity '{s}'"),
                    )
                })
            });
        let tonnes = tonnes.transpose()?;
        flows.push(Flow {
            line,
            period: Period { year, month: None },
            reporter,
            partner,
            consigned_from: None,
            direction: FlowDirection::Export,
            flow_code: FlowCode::Export,
            transport_part: None,
            customs_part: None,
            hs_code,
            value_usd: value * 1000.0,
            cif_usd: None,
            fob_usd: None,
            quantity: tonnes,
            qty_unit: tonnes.map(|_| "t".to_string()),
            net_weight_kg: tonnes.map(|q| q * 1000.0),
        });
        Ok(())
    })?;
    provenance.notes.extend(countries.note());
    if padded > 0 {
        provenance.notes.push(format!(
            "{padded} five-digit product codes read as HS6 with a leading zero (0xxxxx)"
        ));
    }
    Ok((Records::Flows(flows), rejects, total))
}
