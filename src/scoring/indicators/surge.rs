//! Surge against a baseline (country-level data): a corridor's value in one year against the
//! mean of up to `baseline_years` earlier years (Armenian chip imports from the US +515% in 2022;
//! Armenia's chip exports to Russia from under USD 2,000 to USD 13M). Monthly data is compared as
//! the 12 months to each month against the same 12 months of earlier years (year on year, as
//! Taiwan's computing-system exports to Malaysia, +366% y/y in March 2025, were reported).

use std::collections::BTreeMap;

use super::{ramp, span, usd, years_before};
use crate::model::Period;
use crate::rules::SurgeRules;
use crate::scoring::Finding;

/// The rule in words.
pub fn threshold(r: &SurgeRules) -> String {
    format!(
        "value against the mean of up to {} earlier years: 0 at {}x, 1 at {}x; values below {} ignored",
        r.baseline_years,
        r.low_ratio,
        r.high_ratio,
        usd(r.min_value_usd)
    )
}

/// The strongest surge in a corridor's series (one value per year, or per 12 months to each
/// month), with the periods involved (the baseline and the surge period), in order. `corridor`
/// names it in the evidence (`United States -> Armenia HS 8542`).
pub fn evaluate(
    series: &BTreeMap<Period, f64>,
    rules: &SurgeRules,
    corridor: &str,
) -> (Finding, Vec<Period>) {
    let mut best = (Finding::none(), Vec::new());
    for (p, v) in series {
        // At least one earlier year is needed; up to `baseline_years` are averaged.
        let before = years_before(series, *p, rules.baseline_years);
        if before.is_empty() || *v < rules.min_value_usd {
            continue;
        }
        let k = before.len();
        let base: f64 = before.iter().map(|x| *x.1).sum::<f64>() / k as f64;
        let ratio = if base > 0.0 { v / base } else { f64::INFINITY };
        let value = ramp(ratio.min(1e9), rules.low_ratio, rules.high_ratio);
        if value > best.0.value {
            let times = if ratio.is_finite() {
                format!("{ratio:.1}x")
            } else {
                "new".into()
            };
            let years = if k == 1 { "year" } else { "years" };
            let text = format!(
                "{corridor} {}: {} against {} on average over the {k} {years} before ({times})",
                span(*p),
                usd(*v),
                usd(base)
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

    fn series(values: &[(Period, f64)]) -> BTreeMap<Period, f64> {
        values.iter().copied().collect()
    }

    #[test]
    fn a_jump_from_almost_nothing_is_a_full_surge_with_its_baseline() {
        let rules = Rules::default().indicators.surge;
        let (f, involved) = evaluate(
            &series(&[(year(2021), 1_900.0), (year(2022), 13_000_000.0)]),
            &rules,
            "Armenia -> Russia HS 8542",
        );
        assert_eq!(f.value, 1.0);
        assert_eq!(involved, [year(2021), year(2022)]);
        assert!(
            f.evidence.contains("2022") && f.evidence.contains("USD 13,000,000"),
            "{}",
            f.evidence
        );
    }

    #[test]
    fn steady_trade_and_small_values_do_not_surge() {
        let rules = Rules::default().indicators.surge;
        let steady = series(&(2015..2024).map(|y| (year(y), 5e8)).collect::<Vec<_>>());
        assert_eq!(evaluate(&steady, &rules, "x").0.value, 0.0);
        assert_eq!(
            evaluate(
                &series(&[(year(2021), 10.0), (year(2022), 5_000.0)]),
                &rules,
                "x"
            )
            .0
            .value,
            0.0,
            "below min_value_usd"
        );
    }

    #[test]
    fn twelve_month_sums_compare_with_the_same_months_of_earlier_years() {
        let rules = Rules::default().indicators.surge;
        let month = |y, m| Period {
            year: y,
            month: Some(m),
        };
        // The 12 months to March 2025 against those to March 2024: x4.66 (+366% y/y).
        let s = series(&[
            (month(2024, 2), 1e9),
            (month(2024, 3), 1e8),
            (month(2025, 3), 4.66e8),
        ]);
        let (f, involved) = evaluate(&s, &rules, "Taiwan -> Malaysia HS 8471");
        assert_eq!(involved, [month(2024, 3), month(2025, 3)]);
        assert!(
            f.evidence.contains("the 12 months to 2025-03") && f.evidence.contains("4.7x"),
            "{}",
            f.evidence
        );
        assert!((f.value - ramp(4.66, rules.low_ratio, rules.high_ratio)).abs() < 1e-9);
    }
}
