//! The details panel of the selected route: its disposition and notes, legs, score breakdown
//! with evidence and thresholds, and the source rows.

use crate::analysis::{RouteKind, checked_indicators};
use crate::scoring::indicators::{qty, usd};
use crate::scoring::licences::LegLicence;

use crate::gui::command::{Command, ExportFormat, ExportScope};
use crate::gui::state::State;
use crate::gui::theme;
use crate::triage::Disposition;

/// The label of a disposition's button, and the key that sets it.
pub fn disposition_button(d: Disposition) -> (&'static str, &'static str) {
    match d {
        Disposition::Open => ("Open", "O"),
        Disposition::Confirmed => ("Confirmed", "C"),
        Disposition::Dismissed => ("Dismissed", "D"),
        Disposition::NeedsInformation => ("Needs information", "N"),
    }
}

/// The disposition buttons, the notes with their times, and a box to add one.
fn triage_ui(ui: &mut egui::Ui, app: &State, route: usize, commands: &mut Vec<Command>) {
    let entry = app.entry(route);
    let current = app.disposition(route);
    ui.horizontal_wrapped(|ui| {
        ui.label("Disposition");
        for d in Disposition::ALL {
            let (label, key) = disposition_button(d);
            // The selected button is marked by its background; text in the disposition's
            // colour would not read on it.
            if ui
                .selectable_label(d == current, label)
                .on_hover_text(format!("Set this route's disposition (key {key})"))
                .clicked()
                && d != current
            {
                commands.push(Command::SetDisposition(route, d));
            }
        }
    });
    if let Some(e) = entry.filter(|e| !e.set_at.is_empty()) {
        let colour = theme::disposition_color(e.disposition).unwrap_or(theme::MUTED);
        ui.small(
            egui::RichText::new(format!("{} since {}", e.disposition.label(), e.set_at))
                .color(colour),
        );
    }
    let notes = entry.map(|e| e.notes.as_slice()).unwrap_or_default();
    egui::CollapsingHeader::new(format!("Notes ({})", notes.len()))
        .id_salt("notes")
        .default_open(true)
        .show(ui, |ui| {
            for n in notes {
                ui.horizontal_wrapped(|ui| {
                    ui.small(egui::RichText::new(&n.at).color(theme::MUTED));
                    ui.label(&n.text);
                });
            }
            // The note being written is the panel's own, kept per route in egui's memory.
            let draft_id = egui::Id::unique(("note-draft", app.route_keys.get(route)));
            let mut draft: String = ui.data(|d| d.get_temp(draft_id)).unwrap_or_default();
            let edit = ui
                .add(
                    egui::TextEdit::multiline(&mut draft)
                        .id_salt("note")
                        .desired_rows(2)
                        .desired_width(f32::INFINITY)
                        .hint_text("A note on this route (what was checked, what is missing)"),
                )
                .accessible_name("Note");
            let add = ui
                .add_enabled(!draft.trim().is_empty(), egui::Button::new("Add note"))
                .clicked();
            if add {
                commands.push(Command::AddNote(route, draft.clone()));
                draft.clear();
                edit.surrender_focus();
            }
            ui.data_mut(|d| d.insert_temp(draft_id, draft));
        });
}

