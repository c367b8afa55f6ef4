//! Screening-list match: a party on the route matches, fuzzily, a name on the Consolidated
//! Screening List given with `--watchlist` (Entity List, SDN, MEU ...).

use crate::parties::{AccountingIndex, Candidates, Lexicon, NameTable, Required};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Indicator;
use crate::gazetteer::Gazetteer;
use crate::model::ScreeningEntry;
use crate::routes::{HolderId, Ledger};
use crate::rules::Rules;
use crate::scoring::{Finding, RouteContext};

pub struct ScreeningMatch;

/// What the goods of leg `leg` are to the screening match (the leg, or the stock it drew on):
/// a listed party needs a licence for any item the lists cover, so a sensitive HS code counts
/// even at a low price. [`super::score_bound`] reads the same.
pub fn goods(ledger: &Ledger, rules: &Rules, leg: u32) -> f64 {
    let reading = ledger.reading(&ledger.legs[leg as usize]);
    let own = reading.sensitivity.max(if reading.sensitive_hs {
        rules.indicators.screening_match.sensitive_hs_value
    } else {
        0.0
    });
    ledger.draws_on[leg as usize]
        .iter()
        .map(|li| {
            ledger
                .reading(&ledger.legs[ledger.links[*li as usize].inbound as usize])
                .sensitivity
        })
        .fold(own, f64::max)
}

/// The best screening-list match of each holder.
#[derive(Clone, Debug, Default)]
pub struct ScreeningIndex {
    /// Per holder: (value, evidence).
    matches: Vec<Option<(f64, String)>>,
}

impl ScreeningIndex {
    /// Matches every holder against the list: exact normalised keys first, then the first listed
    /// name that the fuzzy index finds ([`FuzzyIndex`]: shares a block key and matches with a
    /// distinctive word pair). A match in a country the entry does not name counts half.
    pub fn build(
        entries: &[ScreeningEntry],
        ledger: &Ledger,
        rules: &Rules,
        g: &Gazetteer,
    ) -> ScreeningIndex {
        let r = &rules.indicators.screening_match;
        let st = crate::timing::Stage::start("screening: names as words");
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
        st.end();
        let st = crate::timing::Stage::start("screening: fuzzy index");
        let listed_names: Vec<Vec<u32>> = listed.iter().map(|l| l.1.clone()).collect();
        let fuzzy = FuzzyIndex::new(&mut lexicon, &generic, &listed_names, &holder_tokens);
        st.end();
        let st = crate::timing::Stage::start("screening: matching");
        let matches = ledger
            .holders
            .list
            .par_iter()
            .enumerate()
            .map_init(Default::default, |scratch, (hi, h)| {
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
                fuzzy
                    .first_match(&lexicon, &generic, hi, scratch)
                    .map(|li| {
                        describe(
                            listed[li].0,
                            "the same words in another order, spelling or abbreviation",
                            r.fuzzy_value,
                        )
                    })
            })
            .collect();
        st.end();
        ScreeningIndex { matches }
    }

    /// The match of one holder.
    pub fn get(&self, h: HolderId) -> Option<&(f64, String)> {
        self.matches.get(h.0 as usize).and_then(Option::as_ref)
    }
}

