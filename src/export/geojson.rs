//! GeoJSON export: one feature per route, a LineString (or a MultiLineString when it crosses the
//! antimeridian) along great circles, with the score, factors, path and shipment ids as properties.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::{fixed, write_atomic};
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
pub fn write(path: &Path, routes: &[&ScoredRoute], g: &Gazetteer) -> std::io::Result<()> {
    write_triaged(path, routes, g, None)
}

/// As [`write`], with each route's disposition and notes when a triage is given.
pub fn write_triaged(
    path: &Path,
    routes: &[&ScoredRoute],
    g: &Gazetteer,
    triage: Option<&Triage>,
) -> std::io::Result<()> {
    let collection = json!({
        "type": "FeatureCollection",
        "features": routes.iter().map(|r| feature_triaged(r, g, triage)).collect::<Vec<_>>(),
    });
    write_atomic(path, |out| {
        serde_json::to_writer(&mut *out, &collection).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
}
