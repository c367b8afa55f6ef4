//! Licence coverage: which licence covered each shipment, and why a shipment was not covered.
//!
//! A shipment is covered by a licence when its exporter and consignee are the licence's (matched
//! like route holders: spellings vary), its HS code falls under the licence's, its date lies in the
//! validity window, and the licence still has quantity left, drawn down in date order
//! (data-formats §7). Coverage is worked out once per analysis, before routes are traced: a covered
//! shipment is a legitimate delivery, and routes never run back through it.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{Dataset, Licence};
use crate::parties::{Lexicon, NameTable, normalise};
use crate::routes::{HolderId, Ledger};
use crate::rules::Rules;
use crate::scoring::indicators::destination_of_concern;
use crate::units::UnitKind;

/// The licence status of one shipment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LegLicence {
    /// Not a controlled export to a country of concern, and no licence names the consignee.
    NotApplicable,
    /// A controlled export to a country of concern, and no licence data is loaded.
    Unknown,
    /// Covered by this licence (index into [`LicenceIndex::licences`]).
    Covered { licence: u32 },
    /// The licence's quantity was used up: `left` units were still licensed of this shipment's.
    Overrun { licence: u32, left: f64 },
    /// Shipped after the licence's `valid_to`.
    Expired { licence: u32 },
    /// Shipped before the licence's `valid_from`.
    NotYetValid { licence: u32 },
    /// A controlled product to a consignee in a country of concern (or to a licensed consignee)
    /// that no licence names for this exporter and product.
    NoLicence,
}

impl LegLicence {
    /// True for the statuses that are violations on their face.
    pub fn is_violation(self) -> bool {
        matches!(
            self,
            LegLicence::Overrun { .. }
                | LegLicence::Expired { .. }
                | LegLicence::NotYetValid { .. }
                | LegLicence::NoLicence
        )
    }
}

/// One licence as loaded, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedLicence {
    pub licence: Licence,
    /// File name the licence was read from.
    pub file: String,
    pub exporter: Option<HolderId>,
    pub consignee: Option<HolderId>,
}

/// Licence coverage of every leg of a ledger.
#[derive(Clone, Debug, Default)]
pub struct LicenceIndex {
    /// True when any licence data was loaded.
    pub loaded: bool,
    pub licences: Vec<LoadedLicence>,
    /// Per leg of the ledger ([`LicenceIndex::of`] reads it).
    status: Statuses,
    /// Per holder: named as consignee by at least one licence.
    pub licensed_consignee: Vec<bool>,
}

/// Every leg's status in 4 bytes ([`Stored`]): the units an overrun had left, the one status
/// with a number, are kept beside, by leg. Overruns are few, and at ten million legs a status
/// with room for that number took 80 MB more, and one with a licence's number and a tag 40 MB.
#[derive(Clone, Debug, Default)]
struct Statuses {
    stored: Vec<Stored>,
    overrun_left: FxHashMap<u32, f64>,
    big_licence: FxHashMap<u32, u32>,
}

/// [`LegLicence`] without an overrun's units left, in four bytes: the status in the top three
/// bits, the licence's number in the others. A number too big for them (half a billion
/// licences) is kept beside, by leg, as the units an overrun had left are.
#[derive(Clone, Copy, Debug)]
struct Stored(u32);

const KIND_SHIFT: u32 = 29;
/// The largest licence number kept in place; from it on, the number is kept beside.
const LICENCE_IN_PLACE: u32 = (1 << KIND_SHIFT) - 1;

impl Stored {
    const NOT_APPLICABLE: Stored = Stored(0);

    fn new(kind: u32, licence: u32) -> Stored {
        Stored(kind << KIND_SHIFT | licence.min(LICENCE_IN_PLACE))
    }

    fn kind(self) -> u32 {
        self.0 >> KIND_SHIFT
    }

    fn licence(self) -> u32 {
        self.0 & LICENCE_IN_PLACE
    }
}

impl Statuses {
    /// `legs` legs, none needing a licence.
    fn new(legs: usize) -> Statuses {
        Statuses {
            stored: vec![Stored::NOT_APPLICABLE; legs],
            overrun_left: FxHashMap::default(),
            big_licence: FxHashMap::default(),
        }
    }

