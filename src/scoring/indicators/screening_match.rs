//! Screening-list match: a party on the route matches, fuzzily, a name on the Consolidated
//! Screening List given with `--watchlist` (Entity List, SDN, MEU ...).

use crate::parties::{Lexicon, NameTable};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Indicator;
use crate::gazetteer::Gazetteer;
use crate::model::ScreeningEntry;
use crate::routes::{HolderId, Ledger};
use crate::rules::Rules;
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
        // Words as ids, each distinct word's sound and keys worked out once (see `Lexicon`).
        let mut lexicon = Lexicon::default();
        let mut listed: Vec<(usize, Vec<u32>)> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            for k in &e.keys {
                exact.entry(k.as_str()).or_default().push(i);
                listed.push((i, lexicon.name(k)));
            }
        }
        let holder_tokens: Vec<Vec<u32>> = ledger
            .holders
            .list
            .iter()
            .map(|h| lexicon.name(&h.key))
            .collect();
        let generic = lexicon.generic_flags(
            holder_tokens
                .iter()
                .chain(listed.iter().map(|l| &l.1))
                .map(Vec::as_slice),
            rules.routes.generic_word_share,
            5,
            &rules.routes.generic_name_words,
        );
        // Listed names filed under the spelling-blind key of each distinctive word.
        let mut by_word: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
        for (li, (_, t)) in listed.iter().enumerate() {
            for key in lexicon.block_keys(t, &generic) {
                by_word.entry(key).or_default().push(li);
            }
        }
        let holder_table = NameTable::new(&lexicon, &holder_tokens, &generic);
        let listed_names: Vec<Vec<u32>> = listed.iter().map(|l| l.1.clone()).collect();
        let listed_table = NameTable::new(&lexicon, &listed_names, &generic);
        let holder_keys: Vec<Vec<u32>> = holder_tokens
            .iter()
            .map(|t| lexicon.block_keys(t, &generic))
            .collect();
        let matches = ledger
            .holders
            .list
            .par_iter()
            .zip(&holder_keys)
            .enumerate()
            .map_init(Vec::new, |candidates, (hi, (h, keys))| {
                let describe = |i: usize, kind: &str, value: f64| {
                    let e = &entries[i];
                    // Where the entry is: its addresses, or else what its legal form says.
                    let code = g.country(h.country).code();
                    let elsewhere = if e.countries.is_empty() {
                        std::iter::once(&e.name)
                            .chain(&e.alt_names)
                            .filter_map(|n| crate::parties::legal_form_countries(n))
                            .next()
                            .is_some_and(|cs| !cs.contains(&code.as_str()))
                    } else {
                        !e.countries.contains(&h.country)
                    };
                    let value = if elsewhere {
                        value * r.elsewhere_factor
                    } else {
                        value
                    };
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
                candidates.clear();
                candidates.extend(
                    keys.iter()
                        .filter_map(|k| by_word.get(k))
                        .flatten()
                        .copied(),
                );
                candidates.sort_unstable();
                candidates.dedup();
                candidates
                    .iter()
                    .copied()
                    .find(|&li| {
                        lexicon
                            .firm_match(holder_table.get(hi), listed_table.get(li))
                            .is_some_and(|d| d >= 1)
                    })
                    .map(|li| {
                        describe(
                            listed[li].0,
                            "the same words in another order, spelling or abbreviation",
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
    fn role(&self) -> crate::scoring::Role {
        crate::scoring::Role::Listed
    }
    fn weight(&self, _rules: &Rules) -> f64 {
        0.0
    }
    fn threshold(&self, rules: &Rules) -> String {
        let s = &rules.indicators.screening_match;
        format!(
            "same normalised name 1.0; the same distinctive words in another order, spelling or abbreviation {}; x {} in a country the entry does not name; times the goods (product sensitivity, at least {} under a sensitive HS code)",
            s.fuzzy_value, s.elsewhere_factor, s.sensitive_hs_value
        )
    }
    fn evaluate(&self, ctx: &RouteContext<'_>) -> Finding {
        let r = &ctx.rules.indicators.screening_match;
        // What the goods are: a listed party needs a licence for any item the lists cover, so a
        // sensitive HS code counts even at a low price.
        let goods = |leg: u32| {
            let l = &ctx.ledger.legs[leg as usize];
            let own = l.product.sensitivity.max(if l.product.sensitive_hs {
                r.sensitive_hs_value
            } else {
                0.0
            });
            ctx.ledger.draws_on[leg as usize]
                .iter()
                .map(|li| {
                    ctx.ledger.legs[ctx.ledger.links[*li as usize].inbound as usize]
                        .product
                        .sensitivity
                })
                .fold(own, f64::max)
        };
        let route_goods = ctx.route.legs.iter().map(|l| goods(*l)).fold(0.0, f64::max);
        let mut best = Finding::none();
        for &leg in &ctx.route.legs {
            let l = &ctx.ledger.legs[leg as usize];
            for h in [l.from, l.to] {
                if let Some((value, text)) = ctx.screening.get(h)
                    && value * route_goods > best.value
                {
                    best = Finding::new(
                        value * route_goods,
                        ctx.say(|| text.clone()),
                        ctx.legs(|| vec![leg]),
                    );
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::indicators::testkit::input;

    const LIST: &str = "Entity List (EL) - Bureau of Industry and Security,VOLGA SYSTEMS,,\"1 Test Street, Moscow, RU\"\n\
        Entity List (EL) - Bureau of Industry and Security,Tannisora Trading JSC,AO Tannisora Trading,";

    #[test]
    fn a_listed_buyer_matches_by_name_times_the_goods() {
        let rules = Rules::default();
        let c = input(
            "SH-1,2024-08-01,Pacific Crest Systems Inc.,US,Straits Meridian Pte. Ltd.,SG,TW,854231,NVIDIA H100 80GB GPU,16,PCS,448000,32\n\
             SH-2,2024-08-09,Straits Meridian Pte. Ltd.,SG,Volga Systems LLC,RU,TW,854231,NVIDIA H100 80GB GPU,16,PCS,480000,32",
        )
        .screening(LIST)
        .run();
        assert_eq!(c.route_ids("SH-2"), ["SH-1", "SH-2"]);
        let f = c.eval(&ScreeningMatch, "SH-2");
        assert_eq!(f.value, 1.0);
        assert_eq!(
            f.evidence,
            "Volga Systems LLC (RU) matches 'VOLGA SYSTEMS' on Entity List (EL) (same name)"
        );
        assert_eq!(c.ids(&f.legs), ["SH-2"]);
        assert!(c.scored("SH-2").score.flagged);
        // The same words in another order; a network card needs a licence for a listed party
        // too, and counts at least `sensitive_hs_value`.
        let r = &rules.indicators.screening_match;
        let c = input(
            "NC-1,2024-08-01,Lion City Compute Pte. Ltd.,SG,Systems Volga OOO,RU,TW,851762,25GbE network card,20,PCS,9000,10",
        )
        .screening(LIST)
        .run();
        let f = c.eval(&ScreeningMatch, "NC-1");
        assert!(
            (f.value - r.fuzzy_value * r.sensitive_hs_value).abs() < 1e-12,
            "{} {}",
            f.value,
            f.evidence
        );
        assert!(
            f.evidence
                .starts_with("Systems Volga OOO (RU) matches 'VOLGA SYSTEMS'")
                && f.evidence.contains("another order"),
            "{}",
            f.evidence
        );
    }

    #[test]
    fn a_namesake_registered_elsewhere_or_another_firm_does_not_flag() {
        let rules = Rules::default();
        let c = input(
            "LP-2,2024-06-05,Pacific Crest Systems Inc.,US,Tannisora Trading Ltd,GB,TW,854231,NVIDIA H100 80GB GPU,8,PCS,216000,16\n\
             VL-1,2024-06-05,Pacific Crest Systems Inc.,US,Volga Logistics LLC,RU,TW,854231,NVIDIA H100 80GB GPU,8,PCS,216000,16",
        )
        .screening(LIST)
        .run();
        // The entry's legal form (JSC) places it in Russia and its neighbours, not in Britain.
        let f = c.eval(&ScreeningMatch, "LP-2");
        assert_eq!(f.value, rules.indicators.screening_match.elsewhere_factor);
        assert!(
            f.evidence.contains("'Tannisora Trading JSC'")
                && f.evidence.contains("listed in another country"),
            "{}",
            f.evidence
        );
        assert!(!c.scored("LP-2").score.flagged);
        // A word swapped for another is another firm.
        assert_eq!(c.eval(&ScreeningMatch, "VL-1"), Finding::none());
    }
}
