//! Checks an xlsx workbook's archive before calamine opens it: the number of members, each
//! member's declared decompressed size and compression ratio (the zip reader enforces the
//! declared size as it inflates), and every member's tokens as a stream (`xmlscan`). The
//! parts calamine reads whole — the package and workbook relationships, the workbook, the
//! styles, the theme and the shared strings — have tight limits of their own; the worksheet is
//! streamed afterwards (`read::Workbook`), so only its tokens and cells are bounded.

use crate::error::FileError;
use crate::limits::{Exceeded, Limits};
use crate::xmlscan::{self, ScanError};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Members above this size are checked for their compression ratio.
const RATIO_FLOOR: u64 = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Read whole by calamine.
    Whole,
    SharedStrings,
    /// Streamed (worksheets) or never read (media).
    Other,
}

fn unreadable(e: impl std::fmt::Display) -> FileError {
    FileError::Unreadable(format!(
        "the workbook cannot be read (corrupt or truncated): {e}"
    ))
}

/// How calamine finds a member: backslashes as slashes, case ignored.
fn normalize(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// Checks the archive of an xlsx workbook against the limits.
pub fn check_xlsx(bytes: &[u8], limits: &Limits) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let entries = zip.len() as u64;
    if entries > limits.max_zip_entries {
        return Err(
            Exceeded::new("the workbook", "max_zip_entries", limits.max_zip_entries)
                .found(entries)
                .into(),
        );
    }
    let names: HashMap<String, usize> = (0..zip.len())
        .filter_map(|i| zip.name_for_index(i)?.ok().map(|n| (normalize(&n), i)))
        .collect();

    // The package relationships say where the workbook is, and so which parts are read whole.
    let rels = names.get("_rels/.rels").copied();
    let mut whole: HashMap<usize, Part> = HashMap::new();
    if let Some(i) = rels {
        whole.insert(i, Part::Whole);
        check_member(&mut zip, i, Part::Whole, limits)?;
        let (dir, workbook) = workbook_path(&mut zip, i)?;
        let dir = dir.to_ascii_lowercase();
        let workbook = workbook.to_ascii_lowercase();
        for (path, kind) in [
            (format!("{dir}{workbook}"), Part::Whole),
            (format!("{dir}_rels/{workbook}.rels"), Part::Whole),
            (format!("{dir}styles.xml"), Part::Whole),
            (format!("{dir}theme/theme1.xml"), Part::Whole),
            (format!("{dir}sharedstrings.xml"), Part::SharedStrings),
        ] {
            if let Some(&i) = names.get(&path) {
                whole.insert(i, kind);
            }
        }
    }

    let mut total = 0u64;
    for i in 0..zip.len() {
        let kind = whole.get(&i).copied().unwrap_or(Part::Other);
        let f = zip.by_index_raw(i).map_err(unreadable)?;
        total = total.saturating_add(f.size());
        if total > limits.max_unzipped_bytes {
            return Err(Exceeded::new(
                "the workbook",
                "max_unzipped_bytes",
                limits.max_unzipped_bytes,
            )
            .into());
        }
        drop(f);
        if Some(i) != rels {
            check_member(&mut zip, i, kind, limits)?;
        }
    }
    Ok(())
}

/// Checks one member: its declared size and ratio, then its tokens as it inflates.
fn check_member<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    i: usize,
    kind: Part,
    limits: &Limits,
) -> Result<(), FileError> {
    let (name, size, compressed) = {
        let f = zip.by_index_raw(i).map_err(unreadable)?;
        (
            f.name().map_err(unreadable)?.into_owned(),
            f.size(),
            f.compressed_size(),
        )
    };
    let place = format!("zip member {name}");
    let (limit, value) = match kind {
        Part::Whole => ("max_part_bytes", limits.max_part_bytes),
        Part::SharedStrings => ("max_shared_string_bytes", limits.max_shared_string_bytes),
        Part::Other => ("max_member_bytes", limits.max_member_bytes),
    };
    if size > value {
        return Err(Exceeded::new(place, limit, value).found(size).into());
    }
    if size > RATIO_FLOOR && size / compressed.max(1) > limits.max_ratio {
        return Err(Exceeded::new(place, "max_ratio", limits.max_ratio)
            .found(size / compressed.max(1))
            .into());
    }
    if name.ends_with('/') {
        return Ok(());
    }
    let lower = name.to_ascii_lowercase();
    // Nesting is a property of XML; binary members (pictures) are scanned for tokens only.
    let xml = kind != Part::Other || lower.ends_with(".xml") || lower.ends_with(".rels");
    let scan_limits = if xml {
        *limits
    } else {
        Limits {
            max_xml_depth: u64::MAX,
            ..*limits
        }
    };
    let mut f = zip.by_index(i).map_err(unreadable)?;
    let stats = xmlscan::scan(&mut f, &place, &scan_limits).map_err(|e| match e {
        ScanError::Limit(x) => FileError::Limit(x),
        ScanError::Read(e) => unreadable(format!("{name}: {e}")),
    })?;
    match kind {
        Part::Whole if stats.elements > limits.max_part_elements => {
            Err(
                Exceeded::new(place, "max_part_elements", limits.max_part_elements)
                    .found(stats.elements)
                    .into(),
            )
        }
        Part::SharedStrings => {
            let n = stats.shared_strings.max(stats.declared_unique.unwrap_or(0));
            if n > limits.max_shared_strings {
                Err(
                    Exceeded::new(place, "max_shared_strings", limits.max_shared_strings)
                        .found(n)
                        .into(),
                )
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// The workbook's folder and file name, from the package relationships, as calamine reads
/// them (`xl/`, `workbook.xml` by default).
fn workbook_path<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    rels: usize,
) -> Result<(String, String), FileError> {
    use quick_xml::events::Event;
    let f = zip.by_index(rels).map_err(unreadable)?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(f));
    let mut buf = Vec::new();
    let mut target = None;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let attr = |key: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == key)
                        .map(|a| a.value.to_string())
                };
                let office =
                    attr("Type").is_some_and(|t| t.ends_with("/relationships/officeDocument"));
                if office && let Some(t) = attr("Target") {
                    let t = quick_xml::escape::unescape(&t)
                        .map(|c| c.into_owned())
                        .unwrap_or(t);
                    target = Some(t);
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(unreadable(format!("_rels/.rels: {e}"))),
            _ => {}
        }
    }
    let target = target.unwrap_or_else(|| "xl/workbook.xml".into());
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let dir = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    Ok((dir, name.to_string()))
}
