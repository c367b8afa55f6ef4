//! The map: offline basemap, optional online tiles, flows and routes, hover and click.

use walkers::{Map, lon_lat};

use crate::gui::app::{App, Command};
use crate::gui::basemap::BasemapPlugin;
use crate::gui::flows::{FlowsPlugin, MapEvents};

pub fn map_ui(ui: &mut egui::Ui, app: &mut App) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut events = MapEvents::default();
    let center = lon_lat(app.settings.center[0], app.settings.center[1]);
    let tiles = app.tiles.as_mut().map(|t| t as &mut dyn walkers::Tiles);
    let tiles_below = tiles.is_some();
    let map = Map::new(tiles, &mut app.map_memory, center)
        .with_plugin(BasemapPlugin {
            basemap: &app.basemap,
            tiles_below,
            concern: &app.concern_m49,
            labels: &app.labels,
            hubs: &app.hubs,
        })
        .with_plugin(FlowsPlugin {
            flows: &app.drawn,
            selected: app.selected,
            events: &mut events,
            map_rect: &mut app.map_rect,
        });
    let response = ui.add(map);
    let lines = app.drawn.at_zoom(app.map_memory.zoom());
    if let Some(line) = events.hovered.and_then(|i| lines.get(i)) {
        response.clone().on_hover_ui_at_pointer(|ui| {
            ui.label(&line.label);
            if line.route.is_some() {
                ui.small("click for details");
            }
        });
    }
    if let Some(line) = events.clicked.and_then(|i| lines.get(i)) {
        match line.route {
            Some(route) => commands.push(Command::Select(Some(route))),
            None => {
                // An aggregate: zoom in on it, where its routes are drawn one by one.
                if let Some(p) = line.parts.first().and_then(|p| p.get(p.len() / 2)) {
                    let lon = f64::from(p[0]) * 360.0 - 180.0;
                    let lat = (std::f64::consts::PI * (1.0 - 2.0 * f64::from(p[1])))
                        .sinh()
                        .atan()
                        .to_degrees();
                    app.map_memory.center_at(lon_lat(lon, lat));
                    let _ = app
                        .map_memory
                        .set_zoom(crate::gui::flows::AGGREGATE_BELOW_ZOOM + 0.5);
                }
            }
        }
    } else if events.clicked_empty {
        commands.push(Command::Select(None));
    }
    app.map_events = events;
    commands
}
