//! Tables on a page: which bands of words are rows of a table (short cells lining up with
//! the cells of rows nearby), which lines between rows continue a wrapped cell, where each
//! table's columns start, and a table line's text split by those columns. Rows are read
//! across, whatever gutter their cells leave.

use super::layout::{BandWords, Line, Word, make_line, median};

/// A gap this many times the font size between two words on a line separates table cells.
const CELL_GAP: f64 = 1.0;
/// Table cells are short: after the row's label, the median cell has at most this many
/// words,
const CELL_WORDS: usize = 4;
/// and the longest at most this many;
const LONGEST_CELL_WORDS: usize = 6;
/// the label at most this many. A line of prose beside a figure or a code listing has more.
const LABEL_WORDS: usize = 10;
/// Cells a table row has at most: a line of more is read as text (comparing the cells of
/// two lines costs their product, which a hostile file could make billions).
const MAX_CELLS: usize = 64;

/// A cell of a line: a run of words with no gap wide enough to separate cells.
#[derive(Debug, Clone, Copy)]
struct Cell {
    /// Where the cell's first word starts; rows of one table share these starts, which
    /// become the table's columns.
    start: f64,
    /// Where the cell's last word ends; right-aligned figures share these ends.
    end: f64,
    /// How many words the cell holds: table cells are short, prose is not.
    words: usize,
}

/// The cells of a line, left to right.
fn cells(words: &[Word]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = Vec::new();
    for w in words {
        match cells.last_mut() {
            Some(cell) if w.x0 - cell.end < CELL_GAP * w.size.max(1.0) => {
                cell.end = w.x1;
                cell.words += w.text.split_whitespace().count().max(1);
            }
            _ => cells.push(Cell {
                start: w.x0,
                end: w.x1,
                words: w.text.split_whitespace().count().max(1),
            }),
        }
    }
    cells
}

/// The line a band makes, with its part in a table and, in a table, its text split by the
/// table's columns.
pub(super) fn table_line(
    band: &BandWords,
    column: u16,
    orientation: u8,
    row: &TableLine,
) -> Option<Line> {
    let line = make_line(&band.words, band.y, column, orientation)?;
    let cells = match &row.columns {
        Some(columns) if row.part != TablePart::None => {
            let tolerance = line.size.max(1.0);
            let mut cells = vec![String::new(); columns.len()];
            for w in &band.words {
                let k = columns
                    .iter()
                    .filter(|start| **start - tolerance <= w.x0)
                    .count()
                    .saturating_sub(1);
                if let Some(cell) = cells.get_mut(k) {
                    if !cell.is_empty() {
                        cell.push(' ');
                    }
                    cell.push_str(&w.text);
                }
            }
            cells
        }
        _ => Vec::new(),
    };
    Some(Line {
        table: row.part,
        cells,
        ..line
    })
}

/// A band's part in a table and the starts of that table's columns.
#[derive(Debug, Clone, Default)]
pub(super) struct TableLine {
    /// Whether the band is a row, a wrapped cell's continuation, or not in a table.
    pub(super) part: TablePart,
    /// Where each of the table's columns starts, left to right, shared by every line of
    /// one table; `None` outside tables.
    pub(super) columns: Option<std::rc::Rc<[f64]>>,
}

/// A line's part in a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum TablePart {
    /// Not in a table.
    #[default]
    None,
    /// A row, read across its cells.
    Row,
    /// A line between two rows that continues a wrapped cell of the row above.
    Continuation,
}

