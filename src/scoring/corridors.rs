//! Scoring corridors (country-level data assembled by [`crate::routes::corridors`]): every
//! corridor factor sits on the direct corridor it is evidence for, so that they can flag it
//! together.
//!
//! - `surge`: the corridor's value against its own earlier periods.
//! - `mirror_gap`: what the exporter reports against what the importer reports (CIF/FOB 1.06).
//! - `consignment_share`: on origin -> importer, the share the importer reports as consigned
//!   from a third country rising against the corridor's earlier periods (the third country named).
//! - `corridor_pass_through`: on hub -> destination of concern, the hub's imports of the heading
//!   from producers moving with its exports on this corridor.
//!
//! Reconciled data (BACI) has one value per flow: no mirror and no consignment, so it flags
//! through surge and pass-through.
//!
//! `score = destination strength x noisy-OR of the corridor factors` (`corridors.delivery_floor`
//! is 0: on aggregate data a destination alone says nothing of diversion).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{HsCode, Period};
use crate::routes::corridors::{Corridor, CorridorPeriod, FlowRef};
use crate::scoring::indicators::consignment_share::Consigned;
use crate::scoring::indicators::destination_of_concern::strength;
use crate::scoring::indicators::{
    CORRIDOR_INDICATORS, ROUTE_INDICATORS, consignment_share, corridor_pass_through, mirror_gap,
    surge, thresholds,
};
use crate::scoring::rules::Rules;
use crate::scoring::{Finding, Measured, Role, Score, combine};

/// A scored corridor, still typed: the exports turn it into a row.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredCorridor {
    pub exporter: CountryId,
    pub importer: CountryId,
    pub heading: HsCode,
    /// The periods the evidence rests on (the last period when nothing fired), in order.
    pub periods: Vec<Period>,
    /// The rows behind those periods (the corridor's, and for a pass-through the hub's imports
    /// from producers), each once.
    pub flows: Vec<FlowRef>,
    /// The corridor's value over `periods` (FOB, USD).
    pub value_usd: f64,
    pub score: Score,
}

/// A corridor's value in one period, FOB: the reconciled value when given, else the larger of
/// the exporter-reported FOB and the importer-reported CIF converted to FOB.
pub fn value(p: &CorridorPeriod, cif_fob: f64) -> Option<f64> {
    if let Some(r) = &p.reconciled {
        return Some(r.value_usd);
    }
    let exports = p.exporter_reported.as_ref().map(|s| s.value_usd);
    let imports = p.importer_reported.as_ref().map(|s| s.value_usd / cif_fob);
    match (exports, imports) {
        (Some(e), Some(i)) => Some(e.max(i)),
        (e, i) => e.or(i),
    }
}

/// Each corridor factor's weight and rule in words, in `CORRIDOR_INDICATORS` order.
fn corridor_factors(rules: &Rules) -> [(f64, Arc<str>); 4] {
    let i = &rules.indicators;
    let factors = [
        (i.surge.weight, surge::threshold(&i.surge)),
        (i.mirror_gap.weight, mirror_gap::threshold(&i.mirror_gap)),
        (
            i.corridor_pass_through.weight,
            corridor_pass_through::threshold(&i.corridor_pass_through),
        ),
        (
            i.consignment_share.weight,
            consignment_share::threshold(&i.consignment_share),
        ),
    ];
    factors.map(|(w, t)| (w, t.into()))
}

