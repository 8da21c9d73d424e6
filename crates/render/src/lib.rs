//! Official documents rendered from plain data: the integrity-opinion reply (廉政意见回复函)
//! as DOCX and PDF. Knows nothing of storage, HTTP or permissions: the caller fills a
//! [`Reply`] (template already applied) and gets bytes back. The PDF embeds the subset of the
//! one font inside the binary that its text uses; nothing is read from disk or fetched.

mod docx;
mod font;
mod layout;
mod pdf;

pub use docx::docx;
pub use pdf::pdf;

/// A reply, ready to set: every text final.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub title: String,
    /// The request's reference, under the title.
    pub reference: String,
    /// The addressee line (主送), e.g. "县委组织部：".
    pub addressee: String,
    /// Paragraphs before the table; `\n` separates them.
    pub opening: String,
    pub rows: Vec<ReplyRow>,
    /// Paragraphs after the table.
    pub closing: String,
    /// The issuing authority (落款); `\n` separates lines.
    pub issuer: String,
    /// The date under the issuer, as printed ("2026年11月26日").
    pub date: String,
    /// Who drafted, reviewed and approved it: (role, "name date"), in that order.
    pub signoff: Vec<(String, String)>,
    /// A warning repeated at the top of every page while the reply is not approved.
    pub draft_mark: Option<String>,
    /// Fonts the DOCX names (the reader's own); the PDF uses its embedded font.
    pub title_font: String,
    pub body_font: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRow {
    pub seq: u32,
    pub name: String,
    /// Unit and post (单位及职务).
    pub post: String,
    /// One finding per line; empty when nothing was found.
    pub findings: Vec<String>,
    pub opinion: String,
}

/// The table's columns and their shares of the text width.
pub(crate) const COLUMNS: [(&str, f32); 5] = [
    ("序号", 0.08),
    ("姓名", 0.13),
    ("单位及职务", 0.22),
    ("核查情况", 0.32),
    ("意见", 0.25),
];

/// What the findings cell says when there are none.
pub(crate) const NO_FINDINGS: &str = "未发现问题";

impl Reply {
    /// "起草：… 审核：… 签发：…" as printed under the date.
    pub(crate) fn signoff_line(&self) -> String {
        self.signoff
            .iter()
            .map(|(role, who)| format!("{role}：{who}"))
            .collect::<Vec<_>>()
            .join("　　")
    }
}

impl ReplyRow {
    pub(crate) fn cells(&self) -> [String; 5] {
        [
            self.seq.to_string(),
            self.name.clone(),
            self.post.clone(),
            if self.findings.is_empty() {
                NO_FINDINGS.to_string()
            } else {
                self.findings.join("\n")
            },
            self.opinion.clone(),
        ]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The embedded font has no glyph for these characters (rare ideographs outside GBK):
    /// a PDF would print them as empty boxes, so none is made. The DOCX uses the reader's fonts.
    #[error("PDF 字体中没有这些字：{}（请下载 Word 版本）", .0.iter().collect::<String>())]
    MissingGlyphs(Vec<char>),
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("DOCX: {0}")]
    Docx(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    pub(crate) fn sample(rows: usize) -> Reply {
        Reply {
            title: "关于张三等2名同志党风廉政意见的回复".into(),
            reference: "（LZ-2026-0001）".into(),
            addressee: "县委组织部：".into(),
            opening: "你单位因提拔任用征求党风廉政意见的函收悉。现回复如下：".into(),
            rows: (1..=rows as u32)
                .map(|seq| ReplyRow {
                    seq,
                    name: format!("张{seq}"),
                    post: "县财政局 副局长".into(),
                    findings: if seq % 2 == 0 {
                        vec!["2025-03-15 受到党内警告处分（县纪委），影响期至 2026-03-14".into()]
                    } else {
                        vec![]
                    },
                    opinion: "经查，未发现该同志有违反廉洁纪律问题".into(),
                })
                .collect(),
            closing: "特此回复。".into(),
            issuer: "中共某县纪律检查委员会".into(),
            date: "2026年11月26日".into(),
            signoff: vec![("起草".into(), "王五 2026-11-20".into())],
            draft_mark: Some("草稿（未签发）".into()),
            title_font: "黑体".into(),
            body_font: "仿宋".into(),
        }
    }

    #[test]
    fn the_pdf_embeds_a_font_subset_not_the_whole_font() {
        let bytes = pdf(&sample(2)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(
            bytes.len() < 200_000,
            "{} bytes: the 6.9 MB font was not subset",
            bytes.len()
        );
        assert!(
            bytes.windows(8).any(|w| w == b"FontFile"),
            "the font is embedded"
        );
    }

    #[test]
    fn a_rare_ideograph_outside_the_font_refuses_the_pdf_and_names_it() {
        let mut r = sample(1);
        r.rows[0].name = "王𠀀".into();
        let e = pdf(&r).unwrap_err();
        assert!(matches!(&e, RenderError::MissingGlyphs(c) if c == &['𠀀']));
        assert!(e.to_string().contains('𠀀'));
        docx(&r).expect("the DOCX leaves glyphs to the reader's fonts");
    }

    #[test]
    fn the_docx_holds_the_persons_escaped_and_the_draft_mark_in_its_header() {
        let mut r = sample(2);
        r.rows[0].post = "A&B <局>".into();
        let bytes = docx(&r).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut doc)
            .unwrap();
        assert!(doc.contains("张1") && doc.contains("张2"));
        assert!(doc.contains("A&amp;B &lt;局&gt;"));
        assert!(doc.contains("<w:tblHeader/>"));
        let mut header = String::new();
        zip.by_name("word/header1.xml")
            .unwrap()
            .read_to_string(&mut header)
            .unwrap();
        assert!(header.contains("草稿（未签发）"));
    }
}
