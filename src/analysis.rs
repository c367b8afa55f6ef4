//! The facade both faces use: datasets and rules in, scored routes out.
//! `Analysis::run` is a pure function of its inputs, so a case file replays to identical flags.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use geo::Point;
use rayon::prelude::*;

use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::{Dataset, Date, Format, HsCode, ScreeningEntry};
use crate::routes::corridors::{FlowRef, assemble};
use crate::routes::{HolderId, Ledger, Route};
use crate::rules::Rules;
use crate::scoring::corridors::ScoredCorridor;
use crate::scoring::indicators::screening_match::ScreeningIndex;
use crate::scoring::indicators::{
    HolderStats, score_bound, score_route, score_route_with, score_route_within, thresholds,
};
use crate::scoring::licences::{LegLicence, LicenceIndex};
use crate::scoring::{RouteContext, Score};
use crate::timing::Stage;

/// What a scored row stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum RouteKind {
    /// A route reconstructed from shipments.
    Shipments(Route),
    /// A corridor from country-level statistics; `flows` are (dataset, flow row) pairs.
    Corridor { flows: Vec<FlowRef> },
}

/// One output row: a scored route or corridor with everything the exports show.
///
/// Countries and dates stay typed; text is made where it leaves the program (the writers in
/// [`crate::export`], labels on screen) with [`ScoredRoute::path_codes`] and `Date`'s `Display`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredRoute {
    pub id: String,
    pub kind: RouteKind,
    pub score: Score,
    /// The countries along the route, origin first (US, MY, TH, CN).
    pub countries: Vec<CountryId>,
    /// Firm names along the route, vendor first (empty for corridors); shared with every other
    /// route through the same firm.
    pub parties: Vec<Arc<str>>,
    /// Shipment ids in leg order (empty for corridors), copied from the ledger's legs.
    pub shipment_ids: Vec<crate::model::ShipmentId>,
    /// The earliest and latest shipment dates; for a corridor, the first day of its first period
    /// and the last day of its last.
    pub first_date: Date,
    pub last_date: Date,
    /// Units delivered on the last hop (0 when unknown).
    pub quantity: f64,
    /// Value delivered on the last hop, in USD.
    pub value_usd: f64,
    /// Coordinates of the stops, for maps.
    pub stops: Vec<Point<f64>>,
    /// Licence status of each shipment a licence question applies to, in leg order:
    /// `LW-3: not covered: licence L-100 (licences.csv line 2) had 20 units left` (words, made
    /// with the evidence: empty while `score.explained` is false).
    pub licence_notes: Vec<String>,
}

impl ScoredRoute {
    /// The path as the exports write it: codes joined by `>` (`US>SG>CN`).
    pub fn path_codes(&self, g: &Gazetteer) -> String {
        self.path_joined(g, ">")
    }

    /// The path as codes joined by `separator` (`US → SG → CN` on screen); statistical areas
    /// read `M49:<code>` (see [`crate::gazetteer::Country::code`]).
    pub fn path_joined(&self, g: &Gazetteer, separator: &str) -> String {
        let codes: Vec<String> = self
            .countries
            .iter()
            .map(|c| g.country(*c).code())
            .collect();
        codes.join(separator)
    }
}

/// The indicators that were checked on a row of this kind (the route indicators on shipment
/// routes, the corridor ones on corridors), to name those that did not fire.
pub fn checked_indicators(kind: &RouteKind) -> &'static [&'static str] {
    use crate::scoring::indicators::{CORRIDOR_INDICATORS, ROUTE_INDICATOR_NAMES};
    match kind {
        RouteKind::Shipments(_) => ROUTE_INDICATOR_NAMES,
        RouteKind::Corridor { .. } => CORRIDOR_INDICATORS,
    }
}

/// Which scored rows an analysis keeps: the app keeps every row; `chiptrail score` keeps what it
/// writes, so a million routes below the threshold are scored, counted and not held.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Keep {
    All,
    Flagged,
    /// Rows scoring at least this.
    AtLeast(f64),
    /// No row (as `explain`: every row is explained later, by [`Analysis::explain`]).
    Nothing,
}

impl Keep {
    /// True when every row is kept (then rows are explained as they are scored, once).
    pub fn keeps_all(self) -> bool {
        match self {
            Keep::All => true,
            Keep::Flagged => false,
            Keep::AtLeast(min) => min <= 0.0,
            Keep::Nothing => false,
        }
    }

    pub fn keeps(self, score: &Score) -> bool {
        match self {
            Keep::All => true,
            Keep::Flagged => score.flagged,
            Keep::AtLeast(min) => score.score >= min,
            Keep::Nothing => false,
        }
    }
}

