//! Scoring corridors (country-level data assembled by [`crate::routes::corridors`]): every
//! corridor factor sits on the direct corridor it is evidence for, so that they can flag it
//! together.
//!
//! - `surge`: the corridor's value against its own earlier years.
//! - `mirror_gap`: what the exporter reports against what the importer reports (CIF/FOB 1.06),
//!   against the gap of the corridor's earlier years.
//! - `consignment_share`: on origin -> importer, the share the importer reports as consigned
//!   from a third country rising against the corridor's earlier years (the third country named).
//! - `corridor_pass_through`: on hub -> destination of concern, the hub's imports of the heading
//!   from producers moving with its exports on this corridor, or its re-export share rising.
//!
//! Yearly data is compared year by year; monthly data as the 12 months to each month against the
//! same 12 months of earlier years. Reconciled data (BACI) has one value per flow: no mirror and
//! no consignment, so it flags through surge and pass-through.
//!
//! `score = what the corridor delivers x noisy-OR of the corridor factors`: the destination's
//! strength, or `corridors.hub_destination` into a watched hub (`corridors.delivery_floor` is 0:
//! on aggregate data a destination alone says nothing of diversion).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{HsCode, Period};
use crate::routes::corridors::{Corridor, CorridorPeriod, FlowRef};
use crate::rules::Rules;
use crate::scoring::indicators::consignment_share::Consigned;
use crate::scoring::indicators::destination_of_concern::strength;
use crate::scoring::indicators::{
    CORRIDOR_INDICATORS, ROUTE_INDICATORS, consignment_share, corridor_pass_through, mirror_gap,
    surge, thresholds,
};
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

/// The time axis a corridor's indicators compare on. Years as they are; months as the sum of the
/// 12 months to each month, compared with the same 12 months of earlier years (months without a
/// row count 0 within the corridor's span; sums that compare two sides or a breakdown need
/// `min_months` months where both are given).
struct Axis {
    monthly: bool,
    /// First and last month index of the corridor (monthly only).
    span: (i32, i32),
    min_months: usize,
}

fn month_index(p: Period) -> i32 {
    p.year * 12 + i32::from(p.month.unwrap_or(1)) - 1
}

fn month_at(i: i32) -> Period {
    Period {
        year: i.div_euclid(12),
        month: Some((i.rem_euclid(12) + 1) as u8),
    }
}

impl Axis {
    fn of(c: &Corridor, min_months: usize) -> Axis {
        let months: Vec<i32> = c
            .periods
            .iter()
            .filter(|p| p.period.month.is_some())
            .map(|p| month_index(p.period))
            .collect();
        Axis {
            monthly: !months.is_empty(),
            span: (
                months.iter().copied().min().unwrap_or(0),
                months.iter().copied().max().unwrap_or(0),
            ),
            min_months,
        }
    }

    /// The periods judged, each with the data periods it covers (`known`: the corridor's periods).
    fn windows(&self, known: &[Period]) -> Vec<(Period, Vec<Period>)> {
        if !self.monthly {
            return known.iter().map(|p| (*p, vec![*p])).collect();
        }
        (self.span.0 + 11..=self.span.1)
            .map(|t| (month_at(t), (t - 11..=t).map(month_at).collect()))
            .collect()
    }

    /// A value per judged period: the sum over its window (`None` when nothing in it is given).
    fn roll(
        &self,
        windows: &[(Period, Vec<Period>)],
        values: &BTreeMap<Period, f64>,
    ) -> BTreeMap<Period, f64> {
        windows
            .iter()
            .filter_map(|(p, w)| {
                let given: Vec<f64> = w.iter().filter_map(|q| values.get(q).copied()).collect();
                (!given.is_empty()).then(|| (*p, given.iter().sum()))
            })
            .collect()
    }

    /// Sums over the periods of each window where `pick` gives something, when there are enough.
    fn roll_paired<T, F>(&self, windows: &[(Period, Vec<Period>)], pick: F) -> BTreeMap<Period, T>
    where
        T: Default + std::ops::AddAssign,
        F: Fn(Period) -> Option<T>,
    {
        let need = if self.monthly { self.min_months } else { 1 };
        windows
            .iter()
            .filter_map(|(p, w)| {
                let given: Vec<T> = w.iter().filter_map(|q| pick(*q)).collect();
                if given.len() < need.max(1) {
                    return None;
                }
                let mut sum = T::default();
                for g in given {
                    sum += g;
                }
                Some((*p, sum))
            })
            .collect()
    }
}

