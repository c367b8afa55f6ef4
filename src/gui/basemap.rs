//! The offline basemap: Natural Earth country polygons compiled into the binary (see
//! `scripts/gen_basemap.py`), triangulated once, drawn by a walkers plugin with land, borders,
//! ocean and country labels, in every copy of the world the view shows; and how to frame a view.

use egui::{Align2, FontId, Mesh, Pos2, Rect, Shape, pos2};
use walkers::{MapMemory, Plugin, Projector, lon_lat};

use super::theme;

// The bytes are embedded once, by the core (`crate::basemap`), which the evidence report reads too.
use crate::basemap::{HIGH_RES, LOW_RES};
/// Above this zoom the 1:50m polygons are drawn, below it the 1:110m ones.
const DETAIL_ZOOM: f64 = 3.5;
const MAX_LAT: f64 = 85.051_128;

/// A country's shapes in normalised Web Mercator coordinates (0..1 across the world).
pub struct CountryShape {
    pub m49: u16,
    pub name: String,
    /// Triangles: vertex coordinates and indices.
    vertices: Vec<[f32; 2]>,
    indices: Vec<u32>,
    /// Outline rings, for borders.
    rings: Vec<Vec<[f32; 2]>>,
    bbox: [f32; 4],
}

/// One resolution of the basemap.
pub struct Layer {
    pub countries: Vec<CountryShape>,
}

/// Both resolutions.
pub struct Basemap {
    pub low: Layer,
    pub high: Layer,
}

/// Web Mercator, normalised: x and y in 0..1, y downwards, as walkers projects.
pub fn mercator(lon: f64, lat: f64) -> [f32; 2] {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    [x as f32, y as f32]
}

/// Reads one basemap file (the core's reader, [`crate::basemap::read`]), projects it and
/// triangulates every polygon for drawing.
pub fn parse(bytes: &[u8]) -> Option<Layer> {
    let outlines = crate::basemap::read(bytes)?;
    let countries = outlines
        .into_iter()
        .map(|outline| {
            let mut shape = CountryShape {
                m49: outline.m49,
                name: outline.name,
                vertices: Vec::new(),
                indices: Vec::new(),
                rings: Vec::new(),
                bbox: [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
            };
            for polygon in &outline.polygons {
                let mut flat: Vec<f64> = Vec::new();
                let mut holes: Vec<usize> = Vec::new();
                let base = shape.vertices.len() as u32;
                for (ring_index, points) in polygon.iter().enumerate() {
                    if ring_index > 0 {
                        holes.push(flat.len() / 2);
                    }
                    let mut ring = Vec::with_capacity(points.len());
                    for &[lon, lat] in points {
                        let p = mercator(f64::from(lon), f64::from(lat));
                        flat.extend([f64::from(p[0]), f64::from(p[1])]);
                        shape.vertices.push(p);
                        shape.bbox = [
                            shape.bbox[0].min(p[0]),
                            shape.bbox[1].min(p[1]),
                            shape.bbox[2].max(p[0]),
                            shape.bbox[3].max(p[1]),
                        ];
                        ring.push(p);
                    }
                    shape.rings.push(ring);
                }
                if let Ok(tris) = earcutr::earcut(&flat, &holes, 2) {
                    shape
                        .indices
                        .extend(tris.into_iter().map(|i| base + i as u32));
                }
            }
            shape
        })
        .collect();
    Some(Layer { countries })
}

impl Basemap {
    /// The embedded basemap (both resolutions), triangulated.
    pub fn embedded() -> Basemap {
        Basemap {
            low: parse(LOW_RES).unwrap_or(Layer {
                countries: Vec::new(),
            }),
            high: parse(HIGH_RES).unwrap_or(Layer {
                countries: Vec::new(),
            }),
        }
    }

    /// The layer to draw at a zoom level.
    pub fn layer(&self, zoom: f64) -> &Layer {
        if zoom >= DETAIL_ZOOM && !self.high.countries.is_empty() {
            &self.high
        } else {
            &self.low
        }
    }
}

/// Screen transform of normalised Mercator coordinates for the current view.
#[derive(Clone, Copy, Debug)]
pub struct ToScreen {
    origin: Pos2,
    size: f32,
}

impl ToScreen {
    pub fn new(projector: &Projector) -> ToScreen {
        let origin = projector.project(lon_lat(-180.0, MAX_LAT)).to_pos2();
        let far = projector.project(lon_lat(180.0, -MAX_LAT)).to_pos2();
        ToScreen {
            origin,
            size: far.x - origin.x,
        }
    }
    pub fn apply(&self, p: [f32; 2]) -> Pos2 {
        pos2(
            self.origin.x + p[0] * self.size,
            self.origin.y + p[1] * self.size,
        )
    }
    /// The normalised rectangle visible on `screen`.
    pub fn visible(&self, screen: Rect) -> [f32; 4] {
        let inv = |p: Pos2| {
            [
                (p.x - self.origin.x) / self.size,
                (p.y - self.origin.y) / self.size,
            ]
        };
        let (a, b) = (inv(screen.min), inv(screen.max));
        [a[0], a[1], b[0], b[1]]
    }
}

/// Draws ocean, land, borders and country labels, in every copy of the world the view shows
/// (the map pans east and west without end).
pub struct BasemapPlugin<'a> {
    pub basemap: &'a Basemap,
    /// Whether online tiles are drawn underneath (then no ocean or land fill).
    pub tiles_below: bool,
    /// M49 codes of countries of concern, tinted.
    pub concern: &'a [u16],
    /// Country labels: (point, name), shown from zoom 3.
    pub labels: &'a [([f32; 2], String)],
    /// Points (normalised Mercator) of the places the flows label: a country's name is left out
    /// near one, where the place's own label goes.
    pub avoid: &'a [[f32; 2]],
}

