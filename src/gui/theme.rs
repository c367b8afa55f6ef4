//! The only place with colour and stroke literals: the score ramp, flow widths, basemap colours.

use egui::{Color32, Stroke};

pub const OCEAN: Color32 = Color32::from_rgb(170, 200, 222);
pub const LAND: Color32 = Color32::from_rgb(244, 241, 232);
pub const LAND_CONCERN: Color32 = Color32::from_rgb(246, 226, 222);
pub const BORDER: Stroke = Stroke {
    width: 0.6,
    color: Color32::from_rgb(160, 160, 150),
};
pub const COUNTRY_LABEL: Color32 = Color32::from_rgb(90, 90, 90);
/// Places on the flow map: a circle reddened by the flagged share of the value through it.
pub const PLACE_FILL: Color32 = Color32::from_rgba_premultiplied(40, 90, 160, 210);
pub const PLACE_STROKE: Stroke = Stroke {
    width: 1.0,
    color: Color32::WHITE,
};
pub const PLACE_LABEL: Color32 = Color32::from_rgb(25, 35, 60);
pub const LABEL_BG: Color32 = Color32::from_rgba_premultiplied(250, 250, 250, 190);
pub const HALO: Color32 = Color32::from_rgba_premultiplied(255, 255, 255, 200);
pub const SELECTED: Color32 = Color32::from_rgb(20, 120, 255);
pub const LEGEND_BG: Color32 = Color32::from_rgba_premultiplied(250, 250, 250, 230);
pub const TEXT: Color32 = Color32::from_rgb(40, 40, 40);
pub const MUTED: Color32 = Color32::from_rgb(110, 110, 110);
pub const FLAG: Color32 = Color32::from_rgb(200, 30, 30);
/// Triage: confirmed routes get an outline in this colour on the map and their label in the
/// table; routes that need information a lighter one; dismissed routes fade.
pub const CONFIRMED: Color32 = Color32::from_rgb(130, 30, 200);
pub const NEEDS_INFO: Color32 = Color32::from_rgb(0, 150, 170);
pub const DISMISSED: Color32 = Color32::from_rgb(150, 150, 150);
/// How much of its colour a dismissed route keeps on the map.
pub const DISMISSED_ALPHA: f32 = 0.22;

/// The colour a disposition is written in (`None`: the ordinary text colour, for open routes).
pub fn disposition_color(d: crate::triage::Disposition) -> Option<Color32> {
    use crate::triage::Disposition;
    match d {
        Disposition::Open => None,
        Disposition::Confirmed => Some(CONFIRMED),
        Disposition::Dismissed => Some(DISMISSED),
        Disposition::NeedsInformation => Some(NEEDS_INFO),
    }
}

/// Colour of a route by score: grey-blue for low scores through amber to orange at the rules'
/// flag threshold and red above it.
pub fn score_color(score: f64, threshold: f64, alpha: f32) -> Color32 {
    let t = threshold.clamp(0.05, 0.95);
    let stops: [(f64, [u8; 3]); 4] = [
        (0.0, [120, 140, 170]),
        (0.6 * t, [235, 190, 60]),
        (t, [240, 120, 30]),
        (t + 0.6 * (1.0 - t), [200, 20, 30]),
    ];
    let s = score.clamp(0.0, 1.0);
    let mut rgb = stops[stops.len() - 1].1;
    for w in stops.windows(2) {
        if s <= w[1].0 {
            let t = ((s - w[0].0) / (w[1].0 - w[0].0)) as f32;
            let mix = |i: usize| {
                (f32::from(w[0].1[i]) + t * (f32::from(w[1].1[i]) - f32::from(w[0].1[i]))).round()
                    as u8
            };
            rgb = [mix(0), mix(1), mix(2)];
            break;
        }
    }
    Color32::from_rgba_unmultiplied(
        rgb[0],
        rgb[1],
        rgb[2],
        (alpha.clamp(0.0, 1.0) * 255.0) as u8,
    )
}

/// Line width of a flow by value, on a log scale: 1 px at USD 10k, +1.5 px per factor of ten, 9 px at most.
pub fn flow_width(value_usd: f64) -> f32 {
    (1.0 + 1.5 * (value_usd.max(1.0) / 1e4).log10().max(0.0)).min(9.0) as f32
}