    fn set(&mut self, leg: u32, status: LegLicence) {
        let (kind, licence) = match status {
            LegLicence::NotApplicable => (0, 0),
            LegLicence::Unknown => (1, 0),
            LegLicence::Covered { licence } => (2, licence),
            LegLicence::Overrun { licence, left } => {
                self.overrun_left.insert(leg, left);
                (3, licence)
            }
            LegLicence::Expired { licence } => (4, licence),
            LegLicence::NotYetValid { licence } => (5, licence),
            LegLicence::NoLicence => (6, 0),
        };
        if licence >= LICENCE_IN_PLACE {
            self.big_licence.insert(leg, licence);
        }
        self.stored[leg as usize] = Stored::new(kind, licence);
    }

    /// A leg's status; legs past the last need no licence.
    fn get(&self, leg: u32) -> LegLicence {
        let Some(&stored) = self.stored.get(leg as usize) else {
            return LegLicence::NotApplicable;
        };
        let licence = match stored.licence() {
            LICENCE_IN_PLACE => self
                .big_licence
                .get(&leg)
                .copied()
                .unwrap_or(LICENCE_IN_PLACE),
            n => n,
        };
        match stored.kind() {
            1 => LegLicence::Unknown,
            2 => LegLicence::Covered { licence },
            3 => LegLicence::Overrun {
                licence,
                left: self.overrun_left.get(&leg).copied().unwrap_or(0.0),
            },
            4 => LegLicence::Expired { licence },
            5 => LegLicence::NotYetValid { licence },
            6 => LegLicence::NoLicence,
            _ => LegLicence::NotApplicable,
        }
    }
}

