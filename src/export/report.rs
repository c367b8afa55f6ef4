//! The evidence report: a folder an investigator can hand over, for the confirmed routes of a
//! case (or, when none is confirmed, the flagged ones).
//!
//! - `report.html`: one self-contained page (no network, no scripts) that prints well, one route
//!   per page: a vector map of its path, the score breakdown (each factor's value, weight,
//!   contribution, evidence, rule, and the rows it rests on), the legs with their file and line,
//!   the licence status, the disposition and notes; and for the whole report the input files
//!   with their sizes and SHA-256, the scorer's version, the rules digest and the time it was
//!   made (given by the caller).
//! - `routes.csv`: one row per leg with the route's score, flag, basis, disposition and every
//!   factor ([`write_legs_csv`]).
//! - `routes.geojson`, `routes.kml`: the routes' paths with their dispositions and notes.
//! - `map.png`: the app's map view with its legend, when the caller gives one (the command line
//!   has no map view: the page says so).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{SafeCsv, fixed, write_atomic};
use crate::analysis::{Analysis, RouteKind, ScoredRoute};
use crate::case::CaseInput;
use crate::gazetteer::Gazetteer;
use crate::model::{Dataset, Flow, Format, Shipment};
use crate::scoring::indicators::{indicator_names, qty, usd};
use crate::scoring::licences::LegLicence;
use crate::triage::{Disposition, RouteKey, Triage};

/// Everything a report is made from.
pub struct Report<'a> {
    pub analysis: &'a Analysis,
    /// Every loaded dataset in the order the analysis was run on ([`Analysis::run_all`]):
    /// legs and corridor rows are found in them by that order.
    pub datasets: &'a [&'a Dataset],
    pub triage: &'a Triage,
    /// The input files with their sizes, hashes and how they were read.
    pub inputs: &'a [CaseInput],
    /// When the report is made, as the caller gives it (ISO 8601, UTC).
    pub made_at: &'a str,
    /// What the report is of (the case file's name).
    pub title: &'a str,
    /// The app's map view with its legend, as PNG; `None` from the command line.
    pub map_png: Option<&'a [u8]>,
}

/// Which routes a report holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chosen {
    /// The routes an investigator confirmed.
    Confirmed,
    /// No route is confirmed: the flagged ones.
    Flagged,
}

/// The routes a report holds: the confirmed ones, or when none is, the flagged ones; indices
/// into `analysis.routes`, highest score first.
pub fn chosen_routes(analysis: &Analysis, triage: &Triage, g: &Gazetteer) -> (Chosen, Vec<usize>) {
    let confirmed: Vec<usize> = analysis
        .routes
        .iter()
        .enumerate()
        .filter(|(_, r)| triage.disposition(&RouteKey::of(r, g)) == Disposition::Confirmed)
        .map(|(i, _)| i)
        .collect();
    if !confirmed.is_empty() {
        return (Chosen::Confirmed, confirmed);
    }
    let flagged = analysis
        .routes
        .iter()
        .enumerate()
        .filter(|(_, r)| r.score.flagged)
        .map(|(i, _)| i)
        .collect();
    (Chosen::Flagged, flagged)
}

/// What [`write_report`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub chosen: Chosen,
    /// The ids of the routes in the report, in order.
    pub routes: Vec<String>,
    /// Every file written, `report.html` first.
    pub files: Vec<PathBuf>,
}

/// Writes the report folder `dir` (created when missing; files of the same names are replaced,
/// each atomically).
pub fn write_report(dir: &Path, report: &Report<'_>) -> std::io::Result<Written> {
    let g = Gazetteer::embedded();
    std::fs::create_dir_all(dir)?;
    let (chosen, indices) = chosen_routes(report.analysis, report.triage, g);
    // Every route in the report with its evidence in words.
    let explained: Vec<_> = indices
        .iter()
        .filter_map(|i| report.analysis.explained(*i, report.datasets))
        .collect();
    let routes: Vec<&ScoredRoute> = explained.iter().map(|r| &**r).collect();
    let mut files = Vec::new();
    let html_path = dir.join("report.html");
    let page = html(report, &routes, chosen);
    write_atomic(&html_path, |out| out.write_all(page.as_bytes()))?;
    files.push(html_path);
    let csv_path = dir.join("routes.csv");
    write_legs_csv(&csv_path, report, &routes)?;
    files.push(csv_path);
    let geojson_path = dir.join("routes.geojson");
    super::geojson::write_triaged(&geojson_path, &routes, g, Some(report.triage))?;
    files.push(geojson_path);
    let kml_path = dir.join("routes.kml");
    super::kml::write_triaged(&kml_path, &routes, g, Some(report.triage))?;
    files.push(kml_path);
    if let Some(png) = report.map_png {
        let png_path = dir.join("map.png");
        write_atomic(&png_path, |out| out.write_all(png))?;
        files.push(png_path);
    }
    Ok(Written {
        chosen,
        routes: routes.iter().map(|r| r.id.clone()).collect(),
        files,
    })
}

