//! Flows on the map, drawn as a flow map: the visible routes' hops summed between places (hubs
//! where the shipments name them, else countries; see [`crate::flowmap`]), as arcs that bend to
//! one side so that both directions of a pair stay apart, with the flagged and the busiest on
//! top, the rest faded by value, and at most [`MAX_FLOWS`] at once. Places are circles sized by
//! the value through them, labelled where there is room. The world wraps: everything is drawn in
//! each copy of the world the view shows, and a flow takes the short way round.
//!
//! The arcs are built once per analysis, filter or selection change, in map coordinates; a frame
//! only moves them to the screen.

use egui::{Align2, Color32, FontId, Pos2, Rect, Shape, Stroke, pos2, vec2};
use walkers::{MapMemory, Plugin, Projector};

use super::basemap::{ToScreen, mercator};
use super::theme;
use crate::analysis::Analysis;
use crate::flowmap::{FlowSummary, PlaceFlow, RoutePlaces, arc, nearest_copy};
use crate::triage::Disposition;

/// The most flows drawn at once: more is a tangle no eye can follow.
pub const MAX_FLOWS: usize = 300;
/// How far an arc bends, as a share of its length.
const BEND: f32 = 0.12;
/// Segments per arc.
const SEGMENTS: usize = 20;
/// The most place labels drawn.
const MAX_LABELS: usize = 48;

/// One arc on the map.
#[derive(Clone, Debug)]
pub struct DrawnArc {
    /// Index into `summary.flows`.
    pub flow: usize,
    /// Points in normalised Mercator coordinates; x may run past 0..1 (the short way round).
    pub points: Vec<[f32; 2]>,
    /// 0..1: faded by value rank, and further when dismissed.
    pub alpha: f32,
    /// Bounding box of `points` (min x, min y, max x, max y).
    pub bbox: [f32; 4],
}

/// Everything the flows plugin draws, computed once per analysis, filter or selection change.
#[derive(Default)]
pub struct DrawnFlows {
    pub summary: FlowSummary,
    /// The arcs drawn, least important first (drawn first, at the bottom).
    pub arcs: Vec<DrawnArc>,
    /// Flows not drawn (the cap).
    pub hidden: usize,
    /// Places on a drawn flow, largest first (labels are placed in this order).
    pub places: Vec<u32>,
    /// The largest value through a place, for sizing circles.
    pub max_place_value: f64,
    /// Where the places on drawn flows are (normalised Mercator), for the basemap to keep its
    /// country names clear of their labels.
    pub place_points: Vec<[f32; 2]>,
    /// The flag threshold of the rules the analysis was scored with (the colour ramp turns red
    /// there).
    pub threshold: f64,
    /// The selected route, drawn along its own places on top of the rest.
    pub selected: Option<SelectedRoute>,
}

/// The selected route as drawn.
#[derive(Clone, Debug)]
pub struct SelectedRoute {
    pub route: usize,
    pub score: f64,
    pub width: f32,
    /// One arc per hop between its places.
    pub arcs: Vec<Vec<[f32; 2]>>,
}

fn bbox(points: &[[f32; 2]]) -> [f32; 4] {
    let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    for p in points {
        b = [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ];
    }
    b
}

/// Where a place is, in normalised Mercator coordinates.
fn place_point(places: &RoutePlaces, id: u32) -> [f32; 2] {
    let p = places.place(id).point;
    mercator(p.x(), p.y())
}

/// The arc of a hop between two places, the short way round.
fn place_arc(places: &RoutePlaces, from: u32, to: u32) -> Vec<[f32; 2]> {
    let a = place_point(places, from);
    let mut b = place_point(places, to);
    b[0] = nearest_copy(a[0], b[0]);
    arc(a, b, BEND, SEGMENTS, 0.02, 0.98)
}

