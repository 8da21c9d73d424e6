//! Page layout of a reply, as drawing operations on A4 pages (points, y downwards). Pure: the
//! PDF painter draws what this decides, and tests read the decisions directly.
//!
//! The page follows GB/T 9704-2012 (党政机关公文格式) where it can: A4, margins 37/35/28/26 mm,
//! the title in 二号 (22 pt), the body in 三号 (16 pt) at 28.95 pt a line, page numbers in 四号.
//! The table of persons is set in 小四 (12 pt) so that findings fit.

use crate::font::METRICS;

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const TOP: f32 = 37.0 * MM;
const BOTTOM: f32 = PAGE_H - 35.0 * MM;
const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = PAGE_W - 26.0 * MM;
pub const TEXT_W: f32 = RIGHT - LEFT;

pub const TITLE_SIZE: f32 = 22.0;
pub const BODY_SIZE: f32 = 16.0;
const BODY_LINE: f32 = 28.95;
pub const TABLE_SIZE: f32 = 12.0;
const TABLE_LINE: f32 = 18.0;
const CELL_PAD: f32 = 4.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text whose baseline starts at (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        red: bool,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// Characters that may not open a line (避头), and that may not close one (避尾).
const NO_START: &str = "，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}";
const NO_END: &str = "（《「『【〔〈“‘([{";

/// Breaks `text` into lines no wider than `width` at `size`; the first line is `indent` points
/// narrower. Ideographs break anywhere; punctuation that may not open a line hangs at the end of
/// the previous one, and punctuation that may not close a line moves to the next.
pub fn wrap(text: &str, width: f32, size: f32, indent: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        let mut avail = width - if lines.is_empty() { indent } else { 0.0 };
        for c in hard.chars() {
            let c = if c == '\t' { ' ' } else { c };
            let w = METRICS.advance(c) * size;
            if used + w > avail + 0.01 && !line.is_empty() && !NO_START.contains(c) {
                let mut carried = String::new();
                while line.chars().last().is_some_and(|l| NO_END.contains(l))
                    && line.chars().count() > 1
                {
                    carried.insert(0, line.pop().expect("non-empty"));
                }
                lines.push(std::mem::take(&mut line));
                avail = width;
                used = METRICS.width(&carried, size);
                line = carried;
            }
            line.push(c);
            used += w;
        }
        lines.push(line);
    }
    lines
}

/// The layout in progress: finished pages and the one being filled.
pub struct Layout {
    pub pages: Vec<Vec<Op>>,
    y: f32,
    /// A mark repeated at the top of every page (the draft warning), if any.
    mark: Option<String>,
}

impl Layout {
    pub fn new(mark: Option<String>) -> Self {
        let mut l = Layout {
            pages: Vec::new(),
            y: TOP,
            mark,
        };
        l.new_page();
        l
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page is open")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
        if let Some(mark) = self.mark.clone() {
            let size = 12.0;
            let x = RIGHT - METRICS.width(&mark, size);
            self.ops().push(Op::Text {
                x,
                y: TOP - 24.0,
                size,
                bold: true,
                red: true,
                text: mark,
            });
        }
    }

    fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    pub fn space(&mut self, h: f32) {
        self.y = (self.y + h).min(BOTTOM);
    }

    /// A paragraph: wrapped, each line placed by `align`, a new page when the bottom is reached.
    pub fn paragraph(&mut self, text: &str, size: f32, indent_ems: f32, align: Align, bold: bool) {
        let line_h = if size >= TITLE_SIZE {
            size * 1.5
        } else if size >= BODY_SIZE {
            BODY_LINE
        } else {
            size * 1.6
        };
        for (i, line) in wrap(text, TEXT_W, size, indent_ems * size)
            .into_iter()
            .enumerate()
        {
            if self.room() < line_h {
                self.new_page();
            }
            let w = METRICS.width(&line, size);
            let x = match align {
                Align::Left => LEFT + if i == 0 { indent_ems * size } else { 0.0 },
                Align::Center => LEFT + (TEXT_W - w) / 2.0,
                Align::Right => RIGHT - w,
            };
            let y = self.y + (line_h + size * 0.76) / 2.0;
            self.ops().push(Op::Text {
                x,
                y,
                size,
                bold,
                red: false,
                text: line,
            });
            self.y += line_h;
        }
    }