pub fn details_ui(ui: &mut egui::Ui, app: &State) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(route) = app.selected.filter(|s| *s < app.analysis.routes.len()) else {
        return commands;
    };
    // A route scored without words (the app explains flagged ones as it scores) is explained
    // when selected (`State::selected_explained`), or here when that is not up to date yet.
    let explained = match &app.selected_explained {
        Some((i, r)) if *i == route => Some(std::borrow::Cow::Borrowed(r)),
        _ => {
            let datasets: Vec<&crate::model::Dataset> = app.datasets.iter().map(|d| &**d).collect();
            app.analysis.explained(route, &datasets)
        }
    };
    let Some(explained) = explained else {
        return commands;
    };
    let r: &crate::analysis::ScoredRoute = &explained;
    ui.horizontal(|ui| {
        let g = crate::gazetteer::Gazetteer::embedded();
        ui.heading(format!("{} {}", r.id, r.path_joined(g, " → ")));
        if ui
            .small_button("×")
            .on_hover_text("Clear the selection")
            .clicked()
        {
            commands.push(Command::Select(None));
        }
    });
    let threshold = app.analysis.rules.scoring.flag_threshold;
    ui.horizontal(|ui| {
        let verdict = if r.score.flagged {
            "FLAGGED"
        } else {
            "not flagged"
        };
        ui.colored_label(
            theme::score_color(r.score.score, threshold, 1.0),
            format!("score {:.3} · {verdict}", r.score.score),
        );
        ui.small(format!("flag at {threshold}"));
        if ui.button("Zoom to route").clicked() {
            commands.push(Command::ZoomToSelection);
        }
        ui.menu_button("Export", |ui| {
            for (format, label) in [
                (ExportFormat::Csv, "CSV…"),
                (ExportFormat::GeoJson, "GeoJSON…"),
                (ExportFormat::Kml, "KML…"),
            ] {
                if ui.button(label).clicked() {
                    commands.push(Command::Export(ExportScope::Selected, format));
                }
            }
        });
    });
    if !r.parties.is_empty() {
        ui.label(r.parties.join(" → "));
    }
    ui.small(format!(
        "{} – {} · {} · quantity {}",
        r.first_date,
        r.last_date,
        usd(r.value_usd),
        qty(r.quantity)
    ));
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        triage_ui(ui, app, route, &mut commands);
        ui.separator();
        egui::CollapsingHeader::new("Score breakdown")
            .default_open(true)
            .show(ui, |ui| {
                ui.label(egui::RichText::new(r.score.basis.label()).strong());
                if !r.score.note.is_empty() {
                    ui.small(&r.score.note);
                }
                ui.small(format!(
                    "delivers (product × destination): {:.2} · behaves like diversion: {:.2}",
                    r.score.gate, r.score.behaviour
                ));
                let mut factors: Vec<_> = r.score.factors.iter().collect();
                factors.sort_by(|a, b| {
                    b.contribution
                        .total_cmp(&a.contribution)
                        .then(b.value.total_cmp(&a.value))
                });
                for f in factors {
                    ui.horizontal(|ui| {
                        ui.add_sized(
                            [150.0, 16.0],
                            egui::Label::new(f.indicator.replace('_', " ")),
                        );
                        ui.add(
                            egui::ProgressBar::new(f.value as f32)
                                .desired_width(120.0)
                                .fill(theme::score_color(f.value, threshold, 1.0))
                                .text(format!("{:.2}", f.value)),
                        );
                        ui.small(format!("+{:.3} (w {:.2})", f.contribution, f.weight));
                    });
                    if !f.evidence.is_empty() {
                        ui.indent(f.indicator, |ui| {
                            ui.small(&f.evidence);
                            if !f.threshold.is_empty() {
                                ui.small(
                                    egui::RichText::new(format!("rule: {}", f.threshold))
                                        .color(theme::MUTED),
                                );
                            }
                        });
                    }
                }
                let unfired = r.score.unfired(checked_indicators(&r.kind));
                if !unfired.is_empty() {
                    ui.small(
                        egui::RichText::new(format!(
                            "checked, not fired: {}",
                            unfired.join(", ").replace('_', " ")
                        ))
                        .color(theme::MUTED),
                    );
                }
            });
        match &r.kind {
            RouteKind::Shipments(route) => {
                egui::CollapsingHeader::new(format!("Legs ({})", route.legs.len()))
                    .default_open(true)
                    .show(ui, |ui| {
                        let shipment_sets: Vec<_> = app
                            .datasets
                            .iter()
                            .filter(|d| d.provenance.format == crate::model::Format::Shipments)
                            .collect();
                        for (leg, hop) in route.legs.iter().zip(&route.hops) {
                            let l = &app.analysis.ledger.legs[*leg as usize];
                            let (dataset, row) = app.analysis.ledger.source(*leg);
                            let d = shipment_sets.get(dataset as usize);
                            let s = d.and_then(|d| d.shipments().get(row as usize));
                            let holders = &app.analysis.ledger.holders;
                            ui.group(|ui| {
                                ui.label(format!(
                                    "hop {hop} · {} · {} ({}) → {} ({})",
                                    l.date,
                                    holders.get(l.from).display_name(),
                                    crate::gazetteer::Gazetteer::embedded()
                                        .country(l.from_country)
                                        .code(),
                                    holders.get(l.to).display_name(),
                                    crate::gazetteer::Gazetteer::embedded()
                                        .country(l.to_country)
                                        .code(),
                                ));
                                ui.small(format!(
                                    "HS {} · {} · quantity {} · {}",
                                    l.hs,
                                    s.map(|s| &*s.description).unwrap_or(""),
                                    qty(l.quantity),
                                    usd(l.value_usd)
                                ));
                                let licence = app.analysis.licences.of(*leg);
                                if licence != LegLicence::NotApplicable {
                                    let colour = if licence.is_violation() {
                                        theme::FLAG
                                    } else {
                                        theme::TEXT
                                    };
                                    ui.small(
                                        egui::RichText::new(app.analysis.licences.describe(*leg))
                                            .color(colour),
                                    );
                                }
                                let file = d.map(|d| d.provenance.file_name()).unwrap_or_default();
                                ui.small(
                                    egui::RichText::new(format!(
                                        "{} · {file} line {}",
                                        l.shipment_id,
                                        s.map_or(0, |s| s.line)
                                    ))
                                    .color(theme::MUTED),
                                );
                            });
                        }
                    });
            }
            RouteKind::Corridor { flows } => corridor_rows(ui, app, flows),
        }
    });
    commands
}

