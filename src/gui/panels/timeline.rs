//! The timeline: monthly value of the selected route's parties, or of all shipments.

use egui_plot::{Bar, BarChart, Plot};

use crate::gui::state::State;

pub fn timeline_ui(ui: &mut egui::Ui, app: &State) {
    let (title, months) = match app.selected_route() {
        Some(r) if matches!(r.kind, crate::analysis::RouteKind::Shipments(_)) => (
            format!("Monthly value through {}'s parties (USD M)", r.id),
            app.months_selected.clone(),
        ),
        _ => (
            "Monthly value of all shipments (USD M)".to_string(),
            app.months_all.clone(),
        ),
    };
    ui.vertical(|ui| timeline_plot(ui, &title, &months));
}

fn timeline_plot(ui: &mut egui::Ui, title: &str, months: &[(i32, f64)]) {
    ui.horizontal(|ui| {
        ui.strong("Timeline");
        ui.small(title);
    });
    if months.is_empty() {
        ui.small("no shipments loaded");
        return;
    }
    let bars: Vec<Bar> = months
        .iter()
        .map(|(m, v)| Bar::new(f64::from(*m), v / 1e6).width(0.85))
        .collect();
    Plot::new("timeline")
        .height((ui.available_height() - 8.0).max(80.0))
        .x_axis_formatter(|mark, _| {
            let m = mark.value.round() as i32;
            format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
        })
        .allow_scroll(false)
        .show(ui, |plot| plot.bar_chart(BarChart::new("value", bars)));
}
