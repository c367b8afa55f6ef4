//! The embedded basemap geometry: Natural Earth country outlines (1:110m and 1:50m) compiled into
//! the binary (see `scripts/gen_basemap.py`), read into longitude/latitude rings. Plain data, no
//! GUI crate: the app triangulates these for the map, the evidence report draws them as SVG.
//!
//! File layout (little-endian): `CTBM`, version `u32` (1), country count `u32`, then per country
//! its M49 code `u16`, name length `u16` and UTF-8 name, polygon count `u32`, and per polygon its
//! ring count `u32` (outer ring first, then holes), per ring a point count `u32` and the points as
//! `f32` longitude, `f32` latitude. Rings are already cut at the antimeridian.

use std::sync::OnceLock;

/// The 1:110m outlines, for world and continent views.
pub const LOW_RES: &[u8] = include_bytes!("../assets/basemap/countries-110m.bin");
/// The 1:50m outlines, for closer views.
pub const HIGH_RES: &[u8] = include_bytes!("../assets/basemap/countries-50m.bin");

/// One country's outline in degrees: polygons, each an outer ring and its holes, each ring a list
/// of `[longitude, latitude]` points.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    pub m49: u16,
    pub name: String,
    pub polygons: Vec<Vec<Vec<[f32; 2]>>>,
    /// `[west, south, east, north]` over every ring.
    pub bbox: [f32; 4],
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Option<f32> {
        self.take(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A count of items at least `item` bytes each, refused when the bytes left cannot hold it
    /// (a damaged file must not make us allocate gigabytes).
    fn count(&mut self, item: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.saturating_mul(item) <= self.bytes.len() - self.at).then_some(n)
    }
}

/// Reads a basemap file; `None` when it is not one or is cut short.
pub fn read(bytes: &[u8]) -> Option<Vec<Outline>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != b"CTBM" || r.u32()? != 1 {
        return None;
    }
    let n = r.count(8)?;
    let mut countries = Vec::with_capacity(n);
    for _ in 0..n {
        let m49 = r.u16()?;
        let len = r.u16()? as usize;
        let name = String::from_utf8_lossy(r.take(len)?).into_owned();
        let polygons = r.count(4)?;
        let mut outline = Outline {
            m49,
            name,
            polygons: Vec::with_capacity(polygons),
            bbox: [f32::MAX, f32::MAX, f32::MIN, f32::MIN],
        };
        for _ in 0..polygons {
            let rings = r.count(4)?;
            let mut polygon = Vec::with_capacity(rings);
            for _ in 0..rings {
                let points = r.count(8)?;
                let mut ring = Vec::with_capacity(points);
                for _ in 0..points {
                    let p = [r.f32()?, r.f32()?];
                    let b = &mut outline.bbox;
                    *b = [
                        b[0].min(p[0]),
                        b[1].min(p[1]),
                        b[2].max(p[0]),
                        b[3].max(p[1]),
                    ];
                    ring.push(p);
                }
                polygon.push(ring);
            }
            outline.polygons.push(polygon);
        }
        countries.push(outline);
    }
    Some(countries)
}

/// The embedded 1:110m outlines, read once.
pub fn low_res() -> &'static [Outline] {
    static LAYER: OnceLock<Vec<Outline>> = OnceLock::new();
    LAYER.get_or_init(|| read(LOW_RES).unwrap_or_default())
}

/// The embedded 1:50m outlines, read once.
pub fn high_res() -> &'static [Outline] {
    static LAYER: OnceLock<Vec<Outline>> = OnceLock::new();
    LAYER.get_or_init(|| read(HIGH_RES).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_outlines_read_in_degrees() {
        let low = low_res();
        let high = high_res();
        assert!(low.len() > 150 && high.len() > 200);
        let china = high
            .iter()
            .find(|c| c.m49 == 156)
            .expect("China is in the 1:50m layer");
        // China lies between about 73 and 135 degrees east, 18 and 54 degrees north.
        assert!(
            china.bbox[0] > 70.0 && china.bbox[2] < 136.0 && china.bbox[1] > 15.0,
            "{:?}",
            china.bbox
        );
        for c in low {
            for ring in c.polygons.iter().flatten() {
                assert!(ring.iter().all(|p| (-180.0..=180.0).contains(&p[0])
                    && (-90.0..=90.0).contains(&p[1])));
            }
        }
    }

    #[test]
    fn damaged_files_are_refused_without_panicking() {
        assert!(read(b"").is_none());
        assert!(read(b"CTBM\x02\0\0\0").is_none());
        assert!(read(&LOW_RES[..LOW_RES.len() / 2]).is_none());
        // A count far larger than the file is refused before allocating.
        assert!(read(b"CTBM\x01\0\0\0\xff\xff\xff\xff").is_none());
    }
}