impl LicenceIndex {
    /// Works out the coverage of every leg from the licence datasets among `datasets`.
    pub fn build(datasets: &[&Dataset], ledger: &Ledger, rules: &Rules, g: &Gazetteer) -> Self {
        let stage = crate::timing::Stage::start("licences: holders found");
        let mut loaded: Vec<(&Licence, String)> = Vec::new();
        for d in datasets {
            let file = d.provenance.file_name();
            for l in d.licences() {
                loaded.push((l, file.clone()));
            }
        }
        // Both names of every licence, each distinct name looked up once.
        let mut query_of: FxHashMap<(&str, CountryId), usize> = FxHashMap::default();
        let mut queries: Vec<(&str, CountryId)> = Vec::new();
        let asked: Vec<(usize, usize)> = loaded
            .iter()
            .map(|(l, _)| {
                let (q, list) = (&mut query_of, &mut queries);
                let e = ask(q, list, &l.exporter.key, l.exporter_country);
                (e, ask(q, list, &l.consignee.key, l.consignee_country))
            })
            .collect();
        let found = find_holders(&queries, ledger, rules);
        let licences: Vec<LoadedLicence> = loaded
            .into_iter()
            .zip(asked)
            .map(|((l, file), (e, c))| LoadedLicence {
                exporter: found[e],
                consignee: found[c],
                licence: l.clone(),
                file,
            })
            .collect();
        stage.end();
        let _stage = crate::timing::Stage::start("licences: coverage");
        let loaded = !licences.is_empty();
        let mut licensed_consignee = vec![false; ledger.holders.list.len()];
        let mut by_pair: FxHashMap<(HolderId, HolderId), Vec<u32>> = FxHashMap::default();
        for (i, l) in licences.iter().enumerate() {
            if let Some(c) = l.consignee {
                licensed_consignee[c.0 as usize] = true;
                if let Some(e) = l.exporter {
                    by_pair.entry((e, c)).or_default().push(i as u32);
                }
            }
        }
        // Earliest window first, so that quantity is drawn down licence by licence.
        for list in by_pair.values_mut() {
            list.sort_by_key(|&i| {
                let l = &licences[i as usize].licence;
                (l.valid_from, l.valid_to, i)
            });
        }
        let controlled = rules.routes.carry_min_sensitivity;
        let concern = concern_by_country(g, rules);
        let mut left: Vec<f64> = licences.iter().map(|l| l.licence.quantity).collect();
        let mut status = Statuses::new(ledger.legs.len());
        // Only controlled exports to a country of concern and shipments to a licensed consignee
        // need a licence: the others are left out before sorting (in date order, then file
        // order: legs are numbered in it).
        let mut order: Vec<(crate::model::Date, u32)> = ledger
            .legs
            .par_iter()
            .enumerate()
            .filter(|(_, leg)| {
                let named = licensed_consignee[leg.to.0 as usize];
                named || ledger.reading(leg).sensitivity >= controlled && concern.of(leg.to_country)
            })
            .map(|(i, l)| (l.date, i as u32))
            .collect();
        order.sort_unstable();
        let mut candidates: Vec<u32> = Vec::new();
        let mut valid: Vec<u32> = Vec::new();
        for (_, i) in order {
            let leg = &ledger.legs[i as usize];
            let sensitive = ledger.reading(leg).sensitivity >= controlled;
            if !loaded {
                status.set(i, LegLicence::Unknown);
                continue;
            }
            candidates.clear();
            candidates.extend(
                by_pair
                    .get(&(leg.from, leg.to))
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&li| covers(&licences[li as usize].licence, leg.hs)),
            );
            if candidates.is_empty() {
                if sensitive {
                    status.set(i, LegLicence::NoLicence);
                }
                continue;
            }
            valid.clear();
            valid.extend(
                candidates
                    .iter()
                    .copied()
                    .filter(|&li| licences[li as usize].licence.is_valid_on(leg.date)),
            );
            if valid.is_empty() {
                // The nearest window says what went wrong: after expiry or before validity.
                let li = candidates
                    .iter()
                    .copied()
                    .min_by_key(|&li| {
                        let l = &licences[li as usize].licence;
                        if leg.date > l.valid_to {
                            leg.date.days_since(l.valid_to)
                        } else {
                            l.valid_from.days_since(leg.date)
                        }
                    })
                    .expect("candidates is not empty");
                let l = &licences[li as usize].licence;
                status.set(
                    i,
                    if leg.date > l.valid_to {
                        LegLicence::Expired { licence: li }
                    } else {
                        LegLicence::NotYetValid { licence: li }
                    },
                );
                continue;
            }
            // Counts draw the licence down; a shipment counted in kilograms cannot be, and is
            // covered while the licence has any quantity left.
            let need = if leg.unit == UnitKind::Count {
                leg.quantity
            } else {
                0.0
            };
            let available: f64 = valid.iter().map(|&li| left[li as usize]).sum();
            let first = valid[0];
            if available + 1e-9 >= need && available > 0.0 {
                let mut rest = need;
                let mut used = first;
                for &li in &valid {
                    if rest <= 0.0 {
                        break;
                    }
                    let take = left[li as usize].min(rest);
                    if take > 0.0 {
                        used = li;
                    }
                    left[li as usize] -= take;
                    rest -= take;
                }
                status.set(i, LegLicence::Covered { licence: used });
            } else {
                for &li in &valid {
                    left[li as usize] = 0.0;
                }
                status.set(
                    i,
                    LegLicence::Overrun {
                        licence: first,
                        left: available.max(0.0),
                    },
                );
            }
        }
        LicenceIndex {
            loaded,
            licences,
            status,
            licensed_consignee,
        }
    }

    /// The status of one leg.
    pub fn of(&self, leg: u32) -> LegLicence {
        self.status.get(leg)
    }

    /// True when a leg is covered by a licence.
    pub fn covered(&self, leg: u32) -> bool {
        matches!(self.of(leg), LegLicence::Covered { .. })
    }

    /// The status of a leg in words, naming the licence and its file and line.
    pub fn describe(&self, leg: u32) -> String {
        let name = |li: u32| {
            let l = &self.licences[li as usize];
            format!(
                "licence {} ({} line {})",
                l.licence.licence_id, l.file, l.licence.line
            )
        };
        match self.of(leg) {
            LegLicence::NotApplicable => "no licence needed as far as the rows show".into(),
            LegLicence::Unknown => "licence status unknown (no licence data loaded)".into(),
            LegLicence::Covered { licence } => format!("covered by {}", name(licence)),
            LegLicence::Overrun { licence, left } => format!(
                "not covered: {} had {} units left",
                name(licence),
                crate::scoring::indicators::qty(left)
            ),
            LegLicence::Expired { licence } => {
                let l = &self.licences[licence as usize].licence;
                format!("not covered: {} expired {}", name(licence), l.valid_to)
            }
            LegLicence::NotYetValid { licence } => {
                let l = &self.licences[licence as usize].licence;
                format!(
                    "not covered: {} valid only from {}",
                    name(licence),
                    l.valid_from
                )
            }
            LegLicence::NoLicence => {
                "not covered: no licence names this exporter, consignee and product".into()
            }
        }
    }
}

