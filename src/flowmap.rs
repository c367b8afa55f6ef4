//! Flows between places, as a flow map draws them: every hop of the routes an investigator is
//! looking at, summed by the two places it joins. A place is the hub (port, airport, rail
//! terminal) a route's shipments name in a country, or the country itself where they name none,
//! so that routes through the same hub share one point on the map ("US → Singapore → China").
//!
//! Plain data and pure functions: the GUI draws them (`gui::flows`), the filter reads a route's
//! places ([`crate::filter::PlaceFilter`]), and tests read both without a window.

use geo::Point;
use rustc_hash::FxHashMap;

use crate::analysis::{Analysis, RouteKind};
use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::Dataset;
use crate::triage::Disposition;

/// What a place stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlaceKind {
    /// A country, where its shipments name no hub (or for country-level data).
    Country(CountryId),
    /// A hub of the gazetteer (index into `Gazetteer::hubs`).
    Hub(u32),
}

/// A point flows start from, pass through or end at.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub kind: PlaceKind,
    /// The country it is in.
    pub country: CountryId,
    pub point: Point<f64>,
    /// As the map labels it: the hub's name, or the country's.
    pub name: String,
    /// The country's code (`SG`), or the hub's UN/LOCODE (`SGSIN`): what a place filter saves.
    pub code: String,
}

impl Place {
    fn of(kind: PlaceKind, g: &Gazetteer) -> Option<Place> {
        match kind {
            PlaceKind::Country(c) => {
                let country = g.country(c);
                Some(Place {
                    kind,
                    country: c,
                    point: country.point?,
                    name: country.name.clone(),
                    code: country.code(),
                })
            }
            PlaceKind::Hub(h) => {
                let hub = g.hubs().get(h as usize)?;
                Some(Place {
                    kind,
                    country: hub.country,
                    point: hub.point,
                    name: hub.name.clone(),
                    code: hub.locode.clone(),
                })
            }
        }
    }

    /// True for a hub.
    pub fn is_hub(&self) -> bool {
        matches!(self.kind, PlaceKind::Hub(_))
    }
}

/// The places of every route of an analysis, stop by stop, worked out once per analysis.
#[derive(Clone, Debug, Default)]
pub struct RoutePlaces {
    pub places: Vec<Place>,
    index: FxHashMap<PlaceKind, u32>,
    /// Route `i`'s places are `stops[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    stops: Vec<u32>,
}

impl RoutePlaces {
    /// Each stop of each route: the hub its shipments name in that country (the port of
    /// discharge of the legs arriving there, the port of loading of the legs leaving; the most
    /// named one when they differ), else the country. Stops in countries with no point on the
    /// map (statistical areas) are left out, as [`crate::analysis::ScoredRoute::stops`] leaves
    /// them out. `datasets` are the datasets the analysis was run on; given others, every stop is
    /// its country.
    pub fn build(analysis: &Analysis, datasets: &[&Dataset], g: &Gazetteer) -> RoutePlaces {
        let sets = analysis.scored_shipment_sets(datasets);
        let mut out = RoutePlaces {
            starts: Vec::with_capacity(analysis.routes.len() + 1),
            ..RoutePlaces::default()
        };
        out.starts.push(0);
        // Port texts repeat across a file: each is looked up in the gazetteer once.
        let mut hub_of: FxHashMap<&str, Option<u32>> = FxHashMap::default();
        let mut named: Vec<(u32, u32)> = Vec::new();
        for r in &analysis.routes {
            for (k, &country) in r.countries.iter().enumerate() {
                let mut kind = PlaceKind::Country(country);
                if let (RouteKind::Shipments(route), Some(sets)) = (&r.kind, sets.as_deref()) {
                    named.clear();
                    for (&l, &hop) in route.legs.iter().zip(&route.hops) {
                        let hop = hop as usize;
                        let (dataset, row) = analysis.ledger.source(l);
                        let Some(s) = sets
                            .get(dataset as usize)
                            .and_then(|d| d.shipments().get(row as usize))
                        else {
                            continue;
                        };
                        let port = if hop + 1 == k {
                            s.port_of_discharge.as_deref()
                        } else if hop == k {
                            s.port_of_loading.as_deref()
                        } else {
                            None
                        };
                        let Some(port) = port else { continue };
                        let hub = *hub_of
                            .entry(port)
                            .or_insert_with(|| g.hub_index(port).map(|i| i as u32));
                        if let Some(h) = hub.filter(|h| g.hubs()[*h as usize].country == country) {
                            match named.iter_mut().find(|(x, _)| *x == h) {
                                Some((_, n)) => *n += 1,
                                None => named.push((h, 1)),
                            }
                        }
                    }
                    // The most named hub; the first in the gazetteer among equals.
                    if let Some((h, _)) = named
                        .iter()
                        .copied()
                        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                    {
                        kind = PlaceKind::Hub(h);
                    }
                }
                if let Some(id) = out.intern(kind, g) {
                    out.stops.push(id);
                }
            }
            out.starts.push(out.stops.len() as u32);
        }
        out
    }

