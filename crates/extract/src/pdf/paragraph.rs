//! Lines of a page, in reading order, into paragraphs: a new paragraph where the line pitch,
//! indentation, size or weight changes, at a bullet, and at each table row (with the lines
//! that continue its wrapped cells).

use super::layout::{Line, median};
use super::table::TablePart;
use crate::text::is_cjk;

/// A paragraph of one page.
#[derive(Debug, Clone)]
pub(crate) struct Paragraph {
    /// The paragraph's lines in reading order; a table row's wrapped cells follow it.
    pub(crate) lines: Vec<Line>,
}

impl Paragraph {
    /// Whether the paragraph is a table row.
    pub(crate) fn table(&self) -> bool {
        self.lines
            .first()
            .is_some_and(|l| l.table == TablePart::Row)
    }

    /// The paragraph's text, its lines joined (hyphenated words made whole); a table row
    /// with wrapped cells gives each cell whole, in column order.
    pub(crate) fn text(&self) -> String {
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

    /// The font size most of the paragraph's characters have (sizes a quarter point apart
    /// count as one).
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

    /// Whether every line is bold.
    pub(crate) fn bold(&self) -> bool {
        self.lines.iter().all(|l| l.bold)
    }

    /// The highest point its text reaches: the top line's baseline plus its font size.
    pub(crate) fn top(&self) -> f64 {
        self.lines
            .iter()
            .map(|l| l.y + l.size)
            .fold(f64::MIN, f64::max)
    }

    /// The lowest baseline.
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

/// Characters that open a list item: a line starting with one starts a paragraph.
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

    #[test]
    fn hyphenated_words_join_across_lines() {
        let mut text = String::from("a well-known exam-");
        join_line(&mut text, "ple of text");
        assert_eq!(text, "a well-known example of text");
        let mut text = String::from("日本");
        join_line(&mut text, "語");
        assert_eq!(text, "日本語");
    }
}