/// The copies of the world (whole-world offsets) a view's normalised x range shows.
pub fn copies(view: [f32; 4]) -> std::ops::RangeInclusive<i32> {
    view[0].floor() as i32..=view[2].floor() as i32
}

impl Plugin for BasemapPlugin<'_> {
    fn run(
        self: Box<Self>,
        ui: &mut egui::Ui,
        _response: &egui::Response,
        projector: &Projector,
        map_memory: &MapMemory,
    ) {
        let painter = ui.painter().with_clip_rect(projector.clip_rect());
        let rect = projector.clip_rect();
        let t = ToScreen::new(projector);
        let zoom = map_memory.zoom();
        if !self.tiles_below {
            painter.rect_filled(rect, 0.0, theme::OCEAN);
        }
        let view = t.visible(rect);
        let layer = self.basemap.layer(zoom);
        // Sized once for every shape in view: growing a mesh vertex by vertex copies it over and
        // over (a good part of a frame's time).
        let in_view = |c: &CountryShape, dx: f32| {
            !(c.bbox[2] + dx < view[0]
                || c.bbox[0] + dx > view[2]
                || c.bbox[3] < view[1]
                || c.bbox[1] > view[3])
        };
        let (mut vertices, mut indices) = (0, 0);
        for k in copies(view) {
            for c in layer.countries.iter().filter(|c| in_view(c, k as f32)) {
                vertices += c.vertices.len();
                indices += c.indices.len();
            }
        }
        let mut land = Mesh::default();
        let mut concern = Mesh::default();
        if !self.tiles_below {
            land.reserve_vertices(vertices);
            land.reserve_triangles(indices / 3);
        }
        for k in copies(view) {
            let dx = k as f32;
            let at = |p: [f32; 2]| t.apply([p[0] + dx, p[1]]);
            for c in layer.countries.iter().filter(|c| in_view(c, dx)) {
                if !self.tiles_below {
                    let is_concern = self.concern.contains(&c.m49);
                    let (mesh, colour) = if is_concern {
                        (&mut concern, theme::LAND_CONCERN)
                    } else {
                        (&mut land, theme::LAND)
                    };
                    let base = mesh.vertices.len() as u32;
                    for v in &c.vertices {
                        mesh.colored_vertex(at(*v), colour);
                    }
                    mesh.indices.extend(c.indices.iter().map(|i| base + i));
                }
                for ring in &c.rings {
                    let points: Vec<Pos2> = ring.iter().map(|p| at(*p)).collect();
                    painter.add(Shape::line(points, theme::BORDER));
                }
            }
        }
        painter.add(Shape::mesh(land));
        painter.add(Shape::mesh(concern));
        if zoom >= 3.0 {
            for k in copies(view) {
                for (p, name) in self.labels {
                    let pos = t.apply([p[0] + k as f32, p[1]]);
                    let near_place = self.avoid.iter().any(|q| {
                        (0..3).any(|c| {
                            (t.apply([q[0] + (k + c - 1) as f32, q[1]]) - pos).length() < 40.0
                        })
                    });
                    if rect.contains(pos) && !near_place {
                        painter.text(
                            pos,
                            Align2::CENTER_CENTER,
                            name,
                            FontId::proportional(11.0),
                            theme::COUNTRY_LABEL,
                        );
                    }
                }
            }
        }
    }
}

/// A view to frame: longitudes may run past 180 (a path made continuous with
/// [`crate::flowmap::unwrap_longitudes`]), latitudes are clamped to the map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl Bounds {
    /// The bounds of points given as (lon, lat), with longitudes made continuous along them.
    pub fn of_path(points: &[geo::Point<f64>]) -> Option<Bounds> {
        let lons: Vec<f64> = points.iter().map(|p| p.x()).collect();
        let lons = crate::flowmap::unwrap_longitudes(&lons);
        let mut b = Bounds {
            west: f64::MAX,
            south: f64::MAX,
            east: f64::MIN,
            north: f64::MIN,
        };
        for (lon, p) in lons.iter().zip(points) {
            b.west = b.west.min(*lon);
            b.east = b.east.max(*lon);
            b.south = b.south.min(p.y());
            b.north = b.north.max(p.y());
        }
        (!points.is_empty()).then_some(b)
    }
}

/// Pixels kept free on each side of a framed view: left, top, right, bottom (the bottom may
/// hold the legend).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Margins {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Margins {
    pub const NONE: Margins = Margins::same(0.0);

    pub const fn same(px: f32) -> Margins {
        Margins {
            left: px,
            top: px,
            right: px,
            bottom: px,
        }
    }
}

