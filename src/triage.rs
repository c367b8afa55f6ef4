//! Triage: what an investigator concluded about a route or corridor, and their notes.
//!
//! A disposition belongs to a route by what the route *is*, its shipments (or, for a corridor, its
//! countries, heading and periods), not by its place in a table: when the data is scored again, a
//! route keeps its disposition as long as it holds the same shipments, and the dispositions whose
//! route is gone are listed, never dropped. Times are given by the caller (the core reads no
//! clock), so a case file replays exactly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::{RouteKind, ScoredRoute};
use crate::gazetteer::Gazetteer;

/// What an investigator concluded.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Not looked at yet, or looked at and left open.
    #[default]
    Open,
    /// Diversion, as far as the investigator can tell.
    Confirmed,
    /// Not diversion (a look-alike, a licensed export, a data error).
    Dismissed,
    /// Needs more information (a licence, a bill of lading, a company register extract).
    NeedsInformation,
}

impl Disposition {
    /// Every disposition, in menu order.
    pub const ALL: [Disposition; 4] = [
        Disposition::Open,
        Disposition::Confirmed,
        Disposition::Dismissed,
        Disposition::NeedsInformation,
    ];

    /// In words, as the table, the exports and the report show it.
    pub fn label(self) -> &'static str {
        match self {
            Disposition::Open => "open",
            Disposition::Confirmed => "confirmed",
            Disposition::Dismissed => "dismissed",
            Disposition::NeedsInformation => "needs information",
        }
    }
}

/// Which route a disposition belongs to: `shipments:A;B;C` (sorted shipment ids) for a route
/// reconstructed from shipments, `corridor:US>AM:2019-01-01:2022-12-31` for a corridor.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RouteKey(pub String);

impl RouteKey {
    /// The key of a scored route.
    pub fn of(route: &ScoredRoute, g: &Gazetteer) -> RouteKey {
        match &route.kind {
            RouteKind::Shipments(_) => {
                let mut ids: Vec<&str> = route.shipment_ids.iter().map(|s| &**s).collect();
                ids.sort_unstable();
                ids.dedup();
                RouteKey(format!("shipments:{}", ids.join(";")))
            }
            RouteKind::Corridor { .. } => RouteKey(format!(
                "corridor:{}:{}:{}",
                route.path_codes(g),
                route.first_date,
                route.last_date
            )),
        }
    }
}

/// One note, with when and by whom it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When, as the caller gave it (ISO 8601, UTC: `2026-11-29T10:15:00Z`).
    pub at: String,
    pub text: String,
}

/// The disposition and notes of one route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub disposition: Disposition,
    /// When the disposition was last set.
    #[serde(default)]
    pub set_at: String,
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// Every disposition and note of a case, by route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Triage {
    pub entries: BTreeMap<RouteKey, Entry>,
}

impl Triage {
    /// The disposition of a route (open when none was set).
    pub fn disposition(&self, key: &RouteKey) -> Disposition {
        self.entries
            .get(key)
            .map(|e| e.disposition)
            .unwrap_or_default()
    }

    /// The entry of a route, if anything was set or written.
    pub fn get(&self, key: &RouteKey) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Sets a route's disposition at `at`.
    pub fn set(&mut self, key: RouteKey, disposition: Disposition, at: &str) {
        let e = self.entries.entry(key).or_default();
        e.disposition = disposition;
        e.set_at = at.to_string();
    }

    /// Adds a note to a route at `at`; an empty note is ignored.
    pub fn note(&mut self, key: RouteKey, text: &str, at: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.entries.entry(key).or_default().notes.push(Note {
            at: at.to_string(),
            text: text.to_string(),
        });
    }

    /// The routes with a disposition or notes that no route of `routes` has any more (the data
    /// changed: the shipments of the route are not the same), so that the app can say so.
    pub fn orphans(&self, routes: &[ScoredRoute], g: &Gazetteer) -> Vec<RouteKey> {
        let present: std::collections::HashSet<RouteKey> =
            routes.iter().map(|r| RouteKey::of(r, g)).collect();
        self.entries
            .iter()
            .filter(|(k, e)| {
                (e.disposition != Disposition::Open || !e.notes.is_empty()) && !present.contains(k)
            })
            .map(|(k, _)| k.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disposition_follows_the_route_and_orphans_are_listed() {
        let mut t = Triage::default();
        let a = RouteKey("shipments:A;B".into());
        let gone = RouteKey("shipments:X".into());
        assert_eq!(t.disposition(&a), Disposition::Open);
        t.set(a.clone(), Disposition::Confirmed, "2026-11-29T10:00:00Z");
        t.note(
            a.clone(),
            "  same consignee as case 12 ",
            "2026-11-29T10:01:00Z",
        );
        t.note(a.clone(), "   ", "2026-11-29T10:02:00Z");
        t.set(gone.clone(), Disposition::Dismissed, "2026-11-29T10:03:00Z");
        assert_eq!(t.disposition(&a), Disposition::Confirmed);
        let e = t.get(&a).unwrap();
        assert_eq!(e.notes.len(), 1, "an empty note is not kept");
        assert_eq!(e.notes[0].text, "same consignee as case 12");
        let json = serde_json::to_string(&t).unwrap();
        let back: Triage = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        let orphans = t.orphans(&[], Gazetteer::embedded());
        assert_eq!(orphans, [a, gone]);
    }
}
