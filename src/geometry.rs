//! Great-circle geometry for routes: distances, arcs that take the short way round the globe, and
//! lines split where they cross the antimeridian. Points are `geo::Point` with x = longitude and
//! y = latitude, in degrees.

use geo::{Distance, Haversine, InterpolatePoint, Point};

/// Great-circle distance in kilometres.
pub fn distance_km(a: Point<f64>, b: Point<f64>) -> f64 {
    Haversine.distance(a, b) / 1000.0
}

/// (sum of great-circle legs, direct great-circle distance), in km; `None` for fewer than two points.
pub fn circuity(points: &[Point<f64>]) -> Option<(f64, f64)> {
    let (first, last) = (points.first()?, points.last()?);
    if points.len() < 2 {
        return None;
    }
    let path: f64 = points.windows(2).map(|w| distance_km(w[0], w[1])).sum();
    Some((path, distance_km(*first, *last)))
}

/// Points along the great circle from `a` to `b`, one every `step_km` or so (at least the ends).
pub fn great_circle(a: Point<f64>, b: Point<f64>, step_km: f64) -> Vec<Point<f64>> {
    let d = distance_km(a, b);
    let n = ((d / step_km.max(1.0)).ceil() as usize).clamp(1, 512);
    (0..=n)
        .map(|i| Haversine.point_at_ratio_between(a, b, i as f64 / n as f64))
        .collect()
}

/// Splits a line of lon/lat points where consecutive longitudes jump by more than 180 degrees
/// (the line crosses the antimeridian), adding the crossing point on both sides so each part
/// reaches the edge of the map.
pub fn split_antimeridian(line: &[Point<f64>]) -> Vec<Vec<Point<f64>>> {
    let mut parts: Vec<Vec<Point<f64>>> = Vec::new();
    let mut current: Vec<Point<f64>> = Vec::new();
    for &p in line {
        if let Some(&prev) = current.last() {
            let dx = p.x() - prev.x();
            if dx.abs() > 180.0 {
                // Unwrap the next point next to the previous one, find where the segment meets +-180.
                let edge = if dx < 0.0 { 180.0 } else { -180.0 };
                let unwrapped_x = if dx < 0.0 {
                    p.x() + 360.0
                } else {
                    p.x() - 360.0
                };
                let t = (edge - prev.x()) / (unwrapped_x - prev.x());
                let lat = prev.y() + t * (p.y() - prev.y());
                current.push(Point::new(edge, lat));
                parts.push(std::mem::take(&mut current));
                current.push(Point::new(-edge, lat));
            }
        }
        current.push(p);
    }
    if current.len() > 1 || (parts.is_empty() && !current.is_empty()) {
        parts.push(current);
    }
    parts
}

/// A route through `stops` along great circles, split at the antimeridian: the parts of a
/// MultiLineString.
pub fn route_lines(stops: &[Point<f64>], step_km: f64) -> Vec<Vec<Point<f64>>> {
    let mut line: Vec<Point<f64>> = Vec::new();
    for w in stops.windows(2) {
        let arc = great_circle(w[0], w[1], step_km);
        let skip = usize::from(!line.is_empty());
        line.extend(arc.into_iter().skip(skip));
    }
    if line.is_empty() {
        line.extend(stops.iter().copied());
    }
    split_antimeridian(&line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn taiwan_to_the_us_crosses_the_pacific_not_asia() {
        let taipei = Point::new(121.0, 23.5);
        let kansas = Point::new(-98.35, 39.5);
        let parts = route_lines(&[taipei, kansas], 200.0);
        assert_eq!(parts.len(), 2, "split once at the antimeridian");
        // The first part runs east from Taiwan to +180, the second from -180 east to the US.
        assert!(parts[0].iter().all(|p| p.x() >= 121.0 - 1e-9));
        assert_eq!(parts[0].last().unwrap().x(), 180.0);
        assert_eq!(parts[1].first().unwrap().x(), -180.0);
        assert!(parts[1].iter().all(|p| p.x() <= -98.35 + 1e-9));
        // Never over Europe or central Asia.
        assert!(
            parts
                .iter()
                .flatten()
                .all(|p| !(0.0..100.0).contains(&p.x()))
        );
        let km = distance_km(taipei, kansas);
        assert!((11_500.0..12_500.0).contains(&km), "{km}");
    }

    #[test]
    fn multi_leg_routes_pass_every_stop() {
        let us = Point::new(-98.35, 39.5);
        let my = Point::new(102.0, 3.5);
        let th = Point::new(101.0, 15.5);
        let cn = Point::new(108.0, 34.0);
        let parts = route_lines(&[us, my, th, cn], 300.0);
        let all: Vec<Point<f64>> = parts.into_iter().flatten().collect();
        for stop in [us, my, th, cn] {
            assert!(
                all.iter()
                    .any(|p| (p.x() - stop.x()).abs() < 1e-6 && (p.y() - stop.y()).abs() < 1e-6),
                "{stop:?}"
            );
        }
        let (path, direct) = circuity(&[us, my, th, cn]).unwrap();
        assert!(path > direct);
    }

    proptest! {
        #[test]
        fn split_parts_never_jump_across_the_map(
            a in (-180.0f64..180.0, -80.0f64..80.0),
            b in (-180.0f64..180.0, -80.0f64..80.0),
        ) {
            let parts = route_lines(&[Point::new(a.0, a.1), Point::new(b.0, b.1)], 250.0);
            for part in &parts {
                for w in part.windows(2) {
                    prop_assert!((w[1].x() - w[0].x()).abs() <= 180.0);
                }
                for p in part {
                    prop_assert!((-180.0..=180.0).contains(&p.x()) && (-90.0..=90.0).contains(&p.y()));
                }
            }
        }
    }
}
