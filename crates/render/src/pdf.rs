//! The reply as PDF: laid out by `layout`, painted with krilla (font subset, ToUnicode maps).

use crate::font::{FONT_DATA, METRICS};
use crate::layout::{Align, BODY_SIZE, Layout, Op, PAGE_H, PAGE_W, TABLE_SIZE, TITLE_SIZE};
use crate::{COLUMNS, RenderError, Reply};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};

/// Every text of the reply, for the glyph check.
fn texts(r: &Reply) -> impl Iterator<Item = &str> {
    [
        &r.title,
        &r.reference,
        &r.addressee,
        &r.opening,
        &r.closing,
        &r.issuer,
        &r.date,
    ]
    .into_iter()
    .map(String::as_str)
    .chain(r.draft_mark.iter().map(String::as_str))
    .chain(r.signoff.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]))
    .chain(r.rows.iter().flat_map(|row| {
        [row.name.as_str(), row.post.as_str(), row.opinion.as_str()]
            .into_iter()
            .chain(row.findings.iter().map(String::as_str))
    }))
}

/// Lays the reply out on A4 pages: title, reference, addressee, opening, the table of persons
/// (header repeated per page), closing, issuer and date, and who drafted, reviewed and approved.
pub(crate) fn lay_out(r: &Reply) -> Vec<Vec<Op>> {
    let mut l = Layout::new(r.draft_mark.clone());
    l.paragraph(&r.title, TITLE_SIZE, 0.0, Align::Center, true);
    if !r.reference.is_empty() {
        l.paragraph(&r.reference, TABLE_SIZE + 2.0, 0.0, Align::Center, false);
    }
    l.space(12.0);
    l.paragraph(&r.addressee, BODY_SIZE, 0.0, Align::Left, false);
    for p in r.opening.split('\n') {
        l.paragraph(p, BODY_SIZE, 2.0, Align::Left, false);
    }
    l.space(6.0);
    let header: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
    let widths: Vec<f32> = COLUMNS.iter().map(|(_, w)| *w).collect();
    let rows: Vec<Vec<String>> = r.rows.iter().map(|row| row.cells().to_vec()).collect();
    l.table(&header, &rows, &widths);
    l.space(12.0);
    for p in r.closing.split('\n') {
        l.paragraph(p, BODY_SIZE, 2.0, Align::Left, false);
    }
    l.space(28.0);
    for line in r.issuer.split('\n') {
        l.paragraph(line, BODY_SIZE, 0.0, Align::Right, false);
    }
    l.paragraph(&r.date, BODY_SIZE, 0.0, Align::Right, false);
    if !r.signoff.is_empty() {
        l.space(18.0);
        l.paragraph(&r.signoff_line(), TABLE_SIZE, 0.0, Align::Left, false);
    }
    l.finish()
}

/// The reply as a PDF, or which characters the embedded font cannot print.
pub fn pdf(r: &Reply) -> Result<Vec<u8>, RenderError> {
    let mut missing: Vec<char> = texts(r)
        .flat_map(str::chars)
        .filter(|c| !c.is_control() && METRICS.glyph(*c).is_none())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if !missing.is_empty() {
        return Err(RenderError::MissingGlyphs(missing));
    }
    let pages = lay_out(r);
    let font = Font::new(FONT_DATA.into(), 0).ok_or(RenderError::Pdf("font".into()))?;
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(r.title.clone())
            .language("zh-CN".into())
            .creator("明镜 智慧监督大数据平台".into()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid size");
    for ops in pages {
        let mut page = doc.start_page_with(settings.clone());
        let mut s = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    red,
                    text,
                } => {
                    let glyphs: Vec<KrillaGlyph> = text
                        .char_indices()
                        .map(|(i, c)| KrillaGlyph {
                            glyph_id: GlyphId::new(METRICS.glyph(c).unwrap_or(0)),
                            text_range: i..i + c.len_utf8(),
                            x_advance: METRICS.advance(c),
                            x_offset: 0.0,
                            y_offset: 0.0,
                            y_advance: 0.0,
                            location: None,
                        })
                        .collect();
                    let paint = if red {
                        rgb::Color::new(192, 0, 0)
                    } else {
                        rgb::Color::new(0, 0, 0)
                    };
                    s.set_fill(Some(Fill {
                        paint: paint.into(),
                        ..Default::default()
                    }));
                    // Bold is the regular face filled and thinly stroked (one font file only).
                    s.set_stroke(bold.then(|| Stroke {
                        paint: paint.into(),
                        width: size * 0.03,
                        ..Default::default()
                    }));
                    s.draw_glyphs(
                        Point::from_xy(x, y),
                        &glyphs,
                        font.clone(),
                        &text,
                        size,
                        false,
                    );
                }
                Op::Line { x1, y1, x2, y2 } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            width: 0.6,
                            ..Default::default()
                        }));
                        s.draw_path(&path);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| RenderError::Pdf(format!("{e:?}")))
}