    /// A ruled table with `widths` as fractions of the text width; the header row is repeated
    /// on every page the table reaches, and a row taller than a page continues on the next.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>], widths: &[f32]) {
        let cols: Vec<f32> = widths.iter().map(|w| w * TEXT_W).collect();
        let wrap_row = |cells: &[String]| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(&cols)
                .map(|(c, w)| wrap(c, w - 2.0 * CELL_PAD, TABLE_SIZE, 0.0))
                .collect()
        };
        let header_cells: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let header_lines = wrap_row(&header_cells);
        let height = |lines: &[Vec<String>]| {
            lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * TABLE_LINE + 2.0 * CELL_PAD
        };
        let header_h = height(&header_lines);
        if self.room() < header_h + TABLE_LINE + 2.0 * CELL_PAD {
            self.new_page();
        }
        self.row(&header_lines, &cols, true);
        for r in rows {
            let mut lines = wrap_row(r);
            loop {
                let need = height(&lines);
                if need <= self.room() {
                    self.row(&lines, &cols, false);
                    break;
                }
                let fit = ((self.room() - 2.0 * CELL_PAD) / TABLE_LINE).floor() as usize;
                // Split a row only when it would not fit on a page of its own either.
                if fit >= 1 && need > BOTTOM - TOP - header_h {
                    let rest: Vec<Vec<String>> = lines
                        .iter_mut()
                        .map(|c| c.split_off(fit.min(c.len())))
                        .collect();
                    self.row(&lines, &cols, false);
                    lines = rest;
                }
                self.new_page();
                self.row(&header_lines, &cols, true);
            }
        }
    }

    fn row(&mut self, cells: &[Vec<String>], cols: &[f32], bold: bool) {
        let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = n as f32 * TABLE_LINE + 2.0 * CELL_PAD;
        let top = self.y;
        let mut x = LEFT;
        for (lines, w) in cells.iter().zip(cols) {
            for (i, line) in lines.iter().enumerate() {
                let tw = METRICS.width(line, TABLE_SIZE);
                // Short cells (a number, a name, a header) are centred; wrapped text is not.
                let lx = if lines.len() == 1 && tw < w * 0.5 || bold {
                    x + (w - tw) / 2.0
                } else {
                    x + CELL_PAD
                };
                let ly =
                    top + CELL_PAD + i as f32 * TABLE_LINE + (TABLE_LINE + TABLE_SIZE * 0.76) / 2.0;
                self.ops().push(Op::Text {
                    x: lx,
                    y: ly,
                    size: TABLE_SIZE,
                    bold,
                    red: false,
                    text: line.clone(),
                });
            }
            x += w;
        }
        let ops = self.ops();
        ops.push(Op::Line {
            x1: LEFT,
            y1: top,
            x2: RIGHT,
            y2: top,
        });
        ops.push(Op::Line {
            x1: LEFT,
            y1: top + h,
            x2: RIGHT,
            y2: top + h,
        });
        let mut x = LEFT;
        ops.push(Op::Line {
            x1: x,
            y1: top,
            x2: x,
            y2: top + h,
        });
        for w in cols {
            x += w;
            ops.push(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: top + h,
            });
        }
        self.y += h;
    }

    /// The pages, each with its number ("— 1 —") centred below the text.
    pub fn finish(mut self) -> Vec<Vec<Op>> {
        for (i, page) in self.pages.iter_mut().enumerate() {
            let text = format!("— {} —", i + 1);
            let size = 14.0;
            let w = METRICS.width(&text, size);
            page.push(Op::Text {
                x: (PAGE_W - w) / 2.0,
                y: BOTTOM + 18.0 * MM,
                size,
                bold: false,
                red: false,
                text,
            });
        }
        self.pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_punctuation_never_opens_a_line() {
        // 27 ideographs fill a 16 pt line of the text width; the comma must hang, not wrap.
        let text = format!("{}，后文", "廉".repeat(27));
        let lines = wrap(&text, TEXT_W, BODY_SIZE, 0.0);
        assert_eq!(lines[0].chars().last(), Some('，'));
        assert!(lines.iter().all(|l| !l.starts_with('，')));
    }

    #[test]
    fn opening_brackets_never_close_a_line() {
        let text = format!("{}（编号）", "廉".repeat(26));
        let lines = wrap(&text, TEXT_W, BODY_SIZE, 0.0);
        assert!(lines.iter().all(|l| !l.ends_with('（')), "{lines:?}");
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn hard_breaks_and_the_first_line_indent_are_kept() {
        let lines = wrap("甲\n乙", TEXT_W, BODY_SIZE, 2.0 * BODY_SIZE);
        assert_eq!(lines, ["甲", "乙"]);
        let long = "字".repeat(60);
        let l = wrap(&long, TEXT_W, BODY_SIZE, 2.0 * BODY_SIZE);
        assert_eq!(l[0].chars().count() + 2, l[1].chars().count());
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let mut layout = Layout::new(None);
        let rows: Vec<Vec<String>> = (1..=120)
            .map(|i| vec![i.to_string(), format!("人员{i}"), "某单位".into()])
            .collect();
        layout.table(&["序号", "姓名", "单位"], &rows, &[0.2, 0.4, 0.4]);
        let pages = layout.finish();
        assert!(pages.len() > 3);
        for (i, page) in pages.iter().enumerate() {
            let texts: Vec<&str> = page
                .iter()
                .filter_map(|o| match o {
                    Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(texts[0], "序号", "page {}", i + 1);
            assert!(texts.contains(&format!("— {} —", i + 1).as_str()));
        }
        let all: Vec<String> = pages
            .iter()
            .flatten()
            .filter_map(|o| match o {
                Op::Text { text, .. } if text.starts_with("人员") => Some(text.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(all.len(), 120, "every row once");
    }

    #[test]
    fn a_row_taller_than_a_page_continues_on_the_next() {
        let mut layout = Layout::new(None);
        let tall = (0..80)
            .map(|i| format!("第{i}条"))
            .collect::<Vec<_>>()
            .join("\n");
        layout.table(
            &["序号", "核查情况"],
            &[vec!["1".into(), tall]],
            &[0.2, 0.8],
        );
        let pages = layout.finish();
        assert!(pages.len() >= 2);
        let count = pages
            .iter()
            .flatten()
            .filter(|o| matches!(o, Op::Text { text, .. } if text.starts_with('第')))
            .count();
        assert_eq!(count, 80);
        for op in pages.iter().flatten() {
            let (Op::Text { y, .. } | Op::Line { y2: y, .. }) = op;
            assert!(*y <= PAGE_H, "inside the page");
        }
    }
}
