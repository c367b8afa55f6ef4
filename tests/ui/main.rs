//! The GUI face, driven with egui_kittest: the app starts on the embedded sample, filters,
//! selects a flagged route on the map and in the table, reads its breakdown, and exports.
//! The file picker is replaced: tests never open a system dialog.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chiptrail::gui::app::{App, Command, ExportFormat, ExportScope, FileRequest, Settings, State};
use chiptrail::gui::basemap::{ToScreen, mercator};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A picker that answers with the queued paths, and records what it was asked.
fn picker(
    answers: Arc<Mutex<Vec<PathBuf>>>,
    asked: Arc<Mutex<Vec<FileRequest>>>,
) -> chiptrail::gui::app::FilePicker {
    Box::new(move |request| {
        asked.lock().unwrap().push(request);
        answers.lock().unwrap().pop().into_iter().collect()
    })
}

fn start(
    answers: Arc<Mutex<Vec<PathBuf>>>,
    asked: Arc<Mutex<Vec<FileRequest>>>,
) -> Harness<'static, App> {
    start_with(Settings::default(), answers, asked)
}

fn start_with(
    settings: Settings,
    answers: Arc<Mutex<Vec<PathBuf>>>,
    asked: Arc<Mutex<Vec<FileRequest>>>,
) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_max_steps(64)
        .build_eframe(|cc| {
            chiptrail::gui::install_fonts(&cc.egui_ctx);
            let mut app = App::with_settings(&cc.egui_ctx, settings, picker(answers, asked));
            app.clock = fixed_clock;
            app
        });
    wait_for_job(&mut harness);
    harness
}

/// The clock the tests' app reads: every disposition and note is stamped with this time.
fn fixed_clock() -> String {
    "2026-11-29T10:15:00Z".to_string()
}

/// Steps the app until its background job has finished.
fn wait_for_job(harness: &mut Harness<'static, App>) {
    for _ in 0..3000 {
        harness.step();
        if harness.state().state.job.is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        harness.state().state.job.is_none(),
        "the background job did not finish"
    );
    harness.run_steps(3);
}

/// Paths the stand-in picker will answer with, and the requests it received.
type PickerQueues = (Arc<Mutex<Vec<PathBuf>>>, Arc<Mutex<Vec<FileRequest>>>);

fn no_picker() -> PickerQueues {
    (
        Arc::new(Mutex::new(Vec::new())),
        Arc::new(Mutex::new(Vec::new())),
    )
}

#[test]
fn the_app_opens_on_the_embedded_sample_with_flagged_routes_on_the_map() {
    let (answers, asked) = no_picker();
    let harness = start(answers, asked);
    let app = &harness.state().state;
    let shipments = app
        .datasets
        .iter()
        .find(|d| d.provenance.format == chiptrail::model::Format::Shipments)
        .unwrap();
    assert!(shipments.shipments().len() >= 3000);
    assert!(
        app.datasets
            .iter()
            .any(|d| d.provenance.format == chiptrail::model::Format::Watchlist)
    );
    let flagged = app
        .analysis
        .routes
        .iter()
        .filter(|r| r.score.flagged)
        .count();
    assert!(flagged > 50, "{flagged}");
    assert_eq!(
        app.visible.len(),
        app.analysis.routes.len(),
        "no filter at start"
    );
    // Flows between places, capped, the top route's hops among them, through named hubs.
    let drawn = &app.drawn;
    assert!(!drawn.arcs.is_empty() && drawn.arcs.len() <= chiptrail::gui::flows::MAX_FLOWS);
    for hop in app.places.of(0).windows(2) {
        assert!(
            drawn
                .drawn_flows()
                .any(|f| (f.from, f.to) == (hop[0], hop[1])),
            "the top route's hop {hop:?} is drawn"
        );
    }
    let names: Vec<&str> = drawn
        .places
        .iter()
        .map(|p| app.places.place(*p))
        .filter(|p| p.is_hub())
        .map(|p| p.name.as_str())
        .collect();
    assert!(names.contains(&"Singapore"), "{names:?}");
    // With no view saved, the map shows one whole world, cut where the fewest flows cross, and
    // no arc leaves the top or the bottom of the map.
    let (t, rect) = to_screen(&harness);
    let view = t.visible(rect);
    assert!((view[2] - view[0] - 1.0).abs() < 0.02, "{view:?}");
    assert!(
        drawn
            .arcs
            .iter()
            .flat_map(|a| &a.points)
            .all(|p| (0.0..=1.0).contains(&p[1]))
    );
    // Flows that cross the cut (the map's west and east edge, one world apart) continue across
    // it; the cut is where they are fewest: a small share of the value drawn.
    let crosses = |a: &chiptrail::gui::flows::DrawnArc| {
        (-2..=2).any(|k| {
            let (x0, x1) = (a.bbox[0] + k as f32, a.bbox[2] + k as f32);
            x0 < view[0] && x1 > view[0]
        })
    };
    let value = |a: &chiptrail::gui::flows::DrawnArc| drawn.summary.flows[a.flow].value_usd;
    let total: f64 = drawn.arcs.iter().map(value).sum();
    let cut: f64 = drawn.arcs.iter().filter(|a| crosses(a)).map(value).sum();
    eprintln!(
        "world view: {} of {} drawn flows cross the cut, {:.1}% of the value drawn",
        drawn.arcs.iter().filter(|a| crosses(a)).count(),
        drawn.arcs.len(),
        100.0 * cut / total
    );
    assert!(cut < 0.1 * total, "{cut} of {total}");
    assert!(harness.state().map.rect.is_some(), "the map was drawn");
    harness.get_by_label("shipments.csv");
    assert!(
        !harness
            .get_all_by_label_contains(&format!("{flagged} flagged"))
            .collect::<Vec<_>>()
            .is_empty()
    );
}

#[test]
fn flagged_only_filters_the_table_and_the_map() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    harness.get_by_label("Flagged only").click();
    harness.run_steps(3);
    let app = &harness.state().state;
    assert!(app.settings.filter.flagged_only);
    let flagged = app
        .analysis
        .routes
        .iter()
        .filter(|r| r.score.flagged)
        .count();
    assert_eq!(app.visible.len(), flagged);
    assert!(
        app.visible
            .iter()
            .all(|i| app.analysis.routes[*i].score.flagged)
    );
    assert!(app.drawn.drawn_flows().all(|f| f.flagged > 0));
}

#[test]
fn countries_and_dates_typed_in_the_filters_are_read_as_they_are_typed() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let g = chiptrail::gazetteer::Gazetteer::embedded();
    let (cn, ru) = (g.by_alpha2("CN").unwrap(), g.by_alpha2("RU").unwrap());
    // One key at a time, as a user types: the box keeps the half-typed word.
    harness.get_by_label("Countries").click();
    harness.run_steps(2);
    for key in "CN R".chars() {
        harness
            .get_by_label("Countries")
            .type_text(&key.to_string());
        harness.run_steps(2);
    }
    assert_eq!(harness.state().state.settings.filter.countries, [cn]);
    assert_eq!(
        harness.get_by_label("Countries").value().as_deref(),
        Some("CN R")
    );
    harness.get_by_label("Countries").type_text("U");
    harness.run_steps(2);
    let app = &harness.state().state;
    assert_eq!(app.settings.filter.countries, [cn, ru]);
    assert!(!app.visible.is_empty() && app.visible.len() < app.analysis.routes.len());
    assert!(app.visible.iter().all(|i| {
        let c = &app.analysis.routes[*i].countries;
        c.contains(&cn) || c.contains(&ru)
    }));
    // A date applies once it is whole.
    harness.get_by_label("From").click();
    harness.run_steps(2);
    for key in "2024-07-01".chars() {
        harness.get_by_label("From").type_text(&key.to_string());
        harness.run_steps(2);
        let from = harness.state().state.settings.filter.from;
        assert!(from.is_none() || from == chiptrail::model::Date::from_ymd(2024, 7, 1));
    }
    let app = &harness.state().state;
    let from = chiptrail::model::Date::from_ymd(2024, 7, 1);
    assert_eq!(app.settings.filter.from, from);
    assert!(
        app.visible
            .iter()
            .all(|i| Some(app.analysis.routes[*i].last_date) >= from)
    );
    // Reset empties the filter, and the boxes show it.
    harness.get_by_label("Reset").click();
    harness.run_steps(3);
    assert!(harness.state().state.settings.filter.countries.is_empty());
    assert_eq!(harness.state().state.settings.filter.from, None);
    assert_eq!(
        harness.get_by_label("Countries").value().as_deref(),
        Some("")
    );
}

