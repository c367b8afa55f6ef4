//! Flows and routes on the map: great-circle arcs built once per analysis or filter change,
//! coloured by score, width by value on a log scale, arrows for direction, flagged routes above
//! the rest with a halo. Zoomed out, routes are aggregated by country pair; the number drawn is
//! capped (flagged routes first, best first), with small ones faded.

use egui::{Align2, Color32, FontId, Pos2, Rect, Shape, Stroke, pos2, vec2};
use walkers::{MapMemory, Plugin, Projector};

use super::basemap::{ToScreen, mercator};
use super::theme;
use crate::analysis::Analysis;
use crate::gazetteer::{CountryId, Gazetteer};
use crate::geometry::route_lines;
use crate::triage::Disposition;

/// Below this zoom, flows are aggregated by country pair.
pub const AGGREGATE_BELOW_ZOOM: f64 = 3.0;
/// The most routes drawn one by one.
pub const MAX_DRAWN: usize = 2500;

/// One line on the map: a route, or an aggregated country pair.
#[derive(Clone, Debug)]
pub struct DrawnFlow {
    /// The route (index into `analysis.routes`), or `None` for an aggregate.
    pub route: Option<usize>,
    pub label: String,
    /// Parts in normalised Mercator coordinates.
    pub parts: Vec<Vec<[f32; 2]>>,
    pub score: f64,
    pub flagged: bool,
    pub value_usd: f64,
    /// 0..1: faded when small or dismissed.
    pub alpha: f32,
    /// The route's disposition; for an aggregate, confirmed when any of its routes is, dismissed
    /// when all are, needs information when any does and none is confirmed.
    pub disposition: Disposition,
    /// Bounding box of `parts` (min x, min y, max x, max y), to skip lines outside the view.
    pub bbox: [f32; 4],
}

