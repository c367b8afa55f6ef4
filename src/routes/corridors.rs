//! Corridors from country-level data (UN Comtrade, CEPII BACI): one series per exporter, importer
//! and HS heading, with what each side reports per period and the rows behind every value.
//! Assembly only: the corridor indicators in `scoring/` read these series.
//!
//! Comtrade files hold totals beside their breakdowns (data-formats §2b), so summing every row
//! counts trade two or three times. Per dataset, reporter, partner, side, period and heading one
//! level is kept on each dimension: the total where the file has it, else the sum of its parts
//! (flow `X` over `DX` + `RX` and `M` over `FM` + `RM`, `motCode` 0 over the modes, `customsCode`
//! C00 over the other procedures, `partner2Code` 0 over the countries of consignment). One HS level
//! is kept per series: its HS4 heading rows, or the sum of its HS6 rows when it has no heading row.
//! The consignment breakdown and the re-exports are read beside the totals, from the same rows.

use std::collections::BTreeMap;

use crate::gazetteer::{AreaKind, CountryId, Gazetteer};
use crate::model::{Dataset, Flow, FlowCode, Format, HsCode, Period};

/// A country-level row: (dataset index, row index in the dataset's flows).
pub type FlowRef = (u32, u32);

/// A value and the rows it sums.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stated {
    pub value_usd: f64,
    pub flows: Vec<FlowRef>,
}

/// One period of a corridor as each side states it.
#[derive(Clone, Debug, PartialEq)]
pub struct CorridorPeriod {
    pub period: Period,
    /// Exports as the exporter reports them (FOB).
    pub exporter_reported: Option<Stated>,
    /// Imports as the importer reports them (CIF).
    pub importer_reported: Option<Stated>,
    /// One reconciled value (BACI: FOB, no mirror).
    pub reconciled: Option<Stated>,
    /// The exporter's re-exports (`RX`) within `exporter_reported`, when its file breaks its
    /// exports down.
    pub re_exported: Option<Stated>,
    /// The importer-reported imports by country of consignment (`partner2Code`), the exporter
    /// itself (consigned directly) included; empty when the importer's file has no breakdown.
    pub consigned: BTreeMap<CountryId, Stated>,
}

impl CorridorPeriod {
    fn new(period: Period) -> CorridorPeriod {
        CorridorPeriod {
            period,
            exporter_reported: None,
            importer_reported: None,
            reconciled: None,
            re_exported: None,
            consigned: BTreeMap::new(),
        }
    }

    /// Every row behind the period's values (totals and breakdowns), each once.
    pub fn flows(&self) -> Vec<FlowRef> {
        let mut out: Vec<FlowRef> = [
            &self.exporter_reported,
            &self.importer_reported,
            &self.reconciled,
            &self.re_exported,
        ]
        .into_iter()
        .flatten()
        .chain(self.consigned.values())
        .flat_map(|s| s.flows.iter().copied())
        .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Trade from `exporter` to `importer` in one HS heading, period by period.
#[derive(Clone, Debug, PartialEq)]
pub struct Corridor {
    pub exporter: CountryId,
    pub importer: CountryId,
    /// The 4-digit HS heading.
    pub heading: HsCode,
    /// In period order, one entry per period some side reports.
    pub periods: Vec<CorridorPeriod>,
}

/// The corridors of a set of datasets, and what the assembly kept and left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Corridors {
    /// Ordered by exporter, importer and heading.
    pub corridors: Vec<Corridor>,
    /// One note per file in words, for `check` and `score` to print.
    pub notes: Vec<String>,
}

/// Who states a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Exporter,
    Importer,
    Reconciled,
}

/// A dimension along which a Comtrade file breaks totals down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dim {
    /// HS6 subheadings of a heading (totals: the heading rows).
    Subheading,
    /// National tariff lines of an HS6 subheading (totals: the HS6 rows).
    TariffLine,
    /// Processing flows (`MIP`, `MOP`, `XIP`, `XOP`): "of which" rows that overlap the other
    /// flow codes (totals: every other row).
    Processing,
    /// `DX`/`RX` of `X`, `FM`/`RM` of `M`.
    Flow,
    /// `partner2Code`.
    Consignment,
    /// `customsCode`.
    Customs,
    /// `motCode`.
    Mode,
}

