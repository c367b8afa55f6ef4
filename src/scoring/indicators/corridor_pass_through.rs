//! Hub pass-through (country-level data), on the hub -> destination-of-concern corridor: goods
//! that come into a hub from chip producers and go on to the destination. Two readings, the
//! stronger counts:
//!
//! - co-movement: the hub's imports of the heading from producers rise and fall with its exports
//!   on the corridor (changes year on year, lag 0 to `max_lag_months`), beyond what chance gives
//!   for that many changes, by an amount that is a material share of the
//!   change in its imports (BIS estimated 97% of Armenia's chip imports were re-exported to
//!   Russia); a small corridor that happens to wiggle with a big inflow is not a pass-through;
//! - re-exports: the share of the hub's exports on the corridor it declares as re-exports
//!   (Comtrade `RX`, goods leaving as they came in) rising against the corridor's earlier periods.

use std::collections::BTreeMap;

use super::{ramp, span, usd, years_before};
use crate::model::Period;
use crate::rules::CorridorPassThroughRules;
use crate::scoring::Finding;

/// The rule in words.
pub fn threshold(r: &CorridorPassThroughRules) -> String {
    format!(
        "year-on-year changes of imports from producers and exports here correlated beyond chance, lag 0-{} months: 1 at {} with {:.0}% of the import change passed on; or the re-export share above its mean over up to {} earlier years: 0 at +{:.0}, 1 at +{:.0} points",
        r.max_lag_months,
        r.full_correlation,
        r.full_share * 100.0,
        r.baseline_years,
        r.re_export_min_rise * 100.0,
        r.re_export_full_rise * 100.0
    )
}

/// Pearson correlation; `None` when either side is constant or shorter than three.
pub fn correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 3 {
        return None;
    }
    let (ma, mb) = (
        a[..n].iter().sum::<f64>() / n as f64,
        b[..n].iter().sum::<f64>() / n as f64,
    );
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma).powi(2);
        sbb += (b[i] - mb).powi(2);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// Least-squares slope of `b` on `a` (how much `b` changes per unit change of `a`).
fn slope(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let (ma, mb) = (
        a[..n].iter().sum::<f64>() / n as f64,
        b[..n].iter().sum::<f64>() / n as f64,
    );
    let (mut sab, mut saa) = (0.0, 0.0);
    for i in 0..n {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma).powi(2);
    }
    if saa > 0.0 { sab / saa } else { 0.0 }
}

/// The period `months` later (for yearly periods, whole years of it).
fn later(p: Period, months: usize) -> Period {
    match p.month {
        Some(m) => {
            let i = p.year * 12 + i32::from(m) - 1 + months as i32;
            Period {
                year: i.div_euclid(12),
                month: Some((i.rem_euclid(12) + 1) as u8),
            }
        }
        None => p.years_before(-((months / 12) as i32)),
    }
}