/// Where legs and corridor rows come from: the shipment and country-level datasets in the
/// order the analysis numbered them.
struct Sources<'a> {
    shipments: Vec<&'a Dataset>,
    flows: Vec<&'a Dataset>,
}

impl<'a> Sources<'a> {
    fn new(datasets: &[&'a Dataset]) -> Sources<'a> {
        let trade = || {
            datasets
                .iter()
                .copied()
                .filter(|d| !d.provenance.format.is_screening())
        };
        Sources {
            shipments: trade()
                .filter(|d| d.provenance.format == Format::Shipments)
                .collect(),
            flows: trade().filter(|d| d.provenance.format.is_flows()).collect(),
        }
    }

    fn shipment(&self, dataset: u32, row: u32) -> Option<(&'a Dataset, &'a Shipment)> {
        let d = *self.shipments.get(dataset as usize)?;
        Some((d, d.shipments().get(row as usize)?))
    }

    fn flow(&self, dataset: u32, row: u32) -> Option<(&'a Dataset, &'a Flow)> {
        let d = *self.flows.get(dataset as usize)?;
        Some((d, d.flows().get(row as usize)?))
    }
}

/// One leg (or one country-level row of a corridor) as the report shows it.
struct LegRow {
    hop: String,
    shipment_id: String,
    date: String,
    exporter: String,
    exporter_country: String,
    importer: String,
    importer_country: String,
    hs: String,
    description: String,
    quantity: String,
    unit: String,
    value_usd: f64,
    file: String,
    line: u64,
    licence: String,
    violation: bool,
}

fn leg_rows(
    r: &ScoredRoute,
    analysis: &Analysis,
    sources: &Sources<'_>,
    g: &Gazetteer,
) -> Vec<LegRow> {
    let code = |c| g.country(c).code();
    match &r.kind {
        RouteKind::Shipments(route) => route
            .legs
            .iter()
            .zip(&route.hops)
            .map(|(leg, hop)| {
                let l = &analysis.ledger.legs[*leg as usize];
                let (dataset, row) = analysis.ledger.source(*leg);
                let found = sources.shipment(dataset, row);
                let name = |id| {
                    found
                        .and_then(|(d, _)| d.party(id))
                        .map(|p| p.display_name().to_string())
                        .unwrap_or_default()
                };
                let s = found.map(|(_, s)| s);
                let licence = analysis.licences.of(*leg);
                LegRow {
                    hop: hop.to_string(),
                    shipment_id: l.shipment_id.to_string(),
                    date: l.date.to_string(),
                    exporter: s.map(|s| name(s.exporter)).unwrap_or_default(),
                    exporter_country: code(l.from_country),
                    importer: s.map(|s| name(s.importer)).unwrap_or_default(),
                    importer_country: code(l.to_country),
                    hs: l.hs.to_string(),
                    description: s.map(|s| s.description.to_string()).unwrap_or_default(),
                    quantity: s.map(|s| qty(s.quantity)).unwrap_or_default(),
                    unit: s
                        .and_then(|s| s.unit.as_deref())
                        .unwrap_or_default()
                        .to_string(),
                    value_usd: l.value_usd,
                    file: found
                        .map(|(d, _)| d.provenance.file_name())
                        .unwrap_or_default(),
                    line: s.map_or(0, |s| u64::from(s.line)),
                    licence: if licence == LegLicence::NotApplicable {
                        String::new()
                    } else {
                        analysis.licences.describe(*leg)
                    },
                    violation: licence.is_violation(),
                }
            })
            .collect(),
        RouteKind::Corridor { flows } => flows
            .iter()
            .filter_map(|(d, row)| sources.flow(*d, *row))
            .map(|(d, f)| {
                let (from, to) = if f.direction.is_import() {
                    (f.partner, f.reporter)
                } else {
                    (f.reporter, f.partner)
                };
                LegRow {
                    hop: String::new(),
                    shipment_id: String::new(),
                    date: f.period.to_string(),
                    exporter: String::new(),
                    exporter_country: code(from),
                    importer: String::new(),
                    importer_country: code(to),
                    hs: f.hs_code.to_string(),
                    description: format!(
                        "country-level flow {} reported by {}",
                        f.flow_code.code(),
                        code(f.reporter)
                    ),
                    quantity: f.quantity.map(qty).unwrap_or_default(),
                    unit: f.qty_unit.clone().unwrap_or_default(),
                    value_usd: f.value_usd,
                    file: d.provenance.file_name(),
                    line: f.line,
                    licence: String::new(),
                    violation: false,
                }
            })
            .collect(),
    }
}

/// Writes the routes one row per leg: where each leg comes from (file and line), its licence
/// status, then the route's score, flag, basis and disposition and one `f_<indicator>` column
/// per factor. A corridor has a row per country-level row it sums.
pub fn write_legs_csv(
    path: &Path,
    report: &Report<'_>,
    routes: &[&ScoredRoute],
) -> std::io::Result<()> {
    let g = Gazetteer::embedded();
    let sources = Sources::new(report.datasets);
    write_atomic(path, |out| {
        let mut csv = SafeCsv::new(out);
        let names = indicator_names();
        let mut header: Vec<String> = [
            "route_id",
            "leg",
            "hop",
            "shipment_id",
            "date",
            "exporter",
            "exporter_country",
            "importer",
            "importer_country",
            "hs_code",
            "description",
            "quantity",
            "unit",
            "value_usd",
            "file",
            "line",
            "licence",
            "score",
            "flagged",
            "basis",
            "disposition",
        ]
        .map(String::from)
        .to_vec();
        header.extend(names.iter().map(|n| format!("f_{n}")));
        csv.row(&header)?;
        for r in routes {
            let disposition = report.triage.disposition(&RouteKey::of(r, g));
            for (i, leg) in leg_rows(r, report.analysis, &sources, g)
                .into_iter()
                .enumerate()
            {
                let mut row = vec![
                    r.id.clone(),
                    (i + 1).to_string(),
                    leg.hop,
                    leg.shipment_id,
                    leg.date,
                    leg.exporter,
                    leg.exporter_country,
                    leg.importer,
                    leg.importer_country,
                    leg.hs,
                    leg.description,
                    leg.quantity,
                    leg.unit,
                    format!("{:.2}", leg.value_usd),
                    leg.file,
                    leg.line.to_string(),
                    leg.licence,
                    fixed(r.score.score),
                    r.score.flagged.to_string(),
                    r.score.basis.label().to_string(),
                    disposition.label().to_string(),
                ];
                row.extend(names.iter().map(|n| fixed(r.score.value(n))));
                csv.row(&row)?;
            }
        }
        csv.flush()
    })
}

/// Escapes text for HTML (element content and quoted attributes).
pub fn esc(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

const STYLE: &str = r#"
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, "Noto Sans CJK SC", "Droid Sans Fallback", sans-serif;
       font-size: 9.5pt; line-height: 1.35; color: #222; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 17pt; margin: 0 0 4pt; }
h2 { font-size: 13pt; margin: 0 0 4pt; }
h3 { font-size: 10.5pt; margin: 10pt 0 3pt; }
table { border-collapse: collapse; width: 100%; margin: 3pt 0 8pt; }
th, td { border: 0.5pt solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; font-weight: 600; }
thead { display: table-header-group; }
tr, figure, .note-text { break-inside: avoid; page-break-inside: avoid; }
table.facts th { width: 28%; }
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
table.factors col.name { width: 17%; } table.factors col.n { width: 7%; }
table.factors col.evidence { width: 27%; } table.factors col.rule { width: 21%; }
.code { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; color: #555; overflow-wrap: anywhere; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; }
.small { font-size: 8pt; color: #555; }
.flag { color: #c81e1e; font-weight: bold; }
.violation { color: #c81e1e; }
.notice { border-left: 3pt solid #999; padding: 2pt 6pt; color: #444; }
.note-text { white-space: pre-wrap; }
figure { margin: 4pt 0 6pt; }
figure img, svg.route-map { width: 100%; height: auto; border: 0.5pt solid #999; display: block; }
figcaption { font-size: 8pt; color: #555; }
section.route { break-before: page; page-break-before: always; }
@media screen {
  body { padding: 16px; }
  section.route { border-top: 2px solid #444; margin-top: 28px; padding-top: 10px; }
}
"#;

/// The report page.
pub fn html(report: &Report<'_>, routes: &[&ScoredRoute], chosen: Chosen) -> String {
    let g = Gazetteer::embedded();
    let analysis = report.analysis;
    let rules = &analysis.rules;
    let sources = Sources::new(report.datasets);
    let mut h = String::new();
    let title = format!("Chiptrail evidence report: {}", report.title);
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>Evidence report</h1>\n<p><strong>{}</strong></p>",
        esc(&title),
        esc(report.title)
    );
    let what = match (chosen, routes.len()) {
        (_, 0) => "No route is confirmed or flagged: the report holds no route.".to_string(),
        (Chosen::Confirmed, n) => format!(
            "{n} route{} confirmed by the investigator.",
            if n == 1 { "" } else { "s" }
        ),
        (Chosen::Flagged, n) => format!(
            "No route is confirmed yet: the {n} flagged route{}.",
            if n == 1 { "" } else { "s" }
        ),
    };
    let _ = writeln!(h, "<p>{}</p>", esc(&what));
    let _ = writeln!(
        h,
        "<table class=\"facts\">\n<tr><th>Made at</th><td>{}</td></tr>\n<tr><th>Scorer</th><td>Chiptrail {}</td></tr>\n<tr><th>Rules digest (SHA-256)</th><td class=\"mono\">{}</td></tr>\n<tr><th>Flag threshold</th><td>{}</td></tr>\n<tr><th>Routes scored</th><td>{} ({} flagged)</td></tr>\n</table>",
        esc(report.made_at),
        esc(env!("CARGO_PKG_VERSION")),
        esc(&rules.digest()),
        rules.scoring.flag_threshold,
        analysis.routes.len(),
        analysis.routes.iter().filter(|r| r.score.flagged).count(),
    );
    match report.map_png {
        Some(png) => {
            let _ = writeln!(
                h,
                "<figure><img alt=\"The map view with its legend\" src=\"data:image/png;base64,{}\"><figcaption>The map view as shown in the app, with its legend (also in map.png).</figcaption></figure>",
                base64(png)
            );
        }
        None => h.push_str(
            "<p class=\"notice\">The map view with its legend is made by the app; this report was made with the command line and leaves it out. Each route below has its own map.</p>\n",
        ),
    }
    h.push_str("<h2>Input files</h2>\n<table>\n<thead><tr><th>File</th><th>Size (bytes)</th><th>SHA-256</th><th>Read as</th><th>Rows loaded / total</th></tr></thead>\n<tbody>\n");
    for input in report.inputs {
        let formats: Vec<&str> = {
            let mut f: Vec<&str> = input.tables.iter().map(|t| t.format.name()).collect();
            f.dedup();
            f
        };
        let loaded: usize = input.tables.iter().map(|t| t.rows_loaded).sum();
        let total: usize = input.tables.iter().map(|t| t.rows_total).sum();
        let mut read_as = formats.join(", ");
        if input.read_as.is_some() {
            read_as.push_str(" (forced)");
        }
        let _ = write!(
            h,
            "<tr><td class=\"mono\">{}</td><td class=\"num\">{}</td><td class=\"mono\">{}</td><td>{}",
            esc(&input.path.display().to_string()),
            input.size,
            esc(&input.sha256),
            esc(&read_as),
        );
        if let Some(m) = &input.mapping {
            let _ = write!(
                h,
                "<br><span class=\"small\">column mapping:</span><pre class=\"mono\">{}</pre>",
                esc(m)
            );
        }
        if let Some(d) = input.date_order {
            let _ = write!(
                h,
                "<br><span class=\"small\">dates {}</span>",
                esc(d.name())
            );
        }
        let _ = writeln!(h, "</td><td class=\"num\">{loaded} / {total}</td></tr>");
    }
    h.push_str("</tbody>\n</table>\n");
    if !routes.is_empty() {
        h.push_str("<h2>Routes in this report</h2>\n<table>\n<thead><tr><th>Route</th><th>Path</th><th>Score</th><th>Disposition</th><th>Value delivered</th></tr></thead>\n<tbody>\n");
        for r in routes {
            let d = report.triage.disposition(&RouteKey::of(r, g));
            let _ = writeln!(
                h,
                "<tr><td><a href=\"#{id}\">{id}</a></td><td>{}</td><td class=\"num\">{:.3}{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(&r.path_joined(g, " → ")),
                r.score.score,
                if r.score.flagged {
                    " <span class=\"flag\">flagged</span>"
                } else {
                    ""
                },
                esc(d.label()),
                esc(&usd(r.value_usd)),
                id = esc(&r.id),
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</header>\n");
    for r in routes {
        route_section(&mut h, report, r, &sources, g);
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn route_section(
    h: &mut String,
    report: &Report<'_>,
    r: &ScoredRoute,
    sources: &Sources<'_>,
    g: &Gazetteer,
) {
    let analysis = report.analysis;
    let threshold = analysis.rules.scoring.flag_threshold;
    let key = RouteKey::of(r, g);
    let entry = report.triage.get(&key);
    let _ = writeln!(
        h,
        "<section class=\"route\" id=\"{id}\">\n<h2>{id} · {}</h2>",
        esc(&r.path_joined(g, " → ")),
        id = esc(&r.id)
    );
    let _ = writeln!(
        h,
        "<p>{} score {:.3} (flag at {threshold}) · {}</p>",
        if r.score.flagged {
            "<span class=\"flag\">FLAGGED</span>"
        } else {
            "not flagged"
        },
        r.score.score,
        esc(r.score.basis.label())
    );
    if !r.score.note.is_empty() {
        let _ = writeln!(h, "<p class=\"notice\">{}</p>", esc(&r.score.note));
    }
    h.push_str("<table class=\"facts\">\n");
    let countries: Vec<String> = r
        .countries
        .iter()
        .map(|c| {
            let c = g.country(*c);
            format!("{} ({})", c.name, c.code())
        })
        .collect();
    let mut fact = |name: &str, value: &str| {
        let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(name), esc(value));
    };
    fact("Countries", &countries.join(" → "));
    if !r.parties.is_empty() {
        fact("Parties", &r.parties.join(" → "));
    }
    fact("Dates", &format!("{} – {}", r.first_date, r.last_date));
    fact(
        "Delivered",
        &format!("quantity {} · {}", qty(r.quantity), usd(r.value_usd)),
    );
    fact(
        "Disposition",
        &match entry {
            Some(e) if !e.set_at.is_empty() => {
                format!("{} (set {})", e.disposition.label(), e.set_at)
            }
            Some(e) => e.disposition.label().to_string(),
            None => Disposition::Open.label().to_string(),
        },
    );
    fact("Route key", &key.0);
    h.push_str("</table>\n");
    let map = super::route_map::svg(
        &super::route_map::RouteMap {
            id: &r.id,
            stops: &r.stops,
            countries: &r.countries,
            width: 640.0,
            height: 300.0,
        },
        g,
    );
    let _ = writeln!(
        h,
        "<figure>{map}<figcaption>Path of {} along great circles, stops numbered in order; countries of concern tinted. Natural Earth country outlines, Web Mercator.</figcaption></figure>",
        esc(&r.id)
    );
    // Score breakdown.
    let _ = writeln!(
        h,
        "<h3>Score breakdown</h3>\n<p class=\"small\">delivers (product × destination) {:.2} · behaves like diversion {:.2} · the contributions add up to the score</p>",
        r.score.gate, r.score.behaviour
    );
    h.push_str("<table class=\"factors\">\n<colgroup><col class=\"name\"><col class=\"n\"><col class=\"n\"><col class=\"n\"><col class=\"evidence\"><col class=\"rule\"><col></colgroup>\n<thead><tr><th>Factor</th><th>Value</th><th>Weight</th><th>Contribution</th><th>Evidence</th><th>Rule</th><th>Rows</th></tr></thead>\n<tbody>\n");
    let mut factors: Vec<_> = r.score.factors.iter().collect();
    factors.sort_by(|a, b| {
        b.contribution
            .total_cmp(&a.contribution)
            .then(b.value.total_cmp(&a.value))
    });
    for f in factors {
        let rows: Vec<String> = match &r.kind {
            RouteKind::Shipments(_) => f
                .legs
                .iter()
                .filter_map(|l| Some((analysis.ledger.legs.get(*l as usize)?, *l)))
                .map(|(l, at)| {
                    let (dataset, row) = analysis.ledger.source(at);
                    let (file, line) = sources
                        .shipment(dataset, row)
                        .map(|(d, s)| (d.provenance.file_name(), s.line))
                        .unwrap_or_default();
                    format!("{} ({file} line {line})", l.shipment_id)
                })
                .collect(),
            RouteKind::Corridor { .. } => Vec::new(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}<br><span class=\"code\">f_{}</span></td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.3}</td><td>{}</td><td class=\"small\">{}</td><td class=\"small\">{}</td></tr>",
            esc(&f.indicator.replace('_', " ")),
            esc(f.indicator),
            f.value,
            f.weight,
            f.contribution,
            esc(&f.evidence),
            esc(&f.threshold),
            esc(&rows.join("; ")),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    let unfired = r
        .score
        .unfired(crate::analysis::checked_indicators(&r.kind));
    if !unfired.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"small\">Checked, not fired: {}</p>",
            esc(&unfired.join(", ").replace('_', " "))
        );
    }
    // Legs.
    let legs = leg_rows(r, analysis, sources, g);
    let _ = writeln!(
        h,
        "<h3>{} ({})</h3>\n<table>\n<thead><tr><th>#</th><th>Date</th><th>From</th><th>To</th><th>HS · description</th><th>Quantity</th><th>Value</th><th>Source</th></tr></thead>\n<tbody>",
        if matches!(r.kind, RouteKind::Corridor { .. }) {
            "Country-level rows"
        } else {
            "Legs"
        },
        legs.len()
    );
    for (i, l) in legs.iter().enumerate() {
        let party = |name: &str, country: &str| {
            if name.is_empty() {
                esc(country).into_owned()
            } else {
                format!("{} ({})", esc(name), esc(country))
            }
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"num\">{}{}</td><td class=\"nowrap\">{}</td><td>{}</td><td>{}</td><td>HS {}<br>{}</td><td class=\"num\">{} {}</td><td class=\"num\">{}</td><td class=\"small\">{}{} line {}</td></tr>",
            i + 1,
            if l.hop.is_empty() {
                String::new()
            } else {
                format!("<br><span class=\"small\">hop {}</span>", esc(&l.hop))
            },
            esc(&l.date),
            party(&l.exporter, &l.exporter_country),
            party(&l.importer, &l.importer_country),
            esc(&l.hs),
            esc(&l.description),
            esc(&l.quantity),
            esc(&l.unit),
            esc(&usd(l.value_usd)),
            if l.shipment_id.is_empty() {
                String::new()
            } else {
                format!("{}<br>", esc(&l.shipment_id))
            },
            esc(&l.file),
            l.line,
        );
    }
    h.push_str("</tbody>\n</table>\n");
    // Licence status.
    h.push_str("<h3>Licence status</h3>\n");
    let licensed: Vec<&LegRow> = legs.iter().filter(|l| !l.licence.is_empty()).collect();
    if licensed.is_empty() {
        h.push_str("<p>No licence question applies to these rows (no controlled export to a country of concern, and no licence names these parties).</p>\n");
    } else {
        h.push_str("<ul>\n");
        for l in licensed {
            let _ = writeln!(
                h,
                "<li{}>{}: {}</li>",
                if l.violation {
                    " class=\"violation\""
                } else {
                    ""
                },
                esc(&l.shipment_id),
                esc(&l.licence)
            );
        }
        h.push_str("</ul>\n");
    }
    // Disposition and notes.
    h.push_str("<h3>Disposition and notes</h3>\n");
    match entry {
        Some(e) => {
            let _ = writeln!(
                h,
                "<p>Disposition: <strong>{}</strong>{}</p>",
                esc(e.disposition.label()),
                if e.set_at.is_empty() {
                    String::new()
                } else {
                    format!(" (set {})", esc(&e.set_at))
                }
            );
            if e.notes.is_empty() {
                h.push_str("<p class=\"small\">No notes.</p>\n");
            }
            for n in &e.notes {
                let _ = writeln!(
                    h,
                    "<div class=\"note-text\"><span class=\"small\">{}</span>\n{}</div>",
                    esc(&n.at),
                    esc(&n.text)
                );
            }
        }
        None => h.push_str("<p>Disposition: <strong>open</strong>. No notes.</p>\n"),
    }
    h.push_str("</section>\n");
}

/// Standard base64 (RFC 4648, with padding), for the embedded map image.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_base64_is_standard() {
        assert_eq!(
            esc("Lion & Co <b>\"x\" 'y'"),
            "Lion &amp; Co &lt;b&gt;&quot;x&quot; &#39;y&#39;"
        );
        assert!(matches!(esc("深圳 plain"), Cow::Borrowed(_)));
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
