//! Consignment share (UN Comtrade `partner2Code`): the share of a country's imports from an
//! origin that were consigned from a third country (reporter China, partner USA, consigned from
//! Hong Kong: 36.7% of China's US-origin HS 8542 imports in 2015).

use super::usd;
use crate::model::Period;
use crate::scoring::Finding;
use crate::scoring::rules::ConsignmentShareRules;

/// The finding for `consigned` USD of `total` USD of `importer`'s HS `heading` imports from `origin`
/// consigned from `via` in `period`.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    period: Period,
    consigned: f64,
    total: f64,
    heading: u64,
    importer: &str,
    origin: &str,
    via: &str,
    rules: &ConsignmentShareRules,
) -> Finding {
    if total <= 0.0 {
        return Finding::none();
    }
    let share = consigned / total;
    let text = format!(
        "{period}: {} of {} ({:.1}%) of {importer}'s HS {heading} imports from {origin} were consigned from {via}",
        usd(consigned),
        usd(total),
        share * 100.0
    );
    Finding::new((share / rules.full_share).min(1.0), text, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::rules::Rules;

    #[test]
    fn the_2015_hong_kong_share() {
        let r = Rules::default().indicators.consignment_share;
        let f = evaluate(
            Period {
                year: 2015,
                month: None,
            },
            4_173_922_690.0,
            11_369_627_279.0,
            8542,
            "China",
            "United States",
            "Hong Kong",
            &r,
        );
        assert!(
            (f.value - 0.3671 / r.full_share).abs() < 1e-3,
            "{}",
            f.value
        );
        assert!(f.evidence.contains("36.7%"), "{}", f.evidence);
        assert_eq!(
            evaluate(
                Period {
                    year: 2015,
                    month: None
                },
                1.0,
                0.0,
                8542,
                "a",
                "b",
                "c",
                &r
            )
            .value,
            0.0
        );
    }
}
