//! A small vector map of one route for the evidence report: the embedded country outlines
//! ([`crate::basemap`]) and the route's great-circle path, in Web Mercator cropped to the route,
//! written as inline SVG (no scripts, no network, prints sharp at any size).
//!
//! A route that crosses the antimeridian is drawn in one piece: its longitudes are unwrapped
//! (Taiwan to the US runs from 121 to 261 degrees east) and the outlines are repeated 360
//! degrees to either side where the view needs them.

use std::fmt::Write as _;

use geo::Point;

use crate::basemap::{self, Outline};
use crate::gazetteer::{CountryId, Gazetteer};
use crate::geometry::great_circle;

/// Colours of the report maps (the app's are in `gui::theme`).
const OCEAN: &str = "#aac8de";
const LAND: &str = "#f4f1e8";
const LAND_CONCERN: &str = "#f6e2de";
const BORDER: &str = "#a0a096";
const ROUTE: &str = "#c81e1e";
const STOP: &str = "#1e3c78";
/// Beyond this span in degrees of longitude the 1:110m outlines are enough.
const DETAIL_SPAN: f64 = 50.0;
const MAX_LAT: f64 = 85.0;

/// What to draw.
pub struct RouteMap<'a> {
    /// Makes the SVG's element ids unique in the page (the route id).
    pub id: &'a str,
    /// The stops in order, with their countries (for labels).
    pub stops: &'a [Point<f64>],
    pub countries: &'a [CountryId],
    /// Size in CSS pixels.
    pub width: f64,
    pub height: f64,
}

/// Mercator y in degrees-like units (so that x and y share one scale).
fn merc_y(lat: f64) -> f64 {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    (std::f64::consts::FRAC_PI_4 + lat / 2.0)
        .tan()
        .ln()
        .to_degrees()
}

/// The view: projected rectangle and scale to pixels.
struct Frame {
    x0: f64,
    y1: f64,
    scale: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn px(&self, lon: f64, lat: f64) -> [f64; 2] {
        [
            (lon - self.x0) * self.scale,
            (self.y1 - merc_y(lat)) * self.scale,
        ]
    }
    /// Longitude span of the view.
    fn lon_span(&self) -> f64 {
        self.width / self.scale
    }
}

/// The route's path as one line with unwrapped longitudes (no jump of more than 180 degrees),
/// and the index in it of each stop.
fn unwrapped_path(stops: &[Point<f64>]) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut line: Vec<Point<f64>> = Vec::new();
    let mut at = Vec::with_capacity(stops.len());
    for (i, w) in stops.windows(2).enumerate() {
        let arc = great_circle(w[0], w[1], 150.0);
        if i == 0 {
            at.push(0);
        }
        let skip = usize::from(!line.is_empty());
        line.extend(arc.into_iter().skip(skip));
        at.push(line.len() - 1);
    }
    if line.is_empty() {
        line.extend(stops.iter().copied());
        at.extend(0..stops.len());
    }
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(line.len());
    for p in line {
        let mut lon = p.x();
        if let Some(prev) = out.last() {
            while lon - prev[0] > 180.0 {
                lon -= 360.0;
            }
            while lon - prev[0] < -180.0 {
                lon += 360.0;
            }
        }
        out.push([lon, p.y()]);
    }
    (out, at)
}

fn frame(path: &[[f64; 2]], width: f64, height: f64) -> Frame {
    let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in path {
        w = w.min(p[0]);
        e = e.max(p[0]);
        s = s.min(p[1]);
        n = n.max(p[1]);
    }
    if path.is_empty() {
        (w, e, s, n) = (-170.0, 190.0, -55.0, 75.0);
    }
    // A margin around the route, and at least a country's width of context.
    let (lon_pad, lat_pad) = (((e - w) * 0.15).max(6.0), ((n - s) * 0.15).max(5.0));
    let (mut x0, x1) = (w - lon_pad, e + lon_pad);
    let (y0, mut y1) = (
        merc_y((s - lat_pad).max(-MAX_LAT)),
        merc_y((n + lat_pad).min(MAX_LAT)),
    );
    // Fill the box: widen the narrower side around its centre.
    let scale = (width / (x1 - x0)).min(height / (y1 - y0));
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    x0 = cx - width / scale / 2.0;
    y1 = cy + height / scale / 2.0;
    Frame {
        x0,
        y1,
        scale,
        width,
        height,
    }
}

