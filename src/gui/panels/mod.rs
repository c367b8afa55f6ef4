//! Panels: each a function that borrows the app's state and returns commands.

pub mod data;
pub mod details;
pub mod filters;
pub mod map;
pub mod routes;
pub mod timeline;

use super::app::{App, Command, ExportFormat, ExportScope};
use crate::filter::SearchHit;

/// Draws the whole window and collects the commands of every panel.
pub fn draw(ui: &mut egui::Ui, app: &mut App) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::Panel::top("menu").show(ui, |ui| menu_bar(ui, app, &mut commands));
    egui::Panel::bottom("status").show(ui, |ui| status_bar(ui, app, &mut commands));
    if app.settings.show_data || app.settings.show_filters {
        egui::Panel::left("side")
            .resizable(true)
            .default_size(300.0)
            .size_range(220.0..=480.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    if app.settings.show_data {
                        egui::CollapsingHeader::new("Data")
                            .default_open(true)
                            .show(ui, |ui| commands.extend(data::data_ui(ui, app)));
                    }
                    if app.settings.show_filters {
                        egui::CollapsingHeader::new("Filters")
                            .default_open(true)
                            .show(ui, |ui| commands.extend(filters::filters_ui(ui, app)));
                    }
                });
            });
    }
    if app.selected.is_some() {
        egui::Panel::right("details")
            .resizable(true)
            .default_size(440.0)
            .size_range(320.0..=720.0)
            .show(ui, |ui| {
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                commands.extend(details::details_ui(ui, app));
            });
    }
    if app.settings.show_table || app.settings.show_timeline {
        egui::Panel::bottom("table")
            .resizable(true)
            .default_size(230.0)
            .show(ui, |ui| {
                ui.horizontal_top(|ui| {
                    if app.settings.show_timeline {
                        ui.allocate_ui(egui::vec2(360.0, ui.available_height()), |ui| {
                            timeline::timeline_ui(ui, app)
                        });
                        ui.separator();
                    }
                    if app.settings.show_table {
                        ui.vertical(|ui| commands.extend(routes::routes_ui(ui, app)));
                    }
                });
            });
    }
    egui::CentralPanel::default().show(ui, |ui| commands.extend(map::map_ui(ui, app)));
    if let Some(c) = data::mapping_dialog(ui.ctx(), app) {
        commands.push(c);
    }
    about_window(ui.ctx(), app);
    commands
}

fn menu_bar(ui: &mut egui::Ui, app: &mut App, commands: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open data files…").clicked() {
                commands.push(Command::OpenDialog);
            }
            if ui.button("Load rules file…").clicked() {
                commands.push(Command::ChooseRules);
            }
            ui.separator();
            for (scope, name) in [
                (ExportScope::Flagged, "flagged routes"),
                (ExportScope::Filtered, "filtered routes"),
                (ExportScope::Selected, "selected route"),
            ] {
                ui.menu_button(format!("Export {name}"), |ui| {
                    for (format, label) in [
                        (ExportFormat::Csv, "CSV…"),
                        (ExportFormat::GeoJson, "GeoJSON…"),
                        (ExportFormat::Kml, "KML…"),
                    ] {
                        if ui.button(label).clicked() {
                            commands.push(Command::Export(scope, format));
                        }
                    }
                });
            }
            if ui.button("Export map view as PNG…").clicked() {
                commands.push(Command::ExportMapPng);
            }
        });
        ui.menu_button("View", |ui| {
            ui.checkbox(&mut app.settings.show_data, "Data panel");
            ui.checkbox(&mut app.settings.show_filters, "Filters panel");
            ui.checkbox(&mut app.settings.show_table, "Routes table");
            ui.checkbox(&mut app.settings.show_timeline, "Timeline");
            let mut online = app.settings.online_tiles;
            if ui
                .checkbox(&mut online, "Online map tiles (OpenStreetMap)")
                .changed()
            {
                commands.push(Command::SetOnlineTiles(online));
            }
        });
        ui.menu_button("Help", |ui| {
            if ui.button("About Chiptrail").clicked() {
                app.about_open = true;
            }
        });
        ui.separator();
        let search = ui.add(
            egui::TextEdit::singleline(&mut app.search)
                .hint_text("Search country, party, HS, shipment id")
                .desired_width(280.0),
        );
        if search.changed() {
            app.search_hits = crate::filter::search(
                &app.analysis,
                crate::gazetteer::Gazetteer::embedded(),
                &app.search,
                12,
            );
        }
        if !app.search_hits.is_empty() && !app.search.is_empty() {
            ui.menu_button(format!("{} found", app.search_hits.len()), |ui| {
                let g = crate::gazetteer::Gazetteer::embedded();
                for hit in app.search_hits.clone() {
                    match hit {
                        SearchHit::Country(id) => {
                            let c = g.country(id);
                            if ui
                                .button(format!("Country: {} ({})", c.name, c.code()))
                                .clicked()
                            {
                                commands.push(Command::ZoomToCountry(id));
                            }
                        }
                        SearchHit::Route(i, why) => {
                            let r = &app.analysis.routes[i];
                            if ui
                                .button(format!("{} {} ({why})", r.id, r.path_joined(g, "→")))
                                .clicked()
                            {
                                commands.push(Command::Select(Some(i)));
                                commands.push(Command::ZoomToSelection);
                            }
                        }
                    }
                }
            });
        }
    });
}

fn status_bar(ui: &mut egui::Ui, app: &App, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if let Some(job) = &app.job {
            let (fraction, what) = job.progress();
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(220.0)
                    .text(format!("{}: {what}", job.label)),
            );
            if ui.button("Cancel").clicked() {
                commands.push(Command::CancelJob);
            }
        } else {
            ui.label(&app.status);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let attribution = if app.settings.online_tiles {
                "Map data © OpenStreetMap contributors · Natural Earth"
            } else {
                "Basemap: Natural Earth (public domain) · offline"
            };
            ui.small(attribution);
        });
    });
}

fn about_window(ctx: &egui::Context, app: &mut App) {
    egui::Window::new("About Chiptrail").open(&mut app.about_open).resizable(false).show(ctx, |ui| {
        ui.label(format!("Chiptrail {} traces export-controlled AI chips through trade data.", env!("CARGO_PKG_VERSION")));
        ui.separator();
        ui.label("Data sources and attribution:");
        ui.label("• Country polygons: Natural Earth 1:50m and 1:110m (public domain), via the world-atlas package.");
        ui.label("• Country codes, names and anchor points: world-countries (mledoze/countries), ODbL 1.0.");
        ui.label("• Trade hubs, UN/BACI special codes and country groups: written by hand; see data/README.md.");
        ui.label("• Online tiles (optional, off by default): © OpenStreetMap contributors, ODbL.");
        ui.label("• Fonts: egui default fonts (Ubuntu, Hack, Noto Emoji), Droid Sans Fallback (Apache 2.0).");
        ui.label("• The embedded sample data are synthetic: every firm in them is invented.");
    });
}