/// The per-holder facts and rules in words that scoring a route reads, kept with the analysis.
#[derive(Debug)]
pub struct Explainer {
    stats: HolderStats,
    screening: ScreeningIndex,
    thresholds: Vec<Arc<str>>,
    /// The sha256 of each shipment dataset scored, in order: words are taken from these rows
    /// only (the app may have let a file go while a new analysis is under way).
    shipment_files: Vec<String>,
}

impl Explainer {
    /// What the indicators read to score `route` (its legs sorted in `members`): the run's
    /// scoring loop and [`Analysis::explained`] both score through here.
    #[allow(clippy::too_many_arguments)]
    fn context<'a>(
        &'a self,
        ledger: &'a Ledger,
        route: &'a Route,
        rules: &'a Rules,
        g: &'a Gazetteer,
        datasets: &'a [&'a Dataset],
        licences: &'a LicenceIndex,
        members: Vec<u32>,
        explain: bool,
    ) -> RouteContext<'a> {
        RouteContext {
            ledger,
            route,
            rules,
            gazetteer: g,
            datasets,
            stats: &self.stats,
            screening: &self.screening,
            licences,
            thresholds: &self.thresholds,
            members,
            explain,
            cache: Default::default(),
        }
    }
}

/// The country-level datasets among `datasets`, numbered in that order (what a corridor's
/// `FlowRef`s refer to).
fn flow_sets<'a>(datasets: &[&'a Dataset]) -> Vec<(u32, &'a Dataset)> {
    datasets
        .iter()
        .copied()
        .filter(|d| d.provenance.format.is_flows())
        .enumerate()
        .map(|(i, d)| (i as u32, d))
        .collect()
}

/// The shipment datasets among `datasets`, in order: legs index them by this order.
fn shipment_sets<'a>(datasets: &[&'a Dataset]) -> Vec<&'a Dataset> {
    datasets
        .iter()
        .copied()
        .filter(|d| d.provenance.format == Format::Shipments)
        .collect()
}

/// Everything scored from a set of inputs.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub ledger: Ledger,
    /// Highest score first; ids `R000001`... in that order. Every row unless the analysis was
    /// run with a narrower [`Keep`]: the kept rows rank above the others (a flagged row scores
    /// above every unflagged one), so their ids are the same either way.
    pub routes: Vec<ScoredRoute>,
    /// Rows scored, kept or not.
    pub scored_rows: usize,
    /// Rows flagged, kept or not.
    pub flagged_rows: usize,
    /// Kept rows not made yet, in order, as (route, score): an analysis whose rows are
    /// explained as they are written makes each row then ([`Analysis::rows_to_write`]), and
    /// keeps [`Analysis::routes`] empty.
    pub(crate) unmade: Vec<(Route, Score)>,
    /// What scoring a route needs beyond the ledger, kept to explain a route scored without
    /// words ([`Analysis::explained`]).
    pub explainer: Option<Arc<Explainer>>,
    /// What assembling the corridors kept and left out, one note per country-level file.
    pub notes: Vec<String>,
    /// Which licence covered each leg of the ledger, and why a leg was not covered.
    pub licences: LicenceIndex,
    /// The rules it was scored with (the legend, the colour ramp and the details panel read
    /// the flag threshold and the rules in words from here).
    pub rules: Rules,
}

impl Analysis {
    /// Reconstructs and scores routes from every shipment dataset, and corridors from every
    /// country-level dataset. `watchlist` entries feed the screening-match indicator.
    /// Licence datasets decide which shipments a licence covers (see [`LicenceIndex`]).
    pub fn run(
        datasets: &[&Dataset],
        watchlist: &[ScreeningEntry],
        rules: &Rules,
        g: &Gazetteer,
    ) -> Analysis {
        Analysis::run_keeping(datasets, watchlist, rules, g, Keep::All, Keep::All)
    }

    /// [`Analysis::run`], keeping only the rows `keep` keeps (the others are counted in
    /// `scored_rows` and `flagged_rows`), and of those explaining in words the rows `explain`
    /// keeps (the others have `score.explained == false`: see [`Analysis::explained`]).
    pub fn run_keeping(
        datasets: &[&Dataset],
        watchlist: &[ScreeningEntry],
        rules: &Rules,
        g: &Gazetteer,
        keep: Keep,
        explain: Keep,
    ) -> Analysis {
        let ledger = Ledger::build(&shipment_sets(datasets), rules);
        Analysis::run_on(ledger, datasets, watchlist, rules, g, keep, explain)
    }

