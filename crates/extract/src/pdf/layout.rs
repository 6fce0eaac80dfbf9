//! From positioned glyphs to reading order: glyphs into words (a space where the gap is wide
//! for the font size), words into lines (same baseline) and lines into columns (a vertical
//! gutter no line crosses). Table rows are found in `table.rs` and read across whatever
//! gutter their cells leave; right-to-left lines are put in logical order in `bidi.rs`; the
//! lines become paragraphs in `paragraph.rs`.

use super::bidi::bidi_visual_to_logical;
use super::interp::TextChar;
use super::table::{TablePart, table_line, table_rows};
use crate::text::is_cjk;

/// A gap wider than this share of the font size separates words.
const WORD_GAP: f64 = 0.15;
/// Between two CJK characters (no spaces in the script) only a wide gap separates words.
const CJK_WORD_GAP: f64 = 0.6;

/// A word of a line: glyphs with no gap wide enough for a space between them.
#[derive(Debug, Clone)]
pub(super) struct Word {
    /// The glyphs' text, in drawing order.
    pub(super) text: String,
    /// Each glyph's text, for reordering right-to-left lines glyph by glyph.
    glyphs: Vec<String>,
    /// Where the first glyph starts along the line.
    pub(super) x0: f64,
    /// Where the last glyph ends along the line.
    pub(super) x1: f64,
    /// Size of the word's biggest glyph.
    pub(super) size: f64,
    /// How many of the glyphs are set in a bold font.
    bold_chars: usize,
    /// How many glyphs the word has.
    chars: usize,
}

/// The words of a band, left to right, at its baseline: what a gutter splits into columns
/// and table detection reads for cells, before each part becomes a `Line`.
#[derive(Debug, Clone)]
pub(super) struct BandWords {
    /// The band's baseline.
    pub(super) y: f64,
    /// The words on it, left to right.
    pub(super) words: Vec<Word>,
}

/// A line of text in reading order.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// The line's text, words separated by spaces, right-to-left runs in reading order.
    pub(crate) text: String,
    /// Where the first word starts.
    pub(crate) x0: f64,
    /// Where the last word ends.
    pub(crate) x1: f64,
    /// Baseline.
    pub(crate) y: f64,
    /// Size of most of the line's characters.
    pub(crate) size: f64,
    /// Whether at least four in five of the line's glyphs are bold.
    pub(crate) bold: bool,
    /// How many glyphs the line has.
    pub(crate) chars: usize,
    /// The column (or spanning region) of the page the line belongs to.
    pub(crate) column: u16,
    /// The glyphs' direction, as `TextChar::orientation` gives it.
    pub(crate) orientation: u8,
    /// Whether the line is a row of a table (read across its cells) or a wrapped cell's
    /// continuation.
    pub(crate) table: TablePart,
    /// For a table line, its text by the table's columns (empty strings where it has none).
    pub(crate) cells: Vec<String>,
}

/// Glyphs sharing a baseline, with the raised and lowered glyphs that belong to them.
struct Band {
    /// The baseline: its first glyph's, or that of a glyph much bigger than the others.
    y: f64,
    /// Size of the band's biggest glyph (at least one point).
    size: f64,
    /// The glyphs, left to right once the bands are complete.
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
        let banded: Vec<BandWords> = bands
            .iter()
            .map(|b| BandWords {
                y: b.y,
                words: words(&b.chars),
            })
            .collect();
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

/// Where a band's glyphs start and end along the line.
fn extent(band: &Band) -> (f64, f64) {
    band.chars.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| {
        (lo.min(c.x), hi.max(c.x + c.width))
    })
}

/// Whether two bands sit over one another, give or take a glyph's size.
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

/// Keeps a free run of the gutter search if it is wider than the best so far, or as wide and
/// crossed by fewer lines.
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

/// The median of the finite values (the upper one of an even count), if there are any.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied()
}

/// A line of words at a baseline, its table cells not yet set; `None` without words.
pub(super) fn make_line(words: &[Word], band_y: f64, column: u16, orientation: u8) -> Option<Line> {
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
    bands: Vec<BandWords>,
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
        .map(|(band, _)| band.words.clone())
        .collect();
    let gutter = if depth < MAX_COLUMN_SPLITS && (orientation == 0 || orientation == 4) {
        find_gutter(&words)
    } else {
        None
    };
    let Some((gutter, gutter_width)) = gutter else {
        let column = *next_column;
        *next_column = next_column.saturating_add(1);
        for (band, row) in bands.iter().zip(table) {
            out.extend(table_line(band, column, orientation, &row));
        }
        return out;
    };
    let mut left: Vec<BandWords> = Vec::new();
    let mut right: Vec<BandWords> = Vec::new();
    let flush = |left: &mut Vec<BandWords>,
                 right: &mut Vec<BandWords>,
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
    for (band, row) in bands.into_iter().zip(table) {
        let words = &band.words;
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
            out.extend(table_line(&band, column, orientation, &row));
            continue;
        }
        let y = band.y;
        let (l, r): (Vec<Word>, Vec<Word>) = band.words.into_iter().partition(|w| w.x1 <= gutter);
        if !l.is_empty() {
            left.push(BandWords { y, words: l });
        }
        if !r.is_empty() {
            right.push(BandWords { y, words: r });
        }
    }
    flush(&mut left, &mut right, &mut out, next_column);
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::paragraph::paragraphs;
    use super::*;

    /// Glyphs of one line of text starting at `x` on baseline `y`, each character half as wide
    /// as the font size; spaces are gaps, as most PDFs draw them.
    pub(in crate::pdf) fn glyphs(text: &str, x: f64, y: f64, size: f64) -> Vec<TextChar> {
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
}
