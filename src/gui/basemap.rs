//! The offline basemap: Natural Earth country polygons compiled into the binary (see
//! `scripts/gen_basemap.py`), triangulated once, drawn by a walkers plugin with land, borders,
//! ocean and country labels, and hubs as points.

use egui::{Align2, Color32, FontId, Mesh, Pos2, Rect, Shape, pos2};
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

/// Draws ocean, land, borders, labels and hubs.
pub struct BasemapPlugin<'a> {
    pub basemap: &'a Basemap,
    /// Whether online tiles are drawn underneath (then no ocean or land fill).
    pub tiles_below: bool,
    /// M49 codes of countries of concern, tinted.
    pub concern: &'a [u16],
    /// Country labels: (point, name), shown from zoom 3.
    pub labels: &'a [([f32; 2], String)],
    /// Hubs: (point, radius in px, name).
    pub hubs: &'a [([f32; 2], f32, String)],
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
        let mut land = Mesh::default();
        let mut concern = Mesh::default();
        for c in &layer.countries {
            if c.bbox[2] < view[0]
                || c.bbox[0] > view[2]
                || c.bbox[3] < view[1]
                || c.bbox[1] > view[3]
            {
                continue;
            }
            if !self.tiles_below {
                let mesh = if self.concern.contains(&c.m49) {
                    &mut concern
                } else {
                    &mut land
                };
                let colour = if self.concern.contains(&c.m49) {
                    theme::LAND_CONCERN
                } else {
                    theme::LAND
                };
                let base = mesh.vertices.len() as u32;
                for v in &c.vertices {
                    mesh.colored_vertex(t.apply(*v), colour);
                }
                mesh.indices.extend(c.indices.iter().map(|i| base + i));
            }
            for ring in &c.rings {
                let points: Vec<Pos2> = ring.iter().map(|p| t.apply(*p)).collect();
                painter.add(Shape::line(points, theme::BORDER));
            }
        }
        painter.add(Shape::mesh(land));
        painter.add(Shape::mesh(concern));
        if zoom >= 3.0 {
            for (p, name) in self.labels {
                let pos = t.apply(*p);
                if rect.contains(pos) {
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
        for (p, radius, name) in self.hubs {
            let pos = t.apply(*p);
            if rect.contains(pos) {
                painter.circle(pos, *radius, theme::HUB_FILL, theme::HUB_STROKE);
                if zoom >= 5.0 {
                    painter.text(
                        pos + egui::vec2(radius + 3.0, 0.0),
                        Align2::LEFT_CENTER,
                        name,
                        FontId::proportional(10.0),
                        Color32::DARK_BLUE,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
