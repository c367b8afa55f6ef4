//! The map: offline basemap, optional online tiles, flows and routes, hover and click.

use egui::Rect;
use walkers::{HttpTiles, Map, MapMemory, lon_lat};

use crate::gui::basemap::BasemapPlugin;
use crate::gui::command::Command;
use crate::gui::flows::{FlowsPlugin, MapEvents};
use crate::gui::state::State;

/// What the map widget keeps and changes itself: pan and zoom, the online tiles, and what it
/// reports back each frame (its rectangle, the line hovered or clicked).
pub struct MapView {
    pub memory: MapMemory,
    pub tiles: Option<HttpTiles>,
    /// Screen rectangle of the map, for PNG export and zooming to fit.
    pub rect: Option<Rect>,
    pub events: MapEvents,
}

pub fn map_ui(ui: &mut egui::Ui, state: &State, view: &mut MapView) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut events = MapEvents::default();
    let center = lon_lat(state.settings.center[0], state.settings.center[1]);
    let tiles = view.tiles.as_mut().map(|t| t as &mut dyn walkers::Tiles);
    let tiles_below = tiles.is_some();
    let map = Map::new(tiles, &mut view.memory, center)
        .with_plugin(BasemapPlugin {
            basemap: &state.basemap,
            tiles_below,
            concern: &state.concern_m49,
            labels: &state.labels,
            hubs: &state.hubs,
        })
        .with_plugin(FlowsPlugin {
            flows: &state.drawn,
            selected: state.selected,
            events: &mut events,
            map_rect: &mut view.rect,
        });
    let response = ui.add(map);
    let lines = state.drawn.at_zoom(view.memory.zoom());
    if let Some(line) = events.hovered.and_then(|i| lines.get(i)) {
        response.clone().on_hover_ui_at_pointer(|ui| {
            ui.label(&line.label);
            if let Some(route) = line.route {
                let d = state.disposition(route);
                if d != crate::triage::Disposition::Open {
                    ui.small(d.label());
                }
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
                    commands.push(Command::CenterMap {
                        lon,
                        lat,
                        zoom: crate::gui::flows::AGGREGATE_BELOW_ZOOM + 0.5,
                    });
                }
            }
        }
    } else if events.clicked_empty {
        commands.push(Command::Select(None));
    }
    view.events = events;
    commands
}