const DIMS: [Dim; 7] = [
    Dim::Subheading,
    Dim::TariffLine,
    Dim::Processing,
    Dim::Flow,
    Dim::Consignment,
    Dim::Customs,
    Dim::Mode,
];

/// Which part of a dimension a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    Hs(HsCode),
    Flow(FlowCode),
    Country(CountryId),
    Text(&'a str),
}

impl Dim {
    /// The part of this dimension the row is, `None` when it is the total.
    fn part(self, f: &Flow) -> Option<Part<'_>> {
        match self {
            Dim::Subheading => (f.hs_code.len() > 4).then(|| Part::Hs(f.hs_code.truncated(6))),
            Dim::TariffLine => (f.hs_code.len() > 6).then_some(Part::Hs(f.hs_code)),
            Dim::Processing => f
                .flow_code
                .is_processing()
                .then_some(Part::Flow(f.flow_code)),
            Dim::Flow => (!f.flow_code.is_total()).then_some(Part::Flow(f.flow_code)),
            Dim::Consignment => f.consigned_from.map(Part::Country),
            Dim::Customs => f.customs_part.as_deref().map(Part::Text),
            Dim::Mode => f.transport_part.as_deref().map(Part::Text),
        }
    }

    fn index(self) -> usize {
        DIMS.iter().position(|d| *d == self).unwrap_or(0)
    }
}

/// Rows left out beside their totals and parts summed, per dimension (in `DIMS` order).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Levels {
    left_out: [usize; DIMS.len()],
    summed: [usize; DIMS.len()],
}

/// One level per dimension of `rows` (indices into `flows`): on the first dimension, the rows
/// that are its total when there are any, else every part; then the same on the next dimension
/// within what was kept (within each part separately). Returns the rows whose values add up to
/// the whole once.
fn one_level(flows: &[Flow], rows: Vec<u32>, dims: &[Dim], levels: &mut Levels) -> Vec<u32> {
    let Some((&dim, rest)) = dims.split_first() else {
        return rows;
    };
    let (totals, parts): (Vec<u32>, Vec<u32>) = rows
        .into_iter()
        .partition(|r| dim.part(&flows[*r as usize]).is_none());
    if !totals.is_empty() {
        levels.left_out[dim.index()] += parts.len();
        return one_level(flows, totals, rest, levels);
    }
    let mut by_part: BTreeMap<Part<'_>, Vec<u32>> = BTreeMap::new();
    for r in parts {
        if let Some(p) = dim.part(&flows[r as usize]) {
            by_part.entry(p).or_default().push(r);
        }
    }
    if by_part.len() > 1 {
        levels.summed[dim.index()] += by_part.len();
    }
    by_part
        .into_values()
        .flat_map(|rows| one_level(flows, rows, rest, levels))
        .collect()
}

fn stated(flows: &[Flow], dataset: u32, rows: &[u32]) -> Stated {
    Stated {
        value_usd: rows.iter().map(|r| flows[*r as usize].value_usd).sum(),
        flows: rows.iter().map(|r| (dataset, *r)).collect(),
    }
}

/// What one side states for one period: the value, and its breakdowns.
struct Report {
    value: Stated,
    re_exported: Option<Stated>,
    consigned: BTreeMap<CountryId, Stated>,
}

