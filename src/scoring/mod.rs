//! Scoring routes: indicators, each a value in [0, 1] with plain-language evidence and the rows it
//! rests on, combined into a score whose every part can be shown.
//!
//! `score = behaviour x (gate_floor + (1 - gate_floor) x gate)` where the gate is
//! `product_sensitivity x max(destination_of_concern, screening_match)` and the behaviour is the
//! noisy-OR `1 - prod(1 - weight_i x value_i)`. A factor's contribution is its share of
//! `-ln(1 - weight x value)` times the score, so the contributions add up to the score.

pub mod corridors;
pub mod indicators;
pub mod licences;

use crate::gazetteer::Gazetteer;
use crate::model::Dataset;
use crate::routes::{Ledger, Route};
use crate::rules::Rules;

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
    pub licences: &'a licences::LicenceIndex,
    /// Each route indicator's rule in words, formatted once (parallel to `ROUTE_INDICATORS`).
    pub thresholds: &'a [std::sync::Arc<str>],
    /// The route's legs, sorted, for membership tests.
    pub members: Vec<u32>,
    /// Whether findings carry their evidence in words. Off, indicators measure the same values
    /// and write no text: `chiptrail score` scores a million routes that way and explains again
    /// only the rows it keeps (the values, and so the score, are the same either way).
    pub explain: bool,
    /// What several indicators read of the route, worked out once when first asked for
    /// (`RouteCache::default()` to start).
    pub cache: RouteCache,
}

/// What [`RouteContext`] works out once per route for the indicators that share it.
#[derive(Debug, Default)]
pub struct RouteCache {
    links: std::cell::OnceCell<Vec<crate::routes::Link>>,
    stock_behind: std::cell::OnceCell<Vec<u32>>,
}