fn bbox(parts: &[Vec<[f32; 2]>]) -> [f32; 4] {
    let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    for p in parts.iter().flatten() {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    b
}

/// Routes between one pair of countries, summed for the zoomed-out view.
struct PairTotal {
    value: f64,
    /// Sum of value x score, for the value-weighted mean.
    weighted_score: f64,
    best: f64,
    flagged: usize,
    count: usize,
    confirmed: usize,
    dismissed: usize,
    needs_information: usize,
    stops: [geo::Point<f64>; 2],
}

/// Everything the flows plugin draws, computed once per analysis, filter or selection change.
#[derive(Default)]
pub struct DrawnFlows {
    pub routes: Vec<DrawnFlow>,
    pub aggregates: Vec<DrawnFlow>,
    /// Routes that passed the filter but were not drawn (the cap).
    pub hidden: usize,
    /// The flag threshold of the rules the analysis was scored with (the colour ramp turns red
    /// there).
    pub threshold: f64,
    /// A selected route drawn beyond the cap ([`DrawnFlows::include_selected`]).
    extra: Option<usize>,
}

/// The line of one route, faded by `alpha` (and further when dismissed).
fn route_flow(analysis: &Analysis, i: usize, alpha: f32, d: Disposition) -> DrawnFlow {
    let g = Gazetteer::embedded();
    let r = &analysis.routes[i];
    DrawnFlow {
        route: Some(i),
        label: format!(
            "{} {}  score {:.2}",
            r.id,
            r.path_joined(g, " → "),
            r.score.score
        ),
        parts: to_mercator(route_lines(&r.stops, 150.0)),
        score: r.score.score,
        flagged: r.score.flagged,
        value_usd: r.value_usd,
        alpha: if d == Disposition::Dismissed {
            alpha * theme::DISMISSED_ALPHA
        } else {
            alpha
        },
        disposition: d,
        bbox: [0.0; 4],
    }
}

fn to_mercator(parts: Vec<Vec<geo::Point<f64>>>) -> Vec<Vec<[f32; 2]>> {
    parts
        .into_iter()
        .map(|p| p.into_iter().map(|q| mercator(q.x(), q.y())).collect())
        .collect()
}

impl DrawnFlows {
    /// Builds the lines for the routes that passed the filter (`visible`, highest score first),
    /// styled by their dispositions (`dispositions[i]` for route `i`; open beyond the slice).
    pub fn build(
        analysis: &Analysis,
        visible: &[usize],
        dispositions: &[Disposition],
    ) -> DrawnFlows {
        let g = Gazetteer::embedded();
        let disposition = |i: usize| dispositions.get(i).copied().unwrap_or_default();
        // Up to the cap, confirmed routes first, then those that need information, flagged ones,
        // and the rest, each best first: a million shipments hold tens of thousands of flagged
        // routes, more than a frame can draw or an eye can read (the legend says how many are not
        // drawn; a selected route is always drawn, see `include_selected`).
        let class = |i: usize| match disposition(i) {
            Disposition::Confirmed => 0,
            Disposition::NeedsInformation => 1,
            _ if analysis.routes[i].score.flagged => 2,
            _ => 3,
        };
        let mut chosen: Vec<usize> = Vec::with_capacity(MAX_DRAWN.min(visible.len()));
        for c in 0..4 {
            let room = MAX_DRAWN.saturating_sub(chosen.len());
            chosen.extend(
                visible
                    .iter()
                    .copied()
                    .filter(|i| class(*i) == c)
                    .take(room),
            );
        }
        let hidden = visible.len().saturating_sub(chosen.len());
        let n = chosen.len().max(1) as f32;
        let mut routes: Vec<DrawnFlow> = chosen
            .iter()
            .enumerate()
            .map(|(rank, &i)| {
                let alpha = if analysis.routes[i].score.flagged {
                    1.0
                } else {
                    0.85 - 0.6 * rank as f32 / n
                };
                route_flow(analysis, i, alpha, disposition(i))
            })
            .collect();
        // Draw order: dismissed first (at the bottom), then low scores, flagged, and confirmed
        // routes last (on top).
        routes.sort_by(|a, b| {
            draw_rank(a)
                .cmp(&draw_rank(b))
                .then(a.score.total_cmp(&b.score))
        });
        let mut pairs: std::collections::BTreeMap<(CountryId, CountryId), PairTotal> =
            Default::default();
        for &i in visible {
            let r = &analysis.routes[i];
            for (w, s) in r.countries.windows(2).zip(r.stops.windows(2)) {
                let e = pairs.entry((w[0], w[1])).or_insert(PairTotal {
                    value: 0.0,
                    weighted_score: 0.0,
                    best: 0.0,
                    flagged: 0,
                    count: 0,
                    confirmed: 0,
                    dismissed: 0,
                    needs_information: 0,
                    stops: [s[0], s[1]],
                });
                let d = disposition(i);
                e.value += r.value_usd;
                e.weighted_score += r.value_usd.max(1.0) * r.score.score;
                e.best = e.best.max(r.score.score);
                // A dismissed route is not diversion: it does not make its pair look flagged.
                e.flagged += usize::from(r.score.flagged && d != Disposition::Dismissed);
                e.count += 1;
                e.confirmed += usize::from(d == Disposition::Confirmed);
                e.dismissed += usize::from(d == Disposition::Dismissed);
                e.needs_information += usize::from(d == Disposition::NeedsInformation);
            }
        }
        // An aggregate is coloured by the value-weighted mean score of its routes (with a million
        // shipments nearly every pair holds some flagged route, so the maximum says little), and
        // haloed when any of its routes is flagged. Pairs in the order of their codes, so that ties
        // are drawn in the same order whatever the gazetteer's.
        let mut pairs: Vec<_> = pairs.into_iter().collect();
        pairs.sort_by(|(a, _), (b, _)| g.cmp_codes(&[a.0, a.1], &[b.0, b.1]));
        let mut aggregates: Vec<DrawnFlow> = pairs
            .into_iter()
            .map(|((a, b), p)| {
                let mean = (p.weighted_score / p.value.max(1.0)).min(1.0);
                let (a, b) = (g.country(a).code(), g.country(b).code());
                let disposition = if p.confirmed > 0 {
                    Disposition::Confirmed
                } else if p.needs_information > 0 {
                    Disposition::NeedsInformation
                } else if p.dismissed == p.count {
                    Disposition::Dismissed
                } else {
                    Disposition::Open
                };
                let mut triaged = String::new();
                for (n, what) in [
                    (p.confirmed, "confirmed"),
                    (p.needs_information, "need information"),
                    (p.dismissed, "dismissed"),
                ] {
                    if n > 0 {
                        triaged.push_str(&format!(", {n} {what}"));
                    }
                }
                DrawnFlow {
                    route: None,
                    label: format!(
                        "{a} → {b}: {} route(s), {} flagged{triaged}; value-weighted score {mean:.2}, best {:.2}",
                        p.count, p.flagged, p.best
                    ),
                    parts: to_mercator(route_lines(&p.stops, 200.0)),
                    score: mean,
                    flagged: p.flagged > 0,
                    value_usd: p.value,
                    alpha: match disposition {
                        Disposition::Dismissed => 0.35 * theme::DISMISSED_ALPHA,
                        _ if p.flagged > 0 => 0.9,
                        _ => 0.35,
                    },
                    disposition,
                    bbox: [0.0; 4],
                }
            })
            .collect();
        aggregates.sort_by(|a, b| {
            draw_rank(a)
                .cmp(&draw_rank(b))
                .then(a.score.total_cmp(&b.score))
        });
        for f in routes.iter_mut().chain(aggregates.iter_mut()) {
            f.bbox = bbox(&f.parts);
        }
        DrawnFlows {
            routes,
            aggregates,
            hidden,
            threshold: analysis.rules.scoring.flag_threshold,
            extra: None,
        }
    }

    /// Makes sure the selected route is drawn, beyond the cap if need be (on top of the rest);
    /// a route added for an earlier selection is taken away.
    pub fn include_selected(
        &mut self,
        analysis: &Analysis,
        selected: Option<usize>,
        dispositions: &[Disposition],
    ) {
        if let Some(old) = self.extra.take() {
            self.routes.retain(|f| f.route != Some(old));
        }
        let Some(i) = selected.filter(|i| *i < analysis.routes.len()) else {
            return;
        };
        if self.routes.iter().any(|f| f.route == Some(i)) {
            return;
        }
        let d = dispositions.get(i).copied().unwrap_or_default();
        let mut flow = route_flow(analysis, i, 1.0, d);
        flow.bbox = bbox(&flow.parts);
        self.routes.push(flow);
        self.extra = Some(i);
    }

    /// The lines to draw at a zoom level.
    pub fn at_zoom(&self, zoom: f64) -> &[DrawnFlow] {
        if zoom < AGGREGATE_BELOW_ZOOM {
            &self.aggregates
        } else {
            &self.routes
        }
    }
}

/// Where a line goes in the drawing order: dismissed at the bottom, then the rest, flagged above,
/// then routes that need information, confirmed on top.
fn draw_rank(f: &DrawnFlow) -> u8 {
    match f.disposition {
        Disposition::Dismissed => 0,
        Disposition::Open => 1 + u8::from(f.flagged),
        Disposition::NeedsInformation => 3,
        Disposition::Confirmed => 4,
    }
}

/// Distance from `p` to the segment `a`-`b`.
fn segment_distance(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = if ab.length_sq() > 0.0 {
        ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a + ab * t - p).length()
}

/// The drawn line nearest to a screen point, within `tolerance` pixels (top-most wins ties).
pub fn pick(flows: &[DrawnFlow], t: &ToScreen, p: Pos2, tolerance: f32) -> Option<usize> {
    let mut best: Option<(f32, usize)> = None;
    for (i, f) in flows.iter().enumerate() {
        for part in &f.parts {
            for w in part.windows(2) {
                let d = segment_distance(p, t.apply(w[0]), t.apply(w[1]));
                if d <= tolerance && best.is_none_or(|(bd, _)| d <= bd) {
                    best = Some((d, i));
                }
            }
        }
    }
    best.map(|(_, i)| i)
}

/// What the plugin reports back: the line hovered and the line clicked (indices into the drawn list).
#[derive(Default, Debug, Clone, Copy, PartialEq)]
pub struct MapEvents {
    pub hovered: Option<usize>,
    pub clicked: Option<usize>,
    /// A click on the map that hit no line.
    pub clicked_empty: bool,
}

pub struct FlowsPlugin<'a> {
    pub flows: &'a DrawnFlows,
    pub selected: Option<usize>,
    pub events: &'a mut MapEvents,
    /// Screen rectangle of the map, reported for PNG export.
    pub map_rect: &'a mut Option<Rect>,
}

