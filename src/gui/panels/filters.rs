//! The Filters panel: date range with a monthly histogram, HS code, countries with in/out/between
//! modes, product sensitivity, minimum score, flagged only, and the dispositions shown.
//!
//! Dates and countries are typed as text and parsed once, as they are typed, into the filter's
//! `Date` and `CountryId` values; the filter then compares those with the routes' own.

use crate::filter::{CountryMode, PlaceFilter, PlaceRole, RouteFilter};
use crate::gazetteer::{CountryId, Gazetteer};
use crate::model::Date;
use egui_plot::{Bar, BarChart, Plot};

use crate::gui::command::Command;
use crate::gui::state::State;
use crate::triage::Disposition;

/// A text box's text as the user typed it and the value it was last parsed to, kept between frames
/// in egui's memory: a date half typed stays on screen, and the text is made again from the
/// filter's value when the filter changed elsewhere (Reset, saved settings).
#[derive(Clone)]
struct Typed<T> {
    text: String,
    value: T,
}

/// A labelled text box editing `value`: `show` writes the value as text, `parse` reads what the
/// user typed (`None` while it does not parse yet). True when `value` changed.
fn typed_edit<T: Clone + PartialEq + Send + Sync + 'static>(
    ui: &mut egui::Ui,
    (label, id, hint, width): (&str, &str, &str, f32),
    value: &mut T,
    show: impl Fn(&T) -> String,
    parse: impl Fn(&str) -> Option<T>,
) -> bool {
    let label = ui.label(label);
    let memory = egui::Id::unique(("chiptrail-filter-text", id));
    let mut typed = ui
        .data(|d| d.get_temp::<Typed<T>>(memory))
        .filter(|t| t.value == *value)
        .unwrap_or_else(|| Typed {
            text: show(value),
            value: value.clone(),
        });
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut typed.text)
                .id_salt(id)
                .desired_width(width)
                .hint_text(hint),
        )
        .labelled_by(label.id);
    let mut changed = false;
    if response.changed()
        && let Some(parsed) = parse(&typed.text)
    {
        changed = parsed != *value;
        *value = parsed.clone();
        typed.value = parsed;
    }
    ui.data_mut(|d| d.insert_temp(memory, typed));
    changed
}

/// A date box: empty for no bound, otherwise any date form the readers accept.
fn date_edit(ui: &mut egui::Ui, label: &str, value: &mut Option<Date>, id: &str) -> bool {
    typed_edit(
        ui,
        (label, id, "YYYY-MM-DD", 100.0),
        value,
        |d| d.map(|d| d.to_string()).unwrap_or_default(),
        |text| {
            if text.trim().is_empty() {
                return Some(None);
            }
            match crate::ingest::values::parse_date(text) {
                Some(crate::ingest::values::DateCell::Known(d)) => Some(Some(d)),
                _ => None,
            }
        },
    )
}

/// The countries box: codes or names separated by spaces or commas (`CN RU HK`); words that name
/// no country are left out of the filter but stay in the box.
fn countries_edit(ui: &mut egui::Ui, value: &mut Vec<CountryId>) -> bool {
    let g = Gazetteer::embedded();
    typed_edit(
        ui,
        ("Countries", "countries", "CN RU HK", 120.0),
        value,
        |ids| {
            let codes: Vec<String> = ids.iter().map(|c| g.country(*c).code()).collect();
            codes.join(" ")
        },
        |text| {
            Some(
                text.split([' ', ','])
                    .filter(|s| !s.is_empty())
                    .filter_map(|s| g.lookup(s))
                    .collect(),
            )
        },
    )
}

/// The places picked on the map, one chip each: where on the route (a menu on the chip) and ×
/// to take it away. True when one changed.
fn place_chips(ui: &mut egui::Ui, places: &mut Vec<PlaceFilter>) -> bool {
    if places.is_empty() {
        return false;
    }
    let mut changed = false;
    let mut remove = None;
    ui.horizontal_wrapped(|ui| {
        ui.label("Places");
        for (i, p) in places.iter_mut().enumerate() {
            egui::Frame::new()
                .fill(ui.visuals().widgets.inactive.bg_fill)
                .corner_radius(8.0)
                .inner_margin(egui::Margin::symmetric(6, 2))
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.spacing_mut().item_spacing.x = 3.0;
                        ui.menu_button(format!("{} ({})", p.name, p.role.label()), |ui| {
                            for role in PlaceRole::ALL {
                                if ui.radio_value(&mut p.role, role, role.label()).clicked() {
                                    changed = true;
                                    ui.close();
                                }
                            }
                        })
                        .response
                        .on_hover_text(format!(
                            "routes {} {}",
                            p.role.label(),
                            p.code
                        ));
                        if ui
                            .small_button("×")
                            .on_hover_text("Take this place away")
                            .clicked()
                        {
                            remove = Some(i);
                        }
                    });
                });
        }
    });
    if let Some(i) = remove {
        places.remove(i);
        changed = true;
    }
    changed
}

pub fn filters_ui(ui: &mut egui::Ui, app: &State) -> Vec<Command> {
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
        changed |= countries_edit(ui, &mut f.countries);
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
    changed |= place_chips(ui, &mut f.places);
    changed |= ui
        .add(egui::Slider::new(&mut f.min_sensitivity, 0.0..=1.0).text("product sensitivity ≥"))
        .changed();
    changed |= ui
        .add(egui::Slider::new(&mut f.min_score, 0.0..=1.0).text("score ≥"))
        .changed();
    changed |= ui.checkbox(&mut f.flagged_only, "Flagged only").changed();
    ui.horizontal_wrapped(|ui| {
        ui.label("Show");
        for d in Disposition::ALL {
            let mut shown = !f.hidden_dispositions.contains(&d);
            if ui.checkbox(&mut shown, d.label()).changed() {
                f.hidden_dispositions.retain(|h| *h != d);
                if !shown {
                    f.hidden_dispositions.push(d);
                    f.hidden_dispositions.sort();
                }
                changed = true;
            }
        }
    });
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
