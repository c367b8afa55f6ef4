//! Scoring routes: indicators, each a value in [0, 1] with plain-language evidence and the rows it
//! rests on, combined into a score whose every part can be shown.
//!
//! `score = behaviour x (gate_floor + (1 - gate_floor) x gate)` where the gate is
//! `product_sensitivity x max(destination_of_concern, screening_match)` and the behaviour is the
//! noisy-OR `1 - prod(1 - weight_i x value_i)`. A factor's contribution is its share of
//! `-ln(1 - weight x value)` times the score, so the contributions add up to the score.

pub mod indicators;
pub mod product;
pub mod rules;

use crate::gazetteer::Gazetteer;
use crate::model::Dataset;
use crate::routes::{Ledger, Route};
use rules::Rules;

/// What an indicator found on one route.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Finding {
    /// In [0, 1].
    pub value: f64,
    /// Plain-language evidence, empty when the indicator did not fire.
    pub evidence: String,
    /// Leg indices the evidence rests on.
    pub legs: Vec<u32>,
}

impl Finding {
    /// A finding that did not fire.
    pub fn none() -> Finding {
        Finding::default()
    }

    /// A finding with its value, evidence and legs.
    pub fn new(value: f64, evidence: impl Into<String>, legs: Vec<u32>) -> Finding {
        Finding {
            value: value.clamp(0.0, 1.0),
            evidence: evidence.into(),
            legs,
        }
    }

    /// The stronger of two findings.
    pub fn max(self, other: Finding) -> Finding {
        if other.value > self.value {
            other
        } else {
            self
        }
    }
}

/// Everything an indicator may look at for one route.
pub struct RouteContext<'a> {
    pub ledger: &'a Ledger,
    pub route: &'a Route,
    pub rules: &'a Rules,
    pub gazetteer: &'a Gazetteer,
    pub datasets: &'a [&'a Dataset],
    pub stats: &'a indicators::HolderStats,
    pub screening: &'a indicators::screening_match::ScreeningIndex,
    /// Each route indicator's rule in words, formatted once (parallel to `ROUTE_INDICATORS`).
    pub thresholds: &'a [std::sync::Arc<str>],
    /// The route's legs, sorted, for membership tests.
    pub members: Vec<u32>,
}

impl RouteContext<'_> {
    /// True when a leg is on this route.
    pub fn in_route(&self, leg: u32) -> bool {
        self.members.binary_search(&leg).is_ok()
    }

    /// The route's legs at one hop.
    pub fn legs_at(&self, hop: u8) -> Vec<u32> {
        self.route
            .legs
            .iter()
            .zip(&self.route.hops)
            .filter(|(_, h)| **h == hop)
            .map(|(l, _)| *l)
            .collect()
    }

    /// Links whose both legs are on this route.
    pub fn links(&self) -> Vec<crate::routes::Link> {
        self.route
            .legs
            .iter()
            .flat_map(|l| self.ledger.draws_on[*l as usize].iter())
            .map(|li| self.ledger.links[*li as usize])
            .filter(|link| self.in_route(link.inbound))
            .collect()
    }

    /// Description of a leg as written.
    pub fn description(&self, leg: u32) -> &str {
        let l = &self.ledger.legs[leg as usize];
        self.datasets
            .get(l.dataset as usize)
            .and_then(|d| d.shipments().get(l.row as usize))
            .map(|s| s.description.as_str())
            .unwrap_or("")
    }

    /// A holder's name and country, for evidence: `Lion City Compute Pte. Ltd. (SG)`.
    pub fn holder_label(&self, h: crate::routes::HolderId) -> String {
        let holder = self.ledger.holders.get(h);
        format!(
            "{} ({})",
            holder.display_name(),
            self.gazetteer.country(holder.country).code()
        )
    }
}

/// One scored factor, as shown beside a flag.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    pub indicator: &'static str,
    pub value: f64,
    pub weight: f64,
    /// Share of the score this factor accounts for (the contributions add up to the score).
    pub contribution: f64,
    pub evidence: String,
    pub legs: Vec<u32>,
    /// The rule it was measured against, in words.
    /// Shared by every route: formatted once per analysis.
    pub threshold: std::sync::Arc<str>,
}

/// A route's (or corridor's) score and its explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub score: f64,
    pub flagged: bool,
    pub gate: f64,
    /// Every indicator, fired or not, in the fixed column order.
    pub factors: Vec<Factor>,
}

impl Score {
    /// A short plain-language summary of the factors that fired, strongest first.
    pub fn reasons(&self) -> String {
        let mut fired: Vec<&Factor> = self
            .factors
            .iter()
            .filter(|f| f.value > 0.0 && !f.evidence.is_empty())
            .collect();
        fired.sort_by(|a, b| {
            b.contribution
                .total_cmp(&a.contribution)
                .then(b.value.total_cmp(&a.value))
        });
        fired
            .iter()
            .map(|f| format!("{}: {}", f.indicator.replace('_', " "), f.evidence))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The value of one indicator (0 when absent).
    pub fn value(&self, indicator: &str) -> f64 {
        self.factors
            .iter()
            .find(|f| f.indicator == indicator)
            .map(|f| f.value)
            .unwrap_or(0.0)
    }
}

/// Combines findings `(indicator, weight, threshold text, finding)` with a gate into a score.
pub fn combine(
    findings: Vec<(&'static str, f64, std::sync::Arc<str>, Finding)>,
    gate: f64,
    rules: &Rules,
) -> Score {
    let terms: Vec<f64> = findings
        .iter()
        .map(|(_, w, _, f)| -(1.0 - (w * f.value).clamp(0.0, 0.999_999)).ln())
        .collect();
    let total: f64 = terms.iter().sum();
    let behaviour = 1.0 - (-total).exp();
    let floor = rules.scoring.gate_floor.clamp(0.0, 1.0);
    let score = (behaviour * (floor + (1.0 - floor) * gate.clamp(0.0, 1.0))).clamp(0.0, 1.0);
    let factors = findings
        .into_iter()
        .zip(terms)
        .map(|((indicator, weight, threshold, f), t)| Factor {
            indicator,
            value: f.value,
            weight,
            contribution: if total > 0.0 { score * t / total } else { 0.0 },
            evidence: f.evidence,
            legs: f.legs,
            threshold,
        })
        .collect();
    // Rounded before comparing, so a score printed as 0.500000 is flagged at 0.5.
    let flagged = (score * 1e6).round() / 1e6 >= rules.scoring.flag_threshold;
    Score {
        score,
        flagged,
        gate,
        factors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributions_add_up_to_the_score_and_the_gate_closes_it() {
        let rules = Rules::default();
        let f = |v: f64| Finding::new(v, "x", vec![]);
        let s = combine(
            vec![
                ("a", 0.6, "".into(), f(1.0)),
                ("b", 0.5, "".into(), f(0.5)),
                ("c", 0.3, "".into(), f(0.0)),
            ],
            1.0,
            &rules,
        );
        let expected = 1.0 - (1.0 - 0.6) * (1.0 - 0.25);
        assert!((s.score - expected).abs() < 1e-12);
        let sum: f64 = s.factors.iter().map(|f| f.contribution).sum();
        assert!((sum - s.score).abs() < 1e-12);
        assert_eq!(s.factors[2].contribution, 0.0);
        assert!(s.flagged);
        let closed = combine(vec![("a", 0.6, "".into(), f(1.0))], 0.0, &rules);
        assert_eq!(closed.score, 0.0);
        assert!(!closed.flagged);
        assert!(s.reasons().starts_with("a: x"));
    }
}
