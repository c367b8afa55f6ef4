//! The map: offline basemap, optional online tiles, flows between places, hover and click.

use egui::Rect;
use walkers::{HttpTiles, Map, MapMemory, lon_lat};

use crate::filter::{PlaceFilter, PlaceRole};
use crate::gui::basemap::{BasemapPlugin, Bounds, Margins, fit_view};
use crate::gui::command::Command;
use crate::gui::flows::{FlowsPlugin, MapEvents, MapItem};
use crate::gui::state::State;
use crate::scoring::indicators::usd;

/// What the map widget keeps and changes itself: pan and zoom, the online tiles, and what it
/// reports back each frame (its rectangle, the item hovered or clicked).
pub struct MapView {
    pub memory: MapMemory,
    pub tiles: Option<HttpTiles>,
    /// Screen rectangle of the map, for PNG export and zooming to fit.
    pub rect: Option<Rect>,
    pub events: MapEvents,
    /// A view to frame when the map is next laid out (its size is known only then: panels
    /// opening with a selection make it narrower).
    /// With the pixels kept free on each side.
    pub frame: Option<(Bounds, Margins)>,
    /// The investigator has moved the map (or a case or a selection placed it): loading data
    /// no longer frames the world.
    pub touched: bool,
}

/// Pixels kept free around a framed route: the legend's corner at the bottom too, so that no
/// stop ends up under it.
pub const FRAME_MARGIN: Margins = Margins {
    left: 48.0,
    top: 48.0,
    right: 48.0,
    bottom: 48.0 + crate::gui::flows::LEGEND_SPACE,
};

pub fn map_ui(ui: &mut egui::Ui, state: &State, view: &mut MapView) -> Vec<Command> {
    let mut commands = Vec::new();
    if let Some((bounds, margin)) = view.frame.take() {
        let (lon, lat, zoom) = fit_view(bounds, ui.available_size(), margin);
        view.memory.center_at(lon_lat(lon, lat));
        let _ = view.memory.set_zoom(zoom);
    }
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
            avoid: &state.drawn.place_points,
        })
        .with_plugin(FlowsPlugin {
            flows: &state.drawn,
            places: &state.places,
            events: &mut events,
            map_rect: &mut view.rect,
        });
    let response = ui.add(map);
    let scrolled = response.hovered()
        && ui.input(|i| i.smooth_scroll_delta != egui::Vec2::ZERO || i.zoom_delta() != 1.0);
    if response.dragged() || response.double_clicked() || scrolled {
        view.touched = true;
    }
    let g = crate::gazetteer::Gazetteer::embedded();
    match events.hovered {
        Some(MapItem::Flow(i)) => {
            if let Some(f) = state.drawn.summary.flows.get(i) {
                let (a, b) = (state.places.place(f.from), state.places.place(f.to));
                response.clone().on_hover_ui_at_pointer(|ui| {
                    ui.strong(format!("{} → {}", a.name, b.name));
                    ui.label(format!(
                        "{} route(s), {} flagged; {}",
                        f.routes,
                        f.flagged,
                        usd(f.value_usd)
                    ));
                    ui.small(format!(
                        "value-weighted score {:.2}, best {:.2}",
                        f.score, f.best_score
                    ));
                    let d = f.disposition();
                    if d != crate::triage::Disposition::Open {
                        ui.small(d.label());
                    }
                    if let Some(r) = state.analysis.routes.get(f.best_route) {
                        ui.small(format!(
                            "click: select the best route, {} {}",
                            r.id,
                            r.path_joined(g, " → ")
                        ));
                    }
                });
            }
        }
        Some(MapItem::Place(id)) => {
            let p = state.places.place(id);
            let t = state
                .drawn
                .summary
                .totals
                .get(id as usize)
                .cloned()
                .unwrap_or_default();
            response.clone().on_hover_ui_at_pointer(|ui| {
                if p.is_hub() {
                    ui.strong(format!(
                        "{} ({}, {})",
                        p.name,
                        p.code,
                        g.country(p.country).code()
                    ));
                } else {
                    ui.strong(&p.name);
                }
                ui.label(format!("in {} · out {}", usd(t.inflow), usd(t.outflow)));
                ui.label(format!(
                    "{} route(s), {} flagged: {:.0}% of the value flagged",
                    t.routes,
                    t.flagged_routes,
                    100.0 * t.flagged_share()
                ));
                ui.small("click: show only the routes through it");
            });
        }
        None => {}
    }
    match events.clicked {
        Some(MapItem::Flow(i)) => {
            if let Some(f) = state.drawn.summary.flows.get(i) {
                commands.push(Command::Select(Some(f.best_route)));
            }
        }
        Some(MapItem::Place(id)) => {
            let p = state.places.place(id);
            let mut filter = state.settings.filter.clone();
            if !filter.places.iter().any(|f| f.code == p.code) {
                filter.places.push(PlaceFilter {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    role: PlaceRole::Any,
                });
                commands.push(Command::SetFilter(filter));
            }
        }
        None if events.clicked_empty => commands.push(Command::Select(None)),
        None => {}
    }
    view.events = events;
    commands
}