impl DrawnFlows {
    /// Sums the routes that passed the filter (`visible`) between their places and builds the
    /// arcs of the [`MAX_FLOWS`] most important flows, styled by the routes' dispositions.
    pub fn build(
        analysis: &Analysis,
        places: &RoutePlaces,
        visible: &[usize],
        dispositions: &[Disposition],
    ) -> DrawnFlows {
        let summary = FlowSummary::build(analysis, places, visible, dispositions);
        // The summary's order is flagged first, then by value: the cap keeps the flows an
        // investigator looks for; a confirmed or questioned route's flows are always kept.
        let triaged = |f: &PlaceFlow| f.confirmed + f.needs_information > 0;
        let mut chosen: Vec<usize> = (0..summary.flows.len())
            .filter(|&i| triaged(&summary.flows[i]))
            .take(MAX_FLOWS)
            .collect();
        for i in 0..summary.flows.len() {
            if chosen.len() >= MAX_FLOWS {
                break;
            }
            if !triaged(&summary.flows[i]) {
                chosen.push(i);
            }
        }
        chosen.sort_unstable();
        let hidden = summary.flows.len() - chosen.len();
        // Faded by value rank within the flagged and within the rest: the busiest read first.
        // `chosen` follows the summary's order (flagged first, each by value, largest first), so
        // a flow's rank is the number of its class before it.
        let flagged_count = chosen
            .iter()
            .filter(|&&i| summary.flows[i].flagged > 0)
            .count();
        let counts = [chosen.len() - flagged_count, flagged_count];
        let mut seen = [0usize; 2];
        let mut arcs: Vec<DrawnArc> = chosen
            .iter()
            .map(|&i| {
                let f = &summary.flows[i];
                let class = usize::from(f.flagged > 0);
                let (top, fall) = if class == 1 { (0.95, 0.45) } else { (0.7, 0.5) };
                let rank = seen[class] as f32;
                seen[class] += 1;
                let mut alpha = top - fall * rank / counts[class].max(1) as f32;
                if f.disposition() == Disposition::Dismissed {
                    alpha *= theme::DISMISSED_ALPHA;
                }
                let points = place_arc(places, f.from, f.to);
                DrawnArc {
                    flow: i,
                    bbox: bbox(&points),
                    points,
                    alpha,
                }
            })
            .collect();
        // Draw order: dismissed at the bottom, then the rest by value, flagged above them,
        // questioned and confirmed on top.
        arcs.sort_by(|a, b| {
            let (fa, fb) = (&summary.flows[a.flow], &summary.flows[b.flow]);
            draw_rank(fa)
                .cmp(&draw_rank(fb))
                .then(fa.value_usd.total_cmp(&fb.value_usd))
        });
        let mut on_map: Vec<u32> = arcs
            .iter()
            .flat_map(|a| {
                let f = &summary.flows[a.flow];
                [f.from, f.to]
            })
            .collect();
        on_map.sort_unstable();
        on_map.dedup();
        let value = |p: u32| summary.totals[p as usize].value;
        on_map.sort_by(|a, b| value(*b).total_cmp(&value(*a)).then(a.cmp(b)));
        let max_place_value = on_map.first().map(|p| value(*p)).unwrap_or(0.0);
        let place_points = on_map.iter().map(|p| place_point(places, *p)).collect();
        DrawnFlows {
            summary,
            arcs,
            hidden,
            places: on_map,
            max_place_value,
            place_points,
            threshold: analysis.rules.scoring.flag_threshold,
            selected: None,
        }
    }

    /// Draws the selected route along its own places, on top of the rest; `None` takes it away.
    pub fn select(&mut self, analysis: &Analysis, places: &RoutePlaces, selected: Option<usize>) {
        self.selected = selected.and_then(|i| {
            let r = analysis.routes.get(i)?;
            let arcs = places
                .of(i)
                .windows(2)
                .filter(|w| w[0] != w[1])
                .map(|w| place_arc(places, w[0], w[1]))
                .collect();
            Some(SelectedRoute {
                route: i,
                score: r.score.score,
                width: 0.8 * theme::flow_width(r.value_usd).max(3.0),
                arcs,
            })
        });
    }

    /// The flows drawn, as indices into `summary.flows`.
    pub fn drawn_flows(&self) -> impl Iterator<Item = &PlaceFlow> {
        self.arcs.iter().map(|a| &self.summary.flows[a.flow])
    }

    /// The radius of a place's circle, in pixels.
    pub fn radius(&self, place: u32) -> f32 {
        let v = self
            .summary
            .totals
            .get(place as usize)
            .map_or(0.0, |t| t.value);
        2.5 + 9.0 * (v / self.max_place_value.max(1.0)).sqrt() as f32
    }
}

