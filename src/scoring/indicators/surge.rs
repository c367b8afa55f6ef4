//! Surge against a baseline (country-level data): a corridor's value in one period against the
//! mean of up to `baseline_periods` earlier periods (Armenian chip imports from the US +515% in
//! 2022; Armenia's chip exports to Russia from under USD 2,000 to USD 13M).

use std::ops::RangeInclusive;

use super::{ramp, usd};
use crate::model::Period;
use crate::scoring::Finding;
use crate::scoring::rules::SurgeRules;

/// The rule in words.
pub fn threshold(r: &SurgeRules) -> String {
    format!(
        "value against the mean of up to {} earlier periods: 0 at {}x, 1 at {}x; periods below {} ignored",
        r.baseline_periods,
        r.low_ratio,
        r.high_ratio,
        usd(r.min_value_usd)
    )
}

/// The strongest surge in a corridor's series (periods in order, one value each), with the
/// indices of the periods involved (the baseline and the surge period). `corridor` names it in
/// the evidence (`United States -> Armenia HS 8542`).
pub fn evaluate(
    periods: &[(Period, f64)],
    rules: &SurgeRules,
    corridor: &str,
) -> (Finding, Option<RangeInclusive<usize>>) {
    let mut best = (Finding::none(), None);
    for (i, (p, v)) in periods.iter().enumerate() {
        // At least one earlier period is needed; up to `baseline_periods` are averaged.
        let k = rules.baseline_periods.min(i);
        if k == 0 || *v < rules.min_value_usd {
            continue;
        }
        let base: f64 = periods[i - k..i].iter().map(|x| x.1).sum::<f64>() / k as f64;
        let ratio = if base > 0.0 { v / base } else { f64::INFINITY };
        let value = ramp(ratio.min(1e9), rules.low_ratio, rules.high_ratio);
        if value > best.0.value {
            let times = if ratio.is_finite() {
                format!("{ratio:.1}")
            } else {
                "new".into()
            };
            let text = format!(
                "{corridor} {p}: {} against {} on average over the {k} periods before ({times}x)",
                usd(*v),
                usd(base)
            );
            best = (Finding::new(value, text, Vec::new()), Some(i - k..=i));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::rules::Rules;

    fn year(y: i32) -> Period {
        Period {
            year: y,
            month: None,
        }
    }

    #[test]
    fn a_jump_from_almost_nothing_is_a_full_surge_with_its_baseline() {
        let rules = Rules::default().indicators.surge;
        let (f, range) = evaluate(
            &[(year(2021), 1_900.0), (year(2022), 13_000_000.0)],
            &rules,
            "Armenia -> Russia HS 8542",
        );
        assert_eq!(f.value, 1.0);
        assert_eq!(range, Some(0..=1));
        assert!(
            f.evidence.contains("2022") && f.evidence.contains("USD 13,000,000"),
            "{}",
            f.evidence
        );
    }

    #[test]
    fn steady_trade_and_small_values_do_not_surge() {
        let rules = Rules::default().indicators.surge;
        let steady: Vec<_> = (2015..2024).map(|y| (year(y), 5e8)).collect();
        assert_eq!(evaluate(&steady, &rules, "x").0.value, 0.0);
        assert_eq!(
            evaluate(&[(year(2021), 10.0), (year(2022), 5_000.0)], &rules, "x")
                .0
                .value,
            0.0,
            "below min_value_usd"
        );
    }
}
