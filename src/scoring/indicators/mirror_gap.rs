//! Mirror gap (country-level data): what the exporter reports against what the importer reports
//! for the same corridor and period, with the importer's CIF converted to FOB (IMF factor 1.06),
//! against the gap the same corridor showed in its earlier periods.
//!
//! EBRD: "missing" imports were about half of the *extra* EU/UK exports to Armenia, Kazakhstan
//! and Kyrgyzstan in 2022-23. Two countries' statistics of one corridor often differ by a steady
//! amount (timing, valuation, goods attributed to another partner by one side): that is a
//! reporting convention, not evidence. A gap that opens against the corridor's own earlier
//! periods is goods that left for one country and were not declared arriving there.

use std::collections::BTreeMap;

use super::{span, usd, years_before};
use crate::model::Period;
use crate::rules::MirrorGapRules;
use crate::scoring::Finding;

/// One period of a corridor as both sides state it: (exporter-reported FOB, importer-reported CIF).
pub type Stated = (f64, f64);

/// The rule in words.
pub fn threshold(r: &MirrorGapRules) -> String {
    format!(
        "(exports - imports / {}) / the larger, against its mean over up to {} earlier years: 1 at {:.0} points apart",
        r.cif_fob_factor,
        r.baseline_years,
        r.full_gap * 100.0
    )
}

/// The gap of one period as a share of the larger side: positive when imports are missing,
/// negative when the importer reports more than the exporter.
fn gap((exports, imports): Stated, cif_fob: f64) -> f64 {
    let fob = imports / cif_fob;
    (exports - fob) / exports.max(fob).max(1.0)
}

/// The gap that opened furthest against the corridor's earlier years, and its period, over the
/// periods both sides report (one value per year, or per 12 months to each month). Periods where
/// neither side reaches `min_value_usd` are left out; a period without an earlier one to compare
/// with is not judged.
pub fn evaluate(
    stated: &BTreeMap<Period, Stated>,
    rules: &MirrorGapRules,
    min_value_usd: f64,
    exporter: &str,
    importer: &str,
) -> (Finding, Option<Period>) {
    let both: BTreeMap<Period, Stated> = stated
        .iter()
        .filter(|(_, (e, i))| e.max(i / rules.cif_fob_factor) >= min_value_usd)
        .map(|(p, s)| (*p, *s))
        .collect();
    let mut best = (Finding::none(), None);
    for (p, (e, i)) in &both {
        let before = years_before(&both, *p, rules.baseline_years);
        if before.is_empty() {
            continue;
        }
        let now = gap((*e, *i), rules.cif_fob_factor);
        let n = before.len();
        let base = before
            .iter()
            .map(|(_, s)| gap(**s, rules.cif_fob_factor))
            .sum::<f64>()
            / n as f64;
        let value = ((now - base).abs() / rules.full_gap).min(1.0);
        if value > best.0.value {
            let years = if n == 1 { "year" } else { "years" };
            let text = format!(
                "{}: {exporter} reports exports of {}, {importer} reports imports of {} ({} FOB): gap {:.0}% against {:.0}% on average over the {n} {years} before",
                span(*p),
                usd(*e),
                usd(*i),
                usd(i / rules.cif_fob_factor),
                now * 100.0,
                base * 100.0
            );
            best = (Finding::new(value, text, Vec::new()), Some(*p));
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

    fn stated(values: &[(i32, f64, f64)]) -> BTreeMap<Period, Stated> {
        values
            .iter()
            .map(|(y, e, i)| (year(*y), (*e, *i)))
            .collect()
    }

    #[test]
    fn a_gap_that_opens_counts_and_a_steady_one_does_not() {
        let r = Rules::default().indicators.mirror_gap;
        // Imports reported CIF = exports x 1.06 throughout: no gap once converted.
        let matching: Vec<(i32, f64, f64)> = (2019..2024).map(|y| (y, 1e8, 1.06e8)).collect();
        assert_eq!(evaluate(&stated(&matching), &r, 1e5, "A", "B").0.value, 0.0);
        // Half the exports never show up as imports from 2022, after years of matching reports.
        let mut opened = matching.clone();
        opened[3] = (2022, 2e8, 1.06e8);
        let (f, at) = evaluate(&stated(&opened), &r, 1e5, "Germany", "Kyrgyzstan");
        assert!(
            (f.value - (0.5 / r.full_gap).min(1.0)).abs() < 1e-9,
            "{}",
            f.value
        );
        assert_eq!(at, Some(year(2022)));
        assert!(
            f.evidence.contains("Kyrgyzstan") && f.evidence.contains("gap 50% against 0%"),
            "{}",
            f.evidence
        );
        // The same gap every year is a reporting convention.
        let steady: Vec<(i32, f64, f64)> = (2019..2024).map(|y| (y, 1e8, 0.6e8)).collect();
        assert!(evaluate(&stated(&steady), &r, 1e5, "A", "B").0.value < 1e-9);
        // A single period has nothing to compare with; small values are not judged.
        assert_eq!(
            evaluate(&stated(&[(2022, 1e8, 0.5e8)]), &r, 1e5, "A", "B")
                .0
                .value,
            0.0
        );
        assert_eq!(evaluate(&stated(&opened), &r, 1e9, "A", "B").0.value, 0.0);
    }
}
