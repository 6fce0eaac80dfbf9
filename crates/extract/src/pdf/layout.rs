//! From positioned glyphs to reading order: glyphs into words (a space where the gap is wide
//! for the font size), words into lines (same baseline), lines into columns (a vertical gutter
//! no line crosses) and lines into paragraphs (line pitch, indentation, size and weight).

use super::interp::TextChar;
use crate::text::is_cjk;

/// A gap wider than this share of the font size separates words.
const WORD_GAP: f64 = 0.15;
/// Between two CJK characters (no spaces in the script) only a wide gap separates words.
const CJK_WORD_GAP: f64 = 0.6;

#[derive(Debug, Clone)]
struct Word {
    text: String,
    /// Each glyph's text, for reordering right-to-left lines glyph by glyph.
    glyphs: Vec<String>,
    x0: f64,
    x1: f64,
    size: f64,
    bold_chars: usize,
    chars: usize,
}

/// A line of text in reading order.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) text: String,
    pub(crate) x0: f64,
    pub(crate) x1: f64,
    /// Baseline.
    pub(crate) y: f64,
    /// Size of most of the line's characters.
    pub(crate) size: f64,
    pub(crate) bold: bool,
    pub(crate) chars: usize,
    /// The column (or spanning region) of the page the line belongs to.
    pub(crate) column: u16,
    pub(crate) orientation: u8,
    /// Whether the line is a row of a table (read across its cells) or a wrapped cell's
    /// continuation.
    pub(crate) table: TablePart,
    /// For a table line, its text by the table's columns (empty strings where it has none).
    pub(crate) cells: Vec<String>,
}

struct Band {
    y: f64,
    size: f64,
    chars: Vec<TextChar>,
}

/// The page's lines in reading order.
pub(crate) fn page_lines(mut chars: Vec<TextChar>) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut next_column = 0u16;
    chars.sort_by_key(|c| c.orientation);
    for orientation in [0u8, 4, 1, 2, 3] {
        let group: Vec<TextChar> = chars
            .iter()
            .filter(|c| c.orientation == orientation)
            .cloned()
            .collect();
        if group.is_empty() {
            continue;
        }
        let bands = bands(group);
        let banded: Vec<(f64, Vec<Word>)> = bands.iter().map(|b| (b.y, words(&b.chars))).collect();
        lines.extend(order_lines(banded, orientation, 0, &mut next_column));
    }
    lines
}

/// Glyphs grouped by baseline, top to bottom; superscripts and subscripts join their line.
fn bands(mut chars: Vec<TextChar>) -> Vec<Band> {
    chars.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut bands: Vec<Band> = Vec::new();
    for c in chars {
        let size = c.size.max(1.0);
        match bands.last_mut() {
            Some(band) if band.y - c.y <= 0.3 * size.min(band.size) => {
                if c.size > band.size * 1.2 {
                    // A bigger glyph sets the baseline.
                    band.y = c.y;
                }
                band.size = band.size.max(size);
                band.chars.push(c);
            }
            _ => bands.push(Band {
                y: c.y,
                size,
                chars: vec![c],
            }),
        }
    }
    // Small raised or lowered glyphs next to a line of bigger ones belong to it.
    let mut merged: Vec<Band> = Vec::new();
    let mut pending: Option<Band> = None;
    for band in bands {
        if let Some(small) = pending.take() {
            if small.size < band.size * 0.85
                && small.y - band.y < 0.6 * band.size
                && overlaps_x(&small, &band)
            {
                let mut band = band;
                band.chars.extend(small.chars);
                merged.push(band);
                continue;
            }
            merged.push(small);
        }
        if let Some(previous) = merged.last_mut()
            && band.size < previous.size * 0.85
            && previous.y - band.y < 0.4 * previous.size
            && overlaps_x(&band, previous)
        {
            previous.chars.extend(band.chars);
            continue;
        }
        pending = Some(band);
    }
    if let Some(band) = pending {
        merged.push(band);
    }
    for band in &mut merged {
        band.chars.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    merged
}

fn extent(band: &Band) -> (f64, f64) {
    band.chars.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| {
        (lo.min(c.x), hi.max(c.x + c.width))
    })
}