#[test]
fn selecting_a_route_in_the_table_shows_its_score_breakdown_and_legs() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let top = harness.state().state.analysis.routes[0].clone();
    assert!(top.score.flagged);
    harness.get_by_label(&format!("● {}", top.id)).click();
    harness.run_steps(3);
    assert_eq!(harness.state().state.selected, Some(0));
    harness.get_by_label("Score breakdown");
    // Every factor that fired is listed with its evidence.
    for f in top
        .score
        .factors
        .iter()
        .filter(|f| f.value > 0.0 && !f.evidence.is_empty())
    {
        harness.get_by_label(&f.indicator.replace('_', " "));
        harness.get_by_label(&f.evidence);
    }
    harness.get_by_label_contains("Legs (");
    // The source rows: each leg's shipment id, file and line.
    let first_leg = &top.shipment_ids[0];
    harness.get_by_label_contains(&format!("{first_leg} · shipments.csv line"));
}

/// The screen transform of the map as it was last drawn.
fn to_screen(harness: &Harness<'static, App>) -> (ToScreen, egui::Rect) {
    let app = &harness.state().state;
    let view = &harness.state().map;
    let rect = view.rect.expect("map drawn");
    let center = walkers::lon_lat(app.settings.center[0], app.settings.center[1]);
    let projector =
        walkers::Projector::new(rect, &walkers::MercatorProjection, &view.memory, center);
    (ToScreen::new(&projector), rect)
}

/// The screen point of a map point (normalised Mercator) in the copy of the world where it is
/// inside `rect`, if any.
fn on_screen(t: &ToScreen, rect: egui::Rect, p: [f32; 2]) -> Option<egui::Pos2> {
    (-2..=2)
        .map(|k| t.apply([p[0] + k as f32, p[1]]))
        .find(|q| rect.contains(*q))
}

fn click(harness: &mut Harness<'static, App>, point: egui::Pos2) {
    harness.event(egui::Event::PointerMoved(point));
    harness.step();
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: point,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        harness.step();
    }
    harness.run_steps(2);
}

#[test]
fn clicking_a_flow_on_the_map_selects_its_best_route() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let mut filter = harness.state().state.settings.filter.clone();
    filter.flagged_only = true;
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(&ctx, Command::SetFilter(filter));
    harness.run_steps(3);
    let (t, rect) = to_screen(&harness);
    let app = &harness.state().state;
    // The top-most drawn flow with its middle inside the map, away from the legend and from
    // every place (a click on a place filters instead).
    let inner = rect.shrink(40.0);
    let place_points: Vec<egui::Pos2> = app
        .drawn
        .places
        .iter()
        .filter_map(|p| {
            let q = app.places.place(*p).point;
            on_screen(&t, rect, mercator(q.x(), q.y()))
        })
        .collect();
    let point = app
        .drawn
        .arcs
        .iter()
        .rev()
        .find_map(|a| {
            let p = on_screen(&t, inner, a.points[a.points.len() / 2])?;
            (p.y < rect.bottom() - 160.0 && place_points.iter().all(|q| (*q - p).length() > 20.0))
                .then_some(p)
        })
        .expect("a flagged flow is visible");
    click(&mut harness, point);
    let s = &harness.state().state;
    let selected = s.selected.expect("a click on a flow selects a route");
    assert!(s.analysis.routes[selected].score.flagged);
    assert!(
        s.drawn
            .summary
            .flows
            .iter()
            .any(|f| f.best_route == selected),
        "the best route of a flow"
    );
    harness.get_by_label("Score breakdown");
}

#[test]
fn selecting_a_route_in_the_table_frames_all_of_it_and_escape_clears() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let g = chiptrail::gazetteer::Gazetteer::embedded();
    // Two routes: the first from the United States (across the Pacific) and the first whose
    // stops all lie in Asia.
    let routes: Vec<usize> = {
        let a = &harness.state().state.analysis;
        let far = a
            .routes
            .iter()
            .position(|r| r.path_codes(g).starts_with("US>"))
            .unwrap();
        let near = a
            .routes
            .iter()
            .position(|r| r.stops.iter().all(|p| (60.0..150.0).contains(&p.x())))
            .unwrap();
        vec![far, near]
    };
    for i in routes {
        let id = harness.state().state.analysis.routes[i].id.clone();
        let ctx = harness.ctx.clone();
        // Scroll the table to it the way a user would: select from the table's keys is tested
        // elsewhere; here the command the table sends.
        harness.state_mut().apply(&ctx, Command::Select(Some(i)));
        harness.run_steps(4);
        let (t, rect) = to_screen(&harness);
        let s = &harness.state().state;
        let points: Vec<geo::Point<f64>> = s
            .places
            .of(i)
            .iter()
            .map(|p| s.places.place(*p).point)
            .collect();
        assert!(points.len() >= 2, "{id}");
        let lons = chiptrail::flowmap::unwrap_longitudes(
            &points.iter().map(|p| p.x()).collect::<Vec<_>>(),
        );
        // The whole route in one copy of the world, inside the map.
        let origin = t.apply(mercator(lons[0], points[0].y()));
        let first = on_screen(&t, rect, mercator(lons[0], points[0].y())).expect("origin in view");
        let copy = egui::vec2(first.x - origin.x, 0.0);
        for (lon, p) in lons.iter().zip(&points) {
            let q = t.apply(mercator(*lon, p.y())) + copy;
            assert!(
                rect.contains(q),
                "{id}: stop {lon},{} at {q:?} outside {rect:?}",
                p.y()
            );
            // Not under the legend in the lower-left corner either.
            let legend = egui::Rect::from_min_size(
                rect.left_bottom() + egui::vec2(0.0, -chiptrail::gui::flows::LEGEND_SPACE),
                egui::vec2(270.0, chiptrail::gui::flows::LEGEND_SPACE),
            );
            assert!(!legend.contains(q), "{id}: stop at {q:?} under the legend");
        }
    }
    press(&mut harness, egui::Modifiers::NONE, egui::Key::Escape);
    harness.run_steps(2);
    assert_eq!(
        harness.state().state.selected,
        None,
        "Escape clears the selection"
    );
}

#[test]
fn a_pan_by_a_whole_world_draws_the_same_picture() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let shapes = |harness: &Harness<'static, App>| -> Vec<f32> {
        let rect = harness.state().map.rect.unwrap();
        let mut out = Vec::new();
        for s in &harness.output().shapes {
            if !rect.intersects(s.clip_rect) || s.clip_rect.width() < rect.width() - 1.0 {
                continue;
            }
            match &s.shape {
                egui::Shape::Path(p) => out.extend(p.points.iter().flat_map(|q| [q.x, q.y])),
                egui::Shape::Mesh(m) => {
                    out.extend(m.vertices.iter().flat_map(|v| [v.pos.x, v.pos.y]))
                }
                egui::Shape::Circle(c) => out.extend([c.center.x, c.center.y, c.radius]),
                _ => {}
            }
        }
        out
    };
    let mut pictures = Vec::new();
    for lon in [150.0, 150.0 + 360.0, 150.0 - 720.0] {
        harness
            .state_mut()
            .map
            .memory
            .center_at(walkers::lon_lat(lon, 20.0));
        harness.run_steps(3);
        pictures.push(shapes(&harness));
    }
    assert!(pictures[0].len() > 1000, "the map draws something");
    for other in &pictures[1..] {
        assert_eq!(other.len(), pictures[0].len());
        let worst = pictures[0]
            .iter()
            .zip(other)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 0.5, "moved by {worst} px");
    }
}

