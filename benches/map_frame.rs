//! One frame of the map app, built headless: the whole window (panels, the basemap, every
//! visible flow) laid out by egui and tessellated into triangles, as a frame is before the GPU
//! draws it. Run with `cargo bench --bench map_frame` (the GUI feature, on by default); at other
//! sizes with `CHIPTRAIL_BENCH_ROWS=100000 cargo bench --bench map_frame` (or `1000000`).
//!
//! The input is made by the project's generator (licensed world, seed 1), written to a temporary
//! directory and opened by the app as a user's files are (read and scored off the UI thread,
//! outside the timed part). Each iteration pans the map a little, as a drag does, so that what
//! is cached between frames and what a moving view rebuilds are both counted:
//! - `map_frame/world/{all,flagged}/N`: the world view (zoom 2), every route or flagged only;
//! - `map_frame/region/{all,flagged}/N`: South-East Asia (zoom 5).
//!
//! The test harness needs AccessKit's tree every frame (it finds widgets through it) where the
//! app builds it only when a screen reader asks: these frames are an upper bound.

// Only the row count is shared with the other benches.
#[allow(dead_code)]
mod common;

use std::time::Duration;

use chiptrail::gui::app::{App, Command, Settings};
use chiptrail::sample::{SampleConfig, generate};
use common::rows;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use egui_kittest::Harness;
use walkers::lon_lat;

/// The app binary's allocator (src/main.rs), so that a frame here allocates as it does there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn open(dir: &std::path::Path) -> Harness<'static, App> {
    let files = vec![
        dir.join("shipments.csv"),
        dir.join("screening_list.csv"),
        dir.join("licences.csv"),
    ];
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .with_max_steps(4)
        .build_eframe(move |cc| {
            chiptrail::gui::install_fonts(&cc.egui_ctx);
            // No file dialog is ever asked for here.
            let mut app =
                App::with_settings(&cc.egui_ctx, Settings::default(), Box::new(|_| Vec::new()));
            app.open_instead(&cc.egui_ctx, files.clone());
            app
        });
    // Until the files are read and scored.
    for _ in 0..120_000 {
        harness.step();
        if harness.state().state.job.is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        harness.state().state.job.is_none(),
        "the files were not scored in time"
    );
    harness
}

/// One frame: the app's update, then the tessellation a renderer would ask for.
fn frame(harness: &mut Harness<'static, App>) -> usize {
    harness.step();
    let output = harness.output();
    let ctx = harness.ctx.clone();
    ctx.tessellate(output.shapes.clone(), ctx.pixels_per_point())
        .len()
}

fn map_frame(c: &mut Criterion) {
    let rows = rows();
    let dir = tempfile::tempdir().expect("temporary directory");
    generate(&SampleConfig::new(rows, 1))
        .write(dir.path())
        .expect("sample written");
    // How long the app takes to be ready: files read, scored and the first frame drawn.
    let start = std::time::Instant::now();
    let mut harness = open(dir.path());
    frame(&mut harness);
    eprintln!(
        "map_frame: app ready with {rows} generated rows ({} routes) in {:.2} s",
        harness.state().state.analysis.routes.len(),
        start.elapsed().as_secs_f64()
    );
    let mut group = c.benchmark_group("map_frame");
    group.sample_size(30);
    group.throughput(Throughput::Elements(1));
    for (view, (lon, lat, zoom)) in [("world", (60.0, 25.0, 2.0)), ("region", (105.0, 8.0, 5.0))] {
        for flagged in [false, true] {
            let mut filter = harness.state().state.settings.filter.clone();
            filter.flagged_only = flagged;
            let ctx = harness.ctx.clone();
            harness.state_mut().apply(&ctx, Command::SetFilter(filter));
            {
                let memory = &mut harness.state_mut().map.memory;
                memory.center_at(lon_lat(lon, lat));
                let _ = memory.set_zoom(zoom);
            }
            frame(&mut harness);
            let name = format!("{view}/{}", if flagged { "flagged" } else { "all" });
            // Criterion reports means; a pan is judged by its slow frames: 200 frames one by one.
            let mut times: Vec<f64> = (0..200)
                .map(|k| {
                    let dx = if k % 2 == 0 { 0.5 } else { -0.5 };
                    harness
                        .state_mut()
                        .map
                        .memory
                        .center_at(lon_lat(lon + dx, lat));
                    let start = std::time::Instant::now();
                    frame(&mut harness);
                    start.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            eprintln!(
                "map_frame: {name}/{rows}: 200 panning frames, median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
                times[100], times[190], times[199]
            );
            let mut step = 0u32;
            group.bench_function(BenchmarkId::new(name, rows), |b| {
                b.iter(|| {
                    // Pan back and forth by a fraction of a degree: a drag's frames.
                    step += 1;
                    let dx = if step.is_multiple_of(2) { 0.5 } else { -0.5 };
                    harness
                        .state_mut()
                        .map
                        .memory
                        .center_at(lon_lat(lon + dx, lat));
                    frame(&mut harness)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, map_frame);
criterion_main!(benches);