    /// [`Analysis::run_keeping`] on the linked ledger of `datasets`' legs: their shipment rows
    /// may have been let go since (see [`Analysis::run_all_on`]).
    #[allow(clippy::too_many_arguments)]
    fn run_on(
        ledger: Ledger,
        datasets: &[&Dataset],
        watchlist: &[ScreeningEntry],
        rules: &Rules,
        g: &Gazetteer,
        keep: Keep,
        explain: Keep,
    ) -> Analysis {
        let shipment_sets = shipment_sets(datasets);
        let licence_sets: Vec<&Dataset> = datasets
            .iter()
            .copied()
            .filter(|d| d.provenance.format == Format::Licences)
            .collect();
        // Screening reads only the holders and the list: it runs beside the licences, the
        // holder statistics and the tracing, which never read it (each half is parallel
        // inside, and the serial parts of one fill the other's gaps). With many legs it runs
        // first, and its tables (0.3 GB at ten million) are let go before the tracing's.
        let beside = ledger.legs.len() < crate::memory::ONE_AT_A_TIME_FROM;
        let (screening, (licences, stats, routes)) = crate::memory::join_if(
            beside,
            || {
                let stage = Stage::start("screening");
                let screening = ScreeningIndex::build(watchlist, &ledger, rules, g);
                stage.end();
                crate::memory::give_back_freed();
                screening
            },
            || {
                let stage = Stage::start("licences and holder stats");
                let licences = LicenceIndex::build(&licence_sets, &ledger, rules, g);
                let stats = HolderStats::build(&ledger, rules, g);
                let boundary: Vec<bool> = (0..ledger.legs.len() as u32)
                    .map(|l| licences.covered(l))
                    .collect();
                stage.end();
                let stage = Stage::start("routes (tracing)");
                let routes = ledger.traced_routes(&rules.routes, &boundary);
                stage.end();
                (licences, stats, routes)
            },
        );
        // The screening's fuzzy index and the tracing's tables were just let go.
        crate::memory::give_back_freed();
        let explainer = Explainer {
            stats,
            screening,
            thresholds: thresholds(rules),
            shipment_files: shipment_sets
                .iter()
                .map(|d| d.provenance.sha256.clone())
                .collect(),
        };
        let stage = Stage::start("scoring routes");
        let scored_rows = AtomicUsize::new(0);
        let flagged_rows = AtomicUsize::new(0);
        let count = |score: &Score| {
            scored_rows.fetch_add(1, Ordering::Relaxed);
            if score.flagged {
                flagged_rows.fetch_add(1, Ordering::Relaxed);
            }
            keep.keeps(score)
        };
        // A route that cannot score what is kept or flagged (see `score_bound`) is only
        // counted.
        let out_of_reach = |bound: f64| {
            !crate::scoring::flags(bound, rules)
                && match keep {
                    Keep::All => false,
                    Keep::Flagged | Keep::Nothing => true,
                    Keep::AtLeast(min) => bound < min,
                }
        };
        let bounded = !keep.keeps_all();
        // Each route is built as it is scored and dropped: the routes are never all held at
        // once, and the kept ones are built again below. The scores kept are gathered first,
        // with their route's number, and the rows made from them after: a row is four times a
        // score, and gathering rows from rayon's threads held every kept row twice (0.2 GB at
        // ten million shipments). Gathered a block of routes at a time into a table reserved
        // for every route (reserved memory is given only as it is written): rayon's collect
        // held the scores kept twice.
        let score_one = |members: &mut Vec<u32>, i: usize| {
            if bounded
                && out_of_reach(score_bound(
                    &ledger,
                    &explainer.screening,
                    rules,
                    routes.legs_of(i),
                ))
            {
                scored_rows.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            let route = routes.route(i);
            members.clear();
            members.extend_from_slice(&route.legs);
            members.sort_unstable();
            let mut ctx = explainer.context(
                &ledger,
                &route,
                rules,
                g,
                &shipment_sets,
                &licences,
                std::mem::take(members),
                keep.keeps_all() && explain.keeps_all(),
            );
            // Every row kept (the app): the factors' values are kept too, words or not.
            // Otherwise a route whose goods, destination, licences and listed parties
            // already keep it below what is kept is only counted.
            let score = if bounded {
                score_route_within(&ctx, false, |bound| !out_of_reach(bound))
            } else {
                Some(score_route_with(&ctx, true))
            };
            // Scored without words to decide; a row kept and to be explained is scored again
            // with them (the same values).
            let score = match score {
                None => {
                    scored_rows.fetch_add(1, Ordering::Relaxed);
                    None
                }
                Some(score) if !count(&score) => None,
                Some(score) if ctx.explain || !explain.keeps(&score) => Some(score),
                Some(_) => {
                    ctx.explain = true;
                    Some(score_route(&ctx))
                }
            };
            *members = std::mem::take(&mut ctx.members);
            drop(ctx);
            drop(route);
            score.map(|score| (i as u32, score))
        };
        let mut kept: Vec<(u32, Score)> = Vec::with_capacity(routes.len());
        for start in (0..routes.len()).step_by(1 << 16) {
            let end = (start + (1 << 16)).min(routes.len());
            kept.par_extend(
                (start..end)
                    .into_par_iter()
                    // One buffer per worker for each route's sorted legs.
                    .map_init(Vec::new, score_one)
                    .flatten_iter(),
            );
        }
        // The kept routes are built, and the traces let go before the rows are made: rows and
        // traces are the two biggest tables of this stage. The kept routes' traces are kept and
        // the others let go before the kept routes are built (numbered again in order); then
        // a block at a time from the end, the scores' table going as the routes' is made.
        let routes = routes.keeping(kept.iter().map(|(i, _)| *i));
        crate::memory::give_back_freed();
        for (k, (i, _)) in kept.iter_mut().enumerate() {
            *i = k as u32;
        }
        let kept: Vec<(Route, Score)> =
            crate::memory::map_from_the_end(kept, 1 << 16, |(k, score)| {
                (routes.route(k as usize), score)
            });
        drop(routes);
        stage.end();
        let stage = Stage::start("corridors");
        let flow_sets = flow_sets(datasets);
        let corridors = assemble(&flow_sets, &corridor_headings(rules), g);
        let corridor_rows: Vec<ScoredRoute> =
            crate::scoring::corridors::score(&corridors.corridors, rules, g)
                .into_iter()
                .filter(|c| count(&c.score))
                .map(|c| corridor_row(c, g))
                .collect();
        stage.end();
        // Rows explained as they are written (the command line's CSV) are made then too, from
        // their routes and scores: a row is 344 bytes and its vectors, twice a route and its
        // score (0.2 GB more for the flagged rows of ten million shipments). Corridors are rows
        // already: with any, every row is made here.
        let unmade = matches!(explain, Keep::Nothing) && corridor_rows.is_empty();
        let stage = Stage::start("sort");
        let (rows, unmade) = if unmade {
            let mut kept = kept;
            let first_dates: Vec<Date> = kept
                .par_iter()
                .map(|(route, _)| first_date(&ledger, route))
                .collect();
            let mut order: Vec<usize> = (0..kept.len()).collect();
            // As the rows would sort (see below): the same keys, read from the routes.
            let key = |i: usize| {
                let (route, score) = &kept[i];
                let ids = shipment_ids(&ledger, route);
                (score.score, first_dates[i], route.countries.as_slice(), ids)
            };
            order.par_sort_by(|&a, &b| row_order(g, key(a), key(b)));
            put_in_order(&mut kept, order);
            (Vec::new(), kept)
        } else {
            // Each firm's name once, shared by every route through it.
            let names: Vec<Arc<str>> = ledger
                .holders
                .list
                .iter()
                .map(|h| Arc::from(h.display_name()))
                .collect();
            // Made a block at a time from the end, each block of kept routes let go as its rows
            // are made: the two tables were held whole together (0.1 GB at ten million
            // shipments).
            let mut rows: Vec<ScoredRoute> =
                crate::memory::map_from_the_end(kept, 1 << 16, |(route, score)| {
                    shipment_row(
                        &ledger,
                        route,
                        score,
                        &licences,
                        |h| names[h.0 as usize].clone(),
                        g,
                    )
                });
            rows.extend(corridor_rows);
            // Stable, as `sort_by`: the same order whatever the number of threads. The rows'
            // numbers are sorted, not the rows: a parallel merge sort holds a second table of
            // what it sorts, and a row is 344 bytes.
            let mut order: Vec<usize> = (0..rows.len()).collect();
            let key = |i: usize| {
                let r: &ScoredRoute = &rows[i];
                let ids = r.shipment_ids.iter();
                (r.score.score, r.first_date, r.countries.as_slice(), ids)
            };
            order.par_sort_by(|&a, &b| row_order(g, key(a), key(b)));
            put_in_order(&mut rows, order);
            rows.par_iter_mut().enumerate().for_each(|(i, r)| {
                r.id = row_id(i);
            });
            (rows, Vec::new())
        };
        stage.end();
        Analysis {
            ledger,
            routes: rows,
            unmade,
            scored_rows: scored_rows.into_inner(),
            flagged_rows: flagged_rows.into_inner(),
            explainer: Some(Arc::new(explainer)),
            notes: corridors.notes,
            licences,
            rules: rules.clone(),
        }
    }

    /// How many rows this analysis kept: its [`Analysis::routes`], or the rows it makes as they
    /// are written ([`Analysis::rows_to_write`]).
    pub fn kept_rows(&self) -> usize {
        self.routes.len() + self.unmade.len()
    }

    /// Every kept row in order, each explained ([`Analysis::explain`]) as it is asked for; the
    /// rows of an analysis run to explain its rows when written ([`Keep::Nothing`]) are made
    /// then too, from their routes and scores. For exports: they ask a chunk at a time.
    pub fn rows_to_write<'a>(
        &'a self,
        datasets: &'a [&'a Dataset],
        g: &'a Gazetteer,
    ) -> RowsToWrite<'a> {
        RowsToWrite {
            analysis: self,
            datasets,
            g,
        }
    }

    /// Kept row `i` of an analysis that keeps its rows unmade, made (not explained).
    fn make_row(&self, i: usize, g: &Gazetteer) -> ScoredRoute {
        let (route, score) = &self.unmade[i];
        let name = |h: HolderId| Arc::from(self.ledger.holders.get(h).display_name());
        let mut row = shipment_row(
            &self.ledger,
            route.clone(),
            score.clone(),
            &self.licences,
            name,
            g,
        );
        row.id = row_id(i);
        row
    }

    /// [`Analysis::run`] on every loaded dataset as the app and the command line hold them:
    /// screening lists (watchlist, OpenSanctions, entity lists) feed the screening match, the
    /// rest is scored. The order of `datasets` is kept, so leg and flow references index the
    /// shipment and country-level datasets in the order given.
    pub fn run_all(datasets: &[&Dataset], rules: &Rules, g: &Gazetteer) -> Analysis {
        Analysis::run_all_keeping(datasets, rules, g, Keep::All)
    }

    /// The most `route`, one of this analysis' routes, can score ([`score_bound`]): the
    /// command line passes over the routes whose bound is under what it keeps. `None` for an
    /// analysis that kept no [`Explainer`].
    pub fn score_bound(&self, route: &Route) -> Option<f64> {
        let x = self.explainer.as_deref()?;
        Some(score_bound(
            &self.ledger,
            &x.screening,
            &self.rules,
            route.legs.iter().copied(),
        ))
    }

    /// Route `i` with its evidence in words (`None` past the last route): as kept when it was
    /// explained when scored (flagged routes in the app, every route on the command line),
    /// otherwise scored again with words (the same values). `datasets` are the datasets the
    /// analysis was run on, in that order (screening lists among them are passed over); given
    /// others, the route is returned as it is, without words.
    pub fn explained(
        &self,
        i: usize,
        datasets: &[&Dataset],
    ) -> Option<std::borrow::Cow<'_, ScoredRoute>> {
        Some(self.explain(self.routes.get(i)?, datasets))
    }

    /// `r`, one of this analysis' rows, with its evidence in words: as it is when it was
    /// explained when scored, otherwise scored again with words (the same values; see
    /// [`Analysis::explained`], which this is by row rather than by index).
    pub fn explain<'r>(
        &self,
        r: &'r ScoredRoute,
        datasets: &[&Dataset],
    ) -> std::borrow::Cow<'r, ScoredRoute> {
        use std::borrow::Cow;
        let (RouteKind::Shipments(route), false) = (&r.kind, r.score.explained) else {
            return Cow::Borrowed(r);
        };
        // Other files than those scored: no words rather than words from the wrong rows.
        let Some(shipment_sets) = self.scored_shipment_sets(datasets) else {
            return Cow::Borrowed(r);
        };
        let Some(ctx) = self.route_context(route, &shipment_sets, true) else {
            return Cow::Borrowed(r);
        };
        let mut explained = r.clone();
        explained.score = score_route(&ctx);
        explained.licence_notes = licence_notes(&self.ledger, route, &self.licences);
        Cow::Owned(explained)
    }

    /// The shipment datasets among `datasets`, in the order the ledger's legs refer to them,
    /// when they are the files this analysis scored (the same sha256, in order); `None` for
    /// others (the app may have let a file go while a new analysis is under way).
    pub fn scored_shipment_sets<'a>(&self, datasets: &[&'a Dataset]) -> Option<Vec<&'a Dataset>> {
        let sets = shipment_sets(datasets);
        let x = self.explainer.as_deref()?;
        sets.iter()
            .map(|d| &d.provenance.sha256)
            .eq(&x.shipment_files)
            .then_some(sets)
    }

    /// What the indicators read to score `route`, one of this analysis' routes, on its
    /// shipment datasets (`None` for an analysis that kept no [`Explainer`]).
    pub(crate) fn route_context<'a>(
        &'a self,
        route: &'a Route,
        shipment_sets: &'a [&'a Dataset],
        explain: bool,
    ) -> Option<RouteContext<'a>> {
        let mut members = route.legs.clone();
        members.sort_unstable();
        Some(self.explainer.as_deref()?.context(
            &self.ledger,
            route,
            &self.rules,
            Gazetteer::embedded(),
            shipment_sets,
            &self.licences,
            members,
            explain,
        ))
    }

    /// [`Analysis::run_all`], keeping only the rows `keep` keeps.
    pub fn run_all_keeping(
        datasets: &[&Dataset],
        rules: &Rules,
        g: &Gazetteer,
        keep: Keep,
    ) -> Analysis {
        Analysis::run_all_explaining(datasets, rules, g, keep, keep)
    }

    /// [`Analysis::run_all`], keeping only the rows `keep` keeps and explaining in words those
    /// `explain` keeps (see [`Analysis::run_keeping`]).
    pub fn run_all_explaining(
        datasets: &[&Dataset],
        rules: &Rules,
        g: &Gazetteer,
        keep: Keep,
        explain: Keep,
    ) -> Analysis {
        let ledger = Analysis::ledger(datasets, rules);
        Analysis::run_all_on(ledger, datasets, rules, g, keep, explain)
    }

    /// The unlinked legs of the shipment files among `datasets`, in the order an analysis of
    /// them numbers their legs ([`Ledger::unlinked`]): a caller that lets the rows go
    /// ([`Dataset::take_shipments`]) then runs [`Analysis::run_all_on`] on the same datasets.
    pub fn ledger(datasets: &[&Dataset], rules: &Rules) -> Ledger {
        Ledger::unlinked(&shipment_sets(datasets), rules)
    }

    /// [`Analysis::ledger`], taking the rows out of the shipment datasets among `datasets` as
    /// their legs are made ([`Ledger::unlinked_taking_rows`]): then [`Analysis::run_all_on`]
    /// runs on the same datasets, which keep their party tables.
    pub fn ledger_taking_rows(datasets: &mut [Dataset], rules: &Rules) -> Ledger {
        let mut sets: Vec<&mut Dataset> = datasets
            .iter_mut()
            .filter(|d| d.provenance.format == Format::Shipments)
            .collect();
        Ledger::unlinked_taking_rows(&mut sets, rules)
    }

    /// [`Analysis::run_all_explaining`] on the legs [`Analysis::ledger`] built from
    /// `datasets` with the same `rules`, linked here (linking reads the reference products'
    /// prices from `rules`). Words are read from the ledger and the party tables, so the
    /// shipment rows may have been taken out of `datasets` in between.
    pub fn run_all_on(
        ledger: Ledger,
        datasets: &[&Dataset],
        rules: &Rules,
        g: &Gazetteer,
        keep: Keep,
        explain: Keep,
    ) -> Analysis {
        let ledger = ledger.linked(rules);
        let trade: Vec<&Dataset> = datasets
            .iter()
            .copied()
            .filter(|d| !d.provenance.format.is_screening())
            .collect();
        let watchlist = Analysis::watchlist_entries(
            datasets
                .iter()
                .copied()
                .filter(|d| d.provenance.format.is_screening()),
        );
        Analysis::run_on(ledger, &trade, &watchlist, rules, g, keep, explain)
    }

    /// Reads the screening entries of every watchlist dataset.
    pub fn watchlist_entries<'a>(
        datasets: impl IntoIterator<Item = &'a Dataset>,
    ) -> Vec<ScreeningEntry> {
        datasets
            .into_iter()
            .flat_map(|d| d.watchlist().iter().cloned())
            .collect()
    }
}

