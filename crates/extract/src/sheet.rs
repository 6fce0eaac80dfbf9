//! Spreadsheets (xlsx, xls, ods through calamine; csv by hand): one block per row, the header
//! names carried into the text ("Year: 2023; Reports received: 1204").

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, SheetVisible, open_workbook_auto_from_rs};

use crate::archive::Archive;
use quick_xml::events::Event;

use crate::limits::{Budget, MAX_SHEET_CELLS, MAX_XML_DEPTH, exceeded};
use crate::{Block, BlockKind, Document, Error, Format, Result};

pub(crate) fn read_workbook(path: &Path, bytes: &[u8], budget: &Budget) -> Result<Document> {
    if bytes.starts_with(b"PK") {
        // calamine opens the container itself: check every entry against the caps first, and
        // that its XML parts are whole (calamine's ODS reader loops for ever on a table that
        // is never closed; found by fuzzing).
        let mut archive = Archive::open(path, bytes, Format::Spreadsheet)?;
        archive.check_all()?;
        let parts: Vec<String> = archive
            .names()
            .iter()
            .filter(|n| n.ends_with(".xml") || n.ends_with(".rels"))
            .cloned()
            .collect();
        for part in parts {
            budget.check(path, || format!("checking {part}"))?;
            if let Some(xml) = archive.read(&part)? {
                check_well_formed(path, &part, &xml)?;
            }
        }
    }
    let corrupt = |detail: String| Error::Corrupt {
        path: path.to_path_buf(),
        format: Format::Spreadsheet,
        detail,
    };
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        let detail = e.to_string();
        if detail.to_lowercase().contains("password") || detail.to_lowercase().contains("encrypt") {
            Error::Encrypted {
                path: path.to_path_buf(),
            }
        } else {
            corrupt(detail)
        }
    })?;
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut blocks = Vec::new();
    for name in sheets {
        budget.check(path, || format!("at sheet {name}"))?;
        let range = match workbook.worksheet_range(&name) {
            Ok(range) => range,
            // Chart sheets and dialog sheets have no cells.
            Err(_) => continue,
        };
        let first_row = range.start().map(|(row, _)| row).unwrap_or(0);
        let rows: Vec<(u32, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, row)| {
                let number = first_row
                    .saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
                    .saturating_add(1);
                (number, row.iter().map(cell_text).collect())
            })
            .collect();
        blocks.extend(rows_to_blocks(&name, rows));
    }
    Ok(Document {
        format: Format::Spreadsheet,
        pages: None,
        blocks,
        needs_ocr: Vec::new(),
        warnings: Vec::new(),
    })
}

/// Fails unless `xml` is one element tree whose end tags match their starts, no deeper than
/// [`MAX_XML_DEPTH`].
fn check_well_formed(path: &Path, part: &str, xml: &[u8]) -> Result<()> {
    let corrupt = |detail: String| Error::Corrupt {
        path: path.to_path_buf(),
        format: Format::Spreadsheet,
        detail: format!("zip entry {part}: {detail}"),
    };
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut buf = Vec::new();
    let mut area = Area::default();
    loop {
        let event = reader.read_event_into(&mut buf);
        if let Ok(Event::Start(e) | Event::Empty(e)) = &event {
            if let Err(reference) = area.see(e) {
                let shown: String = reference.chars().take(40).collect();
                return Err(corrupt(format!(
                    "cell reference {shown:?} is outside any worksheet (XFD1048576 is the last cell)"
                )));
            }
            if area.cells() > MAX_SHEET_CELLS {
                return Err(exceeded(
                    path,
                    format!(
                        "{part}: the cells span {} rows by {} columns, over {MAX_SHEET_CELLS} cells",
                        area.rows(),
                        area.columns()
                    ),
                ));
            }
        }
        match event {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Err(exceeded(
                        path,
                        format!("{part}: XML nesting deeper than {MAX_XML_DEPTH} elements"),
                    ));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) if depth == 0 => return Ok(()),
            Ok(Event::Eof) => {
                return Err(corrupt(format!(
                    "the XML ends inside {depth} unclosed element(s)"
                )));
            }
            Ok(_) => {}
            Err(e) => {
                return Err(corrupt(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                )));
            }
        }
        buf.clear();
    }
}

/// The rows and columns the cells of an xlsx worksheet span, from their references
/// (`<row r="7">`, `<c r="C7">`; a cell without one follows the previous).
#[derive(Default)]
struct Area {
    row: u64,
    column: u64,
    rows: Option<(u64, u64)>,
    columns: Option<(u64, u64)>,
}

impl Area {
    /// Takes in a `row` or `c` element; a cell reference past the last cell of any sheet is
    /// returned as the error.
    fn see(
        &mut self,
        element: &quick_xml::events::BytesStart<'_>,
    ) -> std::result::Result<(), String> {
        match crate::xml::local(element) {
            b"row" => {
                self.row = match crate::xml::attr(element, b"r") {
                    Some(r) => match cell_reference(&r) {
                        Some((None, Some(row))) => row,
                        _ => return Err(r),
                    },
                    None => self.row.saturating_add(1),
                };
                self.column = 0;
            }
            b"c" => {
                let (column, row) = match crate::xml::attr(element, b"r") {
                    Some(r) => cell_reference(&r).ok_or(r)?,
                    None => (None, None),
                };
                self.column = column.unwrap_or(self.column.saturating_add(1));
                if let Some(row) = row {
                    self.row = row;
                }
                let widen = |span: &mut Option<(u64, u64)>, at: u64| {
                    let (lo, hi) = span.get_or_insert((at, at));
                    *lo = (*lo).min(at);
                    *hi = (*hi).max(at);
                };
                widen(&mut self.rows, self.row);
                widen(&mut self.columns, self.column);
            }
            _ => {}
        }
        Ok(())
    }