#[test]
fn clicking_singapore_shows_the_routes_through_singapore_as_a_chip() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let (t, rect) = to_screen(&harness);
    let (singapore, point) = {
        let s = &harness.state().state;
        let id = s.places.find("SGSIN").expect("Singapore is a place");
        let p = s.places.place(id).point;
        (
            id,
            on_screen(&t, rect, mercator(p.x(), p.y())).expect("Singapore on the map"),
        )
    };
    // The pointer over it hovers the place (its card tells what passes it).
    harness.event(egui::Event::PointerMoved(point));
    harness.run_steps(3);
    assert_eq!(
        harness.state().map.events.hovered,
        Some(chiptrail::gui::flows::MapItem::Place(singapore))
    );
    click(&mut harness, point);
    let s = &harness.state().state;
    assert_eq!(s.settings.filter.places.len(), 1);
    assert_eq!(s.settings.filter.places[0].code, "SGSIN");
    assert!(!s.visible.is_empty() && s.visible.len() < s.analysis.routes.len());
    for i in &s.visible {
        assert!(
            s.places.of(*i).contains(&singapore),
            "route {i} passes Singapore"
        );
    }
    // Every route that passes Singapore is still there.
    let through = (0..s.analysis.routes.len())
        .filter(|i| s.places.of(*i).contains(&singapore))
        .count();
    assert_eq!(s.visible.len(), through);
    // The chip: "Singapore (on path)", removable.
    let chip = harness.get_by_label("Singapore (on path)").rect();
    // Its ×, beside it (the data panel's files have one each too).
    let remove = harness
        .get_all_by_label("×")
        .find(|n| {
            (n.rect().center().y - chip.center().y).abs() < 6.0 && n.rect().left() > chip.left()
        })
        .expect("the chip's ×")
        .rect()
        .center();
    click(&mut harness, remove);
    harness.run_steps(3);
    let s = &harness.state().state;
    assert!(s.settings.filter.places.is_empty());
    assert_eq!(s.visible.len(), s.analysis.routes.len());
}

#[test]
fn exports_write_flagged_routes_to_csv_geojson_and_kml() {
    let dir = tempfile::tempdir().unwrap();
    let (answers, asked) = no_picker();
    let mut harness = start(answers.clone(), asked.clone());
    let flagged = harness
        .state()
        .state
        .analysis
        .routes
        .iter()
        .filter(|r| r.score.flagged)
        .count();
    // Through the menus: File > Export flagged routes > CSV…
    let csv = dir.path().join("flagged.csv");
    answers.lock().unwrap().push(csv.clone());
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Export flagged routes").click();
    harness.run_steps(2);
    harness.get_by_label("CSV…").click();
    harness.run_steps(2);
    assert!(
        matches!(asked.lock().unwrap().last(), Some(FileRequest::Save { extension, .. }) if extension == "csv")
    );
    // Written off the UI thread, with progress in the status bar.
    wait_for_job(&mut harness);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&csv)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), flagged);
    assert!(rows.iter().all(|r| &r[2] == "true"));
    // The other formats, through the same command the menus send.
    let ctx = harness.ctx.clone();
    for (format, name) in [
        (ExportFormat::GeoJson, "flagged.geojson"),
        (ExportFormat::Kml, "flagged.kml"),
    ] {
        answers.lock().unwrap().push(dir.path().join(name));
        harness
            .state_mut()
            .apply(&ctx, Command::Export(ExportScope::Flagged, format));
        wait_for_job(&mut harness);
    }
    let geojson: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("flagged.geojson")).unwrap())
            .unwrap();
    assert_eq!(geojson["features"].as_array().unwrap().len(), flagged);
    let kml = std::fs::read_to_string(dir.path().join("flagged.kml")).unwrap();
    assert_eq!(kml.matches("<Placemark>").count(), flagged);
    assert_eq!(harness.state().state.written.len(), 3);
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );
}

#[test]
fn an_unknown_header_opens_the_mapping_dialog_and_loads_with_the_mapping() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/custom_header.csv");
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .apply(&ctx, Command::Open(vec![file.clone()]));
    wait_for_job(&mut harness);
    let dialog = harness
        .state()
        .state
        .mapping_dialog
        .clone()
        .expect("the mapping dialog opens");
    assert_eq!(dialog.header[0], "Remitente");
    harness.get_by_label("Map columns");
    // Choose the headers as a user would in the drop-downs.
    let choose = [
        ("exporter", 0),
        ("exporter_country", 1),
        ("importer", 2),
        ("importer_country", 3),
        ("date", 4),
        ("hs_code", 5),
        ("quantity", 6),
        ("value_usd", 7),
    ];
    {
        let d = harness.state_mut().state.mapping_dialog.as_mut().unwrap();
        for (name, header) in choose {
            let k = chiptrail::ingest::Column::ALL
                .iter()
                .position(|c| c.name() == name)
                .unwrap();
            d.chosen[k] = Some(header);
        }
    }
    harness.run_steps(2);
    harness.get_by_label("Load with this mapping").click();
    harness.run_steps(2);
    wait_for_job(&mut harness);
    let app = &harness.state().state;
    assert!(app.mapping_dialog.is_none());
    let loaded = app
        .datasets
        .iter()
        .find(|d| d.provenance.path == file)
        .expect("loaded with the mapping");
    assert_eq!(loaded.shipments().len(), 1);
}

#[test]
fn trans_pacific_and_multi_leg_routes_are_drawn_the_short_way_through_their_stops() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pacific.csv");
    std::fs::write(
        &file,
        "shipment_id,date,exporter,exporter_country,importer,importer_country,hs_code,description,quantity,value_usd\n\
         TP-1,2024-01-02,Formosa Board Co. Ltd.,TW,Cascade Cloud Inc.,US,854231,NVIDIA H100 GPU,8,224000\n\
         MH-1,2024-05-02,Pacific Crest Systems Inc.,US,Klang Data Sdn. Bhd.,MY,854231,NVIDIA A100 80GB GPU,96,1248000\n\
         MH-2,2024-05-15,Klang Data Sdn Bhd,MY,Siam Server Co. Ltd.,TH,854231,A100 80GB GPU,96,1300000\n\
         MH-3,2024-05-30,Siam Server Co. Ltd.,TH,Pearl River Compute Co. Ltd.,CN,854231,A100 GPU accelerator,96,1350000\n",
    )
    .unwrap();
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let ctx = harness.ctx.clone();
    // Only this file: drop the sample, load the file.
    while !harness.state().state.datasets.is_empty() {
        harness.state_mut().state.datasets.remove(0);
    }
    harness.state_mut().apply(&ctx, Command::Open(vec![file]));
    wait_for_job(&mut harness);
    let app = &harness.state().state;
    let g = chiptrail::gazetteer::Gazetteer::embedded();
    let route = |path: &str| {
        app.analysis
            .routes
            .iter()
            .position(|r| r.path_codes(g) == path)
            .unwrap_or_else(|| panic!("no route {path}"))
    };
    // The arc of each hop of a route, as drawn.
    let arcs = |i: usize| -> Vec<Vec<[f32; 2]>> {
        app.places
            .of(i)
            .windows(2)
            .map(|w| {
                let a = app
                    .drawn
                    .arcs
                    .iter()
                    .find(|a| {
                        let f = &app.drawn.summary.flows[a.flow];
                        (f.from, f.to) == (w[0], w[1])
                    })
                    .unwrap_or_else(|| panic!("hop {w:?} drawn"));
                a.points.clone()
            })
            .collect()
    };
    let x = |lon: f64| mercator(lon, 0.0)[0];
    // Taiwan -> US: one arc the short way, east from Taiwan across the antimeridian (x past 1) to
    // the US; never over Asia, Europe or the Atlantic, never off the top or bottom of the map.
    let pacific = arcs(route("TW>US"));
    assert_eq!(pacific.len(), 1);
    let (first, last) = (pacific[0][0], *pacific[0].last().unwrap());
    assert!((first[0] - x(121.0)).abs() < 0.02, "{first:?}");
    assert!((last[0] - (1.0 + x(-98.0))).abs() < 0.05, "{last:?}");
    for p in &pacific[0] {
        assert!(
            p[0] >= x(115.0) && p[0] <= 1.0 + x(-60.0),
            "over Eurasia or the Atlantic at {p:?}"
        );
        assert!((0.0..=1.0).contains(&p[1]), "off the map at {p:?}");
    }
    // The multi-leg route: one arc per hop, each starting where the last ended, in order.
    let multi = arcs(route("US>MY>TH>CN"));
    assert_eq!(multi.len(), 3);
    for w in multi.windows(2) {
        let (end, start) = (*w[0].last().unwrap(), w[1][0]);
        let dx = (end[0] - start[0]) - (end[0] - start[0]).round();
        assert!(dx.abs() < 1e-5 && (end[1] - start[1]).abs() < 1e-5);
    }
    for stop_arc in &multi {
        assert!(stop_arc.windows(2).all(|w| (w[1][0] - w[0][0]).abs() < 0.1));
    }
}