fn overlaps_x(a: &Band, b: &Band) -> bool {
    let (a0, a1) = extent(a);
    let (b0, b1) = extent(b);
    a0 <= b1 + b.size && b0 <= a1 + a.size
}

/// Words of one band, left to right.
fn words(chars: &[TextChar]) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut previous: Option<&TextChar> = None;
    let mut break_next = true;
    for c in chars {
        if c.text.trim().is_empty() {
            // A space glyph separates words unless it sits inside the previous glyph.
            let inside = previous.is_some_and(|p| c.x < p.x + p.width - 0.2 * p.size.max(1.0));
            if !inside {
                break_next = true;
            }
            continue;
        }
        if let Some(p) = previous {
            // The same glyph drawn again on top of itself (fake bold, shadows).
            if p.text == c.text
                && (c.x - p.x).abs() < (0.3 * p.width).max(0.05 * p.size)
                && !break_next
            {
                continue;
            }
            let gap = c.x - (p.x + p.width);
            let size = c.size.min(p.size).max(1.0);
            let cjk = p.text.chars().last().is_some_and(is_cjk)
                && c.text.chars().next().is_some_and(is_cjk);
            let threshold = if cjk { CJK_WORD_GAP } else { WORD_GAP } * size;
            if gap > threshold || gap < -1.5 * size {
                break_next = true;
            }
        }
        match words.last_mut() {
            Some(word) if !break_next => {
                word.text.push_str(&c.text);
                word.glyphs.push(c.text.clone());
                word.x1 = word.x1.max(c.x + c.width);
                word.size = word.size.max(c.size);
                word.bold_chars += usize::from(c.bold);
                word.chars += 1;
            }
            _ => words.push(Word {
                text: c.text.clone(),
                glyphs: vec![c.text.clone()],
                x0: c.x,
                x1: c.x + c.width,
                size: c.size,
                bold_chars: usize::from(c.bold),
                chars: 1,
            }),
        }
        break_next = false;
        previous = Some(c);
    }
    words
}

/// The x of a vertical gutter between two columns of running text, if the page has one.
fn find_gutter(bands: &[Vec<Word>]) -> Option<(f64, f64)> {
    let all: Vec<&Word> = bands.iter().flatten().collect();
    if all.len() < 6 || bands.len() < 4 {
        return None;
    }
    let left = all.iter().map(|w| w.x0).fold(f64::MAX, f64::min);
    let right = all.iter().map(|w| w.x1).fold(f64::MIN, f64::max);
    let width = right - left;
    if !(width > 50.0 && width < 20_000.0) {
        return None;
    }
    let bins = width.ceil() as usize + 1;
    // How many lines have a word over each point.
    let mut coverage = vec![0usize; bins];
    let mut covered = vec![false; bins];
    for band in bands {
        covered.iter_mut().for_each(|c| *c = false);
        for w in band {
            let a = ((w.x0 - left).max(0.0) as usize).min(bins - 1);
            let b = ((w.x1 - left).max(0.0) as usize).min(bins - 1);
            for slot in covered.iter_mut().take(b).skip(a) {
                *slot = true;
            }
        }
        for (count, hit) in coverage.iter_mut().zip(&covered) {
            *count += usize::from(*hit);
        }
    }
    let lo = (0.2 * width) as usize;
    let hi = ((0.8 * width) as usize).min(bins - 1);
    // Titles and figure captions may cross a gutter; most lines may not.
    let least = coverage
        .get(lo..=hi)
        .and_then(|c| c.iter().min().copied())?;
    let threshold = least + bands.len() / 20;
    if threshold * 10 > bands.len() * 3 {
        return None;
    }
    let mut best: Option<(usize, usize, usize)> = None; // (max coverage, start, end)
    let mut start = None;
    for i in lo..=hi {
        let free = coverage.get(i).is_some_and(|c| *c <= threshold);
        match (free, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                consider(&coverage, s, i, &mut best);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        consider(&coverage, s, hi + 1, &mut best);
    }
    let (_, s, e) = best?;
    let sizes: Vec<f64> = all.iter().map(|w| w.size).collect();
    let size = median(&sizes).unwrap_or(10.0);
    if ((e - s) as f64) < (0.9 * size).max(4.0) {
        return None;
    }
    let gutter = left + (s + e) as f64 / 2.0;
    // Both sides must hold running text: several lines each, not narrow table cells.
    let mut left_widths = Vec::new();
    let mut right_widths = Vec::new();
    for band in bands {
        let l: Vec<&Word> = band.iter().filter(|w| w.x1 <= gutter).collect();
        let r: Vec<&Word> = band.iter().filter(|w| w.x0 >= gutter).collect();
        if let (Some(first), Some(last)) = (l.first(), l.last()) {
            left_widths.push(last.x1 - first.x0);
        }
        if let (Some(first), Some(last)) = (r.first(), r.last()) {
            right_widths.push(last.x1 - first.x0);
        }
    }
    let needed = 2usize.max(bands.len() / 5);
    if left_widths.len() < needed || right_widths.len() < needed {
        return None;
    }
    let left_width = gutter - left;
    let right_width = right - gutter;
    let l = median(&left_widths).unwrap_or(0.0);
    let r = median(&right_widths).unwrap_or(0.0);
    (l >= 0.3 * left_width && r >= 0.3 * right_width).then_some((gutter, (e - s) as f64))
}

fn consider(
    coverage: &[usize],
    start: usize,
    end: usize,
    best: &mut Option<(usize, usize, usize)>,
) {
    let max = coverage
        .get(start..end)
        .and_then(|c| c.iter().max().copied())
        .unwrap_or(0);
    let better = match best {
        None => true,
        Some((m, s, e)) => end - start > *e - *s || (end - start == *e - *s && max < *m),
    };
    if better {
        *best = Some((max, start, end));
    }
}

pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied()
}