fn arrow(painter: &egui::Painter, a: Pos2, b: Pos2, colour: Color32, size: f32) {
    let dir = (b - a).normalized();
    if !dir.is_finite() {
        return;
    }
    let normal = vec2(-dir.y, dir.x);
    let tip = a + (b - a) * 0.5 + dir * size;
    let back = tip - dir * size * 2.0;
    painter.add(Shape::convex_polygon(
        vec![tip, back + normal * size, back - normal * size],
        colour,
        Stroke::NONE,
    ));
}

impl Plugin for FlowsPlugin<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut egui::Ui,
        response: &egui::Response,
        projector: &Projector,
        map_memory: &MapMemory,
    ) {
        let painter = ui.painter().with_clip_rect(projector.clip_rect());
        let t = ToScreen::new(projector);
        let lines = self.flows.at_zoom(map_memory.zoom());
        let selected_line = self
            .selected
            .and_then(|s| lines.iter().position(|f| f.route == Some(s)));
        let view = t.visible(projector.clip_rect());
        for (i, f) in lines.iter().enumerate() {
            if f.bbox[2] < view[0]
                || f.bbox[0] > view[2]
                || f.bbox[3] < view[1]
                || f.bbox[1] > view[3]
            {
                continue;
            }
            // Aggregates sum many routes: thinner, so that the corridors stay readable.
            let width = if f.route.is_some() {
                theme::flow_width(f.value_usd)
            } else {
                0.6 * theme::flow_width(f.value_usd)
            };
            let colour = theme::score_color(f.score, self.flows.threshold, f.alpha);
            for part in &f.parts {
                let points: Vec<Pos2> = part.iter().map(|p| t.apply(*p)).collect();
                if points.len() < 2 {
                    continue;
                }
                match f.disposition {
                    // Confirmed routes stand out with an outline of their own, routes that need
                    // information with a thinner one; dismissed ones get no halo.
                    Disposition::Confirmed => {
                        painter.add(Shape::line(
                            points.clone(),
                            Stroke::new(width + 6.0, theme::CONFIRMED),
                        ));
                        painter.add(Shape::line(
                            points.clone(),
                            Stroke::new(width + 2.0, theme::HALO),
                        ));
                    }
                    Disposition::NeedsInformation => {
                        painter.add(Shape::line(
                            points.clone(),
                            Stroke::new(width + 4.0, theme::NEEDS_INFO),
                        ));
                    }
                    Disposition::Dismissed if Some(i) != selected_line => {}
                    _ if f.flagged || Some(i) == selected_line => {
                        painter.add(Shape::line(
                            points.clone(),
                            Stroke::new(width + 3.0, theme::HALO),
                        ));
                    }
                    _ => {}
                }
                if Some(i) == selected_line {
                    painter.add(Shape::line(
                        points.clone(),
                        Stroke::new(width + 5.0, theme::SELECTED),
                    ));
                }
                painter.add(Shape::line(points.clone(), Stroke::new(width, colour)));
            }
            // One arrow per leg, at the middle of each part.
            for part in &f.parts {
                if part.len() >= 2 {
                    let mid = part.len() / 2;
                    arrow(
                        &painter,
                        t.apply(part[mid.saturating_sub(1)]),
                        t.apply(part[mid]),
                        colour,
                        2.5 + 0.6 * width,
                    );
                }
            }
        }
        // The selected route stands out even where routes are aggregated.
        if selected_line.is_none()
            && let Some(f) = self
                .selected
                .and_then(|s| self.flows.routes.iter().find(|f| f.route == Some(s)))
        {
            let width = theme::flow_width(f.value_usd);
            for part in &f.parts {
                let points: Vec<Pos2> = part.iter().map(|p| t.apply(*p)).collect();
                painter.add(Shape::line(
                    points.clone(),
                    Stroke::new(width + 5.0, theme::SELECTED),
                ));
                painter.add(Shape::line(
                    points,
                    Stroke::new(
                        width,
                        theme::score_color(f.score, self.flows.threshold, 1.0),
                    ),
                ));
            }
        }
        let events = self.events;
        if let Some(p) = response.hover_pos() {
            events.hovered = pick(lines, &t, p, 6.0);
        }
        if response.clicked() {
            match response
                .interact_pointer_pos()
                .and_then(|p| pick(lines, &t, p, 6.0))
            {
                Some(i) => events.clicked = Some(i),
                None => events.clicked_empty = true,
            }
        }
        *self.map_rect = Some(projector.clip_rect());
        legend(
            &painter,
            projector.clip_rect(),
            map_memory.zoom() < AGGREGATE_BELOW_ZOOM,
            self.flows.hidden,
            self.flows.threshold,
        );
    }
}

