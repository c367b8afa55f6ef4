//! Holders: the firms that hold goods between legs, one per party across every loaded file, with
//! name variants of one firm in one country merged (`Tien Shan LLC` / `Tien Shan LLC (Branch)`).

use crate::parties::{NameTokens, WordFrequency, block_keys, same_firm};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::gazetteer::CountryId;
use crate::model::{Dataset, PartyId};
use crate::rules::RouteRules;

/// Index of a holder in [`Holders`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HolderId(pub u32);

/// A word must appear in at least this many names before its frequency makes it generic.
const GENERIC_MIN_NAMES: u32 = 5;

/// One firm as it appears across all files.
#[derive(Clone, Debug, PartialEq)]
pub struct Holder {
    /// Normalised key of the first spelling seen.
    pub key: String,
    pub country: CountryId,
    /// Every spelling seen, first seen first.
    pub names: Vec<String>,
}

impl Holder {
    /// The name to show.
    pub fn display_name(&self) -> &str {
        self.names.first().map(String::as_str).unwrap_or(&self.key)
    }
}

/// All holders, and the holder of every (dataset, party).
#[derive(Clone, Debug, Default)]
pub struct Holders {
    pub list: Vec<Holder>,
    /// `of_party[dataset][party]`.
    of_party: Vec<Vec<HolderId>>,
}

impl Holders {
    /// The holder a dataset's party belongs to.
    pub fn of(&self, dataset: usize, party: PartyId) -> HolderId {
        self.of_party[dataset][party.0 as usize]
    }

    /// The holder behind an id.
    pub fn get(&self, id: HolderId) -> &Holder {
        &self.list[id.0 as usize]
    }

    /// Builds holders from the parties of every shipment dataset, merging equal keys across files
    /// and fuzzy variants within one country.
    pub fn build(datasets: &[&Dataset], rules: &RouteRules) -> Holders {
        // 1. One entry per (key, country) across files.
        let mut by_key: FxHashMap<(&str, CountryId), usize> = FxHashMap::default();
        let mut entries: Vec<Holder> = Vec::new();
        let mut of_entry: Vec<Vec<usize>> = Vec::with_capacity(datasets.len());
        for d in datasets {
            let mut ids = Vec::with_capacity(d.parties().len());
            for p in d.parties() {
                let i = *by_key
                    .entry((p.key.as_str(), p.country))
                    .or_insert_with(|| {
                        entries.push(Holder {
                            key: p.key.clone(),
                            country: p.country,
                            names: Vec::new(),
                        });
                        entries.len() - 1
                    });
                for n in &p.names {
                    if entries[i].names.len() < 32 && !entries[i].names.contains(n) {
                        entries[i].names.push(n.clone());
                    }
                }
                ids.push(i);
            }
            of_entry.push(ids);
        }
        // 2. Merge spellings of one firm within a country (word order, abbreviations,
        // transliterations, generic words added), comparing only names that share a distinctive
        // word: each name is filed under the spelling-blind key of each of its words, and words
        // shared by many names (a trade, not a firm) file nothing.
        let mut uf = UnionFind::new(entries.len());
        let tokens: Vec<NameTokens> = entries.iter().map(|e| NameTokens::of_key(&e.key)).collect();
        let freq = WordFrequency::build(&tokens);
        let generic_words = freq.generic_words(
            rules.generic_word_share,
            GENERIC_MIN_NAMES,
            &rules.generic_name_words,
        );
        let generic = |w: &str| generic_words.contains(w);
        // Keys starting with `#` are initials (`#bq` for `Boreal Quorra ...`) or short words
        // (`#bq` in `BQ Systems`): those blocks only pair a short word with initials, never two
        // names that merely share their initials (thousands of Chinese firms start with a city).
        let mut blocks: FxHashMap<(CountryId, String), (Vec<usize>, Vec<usize>)> =
            FxHashMap::default();
        for (i, (e, t)) in entries.iter().zip(&tokens).enumerate() {
            let shorts: Vec<String> = t
                .words
                .iter()
                .filter(|w| {
                    (2..=5).contains(&w.chars().count())
                        && w.chars().all(|c| c.is_ascii_alphabetic())
                })
                .map(|w| format!("#{w}"))
                .collect();
            for key in block_keys(t, &generic) {
                let short = shorts.contains(&key);
                let slot = blocks.entry((e.country, key)).or_default();
                if short {
                    slot.1.push(i);
                } else {
                    slot.0.push(i);
                }
            }
        }
        let mut keys: Vec<&(CountryId, String)> = blocks.keys().collect();
        keys.sort_unstable();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for key in keys {
            let (members, shorts) = &blocks[key];
            // A block this large is a common word, not a firm: comparing it pairwise would be
            // quadratic, and its members are better kept apart.
            if members.len() > 400 || shorts.len() > 400 {
                continue;
            }
            if key.1.starts_with('#') {
                for &a in shorts {
                    pairs.extend(members.iter().map(|&b| (a.min(b), a.max(b))));
                }
            } else {
                for (x, &a) in members.iter().enumerate() {
                    pairs.extend(members[x + 1..].iter().map(|&b| (a, b)));
                }
            }
        }
        // Each pair once, in a fixed order, whatever the blocks it met in.
        pairs.sort_unstable();
        pairs.dedup();
        // Every pair is judged on its own (in parallel: a pure function of the two names), then
        // merged in pair order, so the holders are the same whatever the number of threads.
        let same: Vec<bool> = pairs
            .par_iter()
            .map(|&(a, b)| a != b && same_firm(&tokens[a], &tokens[b], &generic))
            .collect();
        for (&(a, b), same) in pairs.iter().zip(same) {
            if same {
                uf.union(a, b);
            }
        }
        // 3. Number the merged holders in first-seen order.
        let mut root_to_holder: FxHashMap<usize, HolderId> = FxHashMap::default();
        let mut list: Vec<Holder> = Vec::new();
        let mut holder_of_entry = vec![HolderId(0); entries.len()];
        for i in 0..entries.len() {
            let root = uf.find(i);
            let id = *root_to_holder.entry(root).or_insert_with(|| {
                list.push(Holder {
                    key: entries[i].key.clone(),
                    country: entries[i].country,
                    names: Vec::new(),
                });
                HolderId(list.len() as u32 - 1)
            });
            let names = &mut list[id.0 as usize].names;
            for n in &entries[i].names {
                if names.len() < 32 && !names.contains(n) {
                    names.push(n.clone());
                }
            }
            holder_of_entry[i] = id;
        }
        let of_party = of_entry
            .into_iter()
            .map(|ids| ids.into_iter().map(|i| holder_of_entry[i]).collect())
            .collect();
        Holders { list, of_party }
    }
}

/// Union-find with path halving.
pub(crate) struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    pub(crate) fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index stays root, so numbering follows first appearance.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}
