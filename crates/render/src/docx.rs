//! The reply as DOCX (Office Open XML, ECMA-376): the same parts as the PDF, in A4 with the
//! margins of GB/T 9704, a ruled table whose header row repeats on every page, page numbers in
//! the footer, and the draft mark in the header. Fonts are named, not embedded: the reader's
//! word processor has the official fonts the template names.

use crate::{COLUMNS, RenderError, Reply};
use std::fmt::Write as _;
use std::io::Write;
use zip::write::SimpleFileOptions;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
/// The text width in twips: A4 (11906) less 28 mm and 26 mm.
const TEXT_TWIPS: f32 = 11906.0 - 1588.0 - 1474.0;

/// Text as XML character data; characters XML 1.0 forbids are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

struct Run<'a> {
    font: &'a str,
    /// In half-points, as WordprocessingML counts.
    half_points: u32,
    bold: bool,
    red: bool,
}

impl Run<'_> {
    fn xml(&self, text: &str) -> String {
        let f = esc(self.font);
        format!(
            "<w:r><w:rPr><w:rFonts w:ascii=\"{f}\" w:hAnsi=\"{f}\" w:eastAsia=\"{f}\" w:cs=\"{f}\"/>{}{}\
             <w:sz w:val=\"{hp}\"/><w:szCs w:val=\"{hp}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            if self.bold { "<w:b/>" } else { "" },
            if self.red {
                "<w:color w:val=\"C00000\"/>"
            } else {
                ""
            },
            esc(text),
            hp = self.half_points,
        )
    }
}

/// One paragraph: `jc` is left, center or right; `indent` in characters of the first line;
/// `line` the exact line height in twips (0: single).
fn para(out: &mut String, run: &Run, text: &str, jc: &str, indent: u32, line: u32) {
    let _ = write!(out, "<w:p><w:pPr>");
    if line > 0 {
        let _ = write!(
            out,
            "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{line}\" w:lineRule=\"exact\"/>"
        );
    } else {
        let _ = write!(out, "<w:spacing w:before=\"0\" w:after=\"0\"/>");
    }
    if indent > 0 {
        let _ = write!(out, "<w:ind w:firstLineChars=\"{}\"/>", indent * 100);
    }
    let _ = write!(out, "<w:jc w:val=\"{jc}\"/></w:pPr>{}</w:p>", run.xml(text));
}

fn document_xml(r: &Reply) -> String {
    let title = Run {
        font: &r.title_font,
        half_points: 44,
        bold: true,
        red: false,
    };
    let body = Run {
        font: &r.body_font,
        half_points: 32,
        bold: false,
        red: false,
    };
    let small = Run {
        font: &r.body_font,
        half_points: 24,
        bold: false,
        red: false,
    };
    let head = Run {
        font: &r.body_font,
        half_points: 24,
        bold: true,
        red: false,
    };
    let mut b = String::with_capacity(4096 + r.rows.len() * 1500);
    for line in r.title.split('\n') {
        para(&mut b, &title, line, "center", 0, 0);
    }
    if !r.reference.is_empty() {
        para(
            &mut b,
            &Run {
                half_points: 28,
                ..small
            },
            &r.reference,
            "center",
            0,
            0,
        );
    }
    para(&mut b, &body, "", "left", 0, 579);
    para(&mut b, &body, &r.addressee, "left", 0, 579);
    for p in r.opening.split('\n') {
        para(&mut b, &body, p, "both", 2, 579);
    }
    // The table of persons.
    b.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>",
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            b,
            "<w:{side} w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/>"
        );
    }
    b.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/><w:right w:w=\"80\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>");
    let twips: Vec<u32> = COLUMNS
        .iter()
        .map(|(_, w)| (w * TEXT_TWIPS) as u32)
        .collect();
    for t in &twips {
        let _ = write!(b, "<w:gridCol w:w=\"{t}\"/>");
    }
    b.push_str("</w:tblGrid>");
    let row = |b: &mut String, cells: &[String], header: bool| {
        b.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            b.push_str("<w:tblHeader/>");
        }
        b.push_str("</w:trPr>");
        for (i, (cell, t)) in cells.iter().zip(&twips).enumerate() {
            let _ = write!(
                b,
                "<w:tc><w:tcPr><w:tcW w:w=\"{t}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
            );
            let jc = if header || i < 2 { "center" } else { "left" };
            for line in cell.split('\n') {
                para(b, if header { &head } else { &small }, line, jc, 0, 0);
            }
            b.push_str("</w:tc>");
        }
        b.push_str("</w:tr>");
    };
    let header: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
    row(&mut b, &header, true);
    for p in &r.rows {
        row(&mut b, &p.cells(), false);
    }
    b.push_str("</w:tbl>");
    for p in r.closing.split('\n') {
        para(&mut b, &body, p, "both", 2, 579);
    }
    para(&mut b, &body, "", "left", 0, 579);
    for line in r.issuer.split('\n') {
        para(&mut b, &body, line, "right", 0, 579);
    }
    para(&mut b, &body, &r.date, "right", 0, 579);
    if !r.signoff.is_empty() {
        para(&mut b, &small, "", "left", 0, 0);
        para(&mut b, &small, &r.signoff_line(), "left", 0, 0);
    }
    let header_ref = if r.draft_mark.is_some() {
        "<w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/>"
    } else {
        ""
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{b}\
         <w:sectPr>{header_ref}<w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>\
         <w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
         </w:sectPr></w:body></w:document>"
    )
}

fn footer_xml(r: &Reply) -> String {
    let f = esc(&r.body_font);
    let rpr = format!(
        "<w:rPr><w:rFonts w:ascii=\"{f}\" w:hAnsi=\"{f}\" w:eastAsia=\"{f}\"/><w:sz w:val=\"28\"/></w:rPr>"
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:ftr xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
         <w:r>{rpr}<w:t xml:space=\"preserve\">— </w:t></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r>{rpr}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r>{rpr}<w:t>1</w:t></w:r>\
         <w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r>\
         <w:r>{rpr}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

fn header_xml(r: &Reply, mark: &str) -> String {
    let mut p = String::new();
    para(
        &mut p,
        &Run {
            font: &r.body_font,
            half_points: 24,
            bold: true,
            red: true,
        },
        mark,
        "right",
        0,
        0,
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:hdr xmlns:w=\"{W}\" xmlns:r=\"{R}\">{p}</w:hdr>"
    )
}

/// The reply as a DOCX file.
pub fn docx(r: &Reply) -> Result<Vec<u8>, RenderError> {
    let content_types = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
         <Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
         {}\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         </Types>",
        if r.draft_mark.is_some() {
            "<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>"
        } else {
            ""
        }
    );
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
        <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
        </Relationships>";
    let doc_rels = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rIdFooter\" Type=\"{R}/footer\" Target=\"footer1.xml\"/>{}</Relationships>",
        if r.draft_mark.is_some() {
            format!("<Relationship Id=\"rIdHeader\" Type=\"{R}/header\" Target=\"header1.xml\"/>")
        } else {
            String::new()
        }
    );
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>明镜 智慧监督大数据平台</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>",
        esc(&r.title)
    );
    let mut parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels.to_string()),
        ("docProps/core.xml", core),
        ("word/document.xml", document_xml(r)),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/footer1.xml", footer_xml(r)),
    ];
    if let Some(mark) = &r.draft_mark {
        parts.push(("word/header1.xml", header_xml(r, mark)));
    }
    let fail = |e: &dyn std::fmt::Display| RenderError::Docx(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, xml) in parts {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(xml.as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}