fn make_line(words: &[Word], band_y: f64, column: u16, orientation: u8) -> Option<Line> {
    let first = words.first()?;
    let last = words.last()?;
    let mut tokens: Vec<String> = Vec::new();
    let mut previous: Option<&Word> = None;
    for w in words {
        if let Some(p) = previous {
            let cjk = p.text.chars().last().is_some_and(is_cjk)
                && w.text.chars().next().is_some_and(is_cjk);
            if !cjk || w.x0 - p.x1 > CJK_WORD_GAP * w.size {
                tokens.push(" ".into());
            }
        }
        tokens.extend(w.glyphs.iter().cloned());
        previous = Some(w);
    }
    let chars: usize = words.iter().map(|w| w.chars).sum();
    let bold: usize = words.iter().map(|w| w.bold_chars).sum();
    // The size most characters have.
    let mut sizes: Vec<(f64, usize)> = Vec::new();
    for w in words {
        let rounded = (w.size * 2.0).round() / 2.0;
        match sizes.iter_mut().find(|(s, _)| (*s - rounded).abs() < 0.01) {
            Some(entry) => entry.1 += w.chars,
            None => sizes.push((rounded, w.chars)),
        }
    }
    let size = sizes
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or(first.size, |(s, _)| *s);
    Some(Line {
        text: bidi_visual_to_logical(tokens),
        x0: first.x0,
        x1: last.x1,
        y: band_y,
        size,
        bold: bold * 10 >= chars * 8,
        chars,
        column,
        orientation,
        table: TablePart::None,
        cells: Vec::new(),
    })
}

/// Deepest nesting of column splits (a column split again into columns).
const MAX_COLUMN_SPLITS: usize = 3;