/// Moves `v[order[k]]` to `v[k]` for every `k`, in place: one swap per element, following each
/// cycle of the permutation (`order` must be one: every index once).
fn put_in_order<T>(v: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..v.len() {
        let mut k = start;
        // What was at `start` moves along the cycle, each position taking its element, until it
        // reaches the position that wants it.
        while order[k] != DONE {
            let from = order[k];
            order[k] = DONE;
            if from == start {
                break;
            }
            v.swap(k, from);
            k = from;
        }
    }
}

/// The country-level rows behind a corridor's [`FlowRef`]s (flow dataset, row), with the dataset
/// each is in: `datasets` as the analysis was run on them (the flow datasets are numbered in
/// their order). Refs that name no row are left out.
pub fn flow_rows<'a>(
    datasets: &[&'a Dataset],
    refs: &[FlowRef],
) -> Vec<(&'a Dataset, &'a crate::model::Flow)> {
    let flow_sets: Vec<&Dataset> = datasets
        .iter()
        .copied()
        .filter(|d| d.provenance.format.is_flows())
        .collect();
    refs.iter()
        .filter_map(|(d, row)| {
            let d = *flow_sets.get(*d as usize)?;
            Some((d, d.flows().get(*row as usize)?))
        })
        .collect()
}

/// One period of a corridor as each side states it.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidencePeriod {
    pub period: crate::model::Period,
    /// As the exporter reports it (FOB, USD).
    pub exporter_usd: Option<f64>,
    /// As the importer reports it (CIF, USD).
    pub importer_usd: Option<f64>,
    /// One reconciled value (BACI).
    pub reconciled_usd: Option<f64>,
    /// The share of the importer-reported value consigned from third countries, when the
    /// importer's file breaks its imports down by country of consignment.
    pub third_country_share: Option<f64>,
}

