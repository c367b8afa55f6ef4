//! The desktop map app (feature `gui`): eframe + egui + walkers over the core. Nothing outside
//! this module names a GUI crate.

pub mod app;
pub mod basemap;
pub mod command;
pub mod flows;
pub mod history;
pub mod jobs;
pub mod panels;
mod png;
pub mod state;
pub mod theme;

pub use app::App;

const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/DroidSansFallback.ttf");

/// Installs the bundled fonts: egui's defaults, Hack as a fallback for arrows and symbols, and
/// Droid Sans Fallback for CJK party names. The app and the UI tests call this one function.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "droid-fallback".into(),
        std::sync::Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let list = fonts.families.entry(family.clone()).or_default();
        if family == egui::FontFamily::Proportional && !list.iter().any(|f| f == "Hack") {
            list.push("Hack".into());
        }
        list.push("droid-fallback".into());
    }
    ctx.set_fonts(fonts);
}

/// Opens the app window on the embedded sample, or on `files` when any are given.
pub fn run(files: Vec<std::path::PathBuf>) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Chiptrail")
            .with_inner_size([1440.0, 900.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Chiptrail",
        options,
        Box::new(|cc| Ok(Box::new(App::new(cc, files)))),
    )
}
