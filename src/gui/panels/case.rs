//! Case files in the app: the File menu's case items, the recent cases on the start screen, and
//! the dialog for a case that names a missing or changed input (with *Locate…*) or could not be
//! read at all.

use std::path::Path;

use crate::case::CaseProblem;
use crate::gui::command::Command;
use crate::gui::state::State;
use crate::gui::theme;

/// A case's file name, for buttons and titles.
fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The case items of the File menu.
pub fn file_menu(ui: &mut egui::Ui, app: &State, commands: &mut Vec<Command>) {
    if ui.button("Open case…").clicked() {
        commands.push(Command::OpenCaseDialog);
    }
    ui.add_enabled_ui(!app.settings.recent_cases.is_empty(), |ui| {
        ui.menu_button("Open recent", |ui| recent_buttons(ui, app, commands));
    });
    let save = match &app.case_path {
        Some(p) => format!("Save case ({})", name(p)),
        None => "Save case".to_string(),
    };
    if ui
        .add_enabled(
            app.job.is_none(),
            egui::Button::new(save).shortcut_text("Ctrl+S"),
        )
        .on_hover_text("The input files with their hashes, the rules, filters, view, selection, dispositions and notes")
        .clicked()
    {
        commands.push(Command::SaveCase);
    }
    if ui
        .add_enabled(app.job.is_none(), egui::Button::new("Save case as…"))
        .clicked()
    {
        commands.push(Command::SaveCaseAs);
    }
}

/// One button per recent case.
fn recent_buttons(ui: &mut egui::Ui, app: &State, commands: &mut Vec<Command>) {
    for path in &app.settings.recent_cases {
        if ui
            .button(name(path))
            .on_hover_text(path.display().to_string())
            .clicked()
        {
            commands.push(Command::OpenCase(path.clone()));
        }
    }
}

/// The start screen, while no data is loaded: open files or a case, or a recent case.
pub fn start_screen(ctx: &egui::Context, app: &State) -> Vec<Command> {
    let mut commands = Vec::new();
    if !app.datasets.is_empty() || app.case_dialog.is_some() {
        return commands;
    }
    egui::Window::new("Start")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, -40.0))
        .show(ctx, |ui| {
            if app.job.is_some() {
                ui.small("Loading… (the window keeps working meanwhile)");
            } else {
                ui.label("No data loaded.");
            }
            ui.horizontal(|ui| {
                if ui.button("Open data files…").clicked() {
                    commands.push(Command::OpenDialog);
                }
                if ui.button("Open case…").clicked() {
                    commands.push(Command::OpenCaseDialog);
                }
            });
            if !app.settings.recent_cases.is_empty() {
                ui.separator();
                ui.strong("Recent cases");
                recent_buttons(ui, app, &mut commands);
            }
        });
    commands
}

/// What went wrong opening a case, or what to know about one that opened.
pub fn case_dialog(ctx: &egui::Context, app: &State) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(dialog) = &app.case_dialog else {
        return commands;
    };
    let opened = dialog.error.is_none() && dialog.problems.is_empty();
    let title = if opened {
        format!("Case {} opened with warnings", name(&dialog.path))
    } else {
        format!("Cannot open the case {}", name(&dialog.path))
    };
    let mut open = true;
    egui::Window::new(title)
        .id(egui::Id::unique("case-dialog"))
        .open(&mut open)
        .collapsible(false)
        .default_width(560.0)
        .show(ctx, |ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
            if let Some(error) = &dialog.error {
                ui.colored_label(theme::FLAG, error);
                if let Some(backup) = &dialog.backup
                    && ui
                        .button("Open the version saved before")
                        .on_hover_text(backup.display().to_string())
                        .clicked()
                {
                    commands.push(Command::OpenCase(backup.clone()));
                }
            }
            if !dialog.problems.is_empty() {
                ui.label(
                    "The case names files that are not as they were when it was saved. \
                     Locate each one (the original, not a changed copy) to open the case.",
                );
            }
            for problem in &dialog.problems {
                ui.group(|ui| {
                    ui.colored_label(theme::FLAG, problem.to_string());
                    let locatable = matches!(
                        problem,
                        CaseProblem::Missing { .. } | CaseProblem::Changed { .. }
                    );
                    if let (true, Some(input)) = (locatable, problem.input())
                        && ui
                            .button("Locate…")
                            .on_hover_text(format!("Where is {} now?", name(input)))
                            .clicked()
                    {
                        commands.push(Command::LocateInput(input.to_path_buf()));
                    }
                });
            }
            for warning in &dialog.warnings {
                ui.label(format!("• {warning}"));
            }
            if ui.button("Close").clicked() {
                commands.push(Command::CloseCaseDialog);
            }
        });
    if !open {
        commands.push(Command::CloseCaseDialog);
    }
    commands
}