/// What a corridor's score rests on, for the timeline: every period of the corridor as each
/// side reports it, and the surge window the score used.
#[derive(Clone, Debug, PartialEq)]
pub struct CorridorEvidence {
    pub exporter: CountryId,
    pub importer: CountryId,
    pub heading: HsCode,
    pub periods: Vec<EvidencePeriod>,
    pub surge: Option<crate::scoring::corridors::SurgeWindow>,
}

/// The corridors the country-level datasets among `datasets` make in the rules' headings (or in
/// `headings` when given).
fn corridors_of(
    datasets: &[&Dataset],
    rules: &Rules,
    headings: Option<&[HsCode]>,
    g: &Gazetteer,
) -> Vec<crate::routes::corridors::Corridor> {
    let flow_sets = flow_sets(datasets);
    if flow_sets.is_empty() {
        return Vec::new();
    }
    let all = corridor_headings(rules);
    assemble(&flow_sets, headings.unwrap_or(&all), g).corridors
}

impl Analysis {
    /// The evidence of corridor row `route`, assembled again from `datasets` (as the analysis
    /// was run on them); `None` for a shipment route.
    pub fn corridor_evidence(
        &self,
        route: usize,
        datasets: &[&Dataset],
        g: &Gazetteer,
    ) -> Option<CorridorEvidence> {
        let r = self.routes.get(route)?;
        let RouteKind::Corridor { flows } = &r.kind else {
            return None;
        };
        let [exporter, importer] = r.countries[..] else {
            return None;
        };
        let heading = flow_rows(datasets, flows).first()?.1.hs_code.truncated(4);
        let corridors = corridors_of(datasets, &self.rules, Some(&[heading]), g);
        let c = corridors
            .iter()
            .find(|c| c.exporter == exporter && c.importer == importer && c.heading == heading)?;
        let periods = c
            .periods
            .iter()
            .map(|p| {
                let importer_usd = p.importer_reported.as_ref().map(|s| s.value_usd);
                let third: f64 = p
                    .consigned
                    .iter()
                    .filter(|(k, _)| **k != exporter && **k != importer)
                    .map(|(_, s)| s.value_usd)
                    .sum();
                EvidencePeriod {
                    period: p.period,
                    exporter_usd: p.exporter_reported.as_ref().map(|s| s.value_usd),
                    importer_usd,
                    reconciled_usd: p.reconciled.as_ref().map(|s| s.value_usd),
                    third_country_share: importer_usd
                        .filter(|v| *v > 0.0 && !p.consigned.is_empty())
                        .map(|v| third / v),
                }
            })
            .collect();
        Some(CorridorEvidence {
            exporter,
            importer,
            heading,
            periods,
            surge: crate::scoring::corridors::surge_window(c, &self.rules),
        })
    }