/// Clips a ring to the rectangle `[0, w] x [0, h]` grown by `pad` (Sutherland-Hodgman): the
/// pieces outside the view are dropped, the fill inside stays exact.
fn clip(ring: &[[f64; 2]], w: f64, h: f64, pad: f64) -> Vec<[f64; 2]> {
    let edges: [(usize, f64, bool); 4] = [
        (0, -pad, true),
        (0, w + pad, false),
        (1, -pad, true),
        (1, h + pad, false),
    ];
    let mut out: Vec<[f64; 2]> = ring.to_vec();
    for (axis, bound, keep_above) in edges {
        if out.is_empty() {
            break;
        }
        let inside = |p: &[f64; 2]| {
            if keep_above {
                p[axis] >= bound
            } else {
                p[axis] <= bound
            }
        };
        let input = std::mem::take(&mut out);
        let mut prev = input[input.len() - 1];
        for p in input {
            let (pin, qin) = (inside(&prev), inside(&p));
            if pin != qin {
                let t = (bound - prev[axis]) / (p[axis] - prev[axis]);
                let cut = [
                    prev[0] + t * (p[0] - prev[0]),
                    prev[1] + t * (p[1] - prev[1]),
                ];
                out.push(cut);
            }
            if qin {
                out.push(p);
            }
            prev = p;
        }
    }
    out
}

/// Writes a closed ring as path data, dropping points closer than half a pixel.
fn ring_data(out: &mut String, ring: &[[f64; 2]]) {
    let mut last: Option<[f64; 2]> = None;
    let mut n = 0;
    let start = out.len();
    for p in ring {
        if last.is_some_and(|l| (l[0] - p[0]).abs() < 0.5 && (l[1] - p[1]).abs() < 0.5) {
            continue;
        }
        let _ = write!(
            out,
            "{}{:.1} {:.1}",
            if n == 0 { "M" } else { "L" },
            p[0],
            p[1]
        );
        last = Some(*p);
        n += 1;
    }
    if n < 3 {
        out.truncate(start);
    } else {
        out.push('Z');
    }
}

/// The map as an `<svg>` element.
pub fn svg(map: &RouteMap<'_>, g: &Gazetteer) -> String {
    let (path, stop_at) = unwrapped_path(map.stops);
    let f = frame(&path, map.width, map.height);
    let layer: &[Outline] = if f.lon_span() < DETAIL_SPAN {
        basemap::high_res()
    } else {
        basemap::low_res()
    };
    let concern: Vec<u16> = g
        .group("concern")
        .map(|gr| {
            gr.members
                .iter()
                .filter_map(|c| g.country(*c).m49)
                .collect()
        })
        .unwrap_or_default();
    let (west, east) = (f.x0, f.x0 + f.lon_span());
    let (mut land, mut land_concern) = (String::new(), String::new());
    for c in layer {
        for shift in [-360.0, 0.0, 360.0] {
            if f64::from(c.bbox[2]) + shift < west || f64::from(c.bbox[0]) + shift > east {
                continue;
            }
            let target = if concern.contains(&c.m49) {
                &mut land_concern
            } else {
                &mut land
            };
            for ring in c.polygons.iter().flatten() {
                let projected: Vec<[f64; 2]> = ring
                    .iter()
                    .map(|p| f.px(f64::from(p[0]) + shift, f64::from(p[1])))
                    .collect();
                ring_data(target, &clip(&projected, f.width, f.height, 2.0));
            }
        }
    }
    let id = svg_id(map.id);
    let mut out = String::new();
    let label: Vec<String> = map.countries.iter().map(|c| g.country(*c).code()).collect();
    let _ = write!(
        out,
        r#"<svg class="route-map" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="Map of route {title}: {path}">"#,
        w = f.width,
        h = f.height,
        title = super::report::esc(map.id),
        path = super::report::esc(&label.join(" → ")),
    );
    let _ = write!(
        out,
        r#"<defs><marker id="arrow-{id}" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5" orient="auto"><path d="M0 0L10 5L0 10z" fill="{ROUTE}"/></marker></defs>"#
    );
    let _ = write!(
        out,
        r#"<rect width="{}" height="{}" fill="{OCEAN}"/>"#,
        f.width, f.height
    );
    for (data, fill) in [(&land, LAND), (&land_concern, LAND_CONCERN)] {
        if !data.is_empty() {
            let _ = write!(
                out,
                r#"<path d="{data}" fill="{fill}" fill-rule="evenodd" stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round"/>"#
            );
        }
    }
    let path_px: Vec<[f64; 2]> = path.iter().map(|p| f.px(p[0], p[1])).collect();
    let stop_px: Vec<[f64; 2]> = stop_at.iter().map(|i| path_px[*i]).collect();
    if path_px.len() > 1 {
        let mut d = String::new();
        for (i, p) in path_px.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1} {:.1}",
                if i == 0 { "M" } else { "L" },
                p[0],
                p[1]
            );
        }
        let _ = write!(
            out,
            r#"<path d="{d}" fill="none" stroke="white" stroke-width="5" stroke-opacity="0.8" stroke-linejoin="round"/><path d="{d}" fill="none" stroke="{ROUTE}" stroke-width="2.5" stroke-linejoin="round"/>"#
        );
        // Arrows: a short segment at the middle of each leg, pointing onward.
        for w in stop_at.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b > a + 1 {
                let m = (a + b) / 2;
                let (p, q) = (path_px[m], path_px[(m + 1).min(b)]);
                let _ = write!(
                    out,
                    r#"<path d="M{:.1} {:.1}L{:.1} {:.1}" stroke="{ROUTE}" stroke-width="2.5" marker-end="url(#arrow-{id})"/>"#,
                    p[0], p[1], q[0], q[1]
                );
            }
        }
    }
    for (i, (p, c)) in stop_px.iter().zip(map.countries).enumerate() {
        let code = super::report::esc(&g.country(*c).code()).into_owned();
        let _ = write!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="4.5" fill="{STOP}" stroke="white" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" font-size="11" font-family="sans-serif" fill="{STOP}" stroke="white" stroke-width="3" paint-order="stroke">{} {code}</text>"#,
            p[0],
            p[1],
            p[0] + 7.0,
            p[1] - 6.0,
            i + 1
        );
    }
    out.push_str("</svg>");
    out
}