/// Scores every corridor.
pub fn score(corridors: &[Corridor], rules: &Rules, g: &Gazetteer) -> Vec<ScoredCorridor> {
    let ind = &rules.indicators;
    let cif_fob = ind.mirror_gap.cif_fob_factor;
    let route_thresholds = thresholds(rules);
    let factors = corridor_factors(rules);
    let by_alpha2 = |list: &[String]| -> Vec<CountryId> {
        list.iter().filter_map(|a| g.by_alpha2(a)).collect()
    };
    let (producers, hubs) = (
        by_alpha2(&rules.corridors.producers),
        by_alpha2(&rules.corridors.hubs),
    );
    let concern = |c: CountryId| strength(g, &ind.destination_of_concern, c).0 >= 1.0;
    // Each hub's imports of each heading from producers, per period, with the rows behind them.
    let mut inflows: BTreeMap<(CountryId, HsCode), BTreeMap<Period, (f64, Vec<FlowRef>)>> =
        BTreeMap::new();
    for c in corridors {
        if !(hubs.contains(&c.importer) && producers.contains(&c.exporter)) {
            continue;
        }
        let slot = inflows.entry((c.importer, c.heading)).or_default();
        for p in &c.periods {
            if let Some(v) = value(p, cif_fob) {
                let e = slot.entry(p.period).or_default();
                e.0 += v;
                e.1.extend(p.flows());
            }
        }
    }
    let name = |c: CountryId| g.country(c).name.clone();
    corridors
        .iter()
        .map(|c| {
            let series: Vec<(Period, f64)> = c
                .periods
                .iter()
                .filter_map(|p| value(p, cif_fob).map(|v| (p.period, v)))
                .collect();
            let label = format!("{} -> {} HS {}", name(c.exporter), name(c.importer), c.heading);
            let (surge, surge_range) = surge::evaluate(&series, &ind.surge, &label);
            let stated: Vec<mirror_gap::Stated> = c
                .periods
                .iter()
                .map(|p| {
                    (
                        p.period,
                        p.exporter_reported.as_ref().map(|s| s.value_usd),
                        p.importer_reported.as_ref().map(|s| s.value_usd),
                    )
                })
                .collect();
            let (mirror, mirror_period) = mirror_gap::evaluate(
                &stated,
                &ind.mirror_gap,
                ind.surge.min_value_usd,
                &name(c.exporter),
                &name(c.importer),
            );
            let consigned: Vec<Consigned> = c
                .periods
                .iter()
                .filter(|p| !p.consigned.is_empty())
                .filter_map(|p| {
                    let total = p.importer_reported.as_ref()?.value_usd;
                    let via = p
                        .consigned
                        .iter()
                        .filter(|(k, _)| **k != c.exporter && **k != c.importer)
                        .map(|(k, s)| (*k, s.value_usd))
                        .collect();
                    Some(Consigned {
                        period: p.period,
                        total_usd: total,
                        via,
                    })
                })
                .collect();
            let (consignment, consignment_periods) = consignment_share::evaluate(
                &consigned,
                &ind.consignment_share,
                ind.surge.min_value_usd,
                &format!(
                    "{}'s HS {} imports from {}",
                    name(c.importer),
                    c.heading,
                    name(c.exporter)
                ),
                &|k| name(k),
            );
            let mut extra_flows = Vec::new();
            let (pass, pass_periods) = match inflows.get(&(c.exporter, c.heading)) {
                Some(inflow) if concern(c.importer) && !concern(c.exporter) => {
                    let outflow: BTreeMap<Period, f64> = series.iter().copied().collect();
                    let values: BTreeMap<Period, f64> =
                        inflow.iter().map(|(p, v)| (*p, v.0)).collect();
                    match corridor_pass_through::evaluate(
                        &values,
                        &outflow,
                        &ind.corridor_pass_through,
                        &name(c.exporter),
                        &name(c.importer),
                    ) {
                        Some((f, periods)) if f.value > 0.0 => {
                            for p in &periods {
                                if let Some(x) = inflow.get(p) {
                                    extra_flows.extend(x.1.iter().copied());
                                }
                            }
                            (f, periods)
                        }
                        Some((f, _)) => (f, Vec::new()),
                        None => (Finding::none(), Vec::new()),
                    }
                }
                _ => (Finding::none(), Vec::new()),
            };
            // The periods involved: each fired factor's.
            let mut involved: Vec<Period> = surge_range
                .into_iter()
                .flatten()
                .map(|i| series[i].0)
                .collect();
            involved.extend(mirror_period);
            involved.extend(consignment_periods);
            involved.extend(pass_periods);
            involved.sort_unstable();
            involved.dedup();
            if involved.is_empty() {
                involved.extend(series.last().map(|p| p.0));
            }
            let value_usd: f64 = series
                .iter()
                .filter(|(p, _)| involved.contains(p))
                .map(|(_, v)| v)
                .sum();
            let mut flows: Vec<FlowRef> = c
                .periods
                .iter()
                .filter(|p| involved.contains(&p.period))
                .flat_map(|p| p.flows())
                .chain(extra_flows)
                .collect();
            flows.sort_unstable();
            flows.dedup();
            let fired = [surge, mirror, pass, consignment];
            let score = combine_corridor(c.importer, fired, &factors, &route_thresholds, rules, g);
            ScoredCorridor {
                exporter: c.exporter,
                importer: c.importer,
                heading: c.heading,
                periods: involved,
                flows,
                value_usd,
                score,
            }
        })
        .collect()
}

/// The corridor's score: its destination's strength times the noisy-OR of the corridor
/// factors (`fired` in `CORRIDOR_INDICATORS` order), with every route column present.
fn combine_corridor(
    importer: CountryId,
    fired: [Finding; 4],
    factors: &[(f64, Arc<str>); 4],
    route_thresholds: &[Arc<str>],
    rules: &Rules,
    g: &Gazetteer,
) -> Score {
    let (dest_value, group) = strength(g, &rules.indicators.destination_of_concern, importer);
    let dest = match group {
        Some(group) => Finding::new(
            dest_value,
            format!("final destination {} is in {group}", g.country(importer).name),
            Vec::new(),
        ),
        None => Finding::none(),
    };
    let mut measured: Vec<Measured> = ROUTE_INDICATORS
        .iter()
        .zip(route_thresholds)
        .map(|(i, t)| {
            let finding = match i.name() {
                "destination_of_concern" => dest.clone(),
                // Country-level rows are chips and computers by their HS heading.
                "product_sensitivity" => {
                    Finding::new(1.0, "HS heading of chips or computers", Vec::new())
                }
                _ => Finding::none(),
            };
            Measured {
                indicator: i.name(),
                role: i.role(),
                weight: 0.0,
                threshold: t.clone(),
                finding,
            }
        })
        .collect();
    for ((name, finding), (weight, threshold)) in
        CORRIDOR_INDICATORS.iter().zip(fired).zip(factors)
    {
        measured.push(Measured {
            indicator: name,
            role: Role::Corridor,
            weight: *weight,
            threshold: threshold.clone(),
            finding,
        });
    }
    combine(measured, rules.corridors.delivery_floor, rules)
}