    /// The value of every corridor of `datasets` per period (FOB, USD), for the timeline when
    /// only country-level data is loaded.
    pub fn corridor_totals(
        &self,
        datasets: &[&Dataset],
        g: &Gazetteer,
    ) -> Vec<(crate::model::Period, f64)> {
        let corridors = corridors_of(datasets, &self.rules, None, g);
        crate::scoring::corridors::totals(&corridors, &self.rules)
    }
}

/// The HS headings corridors are assembled in (`corridors.hs_headings`).
pub fn corridor_headings(rules: &Rules) -> Vec<HsCode> {
    rules
        .corridors
        .hs_headings
        .iter()
        .filter_map(|h| HsCode::parse(h))
        .map(|h| h.truncated(4))
        .collect()
}

/// The id of the row at `i` in order: `R000001` first.
fn row_id(i: usize) -> String {
    format!("R{:06}", i + 1)
}

/// The order of the rows: highest score first, then the earliest first date, the path's codes
/// and the shipment ids (each row's, as (score, first date, countries, ids)).
fn row_order<'a, I: Iterator<Item = &'a crate::model::ShipmentId>>(
    g: &Gazetteer,
    a: (f64, Date, &[CountryId], I),
    b: (f64, Date, &[CountryId], I),
) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0)
        .then_with(|| a.1.cmp(&b.1))
        .then_with(|| g.cmp_codes(a.2, b.2))
        .then_with(|| a.3.cmp(b.3))
}