    fn rows(&self) -> u64 {
        self.rows.map_or(0, |(lo, hi)| (hi - lo).saturating_add(1))
    }

    fn columns(&self) -> u64 {
        self.columns
            .map_or(0, |(lo, hi)| (hi - lo).saturating_add(1))
    }

    fn cells(&self) -> u64 {
        self.rows().saturating_mul(self.columns())
    }
}

/// "C7" as (column 3, row 7); either may be missing ("C", "7"). `None` past the last cell of
/// any sheet (column XFD, row 1,048,576) or when it is not a reference.
fn cell_reference(reference: &str) -> Option<(Option<u64>, Option<u64>)> {
    const LAST_COLUMN: u64 = 16_384;
    const LAST_ROW: u64 = 1_048_576;
    let letters = reference
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .count();
    let (letters, digits) = reference.split_at(letters);
    if letters.len() > 3 || digits.len() > 7 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let column = (!letters.is_empty()).then(|| {
        letters.bytes().fold(0u64, |n, c| {
            n * 26 + u64::from(c.to_ascii_uppercase() - b'A' + 1)
        })
    });
    let row = (!digits.is_empty()).then(|| digits.parse().unwrap_or(u64::MAX));
    if column.is_some_and(|c| c > LAST_COLUMN) || row.is_some_and(|r| r == 0 || r > LAST_ROW) {
        return None;
    }
    Some((column, row))
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_float(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(dt) if dt.time().to_string() == "00:00:00" => dt.date().to_string(),
            Some(dt) => {
                let time = dt.time().to_string();
                format!("{} {}", dt.date(), time.get(..5).unwrap_or(&time))
            }
            None => format_float(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        let s = format!("{f:.10}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The header is the first row with two or more filled cells; rows above it (titles) are kept
/// as they are, rows below it read "Header: value; ...".
fn rows_to_blocks(sheet: &str, rows: Vec<(u32, Vec<String>)>) -> Vec<Block> {
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.trim().is_empty()).count();
    let header_index = rows.iter().position(|(_, cells)| filled(cells) >= 2);
    let header: Vec<String> = header_index
        .and_then(|i| rows.get(i))
        .map(|(_, cells)| cells.iter().map(|c| crate::text::clean(c)).collect())
        .unwrap_or_default();
    let mut blocks = Vec::new();
    for (index, (number, cells)) in rows.into_iter().enumerate() {
        if filled(&cells) == 0 {
            continue;
        }
        let text = match header_index {
            Some(h) if index > h => cells
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.trim().is_empty())
                .map(
                    |(col, value)| match header.get(col).filter(|h| !h.is_empty()) {
                        Some(name) => format!("{name}: {}", value.trim()),
                        None => value.trim().to_string(),
                    },
                )
                .collect::<Vec<_>>()
                .join("; "),
            _ => cells
                .iter()
                .filter(|c| !c.trim().is_empty())
                .map(|c| c.trim())
                .collect::<Vec<_>>()
                .join(" | "),
        };
        let kind = BlockKind::SheetRow {
            sheet: sheet.to_string(),
            row: number,
        };
        blocks.push(Block::new(kind, text));
    }
    blocks
}

pub(crate) fn read_csv(path: &Path, bytes: &[u8]) -> Result<Document> {
    let text = crate::text::decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let rows = parse_csv(&text, delimiter);
    let sheet = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("csv")
        .to_string();
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, cells)| (u32::try_from(i + 1).unwrap_or(u32::MAX), cells))
        .collect();
    Ok(Document {
        format: Format::Spreadsheet,
        pages: None,
        blocks: rows_to_blocks(&sheet, rows),
        needs_ocr: Vec::new(),
        warnings: Vec::new(),
    })
}

/// The delimiter among `,` `;` tab `|` that splits the first lines most evenly.
fn sniff_delimiter(text: &str) -> char {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(10)
        .collect();
    let mut best = (',', 0usize);
    for candidate in [',', ';', '\t', '|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, candidate))
            .collect();
        let first = counts.first().copied().unwrap_or(0);
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == first).count();
        let score = consistent * 1000 + first;
        if score > best.1 {
            best = (candidate, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

/// RFC 4180 with some tolerance: quoted fields may hold delimiters, doubled quotes and newlines.
fn parse_csv(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.trim().is_empty() {
            field.clear();
            quoted = true;
        } else if c == delimiter {
            row.push(std::mem::take(&mut field));
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
        } else {
            field.push(c);
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_carry_header_names() {
        let csv = "Year;Reports received;Note\n2023;1204;\"first; partial\"\n\n2024;1310;\n";
        let doc = read_csv(Path::new("annex-stats.csv"), csv.as_bytes()).ok();
        let blocks = doc.map(|d| d.blocks).unwrap_or_default();
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Year | Reports received | Note",
                "Year: 2023; Reports received: 1204; Note: first; partial",
                "Year: 2024; Reports received: 1310",
            ]
        );
        assert_eq!(
            blocks.get(2).map(|b| b.kind.clone()),
            Some(BlockKind::SheetRow {
                sheet: "annex-stats".into(),
                row: 4
            })
        );
    }

    #[test]
    fn csv_quotes_hold_newlines_and_doubled_quotes() {
        let rows = parse_csv("a,\"say \"\"hi\"\"\nthere\"\r\nb,c", ',');
        assert_eq!(
            rows,
            vec![
                vec!["a".to_string(), "say \"hi\"\nthere".into()],
                vec!["b".into(), "c".into()]
            ]
        );
    }

    #[test]
    fn floats_print_like_a_spreadsheet() {
        assert_eq!(format_float(196.0), "196");
        assert_eq!(format_float(0.25), "0.25");
    }
}
