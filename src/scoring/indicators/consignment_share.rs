//! Consignment share (UN Comtrade `partner2Code`): the share of a country's imports from an
//! origin that were consigned from a third country, against the same corridor's earlier periods.
//!
//! A share alone is ordinary trade: China's US-origin HS 8542 imports were 36.7% consigned from
//! Hong Kong in 2015, the entrepôt's long-standing part. What is evidence of a roundabout is a
//! share that rises: goods of one origin starting to arrive through a third country. The finding
//! sits on the origin -> importer corridor and names the third country.

use std::collections::BTreeMap;

use super::{ramp, span, usd, years_before};
use crate::gazetteer::CountryId;
use crate::model::Period;
use crate::rules::ConsignmentShareRules;
use crate::scoring::Finding;

/// One period of a corridor's consignment breakdown, as the importer reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Consigned {
    /// The importer's imports from the origin, from every country of consignment (USD).
    pub total_usd: f64,
    /// The part consigned from each third country (USD).
    pub via: Vec<(CountryId, f64)>,
}

impl Consigned {
    /// The value and share consigned from `c`.
    fn share(&self, c: CountryId) -> (f64, f64) {
        let v = self.via.iter().find(|x| x.0 == c).map_or(0.0, |x| x.1);
        (
            v,
            if self.total_usd > 0.0 {
                v / self.total_usd
            } else {
                0.0
            },
        )
    }
}

/// The rule in words.
pub fn threshold(r: &ConsignmentShareRules) -> String {
    format!(
        "share consigned from a third country above its mean over up to {} earlier years: 0 at +{:.0} points, 1 at +{:.0} points",
        r.baseline_years,
        r.min_rise * 100.0,
        r.full_rise * 100.0
    )
}