/// A route's earliest shipment date, as its row gives it.
fn first_date(ledger: &Ledger, route: &Route) -> Date {
    // A route has at least one leg; Date(0) never shows.
    route
        .legs
        .iter()
        .map(|l| ledger.legs[*l as usize].date)
        .min()
        .unwrap_or(Date(0))
}

/// A route's shipment ids in leg order, as its row gives them.
fn shipment_ids<'a>(
    ledger: &'a Ledger,
    route: &'a Route,
) -> impl Iterator<Item = &'a crate::model::ShipmentId> + 'a {
    route
        .legs
        .iter()
        .map(|l| &ledger.legs[*l as usize].shipment_id)
}

/// Every kept row of an analysis, each made (where it was kept unmade) and explained as it is
/// asked for ([`Analysis::rows_to_write`]).
pub struct RowsToWrite<'a> {
    analysis: &'a Analysis,
    datasets: &'a [&'a Dataset],
    g: &'a Gazetteer,
}

impl crate::export::RouteSource for RowsToWrite<'_> {
    fn len(&self) -> usize {
        self.analysis.kept_rows()
    }

    fn route(&self, i: usize) -> std::borrow::Cow<'_, ScoredRoute> {
        use std::borrow::Cow;
        let a = self.analysis;
        if a.unmade.is_empty() {
            return a.explain(&a.routes[i], self.datasets);
        }
        let row = a.make_row(i, self.g);
        Cow::Owned(a.explain(&row, self.datasets).into_owned())
    }
}