/// The centre (lon, lat) and zoom that show `bounds` whole in a map of `size` pixels, inside
/// `margins`; a single point gets a regional zoom. Walkers' world is 256 x 2^zoom pixels wide.
pub fn fit_view(bounds: Bounds, size: egui::Vec2, margins: Margins) -> (f64, f64, f64) {
    let a = mercator(bounds.west, bounds.north);
    let b = mercator(bounds.east, bounds.south);
    // x from the longitudes themselves: they may run past 180 on purpose.
    let (x0, x1) = ((bounds.west + 180.0) / 360.0, (bounds.east + 180.0) / 360.0);
    let (y0, y1) = (f64::from(a[1]), f64::from(b[1]));
    let w = f64::from((size.x - margins.left - margins.right).max(40.0));
    let h = f64::from((size.y - margins.top - margins.bottom).max(40.0));
    let span_x = (x1 - x0).max(1e-6);
    let span_y = (y1 - y0).max(1e-6);
    let zoom = (w / span_x / 256.0)
        .min(h / span_y / 256.0)
        .log2()
        .clamp(1.0, 6.0);
    // The bounds' centre goes to the centre of the rectangle inside the margins.
    let world = 256.0 * zoom.exp2();
    let cx = (x0 + x1) / 2.0 - f64::from(margins.left - margins.right) / 2.0 / world;
    let cy = (y0 + y1) / 2.0 - f64::from(margins.top - margins.bottom) / 2.0 / world;
    let lon = cx * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * cy))
        .sinh()
        .atan()
        .to_degrees();
    (lon, lat, zoom)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The screen transform of a map in `rect` with this memory.
    fn screen(memory: &MapMemory, rect: Rect) -> ToScreen {
        let projector = Projector::new(
            rect,
            &walkers::MercatorProjection,
            memory,
            lon_lat(0.0, 0.0),
        );
        ToScreen::new(&projector)
    }

    #[test]
    fn the_embedded_basemap_parses_and_triangulates() {
        let b = Basemap::embedded();
        assert!(b.low.countries.len() > 150 && b.high.countries.len() > 200);
        let with_triangles = b
            .high
            .countries
            .iter()
            .filter(|c| !c.indices.is_empty())
            .count();
        assert!(with_triangles as f64 > b.high.countries.len() as f64 * 0.95);
        assert!(b.high.countries.iter().any(|c| c.m49 == 156));
        for c in &b.low.countries {
            for ring in &c.rings {
                // Rings never jump across the map (they were cut at the antimeridian).
                assert!(
                    ring.windows(2).all(|w| (w[1][0] - w[0][0]).abs() < 0.5),
                    "{}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn mercator_matches_walkers() {
        let memory = {
            let mut m = MapMemory::default();
            let _ = m.set_zoom(2.0);
            m.center_at(lon_lat(0.0, 0.0));
            m
        };
        let rect = Rect::from_min_size(Pos2::ZERO, egui::vec2(1024.0, 1024.0));
        let projector = Projector::new(
            rect,
            &walkers::MercatorProjection,
            &memory,
            lon_lat(0.0, 0.0),
        );
        let t = ToScreen::new(&projector);
        for (lon, lat) in [(121.0, 23.5), (-98.35, 39.5), (37.6, 55.7), (0.0, 0.0)] {
            let ours = t.apply(mercator(lon, lat));
            let theirs = projector.project(lon_lat(lon, lat)).to_pos2();
            assert!(
                (ours - theirs).length() < 0.5,
                "{lon},{lat}: {ours:?} vs {theirs:?}"
            );
        }
    }

    #[test]
    fn a_framed_view_holds_its_bounds_inside_the_margin() {
        // Chicago, Singapore, Bushehr: continuous across the Pacific.
        let path = [
            lon_lat(-87.6, 41.9),
            lon_lat(103.8, 1.3),
            lon_lat(50.8, 28.9),
        ];
        let b = Bounds::of_path(&path).unwrap();
        assert!(b.west < -300.0 && b.east > -90.0, "{b:?}");
        let margins = Margins {
            bottom: 200.0,
            ..Margins::same(48.0)
        };
        for size in [egui::vec2(660.0, 560.0), egui::vec2(1100.0, 560.0)] {
            let (lon, lat, zoom) = fit_view(b, size, margins);
            let mut memory = MapMemory::default();
            let _ = memory.set_zoom(zoom);
            memory.center_at(lon_lat(lon, lat));
            let rect = Rect::from_min_size(pos2(300.0, 30.0), size);
            let t = screen(&memory, rect);
            let lons = crate::flowmap::unwrap_longitudes(&[-87.6, 103.8, 50.8]);
            for (l, p) in lons.iter().zip(&path) {
                let q = t.apply([((l + 180.0) / 360.0) as f32, mercator(0.0, p.y())[1]]);
                assert!(
                    rect.shrink(40.0).contains(q),
                    "{l} at {q:?} outside {rect:?}"
                );
            }
        }
    }
}