#[test]
fn a_national_extract_gets_its_country_typed_in_the_mapping_dialog_and_the_mapping_saved() {
    use chiptrail::ingest::{Column, Mapping};
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("kr.toml");
    let (answers, asked) = no_picker();
    let mut harness = start(answers.clone(), asked.clone());
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kr_import_declarations.csv");
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .apply(&ctx, Command::Open(vec![file.clone()]));
    wait_for_job(&mut harness);
    let dialog = harness
        .state()
        .state
        .mapping_dialog
        .clone()
        .expect("the mapping dialog opens for the missing country");
    // The dialog names the missing column in the app's words, and no command-line flag.
    assert!(
        dialog.message.contains("importer_country")
            && dialog.message.contains("same for every row"),
        "{}",
        dialog.message
    );
    assert!(
        harness
            .query_all_by_label_contains("--mapping")
            .next()
            .is_none()
    );
    let k = |c: Column| Column::ALL.iter().position(|x| *x == c).unwrap();
    assert_eq!(
        dialog.chosen[k(Column::HsCode)].map(|i| dialog.header[i].as_str()),
        Some("HS6 Code"),
        "the declaration headers are guessed"
    );
    let load_button_enabled = |harness: &Harness<'static, App>| {
        !harness
            .get_by_label("Load with this mapping")
            .accesskit_node()
            .is_disabled()
    };
    assert!(
        !load_button_enabled(&harness),
        "importer_country is still needed"
    );
    // A country the gazetteer does not know is named beside the box, and nothing loads.
    harness
        .get_by_label("importer_country for every row")
        .click();
    harness.run_steps(2);
    harness
        .get_by_label("importer_country for every row")
        .type_text("Narnia");
    harness.run_steps(3);
    assert_eq!(
        harness.state().state.mapping_dialog.as_ref().unwrap().fixed[k(Column::ImporterCountry)],
        "Narnia"
    );
    harness.get_by_label_contains("unknown country 'Narnia'");
    assert!(!load_button_enabled(&harness));
    harness
        .state_mut()
        .state
        .mapping_dialog
        .as_mut()
        .unwrap()
        .fixed[k(Column::ImporterCountry)]
    .clear();
    harness.run_steps(2);
    harness
        .get_by_label("importer_country for every row")
        .click();
    harness.run_steps(2);
    harness
        .get_by_label("importer_country for every row")
        .type_text("KR");
    harness.run_steps(3);
    assert!(load_button_enabled(&harness));
    // Save this mapping… writes a mapping file (atomically: no temporary file is left).
    answers.lock().unwrap().push(saved.clone());
    harness.get_by_label("Save this mapping…").click();
    harness.run_steps(3);
    assert!(asked.lock().unwrap().contains(&FileRequest::Save {
        title: "Save mapping".into(),
        extension: "toml".into()
    }));
    let mapping = Mapping::parse(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(mapping.values(), [(Column::ImporterCountry, "KR")]);
    assert!(mapping.pairs().contains(&(Column::HsCode, "HS6 Code")));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    harness.get_by_label_contains("saved the mapping to");
    // Load with this mapping: every row an import into KR, quantities in kg.
    harness.get_by_label("Load with this mapping").click();
    harness.run_steps(2);
    wait_for_job(&mut harness);
    {
        let app = &harness.state().state;
        assert!(app.mapping_dialog.is_none());
        let loaded = app
            .datasets
            .iter()
            .find(|d| d.provenance.path == file)
            .expect("loaded with the typed country");
        assert_eq!(loaded.shipments().len(), 3);
        let kr = chiptrail::gazetteer::Gazetteer::embedded()
            .by_alpha2("KR")
            .unwrap();
        assert!(loaded.shipments().iter().all(|s| s.importer_country == kr));
        assert!(
            loaded
                .shipments()
                .iter()
                .all(|s| s.unit.as_deref() == Some("KG"))
        );
    }
    // The data panel says how the file was read.
    harness.get_by_label_contains("importer_country = KR for every row");
    harness.get_by_label_contains("no piece count");
    // Load mapping… fills the dialog from the saved file.
    harness
        .state_mut()
        .apply(&ctx, Command::Open(vec![file.clone()]));
    wait_for_job(&mut harness);
    // The file loaded before, without a mapping it fails again and the dialog opens afresh.
    assert!(
        harness.state().state.mapping_dialog.as_ref().unwrap().fixed[k(Column::ImporterCountry)]
            .is_empty()
    );
    answers.lock().unwrap().push(saved.clone());
    harness.get_by_label("Load mapping…").click();
    harness.run_steps(3);
    assert!(asked.lock().unwrap().contains(&FileRequest::OpenMapping));
    let d = harness.state().state.mapping_dialog.clone().unwrap();
    assert_eq!(d.fixed[k(Column::ImporterCountry)], "KR");
    assert_eq!(d.mapping(), mapping);
    harness.get_by_label_contains("loaded the mapping from");
}

#[path = "../support/containers.rs"]
mod containers;

/// A file dropped on the window, as the windowing integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn zips_gzips_and_workbooks_open_from_the_dialog_and_by_dropping() {
    for ext in ["zip", "gz", "xlsx", "xls", "csv"] {
        assert!(chiptrail::gui::app::DATA_EXTENSIONS.contains(&ext), "{ext}");
    }
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("BACI_HS92_V202401.zip");
    std::fs::write(&zip, containers::baci_zip()).unwrap();
    let gz = dir.path().join("multi_hop.csv.gz");
    let plain =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/multi_hop.csv");
    std::fs::write(&gz, containers::gzip(&std::fs::read(plain).unwrap())).unwrap();
    let book = dir.path().join("export.xlsx");
    std::fs::write(&book, containers::shipments_xlsx()).unwrap();

    let (answers, asked) = no_picker();
    answers.lock().unwrap().push(zip.clone());
    let mut harness = start(answers, asked.clone());
    let ctx = harness.ctx.clone();
    harness.state_mut().apply(&ctx, Command::OpenDialog);
    wait_for_job(&mut harness);
    assert!(matches!(asked.lock().unwrap()[..], [FileRequest::OpenData]));
    let in_zip = |app: &State| {
        app.datasets
            .iter()
            .filter(|d| d.provenance.archive.as_ref().is_some_and(|a| a.path == zip))
            .cloned()
            .collect::<Vec<_>>()
    };
    let members = in_zip(&harness.state().state);
    assert_eq!(members.len(), 2, "one dataset per BACI year");
    assert!(
        members[0]
            .provenance
            .notes
            .iter()
            .any(|n| n.contains("code lists in the archive")),
        "{:?}",
        members[0].provenance.notes
    );

    for path in [&gz, &book, &zip] {
        harness
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(path.clone())));
    }
    harness.step();
    wait_for_job(&mut harness);
    let app = &harness.state().state;
    assert!(app.failures.is_empty(), "{:?}", app.failures);
    assert!(
        app.datasets
            .iter()
            .any(|d| d.provenance.path == gz && d.shipments().len() == 3)
    );
    let sheet = PathBuf::from(format!("{}!Shipments", book.display()));
    assert!(
        app.datasets
            .iter()
            .any(|d| d.provenance.path == sheet && d.shipments().len() == 2)
    );
    // Opening the zip again replaces its tables instead of doubling them.
    assert_eq!(in_zip(app).len(), 2);
}