fn corridor_row(c: ScoredCorridor, g: &Gazetteer) -> ScoredRoute {
    let countries = vec![c.exporter, c.importer];
    let first = c.periods.iter().map(|p| p.first_day()).min();
    let last = c.periods.iter().map(|p| p.last_day()).max();
    ScoredRoute {
        id: String::new(),
        stops: countries
            .iter()
            .filter_map(|p| g.country(*p).point)
            .collect(),
        countries,
        kind: RouteKind::Corridor { flows: c.flows },
        score: c.score,
        parties: Vec::new(),
        shipment_ids: Vec::new(),
        first_date: first.unwrap_or(Date(0)),
        last_date: last.unwrap_or(Date(0)),
        quantity: 0.0,
        value_usd: c.value_usd,
        licence_notes: Vec::new(),
    }
}

/// The licence status of each leg a licence question applies to, in words.
fn licence_notes(ledger: &Ledger, route: &Route, licences: &LicenceIndex) -> Vec<String> {
    route
        .legs
        .iter()
        .filter(|l| licences.of(**l) != LegLicence::NotApplicable)
        .map(|l| {
            format!(
                "{}: {}",
                ledger.legs[*l as usize].shipment_id,
                licences.describe(*l)
            )
        })
        .collect()
}

fn shipment_row(
    ledger: &Ledger,
    route: Route,
    score: Score,
    licences: &LicenceIndex,
    name: impl Fn(HolderId) -> Arc<str>,
    g: &Gazetteer,
) -> ScoredRoute {
    // In words, like the evidence: made when the route is explained.
    let licence_notes = if score.explained {
        licence_notes(ledger, &route, licences)
    } else {
        Vec::new()
    };
    let (quantity, value_usd) = route.final_legs().fold((0.0, 0.0), |(q, v), l| {
        let leg = &ledger.legs[l as usize];
        (q + leg.quantity, v + leg.value_usd)
    });
    ScoredRoute {
        id: String::new(),
        countries: route.countries.clone(),
        parties: route.holders.iter().map(|h| name(*h)).collect(),
        shipment_ids: shipment_ids(ledger, &route).cloned().collect(),
        first_date: first_date(ledger, &route),
        // A route has at least one leg; Date(0) never shows.
        last_date: route
            .legs
            .iter()
            .map(|l| ledger.legs[*l as usize].date)
            .max()
            .unwrap_or(Date(0)),
        quantity,
        value_usd,
        licence_notes,
        stops: route
            .countries
            .iter()
            .filter_map(|c| g.country(*c).point)
            .collect(),
        kind: RouteKind::Shipments(route),
        score,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Putting in order in place gives what taking each element in order gives.
        #[test]
        fn put_in_order_moves_each_element_where_the_order_says(
            order in (0usize..200).prop_flat_map(|n| Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        ) {
            let v: Vec<String> = (0..order.len()).map(|i| format!("r{i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| v[i].clone()).collect();
            let mut got = v;
            super::put_in_order(&mut got, order);
            prop_assert_eq!(got, expected);
        }
    }
}
