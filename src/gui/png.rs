//! Saving images as PNG (the map view export), atomically.

use std::path::Path;

/// Writes an RGBA image as PNG.
pub fn write(path: &Path, image: &egui::ColorImage) -> std::io::Result<()> {
    crate::export::write_atomic(path, |out| encode_into(out, image))
}

/// An RGBA image as PNG bytes (the evidence report embeds the map view).
pub fn encode(image: &egui::ColorImage) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    encode_into(&mut bytes, image)?;
    Ok(bytes)
}

fn encode_into(out: &mut dyn std::io::Write, image: &egui::ColorImage) -> std::io::Result<()> {
    let [w, h] = image.size;
    let mut rgba = Vec::with_capacity(w * h * 4);
    for c in &image.pixels {
        rgba.extend_from_slice(&c.to_srgba_unmultiplied());
    }
    {
        let mut encoder = png::Encoder::new(out, w as u32, h as u32);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(&rgba)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    }
}