/// A licence's HS prefix covers a code; a shipment code shorter than the prefix is covered when
/// it is a prefix of the licence's (a heading declared for a licensed subheading).
fn covers(l: &Licence, hs: crate::model::HsCode) -> bool {
    let n = l.hs_code.len().min(hs.len());
    n >= 4 && l.hs_code.prefix(n) == hs.prefix(n)
}

/// Per country: a destination of concern (strength 1 or more, see
/// [`destination_of_concern::strength`]), worked out once rather than for every leg.
pub(crate) struct ConcernByCountry<'g> {
    flags: Vec<bool>,
    g: &'g Gazetteer,
    rules: &'g crate::rules::DestinationRules,
}

impl ConcernByCountry<'_> {
    /// True when `c` is a destination of concern.
    pub(crate) fn of(&self, c: CountryId) -> bool {
        match self.flags.get(usize::from(c.0)) {
            Some(&f) => f,
            None => destination_of_concern::strength(self.g, self.rules, c).0 >= 1.0,
        }
    }
}

/// Which countries are destinations of concern under `rules`.
pub(crate) fn concern_by_country<'g>(g: &'g Gazetteer, rules: &'g Rules) -> ConcernByCountry<'g> {
    let dest = &rules.indicators.destination_of_concern;
    ConcernByCountry {
        flags: (0..g.countries().len())
            .map(|c| destination_of_concern::strength(g, dest, CountryId(c as u16)).0 >= 1.0)
            .collect(),
        g,
        rules: dest,
    }
}

