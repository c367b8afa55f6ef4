//! Licence coverage: which licence covered each shipment, and why a shipment was not covered.
//!
//! A shipment is covered by a licence when its exporter and consignee are the licence's (matched
//! like route holders: spellings vary), its HS code falls under the licence's, its date lies in the
//! validity window, and the licence still has quantity left, drawn down in date order
//! (data-formats §7). Coverage is worked out once per analysis, before routes are traced: a covered
//! shipment is a legitimate delivery, and routes never run back through it.

use rustc_hash::FxHashMap;

use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{Dataset, Licence};
use crate::parties::{NameTokens, WordFrequency, block_keys, same_firm};
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
    /// Per leg of the ledger.
    pub status: Vec<LegLicence>,
    /// Per holder: named as consignee by at least one licence.
    pub licensed_consignee: Vec<bool>,
}

impl LicenceIndex {
    /// Works out the coverage of every leg from the licence datasets among `datasets`.
    pub fn build(datasets: &[&Dataset], ledger: &Ledger, rules: &Rules, g: &Gazetteer) -> Self {
        let mut licences: Vec<LoadedLicence> = Vec::new();
        let finder = HolderFinder::new(ledger, rules);
        for d in datasets {
            let file = d
                .provenance
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            for l in d.licences() {
                licences.push(LoadedLicence {
                    exporter: finder.find(&l.exporter.key, l.exporter_country),
                    consignee: finder.find(&l.consignee.key, l.consignee_country),
                    licence: l.clone(),
                    file: file.clone(),
                });
            }
        }
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
        let dest = &rules.indicators.destination_of_concern;
        let mut left: Vec<f64> = licences.iter().map(|l| l.licence.quantity).collect();
        let mut order: Vec<u32> = (0..ledger.legs.len() as u32).collect();
        order.sort_by_key(|&i| {
            let l = &ledger.legs[i as usize];
            (l.date, l.dataset, l.row)
        });
        let mut status = vec![LegLicence::NotApplicable; ledger.legs.len()];
        for i in order {
            let leg = &ledger.legs[i as usize];
            let concern = destination_of_concern::strength(g, dest, leg.to_country).0 >= 1.0;
            let sensitive = leg.product.sensitivity >= controlled;
            let named = licensed_consignee[leg.to.0 as usize];
            if !(named || sensitive && concern) {
                continue;
            }
            if !loaded {
                status[i as usize] = LegLicence::Unknown;
                continue;
            }
            let candidates: Vec<u32> = by_pair
                .get(&(leg.from, leg.to))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&li| covers(&licences[li as usize].licence, leg.hs))
                .collect();
            if candidates.is_empty() {
                if sensitive {
                    status[i as usize] = LegLicence::NoLicence;
                }
                continue;
            }
            let valid: Vec<u32> = candidates
                .iter()
                .copied()
                .filter(|&li| licences[li as usize].licence.is_valid_on(leg.date))
                .collect();
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
                status[i as usize] = if leg.date > l.valid_to {
                    LegLicence::Expired { licence: li }
                } else {
                    LegLicence::NotYetValid { licence: li }
                };
                continue;
            }
            // Counts draw the licence down; a shipment counted in kilograms cannot be, and is
            // covered while the licence has any quantity left.
            let need = if leg.measure.kind == UnitKind::Count {
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
                status[i as usize] = LegLicence::Covered { licence: used };
            } else {
                for &li in &valid {
                    left[li as usize] = 0.0;
                }
                status[i as usize] = LegLicence::Overrun {
                    licence: first,
                    left: available.max(0.0),
                };
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
        self.status
            .get(leg as usize)
            .copied()
            .unwrap_or(LegLicence::NotApplicable)
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

/// Finds the holder a name on a licence belongs to: the same key in the same country, or else the
/// same firm by its words (see [`same_firm`]).
struct HolderFinder {
    exact: FxHashMap<(String, CountryId), HolderId>,
    tokens: Vec<NameTokens>,
    by_word: FxHashMap<(CountryId, String), Vec<u32>>,
    generic_words: rustc_hash::FxHashSet<String>,
}

impl HolderFinder {
    fn new(ledger: &Ledger, rules: &Rules) -> Self {
        let mut exact = FxHashMap::default();
        let mut by_word: FxHashMap<(CountryId, String), Vec<u32>> = FxHashMap::default();
        let tokens: Vec<NameTokens> = ledger
            .holders
            .list
            .iter()
            .map(|h| NameTokens::of_key(&h.key))
            .collect();
        for (i, h) in ledger.holders.list.iter().enumerate() {
            exact.insert((h.key.clone(), h.country), HolderId(i as u32));
            for n in &h.names {
                exact
                    .entry((crate::parties::normalise(n), h.country))
                    .or_insert(HolderId(i as u32));
            }
        }
        let freq = WordFrequency::build(&tokens);
        let generic_words = freq.generic_words(
            rules.routes.generic_word_share,
            5,
            &rules.routes.generic_name_words,
        );
        let generic = |w: &str| generic_words.contains(w);
        for (i, h) in ledger.holders.list.iter().enumerate() {
            for key in block_keys(&tokens[i], &generic) {
                by_word.entry((h.country, key)).or_default().push(i as u32);
            }
        }
        HolderFinder {
            exact,
            generic_words,
            tokens,
            by_word,
        }
    }

    fn find(&self, key: &str, country: CountryId) -> Option<HolderId> {
        if let Some(h) = self.exact.get(&(key.to_string(), country)) {
            return Some(*h);
        }
        let t = NameTokens::of_key(key);
        let generic = |w: &str| self.generic_words.contains(w);
        let mut candidates: Vec<u32> = block_keys(&t, &generic)
            .into_iter()
            .filter_map(|k| self.by_word.get(&(country, k)))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .find(|&i| same_firm(&t, &self.tokens[i as usize], &generic))
            .map(HolderId)
    }
}