impl RouteContext<'_> {
    /// The route's legs whose shipment meets `touches` (into or out of a place, by a firm), in
    /// route order.
    pub fn legs_where(&self, touches: impl Fn(&crate::routes::Leg) -> bool) -> Vec<u32> {
        self.route
            .legs
            .iter()
            .copied()
            .filter(|l| touches(&self.ledger.legs[*l as usize]))
            .collect()
    }

    /// The evidence `text` makes, when findings are explained; empty otherwise.
    pub fn say(&self, text: impl FnOnce() -> String) -> String {
        if self.explain { text() } else { String::new() }
    }

    /// The legs a finding rests on, when findings are explained; empty otherwise (the legs of a
    /// finding are shown, never measured: a score without words does not need them).
    pub fn legs(&self, legs: impl FnOnce() -> Vec<u32>) -> Vec<u32> {
        if self.explain { legs() } else { Vec::new() }
    }

    /// Keeps a finding of `value` in `best` when it is stronger, as `best.max(Finding::new(..))`
    /// does; its words and legs are made only then.
    pub fn offer(
        &self,
        best: &mut Finding,
        value: f64,
        text: impl FnOnce() -> String,
        legs: impl FnOnce() -> Vec<u32>,
    ) {
        let value = value.clamp(0.0, 1.0);
        if value > best.value {
            *best = Finding {
                value,
                evidence: self.say(text),
                legs: self.legs(legs),
            };
        }
    }

    /// True when a leg is on this route.
    pub fn in_route(&self, leg: u32) -> bool {
        self.members.binary_search(&leg).is_ok()
    }

    /// The hop of the route's last legs (its deliveries).
    pub fn last_hop(&self) -> u8 {
        self.route.hops.iter().copied().max().unwrap_or(0)
    }

    /// The route's legs at one hop, in leg order.
    pub fn legs_at(&self, hop: u8) -> std::borrow::Cow<'_, [u32]> {
        let hops = &self.route.hops;
        if hops.is_sorted() && hops.len() == self.route.legs.len() {
            // Legs are in hop order: the legs at a hop are a run.
            let start = hops.partition_point(|h| *h < hop);
            let end = hops.partition_point(|h| *h <= hop);
            return std::borrow::Cow::Borrowed(&self.route.legs[start..end]);
        }
        std::borrow::Cow::Owned(
            self.route
                .legs
                .iter()
                .zip(hops)
                .filter(|(_, h)| **h == hop)
                .map(|(l, _)| *l)
                .collect(),
        )
    }

    /// The stock the route's first legs drew on that is not on the route (a licensed delivery, an
    /// established distributor's supply): the lots, deduplicated, in leg order.
    pub fn stock_behind(&self) -> &[u32] {
        self.cache.stock_behind.get_or_init(|| {
            let mut lots: Vec<u32> = self
                .legs_at(0)
                .iter()
                .flat_map(|l| self.ledger.draws_on[*l as usize].iter())
                .map(|li| self.ledger.links[*li as usize].inbound)
                .filter(|i| !self.in_route(*i))
                .collect();
            lots.sort_unstable();
            lots.dedup();
            lots
        })
    }

    /// Links whose both legs are on this route.
    pub fn links(&self) -> &[crate::routes::Link] {
        self.cache.links.get_or_init(|| {
            self.route
                .legs
                .iter()
                .flat_map(|l| self.ledger.draws_on[*l as usize].iter())
                .map(|li| self.ledger.links[*li as usize])
                .filter(|link| self.in_route(link.inbound))
                .collect()
        })
    }

    /// Description of a leg as written.
    pub fn description(&self, leg: u32) -> &str {
        self.ledger
            .legs
            .get(leg as usize)
            .and_then(|l| self.ledger.descriptions.get(l.description as usize))
            .map_or("", |d| d.as_str())
    }

    /// The consignee of a leg as its file spells it (`None` where the ledger or the datasets
    /// do not have it).
    pub fn consignee_spelling(&self, leg: u32) -> Option<&str> {
        let l = self.ledger.legs.get(leg as usize)?;
        let d = self.datasets.get(self.ledger.source(leg).0 as usize)?;
        Some(d.party(l.consignee)?.display_name())
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

/// What part of the score a factor feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// What the route delivers: a country of concern, a listed party (multiplied by the product).
    Delivers,
    /// What is delivered: the product's sensitivity, the multiplier of `Delivers`.
    Product,
    /// How the route behaves: pass-through, relabelling, valuation ... (noisy-OR).
    Behaviour,
    /// A licence problem on its face: flags by itself when the product is controlled.
    Licence,
    /// A listed party (screening list) on the route: flags by itself; the finding's value already
    /// weighs the goods (any item subject to the list's licence requirement counts).
    Listed,
    /// Country-level evidence of a corridor.
    Corridor,
}

/// One scored factor, as shown beside a flag.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    pub indicator: &'static str,
    pub role: Role,
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

/// Which part of the design decided a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Nothing of concern delivered, or nothing at all fired.
    Nothing,
    /// Something of concern delivered, and no diversion behaviour beyond it: ranked, not flagged
    /// on that alone ("licence status unknown" for a direct export).
    DeliveryOnly,
    /// Something of concern delivered, and the route behaves like diversion.
    DeliveryAndBehaviour,
    /// A licence violation on its face.
    Licence,
    /// A listed party receives or handles the goods.
    Listed,
}

impl Basis {
    /// In words, for the details panel and the exports.
    pub fn label(self) -> &'static str {
        match self {
            Basis::Nothing => "nothing of concern delivered",
            Basis::DeliveryOnly => "delivers to a concern, no diversion behaviour",
            Basis::DeliveryAndBehaviour => "delivers to a concern and behaves like diversion",
            Basis::Licence => "licence violation",
            Basis::Listed => "listed party on the route",
        }
    }
}