    fn intern(&mut self, kind: PlaceKind, g: &Gazetteer) -> Option<u32> {
        if let Some(&id) = self.index.get(&kind) {
            return Some(id);
        }
        let place = Place::of(kind, g)?;
        let id = self.places.len() as u32;
        self.places.push(place);
        self.index.insert(kind, id);
        Some(id)
    }

    /// Route `i`'s places in stop order (empty past the last route).
    pub fn of(&self, i: usize) -> &[u32] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.stops[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The place with this id.
    pub fn place(&self, id: u32) -> &Place {
        &self.places[id as usize]
    }

    /// The place a code names: a hub's UN/LOCODE or a country's code.
    pub fn find(&self, code: &str) -> Option<u32> {
        self.places
            .iter()
            .position(|p| p.code.eq_ignore_ascii_case(code))
            .map(|i| i as u32)
    }
}

/// Every visible route's hops from one place to another.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlaceFlow {
    pub from: u32,
    pub to: u32,
    /// Sum of the routes' delivered values (a route counts once per hop it makes here).
    pub value_usd: f64,
    pub routes: u32,
    /// Routes flagged and not dismissed.
    pub flagged: u32,
    /// Value-weighted mean score of its routes (with many routes nearly every pair holds one
    /// flagged route, so the best says little on its own).
    pub score: f64,
    pub best_score: f64,
    /// The best route on it (the first in the analysis' order, highest score first): a click on
    /// the flow selects it.
    pub best_route: usize,
    pub confirmed: u32,
    pub needs_information: u32,
    pub dismissed: u32,
}

impl PlaceFlow {
    /// What the flow's routes say together: confirmed when any is, needs information when any
    /// does and none is confirmed, dismissed when all are.
    pub fn disposition(&self) -> Disposition {
        if self.confirmed > 0 {
            Disposition::Confirmed
        } else if self.needs_information > 0 {
            Disposition::NeedsInformation
        } else if self.dismissed == self.routes {
            Disposition::Dismissed
        } else {
            Disposition::Open
        }
    }
}

/// What passes a place, for sizing its circle and the hover card.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlaceTotal {
    /// Value of the hops arriving and leaving.
    pub inflow: f64,
    pub outflow: f64,
    /// Routes through it (starting, passing or ending), each once.
    pub routes: u32,
    pub flagged_routes: u32,
    /// Value of those routes, and of the flagged ones among them.
    pub value: f64,
    pub flagged_value: f64,
}

impl PlaceTotal {
    /// Share of the value through the place on flagged routes.
    pub fn flagged_share(&self) -> f64 {
        if self.value > 0.0 {
            self.flagged_value / self.value
        } else if self.routes > 0 {
            f64::from(self.flagged_routes) / f64::from(self.routes)
        } else {
            0.0
        }
    }
}

/// The flows and place totals of a set of routes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowSummary {
    /// Ordered by importance: flows holding a flagged route first, then by value, largest first.
    pub flows: Vec<PlaceFlow>,
    /// Per place id (as in [`RoutePlaces`]).
    pub totals: Vec<PlaceTotal>,
}

