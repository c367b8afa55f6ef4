//! The Routes table: sortable, flagged first, selection synced with the map.

use egui_extras::{Column, TableBuilder};

use crate::gui::app::{App, Command};

/// Which column the table is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Flagged first, then score (the default).
    #[default]
    Score,
    Value,
    Date,
    Path,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub ascending: bool,
}

/// The visible routes in table order.
pub fn ordered(app: &App) -> Vec<usize> {
    let mut rows = app.visible.clone();
    let routes = &app.analysis.routes;
    let g = crate::gazetteer::Gazetteer::embedded();
    rows.sort_by(|&a, &b| {
        let (ra, rb) = (&routes[a], &routes[b]);
        let ord = match app.routes_sort.key {
            SortKey::Score => rb
                .score
                .flagged
                .cmp(&ra.score.flagged)
                .then(rb.score.score.total_cmp(&ra.score.score)),
            SortKey::Value => rb.value_usd.total_cmp(&ra.value_usd),
            SortKey::Date => rb.first_date.cmp(&ra.first_date),
            SortKey::Path => g.cmp_codes(&ra.countries, &rb.countries),
        };
        let ord = if app.routes_sort.ascending {
            ord.reverse()
        } else {
            ord
        };
        ord.then(a.cmp(&b))
    });
    rows
}

pub fn routes_ui(ui: &mut egui::Ui, app: &mut App) -> Vec<Command> {
    let mut commands = Vec::new();
    let rows = app.table_order.clone();
    ui.horizontal(|ui| {
        ui.strong("Routes");
        ui.small(format!(
            "{} shown, {} flagged",
            rows.len(),
            rows.iter()
                .filter(|i| app.analysis.routes[**i].score.flagged)
                .count()
        ));
    });
    let header = |ui: &mut egui::Ui, app: &mut App, key: SortKey, label: &str| {
        let arrow = if app.routes_sort.key == key {
            if app.routes_sort.ascending {
                " ▲"
            } else {
                " ▼"
            }
        } else {
            ""
        };
        if ui.button(format!("{label}{arrow}")).clicked() {
            if app.routes_sort.key == key {
                app.routes_sort.ascending = !app.routes_sort.ascending;
            } else {
                app.routes_sort = super::routes::Sort {
                    key,
                    ascending: false,
                };
            }
        }
    };
    let selected_row = app.selected.and_then(|s| rows.iter().position(|r| *r == s));
    let mut table = TableBuilder::new(ui)
        .id_salt("routes")
        .striped(true)
        .sense(egui::Sense::click())
        .column(Column::exact(92.0))
        .column(Column::exact(64.0))
        .column(Column::initial(120.0).resizable(true))
        .column(Column::initial(110.0).resizable(true))
        .column(Column::initial(90.0))
        .column(Column::remainder().clip(true));
    if let Some(row) = selected_row {
        table = table.scroll_to_row(row, None);
    }
    let routes = app.analysis.clone();
    let selected = app.selected;
    let g = crate::gazetteer::Gazetteer::embedded();
    table
        .header(20.0, |mut h| {
            h.col(|ui| {
                ui.strong("Route");
            });
            h.col(|ui| header(ui, app, SortKey::Score, "Score"));
            h.col(|ui| header(ui, app, SortKey::Path, "Path"));
            h.col(|ui| header(ui, app, SortKey::Value, "Value USD"));
            h.col(|ui| header(ui, app, SortKey::Date, "First date"));
            h.col(|ui| {
                ui.strong("Parties");
            });
        })
        .body(|body| {
            body.rows(18.0, rows.len(), |mut row| {
                let i = rows[row.index()];
                let r = &routes.routes[i];
                row.set_selected(selected == Some(i));
                row.col(|ui| {
                    let text = if r.score.flagged {
                        egui::RichText::new(format!("● {}", r.id)).color(crate::gui::theme::FLAG)
                    } else {
                        egui::RichText::new(&r.id)
                    };
                    if ui.selectable_label(selected == Some(i), text).clicked() {
                        commands.push(Command::Select(Some(i)));
                    }
                });
                row.col(|ui| {
                    ui.colored_label(
                        crate::gui::theme::score_color(
                            r.score.score,
                            app.analysis.rules.scoring.flag_threshold,
                            1.0,
                        ),
                        format!("{:.3}", r.score.score),
                    );
                });
                row.col(|ui| {
                    ui.label(r.path_joined(g, "→"));
                });
                row.col(|ui| {
                    ui.label(crate::scoring::indicators::usd(r.value_usd));
                });
                row.col(|ui| {
                    ui.label(r.first_date.to_string());
                });
                row.col(|ui| {
                    ui.label(r.parties.join(" → "));
                });
                if row.response().clicked() {
                    commands.push(Command::Select(Some(i)));
                }
            });
        });
    commands
}