/// Two numbers summed together (exports and imports, exports and re-exports).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Pair(f64, f64);

impl std::ops::AddAssign for Pair {
    fn add_assign(&mut self, o: Pair) {
        self.0 += o.0;
        self.1 += o.1;
    }
}

impl std::ops::AddAssign for Consigned {
    fn add_assign(&mut self, o: Consigned) {
        self.total_usd += o.total_usd;
        for (c, v) in o.via {
            match self.via.iter_mut().find(|x| x.0 == c) {
                Some(x) => x.1 += v,
                None => self.via.push((c, v)),
            }
        }
    }
}

/// The series a corridor's value is judged on: its time axis, the judged periods with the data
/// periods each covers, the value per data period and the value per judged period.
struct Judged {
    axis: Axis,
    windows: Vec<(Period, Vec<Period>)>,
    data: BTreeMap<Period, f64>,
    series: BTreeMap<Period, f64>,
}

impl Judged {
    fn of(c: &Corridor, rules: &Rules) -> Judged {
        let cif_fob = rules.indicators.mirror_gap.cif_fob_factor;
        let axis = Axis::of(c, rules.corridors.min_months);
        let known: Vec<Period> = c.periods.iter().map(|p| p.period).collect();
        let windows = axis.windows(&known);
        let data: BTreeMap<Period, f64> = c
            .periods
            .iter()
            .filter_map(|p| value(p, cif_fob).map(|v| (p.period, v)))
            .collect();
        let series = axis.roll(&windows, &data);
        Judged {
            axis,
            windows,
            data,
            series,
        }
    }
}

/// The surge the score found on a corridor, to show beside its series: the period judged and
/// the earlier periods averaged as its baseline, as [`surge::evaluate`] chose them.
#[derive(Clone, Debug, PartialEq)]
pub struct SurgeWindow {
    /// A year, or for monthly data the 12 months to this month.
    pub judged: Period,
    /// The same periods of earlier years, averaged.
    pub baseline: Vec<Period>,
    /// True when each period stands for the 12 months to it (monthly data).
    pub rolling: bool,
    /// The judged period's value and the baseline's average (FOB, USD).
    pub value_usd: f64,
    pub baseline_usd: f64,
    /// The surge factor's value (0-1).
    pub factor: f64,
}

/// The surge window of a corridor, `None` when the surge factor did not fire.
pub fn surge_window(c: &Corridor, rules: &Rules) -> Option<SurgeWindow> {
    let judged = Judged::of(c, rules);
    let (finding, periods) = surge::evaluate(&judged.series, &rules.indicators.surge, "");
    if finding.value <= 0.0 {
        return None;
    }
    let (&last, baseline) = periods.split_last()?;
    let base: Vec<f64> = baseline
        .iter()
        .filter_map(|p| judged.series.get(p).copied())
        .collect();
    Some(SurgeWindow {
        judged: last,
        baseline: baseline.to_vec(),
        rolling: judged.axis.monthly,
        value_usd: judged.series.get(&last).copied()?,
        baseline_usd: base.iter().sum::<f64>() / base.len().max(1) as f64,
        factor: finding.value,
    })
}

/// The value of all corridors per data period (FOB, USD), as the scorer values each corridor.
pub fn totals(corridors: &[Corridor], rules: &Rules) -> Vec<(Period, f64)> {
    let cif_fob = rules.indicators.mirror_gap.cif_fob_factor;
    let mut by_period: BTreeMap<Period, f64> = BTreeMap::new();
    for c in corridors {
        for p in &c.periods {
            if let Some(v) = value(p, cif_fob) {
                *by_period.entry(p.period).or_default() += v;
            }
        }
    }
    by_period.into_iter().collect()
}