/// The fuzzy half of the screening match: for a holder, the first listed name (in list order)
/// that shares a block key with it (see [`Lexicon::block_keys`]) and matches it with at least one
/// distinctive word pair (`firm_match` of 1 or more).
///
/// Why not only the blocks: a block key such as a short word (`#tech`) or the initials of the
/// first words (`#ab`), or a distinctive word common on the list, files thousands of listed names
/// together, and a holder would be compared with every one, though few can match. Instead the
/// candidates of a holder are the listed names that account for each of its distinctive words as
/// any match must (`firm_match` leaves no distinctive word unaccounted for):
///
/// - a word of the listed name meets it ([`Lexicon::words_meet`], found by [`crate::parties::WordPartners`]);
/// - an initialism of the listed name (a word of two to five letters) stands for consecutive words
///   of the holder, the word among them;
/// - the word is itself an initialism standing for consecutive words of the listed name.
///
/// Each distinctive word of the holder gives a set of names by these three indexes; the sets are
/// intersected, the smallest first. A holder without a distinctive word cannot reach one
/// distinctive pair and has no candidate. Every candidate must still pass
/// [`Lexicon::may_be_one_firm`], share a block key and match, as when the blocks were scanned, and
/// they are tried in list order, so the first match found is the one a scan of the blocks finds
/// (see the test `the_index_finds_what_a_scan_of_the_blocks_finds`).
struct FuzzyIndex<'a> {
    holder_names: &'a [Vec<u32>],
    holder_table: NameTable,
    holder_keys: Vec<Vec<u32>>,
    listed_table: NameTable,
    listed_keys: Vec<Vec<u32>>,
    /// The listed names as word ids.
    listed_names: &'a [Vec<u32>],
    /// Per holder and per listed name: the words every match must account for (see
    /// [`Required`]).
    holder_required: Required,
    listed_required: Required,
    /// The listed names by what accounts for a holder's word (one group: the list spans the
    /// world), with the listed words each word of a holder meets.
    accounting: AccountingIndex,
}

impl<'a> FuzzyIndex<'a> {
    /// Files the listed names and works out, once per word of the holders, the listed words it
    /// meets (generic ones too: a distinctive word of the holder may meet a generic word of the
    /// listed name, a rare spelling of a common word). `generic` is indexed by word id (see
    /// [`Lexicon::generic_flags`]) and covers every word of both.
    fn new(
        lexicon: &mut Lexicon,
        generic: &[bool],
        listed: &'a [Vec<u32>],
        holders: &'a [Vec<u32>],
    ) -> FuzzyIndex<'a> {
        let holder_keys: Vec<Vec<u32>> = holders
            .iter()
            .map(|t| lexicon.block_keys(t, generic))
            .collect();
        let listed_keys: Vec<Vec<u32>> = listed
            .iter()
            .map(|t| lexicon.block_keys(t, generic))
            .collect();
        let lexicon = &*lexicon;
        FuzzyIndex {
            holder_names: holders,
            holder_table: NameTable::new(lexicon, holders, generic),
            holder_keys,
            listed_table: NameTable::new(lexicon, listed, generic),
            listed_keys,
            listed_names: listed,
            holder_required: Required::new(lexicon, holders, generic),
            listed_required: Required::new(lexicon, listed, generic),
            accounting: AccountingIndex::new(lexicon, generic, listed, |_| 0, holders),
        }
    }

    /// The first listed name (index into `listed`) that shares a block key with holder `hi` and
    /// matches it with a distinctive word pair; `scratch` is this thread's scratch.
    fn first_match(
        &self,
        lexicon: &Lexicon,
        generic: &[bool],
        hi: usize,
        scratch: &mut Scratch,
    ) -> Option<usize> {
        let Scratch { met, candidates } = scratch;
        let name = &self.holder_names[hi];
        // A distinctive pair needs a distinctive word on both sides.
        if !self
            .accounting
            .candidates(lexicon, generic, 0, name, None, candidates)
        {
            return None;
        }
        // Every listed word a word of the holder meets, generic ones too.
        if met.len() != lexicon.len() {
            *met = vec![u32::MAX; lexicon.len()];
        }
        let stamp = hi as u32;
        self.accounting.mark_met(name, stamp, met);
        let met = &*met;
        let holder = self.holder_table.get(hi);
        let keys = &self.holder_keys[hi];
        let holder_needs = self.holder_required.get(hi);
        // In list order, the first that passes what `firm_match` needs of the words of both
        // names (`Lexicon::may_be_one_firm`), shares a block key and matches.
        candidates.found.iter().map(|&li| li as usize).find(|&l| {
            lexicon.may_be_one_firm(
                &holder_needs,
                |x| met[x as usize] == stamp,
                &self.listed_required.get(l),
                |w| self.accounting.met_in(w, &self.listed_names[l]),
            ) && share_one(keys, &self.listed_keys[l])
                && lexicon
                    .firm_match(holder, self.listed_table.get(l))
                    .is_some_and(|d| d >= 1)
        })
    }
}