/// Files a (key, country) question once, returning its number.
fn ask<'a>(
    of: &mut FxHashMap<(&'a str, CountryId), usize>,
    queries: &mut Vec<(&'a str, CountryId)>,
    key: &'a str,
    country: CountryId,
) -> usize {
    *of.entry((key, country)).or_insert_with(|| {
        queries.push((key, country));
        queries.len() - 1
    })
}

/// Finds the holder each name on a licence (normalised key, country) belongs to: the holder with
/// that key in that country; else the first holder with a spelling of that key there; else the
/// first holder there that is the same firm by its words (see [`crate::parties::same_firm`],
/// matched on a [`Lexicon`], which judges alike), among the holders filed under a block key of
/// the name (see [`crate::parties::block_keys`]), generic words judged over the holders' keys.
fn find_holders(
    queries: &[(&str, CountryId)],
    ledger: &Ledger,
    rules: &Rules,
) -> Vec<Option<HolderId>> {
    let holders = &ledger.holders.list;
    let by_key: FxHashMap<(&str, CountryId), HolderId> = holders
        .iter()
        .enumerate()
        .map(|(i, h)| ((h.key.as_str(), h.country), HolderId(i as u32)))
        .collect();
    let mut found: Vec<Option<HolderId>> = queries.iter().map(|q| by_key.get(q).copied()).collect();
    // Spellings: normalised only for holders in a country some name is still looked for in, and
    // kept only when they answer one (in holder order: the first holder wins).
    let missing: FxHashSet<(&str, CountryId)> = queries
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(q, _)| *q)
        .collect();
    if missing.is_empty() {
        return found;
    }
    let countries: FxHashSet<CountryId> = missing.iter().map(|q| q.1).collect();
    let spelled: Vec<(String, CountryId, u32)> = holders
        .par_iter()
        .enumerate()
        .filter(|(_, h)| countries.contains(&h.country))
        .flat_map_iter(|(i, h)| {
            let missing = &missing;
            h.names.iter().filter_map(move |n| {
                let key = normalise(n);
                missing
                    .contains(&(key.as_str(), h.country))
                    .then_some((key, h.country, i as u32))
            })
        })
        .collect();
    let mut by_spelling: FxHashMap<(&str, CountryId), HolderId> = FxHashMap::default();
    for (key, country, i) in &spelled {
        by_spelling
            .entry((key.as_str(), *country))
            .or_insert(HolderId(*i));
    }
    for (q, f) in queries.iter().zip(found.iter_mut()) {
        if f.is_none() {
            *f = by_spelling.get(q).copied();
        }
    }
    let fuzzy: Vec<usize> = (0..queries.len()).filter(|&q| found[q].is_none()).collect();
    if fuzzy.is_empty() {
        return found;
    }
    // The same firm by its words. Every word as an id (see `Lexicon`); the names looked for are
    // read in before generic words are counted, over the holders' keys only.
    let mut lexicon = Lexicon::default();
    let names: Vec<Vec<u32>> = holders.iter().map(|h| lexicon.name(&h.key)).collect();
    let asked: Vec<Vec<u32>> = fuzzy.iter().map(|&q| lexicon.name(queries[q].0)).collect();
    let generic = lexicon.generic_flags(
        names.iter().map(Vec::as_slice),
        rules.routes.generic_word_share,
        5,
        &rules.routes.generic_name_words,
    );
    // Only holders in a country a name is looked for in can be found: only they are filed.
    let countries: FxHashSet<CountryId> = fuzzy.iter().map(|&q| queries[q].1).collect();
    let mut by_word: FxHashMap<(CountryId, u32), Vec<u32>> = FxHashMap::default();
    for (i, (h, name)) in holders.iter().zip(&names).enumerate() {
        if !countries.contains(&h.country) {
            continue;
        }
        for key in lexicon.block_keys(name, &generic) {
            by_word.entry((h.country, key)).or_default().push(i as u32);
        }
    }
    let asked_keys: Vec<Vec<u32>> = asked
        .iter()
        .map(|name| lexicon.block_keys(name, &generic))
        .collect();
    let table = NameTable::new(&lexicon, &names, &generic);
    let asked_table = NameTable::new(&lexicon, &asked, &generic);
    let matched: Vec<Option<HolderId>> = fuzzy
        .par_iter()
        .enumerate()
        .map_init(Vec::new, |candidates, (a, &q)| {
            let country = queries[q].1;
            candidates.clear();
            candidates.extend(
                asked_keys[a]
                    .iter()
                    .filter_map(|&k| by_word.get(&(country, k)))
                    .flatten()
                    .copied(),
            );
            candidates.sort_unstable();
            candidates.dedup();
            candidates
                .iter()
                .copied()
                .find(|&i| {
                    lexicon
                        .firm_match(asked_table.get(a), table.get(i as usize))
                        .is_some()
                })
                .map(HolderId)
        })
        .collect();
    for (&q, m) in fuzzy.iter().zip(matched) {
        found[q] = m;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each status reads back as set, an overrun with its units left, in 8 bytes a leg.
    #[test]
    fn every_status_reads_back_as_set_in_four_bytes() {
        assert_eq!(std::mem::size_of::<Stored>(), 4);
        let all = [
            LegLicence::NotApplicable,
            LegLicence::Unknown,
            LegLicence::Covered { licence: 3 },
            LegLicence::Overrun {
                licence: 4,
                left: 12.5,
            },
            LegLicence::Expired { licence: 5 },
            LegLicence::NotYetValid { licence: 6 },
            LegLicence::NoLicence,
            LegLicence::Overrun {
                licence: 7,
                left: 0.0,
            },
            // Numbers too big to be kept in place.
            LegLicence::Covered {
                licence: LICENCE_IN_PLACE,
            },
            LegLicence::Expired { licence: u32::MAX },
            LegLicence::Covered {
                licence: LICENCE_IN_PLACE - 1,
            },
        ];
        let mut s = Statuses::new(all.len() + 1);
        for (i, l) in all.iter().enumerate() {
            s.set(i as u32, *l);
        }
        for (i, l) in all.iter().enumerate() {
            assert_eq!(s.get(i as u32), *l);
        }
        assert_eq!(s.get(all.len() as u32), LegLicence::NotApplicable);
        assert_eq!(s.get(u32::MAX), LegLicence::NotApplicable);
    }
}