/// Lines of bands in reading order: where a gutter splits the region, each side is read whole
/// (and may split again) before the lines after the next line that spans the gutter.
fn order_lines(
    bands: Vec<(f64, Vec<Word>)>,
    orientation: u8,
    depth: usize,
    next_column: &mut u16,
) -> Vec<Line> {
    let mut out = Vec::new();
    // Table rows are read across, whatever gutters their cells leave: they neither help
    // find a gutter nor are split by one.
    let table = table_rows(&bands);
    let words: Vec<Vec<Word>> = bands
        .iter()
        .zip(&table)
        .filter(|(_, line)| line.part == TablePart::None)
        .map(|((_, w), _)| w.clone())
        .collect();
    let gutter = if depth < MAX_COLUMN_SPLITS && (orientation == 0 || orientation == 4) {
        find_gutter(&words)
    } else {
        None
    };
    let Some((gutter, gutter_width)) = gutter else {
        let column = *next_column;
        *next_column = next_column.saturating_add(1);
        for ((y, words), row) in bands.into_iter().zip(table) {
            out.extend(table_line(&words, y, column, orientation, &row));
        }
        return out;
    };
    let mut left: Vec<(f64, Vec<Word>)> = Vec::new();
    let mut right: Vec<(f64, Vec<Word>)> = Vec::new();
    let flush = |left: &mut Vec<(f64, Vec<Word>)>,
                 right: &mut Vec<(f64, Vec<Word>)>,
                 out: &mut Vec<Line>,
                 next_column: &mut u16| {
        if !left.is_empty() {
            out.extend(order_lines(
                std::mem::take(left),
                orientation,
                depth + 1,
                next_column,
            ));
        }
        if !right.is_empty() {
            out.extend(order_lines(
                std::mem::take(right),
                orientation,
                depth + 1,
                next_column,
            ));
        }
    };
    for ((y, words), row) in bands.into_iter().zip(table) {
        // A short centred line has an ordinary word gap where the gutter runs: it spans.
        let last_left = words
            .iter()
            .filter(|w| w.x1 <= gutter)
            .map(|w| w.x1)
            .fold(f64::MIN, f64::max);
        let first_right = words
            .iter()
            .filter(|w| w.x0 >= gutter)
            .map(|w| w.x0)
            .fold(f64::MAX, f64::min);
        let narrow = first_right - last_left < 0.6 * gutter_width;
        let both_sides = last_left > f64::MIN && first_right < f64::MAX;
        let crosses = narrow
            || (row.part == TablePart::Row && both_sides)
            || words.iter().any(|w| w.x0 < gutter && w.x1 > gutter);
        if crosses {
            flush(&mut left, &mut right, &mut out, next_column);
            let column = *next_column;
            *next_column = next_column.saturating_add(1);
            out.extend(table_line(&words, y, column, orientation, &row));
            continue;
        }
        let (l, r): (Vec<Word>, Vec<Word>) = words.into_iter().partition(|w| w.x1 <= gutter);
        if !l.is_empty() {
            left.push((y, l));
        }
        if !r.is_empty() {
            right.push((y, r));
        }
    }
    flush(&mut left, &mut right, &mut out, next_column);
    out
}

/// A gap this many times the font size between two words on a line separates table cells.
const CELL_GAP: f64 = 1.0;
/// Table cells are short: after the row's label, the median cell has at most this many
/// words,
const CELL_WORDS: usize = 4;
/// and the longest at most this many;
const LONGEST_CELL_WORDS: usize = 6;
/// the label at most this many. A line of prose beside a figure or a code listing has more.
const LABEL_WORDS: usize = 10;

/// The cells of a line: runs of words with no wide gap, as (x0, x1, words).
fn cells(words: &[Word]) -> Vec<(f64, f64, usize)> {
    let mut cells: Vec<(f64, f64, usize)> = Vec::new();
    for w in words {
        match cells.last_mut() {
            Some(cell) if w.x0 - cell.1 < CELL_GAP * w.size.max(1.0) => {
                cell.1 = w.x1;
                cell.2 += w.text.split_whitespace().count().max(1);
            }
            _ => cells.push((w.x0, w.x1, w.text.split_whitespace().count().max(1))),
        }
    }
    cells
}