/// Per thread: per word id, the last holder whose words meet it; the candidates.
#[derive(Default)]
struct Scratch {
    met: Vec<u32>,
    candidates: Candidates,
}

/// True when two ascending lists share an element.
fn share_one(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
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
        let route_goods = ctx
            .route
            .legs
            .iter()
            .map(|l| goods(ctx.ledger, ctx.rules, *l))
            .fold(0.0, f64::max);
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

    use crate::parties::tests::{VOCABULARY, vocabulary_name};
    use proptest::prelude::*;

    /// What the index must find: the first listed name that shares a block key with the holder
    /// and matches it with a distinctive word pair, by a scan of every listed name.
    fn scan(
        lexicon: &mut Lexicon,
        generic: &[bool],
        listed: &[Vec<u32>],
        holder: &[u32],
    ) -> Option<usize> {
        let keys = lexicon.block_keys(holder, generic);
        let h = NameTable::new(lexicon, &[holder.to_vec()], generic);
        (0..listed.len()).find(|&li| {
            let l = NameTable::new(lexicon, &[listed[li].clone()], generic);
            let lk = lexicon.block_keys(&listed[li], generic);
            keys.iter().any(|k| lk.contains(k))
                && lexicon
                    .firm_match(h.get(0), l.get(0))
                    .is_some_and(|d| d >= 1)
        })
    }

    fn index_agrees_with_scan(listed: &[Vec<usize>], holders: &[Vec<usize>], share: f64) {
        let mut lexicon = Lexicon::default();
        let mut name = |n: &Vec<usize>| {
            let key: Vec<&str> = n.iter().map(|&i| VOCABULARY[i]).collect();
            lexicon.name(&key.join(" "))
        };
        let listed: Vec<Vec<u32>> = listed.iter().map(&mut name).collect();
        let holders: Vec<Vec<u32>> = holders.iter().map(&mut name).collect();
        let generic = lexicon.generic_flags(
            holders.iter().chain(&listed).map(Vec::as_slice),
            share,
            2,
            &["city".to_string()],
        );
        let index = FuzzyIndex::new(&mut lexicon.clone(), &generic, &listed, &holders);
        for (hi, holder) in holders.iter().enumerate() {
            let words: Vec<String> = holder
                .iter()
                .map(|&w| lexicon.text(w).to_string())
                .collect();
            assert_eq!(
                index.first_match(&lexicon, &generic, hi, &mut Default::default()),
                scan(&mut lexicon, &generic, &listed, holder),
                "{words:?}"
            );
        }
    }

    #[test]
    fn the_index_finds_initialisms_abbreviations_and_slips() {
        let n = vocabulary_name;
        let listed = [
            n(&["lion", "city", "compute"]),
            n(&["alpha", "beta", "gamma", "computer"]),
            n(&["bq", "systems"]),
            n(&["pioneer", "technology"]),
            n(&["shenzhen", "huaxin", "electronics"]),
            n(&["intl", "kexun", "semiconductor"]),
        ];
        let holders = [
            n(&["abg", "computer"]),
            n(&["boreal", "quorra", "systems"]),
            n(&["poneer", "tech"]),
            n(&["shenzen", "huaxin", "electronix"]),
            n(&["international", "kexun", "semiconductor"]),
            n(&["compute", "lion", "city"]),
            n(&["huaxing", "electronics"]),
        ];
        index_agrees_with_scan(&listed, &holders, 0.5);
    }

    proptest! {
        /// Names drawn from words that meet in every way matching knows (spellings,
        /// abbreviations, slips, initialisms, generic words): the index finds what a scan of
        /// every listed name finds.
        #[test]
        fn the_index_finds_what_a_scan_of_the_blocks_finds(
            listed in proptest::collection::vec(
                proptest::collection::vec(0..VOCABULARY.len(), 0..6), 0..30),
            holders in proptest::collection::vec(
                proptest::collection::vec(0..VOCABULARY.len(), 0..6), 1..30),
            share in 0.05f64..0.9,
        ) {
            index_agrees_with_scan(&listed, &holders, share);
        }
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