/// Where a flow goes in the drawing order: dismissed at the bottom, then the rest, flagged above,
/// then flows holding a route that needs information, confirmed on top.
fn draw_rank(f: &PlaceFlow) -> u8 {
    match f.disposition() {
        Disposition::Dismissed => 0,
        Disposition::Open => 1 + u8::from(f.flagged > 0),
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

/// The world copies (whole-world offsets) that a view's normalised x range may show something
/// of: an arc reaches up to half a world past its copy (the short way round).
pub fn world_copies(view: [f32; 4]) -> std::ops::RangeInclusive<i32> {
    (view[0] - 1.5).floor() as i32..=(view[2] + 0.5).floor() as i32
}

/// What is under the pointer on the map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MapItem {
    /// A flow (index into `summary.flows`).
    Flow(usize),
    /// A place (its id in the route places).
    Place(u32),
}

/// The drawn item nearest to a screen point: a place within its circle first, then the top-most
/// arc within `tolerance` pixels.
pub fn pick(
    flows: &DrawnFlows,
    places: &RoutePlaces,
    t: &ToScreen,
    view: [f32; 4],
    p: Pos2,
    tolerance: f32,
) -> Option<MapItem> {
    for k in world_copies(view) {
        let dx = k as f32;
        for &id in &flows.places {
            let m = place_point(places, id);
            let c = t.apply([m[0] + dx, m[1]]);
            if (c - p).length() <= flows.radius(id) + 3.0 {
                return Some(MapItem::Place(id));
            }
        }
    }
    let mut best: Option<(f32, usize)> = None;
    for k in world_copies(view) {
        let dx = k as f32;
        for a in &flows.arcs {
            for w in a.points.windows(2) {
                let d = segment_distance(
                    p,
                    t.apply([w[0][0] + dx, w[0][1]]),
                    t.apply([w[1][0] + dx, w[1][1]]),
                );
                if d <= tolerance && best.is_none_or(|(bd, _)| d <= bd) {
                    best = Some((d, a.flow));
                }
            }
        }
    }
    best.map(|(_, i)| MapItem::Flow(i))
}

/// What the plugin reports back: the item hovered and the item clicked.
#[derive(Default, Debug, Clone, Copy, PartialEq)]
pub struct MapEvents {
    pub hovered: Option<MapItem>,
    pub clicked: Option<MapItem>,
    /// A click on the map that hit nothing.
    pub clicked_empty: bool,
}

pub struct FlowsPlugin<'a> {
    pub flows: &'a DrawnFlows,
    pub places: &'a RoutePlaces,
    pub events: &'a mut MapEvents,
    /// Screen rectangle of the map, reported for PNG export and framing.
    pub map_rect: &'a mut Option<Rect>,
}

/// An arrowhead pointing from `a` to `b`, placed at `b`.
fn arrow(painter: &egui::Painter, a: Pos2, b: Pos2, colour: Color32, size: f32) {
    let dir = (b - a).normalized();
    if !dir.is_finite() {
        return;
    }
    let normal = vec2(-dir.y, dir.x);
    let back = b - dir * size * 2.0;
    painter.add(Shape::convex_polygon(
        vec![b, back + normal * size, back - normal * size],
        colour,
        Stroke::NONE,
    ));
}

/// Draws one arc moved to world copy `dx`, with its halo or outline and an arrowhead past its
/// middle.
#[allow(clippy::too_many_arguments)]
fn draw_arc(
    painter: &egui::Painter,
    t: &ToScreen,
    points: &[[f32; 2]],
    dx: f32,
    width: f32,
    colour: Color32,
    outline: Option<Stroke>,
) {
    if points.len() < 2 {
        return;
    }
    // As many segments as the arc's length on screen needs (one per ~12 px, 4 at least): a
    // flow across a country at world zoom is a few pixels long, and tessellating lines is most
    // of a frame.
    let (a, m, b) = (
        t.apply(points[0]),
        t.apply(points[points.len() / 2]),
        t.apply(points[points.len() - 1]),
    );
    let length = (m - a).length() + (b - m).length();
    let segments = points.len() - 1;
    let wanted = ((length / 12.0).ceil() as usize).clamp(4, segments);
    let stride = (segments / wanted).max(1);
    let screen: Vec<Pos2> = points
        .iter()
        .step_by(stride)
        .chain((!segments.is_multiple_of(stride)).then(|| &points[segments]))
        .map(|p| t.apply([p[0] + dx, p[1]]))
        .collect();
    if let Some(o) = outline {
        painter.add(Shape::line(screen.clone(), o));
    }
    // An arrowhead where there is room for one.
    if length > 16.0 {
        let at = (screen.len() * 3 / 5).max(1);
        arrow(
            painter,
            screen[at - 1],
            screen[at],
            colour,
            2.5 + 0.6 * width,
        );
    }
    painter.add(Shape::line(screen, Stroke::new(width, colour)));
}

