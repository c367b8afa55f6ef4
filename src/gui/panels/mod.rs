//! Panels: each a function that reads the app's [`State`] and returns [`Command`]s; the app
//! applies them after the frame. Panels change nothing themselves, except the map widget's own
//! pan and zoom ([`map::MapView`]) and text being typed.

pub mod case;
pub mod data;
pub mod details;
pub mod filters;
pub mod map;
pub mod routes;
pub mod timeline;

use super::command::{Command, ExportFormat, ExportScope, Panel, Window};
use super::state::State;
use crate::filter::SearchHit;
use crate::triage::Disposition;
use egui::{Key, Modifiers};

/// The search box in the top bar (`/` focuses it).
pub fn search_id() -> egui::Id {
    egui::Id::unique("chiptrail-search")
}

/// The keyboard shortcuts, as Help > Shortcuts lists them.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Up / Down", "Previous / next route in the routes table"),
    ("Enter", "Zoom to the selected route"),
    ("C", "Selected route: confirmed"),
    ("D", "Selected route: dismissed"),
    ("N", "Selected route: needs information"),
    ("O", "Selected route: open again"),
    (
        "/",
        "Search countries, ports, parties, HS codes, shipment ids",
    ),
    (
        "Down / Up, Enter",
        "In the search: move through the hits, go to one",
    ),
    ("Ctrl+Z", "Undo (filters, selection, dispositions, notes)"),
    ("Ctrl+Shift+Z or Ctrl+Y", "Redo"),
    ("Ctrl+S / Ctrl+Shift+S", "Save case / Save case as"),
    (
        "Escape",
        "Leave a text box (then the keys above work); clear the selection",
    ),
];

/// The commands of the keys pressed this frame. None of them fire while a text box has focus
/// (the keys are the text box's); arrows and Enter also leave a focused widget alone.
pub fn shortcuts(ctx: &egui::Context, state: &State) -> Vec<Command> {
    let mut commands = Vec::new();
    ctx.input_mut(|i| {
        if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::S) {
            commands.push(Command::SaveCaseAs);
        } else if i.consume_key(Modifiers::COMMAND, Key::S) {
            commands.push(Command::SaveCase);
        }
    });
    swallow_slash(ctx);
    // Escape that left a text box (egui lets go of the focus before the panels run) does not
    // also clear the selection: that takes a second Escape.
    let editing_id = egui::Id::unique("chiptrail-was-editing");
    let was_editing = ctx
        .data(|d| d.get_temp::<bool>(editing_id))
        .unwrap_or(false);
    let editing = ctx.text_edit_focused();
    ctx.data_mut(|d| d.insert_temp(editing_id, editing));
    if editing {
        return commands;
    }
    let widget_focused = ctx.memory(|m| m.focused().is_some());
    let mut focus_search = false;
    ctx.input_mut(|i| {
        if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
            || i.consume_key(Modifiers::COMMAND, Key::Y)
        {
            commands.push(Command::Redo);
        } else if i.consume_key(Modifiers::COMMAND, Key::Z) {
            commands.push(Command::Undo);
        }
        // `/` is a key on some keyboards and shifted on others: take the key and the text, so
        // that the search box does not receive the slash it was focused with.
        let typed_slash = i
            .events
            .iter()
            .any(|e| matches!(e, egui::Event::Text(t) if t == "/"));
        i.events
            .retain(|e| !matches!(e, egui::Event::Text(t) if t == "/"));
        focus_search = i.consume_key(Modifiers::NONE, Key::Slash) || typed_slash;
        if !widget_focused {
            let down = i.count_and_consume_key(Modifiers::NONE, Key::ArrowDown) as i32;
            let up = i.count_and_consume_key(Modifiers::NONE, Key::ArrowUp) as i32;
            if down != up {
                commands.push(Command::MoveSelection(down - up));
            }
            if state.selected.is_some() && i.consume_key(Modifiers::NONE, Key::Enter) {
                commands.push(Command::ZoomToSelection);
            }
            if !was_editing
                && state.selected.is_some()
                && i.consume_key(Modifiers::NONE, Key::Escape)
            {
                commands.push(Command::Select(None));
            }
        }
        if let Some(route) = state.selected {
            for (key, d) in [
                (Key::C, Disposition::Confirmed),
                (Key::D, Disposition::Dismissed),
                (Key::N, Disposition::NeedsInformation),
                (Key::O, Disposition::Open),
            ] {
                if i.consume_key(Modifiers::NONE, key) {
                    commands.push(Command::SetDisposition(route, d));
                }
            }
        }
    });
    if focus_search {
        ctx.memory_mut(|m| m.request_focus(search_id()));
        let frame = ctx.cumulative_frame_nr();
        ctx.data_mut(|d| d.insert_temp(slash_id(), frame));
    }
    commands
}

