//! Undo and redo: a bounded stack of small snapshots of what an investigator changes (the filter,
//! the selection, the triage). The selection is kept as the route's [`RouteKey`], not as its place
//! in the table, so that undo still finds it after the data was scored again.

use std::collections::VecDeque;

use crate::filter::RouteFilter;
use crate::triage::{RouteKey, Triage};

/// The most steps kept; older ones are dropped.
pub const LIMIT: usize = 200;

/// What undo restores.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub filter: RouteFilter,
    pub selected: Option<RouteKey>,
    pub triage: Triage,
}

/// What kind of change a step was, so that a run of changes to the same filter field (typing a
/// country one letter at a time, dragging a slider) makes one step rather than one per frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A filter change, with the fields it touched ([`filter_fields`]).
    Filter(u32),
    Select,
    Triage,
}

/// The undo and redo stacks.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: VecDeque<Snapshot>,
    redo: Vec<Snapshot>,
    /// The last step recorded, while it may still be merged with the next.
    last: Option<Step>,
}

impl History {
    /// Records a change: `before` is the state just before it. A filter change to the same
    /// fields as the step just recorded is merged into that step.
    pub fn record(&mut self, before: Snapshot, step: Step) {
        self.redo.clear();
        if matches!((self.last, step), (Some(Step::Filter(a)), Step::Filter(b)) if a == b) {
            return;
        }
        self.undo.push_back(before);
        while self.undo.len() > LIMIT {
            self.undo.pop_front();
        }
        self.last = Some(step);
    }

    /// The state to go back to, given the current one (kept for redo).
    pub fn undo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let back = self.undo.pop_back()?;
        self.redo.push(current);
        self.last = None;
        Some(back)
    }

    /// The state to go forward to, given the current one (kept for undo).
    pub fn redo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let forward = self.redo.pop()?;
        self.undo.push_back(current);
        self.last = None;
        Some(forward)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Steps that can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    pub fn clear(&mut self) {
        *self = History::default();
    }
}

/// Which fields differ between two filters, one bit per field.
pub fn filter_fields(a: &RouteFilter, b: &RouteFilter) -> u32 {
    let changed = [
        a.from != b.from,
        a.to != b.to,
        a.hs_prefix != b.hs_prefix,
        a.countries != b.countries,
        a.country_mode != b.country_mode,
        a.min_sensitivity != b.min_sensitivity,
        a.min_score != b.min_score,
        a.flagged_only != b.flagged_only,
        a.hidden_dispositions != b.hidden_dispositions,
    ];
    let known = changed
        .iter()
        .enumerate()
        .fold(0, |bits, (i, c)| bits | (u32::from(*c) << i));
    // A field added to the filter later and not listed here still makes a step of its own.
    if known == 0 && a != b { 1 << 31 } else { known }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_score(s: f64) -> Snapshot {
        Snapshot {
            filter: RouteFilter {
                min_score: s,
                ..RouteFilter::default()
            },
            ..Snapshot::default()
        }
    }

    #[test]
    fn a_slider_drag_is_one_step_and_other_changes_are_their_own() {
        let mut h = History::default();
        let bits = filter_fields(&with_score(0.0).filter, &with_score(0.1).filter);
        h.record(with_score(0.0), Step::Filter(bits));
        h.record(with_score(0.1), Step::Filter(bits));
        h.record(with_score(0.2), Step::Filter(bits));
        assert_eq!(h.undo_len(), 1);
        h.record(with_score(0.3), Step::Triage);
        h.record(with_score(0.3), Step::Filter(bits));
        assert_eq!(h.undo_len(), 3);
        let current = with_score(0.5);
        assert_eq!(h.undo(current.clone()), Some(with_score(0.3)));
        assert!(h.can_redo());
        assert_eq!(h.redo(with_score(0.3)), Some(current));
        assert!(!h.can_redo());
    }

    #[test]
    fn history_is_bounded_and_a_new_change_drops_redo() {
        let mut h = History::default();
        for k in 0..(LIMIT + 50) {
            h.record(with_score(k as f64), Step::Select);
        }
        assert_eq!(h.undo_len(), LIMIT);
        let _ = h.undo(with_score(-1.0));
        assert!(h.can_redo());
        h.record(with_score(-2.0), Step::Select);
        assert!(!h.can_redo());
    }
}