/// An id usable in `url(#...)`: letters, digits, `-` and `_` only.
fn svg_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stops(codes: &[&str]) -> (Vec<Point<f64>>, Vec<CountryId>) {
        let g = Gazetteer::embedded();
        let ids: Vec<CountryId> = codes.iter().map(|c| g.by_code(c).unwrap()).collect();
        let points = ids.iter().map(|c| g.country(*c).point.unwrap()).collect();
        (points, ids)
    }

    #[test]
    fn a_route_map_is_cropped_to_the_route_and_draws_every_stop() {
        let g = Gazetteer::embedded();
        let (points, ids) = stops(&["US", "SG", "CN"]);
        let svg = svg(
            &RouteMap {
                id: "R000001",
                stops: &points,
                countries: &ids,
                width: 640.0,
                height: 320.0,
            },
            g,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        for label in ["1 US", "2 SG", "3 CN"] {
            assert!(svg.contains(label), "{label}");
        }
        assert!(svg.contains("marker-end=\"url(#arrow-R000001)\""));
        assert!(
            svg.contains(LAND_CONCERN),
            "China is tinted as a country of concern"
        );
        // Every coordinate stays near the frame: clipped, not the whole world.
        let body = &svg[svg.find('>').unwrap()..];
        let numbers: Vec<f64> = body
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter_map(|t| t.parse().ok())
            .collect();
        let outside: Vec<&f64> = numbers
            .iter()
            .filter(|n| !(-10.0..=700.0).contains(*n))
            .collect();
        assert!(outside.is_empty(), "clipped: {outside:?}");
        assert!(svg.len() < 400_000, "{} bytes", svg.len());
    }

    #[test]
    fn a_pacific_crossing_is_drawn_in_one_piece() {
        let (points, _) = stops(&["TW", "US"]);
        let (path, at) = unwrapped_path(&points);
        assert!(path.windows(2).all(|w| (w[1][0] - w[0][0]).abs() < 10.0));
        let f = frame(&path, 600.0, 300.0);
        // The view spans the Pacific, not Europe and Asia.
        assert!(f.lon_span() < 240.0, "{}", f.lon_span());
        assert_eq!(at, [0, path.len() - 1]);
        assert!(
            path[at[1]][0] > 180.0,
            "the US sits east of the antimeridian"
        );
    }

    #[test]
    fn clipping_keeps_what_is_inside() {
        let square = [[-50.0, -50.0], [50.0, -50.0], [50.0, 50.0], [-50.0, 50.0]];
        let c = clip(&square, 20.0, 20.0, 0.0);
        assert!(
            c.iter()
                .all(|p| (0.0..=20.0).contains(&p[0]) && (0.0..=20.0).contains(&p[1]))
        );
        assert!(c.len() >= 4);
        assert!(
            clip(
                &[[100.0, 100.0], [120.0, 100.0], [110.0, 120.0]],
                20.0,
                20.0,
                0.0
            )
            .is_empty()
        );
    }
}