impl FlowSummary {
    /// Sums the hops of the `visible` routes (indices into `analysis.routes`) by the places they
    /// join, with each route's disposition (`dispositions[i]`; open beyond the slice). A
    /// dismissed route does not make a flow or a place look flagged.
    pub fn build(
        analysis: &Analysis,
        places: &RoutePlaces,
        visible: &[usize],
        dispositions: &[Disposition],
    ) -> FlowSummary {
        let mut totals = vec![PlaceTotal::default(); places.places.len()];
        // Each flow with the sum of its value weights, for the value-weighted mean score.
        let mut by_pair: FxHashMap<(u32, u32), (PlaceFlow, f64)> = FxHashMap::default();
        let mut seen: Vec<u32> = Vec::new();
        for &i in visible {
            let Some(r) = analysis.routes.get(i) else {
                continue;
            };
            let d = dispositions.get(i).copied().unwrap_or_default();
            let flagged = r.score.flagged && d != Disposition::Dismissed;
            let stops = places.of(i);
            for w in stops.windows(2) {
                let (a, b) = (w[0], w[1]);
                if a == b {
                    continue;
                }
                let (f, weights) = by_pair.entry((a, b)).or_insert_with(|| {
                    let f = PlaceFlow {
                        from: a,
                        to: b,
                        best_route: i,
                        best_score: f64::MIN,
                        ..PlaceFlow::default()
                    };
                    (f, 0.0)
                });
                *weights += r.value_usd.max(1.0);
                f.value_usd += r.value_usd;
                f.score += r.value_usd.max(1.0) * r.score.score;
                f.routes += 1;
                f.flagged += u32::from(flagged);
                if r.score.score > f.best_score {
                    f.best_score = r.score.score;
                    f.best_route = i;
                }
                f.confirmed += u32::from(d == Disposition::Confirmed);
                f.needs_information += u32::from(d == Disposition::NeedsInformation);
                f.dismissed += u32::from(d == Disposition::Dismissed);
                totals[a as usize].outflow += r.value_usd;
                totals[b as usize].inflow += r.value_usd;
            }
            seen.clear();
            for &p in stops {
                if !seen.contains(&p) {
                    seen.push(p);
                    let t = &mut totals[p as usize];
                    t.routes += 1;
                    t.value += r.value_usd;
                    if flagged {
                        t.flagged_routes += 1;
                        t.flagged_value += r.value_usd;
                    }
                }
            }
        }
        let mut flows: Vec<PlaceFlow> = by_pair
            .into_values()
            .map(|(mut f, weights)| {
                f.score = (f.score / weights).min(1.0);
                f
            })
            .collect();
        flows.sort_by(|a, b| {
            (b.flagged > 0)
                .cmp(&(a.flagged > 0))
                .then(b.value_usd.total_cmp(&a.value_usd))
                .then((a.from, a.to).cmp(&(b.from, b.to)))
        });
        FlowSummary { flows, totals }
    }
}

/// Where to cut the world for a view of all of it: the longitude (the view's west edge, and its
/// east edge 360 degrees on) that the fewest flows cross, weighted by value, each flow taken the
/// short way round between its places. Candidates every `step` degrees; among equals the one
/// nearest `prefer`. `None` when there are no flows.
pub fn world_seam(
    summary: &FlowSummary,
    places: &RoutePlaces,
    flows: impl IntoIterator<Item = usize>,
    step: f64,
    prefer: f64,
) -> Option<f64> {
    // Each flow as the span of longitudes it covers, west to east.
    let spans: Vec<(f64, f64, f64)> = flows
        .into_iter()
        .filter_map(|i| summary.flows.get(i))
        .map(|f| {
            let (a, b) = (places.place(f.from).point.x(), places.place(f.to).point.x());
            let b = unwrap_longitudes(&[a, b])[1];
            (a.min(b), a.max(b), f.value_usd.max(1.0))
        })
        .collect();
    if spans.is_empty() {
        return None;
    }
    let crossing = |seam: f64| -> f64 {
        spans
            .iter()
            .filter(|(w, e, _)| {
                // The seam's copy nearest the span's west end.
                let s = seam + 360.0 * ((w - seam) / 360.0).ceil();
                s < *e
            })
            .map(|(_, _, v)| v)
            .sum()
    };
    let distance = |a: f64| ((a - prefer).rem_euclid(360.0)).min((prefer - a).rem_euclid(360.0));
    let n = (360.0 / step.max(0.5)).round() as usize;
    (0..n)
        .map(|k| -180.0 + k as f64 * 360.0 / n as f64)
        .map(|seam| (crossing(seam), distance(seam), seam))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
        .map(|(_, _, seam)| seam)
}

