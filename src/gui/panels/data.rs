//! The Data panel: loaded files with format and row counts, rejected rows with their reasons,
//! files that failed, and the column-mapping dialog for headers Chiptrail does not know.

use crate::ingest::{Column, Mapping};

use crate::gui::app::{App, Command};

pub fn data_ui(ui: &mut egui::Ui, app: &App) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        if ui.button("Add files…").clicked() {
            commands.push(Command::OpenDialog);
        }
        ui.small("or drop files on the window");
    });
    for (i, d) in app.datasets.iter().enumerate() {
        let p = &d.provenance;
        let name = p
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.path.display().to_string());
        ui.group(|ui| {
            ui.horizontal(|ui| {
                ui.strong(&name);
                if ui.small_button("×").on_hover_text("Remove this file").clicked() {
                    commands.push(Command::RemoveDataset(i));
                }
            });
            ui.small(format!(
                "{} · {} rows · {} loaded · {} rejected",
                p.format,
                d.rows_total,
                d.records.len(),
                d.rejects.len()
            ))
            .on_hover_text(format!("{}\nSHA-256 {}\n{}", p.path.display(), p.sha256, p.encoding));
            for note in &p.notes {
                ui.small(format!("note: {note}"));
            }
            if !d.rejects.is_empty() {
                egui::CollapsingHeader::new(format!("Rejected rows ({})", d.rejects.len())).id_salt(("rejects", i)).show(ui, |ui| {
                    egui::ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
                        for r in d.rejects.iter().take(500) {
                            ui.small(format!("line {}, {}: {}", r.line, r.column, r.message));
                        }
                        if d.rejects.len() > 500 {
                            ui.small(format!("… and {} more (write them all with `chiptrail check --rejects`)", d.rejects.len() - 500));
                        }
                    });
                });
            }
        });
    }
    for f in &app.failures {
        ui.colored_label(
            crate::gui::theme::FLAG,
            format!("{}: {}", f.path.display(), f.message),
        );
    }
    commands
}

/// The column-mapping dialog: one drop-down per canonical column over the file's headers.
pub fn mapping_dialog(ctx: &egui::Context, app: &mut App) -> Option<Command> {
    let dialog = app.mapping_dialog.as_mut()?;
    let mut command = None;
    let mut open = true;
    egui::Window::new("Map columns")
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(format!(
                "{} has a header Chiptrail does not know.",
                dialog.path.display()
            ));
            ui.small(&dialog.message);
            egui::Grid::new("mapping").striped(true).show(ui, |ui| {
                for (k, col) in Column::ALL.iter().enumerate() {
                    ui.label(if col.required() {
                        format!("{} *", col.name())
                    } else {
                        col.name().to_string()
                    });
                    let current = dialog.chosen[k]
                        .and_then(|i| dialog.header.get(i))
                        .cloned()
                        .unwrap_or_else(|| "—".into());
                    egui::ComboBox::from_id_salt(("map", k))
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut dialog.chosen[k], None, "—");
                            for (i, h) in dialog.header.iter().enumerate() {
                                ui.selectable_value(&mut dialog.chosen[k], Some(i), h);
                            }
                        });
                    ui.end_row();
                }
            });
            let missing: Vec<&str> = Column::ALL
                .iter()
                .zip(&dialog.chosen)
                .filter(|(c, chosen)| c.required() && chosen.is_none())
                .map(|(c, _)| c.name())
                .collect();
            if !missing.is_empty() {
                ui.small(format!("still needed: {}", missing.join(", ")));
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        missing.is_empty(),
                        egui::Button::new("Load with this mapping"),
                    )
                    .clicked()
                {
                    let pairs: Vec<(Column, String)> = Column::ALL
                        .iter()
                        .zip(&dialog.chosen)
                        .filter_map(|(c, chosen)| chosen.map(|i| (*c, dialog.header[i].clone())))
                        .collect();
                    command = Some(Command::OpenWithMapping(
                        dialog.path.clone(),
                        Box::new(Mapping::from_pairs(&pairs)),
                    ));
                }
                if ui.button("Cancel").clicked() {
                    command = Some(Command::CloseMappingDialog);
                }
            });
        });
    if !open {
        command = Some(Command::CloseMappingDialog);
    }
    command
}
