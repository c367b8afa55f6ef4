//! Corridors from country-level data (UN Comtrade, CEPII BACI), scored by the corridor indicators
//! (one per file in `scoring/indicators/`): surge against a baseline per
//! corridor and HS heading, mirror gaps between what exporters and importers report (CIF/FOB
//! factor 1.06), hub pass-through (a hub's imports from producers rising with its exports to
//! countries of concern, lag 0-3 periods), and consignment shares from `partner2Code`.

use std::collections::BTreeMap;

use crate::analysis::{RouteKind, ScoredRoute};
use crate::gazetteer::{AreaKind, CountryId, Gazetteer};
use crate::model::{Dataset, Date, FlowDirection, Format, Period};
use crate::scoring::indicators::destination_of_concern::strength;
use crate::scoring::indicators::{
    CORRIDOR_INDICATORS, ROUTE_INDICATORS, consignment_share, corridor_pass_through, mirror_gap,
    surge,
};
use crate::scoring::rules::Rules;
use crate::scoring::{Finding, Measured, Role, combine};

/// Who stated a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reporter {
    Exporter,
    Importer,
    Reconciled,
}

/// Values of one corridor (exporter -> importer, HS heading) per period and reporter, with the
/// flows behind them.
#[derive(Default)]
struct Series {
    values: BTreeMap<(Period, Reporter), Stated>,
}

/// A value and the (dataset, flow) rows it sums.
type Stated = (f64, Vec<(u32, u32)>);

impl Series {
    fn add(&mut self, period: Period, who: Reporter, value: f64, flow: (u32, u32)) {
        let e = self.values.entry((period, who)).or_default();
        e.0 += value;
        e.1.push(flow);
    }

    /// One value per period: reconciled if given, else the larger of exporter-reported FOB and
    /// importer-reported CIF converted to FOB.
    fn best(&self, cif_fob: f64) -> BTreeMap<Period, f64> {
        let mut out: BTreeMap<Period, f64> = BTreeMap::new();
        for ((p, who), (v, _)) in &self.values {
            let fob = if *who == Reporter::Importer {
                v / cif_fob
            } else {
                *v
            };
            let e = out.entry(*p).or_insert(0.0);
            *e = if *who == Reporter::Reconciled {
                fob
            } else {
                e.max(fob)
            };
        }
        out
    }

    fn flows(&self, period: Period) -> Vec<(u32, u32)> {
        self.values
            .iter()
            .filter(|((p, _), _)| *p == period)
            .flat_map(|(_, (_, f))| f.iter().copied())
            .collect()
    }
}

fn period_dates(p: Period) -> (Date, Date) {
    let start = Date::from_ymd(p.year, u32::from(p.month.unwrap_or(1)), 1).unwrap_or(Date(0));
    let end = match p.month {
        Some(m) if m < 12 => Date::from_ymd(p.year, u32::from(m) + 1, 1).map(|d| d.plus_days(-1)),
        _ => Date::from_ymd(p.year, 12, 31),
    }
    .unwrap_or(start);
    (start, end)
}

