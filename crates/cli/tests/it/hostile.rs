//! Hostile files uploaded to a real `mingjing serve` process: each is refused with the limit
//! it went beyond, nothing is written, the server stays up, and its peak resident memory
//! (VmHWM, reset before the uploads) rises by less than 256 MiB in all.

use crate::server::{Client, Process, TestServer, multipart, serve};
use crate::support::Backend;
use serde_json::Value;
use std::io::{Cursor, Write};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The bound issue 20 sets on what one hostile upload may add to the server's peak memory.
const RSS_BUDGET: u64 = 256 << 20;

const DEATHS_HEAD: &str = "公民身份号码,姓名,死亡日期,数据来源";

/// An xlsx workbook of one sheet (`sheet` is the XML inside `<sheetData>` unless it is a
/// whole document), with shared strings when given.
pub fn xlsx(sheet: &[u8], shared: Option<&[u8]>, dimension: Option<&str>) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut part = |name: &str, body: &[u8]| {
        z.start_file(name, opts).unwrap();
        z.write_all(body).unwrap();
    };
    part(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        "xl/_rels/workbook.xml.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    );
    if let Some(sst) = shared {
        part("xl/sharedStrings.xml", sst);
    }
    z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
        .unwrap();
    if let Some(d) = dimension {
        z.write_all(format!(r#"<dimension ref="{d}"/>"#).as_bytes())
            .unwrap();
    }
    z.write_all(b"<sheetData>").unwrap();
    z.write_all(sheet).unwrap();
    z.write_all(b"</sheetData></worksheet>").unwrap();
    z.finish().unwrap();
    out.into_inner()
}

/// Inline-string cells of one row.
pub fn row(n: u32, cells: &[&str]) -> String {
    let mut s = format!(r#"<row r="{n}">"#);
    for (i, c) in cells.iter().enumerate() {
        let col = (b'A' + i as u8) as char;
        s.push_str(&format!(
            r#"<c r="{col}{n}" t="inlineStr"><is><t>{c}</t></is></c>"#
        ));
    }
    s.push_str("</row>");
    s
}

fn header_row() -> String {
    row(1, &DEATHS_HEAD.split(',').collect::<Vec<_>>())
}

/// An xls workbook (BIFF8 in a compound file) of one sheet holding number cells at `cells`.
pub fn xls(cells: &[(u16, u16)]) -> Vec<u8> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    let bof = |dt: u16| {
        let mut d = vec![0u8; 16];
        d[0..2].copy_from_slice(&0x0600u16.to_le_bytes());
        d[2..4].copy_from_slice(&dt.to_le_bytes());
        d
    };
    let name = b"Sheet1";
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &1200u16.to_le_bytes());
    let boundsheet_at = globals.len();
    let mut bs = vec![0u8; 8 + name.len()];
    bs[6] = name.len() as u8;
    bs[8..].copy_from_slice(name);
    record(&mut globals, 0x0085, &bs);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = globals.len() as u32;
    globals[boundsheet_at + 4..boundsheet_at + 8].copy_from_slice(&sheet_at.to_le_bytes());
    record(&mut globals, 0x0809, &bof(0x0010));
    for &(r, c) in cells {
        let mut d = Vec::new();
        d.extend_from_slice(&r.to_le_bytes());
        d.extend_from_slice(&c.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        d.extend_from_slice(&1.0f64.to_le_bytes());
        record(&mut globals, 0x0203, &d);
    }
    record(&mut globals, 0x000A, &[]);
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    file.create_stream("Workbook")
        .unwrap()
        .write_all(&globals)
        .unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

/// The server's resident memory: (now, peak) in bytes.
fn memory(p: &Process) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{}/status", p.child.id())).unwrap();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (kib("VmRSS:"), kib("VmHWM:"))
}

/// Resets the process's peak resident memory to what it holds now (Linux `clear_refs`).
fn reset_peak(p: &Process) {
    std::fs::write(format!("/proc/{}/clear_refs", p.child.id()), "5").unwrap();
}

/// One HTTP/1.1 request over a fresh connection to the process: (status, JSON body).
async fn http(
    p: &Process,
    c: &Client,
    method: &str,
    path: &str,
    ct: &str,
    body: &[u8],
) -> (u16, Value) {
    let mut s = tokio::net::TcpStream::connect(&p.addr)
        .await
        .expect("the server is up");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        p.addr,
        c.cookie,
        c.csrf,
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.expect("an answer");
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

async fn upload(p: &Process, c: &Client, name: &str, bytes: &[u8]) -> (u16, Value) {
    let (ct, body) = multipart("deaths", None, name, bytes);
    http(p, c, "POST", "/api/uploads", &ct, &body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_one_small_workbook_took_the_whole_server_down() {
    let s = TestServer::new(Backend::Sqlite).await;
    let p = serve(&s);
    let clerk = s.login("mz_clerk").await;

    // Warm up: a good upload through every stage, so the baseline holds what serving needs.
    let good = xlsx(
        format!(
            "{}{}",
            header_row(),
            row(
                2,
                &[
                    &crate::support::test_id("61032719600101", 1),
                    "张三",
                    "2025-01-02",
                    "火化记录"
                ]
            )
        )
        .as_bytes(),
        None,
        Some("A1:D2"),
    );
    let (status, body) = upload(&p, &clerk, "good.xlsx", &good).await;
    assert_eq!(status, 201, "a good workbook is taken: {body}");
    reset_peak(&p);
    let (baseline, _) = memory(&p);

    let mut far = header_row();
    far.push_str(r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
    let sst_bomb = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="2000000000"><si><t>x</t></si></sst>"#;
    let mut wide = header_row();
    wide.push_str(r#"<row r="2"><c r="AMK2"><v>1</v></c></row>"#);
    let long_cell = format!(
        "{}<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>{}</t></is></c></row>",
        header_row(),
        " ".repeat(128 << 20)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        // The dense-grid attack: two cells at the grid's corners.
        (
            "corners.xlsx",
            xlsx(far.as_bytes(), None, Some("A1:XFD1048576")),
            "max_columns",
        ),
        (
            "claimed.xlsx",
            xlsx(header_row().as_bytes(), None, Some("A1:AMJ1048576")),
            "max_cells",
        ),
        (
            "wide.xlsx",
            xlsx(wide.as_bytes(), None, None),
            "max_columns",
        ),
        // calamine reserves what the shared-string table declares.
        (
            "strings.xlsx",
            xlsx(header_row().as_bytes(), Some(sst_bomb), None),
            "max_shared_strings",
        ),
        // 128 MiB of one cell, deflated to about 128 KiB.
        (
            "inflated.xlsx",
            xlsx(long_cell.as_bytes(), None, None),
            "max_ratio",
        ),
        // An xls sheet read into a grid spanning 65536 rows by 256 columns.
        (
            "corners.xls",
            xls(&[(0, 0), (65535, 255)]),
            "max_grid_cells",
        ),
        (
            "wide.csv",
            format!("{DEATHS_HEAD}\n{}\n", ",".repeat(5000)).into_bytes(),
            "max_columns",
        ),
    ];
    for (name, bytes, limit) in &cases {
        assert!(
            bytes.len() < 200_000,
            "{name} fits the test's upload limit ({} bytes)",
            bytes.len()
        );
        let (status, body) = upload(&p, &clerk, name, bytes).await;
        assert_eq!(status, 422, "{name} is refused: {body}");
        assert_eq!(body["error"]["details"]["limit"], *limit, "{name}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("超过上限") && message.contains(limit),
            "{name}: {message}"
        );
        let (_, peak) = memory(&p);
        assert!(
            peak.saturating_sub(baseline) < RSS_BUDGET,
            "{name} raised the peak RSS by {} MiB",
            peak.saturating_sub(baseline) >> 20
        );
    }
    let (status, _) = http(&p, &clerk, "GET", "/api/health", "text/plain", b"").await;
    assert_eq!(status, 200, "the server is still up");
    let (_, peak) = memory(&p);
    eprintln!(
        "hostile uploads: baseline {} MiB, peak {} MiB",
        baseline >> 20,
        peak >> 20
    );
    // Nothing of a refused file is written: only the good upload is there.
    let uploads = s.state.platform.store().uploads(None).await.unwrap();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
}

#[test]
fn regression_a_blank_line_shifted_the_row_numbers_of_later_errors() {
    use mingjing_ingest::read::{CsvRowNumbers, csv_records};
    // Row 3 is blank and row 4's quoted name spans two lines: row 6 is the bad one, as a
    // spreadsheet program shows it.
    let text = "h1,h2\na,b\n\n\"x\ny\",c\nd,e\nbad,row\n";
    let mut r = csv_records(text);
    let mut n = CsvRowNumbers::new(text);
    let rows: Vec<u64> = r
        .byte_records()
        .map(|rec| n.row_of(&rec.unwrap()))
        .collect();
    assert_eq!(rows, vec![1, 2, 4, 5, 6]);
}
