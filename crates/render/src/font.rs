//! The one font inside the binary (Noto Serif CJK SC, cut to GBK's ideographs: see
//! `scripts/subset-font.sh` and `assets/fonts/OFL.txt`) and what layout needs of it.

use skrifa::prelude::{FontRef, LocationRef, MetadataProvider, Size};
use std::sync::LazyLock;

pub static FONT_DATA: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSerifCJKsc-Regular.subset.otf");

/// Glyph ids and advances (in ems) of the embedded font.
pub struct Metrics {
    font: FontRef<'static>,
    units_per_em: f32,
}

pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let font = FontRef::new(FONT_DATA).expect("the embedded font parses");
    let units_per_em = font
        .metrics(Size::unscaled(), LocationRef::default())
        .units_per_em as f32;
    Metrics { font, units_per_em }
});

impl Metrics {
    /// The glyph of `c`, or `None` when the font has none.
    pub fn glyph(&self, c: char) -> Option<u32> {
        self.font.charmap().map(c).map(|g| g.to_u32())
    }

    /// The advance of `c` in ems; a character without a glyph measures as one em.
    pub fn advance(&self, c: char) -> f32 {
        let Some(g) = self.font.charmap().map(c) else {
            return 1.0;
        };
        self.font
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(g)
            .map_or(1.0, |w| w / self.units_per_em)
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c)).sum::<f32>() * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideographs_are_one_em_and_latin_narrower() {
        let m = &*METRICS;
        assert!(m.glyph('廉').is_some());
        assert!((m.advance('廉') - 1.0).abs() < 1e-3);
        assert!(m.advance('1') < 0.7);
        assert!(
            m.glyph('\u{20000}').is_none(),
            "extension B is outside the cut"
        );
    }
}