/// A line with its part in a table, its text split by the table's columns.
fn table_line(
    words: &[Word],
    y: f64,
    column: u16,
    orientation: u8,
    row: &TableLine,
) -> Option<Line> {
    let line = make_line(words, y, column, orientation)?;
    let cells = match &row.columns {
        Some(columns) if row.part != TablePart::None => {
            let tolerance = line.size.max(1.0);
            let mut cells = vec![String::new(); columns.len()];
            for w in words {
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
struct TableLine {
    part: TablePart,
    columns: Option<std::rc::Rc<[f64]>>,
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
fn table_rows(bands: &[(f64, Vec<Word>)]) -> Vec<TableLine> {
    let rows: Vec<Option<Vec<(f64, f64, usize)>>> = bands
        .iter()
        .map(|(_, words)| {
            let cells = cells(words);
            // The first cell is the row's label and may be longer than the figures after it.
            let label = cells.first().map_or(0, |c| c.2);
            let mut counts: Vec<usize> = cells.iter().skip(1).map(|c| c.2).collect();
            counts.sort_unstable();
            let median = counts
                .get(counts.len().saturating_sub(1) / 2)
                .copied()
                .unwrap_or(0);
            let longest = counts.last().copied().unwrap_or(0);
            (cells.len() >= 3
                && median <= CELL_WORDS
                && longest <= LONGEST_CELL_WORDS
                && label <= LABEL_WORDS)
                .then_some(cells)
        })
        .collect();
    // Each band's font size, worked out once.
    let sizes: Vec<f64> = bands
        .iter()
        .map(|(_, words)| {
            let sizes: Vec<f64> = words.iter().map(|w| w.size).collect();
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
                x.iter()
                    .any(|d| (c.0 - d.0).abs() <= tolerance || (c.1 - d.1).abs() <= tolerance)
            })
            .count();
        // Or, as many cells, each falling in the column the other row's cell starts: a
        // header centred over left-aligned figures.
        let one_each = |starts: &[(f64, f64, usize)], centred: &[(f64, f64, usize)]| {
            starts.len() == centred.len()
                && centred.iter().enumerate().all(|(k, c)| {
                    let centre = (c.0 + c.1) / 2.0;
                    starts.iter().filter(|d| d.0 - tolerance <= centre).count() == k + 1
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
        let starts: Vec<f64> = header.iter().map(|c| c.0).collect();
        let under = |j: usize| -> bool {
            let Some((_, words)) = bands.get(j) else {
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
                .is_none_or(|(_, w)| w.len() > LONGEST_CELL_WORDS)
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
        let words = &bands.get(i)?.1;
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
                (Some((x0, x1)), Some((a, b))) => a >= x0 - 1.0 && b <= x1 + 1.0,
                _ => false,
            };
            // Under the last row, only a short line right below it, at the table's line
            // pitch, continues a cell.
            let short = bands
                .get(i)
                .is_some_and(|(_, w)| w.len() <= LONGEST_CELL_WORDS);
            let close = match (i.checked_sub(1).and_then(|b| bands.get(b)), bands.get(i)) {
                (Some((above_y, _)), Some((y, _))) => above_y - y <= 1.6 * size(i),
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
            .map(|cells| cells.iter().map(|c| c.0).collect());
        for line in out.get_mut(start..end).into_iter().flatten() {
            line.columns.clone_from(&columns);
        }
        start = end;
    }
    out
}

fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08ff | 0xfb1d..=0xfdff | 0xfe70..=0xfeff)
}

fn is_ltr_strong(c: char) -> bool {
    c.is_alphanumeric() && !is_rtl(c)
}

fn token_is_ltr(token: &str) -> bool {
    token.chars().any(is_ltr_strong) && !token.chars().any(is_rtl)
}

/// Arabic and Hebrew lines are drawn left to right in visual order: read their glyphs right to
/// left, keeping runs of Latin letters and digits in their own order. A glyph whose text has
/// several characters (a ligature, a cluster) already holds them in logical order.
fn bidi_visual_to_logical(glyphs: Vec<String>) -> String {
    let text: String = glyphs.concat();
    let rtl = text.chars().filter(|c| is_rtl(*c)).count();
    let ltr = text
        .chars()
        .filter(|c| c.is_alphabetic() && !is_rtl(*c))
        .count();
    if rtl == 0 || rtl < ltr {
        return text;
    }
    // Glyphs mixing both directions are taken apart character by character.
    let mut tokens: Vec<String> = Vec::new();
    for glyph in glyphs {
        if glyph.chars().any(is_rtl) && glyph.chars().any(is_ltr_strong) {
            tokens.extend(glyph.chars().map(String::from));
        } else {
            tokens.push(glyph);
        }
    }
    tokens.reverse();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        if token_is_ltr(token) {
            // The LTR run, with the neutral glyphs inside it, goes back in its own order.
            let mut j = i;
            let mut end = i;
            while let Some(t) = tokens.get(j) {
                if t.chars().any(is_rtl) {
                    break;
                }
                if token_is_ltr(t) {
                    end = j;
                }
                j += 1;
            }
            for t in tokens.get(i..=end).unwrap_or_default().iter().rev() {
                out.push_str(t);
            }
            i = end + 1;
        } else {
            // Mirrored brackets read the other way round in right-to-left text.
            out.extend(token.chars().map(|c| match c {
                '(' => ')',
                ')' => '(',
                '[' => ']',
                ']' => '[',
                c => c,
            }));
            i += 1;
        }
    }
    out
}

/// A paragraph of one page.
#[derive(Debug, Clone)]
pub(crate) struct Paragraph {
    pub(crate) lines: Vec<Line>,
}

impl Paragraph {
    /// Whether the paragraph is a table row.
    pub(crate) fn table(&self) -> bool {
        self.lines
            .first()
            .is_some_and(|l| l.table == TablePart::Row)
    }

    pub(crate) fn text(&self) -> String {
        // A table row with wrapped cells: each cell whole, in column order.
        if self.table() && self.lines.len() > 1 && self.lines.iter().all(|l| !l.cells.is_empty()) {
            let columns = self.lines.iter().map(|l| l.cells.len()).max().unwrap_or(0);
            let mut cells = vec![String::new(); columns];
            for line in &self.lines {
                for (cell, part) in cells.iter_mut().zip(&line.cells) {
                    if !part.is_empty() {
                        join_line(cell, part);
                    }
                }
            }
            return cells
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
        }
        let mut text = String::new();
        for line in &self.lines {
            join_line(&mut text, &line.text);
        }
        text
    }

    pub(crate) fn size(&self) -> f64 {
        let mut best = (0.0, 0usize);
        for line in &self.lines {
            let n: usize = self
                .lines
                .iter()
                .filter(|l| (l.size - line.size).abs() < 0.26)
                .map(|l| l.chars)
                .sum();
            if n > best.1 {
                best = (line.size, n);
            }
        }
        best.0
    }

    pub(crate) fn bold(&self) -> bool {
        self.lines.iter().all(|l| l.bold)
    }

    pub(crate) fn top(&self) -> f64 {
        self.lines
            .iter()
            .map(|l| l.y + l.size)
            .fold(f64::MIN, f64::max)
    }

    pub(crate) fn bottom(&self) -> f64 {
        self.lines.iter().map(|l| l.y).fold(f64::MAX, f64::min)
    }
}

/// Appends a line to paragraph text: words hyphenated at the line end are joined, CJK lines
/// join without a space.
fn join_line(text: &mut String, line: &str) {
    if text.is_empty() {
        text.push_str(line);
        return;
    }
    let next = line.chars().next();
    if text.ends_with('\u{ad}') {
        text.pop();
        text.push_str(line);
        return;
    }
    let mut tail = text.chars().rev();
    let last = tail.next();
    let before = tail.next();
    if matches!(last, Some('-' | '\u{2010}'))
        && before.is_some_and(char::is_alphabetic)
        && next.is_some_and(char::is_lowercase)
    {
        text.pop();
        text.push_str(line);
        return;
    }
    if last.is_some_and(is_cjk) && next.is_some_and(is_cjk) {
        text.push_str(line);
        return;
    }
    text.push(' ');
    text.push_str(line);
}

const BULLETS: &[char] = &[
    '•', '●', '▪', '■', '◦', '○', '►', '▶', '–', '—', '✓', '❖', '➢', '·', '\u{f0b7}', '\u{f0a7}',
];

/// Lines of one page (reading order) into paragraphs.
pub(crate) fn paragraphs(lines: Vec<Line>) -> Vec<Paragraph> {
    // Typical baseline distance between consecutive lines of one paragraph.
    let mut pitches = Vec::new();
    for pair in lines.windows(2) {
        if let [a, b] = pair {
            let gap = a.y - b.y;
            if a.column == b.column
                && (a.size - b.size).abs() < 0.5
                && gap > 0.5 * a.size
                && gap < 2.5 * a.size
            {
                pitches.push(gap / a.size);
            }
        }
    }
    let pitch = median(&pitches).unwrap_or(1.2).clamp(1.0, 2.2);
    let mut right_edge: std::collections::HashMap<u16, f64> = std::collections::HashMap::new();
    for line in &lines {
        let edge = right_edge.entry(line.column).or_insert(f64::MIN);
        *edge = edge.max(line.x1);
    }

    let mut out: Vec<Paragraph> = Vec::new();
    for line in lines {
        let starts_new = match out.last().and_then(|p| p.lines.last().map(|l| (p, l))) {
            None => true,
            Some((paragraph, previous)) => {
                let size = previous.size.max(line.size).max(1.0);
                let gap = previous.y - line.y;
                let edge = right_edge
                    .get(&previous.column)
                    .copied()
                    .unwrap_or(previous.x1);
                let ends_sentence = previous
                    .text
                    .trim_end()
                    .ends_with(['.', '!', '?', ':', '。']);
                // Each table row is a block of its own, cited by itself, with the wrapped
                // cells that continue it.
                let in_table = (previous.table, line.table) != (TablePart::None, TablePart::None);
                let continues_row =
                    line.table == TablePart::Continuation && previous.table != TablePart::None;
                if in_table {
                    !continues_row
                } else {
                    line.column != previous.column
                        || line.orientation != previous.orientation
                        || gap < 0.3 * size
                        || gap > pitch * size * 1.3 + 0.5
                        || (previous.size - line.size).abs() > 0.12 * size
                        || previous.bold != line.bold
                        || line.x0 > previous.x1 + size
                        || line.x1 < previous.x0 - size
                        || (line.x0 - previous.x0 > 0.8 * size
                            && (paragraph.lines.len() >= 2 || ends_sentence))
                        || (previous.x1 < edge - 4.0 * size && ends_sentence)
                        || line.text.starts_with(BULLETS)
                }
            }
        };
        if starts_new {
            out.push(Paragraph { lines: vec![line] });
        } else if let Some(paragraph) = out.last_mut() {
            paragraph.lines.push(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str, x: f64, y: f64, size: f64) -> Vec<TextChar> {
        text.chars()
            .enumerate()
            .map(|(i, c)| TextChar {
                text: c.to_string(),
                x: x + i as f64 * size * 0.5,
                y,
                width: size * 0.5,
                size,
                bold: false,
                orientation: 0,
            })
            .filter(|c| c.text != " ")
            .collect()
    }

    #[test]
    fn gaps_make_spaces_and_lines_follow_baselines() {
        let mut chars = glyphs("Hello world", 72.0, 700.0, 10.0);
        chars.extend(glyphs("second line", 72.0, 688.0, 10.0));
        let lines = page_lines(chars);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Hello world", "second line"]);
    }

    #[test]
    fn two_columns_read_left_then_right() {
        let mut chars = Vec::new();
        for i in 0..6 {
            let y = 700.0 - 12.0 * i as f64;
            chars.extend(glyphs(
                &format!("left text line {i} goes on"),
                72.0,
                y,
                10.0,
            ));
            chars.extend(glyphs(
                &format!("right text line {i} goes on"),
                320.0,
                y,
                10.0,
            ));
        }
        let lines = page_lines(chars);
        let first_right = lines
            .iter()
            .position(|l| l.text.starts_with("right"))
            .unwrap_or(0);
        assert_eq!(first_right, 6, "{lines:?}");
        let paragraphs = paragraphs(lines);
        assert_eq!(paragraphs.len(), 2);
    }

    #[test]
    fn hyphenated_words_join_across_lines() {
        let mut text = String::from("a well-known exam-");
        join_line(&mut text, "ple of text");
        assert_eq!(text, "a well-known example of text");
        let mut text = String::from("日本");
        join_line(&mut text, "語");
        assert_eq!(text, "日本語");
    }

    #[test]
    fn arabic_visual_order_is_reversed() {
        let glyphs = |s: &str| s.chars().map(String::from).collect::<Vec<_>>();
        assert_eq!(bidi_visual_to_logical(glyphs("ب ا")), "ا ب");
        assert_eq!(bidi_visual_to_logical(glyphs("2024 ب ا")), "ا ب 2024");
        assert_eq!(bidi_visual_to_logical(glyphs("plain text")), "plain text");
        // A lam-alef ligature glyph maps to two letters already in logical order.
        assert_eq!(bidi_visual_to_logical(vec!["ب".into(), "لا".into()]), "لاب");
    }
}