/// The most country-level rows listed; the rest are counted.
const ROWS_SHOWN: usize = 200;

/// The country-level rows behind a corridor: period, who reports, flow, HS, value, file and line.
fn corridor_rows(ui: &mut egui::Ui, app: &State, flows: &[crate::routes::corridors::FlowRef]) {
    let datasets: Vec<&crate::model::Dataset> = app.datasets.iter().map(|d| &**d).collect();
    let rows = crate::analysis::flow_rows(&datasets, flows);
    let g = crate::gazetteer::Gazetteer::embedded();
    egui::CollapsingHeader::new(format!(
        "Country-level rows behind this corridor ({})",
        flows.len()
    ))
    .default_open(true)
    .show(ui, |ui| {
        for (d, f) in rows.iter().take(ROWS_SHOWN) {
            ui.group(|ui| {
                let consigned = f
                    .consigned_from
                    .map(|c| format!(" · consigned from {}", g.country(c).code()))
                    .unwrap_or_default();
                ui.label(format!(
                    "{} · {} reports {} {} {} · HS {} · {}{consigned}",
                    f.period,
                    g.country(f.reporter).code(),
                    f.flow_code.code(),
                    if f.direction.is_import() {
                        "from"
                    } else {
                        "to"
                    },
                    g.country(f.partner).code(),
                    f.hs_code,
                    usd(f.value_usd),
                ));
                let file = d.provenance.file_name();
                ui.small(
                    egui::RichText::new(format!(
                        "{} · {file} line {}",
                        d.provenance.format, f.line
                    ))
                    .color(theme::MUTED),
                );
            });
        }
        if rows.len() > ROWS_SHOWN {
            ui.small(format!("{} more rows", rows.len() - ROWS_SHOWN));
        }
        if rows.len() < flows.len() {
            ui.small(format!(
                "{} rows are in files no longer loaded",
                flows.len() - rows.len()
            ));
        }
    });
}