impl Plugin for FlowsPlugin<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut egui::Ui,
        response: &egui::Response,
        projector: &Projector,
        _map_memory: &MapMemory,
    ) {
        let rect = projector.clip_rect();
        let painter = ui.painter().with_clip_rect(rect);
        let t = ToScreen::new(projector);
        let view = t.visible(rect);
        let flows = self.flows;
        let places = self.places;
        let selected = flows.selected.as_ref();
        // While a route is selected, the rest steps back.
        let fade = if selected.is_some() { 0.3 } else { 1.0 };
        for k in world_copies(view) {
            let dx = k as f32;
            for a in &flows.arcs {
                if a.bbox[2] + dx < view[0]
                    || a.bbox[0] + dx > view[2]
                    || a.bbox[3] < view[1]
                    || a.bbox[1] > view[3]
                {
                    continue;
                }
                let f = &flows.summary.flows[a.flow];
                let width = 0.7 * theme::flow_width(f.value_usd);
                let colour = theme::score_color(f.score, flows.threshold, a.alpha * fade);
                let outline = match f.disposition() {
                    Disposition::Confirmed => Some(Stroke::new(width + 5.0, theme::CONFIRMED)),
                    Disposition::NeedsInformation => {
                        Some(Stroke::new(width + 4.0, theme::NEEDS_INFO))
                    }
                    Disposition::Dismissed => None,
                    Disposition::Open if f.flagged > 0 && selected.is_none() => {
                        Some(Stroke::new(width + 2.5, theme::HALO))
                    }
                    Disposition::Open => None,
                };
                draw_arc(&painter, &t, &a.points, dx, width, colour, outline);
            }
            if let Some(sel) = selected {
                for points in &sel.arcs {
                    draw_arc(
                        &painter,
                        &t,
                        points,
                        dx,
                        sel.width,
                        theme::score_color(sel.score, flows.threshold, 1.0),
                        Some(Stroke::new(sel.width + 5.0, theme::SELECTED)),
                    );
                }
            }
        }
        draw_places(&painter, &t, rect, view, flows, places);
        let events = self.events;
        if let Some(p) = response.hover_pos() {
            events.hovered = pick(flows, places, &t, view, p, 6.0);
        }
        if response.clicked() {
            match response
                .interact_pointer_pos()
                .and_then(|p| pick(flows, places, &t, view, p, 6.0))
            {
                Some(item) => events.clicked = Some(item),
                None => events.clicked_empty = true,
            }
        }
        *self.map_rect = Some(rect);
        legend(&painter, rect, flows);
    }
}