// Casework: triage, undo/redo, keys and case files (issue 10).

use chiptrail::triage::{Disposition, RouteKey};
use egui::{Key, Modifiers};

/// What undo and redo move between: (flagged only, selected route, its disposition, its notes).
fn casework(
    harness: &Harness<'static, App>,
    route: usize,
) -> (bool, Option<usize>, Disposition, usize) {
    let s = &harness.state().state;
    let notes = s.entry(route).map_or(0, |e| e.notes.len());
    (
        s.settings.filter.flagged_only,
        s.selected,
        s.disposition(route),
        notes,
    )
}

fn press(harness: &mut Harness<'static, App>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.run_steps(3);
}

fn menu(harness: &mut Harness<'static, App>, menu: &str, item: &str) {
    harness.get_by_label(menu).click();
    harness.run_steps(2);
    harness.get_by_label(item).click();
    harness.run_steps(3);
}

#[test]
fn undo_and_redo_step_through_a_filter_a_selection_a_disposition_and_a_note() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let top = harness.state().state.analysis.routes[0].clone();
    assert!(top.score.flagged);
    assert!(!harness.state().state.history.can_undo());
    // A filter, a selection, a disposition and a note, each through the panels.
    harness.get_by_label("Flagged only").click();
    harness.run_steps(3);
    harness.get_by_label(&format!("● {}", top.id)).click();
    harness.run_steps(3);
    harness.get_by_label("Confirmed").click();
    harness.run_steps(3);
    harness.get_by_label("Note").click();
    harness.run_steps(2);
    harness
        .get_by_label("Note")
        .type_text("same consignee as case 12");
    harness.run_steps(2);
    harness.get_by_label("Add note").click();
    harness.run_steps(3);
    let all = (true, Some(0), Disposition::Confirmed, 1);
    assert_eq!(casework(&harness, 0), all);
    // The note shows in the details panel with its time, and the disposition with when it was set.
    harness.get_by_label("same consignee as case 12");
    harness.get_by_label("2026-11-29T10:15:00Z");
    harness.get_by_label("confirmed since 2026-11-29T10:15:00Z");
    let entry = harness.state().state.entry(0).unwrap().clone();
    assert_eq!(entry.notes[0].at, "2026-11-29T10:15:00Z");
    assert_eq!(harness.state().state.history.undo_len(), 4);

    // Undo, one step at a time, by keys and from the Edit menu.
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        casework(&harness, 0),
        (true, Some(0), Disposition::Confirmed, 0)
    );
    assert!(
        harness
            .query_by_label("same consignee as case 12")
            .is_none()
    );
    menu(&mut harness, "Edit", "Undo Ctrl+Z");
    assert_eq!(casework(&harness, 0), (true, Some(0), Disposition::Open, 0));
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(casework(&harness, 0), (true, None, Disposition::Open, 0));
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(casework(&harness, 0), (false, None, Disposition::Open, 0));
    assert!(!harness.state().state.history.can_undo());
    let everything = harness.state().state.analysis.routes.len();
    assert_eq!(harness.state().state.visible.len(), everything);
    // Nothing more to undo: the key does nothing.
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(casework(&harness, 0), (false, None, Disposition::Open, 0));

    // Redo, by both keys and the menu, back to where we were.
    press(&mut harness, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(casework(&harness, 0), (true, None, Disposition::Open, 0));
    menu(&mut harness, "Edit", "Redo Ctrl+Shift+Z");
    assert_eq!(casework(&harness, 0), (true, Some(0), Disposition::Open, 0));
    press(&mut harness, Modifiers::COMMAND, Key::Y);
    assert_eq!(
        casework(&harness, 0),
        (true, Some(0), Disposition::Confirmed, 0)
    );
    press(&mut harness, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(casework(&harness, 0), all);
    assert!(!harness.state().state.history.can_redo());
    assert_eq!(harness.state().state.entry(0), Some(&entry));
    harness.get_by_label("same consignee as case 12");
    // A new change after an undo drops what could be redone.
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(harness.state().state.history.can_redo());
    harness.get_by_label("Dismissed").click();
    harness.run_steps(3);
    assert!(!harness.state().state.history.can_redo());
    assert_eq!(
        casework(&harness, 0),
        (true, Some(0), Disposition::Dismissed, 0)
    );
}

#[test]
fn keys_move_the_selection_set_dispositions_and_focus_the_search() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let order = harness.state().state.table_order.clone();
    assert!(order.len() > 3);
    let selected = |h: &Harness<'static, App>| h.state().state.selected;
    // Down from no selection selects the first row; then down and up move along the table.
    press(&mut harness, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(selected(&harness), Some(order[0]));
    press(&mut harness, Modifiers::NONE, Key::ArrowDown);
    press(&mut harness, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(selected(&harness), Some(order[2]));
    press(&mut harness, Modifiers::NONE, Key::ArrowUp);
    assert_eq!(selected(&harness), Some(order[1]));
    let route = order[1];
    // c, d, n, o set the selected route's disposition.
    let disposition = |h: &Harness<'static, App>| h.state().state.disposition(route);
    for (key, expected) in [
        (Key::C, Disposition::Confirmed),
        (Key::D, Disposition::Dismissed),
        (Key::N, Disposition::NeedsInformation),
        (Key::O, Disposition::Open),
        (Key::C, Disposition::Confirmed),
    ] {
        press(&mut harness, Modifiers::NONE, key);
        assert_eq!(disposition(&harness), expected, "{key:?}");
    }
    let entry = harness.state().state.entry(route).unwrap();
    assert_eq!(entry.set_at, "2026-11-29T10:15:00Z");
    // Ctrl+C is not c.
    press(&mut harness, Modifiers::COMMAND, Key::D);
    assert_eq!(disposition(&harness), Disposition::Confirmed);
    // Enter zooms to the selected route (selecting it framed it already: look elsewhere first).
    harness
        .state_mut()
        .map
        .memory
        .center_at(walkers::lon_lat(-40.0, -30.0));
    let _ = harness.state_mut().map.memory.set_zoom(5.0);
    harness.run_steps(2);
    let before = (
        harness.state().map.memory.zoom(),
        harness.state().map.memory.detached(),
    );
    press(&mut harness, Modifiers::NONE, Key::Enter);
    let after = (
        harness.state().map.memory.zoom(),
        harness.state().map.memory.detached(),
    );
    assert_ne!(before, after, "Enter zooms to the route");
    // `/` focuses the search box, and the slash is not typed into it.
    harness.key_press(Key::Slash);
    harness.event(egui::Event::Text("/".into()));
    harness.run_steps(3);
    assert!(
        harness
            .ctx
            .memory(|m| m.has_focus(chiptrail::gui::panels::search_id()))
    );
    assert_eq!(harness.state().state.search, "");
    // While the search box has focus, keys are its own: no disposition, no move.
    press(&mut harness, Modifiers::NONE, Key::D);
    press(&mut harness, Modifiers::NONE, Key::ArrowDown);
    harness.event(egui::Event::Text("Pearl".into()));
    harness.run_steps(3);
    assert_eq!(disposition(&harness), Disposition::Confirmed);
    assert_eq!(selected(&harness), Some(route));
    assert_eq!(harness.state().state.search, "Pearl");
    assert!(!harness.state().state.search_hits.is_empty());
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        disposition(&harness),
        Disposition::Confirmed,
        "Ctrl+Z in a text box is the text box's"
    );
    // Escape leaves the box; the keys work again.
    press(&mut harness, Modifiers::NONE, Key::Escape);
    press(&mut harness, Modifiers::NONE, Key::D);
    assert_eq!(disposition(&harness), Disposition::Dismissed);
    // Help > Shortcuts lists them.
    menu(&mut harness, "Help", "Shortcuts");
    harness.get_by_label("Keyboard shortcuts");
    for (keys, _) in chiptrail::gui::panels::SHORTCUTS {
        harness.get_by_label(keys);
    }
}

#[test]
fn the_disposition_column_sorts_the_filter_hides_and_exports_carry_dispositions() {
    use egui::accesskit::Role;
    let dir = tempfile::tempdir().unwrap();
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let ctx = harness.ctx.clone();
    let (confirmed, dismissed, needs) = (5, 0, 9);
    for (route, d) in [
        (confirmed, Disposition::Confirmed),
        (dismissed, Disposition::Dismissed),
        (needs, Disposition::NeedsInformation),
    ] {
        harness
            .state_mut()
            .apply(&ctx, Command::SetDisposition(route, d));
    }
    harness.run_steps(3);
    // The column shows each route's disposition, and sorts by it: confirmed first, dismissed last.
    assert!(harness.query_all_by_label("needs information").count() >= 2);
    harness.get_by_label("Disposition").click();
    harness.run_steps(3);
    {
        let s = &harness.state().state;
        assert_eq!(s.routes_sort.key, chiptrail::gui::app::SortKey::Disposition);
        assert_eq!(s.table_order[0], confirmed);
        assert_eq!(s.table_order[1], needs);
        assert_eq!(*s.table_order.last().unwrap(), dismissed);
    }
    harness.get_by_label("Disposition ▼").click();
    harness.run_steps(3);
    assert_eq!(harness.state().state.table_order[0], dismissed);
    // The map: the flows of the confirmed route stand out and are drawn on top; the dismissed
    // route counts as dismissed in its flows, and not as flagged.
    {
        let s = &harness.state().state;
        let drawn = &s.drawn;
        let flows_of = |i: usize| {
            let hops: Vec<(u32, u32)> = s.places.of(i).windows(2).map(|w| (w[0], w[1])).collect();
            drawn
                .summary
                .flows
                .iter()
                .filter(move |f| hops.contains(&(f.from, f.to)))
        };
        assert!(flows_of(confirmed).all(|f| f.disposition() == Disposition::Confirmed));
        assert!(flows_of(dismissed).all(|f| f.dismissed >= 1));
        let top = &drawn.summary.flows[drawn.arcs.last().unwrap().flow];
        assert_eq!(top.disposition(), Disposition::Confirmed);
    }
    // The filter: untick "dismissed".
    harness
        .get_by_role_and_label(Role::CheckBox, "dismissed")
        .click();
    harness.run_steps(3);
    {
        let s = &harness.state().state;
        assert_eq!(
            s.settings.filter.hidden_dispositions,
            [Disposition::Dismissed]
        );
        assert!(!s.visible.contains(&dismissed));
        assert!(s.visible.contains(&confirmed) && s.visible.contains(&needs));
        assert_eq!(s.visible.len(), s.analysis.routes.len() - 1);
        // Kept between runs with the other settings.
        let saved = serde_json::to_string(&s.settings).unwrap();
        assert!(
            saved.contains(r#""hidden_dispositions":["dismissed"]"#),
            "{saved}"
        );
        let back: Settings = serde_json::from_str(&saved).unwrap();
        assert_eq!(back.filter, s.settings.filter);
    }
    // Undo brings the dismissed route back.
    press(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(harness.state().state.visible.contains(&dismissed));
    // Exports carry each route's disposition and notes.
    harness.state_mut().apply(
        &ctx,
        Command::AddNote(confirmed, "licence lapsed in March".into()),
    );
    let csv = dir.path().join("filtered.csv");
    let geojson = dir.path().join("filtered.geojson");
    let kml = dir.path().join("filtered.kml");
    for (format, path) in [
        (ExportFormat::Csv, &csv),
        (ExportFormat::GeoJson, &geojson),
        (ExportFormat::Kml, &kml),
    ] {
        harness.state_mut().apply(
            &ctx,
            Command::ExportTo(ExportScope::Filtered, format, path.clone()),
        );
        wait_for_job(&mut harness);
    }
    let s = &harness.state().state;
    let id = |i: usize| s.analysis.routes[i].id.clone();
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |i: usize| rows.iter().find(|r| r[0] == id(i)).unwrap();
    assert_eq!(&row(confirmed)[col("disposition")], "confirmed");
    assert_eq!(
        &row(confirmed)[col("notes")],
        "2026-11-29T10:15:00Z licence lapsed in March"
    );
    assert_eq!(&row(dismissed)[col("disposition")], "dismissed");
    assert_eq!(&row(needs)[col("disposition")], "needs information");
    assert_eq!(&row(1)[col("disposition")], "open");
    let features: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&geojson).unwrap()).unwrap();
    let feature = features["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["route_id"] == id(confirmed).as_str())
        .unwrap();
    assert_eq!(feature["properties"]["disposition"], "confirmed");
    let kml = std::fs::read_to_string(&kml).unwrap();
    assert!(kml.contains(r#"<Data name="disposition"><value>needs information</value></Data>"#));
}

#[test]
fn a_rescored_route_keeps_its_disposition_and_dispositions_without_a_route_are_named() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let ctx = harness.ctx.clone();
    let g = chiptrail::gazetteer::Gazetteer::embedded();
    let top = harness.state().state.analysis.routes[0].clone();
    let key = RouteKey::of(&top, g);
    harness
        .state_mut()
        .apply(&ctx, Command::SetDisposition(0, Disposition::Confirmed));
    harness.state_mut().apply(&ctx, Command::Select(Some(0)));
    // A disposition set on a route the data no longer has (its shipments changed since).
    let gone = RouteKey("shipments:GONE-1;GONE-2".into());
    harness.state_mut().state.triage.set(
        gone.clone(),
        Disposition::Dismissed,
        "2026-11-01T09:00:00Z",
    );
    // Scored again with one more file: every route is rebuilt.
    let file =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/multi_hop.csv");
    harness.state_mut().apply(&ctx, Command::Open(vec![file]));
    wait_for_job(&mut harness);
    let s = &harness.state().state;
    let i = s.route_of(&key).expect("the route is still there");
    assert_eq!(s.disposition(i), Disposition::Confirmed);
    assert_eq!(s.selected, Some(i), "the selection follows its route");
    assert_eq!(s.orphans, [gone]);
    assert!(
        s.status.contains("1 disposition(s) no longer have a route"),
        "{}",
        s.status
    );
    harness.get_by_label("1 disposition(s) without a route");
    harness.get_by_label("Dispositions without a route (1)");
}

#[test]
fn a_case_saved_in_the_app_opens_again_and_a_missing_input_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let file = data.join("multi_hop.csv");
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios/multi_hop.csv"),
        &file,
    )
    .unwrap();
    let case = dir.path().join("investigation.chiptrail");
    let (answers, asked) = no_picker();
    let mut harness = start(answers.clone(), asked.clone());
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .apply(&ctx, Command::Open(vec![file.clone()]));
    wait_for_job(&mut harness);
    let g = chiptrail::gazetteer::Gazetteer::embedded();
    let top = RouteKey::of(&harness.state().state.analysis.routes[2], g);
    harness
        .state_mut()
        .apply(&ctx, Command::SetDisposition(2, Disposition::Confirmed));
    harness
        .state_mut()
        .apply(&ctx, Command::AddNote(2, "asked the forwarder".into()));
    harness.state_mut().apply(&ctx, Command::Select(Some(2)));
    let mut filter = harness.state().state.settings.filter.clone();
    filter.min_score = 0.2;
    harness
        .state_mut()
        .apply(&ctx, Command::SetFilter(filter.clone()));
    harness.run_steps(2);
    // File > Save case asks where (there is no case yet) and writes it.
    answers.lock().unwrap().push(case.clone());
    menu(&mut harness, "File", "Save case Ctrl+S");
    assert!(asked.lock().unwrap().contains(&FileRequest::Save {
        title: "Save case".into(),
        extension: "chiptrail".into()
    }));
    assert!(case.exists());
    let saved = chiptrail::case::CaseFile::load(&case).unwrap();
    assert_eq!(saved.selection.as_ref(), Some(&top));
    assert_eq!(saved.filter, filter);
    assert_eq!(saved.triage, harness.state().state.triage);
    assert_eq!(harness.state().state.case_path.as_ref(), Some(&case));
    let settings = harness.state().state.settings.clone();
    assert_eq!(settings.recent_cases, std::slice::from_ref(&case));
    let triage = harness.state().state.triage.clone();
    let routes = harness.state().state.analysis.routes.len();
    drop(harness);

    // The next run: the recent case is on the start screen while nothing is loaded.
    let (answers, asked) = no_picker();
    let mut harness = start_with(settings, answers.clone(), asked.clone());
    while !harness.state().state.datasets.is_empty() {
        harness.state_mut().state.datasets.remove(0);
    }
    harness.run_steps(2);
    harness.get_by_label("Recent cases");
    harness.get_by_label("investigation.chiptrail").click();
    harness.run_steps(2);
    wait_for_job(&mut harness);
    {
        let s = &harness.state().state;
        assert!(s.case_dialog.is_none(), "{:?}", s.case_dialog);
        assert_eq!(s.analysis.routes.len(), routes);
        assert_eq!(s.triage, triage);
        assert_eq!(s.settings.filter, filter);
        assert_eq!(s.selected_key(), Some(top.clone()));
        assert_eq!(s.disposition(s.selected.unwrap()), Disposition::Confirmed);
        assert!(!s.history.can_undo());
    }
    harness.get_by_label("asked the forwarder");

    // The input moved: the case names it, and Locate… finds it.
    let moved = dir.path().join("elsewhere.csv");
    std::fs::rename(&file, &moved).unwrap();
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .apply(&ctx, Command::OpenCase(case.clone()));
    wait_for_job(&mut harness);
    {
        let dialog = harness.state().state.case_dialog.clone().expect("a dialog");
        assert!(matches!(
            &dialog.problems[..],
            [chiptrail::case::CaseProblem::Missing { path, .. }] if path == &file
        ));
    }
    harness.get_by_label("Cannot open the case investigation.chiptrail");
    harness.get_by_label_contains("input missing");
    answers.lock().unwrap().push(moved.clone());
    harness.get_by_label("Locate…").click();
    harness.run_steps(2);
    assert!(matches!(
        asked.lock().unwrap().last(),
        Some(FileRequest::Locate { name }) if name == "multi_hop.csv"
    ));
    wait_for_job(&mut harness);
    {
        let s = &harness.state().state;
        assert!(s.case_dialog.is_none(), "{:?}", s.case_dialog);
        assert_eq!(s.triage, triage);
        assert!(s.datasets.iter().any(|d| d.provenance.path == moved));
    }

    // A changed input is named with its hash; the data in the app stays as it was.
    std::fs::write(&file, &std::fs::read(&moved).unwrap()[..200]).unwrap();
    harness
        .state_mut()
        .apply(&ctx, Command::OpenCase(case.clone()));
    wait_for_job(&mut harness);
    let dialog = harness.state().state.case_dialog.clone().expect("a dialog");
    assert!(matches!(
        &dialog.problems[..],
        [chiptrail::case::CaseProblem::Changed { .. }]
    ));
    harness.get_by_label_contains("input changed");
    harness.get_by_label("Locate…");
    assert_eq!(harness.state().state.analysis.routes.len(), routes);
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    assert!(harness.state().state.case_dialog.is_none());

    // Not a case at all: the dialog says so.
    let not_a_case = dir.path().join("notes.chiptrail");
    std::fs::write(&not_a_case, "hello").unwrap();
    harness
        .state_mut()
        .apply(&ctx, Command::OpenCase(not_a_case));
    harness.run_steps(2);
    harness.get_by_label_contains("not a Chiptrail case file");
}

#[test]
fn the_evidence_report_is_written_from_the_file_menu_with_the_confirmed_routes() {
    let dir = tempfile::tempdir().unwrap();
    let (answers, asked) = no_picker();
    let mut harness = start(answers.clone(), asked.clone());
    let ctx = harness.ctx.clone();
    // Confirm the second flagged route, then ask for the report through the menu.
    let route = harness
        .state()
        .state
        .analysis
        .routes
        .iter()
        .enumerate()
        .filter(|(_, r)| r.score.flagged)
        .nth(1)
        .map(|(i, _)| i)
        .unwrap();
    let id = harness.state().state.analysis.routes[route].id.clone();
    harness.state_mut().apply(
        &ctx,
        Command::SetDisposition(route, chiptrail::triage::Disposition::Confirmed),
    );
    let out = dir.path().join("report");
    answers.lock().unwrap().push(out.clone());
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Evidence report…").click();
    harness.run_steps(2);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&id), "the confirmed route is in the report");
    assert!(html.contains("confirmed"));
    let legs: Vec<csv::StringRecord> = csv::Reader::from_path(out.join("routes.csv"))
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert!(!legs.is_empty() && legs.iter().all(|r| &r[0] == id.as_str()));
    assert!(out.join("routes.geojson").exists() && out.join("routes.kml").exists());
    assert!(harness.state().state.status.contains("evidence report"));
}

