//! GeoJSON export: one feature per route, a LineString (or a MultiLineString when it crosses the
//! antimeridian) along great circles, with the score, factors, path and shipment ids as properties.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::{RouteSource, fixed, for_each_chunk, write_atomic};
use crate::analysis::ScoredRoute;
use crate::gazetteer::Gazetteer;
use crate::geometry::route_lines;
use crate::scoring::indicators::indicator_names;
use crate::triage::Triage;

/// Distance between interpolated points along arcs.
pub const STEP_KM: f64 = 250.0;

/// The feature of one route (countries as their codes in `g`).
pub fn feature(r: &ScoredRoute, g: &Gazetteer) -> Value {
    feature_triaged(r, g, None)
}

/// As [`feature`], with `disposition` and `notes` properties when a triage is given.
pub fn feature_triaged(r: &ScoredRoute, g: &Gazetteer, triage: Option<&Triage>) -> Value {
    let parts = route_lines(&r.stops, STEP_KM);
    let coords = |part: &Vec<geo::Point<f64>>| -> Value {
        Value::Array(
            part.iter()
                .map(|p| json!([round6(p.x()), round6(p.y())]))
                .collect(),
        )
    };
    let geometry = match parts.len() {
        0 => Value::Null,
        1 => json!({"type": "LineString", "coordinates": coords(&parts[0])}),
        _ => {
            json!({"type": "MultiLineString", "coordinates": parts.iter().map(coords).collect::<Vec<_>>()})
        }
    };
    let mut props = Map::new();
    props.insert("route_id".into(), json!(r.id));
    props.insert(
        "score".into(),
        json!(fixed(r.score.score).parse::<f64>().unwrap_or(0.0)),
    );
    props.insert("flagged".into(), json!(r.score.flagged));
    props.insert("path".into(), json!(r.path_codes(g)));
    props.insert("parties".into(), json!(r.parties.join(" > ")));
    props.insert("shipment_ids".into(), json!(r.shipment_ids.join(";")));
    props.insert("first_date".into(), json!(r.first_date.to_string()));
    props.insert("last_date".into(), json!(r.last_date.to_string()));
    props.insert(
        "value_usd".into(),
        json!((r.value_usd * 100.0).round() / 100.0),
    );
    props.insert("reasons".into(), json!(r.score.reasons()));
    props.insert("basis".into(), json!(r.score.basis.label()));
    props.insert("licences".into(), json!(r.licence_notes.join("; ")));
    for n in indicator_names() {
        props.insert(
            format!("f_{n}"),
            json!(fixed(r.score.value(n)).parse::<f64>().unwrap_or(0.0)),
        );
    }
    if let Some(t) = triage {
        let (disposition, notes) = super::triage_cells(r, t, g);
        props.insert("disposition".into(), json!(disposition));
        props.insert("notes".into(), json!(notes));
    }
    json!({"type": "Feature", "geometry": geometry, "properties": Value::Object(props)})
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Writes a FeatureCollection of the routes (WGS 84 longitude/latitude).
pub fn write<R: RouteSource + ?Sized>(
    path: &Path,
    routes: &R,
    g: &Gazetteer,
) -> std::io::Result<()> {
    write_triaged(path, routes, g, None)
}

/// As [`write`], with each route's disposition and notes when a triage is given. Features are
/// written one by one between the collection's opening and closing, exactly as the whole
/// collection serialises.
pub fn write_triaged<R: RouteSource + ?Sized>(
    path: &Path,
    routes: &R,
    g: &Gazetteer,
    triage: Option<&Triage>,
) -> std::io::Result<()> {
    let empty = serde_json::to_string(&json!({
        "type": "FeatureCollection",
        "features": [],
    }))
    .map_err(std::io::Error::other)?;
    let (open, close) = empty
        .split_once("[]")
        .ok_or_else(|| std::io::Error::other("no feature list"))?;
    write_atomic(path, |out| {
        out.write_all(open.as_bytes())?;
        out.write_all(b"[")?;
        let mut first = true;
        for_each_chunk(
            routes,
            |r| serde_json::to_vec(&feature_triaged(r, g, triage)),
            |feature| {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                out.write_all(&feature.map_err(std::io::Error::other)?)
            },
        )?;
        out.write_all(b"]")?;
        out.write_all(close.as_bytes())?;
        out.write_all(b"\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{RouteKind, ScoredRoute};
    use crate::model::Date;
    use crate::rules::Rules;

    #[test]
    fn features_written_one_by_one_make_the_collection_serde_writes() {
        let g = Gazetteer::embedded();
        let countries = vec![g.by_alpha2("US").unwrap(), g.by_alpha2("SG").unwrap()];
        let route = |id: &str| ScoredRoute {
            id: id.into(),
            kind: RouteKind::Corridor { flows: Vec::new() },
            score: crate::scoring::combine(Vec::new(), 0.0, &Rules::default()),
            stops: countries
                .iter()
                .filter_map(|c| g.country(*c).point)
                .collect(),
            countries: countries.clone(),
            parties: Vec::new(),
            shipment_ids: Vec::new(),
            first_date: Date(0),
            last_date: Date(0),
            quantity: 1.0,
            value_usd: 5.0,
            licence_notes: Vec::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        for n in [0, 1, 3, super::super::CHUNK + 2] {
            let routes: Vec<ScoredRoute> = (0..n).map(|i| route(&format!("R{i}"))).collect();
            let refs: Vec<&ScoredRoute> = routes.iter().collect();
            let path = dir.path().join(format!("{n}.geojson"));
            write(&path, &refs, g).unwrap();
            let whole = json!({
                "type": "FeatureCollection",
                "features": refs.iter().map(|r| feature(r, g)).collect::<Vec<_>>(),
            });
            let mut expected = serde_json::to_vec(&whole).unwrap();
            expected.push(b'\n');
            assert_eq!(std::fs::read(&path).unwrap(), expected, "{n} routes");
        }
    }
}
