//! KML export: one Placemark per route with its great-circle line (a MultiGeometry when it crosses
//! the antimeridian), a style by score, and the score and factors as ExtendedData.

use std::path::Path;

use super::{RouteSource, fixed, for_each_chunk, write_atomic};
use crate::analysis::ScoredRoute;
use crate::gazetteer::Gazetteer;
use crate::geometry::route_lines;
use crate::scoring::indicators::indicator_names;
use crate::triage::Triage;

/// Escapes text for XML.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes a KML document of the routes (countries as their codes in `g`).
pub fn write<R: RouteSource + ?Sized>(
    path: &Path,
    routes: &R,
    g: &Gazetteer,
) -> std::io::Result<()> {
    write_triaged(path, routes, g, None)
}

/// As [`write`], with `disposition` and `notes` data when a triage is given.
pub fn write_triaged<R: RouteSource + ?Sized>(
    path: &Path,
    routes: &R,
    g: &Gazetteer,
    triage: Option<&Triage>,
) -> std::io::Result<()> {
    write_atomic(path, |out| {
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Chiptrail routes</name>"#
        )?;
        for (id, colour, width) in [("flagged", "ff2020e0", 4), ("route", "ff909090", 2)] {
            writeln!(
                out,
                r#"<Style id="{id}"><LineStyle><color>{colour}</color><width>{width}</width></LineStyle></Style>"#
            )?;
        }
        for_each_chunk(
            routes,
            |r| placemark(r, g, triage),
            |text| out.write_all(text.map_err(std::io::Error::other)?.as_bytes()),
        )?;
        writeln!(out, "</Document></kml>")
    })
}

/// One route's Placemark, as text.
fn placemark(
    r: &ScoredRoute,
    g: &Gazetteer,
    triage: Option<&Triage>,
) -> Result<String, std::fmt::Error> {
    use std::fmt::Write as _;
    let mut out = String::new();
    let path_codes = r.path_codes(g);
    writeln!(
        out,
        "<Placemark><name>{}</name>",
        xml(&format!("{} {path_codes}", r.id))
    )?;
    writeln!(
        out,
        "<description>{}</description>",
        xml(&r.score.reasons())
    )?;
    writeln!(
        out,
        "<styleUrl>#{}</styleUrl>",
        if r.score.flagged { "flagged" } else { "route" }
    )?;
    write!(out, "<ExtendedData>")?;
    let mut data: Vec<(String, String)> = vec![
        ("route_id".into(), r.id.clone()),
        ("score".into(), fixed(r.score.score)),
        ("flagged".into(), r.score.flagged.to_string()),
        ("path".into(), path_codes),
        ("parties".into(), r.parties.join(" > ")),
        ("shipment_ids".into(), r.shipment_ids.join(";")),
        ("first_date".into(), r.first_date.to_string()),
        ("last_date".into(), r.last_date.to_string()),
        ("basis".into(), r.score.basis.label().to_string()),
        ("licences".into(), r.licence_notes.join("; ")),
    ];
    data.extend(
        indicator_names()
            .into_iter()
            .map(|n| (format!("f_{n}"), fixed(r.score.value(n)))),
    );
    if let Some(t) = triage {
        let (disposition, notes) = super::triage_cells(r, t, g);
        data.push(("disposition".into(), disposition));
        data.push(("notes".into(), notes));
    }
    for (name, value) in data {
        write!(
            out,
            r#"<Data name="{}"><value>{}</value></Data>"#,
            xml(&name),
            xml(&value)
        )?;
    }
    writeln!(out, "</ExtendedData>")?;
    let parts = route_lines(&r.stops, super::geojson::STEP_KM);
    let line = |part: &Vec<geo::Point<f64>>| {
        let coords: Vec<String> = part
            .iter()
            .map(|p| format!("{:.6},{:.6}", p.x(), p.y()))
            .collect();
        format!(
            "<LineString><tessellate>1</tessellate><coordinates>{}</coordinates></LineString>",
            coords.join(" ")
        )
    };
    match parts.len() {
        0 => {}
        1 => writeln!(out, "{}", line(&parts[0]))?,
        _ => writeln!(
            out,
            "<MultiGeometry>{}</MultiGeometry>",
            parts.iter().map(line).collect::<String>()
        )?,
    }
    writeln!(out, "</Placemark>")?;
    Ok(out)
}