fn report(
    flows: &[Flow],
    dataset: u32,
    rows: Vec<u32>,
    side: Side,
    is_country: &dyn Fn(CountryId) -> bool,
    levels: &mut Levels,
) -> Report {
    let mut scratch = Levels::default();
    let part_of = |rows: &[u32], keep: &dyn Fn(&Flow) -> bool, dim: Dim, levels: &mut Levels| {
        let mine: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|r| keep(&flows[*r as usize]))
            .collect();
        let dims: Vec<Dim> = DIMS.iter().copied().filter(|d| *d != dim).collect();
        one_level(flows, mine, &dims, levels)
    };
    let re_exported = (side == Side::Exporter)
        .then(|| {
            part_of(
                &rows,
                &|f| f.flow_code == FlowCode::ReExport,
                Dim::Flow,
                &mut scratch,
            )
        })
        .filter(|kept| !kept.is_empty())
        .map(|kept| stated(flows, dataset, &kept));
    let mut consigned = BTreeMap::new();
    if side == Side::Importer {
        let mut via: Vec<CountryId> = rows
            .iter()
            .filter_map(|r| flows[*r as usize].consigned_from)
            .filter(|c| is_country(*c))
            .collect();
        via.sort_unstable();
        via.dedup();
        for c in via {
            let kept = part_of(
                &rows,
                &|f| f.consigned_from == Some(c),
                Dim::Consignment,
                &mut scratch,
            );
            consigned.insert(c, stated(flows, dataset, &kept));
        }
    }
    let kept = one_level(flows, rows, &DIMS, levels);
    Report {
        value: stated(flows, dataset, &kept),
        re_exported,
        consigned,
    }
}

/// What the assembly did with one file's rows, for its note.
#[derive(Default)]
struct Tally {
    kept: usize,
    outside: usize,
    groups: usize,
    levels: Levels,
    /// HS6 rows of a series that has heading rows: beside their heading, or in a period without one.
    beside_heading: usize,
    without_heading: usize,
    /// Series summed from HS6 rows.
    from_subheadings: usize,
    /// Values another file already gave.
    repeated: usize,
    /// Breakdowns read beside the totals.
    consignment_read: bool,
    re_exports_read: bool,
}

