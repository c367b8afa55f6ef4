//! Holders: the firms that hold goods between legs, one per party across every loaded file, with
//! name variants of one firm in one country merged (`Tien Shan LLC` / `Tien Shan LLC (Branch)`).

use crate::parties::{AccountingIndex, Candidates, Lexicon, NameTable, Required};
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
        let stage = crate::timing::Stage::start("holders: names as words and blocks");
        let mut uf = UnionFind::new(entries.len());
        // Words as ids, each distinct word's sound and keys worked out once (see `Lexicon`).
        let mut lexicon = Lexicon::default();
        let tokens: Vec<Vec<u32>> = entries.iter().map(|e| lexicon.name(&e.key)).collect();
        let generic = lexicon.generic_flags(
            tokens.iter().map(Vec::as_slice),
            rules.generic_word_share,
            GENERIC_MIN_NAMES,
            &rules.generic_name_words,
        );
        // Keys starting with `#` are initials (`#bq` for `Boreal Quorra ...`) or short words
        // (`#bq` in `BQ Systems`): those blocks only pair a short word with initials, never two
        // names that merely share their initials (thousands of Chinese firms start with a city).
        // Each block is a (country, key); each name lists its blocks, and whether it is there
        // by a short word of its own.
        let mut block_of: FxHashMap<(CountryId, u32), u32> = FxHashMap::default();
        let mut blocks: Vec<Block> = Vec::new();
        let mut filed: Vec<Vec<(u32, bool)>> = Vec::with_capacity(entries.len());
        for (i, (e, t)) in entries.iter().zip(&tokens).enumerate() {
            let keys = lexicon.block_keys(t, &generic);
            let mut mine = Vec::with_capacity(keys.len());
            for key in keys {
                let short = t.iter().any(|&w| lexicon.short_key(w) == Some(key));
                let b = *block_of.entry((e.country, key)).or_insert_with(|| {
                    blocks.push(Block {
                        initials: lexicon.is_initials_key(key),
                        members: Vec::new(),
                        shorts: Vec::new(),
                    });
                    blocks.len() as u32 - 1
                });
                let slot = &mut blocks[b as usize];
                if short {
                    slot.shorts.push(i as u32);
                } else {
                    slot.members.push(i as u32);
                }
                mine.push((b, short));
            }
            filed.push(mine);
        }
        stage.end();
        let stage = crate::timing::Stage::start("holders: word partners");
        // Per name what a match must account for, and per country the names by what accounts
        // for a word of another (with the words each word meets): most pairs of a block fail
        // `Lexicon::may_be_one_firm`, and a name with a distinctive word meets only the names
        // accounting for every one of them. The tables are built beside the index, which has
        // serial parts.
        let ((table, required), accounting) = rayon::join(
            || {
                (
                    NameTable::new(&lexicon, &tokens, &generic),
                    Required::new(&lexicon, &tokens, &generic),
                )
            },
            || {
                AccountingIndex::new(
                    &lexicon,
                    &generic,
                    &tokens,
                    |i| u32::from(entries[i].country.0),
                    &tokens,
                )
            },
        );
        // A block this large is a common word, not a firm: comparing it pairwise would be
        // quadratic, and its members are better kept apart.
        let open: Vec<bool> = blocks
            .iter()
            .map(|b| b.members.len() <= 400 && b.shorts.len() <= 400)
            .collect();
        // Each name's open blocks (a closed one pairs nothing), end to end: every candidate
        // pair looks them up.
        let mut open_starts: Vec<u32> = Vec::with_capacity(filed.len() + 1);
        // With each: whether the name is short there, and whether the block is of initials.
        let mut open_filed: Vec<(u32, bool, bool)> = Vec::new();
        open_starts.push(0);
        for mine in &filed {
            open_filed.extend(
                mine.iter()
                    .filter(|(b, _)| open[*b as usize])
                    .map(|&(b, short)| (b, short, blocks[b as usize].initials)),
            );
            open_starts.push(open_filed.len() as u32);
        }
        drop(filed);
        let filed = |i: usize| &open_filed[open_starts[i] as usize..open_starts[i + 1] as usize];
        // Each name meets the later names of its blocks (all members of a word block; the other
        // side of an initials block), each once, and every pair is judged on its own (a pure
        // function of the two names, the earlier one first). Holders are the connected names,
        // whatever the order of the unions, so the same whatever the number of threads.
        stage.end();
        let stage = crate::timing::Stage::start("holders: pairs matched");
        let n = entries.len();
        // Whether names `a` and `o` (later) are compared: both in an open block, `o` on the side
        // of it `a` meets (see `Block`); `mark` holds `a`'s open blocks and whether `a` is short
        // in each.
        let compared = |a: usize, o: usize, mark: &[u64]| {
            filed(o).iter().any(|&(b, o_short, initials)| {
                let m = mark[b as usize];
                m >> 1 == a as u64 && {
                    let a_short = m & 1 == 1;
                    if initials && !a_short {
                        o_short
                    } else {
                        !o_short
                    }
                }
            })
        };
        let merged: Vec<Vec<u32>> = (0..n)
            .into_par_iter()
            .with_min_len(256)
            .map_init(
                || Scratch {
                    seen: vec![u32::MAX; n],
                    candidates: Candidates::default(),
                    met: vec![u32::MAX; lexicon.len()],
                    mark: vec![u64::MAX; blocks.len()],
                },
                |Scratch {
                     seen,
                     candidates,
                     met,
                     mark,
                 },
                 a| {
                    let mut same = Vec::new();
                    let stamp = a as u32;
                    // The words that a word of this name meets.
                    accounting.mark_met(&tokens[a], stamp, met);
                    let needs = required.get(a);
                    let same_firm = |o: usize| {
                        lexicon.may_be_one_firm(
                            &needs,
                            |x| met[x as usize] == stamp,
                            &required.get(o),
                            |w| accounting.met_in(w, &tokens[o]),
                        ) && lexicon.firm_match(table.get(a), table.get(o)).is_some()
                    };
                    // A name with a distinctive word: the later names in its country that
                    // account for every one, of those the ones it shares a block with.
                    let country = u32::from(entries[a].country.0);
                    if accounting.candidates(
                        &lexicon,
                        &generic,
                        country,
                        &tokens[a],
                        Some(a as u32),
                        candidates,
                    ) {
                        for &(b, short, _) in filed(a) {
                            mark[b as usize] = ((a as u64) << 1) | u64::from(short);
                        }
                        for &o in &candidates.found {
                            if compared(a, o as usize, mark) && same_firm(o as usize) {
                                same.push(o);
                            }
                        }
                        return same;
                    }
                    // A name of generic words only: every later name of its blocks.
                    for &(b, short, _) in filed(a) {
                        let block = &blocks[b as usize];
                        let others = if block.initials && !short {
                            &block.shorts
                        } else {
                            &block.members
                        };
                        // Names are filed in index order: the later ones are a tail.
                        let later = others.partition_point(|&o| o as usize <= a);
                        for &o in &others[later..] {
                            let o_us = o as usize;
                            if seen[o_us] != stamp {
                                seen[o_us] = stamp;
                                if same_firm(o_us) {
                                    same.push(o);
                                }
                            }
                        }
                    }
                    same
                },
            )
            .collect();
        for (a, same) in merged.iter().enumerate() {
            for &b in same {
                uf.union(a, b as usize);
            }
        }
        stage.end();
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

/// Buffers one thread reuses from name to name while merging: per name, the last name that
/// looked at it; the candidates of a name; per word, the last name whose words meet it; per
/// block, the last name filed in it (shifted left) and whether it is short there.
struct Scratch {
    seen: Vec<u32>,
    candidates: Candidates,
    met: Vec<u32>,
    mark: Vec<u64>,
}

/// The names filed under one (country, block key).
struct Block {
    /// A `#` key: pairs only a short word (`shorts`) with initials (`members`).
    initials: bool,
    members: Vec<u32>,
    shorts: Vec<u32>,
}

/// Union-find with path halving.
pub(crate) struct UnionFind {
    /// Four bytes each: route merging joins millions of traces.
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` items apart, fewer than 2^32.
    pub(crate) fn new(n: usize) -> Self {
        let n = u32::try_from(n).expect("fewer than 2^32 items to join");
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    pub(crate) fn find(&mut self, x: usize) -> usize {
        let mut x = x as u32;
        while self.parent[x as usize] != x {
            self.parent[x as usize] = self.parent[self.parent[x as usize] as usize];
            x = self.parent[x as usize];
        }
        x as usize
    }

    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index stays root, so numbering follows first appearance.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo as u32;
        }
    }
}
