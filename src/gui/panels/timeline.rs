//! The timeline: monthly value of the selected route's parties, or of all shipments, and time
//! you can play: the filter's dates step a month at a time, the map and the table following.

use egui_plot::{Bar, BarChart, Plot, Span, VLine};

use crate::analysis::CorridorEvidence;
use crate::filter::month_label;
use crate::gui::command::Command;
use crate::gui::state::{PLAYBACK_SPEEDS, State};
use crate::gui::theme;
use crate::model::Period;
use crate::scoring::indicators::usd;

pub fn timeline_ui(ui: &mut egui::Ui, app: &State) -> Vec<Command> {
    let mut commands = Vec::new();
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
    let shown = app.playback.as_ref().map(|p| p.month);
    let corridor = app
        .selected_corridor
        .as_ref()
        .filter(|(i, _)| Some(*i) == app.selected)
        .map(|(_, e)| e);
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.strong("Timeline");
            playback_ui(ui, app, &mut commands);
        });
        if let Some(e) = corridor {
            corridor_plot(ui, e, shown);
        } else if months.is_empty() && !app.corridor_totals.is_empty() {
            ui.small("Value of the loaded corridors by period, FOB (USD M)");
            totals_plot(ui, &app.corridor_totals, shown);
        } else {
            ui.small(title);
            timeline_plot(ui, &months, shown);
        }
    });
    commands
}

/// Where a period sits on the timeline's month axis: its centre and width (a year spans 12
/// months).
fn period_x(p: Period) -> (f64, f64) {
    let first = f64::from(p.year * 12);
    match p.month {
        Some(m) => (first + f64::from(m) - 1.0, 0.85),
        None => (first + 5.5, 11.0),
    }
}

/// The months a judged period covers: a year, or the 12 months to a month for rolling sums.
fn judged_range(p: Period, rolling: bool) -> std::ops::RangeInclusive<f64> {
    match p.month {
        Some(m) => {
            let end = f64::from(p.year * 12) + f64::from(m) - 1.0;
            let start = if rolling { end - 11.0 } else { end };
            (start - 0.5)..=(end + 0.5)
        }
        None => {
            let first = f64::from(p.year * 12);
            (first - 0.5)..=(first + 11.5)
        }
    }
}

const EXPORTER: egui::Color32 = egui::Color32::from_rgb(70, 130, 200);
const IMPORTER: egui::Color32 = egui::Color32::from_rgb(230, 150, 40);
const RECONCILED: egui::Color32 = egui::Color32::from_rgb(150, 150, 150);

/// A selected corridor: each period as the exporter and as the importer report it (or the
/// reconciled value), the surge's baseline and window shaded, consignment shares below.
fn corridor_plot(ui: &mut egui::Ui, e: &CorridorEvidence, shown: Option<i32>) {
    let g = crate::gazetteer::Gazetteer::embedded();
    ui.small(format!(
        "{} → {} HS {}: each period as each side reports it (USD M)",
        g.country(e.exporter).code(),
        g.country(e.importer).code(),
        e.heading
    ));
    let (mut exported, mut imported, mut reconciled) = (Vec::new(), Vec::new(), Vec::new());
    for p in &e.periods {
        let (x, w) = period_x(p.period);
        // Side by side in the period: exporter, importer, reconciled.
        if let Some(v) = p.exporter_usd {
            exported.push(Bar::new(x - w / 3.0, v / 1e6).width(w / 3.0));
        }
        if let Some(v) = p.importer_usd {
            imported.push(Bar::new(x, v / 1e6).width(w / 3.0));
        }
        if let Some(v) = p.reconciled_usd {
            reconciled.push(Bar::new(x + w / 3.0, v / 1e6).width(w / 3.0));
        }
    }
    let mut notes = Vec::new();
    if let Some(s) = &e.surge {
        let of = |p: &Period| {
            if s.rolling {
                format!("12 months to {p}")
            } else {
                p.to_string()
            }
        };
        let baseline: Vec<String> = s.baseline.iter().map(of).collect();
        notes.push(format!(
            "surge: {} {} against {} on average over {}",
            of(&s.judged),
            usd(s.value_usd),
            usd(s.baseline_usd),
            baseline.join(", ")
        ));
    }
    let shares: Vec<String> = e
        .periods
        .iter()
        .filter_map(|p| {
            p.third_country_share
                .map(|s| format!("{} {:.1}%", p.period, s * 100.0))
        })
        .collect();
    if !shares.is_empty() {
        notes.push(format!(
            "consigned from third countries (as the importer reports): {}",
            shares.join(" · ")
        ));
    }
    // The key, in words of each series' colour (a legend would cover the small plot).
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        ui.small(egui::RichText::new("exporter reports").color(EXPORTER));
        ui.small(egui::RichText::new("importer reports").color(IMPORTER));
        ui.small(egui::RichText::new("reconciled").color(RECONCILED));
        if e.surge.is_some() {
            ui.small(egui::RichText::new("surge window").color(theme::FLAG));
            ui.small(egui::RichText::new("baseline").color(theme::MUTED));
        }
    });
    let height = (ui.available_height() - 8.0 - 16.0 * notes.len() as f32).max(80.0);
    Plot::new("timeline-corridor")
        .height(height)
        .x_axis_formatter(|mark, _| month_label(mark.value.round() as i32))
        .allow_scroll(false)
        .show(ui, |plot| {
            if let Some(s) = &e.surge {
                for b in &s.baseline {
                    plot.span(
                        Span::new("baseline", judged_range(*b, s.rolling))
                            .fill(egui::Color32::from_rgba_unmultiplied(128, 128, 128, 40)),
                    );
                }
                plot.span(
                    Span::new("surge window", judged_range(s.judged, s.rolling))
                        .fill(egui::Color32::from_rgba_unmultiplied(200, 30, 30, 40)),
                );
            }
            if !exported.is_empty() {
                plot.bar_chart(BarChart::new("exporter reports", exported).color(EXPORTER));
            }
            if !imported.is_empty() {
                plot.bar_chart(BarChart::new("importer reports", imported).color(IMPORTER));
            }
            if !reconciled.is_empty() {
                plot.bar_chart(BarChart::new("reconciled", reconciled).color(RECONCILED));
            }
            if let Some(m) = shown {
                plot.vline(VLine::new("shown", f64::from(m)).color(theme::SELECTED));
            }
        });
    for n in notes {
        ui.small(n);
    }
}

