//! The Filters panel: date range with a monthly histogram, HS code, countries with in/out/between
//! modes, product sensitivity, minimum score, flagged only.

use crate::filter::{CountryMode, RouteFilter};
use crate::model::Date;
use egui_plot::{Bar, BarChart, Plot};

use crate::gui::app::{App, Command};

fn date_edit(ui: &mut egui::Ui, label: &str, value: &mut Option<Date>, id: &str) -> bool {
    let mut text = value.map(|d| d.to_string()).unwrap_or_default();
    ui.label(label);
    let response = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id_salt(id)
            .desired_width(100.0)
            .hint_text("YYYY-MM-DD"),
    );
    if response.changed() {
        let parsed = match crate::ingest::values::parse_date(&text) {
            Some(crate::ingest::values::DateCell::Known(d)) => Some(d),
            _ => None,
        };
        if parsed.is_some() || text.trim().is_empty() {
            *value = parsed;
            return true;
        }
    }
    false
}

pub fn filters_ui(ui: &mut egui::Ui, app: &App) -> Vec<Command> {
    let mut f: RouteFilter = app.settings.filter.clone();
    let mut changed = false;
    let months = &app.months_all;
    if !months.is_empty() {
        let bars: Vec<Bar> = months
            .iter()
            .map(|(m, v)| {
                let d = Date::from_ymd(m / 12, (m % 12 + 1) as u32, 1).unwrap_or(Date(0));
                let inside = f.from.is_none_or(|from| d.plus_days(31) >= from)
                    && f.to.is_none_or(|to| d <= to);
                let bar = Bar::new(f64::from(*m), v / 1e6).width(0.9);
                if inside {
                    bar.fill(egui::Color32::from_rgb(90, 120, 170))
                } else {
                    bar.fill(egui::Color32::LIGHT_GRAY)
                }
            })
            .collect();
        ui.small("Shipment value per month (USD M)");
        Plot::new("months")
            .height(70.0)
            .show_axes([false, true])
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .show(ui, |plot| plot.bar_chart(BarChart::new("value", bars)));
    }
    ui.horizontal(|ui| {
        changed |= date_edit(ui, "From", &mut f.from, "from");
        changed |= date_edit(ui, "to", &mut f.to, "to");
    });
    ui.horizontal(|ui| {
        ui.label("HS code starts with");
        changed |= ui
            .add(
                egui::TextEdit::singleline(&mut f.hs_prefix)
                    .desired_width(80.0)
                    .hint_text("8542"),
            )
            .changed();
    });
    ui.horizontal(|ui| {
        ui.label("Countries");
        let mut text = f.countries.join(" ");
        if ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .desired_width(120.0)
                    .hint_text("CN RU HK"),
            )
            .changed()
        {
            let g = crate::gazetteer::Gazetteer::embedded();
            f.countries = text
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .filter_map(|s| g.lookup(s).map(|c| g.country(c).code()))
                .collect();
            changed = true;
        }
    });
    ui.horizontal(|ui| {
        for (mode, label) in [
            (CountryMode::Any, "on path"),
            (CountryMode::Into, "into"),
            (CountryMode::OutOf, "out of"),
            (CountryMode::Between, "between"),
        ] {
            changed |= ui.radio_value(&mut f.country_mode, mode, label).changed();
        }
    });
    changed |= ui
        .add(egui::Slider::new(&mut f.min_sensitivity, 0.0..=1.0).text("product sensitivity ≥"))
        .changed();
    changed |= ui
        .add(egui::Slider::new(&mut f.min_score, 0.0..=1.0).text("score ≥"))
        .changed();
    changed |= ui.checkbox(&mut f.flagged_only, "Flagged only").changed();
    ui.horizontal(|ui| {
        ui.small(format!(
            "{} of {} routes shown",
            app.visible.len(),
            app.analysis.routes.len()
        ));
        if ui.small_button("Reset").clicked() {
            f = RouteFilter::default();
            changed = true;
        }
    });
    if changed {
        vec![Command::SetFilter(f)]
    } else {
        Vec::new()
    }
}
