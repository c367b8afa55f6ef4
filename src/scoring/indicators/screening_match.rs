//! Screening-list match: a party on the route matches, fuzzily, a name on the Consolidated
//! Screening List given with `--watchlist` (Entity List, SDN, MEU ...).

use rustc_hash::FxHashMap;
use strsim::jaro_winkler;

use super::Indicator;
use crate::gazetteer::Gazetteer;
use crate::model::ScreeningEntry;
use crate::routes::{HolderId, Ledger};
use crate::scoring::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct ScreeningMatch;

/// The best screening-list match of each holder.
#[derive(Clone, Debug, Default)]
pub struct ScreeningIndex {
    /// Per holder: (value, evidence).
    matches: Vec<Option<(f64, String)>>,
}

impl ScreeningIndex {
    /// Matches every holder against the list: exact normalised keys first, then names that share
    /// their first word and reach the fuzzy threshold. A match in a country the entry does not
    /// name counts half.
    pub fn build(
        entries: &[ScreeningEntry],
        ledger: &Ledger,
        rules: &Rules,
        g: &Gazetteer,
    ) -> ScreeningIndex {
        let r = &rules.indicators.screening_match;
        let mut exact: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        let mut by_first: FxHashMap<&str, Vec<(usize, &str)>> = FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            for k in &e.keys {
                exact.entry(k.as_str()).or_default().push(i);
                if let Some(first) = k.split(' ').next() {
                    by_first.entry(first).or_default().push((i, k.as_str()));
                }
            }
        }
        let matches = ledger
            .holders
            .list
            .iter()
            .map(|h| {
                let describe = |i: usize, kind: &str, value: f64| {
                    let e = &entries[i];
                    let elsewhere = !e.countries.is_empty() && !e.countries.contains(&h.country);
                    let value = if elsewhere { value * 0.5 } else { value };
                    let source = e.source.split(" - ").next().unwrap_or(&e.source);
                    let text = format!(
                        "{} ({}) matches '{}' on {source} ({kind}{})",
                        h.display_name(),
                        g.country(h.country).code(),
                        e.name,
                        if elsewhere {
                            ", listed in another country"
                        } else {
                            ""
                        }
                    );
                    (value, text)
                };
                if let Some(i) = exact.get(h.key.as_str()).and_then(|v| v.first()) {
                    return Some(describe(*i, "same name", 1.0));
                }
                let first = h.key.split(' ').next()?;
                by_first
                    .get(first)?
                    .iter()
                    .map(|(i, k)| (*i, jaro_winkler(&h.key, k)))
                    .filter(|(_, s)| *s >= r.fuzzy_threshold)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(i, s)| {
                        describe(
                            i,
                            &format!("similar name, {:.0}%", s * 100.0),
                            r.fuzzy_value,
                        )
                    })
            })
            .collect();
        ScreeningIndex { matches }
    }

    /// The match of one holder.
    pub fn get(&self, h: HolderId) -> Option<&(f64, String)> {
        self.matches.get(h.0 as usize).and_then(Option::as_ref)
    }
}

impl Indicator for ScreeningMatch {
    fn name(&self) -> &'static str {
        "screening_match"
    }
    fn weight(&self, rules: &Rules) -> f64 {
        rules.indicators.screening_match.weight
    }
    fn threshold(&self, rules: &Rules) -> String {
        let s = &rules.indicators.screening_match;
        format!(
            "same normalised name 1.0; Jaro-Winkler >= {} {}",
            s.fuzzy_threshold, s.fuzzy_value
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let mut best = Finding::none();
        for &leg in &ctx.route.legs {
            let l = &ctx.ledger.legs[leg as usize];
            for h in [l.from, l.to] {
                if let Some((value, text)) = ctx.screening.get(h)
                    && *value > best.value
                {
                    best = Finding::new(*value, text.clone(), vec![leg]);
                }
            }
        }
        best
    }
}
