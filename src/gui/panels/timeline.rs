//! The timeline: monthly value of the selected route's parties, or of all shipments, and time
//! you can play: the filter's dates step a month at a time, the map and the table following.

use egui_plot::{Bar, BarChart, Plot, VLine};

use crate::filter::month_label;
use crate::gui::command::Command;
use crate::gui::state::{PLAYBACK_SPEEDS, State};
use crate::gui::theme;

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
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.strong("Timeline");
            playback_ui(ui, app, &mut commands);
        });
        ui.small(title);
        let shown = app.playback.as_ref().map(|p| p.month);
        timeline_plot(ui, &months, shown);
    });
    commands
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
    Plot::new("timeline")
        .height((ui.available_height() - 8.0).max(80.0))
        .x_axis_formatter(|mark, _| month_label(mark.value.round() as i32))
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("value", bars));
            if let Some(m) = shown {
                plot.vline(VLine::new("shown", f64::from(m)).color(theme::SELECTED));
            }
        });
}