/// A route's (or corridor's) score and its explanation.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub score: f64,
    pub flagged: bool,
    /// What the route delivers, in [0, 1]: product x max(destination, screening).
    pub gate: f64,
    /// How the route behaves, in [0, 1]: the noisy-OR of the behaviour factors.
    pub behaviour: f64,
    /// The part that decided the score.
    pub basis: Basis,
    /// A word on the score as a whole, shown before the reasons ("licence status unknown ...").
    pub note: String,
    /// Whether the factors carry their evidence in words. The app scores a million routes
    /// without words and explains the flagged ones; [`crate::analysis::Analysis::explained`]
    /// explains any other when it is shown or exported (the values are the same).
    pub explained: bool,
    /// The indicators that fired (a value, evidence or rows), in the fixed column order; an
    /// indicator not here did not fire ([`Score::value`] reads 0, [`Score::unfired`] names them).
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
        let note = (!self.note.is_empty()).then(|| self.note.clone());
        note.into_iter()
            .chain(
                fired
                    .iter()
                    .map(|f| format!("{}: {}", f.indicator.replace('_', " "), f.evidence)),
            )
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

    /// The factor of one indicator.
    pub fn factor(&self, indicator: &str) -> Option<&Factor> {
        self.factors.iter().find(|f| f.indicator == indicator)
    }

    /// The indicators of `names` that did not fire, in that order (shown as "checked, not
    /// fired" beside the factors).
    pub fn unfired<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names
            .iter()
            .copied()
            .filter(|n| self.factor(n).is_none())
            .collect()
    }
}

/// One indicator's finding with what the combination needs to know of it.
pub struct Measured<'a> {
    pub indicator: &'static str,
    pub role: Role,
    pub weight: f64,
    /// Shared by every route; cloned only onto the factors that fired.
    pub threshold: &'a std::sync::Arc<str>,
    pub finding: Finding,
}

/// Per-factor numbers fit on the stack up to this many factors (a route has 14, a corridor 18).
const SCRATCH: usize = 24;

/// `n` zeroed numbers: in `stack` when they fit, else in `heap` (a million routes allocate
/// nothing here).
fn scratch<'a>(stack: &'a mut [f64; SCRATCH], heap: &'a mut Vec<f64>, n: usize) -> &'a mut [f64] {
    if n <= SCRATCH {
        &mut stack[..n]
    } else {
        heap.resize(n, 0.0);
        heap
    }
}

/// Combines findings into a score, keeping *what* a route delivers apart from *how* it behaves
/// (`floor` is `scoring.delivery_floor` for routes, `corridors.delivery_floor` for corridors):
///
/// ```text
/// delivers  = product x max(delivers factors)            (destination, screening)
/// behaviour = 1 - prod(1 - weight_i x value_i)           (behaviour and corridor factors)
/// ordinary  = delivers x (floor + (1 - floor) x behaviour)
/// licence   = product x max(licence factors)
/// listed    = max(listed factors)                        (screening: goods weighed in)
/// score     = max(ordinary, licence, listed)
/// ```
///
/// With the default floor (0.3) below the flag threshold (0.5), delivering a controlled product
/// somewhere of concern ranks a route but flags it only with diversion behaviour; a licence
/// violation flags on its face. No factor sits in two parts. Contributions add up to the score:
/// the floor's share goes to the deciding delivery factor, the behaviour's share to the behaviour
/// factors by their share of `-ln(1 - weight x value)`.
pub fn combine(measured: Vec<Measured<'_>>, floor: f64, rules: &Rules) -> Score {
    combine_findings(measured, floor, rules, true)
}

/// The parts of a score that behaviour does not move: what the route delivers, its licence
/// problem and its listed party, each already weighed by the goods. The score is one of them, or
/// delivery scaled down by behaviour ([`combine_findings`]), so never more than the largest.
#[derive(Clone, Copy, Debug)]
pub struct Gates {
    pub delivers: f64,
    pub licence: f64,
    pub listed: f64,
}

impl Gates {
    /// From the strongest finding of each role; `product` is `None` without a product factor
    /// (corridors), where the product is taken as given by the data's HS scope.
    pub fn new(product: Option<f64>, delivers: f64, licence: f64, listed: f64) -> Gates {
        let product = product.unwrap_or(1.0);
        Gates {
            delivers: (product * delivers).clamp(0.0, 1.0),
            licence: (product * licence).clamp(0.0, 1.0),
            listed: listed.clamp(0.0, 1.0),
        }
    }

    /// The most a score with these gates can be.
    pub fn most(self) -> f64 {
        self.delivers.max(self.licence).max(self.listed)
    }
}