// The map tells the story at a glance: search that drops down, time you can play.

/// Focuses the search box and types `text` into it.
fn type_search(harness: &mut Harness<'static, App>, text: &str) {
    harness
        .ctx
        .memory_mut(|m| m.request_focus(chiptrail::gui::panels::search_id()));
    harness.run_steps(2);
    harness.event(egui::Event::Text(text.into()));
    harness.run_steps(3);
}

#[test]
fn the_search_drops_down_as_one_types_and_enter_goes_to_the_highlighted_hit() {
    use chiptrail::filter::SearchHit;
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    type_search(&mut harness, "Pearl River");
    let hits = harness.state().state.search_hits.clone();
    let routes: Vec<usize> = hits
        .iter()
        .filter_map(|h| match h {
            SearchHit::Route(i, _) => Some(*i),
            _ => None,
        })
        .collect();
    assert!(routes.len() >= 2, "{hits:?}");
    assert!(harness.state().state.search_open);
    // The list under the box shows the hits, at most twelve, with a line for the rest.
    let first = harness.state().state.analysis.routes[routes[0]].id.clone();
    let second = harness.state().state.analysis.routes[routes[1]].id.clone();
    harness.get_by_label_contains(&format!("{first} "));
    let shown = harness
        .get_all_by_label_contains("(party Pearl River")
        .count();
    assert_eq!(
        shown,
        routes.len().min(chiptrail::gui::panels::SEARCH_SHOWN)
    );
    if hits.len() > chiptrail::gui::panels::SEARCH_SHOWN {
        harness.get_by_label_contains("more: type more of the name");
    }
    assert_eq!(harness.state().state.selected, None);
    // Enter goes to the first hit: the route is selected, and the list closes.
    let zoom = harness.state().map.memory.zoom();
    press(&mut harness, Modifiers::NONE, Key::Enter);
    assert_eq!(harness.state().state.selected, Some(routes[0]));
    assert!(!harness.state().state.search_open);
    assert!(
        harness
            .query_by_label_contains("(party Pearl River")
            .is_none()
    );
    assert_ne!(
        harness.state().map.memory.zoom(),
        zoom,
        "the map went to the route"
    );
    // Down moves the highlight; Enter takes the highlighted hit.
    type_search(&mut harness, " ");
    assert!(harness.state().state.search_open);
    press(&mut harness, Modifiers::NONE, Key::ArrowDown);
    assert_eq!(harness.state().state.search_highlight, 1);
    press(&mut harness, Modifiers::NONE, Key::ArrowDown);
    press(&mut harness, Modifiers::NONE, Key::ArrowUp);
    press(&mut harness, Modifiers::NONE, Key::Enter);
    assert_eq!(
        harness.state().state.selected,
        Some(routes[1]),
        "{second} was highlighted"
    );
    // Escape closes the list and leaves the box.
    harness.state_mut().state.selected = None;
    type_search(&mut harness, "x");
    assert!(harness.state().state.search_open);
    press(&mut harness, Modifiers::NONE, Key::Escape);
    assert!(!harness.state().state.search_open);
    assert!(
        !harness
            .ctx
            .memory(|m| m.has_focus(chiptrail::gui::panels::search_id()))
    );
    assert_eq!(harness.state().state.selected, None);
}