/// Co-movement of year-on-year changes between `inflow` (the hub's imports of the heading from
/// producers) and `outflow` (its exports on the corridor), one value per year or per 12 months to
/// each month, the exports lagging by 0 to `max_lag_months` (whole years for yearly data). A
/// correlation counts only above what chance gives at the rules' level for that many changes
/// (`tanh(z / sqrt(n - 3))`, n the number of independent changes: one a year for monthly data);
/// `None` with fewer than four. Returns the finding and the periods compared.
pub fn co_movement(
    inflow: &BTreeMap<Period, f64>,
    outflow: &BTreeMap<Period, f64>,
    rules: &CorridorPassThroughRules,
    hub: &str,
    destination: &str,
) -> Option<(Finding, Vec<Period>)> {
    let change = |m: &BTreeMap<Period, f64>, p: Period| -> Option<f64> {
        Some(m.get(&p)? - m.get(&p.years_before(1))?)
    };
    let monthly = inflow
        .keys()
        .chain(outflow.keys())
        .any(|p| p.month.is_some());
    let step = if monthly { 1 } else { 12 };
    // (value, correlation, share passed on, lag in months, periods compared)
    let mut best: Option<(f64, f64, f64, usize, Vec<Period>)> = None;
    for lag in (0..=rules.max_lag_months).step_by(step) {
        let pairs: Vec<(Period, f64, f64)> = inflow
            .keys()
            .filter_map(|p| Some((*p, change(inflow, *p)?, change(outflow, later(*p, lag))?)))
            .collect();
        // Changes of 12-month sums a month apart share 11 of their 12 months: monthly data
        // carries about one independent change a year.
        let n = if monthly {
            pairs.len().div_ceil(12)
        } else {
            pairs.len()
        };
        if n < 4 {
            continue;
        }
        let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().map(|(_, a, b)| (*a, *b)).unzip();
        let Some(r) = correlation(&x, &y) else {
            continue;
        };
        let chance = (rules.min_correlation_z / ((n - 3) as f64).sqrt()).tanh();
        let share = slope(&x, &y);
        let value = if r > chance {
            (r / rules.full_correlation).clamp(0.0, 1.0)
                * (share / rules.full_share).clamp(0.0, 1.0)
        } else {
            0.0
        };
        if best
            .as_ref()
            .is_none_or(|b| value > b.0 || (b.0 == 0.0 && value == 0.0 && r > b.1))
        {
            let mut periods: Vec<Period> = pairs
                .iter()
                .flat_map(|(p, _, _)| {
                    let q = later(*p, lag);
                    [p.years_before(1), *p, q.years_before(1), q]
                })
                .collect();
            periods.sort_unstable();
            periods.dedup();
            best = Some((value, r, share, lag, periods));
        }
    }
    let (value, r, share, lag, periods) = best?;
    let lag = match (lag, monthly) {
        (0, _) => "no lag".to_string(),
        (l, true) => format!("lag {l} months"),
        (l, false) => format!("lag {} years", l / 12),
    };
    let text = format!(
        "{hub}'s imports from producers and its exports to {destination} change together year on year (correlation {r:.2}, {lag}, {:.0}% of the change in imports passed on; {} to {})",
        share * 100.0,
        span(periods[0]),
        span(periods[periods.len() - 1])
    );
    Some((Finding::new(value, text, Vec::new()), periods))
}

/// One period of a hub's exports on a corridor: (all exports, declared re-exports), USD.
pub type Exported = (f64, f64);