/// Which bands are rows of a table: at least three short cells, near another such row
/// whose cells start or end at the same places. Prose in columns has long cells; a table
/// row has a label and figures. A line between two rows, within their width, continues a
/// wrapped cell.
pub(super) fn table_rows(bands: &[BandWords]) -> Vec<TableLine> {
    let rows: Vec<Option<Vec<Cell>>> = bands
        .iter()
        .map(|band| {
            let cells = cells(&band.words);
            // The first cell is the row's label and may be longer than the figures after it.
            let label = cells.first().map_or(0, |c| c.words);
            let mut counts: Vec<usize> = cells.iter().skip(1).map(|c| c.words).collect();
            counts.sort_unstable();
            let median = counts
                .get(counts.len().saturating_sub(1) / 2)
                .copied()
                .unwrap_or(0);
            let longest = counts.last().copied().unwrap_or(0);
            ((3..=MAX_CELLS).contains(&cells.len())
                && median <= CELL_WORDS
                && longest <= LONGEST_CELL_WORDS
                && label <= LABEL_WORDS)
                .then_some(cells)
        })
        .collect();
    // Each band's font size, worked out once.
    let sizes: Vec<f64> = bands
        .iter()
        .map(|band| {
            let sizes: Vec<f64> = band.words.iter().map(|w| w.size).collect();
            median(&sizes).unwrap_or(10.0)
        })
        .collect();
    let size = |i: usize| -> f64 { sizes.get(i).copied().unwrap_or(10.0) };
    let aligned = |a: usize, b: usize| -> bool {
        let (Some(Some(x)), Some(Some(y))) = (rows.get(a), rows.get(b)) else {
            return false;
        };
        let tolerance = size(a).max(size(b));
        let shared = y
            .iter()
            .filter(|c| {
                x.iter().any(|d| {
                    (c.start - d.start).abs() <= tolerance || (c.end - d.end).abs() <= tolerance
                })
            })
            .count();
        // Or, as many cells, each falling in the column the other row's cell starts: a
        // header centred over left-aligned figures.
        let one_each = |starts: &[Cell], centred: &[Cell]| {
            starts.len() == centred.len()
                && centred.iter().enumerate().all(|(k, c)| {
                    let centre = (c.start + c.end) / 2.0;
                    starts
                        .iter()
                        .filter(|d| d.start - tolerance <= centre)
                        .count()
                        == k + 1
                })
        };
        shared >= 3 || one_each(x, y) || one_each(y, x)
    };
    // Continuation lines of wrapped header cells may stand between two rows.
    const REACH: usize = 3;
    let mut is_row: Vec<bool> = (0..bands.len())
        .map(|i| {
            rows.get(i).is_some_and(Option::is_some)
                && (1..=REACH).any(|d| (i >= d && aligned(i - d, i)) || aligned(i, i + d))
        })
        .collect();
    // A header over rows whose label and figures sit too close for a cell gap: the rows
    // are the lines below it whose words start at its columns and cross none of them.
    for i in 0..bands.len() {
        let Some(Some(header)) = rows.get(i) else {
            continue;
        };
        if is_row.get(i).copied().unwrap_or(true) {
            continue;
        }
        let tolerance = size(i);
        let starts: Vec<f64> = header.iter().map(|c| c.start).collect();
        let under = |j: usize| -> bool {
            let Some(BandWords { words, .. }) = bands.get(j) else {
                return false;
            };
            let Some(first) = words.first() else {
                return false;
            };
            // Cells of one table start at the same x to a fraction of a point; a word of
            // prose covering a column start is not in a table.
            let exact = 0.3 * tolerance;
            let crosses = starts.iter().skip(1).any(|start| {
                words
                    .iter()
                    .any(|w| w.x0 < start - exact && w.x1 > start + exact)
            });
            let matched = starts
                .iter()
                .skip(1)
                .filter(|start| words.iter().any(|w| (w.x0 - **start).abs() <= exact))
                .count();
            let most = LABEL_WORDS + LONGEST_CELL_WORDS * starts.len().saturating_sub(1);
            (first.x0 - starts.first().copied().unwrap_or(0.0)).abs() <= exact
                && words.len() <= most
                && !crosses
                && matched >= 1
                && matched * 2 >= starts.len().saturating_sub(1)
        };
        let mut followers = Vec::new();
        let mut last = i;
        for j in i + 1..bands.len() {
            if j - last > REACH {
                break;
            }
            if under(j) {
                followers.push(j);
                last = j;
            } else if bands
                .get(j)
                .is_none_or(|band| band.words.len() > LONGEST_CELL_WORDS)
            {
                // Not a row and too long for a wrapped cell: the table has ended.
                break;
            }
        }
        if !followers.is_empty() {
            for k in std::iter::once(i).chain(followers) {
                if let Some(row) = is_row.get_mut(k) {
                    *row = true;
                }
            }
        }
    }
    let span = |i: usize| -> Option<(f64, f64)> {
        let words = &bands.get(i)?.words;
        Some((words.first()?.x0, words.last()?.x1))
    };
    let parts: Vec<TablePart> = (0..bands.len())
        .map(|i| {
            if is_row.get(i).copied().unwrap_or(false) {
                return TablePart::Row;
            }
            let above = (1..REACH).find(|&d| i >= d && is_row.get(i - d).copied().unwrap_or(false));
            let below = (1..REACH).find(|&d| is_row.get(i + d).copied().unwrap_or(false));
            let inside = match (above.and_then(|d| span(i - d)), span(i)) {
                (Some((x0, x1)), Some((start, end))) => start >= x0 - 1.0 && end <= x1 + 1.0,
                _ => false,
            };
            // Under the last row, only a short line right below it, at the table's line
            // pitch, continues a cell.
            let short = bands
                .get(i)
                .is_some_and(|band| band.words.len() <= LONGEST_CELL_WORDS);
            let close = match (i.checked_sub(1).and_then(|b| bands.get(b)), bands.get(i)) {
                (Some(previous), Some(band)) => previous.y - band.y <= 1.6 * size(i),
                _ => false,
            };
            let short = short && close;
            if above.is_some() && inside && (below.is_some() || (above == Some(1) && short)) {
                TablePart::Continuation
            } else {
                TablePart::None
            }
        })
        .collect();
    // Each table's columns: the cell starts of its row with the most cells.
    let mut out: Vec<TableLine> = parts
        .iter()
        .map(|part| TableLine {
            part: *part,
            columns: None,
        })
        .collect();
    let mut start = 0;
    while start < parts.len() {
        if parts.get(start) == Some(&TablePart::None) {
            start += 1;
            continue;
        }
        let end = (start..parts.len())
            .find(|&k| parts.get(k) == Some(&TablePart::None))
            .unwrap_or(parts.len());
        let widest = (start..end)
            .filter(|&k| parts.get(k) == Some(&TablePart::Row))
            .filter_map(|k| rows.get(k).and_then(Option::as_ref).map(|c| (k, c.len())))
            .max_by_key(|(k, n)| (*n, std::cmp::Reverse(*k)));
        let columns: Option<std::rc::Rc<[f64]>> = widest
            .and_then(|(k, _)| rows.get(k).and_then(Option::as_ref))
            .map(|cells| cells.iter().map(|c| c.start).collect());
        for line in out.get_mut(start..end).into_iter().flatten() {
            line.columns.clone_from(&columns);
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::interp::TextChar;
    use super::super::layout::page_lines;
    use super::super::layout::tests::glyphs;
    use super::super::paragraph::paragraphs;
    use super::*;

    /// Glyphs of a line whose cells start at the given x.
    fn row(y: f64, cells: &[(f64, &str)]) -> Vec<TextChar> {
        cells
            .iter()
            .flat_map(|(x, text)| glyphs(text, *x, y, 10.0))
            .collect()
    }

    #[test]
    fn table_rows_are_read_across_by_the_table_s_columns() {
        let mut chars = glyphs("Reports received by country", 72.0, 720.0, 10.0);
        chars.extend(row(
            700.0,
            &[
                (72.0, "Country"),
                (200.0, "2022"),
                (260.0, "2023"),
                (320.0, "2024"),
            ],
        ));
        chars.extend(row(
            688.0,
            &[
                (72.0, "Costa Rica"),
                (200.0, "12"),
                (260.0, "15"),
                (320.0, "18"),
            ],
        ));
        chars.extend(row(
            676.0,
            &[(72.0, "Chad"), (200.0, "3"), (260.0, "4"), (320.0, "5")],
        ));
        let lines = page_lines(chars);
        let parts: Vec<TablePart> = lines.iter().map(|l| l.table).collect();
        assert_eq!(
            parts,
            [
                TablePart::None,
                TablePart::Row,
                TablePart::Row,
                TablePart::Row
            ]
        );
        // The two words of a label stay one cell; the figures fall in their columns.
        let costa_rica: Vec<&str> = lines
            .get(2)
            .map_or(Vec::new(), |l| l.cells.iter().map(String::as_str).collect());
        assert_eq!(costa_rica, ["Costa Rica", "12", "15", "18"]);
        assert_eq!(
            paragraphs(lines).len(),
            4,
            "each row is a paragraph of its own"
        );
    }

    #[test]
    fn a_wrapped_cell_continues_its_row() {
        let mut chars = row(
            700.0,
            &[(72.0, "Kenya"), (200.0, "12"), (260.0, "15"), (320.0, "18")],
        );
        chars.extend(row(
            688.0,
            &[(72.0, "Burkina"), (200.0, "3"), (260.0, "4"), (320.0, "5")],
        ));
        chars.extend(glyphs("Faso", 72.0, 676.0, 10.0));
        chars.extend(row(
            664.0,
            &[(72.0, "Chad"), (200.0, "7"), (260.0, "8"), (320.0, "9")],
        ));
        let lines = page_lines(chars);
        assert_eq!(lines.get(2).map(|l| l.table), Some(TablePart::Continuation));
        let texts: Vec<String> = paragraphs(lines).iter().map(|p| p.text()).collect();
        assert_eq!(
            texts,
            ["Kenya 12 15 18", "Burkina Faso 3 4 5", "Chad 7 8 9"]
        );
    }
}