/// Scores the corridors of every country-level dataset (`(index, dataset)` pairs).
pub fn score(datasets: &[(u32, &Dataset)], rules: &Rules, g: &Gazetteer) -> Vec<ScoredRoute> {
    let headings: Vec<u64> = rules
        .corridors
        .hs_headings
        .iter()
        .filter_map(|h| h.parse().ok())
        .collect();
    let is_country = |c: CountryId| g.country(c).kind == AreaKind::Country;
    let mut corridors: BTreeMap<(CountryId, CountryId, u64), Series> = BTreeMap::new();
    // (importer, origin, heading, period) -> (total, [(consigned from, value, flows)])
    type Consigned = BTreeMap<
        (CountryId, CountryId, u64, Period),
        (
            f64,
            Vec<(u32, u32)>,
            BTreeMap<CountryId, (f64, Vec<(u32, u32)>)>,
        ),
    >;
    let mut consigned: Consigned = BTreeMap::new();
    for (di, d) in datasets {
        let baci = d.provenance.format == Format::Baci;
        for (row, f) in d.flows().iter().enumerate() {
            let heading = f.hs_code.heading();
            if f.hs_code.len() < 4
                || !headings.contains(&heading)
                || !is_country(f.reporter)
                || !is_country(f.partner)
            {
                continue;
            }
            let flow = (*di, row as u32);
            let (exporter, importer, who) = match (baci, f.direction) {
                (true, _) => (f.reporter, f.partner, Reporter::Reconciled),
                (false, FlowDirection::Export | FlowDirection::ReExport) => {
                    (f.reporter, f.partner, Reporter::Exporter)
                }
                (false, _) => (f.partner, f.reporter, Reporter::Importer),
            };
            match f.consigned_from {
                None => {
                    corridors
                        .entry((exporter, importer, heading))
                        .or_default()
                        .add(f.period, who, f.value_usd, flow);
                    if who == Reporter::Importer {
                        let e = consigned
                            .entry((importer, exporter, heading, f.period))
                            .or_default();
                        e.0 += f.value_usd;
                        e.1.push(flow);
                    }
                }
                Some(c) if who == Reporter::Importer && c != exporter && is_country(c) => {
                    let e = consigned
                        .entry((importer, exporter, heading, f.period))
                        .or_default();
                    let slot = e.2.entry(c).or_default();
                    slot.0 += f.value_usd;
                    slot.1.push(flow);
                }
                Some(_) => {}
            }
        }
    }
    let mut rows = Vec::new();
    let dest_rules = &rules.indicators.destination_of_concern;
    let name = |c: CountryId| g.country(c).name.clone();

    // Direct corridors: surge and mirror gap.
    for ((exporter, importer, heading), series) in &corridors {
        let best = series.best(rules.indicators.mirror_gap.cif_fob_factor);
        let periods: Vec<(Period, f64)> = best.iter().map(|(p, v)| (*p, *v)).collect();
        let label = format!("{} -> {} HS {heading}", name(*exporter), name(*importer));
        let surge = surge::evaluate(&periods, &rules.indicators.surge, &label);
        let stated: Vec<mirror_gap::Stated> = periods
            .iter()
            .map(|(p, _)| {
                let get = |who| series.values.get(&(*p, who)).map(|x| x.0);
                (*p, get(Reporter::Exporter), get(Reporter::Importer))
            })
            .collect();
        let mirror = mirror_gap::evaluate(
            &stated,
            &rules.indicators.mirror_gap,
            rules.indicators.surge.min_value_usd,
            &name(*exporter),
            &name(*importer),
        );
        // The periods involved: the surge period with its baseline, and the mirror-gap period.
        let mut involved: Vec<Period> = surge
            .1
            .into_iter()
            .flatten()
            .map(|i| periods[i].0)
            .collect();
        involved.extend(mirror.1);
        involved.sort_unstable();
        involved.dedup();
        if involved.is_empty() {
            involved = periods.last().map(|p| vec![p.0]).unwrap_or_default();
        }
        let value: f64 = involved.iter().filter_map(|p| best.get(p)).sum();
        rows.push(corridor_row(
            vec![*exporter, *importer],
            &involved,
            involved.iter().flat_map(|p| series.flows(*p)).collect(),
            value,
            [("surge", surge.0), ("mirror_gap", mirror.0)],
            rules,
            g,
        ));
    }

    // Consignment shares: imports of a country from an origin, consigned from a third country.
    for ((importer, origin, heading, period), (total, total_flows, via)) in &consigned {
        for (hub, (v, flows)) in via {
            if *total <= 0.0 {
                continue;
            }
            let finding = consignment_share::evaluate(
                *period,
                *v,
                *total,
                *heading,
                &name(*importer),
                &name(*origin),
                &name(*hub),
                &rules.indicators.consignment_share,
            );
            let mut all = total_flows.clone();
            all.extend(flows);
            rows.push(corridor_row(
                vec![*origin, *hub, *importer],
                &[*period],
                all,
                *v,
                [("consignment_share", finding)],
                rules,
                g,
            ));
        }
    }

    // Hub pass-through: imports from producers moving with exports to countries of concern.
    let producers: Vec<CountryId> = rules
        .corridors
        .producers
        .iter()
        .filter_map(|a| g.by_alpha2(a))
        .collect();
    for hub in rules.corridors.hubs.iter().filter_map(|a| g.by_alpha2(a)) {
        let mut inflow: BTreeMap<Period, f64> = BTreeMap::new();
        let mut outflow: BTreeMap<Period, f64> = BTreeMap::new();
        let (mut top_in, mut top_out): (BTreeMap<CountryId, f64>, BTreeMap<CountryId, f64>) =
            Default::default();
        let mut flows = Vec::new();
        for ((exporter, importer, _), series) in &corridors {
            let into_hub = *importer == hub && producers.contains(exporter);
            let out_to_concern = *exporter == hub && strength(g, dest_rules, *importer).0 >= 1.0;
            if !(into_hub || out_to_concern) {
                continue;
            }
            for (p, v) in series.best(rules.indicators.mirror_gap.cif_fob_factor) {
                if into_hub {
                    *inflow.entry(p).or_default() += v;
                    *top_in.entry(*exporter).or_default() += v;
                } else {
                    *outflow.entry(p).or_default() += v;
                    *top_out.entry(*importer).or_default() += v;
                }
                flows.extend(series.flows(p));
            }
        }
        let Some((finding, periods)) = corridor_pass_through::evaluate(
            &inflow,
            &outflow,
            &rules.indicators.corridor_pass_through,
            &name(hub),
        ) else {
            continue;
        };
        let (Some(origin), Some(dest)) = (
            top_in
                .iter()
                .max_by(|x, y| x.1.total_cmp(y.1))
                .map(|x| *x.0),
            top_out
                .iter()
                .max_by(|x, y| x.1.total_cmp(y.1))
                .map(|x| *x.0),
        ) else {
            continue;
        };
        let total: f64 = outflow.values().sum();
        rows.push(corridor_row(
            vec![origin, hub, dest],
            &periods,
            flows,
            total,
            [("corridor_pass_through", finding)],
            rules,
            g,
        ));
    }
    rows
}