impl Tally {
    fn note(&self, d: &Dataset, headings: &[HsCode]) -> Option<String> {
        if d.flows().is_empty() {
            return None;
        }
        let name = d.provenance.file_name();
        let count = |n: usize, what: &str| (n > 0).then(|| format!("{n} {what}"));
        let l = &self.levels;
        let at = |dim: Dim| l.left_out[dim.index()];
        let summed = |dim: Dim| l.summed[dim.index()];
        let left_out: Vec<String> = [
            count(
                at(Dim::Processing),
                "processing-trade rows (MIP/MOP/XIP/XOP) beside the other flow codes",
            ),
            count(at(Dim::Flow), "DX/RX/FM/RM rows beside X or M"),
            count(at(Dim::Consignment), "rows by country of consignment beside partner2Code 0"),
            count(at(Dim::Customs), "rows by customs procedure beside C00"),
            count(at(Dim::Mode), "rows by mode of transport beside motCode 0"),
            count(
                at(Dim::TariffLine) + self.beside_heading,
                "finer HS rows beside their heading or subheading",
            ),
            count(
                self.without_heading,
                "HS6 rows in periods where their series has no heading row (one HS level per corridor)",
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let sums: Vec<String> = [
            count(summed(Dim::Processing), "processing flow codes"),
            count(summed(Dim::Flow), "flow codes"),
            count(summed(Dim::Consignment), "countries of consignment"),
            count(summed(Dim::Customs), "customs procedures"),
            count(summed(Dim::Mode), "modes of transport"),
            count(summed(Dim::TariffLine), "tariff lines"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut parts = vec![format!(
            "{} rows make the corridor values, one level per breakdown (totals where the file has them)",
            self.kept
        )];
        if !left_out.is_empty() {
            parts.push(format!("left out: {}", left_out.join(", ")));
        }
        if !sums.is_empty() {
            parts.push(format!(
                "parts summed where no total was given: {}",
                sums.join(", ")
            ));
        }
        if self.from_subheadings > 0 {
            parts.push(format!(
                "{} series summed from HS6 rows (no heading row)",
                self.from_subheadings
            ));
        }
        if self.consignment_read {
            parts.push("rows by country of consignment read for consignment shares".into());
        }
        if self.re_exports_read {
            parts.push("RX rows read for re-export shares".into());
        }
        if let Some(s) = count(
            self.groups,
            "rows with a group (World, Areas nes ...) as reporter or partner left out",
        ) {
            parts.push(s);
        }
        if self.outside > 0 {
            let list: Vec<String> = headings.iter().map(|h| h.to_string()).collect();
            parts.push(format!(
                "{} rows outside the HS headings watched ({})",
                self.outside,
                list.join(", ")
            ));
        }
        if let Some(s) = count(
            self.repeated,
            "values an earlier file already gave left out",
        ) {
            parts.push(s);
        }
        Some(format!("{name}: corridors: {}", parts.join("; ")))
    }
}

/// Assembles the corridors of every country-level dataset (`(index, dataset)` pairs, the index
/// being what [`FlowRef`]s name) in the HS `headings` given (4-digit codes). Rows where either
/// side is a group (World, ASEAN ...) stay out. Where two files give the same value (same
/// reporter, partner, side, heading and period), the first file's is kept.
pub fn assemble(datasets: &[(u32, &Dataset)], headings: &[HsCode], g: &Gazetteer) -> Corridors {
    let is_country = |c: CountryId| g.country(c).kind == AreaKind::Country;
    type Key = (CountryId, CountryId, HsCode);
    let mut slots: BTreeMap<Key, BTreeMap<Period, CorridorPeriod>> = BTreeMap::new();
    let mut notes = Vec::new();
    for (di, d) in datasets {
        let flows = d.flows();
        let baci = d.provenance.format == Format::Baci;
        let mut tally = Tally::default();
        let mut series: BTreeMap<(Key, Side), Vec<u32>> = BTreeMap::new();
        for (row, f) in flows.iter().enumerate() {
            let heading = f.hs_code.truncated(4);
            if f.hs_code.len() < 4 || !headings.contains(&heading) {
                tally.outside += 1;
                continue;
            }
            if !is_country(f.reporter) || !is_country(f.partner) {
                tally.groups += 1;
                continue;
            }
            let (exporter, importer, side) = if baci {
                (f.reporter, f.partner, Side::Reconciled)
            } else if f.direction.is_import() {
                (f.partner, f.reporter, Side::Importer)
            } else {
                (f.reporter, f.partner, Side::Exporter)
            };
            series
                .entry(((exporter, importer, heading), side))
                .or_default()
                .push(row as u32);
        }
        for ((key, side), rows) in series {
            // One HS level per series: the heading rows where there are any.
            let is_heading = |r: &u32| flows[*r as usize].hs_code.len() == 4;
            let rows = if rows.iter().any(is_heading) {
                let with_heading: Vec<Period> = rows
                    .iter()
                    .filter(|r| is_heading(r))
                    .map(|r| flows[*r as usize].period)
                    .collect();
                let (keep, finer): (Vec<u32>, Vec<u32>) = rows.into_iter().partition(is_heading);
                for r in finer {
                    if with_heading.contains(&flows[r as usize].period) {
                        tally.beside_heading += 1;
                    } else {
                        tally.without_heading += 1;
                    }
                }
                keep
            } else {
                tally.from_subheadings += 1;
                rows
            };
            let mut by_period: BTreeMap<Period, Vec<u32>> = BTreeMap::new();
            for r in rows {
                by_period
                    .entry(flows[r as usize].period)
                    .or_default()
                    .push(r);
            }
            for (period, rows) in by_period {
                let mut levels = Levels::default();
                let rep = report(flows, *di, rows, side, &is_country, &mut levels);
                let slot = slots
                    .entry(key)
                    .or_default()
                    .entry(period)
                    .or_insert_with(|| CorridorPeriod::new(period));
                let target = match side {
                    Side::Exporter => &mut slot.exporter_reported,
                    Side::Importer => &mut slot.importer_reported,
                    Side::Reconciled => &mut slot.reconciled,
                };
                if target.is_some() {
                    tally.repeated += 1;
                    continue;
                }
                tally.kept += rep.value.flows.len();
                for i in 0..DIMS.len() {
                    tally.levels.left_out[i] += levels.left_out[i];
                    tally.levels.summed[i] += levels.summed[i];
                }
                tally.consignment_read |= !rep.consigned.is_empty();
                tally.re_exports_read |= rep.re_exported.is_some();
                *target = Some(rep.value);
                match side {
                    Side::Exporter => slot.re_exported = rep.re_exported,
                    Side::Importer => slot.consigned = rep.consigned,
                    Side::Reconciled => {}
                }
            }
        }
        notes.extend(tally.note(d, headings));
    }
    // One frequency per corridor: the years where files give both years and months.
    let mut months_left_out = 0;
    let corridors = slots
        .into_iter()
        .map(|((exporter, importer, heading), periods)| {
            let annual = periods.keys().any(|p| p.month.is_none());
            let periods: Vec<CorridorPeriod> = periods
                .into_values()
                .filter(|p| {
                    let keep = !annual || p.period.month.is_none();
                    months_left_out += usize::from(!keep);
                    keep
                })
                .collect();
            Corridor {
                exporter,
                importer,
                heading,
                periods,
            }
        })
        .collect();
    if months_left_out > 0 {
        notes.push(format!(
            "corridors: {months_left_out} monthly periods left out beside yearly ones of the same corridor (one frequency per corridor)"
        ));
    }
    Corridors { corridors, notes }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::model::{FlowDirection, Provenance, Records};

    fn c(alpha2: &str) -> CountryId {
        Gazetteer::embedded().by_alpha2(alpha2).unwrap()
    }

    fn year(y: i32) -> Period {
        Period {
            year: y,
            month: None,
        }
    }

    /// A Comtrade row: reporter, partner, flow code, HS code, year, value, then the breakdown
    /// cells (partner2 alpha-2 or "", motCode, customsCode) as a file writes them.
    #[allow(clippy::too_many_arguments)]
    fn row(
        reporter: &str,
        partner: &str,
        flow: &str,
        hs: &str,
        y: i32,
        value: f64,
        partner2: &str,
        mot: &str,
        customs: &str,
    ) -> Flow {
        let flow_code = FlowCode::parse(flow).unwrap();
        let part = |t: &str, total: &str| (t != total).then(|| t.into());
        Flow {
            line: 0,
            period: year(y),
            reporter: c(reporter),
            partner: if partner == "World" {
                Gazetteer::embedded().by_m49(0).unwrap()
            } else {
                c(partner)
            },
            consigned_from: (!partner2.is_empty()).then(|| c(partner2)),
            direction: flow_code.direction(),
            flow_code,
            transport_part: part(mot, "0"),
            customs_part: part(customs, "C00"),
            hs_code: HsCode::parse(hs).unwrap(),
            value_usd: value,
            cif_usd: None,
            fob_usd: None,
            quantity: None,
            qty_unit: None,
            net_weight_kg: None,
        }
    }

    fn dataset(name: &str, format: Format, flows: Vec<Flow>) -> Dataset {
        Dataset {
            provenance: Provenance {
                path: PathBuf::from(name),
                sha256: String::new(),
                size: 0,
                archive: None,
                format,
                encoding: "utf-8".into(),
                delimiter: ',',
                decimal_comma: false,
                columns: Vec::new(),
                fixed: Vec::new(),
                notes: Vec::new(),
            },
            header: Vec::new(),
            rows_total: flows.len(),
            records: Records::Flows(flows),
            rejects: Vec::new(),
        }
    }

    fn headings() -> Vec<HsCode> {
        ["8542", "8471"]
            .iter()
            .filter_map(|h| HsCode::parse(h))
            .collect()
    }

    fn corridor<'a>(cs: &'a Corridors, from: &str, to: &str, hs: &str) -> &'a Corridor {
        cs.corridors
            .iter()
            .find(|x| {
                x.exporter == c(from)
                    && x.importer == c(to)
                    && x.heading == HsCode::parse(hs).unwrap()
            })
            .unwrap()
    }

    fn value(s: &Option<Stated>) -> f64 {
        s.as_ref().map(|s| s.value_usd).unwrap_or(f64::NAN)
    }

    #[test]
    fn totals_are_kept_beside_their_breakdowns_on_every_dimension() {
        let rows = vec![
            // Exports: X total, by mode, by customs procedure, and DX + RX.
            row("US", "KZ", "X", "8542", 2022, 100.0, "", "0", "C00"),
            row("US", "KZ", "X", "8542", 2022, 70.0, "", "1000", "C00"),
            row("US", "KZ", "X", "8542", 2022, 30.0, "", "2100", "C00"),
            row("US", "KZ", "X", "8542", 2022, 90.0, "", "0", "C01"),
            row("US", "KZ", "X", "8542", 2022, 10.0, "", "0", "C02"),
            row("US", "KZ", "DX", "8542", 2022, 75.0, "", "0", "C00"),
            row("US", "KZ", "RX", "8542", 2022, 25.0, "", "0", "C00"),
            // Imports: M total, by country of consignment (the origin itself and a third
            // country), by mode, and HS6 rows beside the heading.
            row("KZ", "US", "M", "8542", 2022, 80.0, "", "0", "C00"),
            row("KZ", "US", "M", "8542", 2022, 44.0, "US", "0", "C00"),
            row("KZ", "US", "M", "8542", 2022, 36.0, "CN", "0", "C00"),
            row("KZ", "US", "M", "8542", 2022, 20.0, "CN", "3200", "C00"),
            row("KZ", "US", "M", "8542", 2022, 16.0, "CN", "1000", "C00"),
            row("KZ", "US", "M", "8542", 2022, 50.0, "", "1000", "C00"),
            row("KZ", "US", "M", "854231", 2022, 60.0, "", "0", "C00"),
            row("KZ", "US", "M", "854239", 2022, 20.0, "", "0", "C00"),
            // A group partner and a heading not watched stay out.
            row("US", "World", "X", "8542", 2022, 5e9, "", "0", "C00"),
            row("US", "KZ", "X", "8703", 2022, 1e6, "", "0", "C00"),
        ];
        let d = dataset("levels.csv", Format::Comtrade, rows);
        let cs = assemble(&[(0, &d)], &headings(), Gazetteer::embedded());
        assert_eq!(cs.corridors.len(), 1);
        let p = &corridor(&cs, "US", "KZ", "8542").periods[0];
        assert_eq!(value(&p.exporter_reported), 100.0);
        assert_eq!(p.exporter_reported.as_ref().unwrap().flows, [(0, 0)]);
        assert_eq!(value(&p.re_exported), 25.0);
        assert_eq!(value(&p.importer_reported), 80.0);
        assert_eq!(p.importer_reported.as_ref().unwrap().flows, [(0, 7)]);
        assert_eq!(p.consigned[&c("US")].value_usd, 44.0);
        assert_eq!(
            p.consigned[&c("CN")].value_usd,
            36.0,
            "mode total of the CN part"
        );
        assert_eq!(cs.notes.len(), 1);
        let note = &cs.notes[0];
        for part in [
            "levels.csv: corridors: 2 rows make the corridor values",
            "2 DX/RX/FM/RM rows beside X or M",
            "4 rows by country of consignment",
            "2 rows by customs procedure beside C00",
            "3 rows by mode of transport beside motCode 0",
            "2 finer HS rows beside their heading",
            "1 rows with a group",
            "1 rows outside the HS headings watched (8542, 8471)",
        ] {
            assert!(note.contains(part), "{part}: {note}");
        }
    }

    #[test]
    fn parts_are_summed_where_the_file_has_no_total() {
        let rows = vec![
            // No X: DX and RX, each by mode without a mode total for RX.
            row("AE", "RU", "DX", "8542", 2022, 20.0, "", "0", "C00"),
            row("AE", "RU", "DX", "8542", 2022, 15.0, "", "1000", "C00"),
            row("AE", "RU", "RX", "8542", 2022, 50.0, "", "1000", "C00"),
            row("AE", "RU", "RX", "8542", 2022, 30.0, "", "3200", "C00"),
            // No heading row: HS6 rows summed.
            row("RU", "AE", "M", "854231", 2021, 60.0, "", "0", "C00"),
            row("RU", "AE", "M", "854232", 2021, 40.0, "", "0", "C00"),
        ];
        let d = dataset("parts.csv", Format::Comtrade, rows);
        let cs = assemble(&[(0, &d)], &headings(), Gazetteer::embedded());
        let x = corridor(&cs, "AE", "RU", "8542");
        assert_eq!(x.periods.len(), 2);
        assert_eq!(value(&x.periods[0].importer_reported), 100.0);
        assert_eq!(value(&x.periods[1].exporter_reported), 100.0);
        assert_eq!(value(&x.periods[1].re_exported), 80.0);
        let note = &cs.notes[0];
        assert!(note.contains("1 series summed from HS6 rows"), "{note}");
        assert!(
            note.contains("parts summed where no total was given: 2 flow codes, 2 modes"),
            "{note}"
        );
    }

    #[test]
    fn processing_flows_are_never_summed_with_the_flows_they_overlap() {
        let rows = vec![
            // X with its parts: the total alone.
            row("US", "KZ", "X", "8542", 2022, 100.0, "", "0", "C00"),
            row("US", "KZ", "DX", "8542", 2022, 80.0, "", "0", "C00"),
            row("US", "KZ", "RX", "8542", 2022, 20.0, "", "0", "C00"),
            row("US", "KZ", "XOP", "8542", 2022, 30.0, "", "0", "C00"),
            // No X: DX + RX, the XOP rows that overlap them left out.
            row("US", "KZ", "DX", "8542", 2023, 70.0, "", "0", "C00"),
            row("US", "KZ", "RX", "8542", 2023, 10.0, "", "0", "C00"),
            row("US", "KZ", "XOP", "8542", 2023, 25.0, "", "0", "C00"),
            row("US", "KZ", "XIP", "8542", 2023, 5.0, "", "0", "C00"),
            // Only processing rows: their parts summed.
            row("KZ", "US", "MIP", "8542", 2023, 4.0, "", "0", "C00"),
            row("KZ", "US", "MOP", "8542", 2023, 6.0, "", "0", "C00"),
        ];
        let d = dataset("processing.csv", Format::ComtradeLegacy, rows);
        let cs = assemble(&[(0, &d)], &headings(), Gazetteer::embedded());
        let x = corridor(&cs, "US", "KZ", "8542");
        assert_eq!(value(&x.periods[0].exporter_reported), 100.0);
        assert_eq!(value(&x.periods[1].exporter_reported), 80.0);
        assert_eq!(value(&x.periods[1].re_exported), 10.0);
        assert_eq!(value(&x.periods[1].importer_reported), 10.0);
        let note = &cs.notes[0];
        assert!(
            note.contains("3 processing-trade rows (MIP/MOP/XIP/XOP) beside the other flow codes"),
            "{note}"
        );
        assert!(note.contains("2 processing flow codes"), "{note}");
    }

    #[test]
    fn one_hs_level_and_one_frequency_per_corridor_and_the_first_file_wins() {
        let mut monthly = row("DE", "KG", "X", "8471", 2022, 7.0, "", "0", "C00");
        monthly.period.month = Some(3);
        let first = dataset(
            "a.csv",
            Format::Comtrade,
            vec![
                row("DE", "KG", "X", "8471", 2021, 10.0, "", "0", "C00"),
                // 2022 has only HS6 rows: left out, the series reads its heading rows.
                row("DE", "KG", "X", "847130", 2022, 12.0, "", "0", "C00"),
                monthly,
            ],
        );
        let second = dataset(
            "b.csv",
            Format::Comtrade,
            vec![row("DE", "KG", "X", "8471", 2021, 11.0, "", "0", "C00")],
        );
        let baci = dataset(
            "baci.csv",
            Format::Baci,
            vec![
                row("DE", "KG", "X", "847130", 2021, 9.0, "", "0", "C00"),
                row("DE", "KG", "X", "847150", 2021, 1.0, "", "0", "C00"),
            ],
        );
        let cs = assemble(
            &[(0, &first), (1, &second), (2, &baci)],
            &headings(),
            Gazetteer::embedded(),
        );
        let x = corridor(&cs, "DE", "KG", "8471");
        assert_eq!(x.periods.len(), 1, "{:?}", x.periods);
        assert_eq!(value(&x.periods[0].exporter_reported), 10.0);
        assert_eq!(value(&x.periods[0].reconciled), 10.0);
        assert!(
            cs.notes[0].contains("1 HS6 rows in periods where their series has no heading row"),
            "{}",
            cs.notes[0]
        );
        assert!(cs.notes[1].contains("1 values an earlier file already gave left out"));
        assert!(cs.notes[2].contains("1 series summed from HS6 rows"));
        assert!(cs.notes[3].contains("1 monthly periods left out beside yearly ones"));
        assert_eq!(
            first.flows()[0].direction,
            FlowDirection::Export,
            "readers keep the direction beside the code"
        );
    }
}