fn slash_id() -> egui::Id {
    egui::Id::unique("chiptrail-slash-pressed")
}

/// The text of the `/` that focused the search box may come a frame or two after the key: it
/// is not typed into the box.
fn swallow_slash(ctx: &egui::Context) {
    let Some(pressed) = ctx.data(|d| d.get_temp::<u64>(slash_id())) else {
        return;
    };
    if ctx.cumulative_frame_nr() > pressed + 4 {
        ctx.data_mut(|d| d.remove::<u64>(slash_id()));
        return;
    }
    let swallowed = ctx.input_mut(|i| {
        let at = i
            .events
            .iter()
            .position(|e| matches!(e, egui::Event::Text(t) if t == "/"));
        at.map(|at| i.events.remove(at)).is_some()
    });
    if swallowed {
        ctx.data_mut(|d| d.remove::<u64>(slash_id()));
    }
}

/// Draws the whole window and collects the commands of every panel.
pub fn draw(ui: &mut egui::Ui, app: &State, map_view: &mut map::MapView) -> Vec<Command> {
    let mut commands = shortcuts(ui.ctx(), app);
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
                            commands.extend(timeline::timeline_ui(ui, app))
                        });
                        ui.separator();
                    }
                    if app.settings.show_table {
                        ui.vertical(|ui| commands.extend(routes::routes_ui(ui, app)));
                    }
                });
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        commands.extend(map::map_ui(ui, app, map_view));
    });
    if let Some(c) = data::mapping_dialog(ui.ctx(), app) {
        commands.push(c);
    }
    commands.extend(case::start_screen(ui.ctx(), app));
    commands.extend(case::case_dialog(ui.ctx(), app));
    commands.extend(about_window(ui.ctx(), app));
    commands.extend(shortcuts_window(ui.ctx(), app));
    commands
}

fn menu_bar(ui: &mut egui::Ui, app: &State, commands: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open data files…").clicked() {
                commands.push(Command::OpenDialog);
            }
            if ui.button("Load rules file…").clicked() {
                commands.push(Command::ChooseRules);
            }
            ui.separator();
            case::file_menu(ui, app, commands);
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
            if ui
                .button("Evidence report…")
                .on_hover_text(
                    "A folder with the confirmed routes (or the flagged ones): report.html, \
                     the legs as CSV, GeoJSON, KML and the map view",
                )
                .clicked()
            {
                commands.push(Command::EvidenceReport);
            }
        });
        ui.menu_button("Edit", |ui| {
            if ui
                .add_enabled(
                    app.history.can_undo(),
                    egui::Button::new("Undo").shortcut_text("Ctrl+Z"),
                )
                .clicked()
            {
                commands.push(Command::Undo);
            }
            if ui
                .add_enabled(
                    app.history.can_redo(),
                    egui::Button::new("Redo").shortcut_text("Ctrl+Shift+Z"),
                )
                .clicked()
            {
                commands.push(Command::Redo);
            }
        });
        ui.menu_button("View", |ui| {
            for (panel, shown, label) in [
                (Panel::Data, app.settings.show_data, "Data panel"),
                (Panel::Filters, app.settings.show_filters, "Filters panel"),
                (Panel::Table, app.settings.show_table, "Routes table"),
                (Panel::Timeline, app.settings.show_timeline, "Timeline"),
            ] {
                let mut on = shown;
                if ui.checkbox(&mut on, label).changed() {
                    commands.push(Command::ShowPanel(panel, on));
                }
            }
            let mut online = app.settings.online_tiles;
            if ui
                .checkbox(&mut online, "Online map tiles (OpenStreetMap)")
                .changed()
            {
                commands.push(Command::SetOnlineTiles(online));
            }
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Shortcuts").clicked() {
                commands.push(Command::ShowWindow(Window::Shortcuts, true));
            }
            if ui.button("About Chiptrail").clicked() {
                commands.push(Command::ShowWindow(Window::About, true));
            }
        });
        ui.separator();
        search_ui(ui, app, commands);
    });
}

