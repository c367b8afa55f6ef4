//! Mirror gap (country-level data): what the exporter reports against what the importer reports
//! for the same corridor and period, with the importer's CIF converted to FOB (IMF factor 1.06).
//! EBRD: "missing" imports were about half of the extra EU/UK exports to Armenia, Kazakhstan and
//! Kyrgyzstan in 2022-23.

use super::usd;
use crate::model::Period;
use crate::scoring::Finding;
use crate::scoring::rules::MirrorGapRules;

/// One period of a corridor as both sides state it: (period, exporter-reported FOB, importer-reported CIF).
pub type Stated = (Period, Option<f64>, Option<f64>);

/// The rule in words.
pub fn threshold(r: &MirrorGapRules) -> String {
    format!(
        "|exports - imports / {}| / the larger: 1 at {:.0}%",
        r.cif_fob_factor,
        r.full_gap * 100.0
    )
}

/// The largest gap over the periods both sides report, and its period. Gaps where both sides are
/// below `min_value_usd` are ignored.
pub fn evaluate(
    stated: &[Stated],
    rules: &MirrorGapRules,
    min_value_usd: f64,
    exporter: &str,
    importer: &str,
) -> (Finding, Option<Period>) {
    let mut best = (Finding::none(), None);
    for (p, exports, imports) in stated {
        let (Some(e), Some(i)) = (exports, imports) else {
            continue;
        };
        let fob = i / rules.cif_fob_factor;
        let gap = (e - fob).abs() / e.max(fob).max(1.0);
        let value = (gap / rules.full_gap).min(1.0);
        if value > best.0.value && e.max(fob) >= min_value_usd {
            let text = format!(
                "{p}: {exporter} reports exports of {}, {importer} reports imports of {} ({} FOB), gap {:.0}%",
                usd(*e),
                usd(*i),
                usd(fob),
                gap * 100.0
            );
            best = (Finding::new(value, text, Vec::new()), Some(*p));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::rules::Rules;

    #[test]
    fn matching_reports_have_no_gap_and_missing_imports_have_a_large_one() {
        let r = Rules::default().indicators.mirror_gap;
        let p = Period {
            year: 2023,
            month: None,
        };
        // Imports reported CIF = exports x 1.06: no gap once converted.
        assert_eq!(
            evaluate(&[(p, Some(1e8), Some(1.06e8))], &r, 1e5, "A", "B")
                .0
                .value,
            0.0
        );
        // Half the exports never show up as imports.
        let (f, at) = evaluate(
            &[(p, Some(1e8), Some(0.53e8))],
            &r,
            1e5,
            "Germany",
            "Kyrgyzstan",
        );
        assert!((f.value - 1.0).abs() < 1e-9, "{}", f.value);
        assert_eq!(at, Some(p));
        assert!(
            f.evidence.contains("Kyrgyzstan") && f.evidence.contains("gap 50%"),
            "{}",
            f.evidence
        );
        // One side only: nothing to compare.
        assert_eq!(
            evaluate(&[(p, Some(1e8), None)], &r, 1e5, "A", "B").0.value,
            0.0
        );
    }
}