#[test]
fn a_port_is_found_by_its_locode_and_a_click_on_it_zooms_there() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    type_search(&mut harness, "my pkg");
    harness
        .get_by_label_contains("Hub: Port Klang (MYPKG")
        .click();
    harness.run_steps(3);
    let centre = harness
        .state()
        .map
        .memory
        .detached()
        .expect("the map moved");
    assert!((centre.x() - 101.39).abs() < 0.01 && (centre.y() - 3.0).abs() < 0.01);
    assert!(
        (harness.state().map.memory.zoom() - 6.0).abs() < 0.01,
        "a regional view"
    );
    assert!(!harness.state().state.search_open);
}

#[test]
fn playing_time_steps_the_date_filter_a_month_at_a_time_and_stop_puts_it_back() {
    use chiptrail::filter::{month_days, month_range};
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let all = harness.state().state.analysis.routes.len();
    let (first, last) = month_range(&harness.state().state.analysis).unwrap();
    assert!(last > first + 2);
    harness.get_by_label("Play").click();
    harness.run_steps(2);
    let from = |h: &Harness<'static, App>| h.state().state.settings.filter.from;
    let to = |h: &Harness<'static, App>| h.state().state.settings.filter.to;
    assert_eq!(from(&harness), Some(month_days(first).0));
    assert_eq!(to(&harness), Some(month_days(first).1));
    let visible = harness.state().state.visible.len();
    assert!(visible < all, "one month shows fewer routes");
    // The month shown in large text.
    harness.get_by_label(&chiptrail::filter::month_label(first));
    // A second at 1 month per second (kittest's frames are a quarter second apart): next month.
    harness.run_steps(4);
    assert_eq!(from(&harness), Some(month_days(first + 1).0));
    assert_eq!(to(&harness), Some(month_days(first + 1).1));
    harness.get_by_label(&chiptrail::filter::month_label(first + 1));
    // Pause keeps the month (the click's own frames may have stepped once more).
    harness.get_by_label("Pause").click();
    harness.run_steps(1);
    let paused = from(&harness).unwrap().month_index();
    assert!(
        paused == first + 1 || paused == first + 2,
        "{paused} vs {first}"
    );
    harness.run_steps(10);
    assert_eq!(from(&harness), Some(month_days(paused).0));
    // Faster: two months a second; Play goes on from the paused month.
    harness.get_by_value("1 mo/s").click(); // the speed box (its value is the speed)
    harness.run_steps(2);
    harness.get_by_label("2 mo/s").click();
    harness.run_steps(1);
    assert_eq!(harness.state().state.playback_speed, 2.0);
    assert_eq!(from(&harness), Some(month_days(paused).0));
    harness.get_by_label("Play").click();
    harness.run_steps(6);
    let now = from(&harness).unwrap().month_index();
    assert!(now >= paused + 2, "{now} vs {paused}");
    // Stop puts the dates back as they were (none), and keeps the rest of the filter.
    harness.get_by_label("Flagged only").click();
    harness.run_steps(2);
    harness.get_by_label("Stop").click();
    harness.run_steps(2);
    assert_eq!((from(&harness), to(&harness)), (None, None));
    assert!(harness.state().state.settings.filter.flagged_only);
    assert!(harness.state().state.playback.is_none());
    // Played through to the end, it stops at the last month.
    harness.state_mut().state.playback_speed = 1000.0;
    harness.get_by_label("Play").click();
    harness.run_steps((last - first + 4) as usize);
    let p = harness.state().state.playback.clone().unwrap();
    assert!(!p.playing);
    assert_eq!(p.month, last);
    assert_eq!(from(&harness), Some(month_days(last).0));
    // New data has other months: playing stops and the dates go back.
    let ctx = harness.ctx.clone();
    let more = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/comtrade_small.csv");
    harness.state_mut().apply(&ctx, Command::Open(vec![more]));
    wait_for_job(&mut harness);
    assert!(harness.state().state.playback.is_none());
    assert_eq!((from(&harness), to(&harness)), (None, None));
}