/// Hits the list under the search box shows; more are counted on a last line.
pub const SEARCH_SHOWN: usize = 12;

/// The search box, and the list of hits that drops down under it as one types: Down and Up move
/// the highlight, Enter picks the highlighted hit, Escape closes the list and leaves the box, a
/// click picks a hit.
fn search_ui(ui: &mut egui::Ui, app: &State, commands: &mut Vec<Command>) {
    let focused = ui.memory(|m| m.has_focus(search_id()));
    let hits = &app.search_hits[..app.search_hits.len().min(SEARCH_SHOWN)];
    let open = app.search_open && !app.search.trim().is_empty();
    let mut picked = None;
    // egui takes Escape from a focused text box before the box is drawn: it closes the list too.
    if open && !focused && ui.input(|i| i.key_pressed(Key::Escape)) {
        commands.push(Command::ShowSearchHits(false));
    }
    if focused {
        // The box's keys, taken before the text box sees them.
        let (down, up, enter, escape) = ui.input_mut(|i| {
            (
                i.count_and_consume_key(Modifiers::NONE, Key::ArrowDown) as i64,
                i.count_and_consume_key(Modifiers::NONE, Key::ArrowUp) as i64,
                i.consume_key(Modifiers::NONE, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::Escape),
            )
        });
        if escape {
            commands.push(Command::ShowSearchHits(false));
            ui.memory_mut(|m| m.surrender_focus(search_id()));
        } else if enter && !hits.is_empty() {
            picked = Some(app.search_highlight.min(hits.len() - 1));
        } else if down != up && !hits.is_empty() {
            if !open {
                commands.push(Command::ShowSearchHits(true));
            } else {
                let at = (app.search_highlight as i64 + down - up).clamp(0, hits.len() as i64 - 1);
                commands.push(Command::HighlightSearchHit(at as usize));
            }
        }
    }
    let mut text = app.search.clone();
    let search = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id(search_id())
            .hint_text("Search country, port, party, HS, shipment id  ( / )")
            .desired_width(300.0),
    );
    if search.changed() {
        commands.push(Command::Search(text));
    }
    if search.gained_focus() && !app.search.trim().is_empty() && !open {
        commands.push(Command::ShowSearchHits(true));
    }
    let popup = egui::Popup::from_response(&search)
        .id(egui::Id::unique("chiptrail-search-hits"))
        .open(open)
        .close_behavior(egui::PopupCloseBehavior::IgnoreClicks)
        .width(search.rect.width().max(360.0))
        .show(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            if hits.is_empty() {
                ui.weak("nothing found");
            }
            for (k, hit) in hits.iter().enumerate() {
                let row = ui.add(
                    egui::Button::selectable(k == app.search_highlight, hit_label(app, hit))
                        .min_size(egui::vec2(ui.available_width(), 0.0)),
                );
                if row.clicked() {
                    picked = Some(k);
                }
                if row.hovered()
                    && k != app.search_highlight
                    && ui.input(|i| i.pointer.delta() != egui::Vec2::ZERO)
                {
                    commands.push(Command::HighlightSearchHit(k));
                }
            }
            let more = app.search_hits.len() - hits.len();
            if more > 0 {
                let plus = if app.search_hits.len() >= 100 {
                    "+"
                } else {
                    ""
                };
                ui.weak(format!("{more}{plus} more: type more of the name"));
            }
        });
    // A click outside the box and the list closes the list.
    if open && picked.is_none() {
        let list = popup.map(|p| p.response.rect);
        let outside = ui.input(|i| {
            i.pointer.any_pressed()
                && i.pointer.interact_pos().is_some_and(|pos| {
                    !search.rect.contains(pos) && !list.is_some_and(|r| r.contains(pos))
                })
        });
        if outside {
            commands.push(Command::ShowSearchHits(false));
        }
    }
    if let Some(k) = picked {
        commands.extend(pick_hit(&hits[k]));
        commands.push(Command::ShowSearchHits(false));
        ui.memory_mut(|m| m.surrender_focus(search_id()));
    }
}