fn corridor_row<const N: usize>(
    path: Vec<CountryId>,
    periods: &[Period],
    flows: Vec<(u32, u32)>,
    value_usd: f64,
    fired: [(&'static str, Finding); N],
    rules: &Rules,
    g: &Gazetteer,
) -> ScoredRoute {
    let ind = &rules.indicators;
    let Some(&last) = path.last() else {
        unreachable!("corridors have two or three countries")
    };
    let (dest_value, group) = strength(g, &ind.destination_of_concern, last);
    let dest = match group {
        Some(group) => Finding::new(
            dest_value,
            format!("final destination {} is in {group}", g.country(last).name),
            Vec::new(),
        ),
        None => Finding::none(),
    };
    let weight = |n: &str| match n {
        "surge" => ind.surge.weight,
        "mirror_gap" => ind.mirror_gap.weight,
        "corridor_pass_through" => ind.corridor_pass_through.weight,
        "consignment_share" => ind.consignment_share.weight,
        _ => 0.0,
    };
    let mut findings: Vec<Measured> = Vec::new();
    for i in ROUTE_INDICATORS {
        let n = i.name();
        let f = match n {
            "destination_of_concern" => dest.clone(),
            // Country-level rows are chips and computers by their HS heading.
            "product_sensitivity" => {
                Finding::new(1.0, "HS heading of chips or computers", Vec::new())
            }
            _ => Finding::none(),
        };
        findings.push(Measured {
            indicator: n,
            role: i.role(),
            weight: 0.0,
            threshold: i.threshold(rules).into(),
            finding: f,
        });
    }
    for n in CORRIDOR_INDICATORS {
        let f = fired
            .iter()
            .find(|(name, _)| name == n)
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        findings.push(Measured {
            indicator: n,
            role: Role::Corridor,
            weight: weight(n),
            threshold: "".into(),
            finding: f,
        });
    }
    let _ = dest_value;
    let score = combine(findings, rules.corridors.delivery_floor, rules);
    let (first, last_date) = (
        periods
            .iter()
            .map(|p| period_dates(*p).0)
            .min()
            .unwrap_or(Date(0)),
        periods
            .iter()
            .map(|p| period_dates(*p).1)
            .max()
            .unwrap_or(Date(0)),
    );
    ScoredRoute {
        id: String::new(),
        stops: path.iter().filter_map(|c| g.country(*c).point).collect(),
        path: path.iter().map(|c| g.country(*c).code()).collect(),
        kind: RouteKind::Corridor { flows },
        score,
        parties: Vec::new(),
        shipment_ids: Vec::new(),
        first_date: first.to_string(),
        last_date: last_date.to_string(),
        quantity: 0.0,
        value_usd,
    }
}
