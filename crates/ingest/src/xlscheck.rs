//! Checks an xls (BIFF) workbook's records before calamine reads it. calamine reads every
//! sheet into a dense grid spanning its cells' bounding box, reserves what a DIMENSIONS
//! record claims, copies a shared string into every cell that refers to it, and walks
//! CONTINUE records in quadratic time; each of these is bounded here first, walking the
//! records the way calamine walks them.

use crate::error::FileError;
use crate::limits::{Exceeded, Limits};
use std::io::{Cursor, Read};

fn unreadable(e: impl std::fmt::Display) -> FileError {
    FileError::Unreadable(format!(
        "the workbook cannot be read (corrupt or truncated): {e}"
    ))
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// One record with the CONTINUE records that follow it, as calamine groups them.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: Vec<&'a [u8]>,
}

struct Records<'a> {
    stream: &'a [u8],
    max_continues: u64,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, FileError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.stream.len() < 4 {
            return None;
        }
        let typ = u16_at(self.stream, 0)?;
        let len = usize::from(u16_at(self.stream, 2)?);
        let Some(data) = self.stream.get(4..4 + len) else {
            self.stream = &[];
            return None;
        };
        self.stream = &self.stream[4 + len..];
        let mut cont = Vec::new();
        while self.stream.len() > 4 && u16_at(self.stream, 0) == Some(0x003C) {
            let len = usize::from(u16_at(self.stream, 2).unwrap_or(0));
            let Some(c) = self.stream.get(4..4 + len) else {
                self.stream = &[];
                break;
            };
            cont.push(c);
            self.stream = &self.stream[4 + len..];
            if cont.len() as u64 > self.max_continues {
                return Some(Err(Exceeded::new(
                    format!("record 0x{typ:04X}"),
                    "max_record_continues",
                    self.max_continues,
                )
                .into()));
            }
        }
        Some(Ok(Record { typ, data, cont }))
    }
}

/// The UTF-8 size, at most, of each shared string, walking the SST as calamine reads it.
fn shared_string_sizes(r: Record<'_>) -> Vec<u64> {
    let mut out = Vec::new();
    let mut parts = std::iter::once(r.data).chain(r.cont);
    let Some(first) = parts.next() else {
        return out;
    };
    let mut data = first.get(8..).unwrap_or(&[]);
    loop {
        if data.is_empty() {
            match parts.next() {
                Some(d) => data = d,
                None => return out,
            }
            continue;
        }
        if data.len() < 3 {
            return out;
        }
        let cch = u64::from(u16_at(data, 0).unwrap_or(0));
        let flags = data[2];
        data = &data[3..];
        let mut runs = 0usize;
        let mut ext = 0usize;
        if flags & 0x8 != 0 {
            runs = usize::from(u16_at(data, 0).unwrap_or(0));
            data = data.get(2..).unwrap_or(&[]);
        }
        if flags & 0x4 != 0 {
            ext = u32_at(data, 0).unwrap_or(0) as usize;
            data = data.get(4..).unwrap_or(&[]);
        }
        // Characters, continued across records with a new flags byte each time.
        let mut left = cch;
        let mut high = flags & 0x1 != 0;
        while left > 0 {
            let width = if high { 2 } else { 1 };
            let here = (data.len() as u64 / width).min(left);
            data = &data[(here * width) as usize..];
            left -= here;
            if left > 0 {
                match parts.next() {
                    Some(d) if !d.is_empty() => {
                        high = d[0] & 0x1 != 0;
                        data = &d[1..];
                    }
                    _ => {
                        out.push(cch * 3);
                        return out;
                    }
                }
            }
        }
        out.push(cch * 3);
        let mut skip = runs.saturating_mul(4).saturating_add(ext);
        while skip > 0 {
            if data.is_empty() {
                match parts.next() {
                    Some(d) => data = d,
                    None => return out,
                }
                continue;
            }
            let n = skip.min(data.len());
            data = &data[n..];
            skip -= n;
        }
    }
}

/// A sheet's cells: the bounding box calamine sizes its grid by.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, col: u32) {
        let grow = |r: &mut Option<(u32, u32)>, v: u32| {
            *r = Some(r.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
        };
        grow(&mut self.rows, row);
        grow(&mut self.cols, col);
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                u64::from(r1 - r0 + 1).saturating_mul(u64::from(c1 - c0 + 1))
            }
            _ => 0,
        }
    }
}