/// The strongest rise of the re-export share over the periods the hub breaks its exports down
/// (one per year, or per 12 months to each month), with the periods it rests on. Periods below
/// `min_value_usd` are not judged.
pub fn re_exports(
    periods: &BTreeMap<Period, Exported>,
    rules: &CorridorPassThroughRules,
    min_value_usd: f64,
    hub: &str,
    destination: &str,
) -> (Finding, Vec<Period>) {
    let share = |(x, rx): &Exported| if *x > 0.0 { (rx / x).min(1.0) } else { 0.0 };
    let mut best = (Finding::none(), Vec::new());
    for (p, now) in periods {
        let before = years_before(periods, *p, rules.baseline_years);
        if before.is_empty() || now.0 < min_value_usd {
            continue;
        }
        let k = before.len();
        let base = before.iter().map(|x| share(x.1)).sum::<f64>() / k as f64;
        let value = ramp(
            share(now) - base,
            rules.re_export_min_rise,
            rules.re_export_full_rise,
        );
        if value > best.0.value {
            let years = if k == 1 { "year" } else { "years" };
            let text = format!(
                "{}: {} of {hub}'s {} exports to {destination} ({:.0}%) were re-exports, against {:.0}% on average over the {k} {years} before",
                span(*p),
                usd(now.1),
                usd(now.0),
                share(now) * 100.0,
                base * 100.0
            );
            let mut involved: Vec<Period> = before.iter().map(|x| x.0).collect();
            involved.push(*p);
            involved.sort_unstable();
            best = (Finding::new(value, text, Vec::new()), involved);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn year(y: i32) -> Period {
        Period {
            year: y,
            month: None,
        }
    }

    fn series(values: &[f64]) -> BTreeMap<Period, f64> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (year(2015 + i as i32), *v))
            .collect()
    }

    fn month(i: i32) -> Period {
        later(
            Period {
                year: 2019,
                month: Some(1),
            },
            i as usize,
        )
    }

    #[test]
    fn exports_that_follow_imports_a_few_months_later_are_found() {
        let r = Rules::default().indicators.corridor_pass_through;
        // 12-month sums of a hub whose imports step up twice; its exports follow two months later.
        let imports: BTreeMap<Period, f64> = (0..72)
            .map(|i| {
                (
                    month(i),
                    100.0 + 80.0 * f64::from(i >= 30) + 150.0 * f64::from(i >= 50),
                )
            })
            .collect();
        let exports: BTreeMap<Period, f64> = (0..72)
            .map(|i| {
                (
                    month(i),
                    10.0 + 70.0 * f64::from(i >= 32) + 140.0 * f64::from(i >= 52),
                )
            })
            .collect();
        let (f, periods) = co_movement(&imports, &exports, &r, "Armenia", "Russia").unwrap();
        assert!(f.value > 0.9, "{}", f.evidence);
        assert!(f.evidence.contains("lag 2 months"), "{}", f.evidence);
        assert_eq!(periods.first(), Some(&month(0)));
        // Exports that grow steadily whatever the imports do are no pass-through.
        let steady: BTreeMap<Period, f64> = (0..72)
            .map(|i| (month(i), 10.0 + f64::from(i) + f64::from(i % 5)))
            .collect();
        let (g, _) = co_movement(&imports, &steady, &r, "X", "Y").unwrap();
        assert_eq!(g.value, 0.0, "{}", g.evidence);
        assert_eq!(correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn chance_correlations_over_few_years_do_not_count() {
        let r = Rules::default().indicators.corridor_pass_through;
        // Six years: five changes; a correlation of about 0.6 is what chance gives.
        let imports = series(&[366.0, 335.0, 368.0, 392.0, 366.0, 398.0]);
        let exports = series(&[33.0, 37.0, 37.0, 125.0, 138.0, 114.0]);
        let (f, _) = co_movement(&imports, &exports, &r, "Turkey", "Russia").unwrap();
        assert_eq!(f.value, 0.0, "{}", f.evidence);
        // Too few changes to judge at all.
        assert!(
            co_movement(
                &series(&[1.0, 2.0, 4.0]),
                &series(&[1.0, 2.0, 4.0]),
                &r,
                "X",
                "Y"
            )
            .is_none()
        );
    }

    #[test]
    fn a_rising_re_export_share_counts_and_a_steady_one_does_not() {
        let r = Rules::default().indicators.corridor_pass_through;
        let steady: BTreeMap<Period, Exported> =
            (2019..2025).map(|y| (year(y), (5e6, 4.5e6))).collect();
        assert_eq!(
            re_exports(&steady, &r, 1e5, "Hong Kong", "China").0.value,
            0.0
        );
        let rising: BTreeMap<Period, Exported> = [
            (year(2019), (38e6, 9.5e6)),
            (year(2020), (36e6, 9e6)),
            (year(2021), (34e6, 8.5e6)),
            (year(2022), (200e6, 180e6)),
        ]
        .into_iter()
        .collect();
        let (f, periods) = re_exports(&rising, &r, 1e5, "Kazakhstan", "Russia");
        assert_eq!(f.value, 1.0);
        assert_eq!(periods.len(), 4);
        assert!(
            f.evidence.contains("90%") && f.evidence.contains("against 25%"),
            "{}",
            f.evidence
        );
    }
}