/// The legend: colour by score and width by value, in the map's lower-left corner.
pub fn legend(
    painter: &egui::Painter,
    rect: Rect,
    aggregated: bool,
    hidden: usize,
    threshold: f64,
) {
    let origin = rect.left_bottom() + vec2(12.0, -134.0);
    let bg = Rect::from_min_size(origin, vec2(236.0, 122.0));
    painter.rect_filled(bg, 4.0, theme::LEGEND_BG);
    let text = |pos: Pos2, s: &str, c: Color32| {
        painter.text(pos, Align2::LEFT_CENTER, s, FontId::proportional(11.0), c)
    };
    text(
        origin + vec2(8.0, 12.0),
        if aggregated {
            "Flows by country pair (zoom in for routes)"
        } else {
            "Routes (flagged ones haloed)"
        },
        theme::TEXT,
    );
    for k in 0..=40 {
        let s = k as f64 / 40.0;
        let x = origin.x + 8.0 + k as f32 * 5.0;
        painter.line_segment(
            [pos2(x, origin.y + 28.0), pos2(x, origin.y + 38.0)],
            Stroke::new(5.5, theme::score_color(s, threshold, 1.0)),
        );
    }
    text(origin + vec2(8.0, 46.0), "score 0", theme::MUTED);
    text(
        origin + vec2(8.0 + 200.0 * threshold.clamp(0.0, 1.0) as f32 - 8.0, 46.0),
        &format!("{threshold} flag"),
        theme::MUTED,
    );
    text(origin + vec2(190.0, 46.0), "1", theme::MUTED);
    for (k, (value, label)) in [(1e4, "$10k"), (1e6, "$1M"), (1e8, "$100M")]
        .into_iter()
        .enumerate()
    {
        let x = origin.x + 8.0 + k as f32 * 74.0;
        painter.line_segment(
            [pos2(x, origin.y + 66.0), pos2(x + 30.0, origin.y + 66.0)],
            Stroke::new(theme::flow_width(value), theme::MUTED),
        );
        text(pos2(x + 34.0, origin.y + 66.0), label, theme::MUTED);
    }
    let note = if hidden > 0 {
        format!("width: value (log scale); {hidden} more not drawn")
    } else {
        "width: value (log scale)".to_string()
    };
    text(origin + vec2(8.0, 90.0), &note, theme::MUTED);
    // Triage: a sample line of each style.
    let mut x = origin.x + 8.0;
    for (label, outline, alpha) in [
        ("confirmed", Some((theme::CONFIRMED, 6.0)), 1.0),
        ("needs info", Some((theme::NEEDS_INFO, 4.0)), 1.0),
        ("dismissed", None, theme::DISMISSED_ALPHA),
    ] {
        let y = origin.y + 108.0;
        let line = [pos2(x, y), pos2(x + 18.0, y)];
        if let Some((colour, extra)) = outline {
            painter.line_segment(line, Stroke::new(2.0 + extra, colour));
        }
        painter.line_segment(
            line,
            Stroke::new(2.0, theme::score_color(threshold, threshold, alpha)),
        );
        text(pos2(x + 22.0, y), label, theme::MUTED);
        x += 76.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{RouteKind, ScoredRoute};
    use crate::model::Date;
    use crate::rules::Rules;

    /// `n` flagged routes from the US to China, best first.
    fn flagged_routes(n: usize) -> Analysis {
        let g = Gazetteer::embedded();
        let countries = vec![g.by_alpha2("US").unwrap(), g.by_alpha2("CN").unwrap()];
        let stops = countries
            .iter()
            .filter_map(|c| g.country(*c).point)
            .collect();
        let rules = Rules::default();
        let mut score = crate::scoring::combine(Vec::new(), 0.0, &rules);
        score.score = 0.9;
        score.flagged = true;
        let route = ScoredRoute {
            id: String::new(),
            kind: RouteKind::Corridor { flows: Vec::new() },
            score,
            countries,
            parties: Vec::new(),
            shipment_ids: Vec::new(),
            first_date: Date(0),
            last_date: Date(0),
            quantity: 1.0,
            value_usd: 1_000_000.0,
            stops,
            licence_notes: Vec::new(),
        };
        Analysis {
            routes: vec![route; n],
            rules,
            ..Analysis::default()
        }
    }

    #[test]
    fn the_cap_keeps_triaged_routes_and_the_selection_is_always_drawn() {
        let n = MAX_DRAWN + 500;
        let a = flagged_routes(n);
        let visible: Vec<usize> = (0..n).collect();
        let mut dispositions = vec![Disposition::Open; n];
        dispositions[n - 1] = Disposition::Confirmed;
        let mut drawn = DrawnFlows::build(&a, &visible, &dispositions);
        let has = |d: &DrawnFlows, i: usize| d.routes.iter().filter(|f| f.route == Some(i)).count();
        assert_eq!((drawn.routes.len(), drawn.hidden), (MAX_DRAWN, 500));
        assert_eq!(
            has(&drawn, n - 1),
            1,
            "a confirmed route is drawn beyond the rank cap"
        );
        assert_eq!(has(&drawn, n - 2), 0, "a flagged route past the cap is not");
        // Selecting it draws it; selecting another takes it away again.
        drawn.include_selected(&a, Some(n - 2), &dispositions);
        assert_eq!(has(&drawn, n - 2), 1);
        drawn.include_selected(&a, Some(0), &dispositions);
        assert_eq!((has(&drawn, n - 2), has(&drawn, 0)), (0, 1));
        assert_eq!(drawn.routes.len(), MAX_DRAWN);
    }
}