/// Points of a flow-map arc from `a` to `b` (any plane where both axes have the same scale: the
/// map's normalised Mercator), bent to the left of the direction of travel by `bend` times the
/// distance, so that the flows of a pair in both directions stay apart. `segments` + 1 points,
/// from `a` to `b`; the bend's apex is kept within `[lo, hi]` on the second axis, so that an arc
/// never leaves the map at the poles.
pub fn arc(
    a: [f32; 2],
    b: [f32; 2],
    bend: f32,
    segments: usize,
    lo: f32,
    hi: f32,
) -> Vec<[f32; 2]> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    // The control point of a quadratic Bézier: the apex of the curve is halfway to it.
    let mut c = [
        (a[0] + b[0]) / 2.0 + dy * bend * 2.0,
        (a[1] + b[1]) / 2.0 - dx * bend * 2.0,
    ];
    let apex_y = 0.25 * a[1] + 0.5 * c[1] + 0.25 * b[1];
    if apex_y < lo {
        c[1] += 2.0 * (lo - apex_y);
    } else if apex_y > hi {
        c[1] -= 2.0 * (apex_y - hi);
    }
    let n = segments.max(1);
    (0..=n)
        .map(|k| {
            let t = k as f32 / n as f32;
            let u = 1.0 - t;
            [
                u * u * a[0] + 2.0 * u * t * c[0] + t * t * b[0],
                u * u * a[1] + 2.0 * u * t * c[1] + t * t * b[1],
            ]
        })
        .collect()
}

/// `b`'s x moved by whole worlds to be nearest `a`'s (x in worlds, 0..1 one world): a flow takes
/// the short way, so a trans-Pacific flow crosses the Pacific instead of the whole map.
pub fn nearest_copy(a: f32, b: f32) -> f32 {
    b - (b - a).round()
}

/// Longitudes made continuous along a path (each within 180 degrees of the one before), so that
/// the path's bounds are those of the world copy where it is continuous.
pub fn unwrap_longitudes(lons: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(lons.len());
    for &lon in lons {
        let next = match out.last() {
            Some(&prev) => lon - 360.0 * ((lon - prev) / 360.0).round(),
            None => lon,
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trans_pacific_flow_takes_the_short_way() {
        // Taipei (x ~ 0.84) to Los Angeles (x ~ 0.17): across the antimeridian, to x ~ 1.17.
        let b = nearest_copy(0.84, 0.17);
        assert!((b - 1.17).abs() < 1e-6);
        assert_eq!(nearest_copy(0.3, 0.5), 0.5);
        let lons = unwrap_longitudes(&[-118.0, 121.0, 103.8]);
        assert_eq!(lons, vec![-118.0, -239.0, -256.2]);
    }

    #[test]
    fn the_world_is_cut_where_the_fewest_flows_cross() {
        let g = Gazetteer::embedded();
        let mut places = RoutePlaces::default();
        let mut id = |code: &str| {
            let c = g.by_alpha2(code).unwrap();
            places.intern(PlaceKind::Country(c), g).unwrap()
        };
        let (us, cn, sg, de, ae) = (id("US"), id("CN"), id("SG"), id("DE"), id("AE"));
        let flow = |from, to, value_usd| PlaceFlow {
            from,
            to,
            value_usd,
            ..PlaceFlow::default()
        };
        // US to Asia across the Pacific, Asia to Europe and the Gulf, one small US to Europe.
        let summary = FlowSummary {
            flows: vec![
                flow(us, cn, 9e6),
                flow(us, sg, 8e6),
                flow(sg, de, 5e6),
                flow(cn, ae, 4e6),
                flow(us, de, 1e5),
            ],
            totals: Vec::new(),
        };
        let seam = world_seam(&summary, &places, 0..5, 5.0, -30.0).unwrap();
        // In the Atlantic (between the US, at -98, and Germany, at 10), where only the small flow
        // crosses; never in the Pacific.
        assert!((-95.0..10.0).contains(&seam), "{seam}");
        // Without the Atlantic flow, anywhere from the US east to Germany costs nothing: the one
        // nearest the preference wins.
        let seam = world_seam(&summary, &places, 0..4, 5.0, -30.0).unwrap();
        assert_eq!(seam, -30.0);
        assert_eq!(world_seam(&summary, &places, 0..0, 5.0, 0.0), None);
    }

    #[test]
    fn arcs_bend_left_and_stay_on_the_map() {
        let (a, b) = ([0.2, 0.5], [0.6, 0.5]);
        let there = arc(a, b, 0.2, 16, 0.0, 1.0);
        let back = arc(b, a, 0.2, 16, 0.0, 1.0);
        assert_eq!((there[0], there[16]), (a, b));
        // Eastward the arc bulges north (y smaller), westward south: the pair stays apart.
        assert!(there[8][1] < 0.45 && back[8][1] > 0.55);
        // Near the top, the apex is held on the map.
        let high = arc([0.2, 0.05], [0.6, 0.05], 0.3, 16, 0.02, 0.98);
        assert!(high.iter().all(|p| p[1] >= 0.02 - 1e-6));
    }
}