/// A hit as the search's list writes it.
fn hit_label(app: &State, hit: &SearchHit) -> String {
    let g = crate::gazetteer::Gazetteer::embedded();
    match hit {
        SearchHit::Country(id) => {
            let c = g.country(*id);
            format!("Country: {} ({})", c.name, c.code())
        }
        SearchHit::Hub(i) => {
            let h = &g.hubs()[*i];
            format!(
                "Hub: {} ({}, {}, {})",
                h.name,
                h.locode,
                g.country(h.country).code(),
                h.kind
            )
        }
        SearchHit::Route(i, why) => {
            let r = &app.analysis.routes[*i];
            format!("{} {} ({why})", r.id, r.path_joined(g, "→"))
        }
    }
}

/// What picking a hit does: select and frame a route, zoom to a country or a hub.
pub fn pick_hit(hit: &SearchHit) -> Vec<Command> {
    let g = crate::gazetteer::Gazetteer::embedded();
    match hit {
        SearchHit::Country(id) => vec![Command::ZoomToCountry(*id)],
        SearchHit::Hub(i) => {
            let p = g.hubs()[*i].point;
            vec![Command::CenterMap {
                lon: p.x(),
                lat: p.y(),
                // Regional: the hub with its neighbours and the flows through it.
                zoom: 6.0,
            }]
        }
        SearchHit::Route(i, _) => vec![Command::Select(Some(*i)), Command::ZoomToSelection],
    }
}

fn status_bar(ui: &mut egui::Ui, app: &State, commands: &mut Vec<Command>) {
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
        if let Some(case) = &app.case_path {
            ui.separator();
            ui.small(format!(
                "case: {}",
                case.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ))
            .on_hover_text(case.display().to_string());
        }
        if !app.orphans.is_empty() {
            ui.separator();
            ui.colored_label(
                crate::gui::theme::FLAG,
                format!("{} disposition(s) without a route", app.orphans.len()),
            )
            .on_hover_text(
                "The data changed and no route holds their shipments any more; \
                 they are listed in the Data panel and kept in the case.",
            );
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

fn about_window(ctx: &egui::Context, app: &State) -> Option<Command> {
    let mut open = app.about_open;
    egui::Window::new("About Chiptrail").open(&mut open).resizable(false).show(ctx, |ui| {
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
    (open != app.about_open).then_some(Command::ShowWindow(Window::About, open))
}

fn shortcuts_window(ctx: &egui::Context, app: &State) -> Option<Command> {
    let mut open = app.shortcuts_open;
    egui::Window::new("Keyboard shortcuts")
        .open(&mut open)
        .resizable(false)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                for (keys, what) in SHORTCUTS {
                    ui.strong(*keys);
                    ui.label(*what);
                    ui.end_row();
                }
            });
        });
    (open != app.shortcuts_open).then_some(Command::ShowWindow(Window::Shortcuts, open))
}