/// Circles for the places on drawn flows, sized by the value through them and reddened by the
/// flagged share of it; labels where they do not collide, the largest places first.
fn draw_places(
    painter: &egui::Painter,
    t: &ToScreen,
    rect: Rect,
    view: [f32; 4],
    flows: &DrawnFlows,
    places: &RoutePlaces,
) {
    let mut taken: Vec<Rect> = Vec::new();
    // Names drawn, with where: a country and its main hub often share a name and a spot
    // (Singapore, Hong Kong), one label says it.
    let mut named: Vec<(&str, Pos2)> = Vec::new();
    let mut labels = 0;
    let on_path: Vec<u32> = flows
        .selected
        .as_ref()
        .map(|sel| places.of(sel.route).to_vec())
        .unwrap_or_default();
    for k in world_copies(view) {
        let dx = k as f32;
        // Circles, smallest on top so that none hides another.
        for &id in flows.places.iter().chain(&on_path) {
            let m = place_point(places, id);
            let c = t.apply([m[0] + dx, m[1]]);
            let r = flows.radius(id);
            if !rect.expand(r).contains(c) {
                continue;
            }
            let share = flows
                .summary
                .totals
                .get(id as usize)
                .map_or(0.0, |t| t.flagged_share()) as f32;
            let fill = lerp_colour(theme::PLACE_FILL, theme::FLAG, share);
            painter.circle(c, r, fill, theme::PLACE_STROKE);
        }
        for &id in on_path.iter().chain(&flows.places) {
            if labels >= MAX_LABELS {
                break;
            }
            let place = places.place(id);
            let m = place_point(places, id);
            let c = t.apply([m[0] + dx, m[1]]);
            let r = flows.radius(id);
            if !rect.shrink(4.0).contains(c)
                || named
                    .iter()
                    .any(|(n, p)| *n == place.name && (*p - c).length() < 80.0)
            {
                continue;
            }
            let font = FontId::proportional(if place.is_hub() { 11.5 } else { 11.0 });
            let galley = painter.layout_no_wrap(place.name.clone(), font, theme::PLACE_LABEL);
            // To the right of the circle, else to its left.
            let size = galley.size();
            let Some((at, label)) = [
                c + vec2(r + 3.0, -size.y / 2.0),
                c + vec2(-r - 3.0 - size.x, -size.y / 2.0),
            ]
            .into_iter()
            .map(|at| (at, Rect::from_min_size(at, size).expand(1.5)))
            .find(|(_, label)| {
                rect.contains_rect(*label) && !taken.iter().any(|x| x.intersects(*label))
            }) else {
                continue;
            };
            taken.push(label);
            taken.push(Rect::from_center_size(c, vec2(2.0 * r, 2.0 * r)));
            named.push((&place.name, c));
            painter.rect_filled(label, 2.0, theme::LABEL_BG);
            painter.galley(at, galley, theme::PLACE_LABEL);
            labels += 1;
        }
    }
}

fn lerp_colour(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (f32::from(x) + t * (f32::from(y) - f32::from(x))).round() as u8;
    Color32::from_rgba_unmultiplied(
        mix(a.r(), b.r()),
        mix(a.g(), b.g()),
        mix(a.b(), b.b()),
        mix(a.a(), b.a()),
    )
}

/// The height the legend takes at the bottom of the map (with its gap), kept free when a route
/// is framed.
pub const LEGEND_SPACE: f32 = 150.0;