/// The strongest rise of a third country's share over the periods the importer breaks down (one
/// per year, or per 12 months to each month), with the periods it rests on. `corridor` names the
/// imports (`China's HS 8542 imports from United States`), `name` the third countries. Periods
/// whose total is below `min_value_usd` are not judged. When nothing rises, the finding is 0 but
/// its evidence still gives the largest share seen.
pub fn evaluate(
    periods: &BTreeMap<Period, Consigned>,
    rules: &ConsignmentShareRules,
    min_value_usd: f64,
    corridor: &str,
    name: &dyn Fn(CountryId) -> String,
) -> (Finding, Vec<Period>) {
    let mut hubs: Vec<CountryId> = periods
        .values()
        .flat_map(|p| p.via.iter().map(|x| x.0))
        .collect();
    hubs.sort_unstable();
    hubs.dedup();
    let describe = |p: Period, c: CountryId| {
        let (v, s) = periods[&p].share(c);
        format!(
            "{}: {} of {} ({:.1}%) of {corridor} were consigned from {}",
            span(p),
            usd(v),
            usd(periods[&p].total_usd),
            s * 100.0,
            name(c)
        )
    };
    // (value, rise, evidence, periods)
    let mut best: Option<(f64, f64, String, Vec<Period>)> = None;
    let mut largest: Option<(f64, Period, CountryId)> = None;
    for (p, now) in periods {
        if now.total_usd < min_value_usd {
            continue;
        }
        let before = years_before(periods, *p, rules.baseline_years);
        for &c in &hubs {
            let (_, s) = now.share(c);
            if s > 0.0 && largest.is_none_or(|l| s > l.0) {
                largest = Some((s, *p, c));
            }
            if before.is_empty() {
                continue;
            }
            let k = before.len();
            let base = before.iter().map(|(_, q)| q.share(c).1).sum::<f64>() / k as f64;
            let rise = s - base;
            let value = ramp(rise, rules.min_rise, rules.full_rise);
            if value > 0.0 && best.as_ref().is_none_or(|b| rise > b.1) {
                let years = if k == 1 { "year" } else { "years" };
                let text = format!(
                    "{}, against {:.1}% on average over the {k} {years} before",
                    describe(*p, c),
                    base * 100.0
                );
                let mut involved: Vec<Period> = before.iter().map(|x| x.0).collect();
                involved.push(*p);
                involved.sort_unstable();
                best = Some((value, rise, text, involved));
            }
        }
    }
    match (best, largest) {
        (Some((value, _, mut text, involved)), largest) => {
            if let Some((_, p, c)) = largest
                && !text.starts_with(&describe(p, c))
            {
                text.push_str(&format!(" (largest share: {})", describe(p, c)));
            }
            (Finding::new(value, text, Vec::new()), involved)
        }
        (None, Some((_, p, c))) => {
            let text = format!(
                "{} (steady, or no earlier year to compare with: not counted)",
                describe(p, c)
            );
            (Finding::new(0.0, text, Vec::new()), Vec::new())
        }
        (None, None) => (Finding::none(), Vec::new()),
    }
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

    const HK: CountryId = CountryId(1);
    const AE: CountryId = CountryId(2);

    fn name(c: CountryId) -> String {
        if c == HK { "Hong Kong" } else { "UAE" }.into()
    }

    /// (year, total, [(third country, value)]).
    type Year<'a> = (i32, f64, &'a [(CountryId, f64)]);

    fn shares(values: &[Year<'_>]) -> BTreeMap<Period, Consigned> {
        values
            .iter()
            .map(|(y, total, via)| {
                (
                    year(*y),
                    Consigned {
                        total_usd: *total,
                        via: via.to_vec(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_2015_hong_kong_share_is_evidence_but_not_counted_alone() {
        let r = Rules::default().indicators.consignment_share;
        let (f, periods) = evaluate(
            &shares(&[(2015, 11_369_627_279.0, &[(HK, 4_173_922_690.0)])]),
            &r,
            1e5,
            "China's HS 8542 imports from United States",
            &name,
        );
        assert_eq!(f.value, 0.0);
        assert!(periods.is_empty());
        assert!(
            f.evidence.contains("36.7%") && f.evidence.contains("Hong Kong"),
            "{}",
            f.evidence
        );
    }

    #[test]
    fn a_steady_share_is_ordinary_and_a_jump_is_not() {
        let r = Rules::default().indicators.consignment_share;
        let steady: Vec<Year<'_>> = vec![
            (2019, 100e6, &[(HK, 33e6)]),
            (2020, 120e6, &[(HK, 38e6)]),
            (2021, 110e6, &[(HK, 37e6)]),
            (2022, 130e6, &[(HK, 42e6)]),
        ];
        let (f, _) = evaluate(&shares(&steady), &r, 1e5, "x", &name);
        assert_eq!(f.value, 0.0, "{}", f.evidence);
        let jump: Vec<Year<'_>> = vec![
            (2019, 100e6, &[(HK, 33e6)]),
            (2020, 100e6, &[(HK, 34e6), (AE, 2e6)]),
            (2021, 100e6, &[(HK, 33e6), (AE, 3e6)]),
            (2022, 150e6, &[(HK, 45e6), (AE, 60e6)]),
        ];
        let (f, periods) = evaluate(&shares(&jump), &r, 1e5, "Kazakhstan's imports", &name);
        assert_eq!(f.value, 1.0, "{}", f.evidence);
        assert!(
            f.evidence.starts_with("2022") && f.evidence.contains("UAE"),
            "{}",
            f.evidence
        );
        assert!(f.evidence.contains("40.0%"), "{}", f.evidence);
        assert_eq!(periods, [year(2019), year(2020), year(2021), year(2022)]);
        // A small rise counts a little, between the two thresholds.
        let halfway = [(AE, 5e6 + 100e6 * (r.min_rise + r.full_rise) / 2.0)];
        let small: Vec<Year<'_>> = vec![(2021, 100e6, &[(AE, 5e6)]), (2022, 100e6, &halfway)];
        let (f, _) = evaluate(&shares(&small), &r, 1e5, "x", &name);
        assert!((f.value - 0.5).abs() < 1e-9, "{}", f.value);
        // Below the value floor nothing is judged.
        let (f, _) = evaluate(&shares(&jump), &r, 1e9, "x", &name);
        assert_eq!(f, Finding::none());
    }
}
