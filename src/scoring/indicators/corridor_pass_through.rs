//! Hub pass-through (country-level data): a hub's imports from chip producers rising and falling
//! with its exports to countries of concern, with a lag of 0 to `max_lag` periods.

use std::collections::BTreeMap;

use crate::model::Period;
use crate::scoring::Finding;
use crate::scoring::rules::CorridorPassThroughRules;

/// The rule in words.
pub fn threshold(r: &CorridorPassThroughRules) -> String {
    format!(
        "correlation of period-on-period changes, lag 0-{} periods: 1 at {}",
        r.max_lag, r.full_correlation
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

/// The best lagged correlation of period-on-period changes between `inflow` (hub imports from
/// producers) and `outflow` (hub exports to countries of concern), over the periods both have;
/// `None` with fewer than four such periods. Returns the finding and the periods compared.
pub fn evaluate(
    inflow: &BTreeMap<Period, f64>,
    outflow: &BTreeMap<Period, f64>,
    rules: &CorridorPassThroughRules,
    hub: &str,
    destination: &str,
) -> Option<(Finding, Vec<Period>)> {
    let periods: Vec<Period> = inflow
        .keys()
        .filter(|p| outflow.contains_key(p))
        .copied()
        .collect();
    if periods.len() < 4 {
        return None;
    }
    let diffs = |m: &BTreeMap<Period, f64>| -> Vec<f64> {
        periods.windows(2).map(|w| m[&w[1]] - m[&w[0]]).collect()
    };
    let (a, b) = (diffs(inflow), diffs(outflow));
    let mut best: (f64, usize) = (0.0, 0);
    for lag in 0..=rules.max_lag.min(a.len().saturating_sub(3)) {
        if let Some(r) = correlation(&a[..a.len() - lag], &b[lag..])
            && r > best.0
        {
            best = (r, lag);
        }
    }
    let value = (best.0 / rules.full_correlation).clamp(0.0, 1.0);
    let text = format!(
        "{hub}'s imports from producers and its exports to {destination} move together (correlation {:.2} at lag {}) over {} periods",
        best.0,
        best.1,
        periods.len()
    );
    Some((Finding::new(value, text, Vec::new()), periods))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::rules::Rules;

    fn series(values: &[f64]) -> BTreeMap<Period, f64> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                (
                    Period {
                        year: 2015 + i as i32,
                        month: None,
                    },
                    *v,
                )
            })
            .collect()
    }

    #[test]
    fn exports_that_follow_imports_a_period_later_are_found() {
        let r = Rules::default().indicators.corridor_pass_through;
        let imports = series(&[10.0, 30.0, 15.0, 40.0, 20.0, 60.0, 25.0]);
        let exports = series(&[5.0, 5.0, 25.0, 10.0, 35.0, 15.0, 55.0]);
        let (f, periods) = evaluate(&imports, &exports, &r, "Armenia", "Russia").unwrap();
        assert_eq!(periods.len(), 7);
        assert!(f.value > 0.9, "{}", f.evidence);
        assert!(f.evidence.contains("lag 1"), "{}", f.evidence);
        // Exports that grow steadily whatever the imports do are no pass-through.
        let steady = series(&[5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]);
        let (g, _) = evaluate(&imports, &steady, &r, "X", "Y").unwrap();
        assert_eq!(g.value, 0.0);
        assert!(evaluate(&series(&[1.0, 2.0]), &series(&[1.0, 2.0]), &r, "X", "Y").is_none());
        assert_eq!(correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    }
}