/// The legend: colour by score, width by value, circles by value through a place, in the map's
/// lower-left corner.
pub fn legend(painter: &egui::Painter, rect: Rect, flows: &DrawnFlows) {
    let threshold = flows.threshold;
    let origin = rect.left_bottom() + vec2(12.0, -LEGEND_SPACE);
    let bg = Rect::from_min_size(origin, vec2(250.0, 138.0));
    painter.rect_filled(bg, 4.0, theme::LEGEND_BG);
    let text = |pos: Pos2, s: &str, c: Color32| {
        painter.text(pos, Align2::LEFT_CENTER, s, FontId::proportional(11.0), c)
    };
    text(
        origin + vec2(8.0, 12.0),
        "Flows between places (hubs, else countries)",
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
            [pos2(x, origin.y + 64.0), pos2(x + 30.0, origin.y + 64.0)],
            Stroke::new(0.8 * theme::flow_width(value), theme::MUTED),
        );
        text(pos2(x + 34.0, origin.y + 64.0), label, theme::MUTED);
    }
    let note = if flows.hidden > 0 {
        format!(
            "{} flows drawn, {} smaller not drawn",
            flows.arcs.len(),
            flows.hidden
        )
    } else {
        format!("{} flows; width: value (log scale)", flows.arcs.len())
    };
    text(origin + vec2(8.0, 84.0), &note, theme::MUTED);
    let y = origin.y + 104.0;
    painter.circle(
        pos2(origin.x + 14.0, y),
        5.0,
        theme::PLACE_FILL,
        theme::PLACE_STROKE,
    );
    painter.circle(
        pos2(origin.x + 30.0, y),
        5.0,
        theme::FLAG,
        theme::PLACE_STROKE,
    );
    text(
        pos2(origin.x + 42.0, y),
        "place: size by value, red by flagged share",
        theme::MUTED,
    );
    // Triage: a sample line of each style.
    let mut x = origin.x + 8.0;
    for (label, outline, alpha) in [
        ("confirmed", Some((theme::CONFIRMED, 5.0)), 1.0),
        ("needs info", Some((theme::NEEDS_INFO, 4.0)), 1.0),
        ("dismissed", None, theme::DISMISSED_ALPHA),
    ] {
        let y = origin.y + 124.0;
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
    use crate::gazetteer::Gazetteer;
    use crate::model::Date;
    use crate::rules::Rules;

    /// `n` flagged routes between distinct pairs of countries, worth more the later they come.
    fn routes(n: usize) -> Analysis {
        let g = Gazetteer::embedded();
        let countries: Vec<_> = g
            .countries()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.point.is_some() && !c.alpha2.is_empty())
            .map(|(i, _)| crate::gazetteer::CountryId(i as u16))
            .collect();
        let pair = |i: usize| (countries[i / 20], countries[20 + i % 20]);
        let rules = Rules::default();
        let mut score = crate::scoring::combine(Vec::new(), 0.0, &rules);
        score.score = 0.9;
        score.flagged = true;
        let routes = (0..n)
            .map(|i| {
                let (a, b) = pair(i);
                let countries = vec![a, b];
                ScoredRoute {
                    id: format!("R{i}"),
                    kind: RouteKind::Corridor { flows: Vec::new() },
                    score: score.clone(),
                    stops: countries
                        .iter()
                        .filter_map(|c| g.country(*c).point)
                        .collect(),
                    countries,
                    parties: Vec::new(),
                    shipment_ids: Vec::new(),
                    first_date: Date(0),
                    last_date: Date(0),
                    quantity: 1.0,
                    value_usd: 1_000.0 * (i + 1) as f64,
                    licence_notes: Vec::new(),
                }
            })
            .collect();
        Analysis {
            routes,
            rules,
            ..Analysis::default()
        }
    }

    #[test]
    fn the_cap_keeps_triaged_flows_and_the_largest() {
        let a = routes(400);
        let places = RoutePlaces::build(&a, &[], Gazetteer::embedded());
        let visible: Vec<usize> = (0..a.routes.len()).collect();
        let pairs = FlowSummary::build(&a, &places, &visible, &[]).flows.len();
        assert!(pairs > MAX_FLOWS, "{pairs} pairs");
        // The smallest route's flow is confirmed: it is drawn although it is the smallest.
        let mut dispositions = vec![Disposition::Open; a.routes.len()];
        dispositions[0] = Disposition::Confirmed;
        let drawn = DrawnFlows::build(&a, &places, &visible, &dispositions);
        assert_eq!(drawn.arcs.len(), MAX_FLOWS);
        assert_eq!(drawn.hidden, pairs - MAX_FLOWS);
        let confirmed = drawn
            .drawn_flows()
            .filter(|f| f.disposition() == Disposition::Confirmed)
            .count();
        assert_eq!(confirmed, 1);
        // Confirmed on top, and the largest flows are among those drawn.
        assert_eq!(
            drawn.summary.flows[drawn.arcs.last().unwrap().flow].disposition(),
            Disposition::Confirmed
        );
        let largest = drawn
            .summary
            .flows
            .iter()
            .map(|f| f.value_usd)
            .fold(0.0, f64::max);
        assert!(drawn.drawn_flows().any(|f| f.value_usd == largest));
        // Every arc starts and ends at its places, the short way round.
        for a in &drawn.arcs {
            let f = &drawn.summary.flows[a.flow];
            let p = places.place(f.from).point;
            assert_eq!(a.points[0], mercator(p.x(), p.y()));
            let (x0, x1) = (a.points[0][0], a.points.last().unwrap()[0]);
            assert!((x1 - x0).abs() <= 0.5 + 1e-6);
        }
    }

    #[test]
    fn world_copies_cover_the_view() {
        assert_eq!(world_copies([0.1, 0.0, 0.4, 1.0]), -2..=0);
        assert_eq!(world_copies([0.6, 0.0, 1.4, 1.0]), -1..=1);
        assert_eq!(world_copies([-0.3, 0.0, 0.5, 1.0]), -2..=1);
    }
}