/// Checks an xls workbook against the limits.
pub fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), FileError> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(unreadable)?;
    let mut stream = match cfb.open_stream("Workbook") {
        Ok(s) => s,
        Err(_) => cfb.open_stream("Book").map_err(unreadable)?,
    };
    // A stream is never longer than the file that holds it.
    let mut data = Vec::new();
    (&mut stream)
        .take(bytes.len() as u64)
        .read_to_end(&mut data)
        .map_err(unreadable)?;
    let records = |at: usize| Records {
        stream: data.get(at..).unwrap_or(&[]),
        max_continues: limits.max_record_continues,
    };

    let mut sheets = Vec::new();
    let mut strings: Vec<u64> = Vec::new();
    for r in records(0) {
        let r = r?;
        match r.typ {
            0x0085 => sheets.extend(u32_at(r.data, 0)),
            0x00FC => strings = shared_string_sizes(r),
            0x000A => break,
            _ => {}
        }
    }

    let (mut grid, mut copied) = (0u64, 0u64);
    for (n, pos) in sheets.into_iter().enumerate() {
        let place = format!("sheet {}", n + 1);
        let (mut values, mut formulas) = (Extent::default(), Extent::default());
        let cell = |row: u16, col: u16, values: &mut Extent| -> Result<(), FileError> {
            if u64::from(col) >= limits.max_columns {
                return Err(Exceeded::new(
                    format!("row {}, column {}", u32::from(row) + 1, u32::from(col) + 1),
                    "max_columns",
                    limits.max_columns,
                )
                .found(u64::from(col) + 1)
                .into());
            }
            values.add(u32::from(row), u32::from(col));
            Ok(())
        };
        let (mut seen_bof, mut depth) = (false, 0usize);
        for r in records(pos as usize) {
            let r = r?;
            if depth > 0 {
                match r.typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let d = r.data;
            let (row, col) = (u16_at(d, 0).unwrap_or(0), u16_at(d, 2).unwrap_or(0));
            match r.typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x0200 => {
                    let (rf, rl, cf, cl) = match d.len() {
                        10 => (
                            u32::from(row),
                            u32::from(col),
                            u32::from(u16_at(d, 4).unwrap_or(0)),
                            u32::from(u16_at(d, 6).unwrap_or(0)),
                        ),
                        14 | 16 => (
                            u32_at(d, 0).unwrap_or(0),
                            u32_at(d, 4).unwrap_or(0),
                            u32::from(u16_at(d, 8).unwrap_or(0)),
                            u32::from(u16_at(d, 10).unwrap_or(0)),
                        ),
                        _ => continue,
                    };
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    let claimed = u64::from(rl.saturating_sub(rf).max(1))
                        .saturating_mul(u64::from(cl.saturating_sub(cf).max(1)));
                    if claimed > limits.max_grid_cells {
                        return Err(Exceeded::new(
                            place.clone(),
                            "max_grid_cells",
                            limits.max_grid_cells,
                        )
                        .found(claimed)
                        .into());
                    }
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E if d.len() >= 4 => {
                    cell(row, col, &mut values)?
                }
                0x00FD if d.len() >= 10 => {
                    cell(row, col, &mut values)?;
                    let i = u32_at(d, 6).unwrap_or(u32::MAX) as usize;
                    copied = copied.saturating_add(strings.get(i).copied().unwrap_or(0));
                }
                0x00BD if d.len() >= 6 => {
                    let last = u16_at(d, d.len() - 2).unwrap_or(0);
                    if last >= col {
                        cell(row, col, &mut values)?;
                        cell(row, last, &mut values)?;
                    }
                }
                0x0006 if d.len() >= 20 => {
                    cell(row, col, &mut values)?;
                    cell(row, col, &mut formulas)?;
                }
                0x000A => break,
                _ => {}
            }
        }
        grid = grid
            .saturating_add(values.cells())
            .saturating_add(formulas.cells());
        if grid > limits.max_grid_cells {
            return Err(
                Exceeded::new(place, "max_grid_cells", limits.max_grid_cells)
                    .found(grid)
                    .into(),
            );
        }
        if copied > limits.max_shared_string_bytes {
            return Err(Exceeded::new(
                place,
                "max_shared_string_bytes",
                limits.max_shared_string_bytes,
            )
            .found(copied)
            .into());
        }
    }
    Ok(())
}
