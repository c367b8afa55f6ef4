//! The details panel of the selected route: legs, score breakdown with evidence and thresholds,
//! and the source rows.

use crate::analysis::RouteKind;
use crate::scoring::indicators::{qty, usd};
use crate::scoring::licences::LegLicence;

use crate::gui::app::{App, Command, ExportFormat, ExportScope};
use crate::gui::theme;

pub fn details_ui(ui: &mut egui::Ui, app: &App) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(r) = app.selected.and_then(|s| app.analysis.routes.get(s)) else {
        return commands;
    };
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
    egui::ScrollArea::vertical().show(ui, |ui| {
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
                let mut factors: Vec<_> = r
                    .score
                    .factors
                    .iter()
                    .filter(|f| f.weight > 0.0 || f.value > 0.0)
                    .collect();
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
                            let d = shipment_sets.get(l.dataset as usize);
                            let s = d.and_then(|d| d.shipments().get(l.row as usize));
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
                                    s.map(|s| s.description.as_str()).unwrap_or(""),
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
                                let file = d
                                    .and_then(|d| d.provenance.path.file_name())
                                    .map(|n| n.to_string_lossy().into_owned())
                                    .unwrap_or_default();
                                ui.small(
                                    egui::RichText::new(format!(
                                        "{} · {file} line {}",
                                        l.shipment_id, l.line
                                    ))
                                    .color(theme::MUTED),
                                );
                            });
                        }
                    });
            }
            RouteKind::Corridor { flows } => {
                ui.small(format!(
                    "{} country-level rows behind this corridor",
                    flows.len()
                ));
            }
        }
    });
    commands
}