/// Every loaded corridor's value summed per period.
fn totals_plot(ui: &mut egui::Ui, totals: &[(Period, f64)], shown: Option<i32>) {
    let bars: Vec<Bar> = totals
        .iter()
        .map(|(p, v)| {
            let (x, w) = period_x(*p);
            Bar::new(x, v / 1e6).width(w)
        })
        .collect();
    month_bars(
        ui,
        "timeline-corridors",
        BarChart::new("corridors", bars).color(RECONCILED),
        shown,
    );
}

/// Play / Pause, Stop, the speed, and the month shown in large text.
fn playback_ui(ui: &mut egui::Ui, app: &State, commands: &mut Vec<Command>) {
    let playing = app.playback.as_ref().is_some_and(|p| p.playing);
    let can_play = !app.analysis.routes.is_empty();
    if playing {
        if ui
            .button("Pause")
            .on_hover_text("Stop moving; the month stays")
            .clicked()
        {
            commands.push(Command::Pause);
        }
    } else if ui
        .add_enabled(can_play, egui::Button::new("Play"))
        .on_hover_text("Step the date filter through the data one month at a time")
        .clicked()
    {
        commands.push(Command::Play);
    }
    if ui
        .add_enabled(app.playback.is_some(), egui::Button::new("Stop"))
        .on_hover_text("Put the date filter back as it was before playing")
        .clicked()
    {
        commands.push(Command::StopPlayback);
    }
    let speed = app.playback_speed;
    egui::ComboBox::from_id_salt("playback-speed")
        .width(70.0)
        .selected_text(speed_label(speed))
        .show_ui(ui, |ui| {
            for s in PLAYBACK_SPEEDS {
                if ui.selectable_label(s == speed, speed_label(s)).clicked() && s != speed {
                    commands.push(Command::SetPlaybackSpeed(s));
                }
            }
        })
        .response
        .on_hover_text("Months per second");
    if let Some(p) = &app.playback {
        ui.label(
            egui::RichText::new(month_label(p.month))
                .size(22.0)
                .strong()
                .color(theme::SELECTED),
        )
        .on_hover_text(format!(
            "Playing {} to {}: routes active this month",
            month_label(p.range.0),
            month_label(p.range.1)
        ));
    }
}

fn speed_label(speed: f64) -> String {
    format!("{speed} mo/s")
}

fn timeline_plot(ui: &mut egui::Ui, months: &[(i32, f64)], shown: Option<i32>) {
    if months.is_empty() {
        ui.small("no shipments loaded");
        return;
    }
    let bars: Vec<Bar> = months
        .iter()
        .map(|(m, v)| {
            let bar = Bar::new(f64::from(*m), v / 1e6).width(0.85);
            if shown == Some(*m) {
                bar.fill(theme::SELECTED)
            } else {
                bar
            }
        })
        .collect();
    month_bars(ui, "timeline", BarChart::new("value", bars), shown);
}

/// Bars over months filling the timeline's height, with a line at the month playing.
fn month_bars(ui: &mut egui::Ui, id: &str, chart: BarChart, shown: Option<i32>) {
    Plot::new(id)
        .height((ui.available_height() - 8.0).max(80.0))
        .x_axis_formatter(|mark, _| month_label(mark.value.round() as i32))
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.bar_chart(chart);
            if let Some(m) = shown {
                plot.vline(VLine::new("shown", f64::from(m)).color(theme::SELECTED));
            }
        });
}