#[test]
fn a_selected_corridor_shows_each_sides_values_its_surge_and_the_rows_behind_it() {
    let (answers, asked) = no_picker();
    let mut harness = start(answers, asked);
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let ctx = harness.ctx.clone();
    harness.state_mut().open_instead(
        &ctx,
        vec![
            fixtures.join("comtrade_small.csv"),
            fixtures.join("baci_small.csv"),
        ],
    );
    wait_for_job(&mut harness);
    let app = &harness.state().state;
    let names: Vec<String> = app
        .datasets
        .iter()
        .map(|d| format!("{} {}", d.provenance.path.display(), d.provenance.format))
        .collect();
    assert!(
        app.datasets
            .iter()
            .all(|d| d.provenance.format != chiptrail::model::Format::Shipments),
        "{names:?}"
    );
    assert!(app.months_all.is_empty() && !app.corridor_totals.is_empty());
    // Nothing selected, only country-level data: the corridors' total by period.
    harness.get_by_label("Value of the loaded corridors by period, FOB (USD M)");
    assert!(harness.query_by_label("no shipments loaded").is_none());
    let g = chiptrail::gazetteer::Gazetteer::embedded();
    let am = app
        .analysis
        .routes
        .iter()
        .position(|r| r.path_codes(g) == "AM>RU")
        .unwrap();
    harness.state_mut().apply(&ctx, Command::Select(Some(am)));
    harness.run_steps(3);
    let (i, e) = harness.state().state.selected_corridor.clone().unwrap();
    assert_eq!(i, am);
    assert!(e.surge.is_some());
    // The timeline plots the corridor and says which surge the score used.
    harness.get_by_label("AM → RU HS 8542: each period as each side reports it (USD M)");
    harness.get_by_label_contains("surge: 2022 ");
    // The details panel lists the rows behind it, each with its file and line.
    harness.get_by_label_contains("Country-level rows behind this corridor (");
    let rows = harness.get_all_by_label_contains(".csv line ").count();
    let chiptrail::analysis::RouteKind::Corridor { flows } =
        &harness.state().state.analysis.routes[am].kind
    else {
        panic!("a corridor")
    };
    assert_eq!(rows, flows.len());
    assert!(
        harness
            .get_all_by_label_contains("comtrade_small.csv line ")
            .next()
            .is_some()
    );
    // A corridor with a consignment breakdown shows its shares.
    let us_cn = harness
        .state()
        .state
        .analysis
        .routes
        .iter()
        .position(|r| r.path_codes(g) == "US>CN")
        .unwrap();
    harness
        .state_mut()
        .apply(&ctx, Command::Select(Some(us_cn)));
    harness.run_steps(3);
    harness.get_by_label_contains("consigned from third countries (as the importer reports): ");
}
