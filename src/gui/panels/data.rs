//! The Data panel: loaded files with format and row counts, rejected rows with their reasons,
//! files that failed, and the column-mapping dialog for headers Chiptrail does not know.

use crate::ingest::Column;

use crate::gui::command::Command;
use crate::gui::state::State;

pub fn data_ui(ui: &mut egui::Ui, app: &State) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        if ui.button("Add files…").clicked() {
            commands.push(Command::OpenDialog);
        }
        ui.small("or drop files on the window");
    });
    for (i, d) in app.datasets.iter().enumerate() {
        let p = &d.provenance;
        let name = p.file_name();
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
            .on_hover_text(match &p.archive {
                Some(a) => format!(
                    "{}\nSHA-256 {}\nin {} (SHA-256 {})\n{}",
                    p.path.display(),
                    p.sha256,
                    a.path.display(),
                    a.sha256,
                    p.encoding
                ),
                None => format!("{}\nSHA-256 {}\n{}", p.path.display(), p.sha256, p.encoding),
            });
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
    orphans_ui(ui, app);
    commands
}

/// Dispositions and notes whose route the data no longer has (its shipments changed): listed,
/// never dropped, so that the investigator can see what they concluded about it.
fn orphans_ui(ui: &mut egui::Ui, app: &State) {
    if app.orphans.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!(
        "Dispositions without a route ({})",
        app.orphans.len()
    ))
    .id_salt("orphans")
    .show(ui, |ui| {
        ui.small("The data changed: no route holds these shipments any more.");
        for key in &app.orphans {
            let Some(entry) = app.triage.get(key) else {
                continue;
            };
            ui.small(format!(
                "{} · {} · {} note(s)",
                entry.disposition.label(),
                key.0,
                entry.notes.len()
            ))
            .on_hover_text(
                entry
                    .notes
                    .iter()
                    .map(|n| format!("{} {}", n.at, n.text))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
    });
}

/// The column-mapping dialog: per canonical column, a drop-down over the file's headers and a
/// value for every row (for a column the file lacks: a country's own declarations never name
/// that country); the mapping can be saved and loaded again.
pub fn mapping_dialog(ctx: &egui::Context, app: &State) -> Option<Command> {
    let dialog = app.mapping_dialog.as_ref()?;
    let mut command = None;
    let mut open = true;
    let problems = dialog.problems();
    egui::Window::new("Map columns")
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(format!(
                "Chiptrail cannot read {} without help.",
                dialog.path.display()
            ));
            ui.small(&dialog.message);
            ui.small(
                "For each column, choose the file's column, or type the value every row has \
                 (the country a national customs extract is for, e.g. KR).",
            );
            egui::Grid::new("mapping").striped(true).show(ui, |ui| {
                ui.strong("column");
                ui.strong("column in the file");
                ui.strong("or the same for every row");
                ui.end_row();
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
                    let mut chosen = dialog.chosen[k];
                    egui::ComboBox::from_id_salt(("map", k))
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut chosen, None, "—");
                            for (i, h) in dialog.header.iter().enumerate() {
                                ui.selectable_value(&mut chosen, Some(i), h);
                            }
                        });
                    if chosen != dialog.chosen[k] {
                        command = Some(Command::MapColumn(k, chosen));
                    }
                    ui.horizontal(|ui| {
                        let mut fixed = dialog.fixed[k].clone();
                        let typed = ui
                            .add(
                                egui::TextEdit::singleline(&mut fixed)
                                    .id_salt(("fixed", k))
                                    .desired_width(110.0)
                                    .hint_text("same for every row"),
                            )
                            .accessible_name(format!("{} for every row", col.name()));
                        if typed.changed() {
                            command = Some(Command::MapValue(k, fixed));
                        }
                        if let Some(problem) = &problems[k] {
                            ui.colored_label(crate::gui::theme::FLAG, problem);
                        }
                    });
                    ui.end_row();
                }
            });
            let missing: Vec<&str> = dialog.missing().iter().map(|c| c.name()).collect();
            let invalid = problems.iter().any(Option::is_some);
            if !missing.is_empty() {
                ui.small(format!("still needed: {}", missing.join(", ")));
            }
            if let Some(status) = &dialog.status {
                ui.small(status);
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        missing.is_empty() && !invalid,
                        egui::Button::new("Load with this mapping"),
                    )
                    .clicked()
                {
                    command = Some(Command::OpenWithMapping(
                        dialog.path.clone(),
                        Box::new(dialog.mapping()),
                    ));
                }
                if ui
                    .button("Save this mapping…")
                    .on_hover_text(
                        "Keep these choices in a file, to load the next extract like this one",
                    )
                    .clicked()
                {
                    command = Some(Command::SaveMapping);
                }
                if ui
                    .button("Load mapping…")
                    .on_hover_text("Fill the choices from a mapping saved earlier")
                    .clicked()
                {
                    command = Some(Command::LoadMapping);
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
