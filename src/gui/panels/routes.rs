//! The Routes table: sortable, flagged first, with each route's disposition; selection synced
//! with the map.

use egui_extras::{Column, TableBuilder};

use crate::analysis::Analysis;
use crate::gui::command::Command;
pub use crate::gui::command::{Sort, SortKey};
use crate::gui::state::State;
use crate::gui::theme;
use crate::triage::Disposition;

/// Where a disposition sorts (descending): confirmed, needs information, open, dismissed.
fn disposition_rank(d: Disposition) -> u8 {
    match d {
        Disposition::Confirmed => 3,
        Disposition::NeedsInformation => 2,
        Disposition::Open => 1,
        Disposition::Dismissed => 0,
    }
}

/// The visible routes in table order (`dispositions[i]` for route `i`; open beyond the slice).
pub fn ordered(
    analysis: &Analysis,
    visible: &[usize],
    dispositions: &[Disposition],
    sort: Sort,
) -> Vec<usize> {
    let mut rows = visible.to_vec();
    let routes = &analysis.routes;
    let g = crate::gazetteer::Gazetteer::embedded();
    let disposition = |i: usize| disposition_rank(dispositions.get(i).copied().unwrap_or_default());
    rows.sort_by(|&a, &b| {
        let (ra, rb) = (&routes[a], &routes[b]);
        let by_score = || {
            rb.score
                .flagged
                .cmp(&ra.score.flagged)
                .then(rb.score.score.total_cmp(&ra.score.score))
        };
        let ord = match sort.key {
            SortKey::Score => by_score(),
            SortKey::Disposition => disposition(b).cmp(&disposition(a)).then_with(by_score),
            SortKey::Value => rb.value_usd.total_cmp(&ra.value_usd),
            SortKey::Date => rb.first_date.cmp(&ra.first_date),
            SortKey::Path => g.cmp_codes(&ra.countries, &rb.countries),
        };
        let ord = if sort.ascending { ord.reverse() } else { ord };
        ord.then(a.cmp(&b))
    });
    rows
}

/// A sortable column header: a click sorts by it, a second click reverses the order.
fn header(ui: &mut egui::Ui, sort: Sort, key: SortKey, label: &str) -> Option<Command> {
    let arrow = match (sort.key == key, sort.ascending) {
        (true, true) => " ▲",
        (true, false) => " ▼",
        (false, _) => "",
    };
    ui.button(format!("{label}{arrow}")).clicked().then(|| {
        Command::SortRoutes(if sort.key == key {
            Sort {
                key,
                ascending: !sort.ascending,
            }
        } else {
            Sort {
                key,
                ascending: false,
            }
        })
    })
}

pub fn routes_ui(ui: &mut egui::Ui, state: &State) -> Vec<Command> {
    let mut commands = Vec::new();
    let rows = &state.table_order;
    let routes = &state.analysis.routes;
    ui.horizontal(|ui| {
        ui.strong("Routes");
        ui.small(format!(
            "{} shown, {} flagged",
            rows.len(),
            rows.iter().filter(|i| routes[**i].score.flagged).count()
        ));
    });
    let selected_row = state
        .selected
        .and_then(|s| rows.iter().position(|r| *r == s));
    let mut table = TableBuilder::new(ui)
        .id_salt("routes")
        .striped(true)
        .sense(egui::Sense::click())
        .column(Column::exact(92.0))
        .column(Column::exact(64.0))
        .column(Column::exact(118.0))
        .column(Column::initial(120.0).resizable(true))
        .column(Column::initial(110.0).resizable(true))
        .column(Column::initial(90.0))
        .column(Column::remainder().clip(true));
    if let Some(row) = selected_row {
        table = table.scroll_to_row(row, None);
    }
    let sort = state.routes_sort;
    let threshold = state.analysis.rules.scoring.flag_threshold;
    let g = crate::gazetteer::Gazetteer::embedded();
    table
        .header(20.0, |mut h| {
            h.col(|ui| {
                ui.strong("Route");
            });
            for (key, label) in [
                (SortKey::Score, "Score"),
                (SortKey::Disposition, "Disposition"),
                (SortKey::Path, "Path"),
                (SortKey::Value, "Value USD"),
                (SortKey::Date, "First date"),
            ] {
                h.col(|ui| commands.extend(header(ui, sort, key, label)));
            }
            h.col(|ui| {
                ui.strong("Parties");
            });
        })
        .body(|body| {
            body.rows(18.0, rows.len(), |mut row| {
                let i = rows[row.index()];
                let r = &routes[i];
                let selected = state.selected == Some(i);
                row.set_selected(selected);
                row.col(|ui| {
                    let text = if r.score.flagged {
                        egui::RichText::new(format!("● {}", r.id)).color(theme::FLAG)
                    } else {
                        egui::RichText::new(&r.id)
                    };
                    if ui.selectable_label(selected, text).clicked() {
                        commands.push(Command::Select(Some(i)));
                    }
                });
                row.col(|ui| {
                    ui.colored_label(
                        theme::score_color(r.score.score, threshold, 1.0),
                        format!("{:.3}", r.score.score),
                    );
                });
                row.col(|ui| {
                    let d = state.disposition(i);
                    let text = egui::RichText::new(d.label());
                    // On the selected row's background the ordinary text colour reads best.
                    let text = match theme::disposition_color(d) {
                        _ if selected => text.strong(),
                        Some(c) => text.color(c).strong(),
                        None => text.color(theme::MUTED),
                    };
                    ui.label(text);
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