/// True when `score` is flagged under `rules`: rounded before comparing, so a score printed as
/// 0.500000 is flagged at 0.5.
pub fn flags(score: f64, rules: &Rules) -> bool {
    (score * 1e6).round() / 1e6 >= rules.scoring.flag_threshold
}

/// [`combine`] on findings held in a `Vec` or an array. Without `factors`, only what decides
/// the score is worked out (score, flag, gate, behaviour, basis; no factors and no
/// contributions): the score of a row that is not kept, the same as [`combine`]'s.
pub fn combine_findings<'a, M>(measured: M, floor: f64, rules: &Rules, factors: bool) -> Score
where
    M: AsRef<[Measured<'a>]> + IntoIterator<Item = Measured<'a>>,
{
    let all = measured.as_ref();
    let value_of = |role: Role| {
        all.iter()
            .filter(|m| m.role == role)
            .map(|m| m.finding.value)
            .fold(0.0, f64::max)
    };
    let Gates {
        delivers,
        licence,
        listed,
    } = Gates::new(
        all.iter()
            .any(|m| m.role == Role::Product)
            .then(|| value_of(Role::Product)),
        value_of(Role::Delivers),
        value_of(Role::Licence),
        value_of(Role::Listed),
    );
    let (mut small_terms, mut heap_terms) = ([0.0f64; SCRATCH], Vec::new());
    let terms = scratch(&mut small_terms, &mut heap_terms, all.len());
    for (t, m) in terms.iter_mut().zip(all) {
        *t = match m.role {
            Role::Behaviour | Role::Corridor => {
                let x = (m.weight * m.finding.value).clamp(0.0, 0.999_999);
                // ln(1 - 0) is exactly 0: the same term without the logarithm.
                if x == 0.0 { -0.0 } else { -(1.0 - x).ln() }
            }
            _ => 0.0,
        };
    }
    let total: f64 = terms.iter().sum();
    let behaviour = 1.0 - (-total).exp();
    let floor = floor.clamp(0.0, 1.0);
    let ordinary = delivers * (floor + (1.0 - floor) * behaviour);
    let (score, basis) = if licence > 0.0 && licence >= ordinary && licence >= listed {
        (licence, Basis::Licence)
    } else if listed > 0.0 && listed >= ordinary {
        (listed, Basis::Listed)
    } else if delivers <= 0.0 {
        (0.0, Basis::Nothing)
    } else if behaviour > 0.0 {
        (ordinary, Basis::DeliveryAndBehaviour)
    } else {
        (ordinary, Basis::DeliveryOnly)
    };
    let score = score.clamp(0.0, 1.0);
    let flagged = flags(score, rules);
    let mut out = Score {
        score,
        flagged,
        gate: delivers,
        behaviour,
        basis,
        note: String::new(),
        explained: true,
        factors: Vec::new(),
    };
    if !factors {
        return out;
    }
    // Which factor takes the floor's (or the licence's) share.
    let decider = |role: Role| {
        all.iter()
            .enumerate()
            .filter(|(_, m)| m.role == role && m.finding.value > 0.0)
            .max_by(|a, b| a.1.finding.value.total_cmp(&b.1.finding.value))
            .map(|(i, _)| i)
    };
    let (mut small_contributions, mut heap_contributions) = ([0.0f64; SCRATCH], Vec::new());
    let contributions = scratch(&mut small_contributions, &mut heap_contributions, all.len());
    match basis {
        Basis::Licence | Basis::Listed => {
            let role = if basis == Basis::Licence {
                Role::Licence
            } else {
                Role::Listed
            };
            if let Some(i) = decider(role) {
                contributions[i] = score;
            }
        }
        Basis::DeliveryOnly | Basis::DeliveryAndBehaviour => {
            let base = delivers * floor;
            if let Some(i) = decider(Role::Delivers) {
                contributions[i] = base;
            }
            if total > 0.0 {
                for (c, t) in contributions.iter_mut().zip(terms.iter()) {
                    *c += (score - base) * t / total;
                }
            }
        }
        Basis::Nothing => {}
    }
    // Only what fired is kept: a route's factors are most of its memory, and a million routes
    // each carrying every indicator's empty finding cost gigabytes. An absent factor reads 0.
    out.factors = measured
        .into_iter()
        .zip(contributions.iter().copied())
        .filter(|(m, c)| {
            m.finding.value != 0.0
                || *c != 0.0
                || !m.finding.evidence.is_empty()
                || !m.finding.legs.is_empty()
        })
        .map(|(m, contribution)| Factor {
            indicator: m.indicator,
            role: m.role,
            value: m.finding.value,
            weight: m.weight,
            contribution,
            evidence: m.finding.evidence,
            legs: m.finding.legs,
            threshold: m.threshold.clone(),
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(indicator: &'static str, role: Role, weight: f64, value: f64) -> Measured<'static> {
        static NONE: std::sync::LazyLock<std::sync::Arc<str>> =
            std::sync::LazyLock::new(|| "".into());
        Measured {
            indicator,
            role,
            weight,
            threshold: &NONE,
            finding: Finding::new(value, "x", vec![]),
        }
    }

    #[test]
    fn delivery_alone_ranks_but_does_not_flag() {
        let rules = Rules::default();
        let s = combine(
            vec![
                m("dest", Role::Delivers, 0.0, 1.0),
                m("product", Role::Product, 0.0, 1.0),
                m("pass", Role::Behaviour, 0.6, 0.0),
            ],
            rules.scoring.delivery_floor,
            &rules,
        );
        assert_eq!(s.basis, Basis::DeliveryOnly);
        assert!((s.score - rules.scoring.delivery_floor).abs() < 1e-12);
        assert!(!s.flagged);
        assert!((s.factors[0].contribution - s.score).abs() < 1e-12);
    }

    #[test]
    fn behaviour_without_delivery_scores_nothing_and_with_it_flags() {
        let rules = Rules::default();
        let behave = |dest: f64| {
            combine(
                vec![
                    m("dest", Role::Delivers, 0.0, dest),
                    m("product", Role::Product, 0.0, 1.0),
                    m("pass", Role::Behaviour, 0.6, 1.0),
                    m("hub", Role::Behaviour, 0.25, 1.0),
                ],
                rules.scoring.delivery_floor,
                &rules,
            )
        };
        let none = behave(0.0);
        assert_eq!((none.score, none.basis), (0.0, Basis::Nothing));
        let s = behave(1.0);
        let b = 1.0 - (1.0 - 0.6) * (1.0 - 0.25);
        let floor = rules.scoring.delivery_floor;
        assert!((s.score - (floor + (1.0 - floor) * b)).abs() < 1e-12);
        assert!((s.behaviour - b).abs() < 1e-12);
        assert_eq!(s.basis, Basis::DeliveryAndBehaviour);
        assert!(s.flagged);
        let sum: f64 = s.factors.iter().map(|f| f.contribution).sum();
        assert!((sum - s.score).abs() < 1e-12, "contributions add up");
        assert!(s.factors[2].contribution > s.factors[3].contribution);
        assert_eq!(
            s.factors[1].contribution, 0.0,
            "the product is a multiplier"
        );
    }

    #[test]
    fn a_licence_violation_flags_on_its_face_but_not_for_ordinary_goods() {
        let rules = Rules::default();
        let s = combine(
            vec![
                m("dest", Role::Delivers, 0.0, 1.0),
                m("product", Role::Product, 0.0, 1.0),
                m("licence", Role::Licence, 0.0, 1.0),
            ],
            rules.scoring.delivery_floor,
            &rules,
        );
        assert_eq!(s.basis, Basis::Licence);
        assert!(s.flagged && (s.factors[2].contribution - s.score).abs() < 1e-12);
        let cheap = combine(
            vec![
                m("product", Role::Product, 0.0, 0.05),
                m("licence", Role::Licence, 0.0, 1.0),
            ],
            rules.scoring.delivery_floor,
            &rules,
        );
        assert!(!cheap.flagged);
        assert!(cheap.reasons().starts_with("licence: x"));
    }
}