/// Scores every corridor.
pub fn score(corridors: &[Corridor], rules: &Rules, g: &Gazetteer) -> Vec<ScoredCorridor> {
    let ind = &rules.indicators;
    let cif_fob = ind.mirror_gap.cif_fob_factor;
    let min_value = ind.surge.min_value_usd;
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
    // Each hub's imports of each heading from producers, per data period, with the rows behind.
    type Inflow = BTreeMap<Period, (f64, Vec<FlowRef>)>;
    let mut inflows: BTreeMap<(CountryId, HsCode), Inflow> = BTreeMap::new();
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
            let known: Vec<Period> = c.periods.iter().map(|p| p.period).collect();
            let Judged {
                axis,
                windows,
                data,
                series,
            } = Judged::of(c, rules);
            let by_period: BTreeMap<Period, &CorridorPeriod> =
                c.periods.iter().map(|p| (p.period, p)).collect();
            let at = |q: Period| by_period.get(&q).copied();
            let label = format!(
                "{} -> {} HS {}",
                name(c.exporter),
                name(c.importer),
                c.heading
            );
            let (surge, surge_periods) = surge::evaluate(&series, &ind.surge, &label);
            let stated: BTreeMap<Period, mirror_gap::Stated> = axis
                .roll_paired(&windows, |q| {
                    let p = at(q)?;
                    Some(Pair(
                        p.exporter_reported.as_ref()?.value_usd,
                        p.importer_reported.as_ref()?.value_usd,
                    ))
                })
                .into_iter()
                .map(|(p, Pair(e, i))| (p, (e, i)))
                .collect();
            let (mirror, mirror_period) = mirror_gap::evaluate(
                &stated,
                &ind.mirror_gap,
                min_value,
                &name(c.exporter),
                &name(c.importer),
            );
            let consigned: BTreeMap<Period, Consigned> = axis.roll_paired(&windows, |q| {
                let p = at(q).filter(|p| !p.consigned.is_empty())?;
                Some(Consigned {
                    total_usd: p.importer_reported.as_ref()?.value_usd,
                    via: p
                        .consigned
                        .iter()
                        .filter(|(k, _)| **k != c.exporter && **k != c.importer)
                        .map(|(k, s)| (*k, s.value_usd))
                        .collect(),
                })
            });
            let (consignment, consignment_periods) = consignment_share::evaluate(
                &consigned,
                &ind.consignment_share,
                min_value,
                &format!(
                    "{}'s HS {} imports from {}",
                    name(c.importer),
                    c.heading,
                    name(c.exporter)
                ),
                &|k| name(k),
            );
            let mut extra_flows = Vec::new();
            let watched = hubs.contains(&c.exporter) && concern(c.importer) && !concern(c.exporter);
            let (mut pass, mut pass_periods) = (Finding::none(), Vec::new());
            if watched {
                let rules = &ind.corridor_pass_through;
                let (hub, dest) = (name(c.exporter), name(c.importer));
                if let Some(inflow) = inflows.get(&(c.exporter, c.heading)) {
                    let values: BTreeMap<Period, f64> =
                        inflow.iter().map(|(p, v)| (*p, v.0)).collect();
                    let rolled_in = axis.roll(&windows, &values);
                    if let Some((f, periods)) =
                        corridor_pass_through::co_movement(&rolled_in, &series, rules, &hub, &dest)
                    {
                        if f.value > 0.0 {
                            for (_, w) in windows.iter().filter(|(p, _)| periods.contains(p)) {
                                for q in w {
                                    if let Some(x) = inflow.get(q) {
                                        extra_flows.extend(x.1.iter().copied());
                                    }
                                }
                            }
                            pass_periods = periods;
                        }
                        pass = f;
                    }
                }
                let exported: BTreeMap<Period, corridor_pass_through::Exported> = axis
                    .roll_paired(&windows, |q| {
                        let p = at(q)?;
                        Some(Pair(
                            p.exporter_reported.as_ref()?.value_usd,
                            p.re_exported.as_ref()?.value_usd,
                        ))
                    })
                    .into_iter()
                    .map(|(p, Pair(x, rx))| (p, (x, rx)))
                    .collect();
                let (f, periods) =
                    corridor_pass_through::re_exports(&exported, rules, min_value, &hub, &dest);
                if f.value > pass.value {
                    (pass, pass_periods) = (f, periods);
                }
            }
            // The data periods involved: those of each fired factor's windows.
            let mut judged: Vec<Period> = surge_periods;
            judged.extend(mirror_period);
            judged.extend(consignment_periods);
            judged.extend(pass_periods);
            let mut involved: Vec<Period> = windows
                .iter()
                .filter(|(p, _)| judged.contains(p))
                .flat_map(|(_, w)| w.iter().copied())
                .filter(|q| at(*q).is_some())
                .collect();
            involved.sort_unstable();
            involved.dedup();
            if involved.is_empty() {
                involved.extend(known.last());
            }
            let value_usd: f64 = involved.iter().filter_map(|p| data.get(p)).sum();
            let mut flows: Vec<FlowRef> = c
                .periods
                .iter()
                .filter(|p| involved.binary_search(&p.period).is_ok())
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
/// factors (`fired` in `CORRIDOR_INDICATORS` order).
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
            format!(
                "final destination {} is in {group}",
                g.country(importer).name
            ),
            Vec::new(),
        ),
        None => Finding::none(),
    };
    // Goods into a hub whose onward flows are watched count as on their way (corridors.hubs).
    let hub = rules
        .corridors
        .hubs
        .iter()
        .any(|a| g.by_alpha2(a) == Some(importer));
    let dest = if hub && rules.corridors.hub_destination > dest.value {
        Finding::new(
            rules.corridors.hub_destination,
            format!(
                "destination {} is a transshipment hub whose onward flows are watched",
                g.country(importer).name
            ),
            Vec::new(),
        )
    } else {
        dest
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
                threshold: t,
                finding,
            }
        })
        .collect();
    for ((name, finding), (weight, threshold)) in CORRIDOR_INDICATORS.iter().zip(fired).zip(factors)
    {
        measured.push(Measured {
            indicator: name,
            role: Role::Corridor,
            weight: *weight,
            threshold,
            finding,
        });
    }
    combine(measured, rules.corridors.delivery_floor, rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::corridors::Stated;

    fn c(alpha2: &str) -> CountryId {
        Gazetteer::embedded().by_alpha2(alpha2).unwrap()
    }

    fn stated(v: f64) -> Option<Stated> {
        Some(Stated {
            value_usd: v,
            flows: Vec::new(),
        })
    }

    fn period(year: i32, month: Option<u8>) -> CorridorPeriod {
        CorridorPeriod {
            period: Period { year, month },
            exporter_reported: None,
            importer_reported: None,
            reconciled: None,
            re_exported: None,
            consigned: BTreeMap::new(),
        }
    }

    fn corridor(from: &str, to: &str, periods: Vec<CorridorPeriod>) -> Corridor {
        Corridor {
            exporter: c(from),
            importer: c(to),
            heading: HsCode::parse("8542").unwrap(),
            periods,
        }
    }

    /// Exports as the exporter reports them, imports as the importer reports them (CIF), and the
    /// share of the imports consigned from `via`, per year from 2019.
    fn reported(via: &str, values: &[(f64, f64, f64)]) -> Vec<CorridorPeriod> {
        values
            .iter()
            .enumerate()
            .map(|(i, (x, m, via_cn))| {
                let mut p = period(2019 + i as i32, None);
                p.exporter_reported = stated(*x);
                p.importer_reported = stated(*m);
                p.consigned
                    .insert(c("US"), stated(m * (1.0 - via_cn)).unwrap());
                p.consigned.insert(c(via), stated(m * via_cn).unwrap());
                p
            })
            .collect()
    }

    #[test]
    fn surge_mirror_gap_and_consignment_flag_one_corridor_together() {
        let rules = Rules::default();
        let g = Gazetteer::embedded();
        // US -> Kazakhstan: exports x2.7, a quarter of them missing on arrival, and the share
        // consigned from China from 9% to 45%.
        let roundabout = corridor(
            "US",
            "KZ",
            reported(
                "CN",
                &[
                    (10.5e6, 11.5e6, 0.09),
                    (13.3e6, 14.7e6, 0.09),
                    (12.6e6, 14.1e6, 0.09),
                    (34e6, 27e6, 0.45),
                ],
            ),
        );
        // US -> China: steady, a third consigned from Hong Kong every year.
        let steady = corridor(
            "US",
            "CN",
            reported(
                "HK",
                &[
                    (11.7e9, 11.8e9, 0.33),
                    (11.0e9, 11.8e9, 0.33),
                    (12.7e9, 13.3e9, 0.33),
                    (11.9e9, 12.4e9, 0.33),
                ],
            ),
        );
        let scored = score(&[roundabout, steady], &rules, g);
        let kz = &scored[0].score;
        assert!(kz.flagged, "{}", kz.reasons());
        for factor in ["surge", "mirror_gap", "consignment_share"] {
            assert!(kz.value(factor) > 0.0, "{factor}: {}", kz.reasons());
        }
        assert!(
            kz.reasons().contains("consigned from China"),
            "{}",
            kz.reasons()
        );
        assert_eq!(scored[0].periods.len(), 4);
        let cn = &scored[1].score;
        assert!(cn.score < 0.1, "{}", cn.reasons());
        assert_eq!(cn.value("consignment_share"), 0.0);
        let evidence = &cn.factor("consignment_share").unwrap().evidence;
        assert!(
            evidence.contains("33.0%") && evidence.contains("Hong Kong"),
            "{evidence}"
        );
        let sum: f64 = kz.factors.iter().map(|f| f.contribution).sum();
        assert!((sum - kz.score).abs() < 1e-9);
    }

    #[test]
    fn reconciled_data_flags_through_surge_and_pass_through() {
        let rules = Rules::default();
        let g = Gazetteer::embedded();
        let years = |values: &[f64]| -> Vec<CorridorPeriod> {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut p = period(2017 + i as i32, None);
                    p.reconciled = stated(*v);
                    p
                })
                .collect()
        };
        // BACI: Germany's exports to Kyrgyzstan and Kyrgyzstan's to Russia step up together.
        let into_hub = corridor(
            "DE",
            "KG",
            years(&[20e6, 22e6, 21e6, 23e6, 90e6, 120e6, 95e6]),
        );
        let onward = corridor(
            "KG",
            "RU",
            years(&[2e6, 2.5e6, 2.2e6, 3e6, 70e6, 98e6, 75e6]),
        );
        let scored = score(&[into_hub, onward], &rules, g);
        let ru = &scored[1].score;
        assert!(ru.flagged, "{}", ru.reasons());
        assert!(ru.value("corridor_pass_through") > 0.9, "{}", ru.reasons());
        assert_eq!(ru.value("mirror_gap"), 0.0);
        assert!(ru.reasons().contains("Kyrgyzstan's imports from producers"));
        // Into the hub, a surge alone does not flag.
        let kg = &scored[0].score;
        assert!(kg.value("surge") > 0.0 && !kg.flagged, "{}", kg.reasons());
        assert!(
            scored[1].flows.is_empty(),
            "no rows behind hand-made values"
        );
    }

    #[test]
    fn monthly_corridors_compare_twelve_month_sums_year_on_year() {
        let rules = Rules::default();
        let g = Gazetteer::embedded();
        // 48 months: 1M a month, then 5M a month from the 37th.
        let periods: Vec<CorridorPeriod> = (0..48)
            .map(|i| {
                let mut p = period(2019 + i / 12, Some((i % 12 + 1) as u8));
                p.exporter_reported = stated(if i >= 36 { 5e6 } else { 1e6 });
                p
            })
            .collect();
        let scored = score(&[corridor("AM", "RU", periods)], &rules, g);
        let s = &scored[0];
        assert_eq!(s.score.value("surge"), 1.0, "{}", s.score.reasons());
        assert!(
            s.score
                .reasons()
                .contains("the 12 months to 2022-12: USD 60,000,000 against USD 12,000,000"),
            "{}",
            s.score.reasons()
        );
        assert_eq!(
            (s.periods.first(), s.periods.last()),
            (
                Some(&Period {
                    year: 2019,
                    month: Some(1)
                }),
                Some(&Period {
                    year: 2022,
                    month: Some(12)
                })
            )
        );
        assert_eq!(s.value_usd, 36e6 + 60e6);
    }
}
