//! PDF: lopdf parses the file; our own content-stream interpreter and layout analysis turn each
//! page into paragraphs in reading order, with headings, footnotes, and running headers and
//! footers recognised across pages.

mod bidi;
mod cmap;
mod font;
mod glyphs;
mod interp;
mod layout;
mod lexer;
mod metrics;
mod nesting;
mod page_tree;
mod paragraph;
mod table;
mod truetype;

use std::collections::HashMap;
use std::path::Path;

use lopdf::{Dictionary, Document as PdfDocument, LoadOptions, Object, Stream};

use crate::limits::{Budget, MAX_PDF_PAGES, MAX_PDF_STREAM_SIZE, exceeded};
use crate::ocr::{self, ScannedPage};
use crate::{Block, BlockKind, Document, Error, Extractor, Format, Options, Result};
use interp::{FontCache, Interpreter, Matrix};
use layout::Line;
use paragraph::Paragraph;

pub(crate) fn read(
    path: &Path,
    bytes: &[u8],
    extractor: &Extractor,
    budget: &Budget,
) -> Result<Document> {
    // lopdf logs the objects it cannot load and reads on: caught here, they become the
    // document's warnings (the file's report line), not lines on the terminal.
    let (read, notes) =
        crate::notes::capture("lopdf", || read_pages(path, bytes, extractor, budget));
    let mut document = read?;
    document
        .warnings
        .extend(notes.summary("damaged PDF, read around what would not load"));
    Ok(document)
}

fn read_pages(
    path: &Path,
    bytes: &[u8],
    extractor: &Extractor,
    budget: &Budget,
) -> Result<Document> {
    let doc = load(path, bytes, &extractor.options)?;
    let pages = page_tree::page_ids(&doc);
    if pages.len() > MAX_PDF_PAGES {
        return Err(exceeded(
            path,
            format!("{} pages, over the maximum of {MAX_PDF_PAGES}", pages.len()),
        ));
    }
    let page_total = pages.len();
    let labels = page_labels(&doc, page_total);
    let mut fonts = FontCache::default();
    let mut page_lines: Vec<Vec<Line>> = Vec::with_capacity(page_total);
    let mut scanned: Vec<ScannedPage> = Vec::new();
    for page_id in &pages {
        let number = page_lines.len() + 1;
        budget.check(path, || format!("at page {number} of {page_total}"))?;
        let Ok(page) = doc.get_dictionary(*page_id) else {
            page_lines.push(Vec::new());
            continue;
        };
        let content = doc
            .get_page_content_with_limit(*page_id, MAX_PDF_STREAM_SIZE)
            .map_err(|e| match e {
                lopdf::Error::Decompress(_) => exceeded(
                    path,
                    format!(
                        "a page content stream decompresses to over {MAX_PDF_STREAM_SIZE} bytes"
                    ),
                ),
                other => Error::Corrupt {
                    path: path.to_path_buf(),
                    format: Format::Pdf,
                    detail: format!("page {number}: {other}"),
                },
            })?;
        let resources = interp::page_resources(&doc, page);
        let display = display_matrix(interp::page_rotation(&doc, page));
        let mut interpreter = Interpreter::new(&doc, path, &mut fonts, display, budget, number);
        interpreter.run_page(&content, resources)?;
        let page_box = displayed_box(&doc, page, display);
        let chars = clip_to_page(page_box, interpreter.chars);
        if let Some(page_box) = page_box
            && is_scanned(&chars, &interpreter.images, page_box)
        {
            scanned.push(ScannedPage {
                number: u32::try_from(number).unwrap_or(u32::MAX),
                longest_side: (page_box[2] - page_box[0]).max(page_box[3] - page_box[1]),
            });
        }
        page_lines.push(layout::page_lines(chars));
    }
    let page_count = page_lines.len();
    let running = take_running_lines(&mut page_lines);
    let pages_paragraphs: Vec<Vec<Paragraph>> =
        page_lines.into_iter().map(paragraph::paragraphs).collect();
    let mut blocks = with_running(classify(pages_paragraphs, &labels), running, &labels);
    let mut needs_ocr = Vec::new();
    if !scanned.is_empty() {
        let read = ocr::read_pages(bytes, &scanned, extractor);
        needs_ocr = read.unread;
        blocks = with_ocr_pages(blocks, read.pages, &labels);
    }
    Ok(Document {
        format: Format::Pdf,
        pages: Some(u32::try_from(page_count).unwrap_or(u32::MAX)),
        blocks,
        needs_ocr,
        warnings: Vec::new(),
    })
}

/// A page is a scan when it shows (almost) no text and images cover a good part of it.
fn is_scanned(chars: &[interp::TextChar], images: &[[f64; 4]], page_box: [f64; 4]) -> bool {
    /// A stamp or a page number printed over a scan is not the page's text.
    const MAX_TEXT: usize = 20;
    /// Share of the page the images cover (a photographed page, a scanned letter half a page
    /// long, a slide exported as a picture).
    const MIN_COVER: f64 = 0.2;
    let text = chars
        .iter()
        .flat_map(|c| c.text.chars())
        .filter(|c| c.is_alphanumeric())
        .take(MAX_TEXT)
        .count();
    if text >= MAX_TEXT {
        return false;
    }
    let area = |b: [f64; 4]| (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0);
    let page_area = area(page_box);
    if page_area <= 0.0 {
        return false;
    }
    let covered: f64 = images
        .iter()
        .map(|i| {
            area([
                i[0].max(page_box[0]),
                i[1].max(page_box[1]),
                i[2].min(page_box[2]),
                i[3].min(page_box[3]),
            ])
        })
        .sum();
    covered / page_area >= MIN_COVER
}

/// The blocks with each OCR'd page's blocks in place of what the page's text layer gave; a page
/// OCR found nothing on keeps its own blocks.
fn with_ocr_pages(
    blocks: Vec<Block>,
    pages: Vec<(u32, Vec<Block>)>,
    labels: &[Option<String>],
) -> Vec<Block> {
    let pages: Vec<(u32, Vec<Block>)> = pages.into_iter().filter(|(_, b)| !b.is_empty()).collect();
    let replaced = |page: Option<u32>| pages.iter().any(|(n, _)| Some(*n) == page);
    let mut out: Vec<Block> = blocks.into_iter().filter(|b| !replaced(b.page)).collect();
    for (number, page_blocks) in pages {
        let label = labels
            .get(
                usize::try_from(number)
                    .unwrap_or(usize::MAX)
                    .wrapping_sub(1),
            )
            .cloned()
            .flatten();
        out.extend(page_blocks.into_iter().map(|mut b| {
            b.page_label.clone_from(&label);
            b
        }));
    }
    // Stable: each page's blocks keep their order.
    out.sort_by_key(|b| b.page);
    out
}

fn load(path: &Path, bytes: &[u8], options: &Options) -> Result<PdfDocument> {
    let corrupt = |detail: String| Error::Corrupt {
        path: path.to_path_buf(),
        format: Format::Pdf,
        detail,
    };
    let load_options = LoadOptions {
        password: options.password.clone(),
        max_decompressed_size: Some(MAX_PDF_STREAM_SIZE),
        ..LoadOptions::default()
    };
    let mut loaded = PdfDocument::load_mem_with_options(bytes, load_options.clone());
    let mut fixed = None;
    if matches!(loaded, Err(lopdf::Error::InvalidPassword))
        && let Some(with_object) = encryption_as_object(bytes)
    {
        // lopdf finds the encryption dictionary only behind a reference; some producers
        // (cpdf) write it into the trailer itself. Moved into an object by an incremental
        // update, the file opens with its password.
        loaded = PdfDocument::load_mem_with_options(&with_object, load_options.clone());
        fixed = Some(with_object);
    }
    let mut doc = match loaded {
        Ok(doc) => doc,
        Err(lopdf::Error::InvalidPassword) => {
            return Err(Error::Encrypted {
                path: path.to_path_buf(),
            });
        }
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(exceeded(
                path,
                format!("a stream decompresses to over {MAX_PDF_STREAM_SIZE} bytes"),
            ));
        }
        Err(e) => return Err(corrupt(e.to_string())),
    };
    // lopdf decrypts on load when the empty user password (or the one given) opens the file;
    // a document still marked encrypted needs a password we do not have.
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(Error::Encrypted {
            path: path.to_path_buf(),
        });
    }
    nesting::restore_dropped_objects(&mut doc, fixed.as_deref().unwrap_or(bytes), &load_options);
    if doc.catalog().is_err() {
        // A password that authenticates but derives the wrong key (lopdf and some owner
        // passwords) leaves garbage where the catalog should be.
        if doc.was_encrypted() {
            return Err(Error::Encrypted {
                path: path.to_path_buf(),
            });
        }
        return Err(corrupt("no document catalog".into()));
    }
    Ok(doc)
}

/// The file with an incremental update that moves an encryption dictionary written inline in
/// the last trailer into an object of its own; `None` when the trailer does not hold one.
fn encryption_as_object(bytes: &[u8]) -> Option<Vec<u8>> {
    let trailer_at = find_last(bytes, b"trailer")?;
    let open = trailer_at + find_first(bytes.get(trailer_at..)?, b"<<")?;
    let close = dictionary_end(bytes, open)?;
    let trailer = bytes.get(open..close)?;
    let key = find_first(trailer, b"/Encrypt")?;
    let mut value = open + key + b"/Encrypt".len();
    while bytes.get(value).is_some_and(u8::is_ascii_whitespace) {
        value += 1;
    }
    if bytes.get(value..value + 2)? != b"<<" {
        return None;
    }
    let value_end = dictionary_end(bytes, value)?;
    let encrypt = bytes.get(value..value_end)?;
    let previous: usize = number_after(bytes, find_last(bytes, b"startxref")? + 9)?;
    // An object number past every number in the file.
    let size: u32 = number_after(trailer, find_first(trailer, b"/Size")? + 5)?;
    let mut out = bytes.to_vec();
    out.extend_from_slice(b"\n");
    let object_at = out.len();
    out.extend_from_slice(format!("{size} 0 obj\n").as_bytes());
    out.extend_from_slice(encrypt);
    out.extend_from_slice(b"\nendobj\n");
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n{size} 1\n{object_at:010} 00000 n \ntrailer\n").as_bytes(),
    );
    // The old trailer with the dictionary replaced by a reference; the later /Size and /Prev
    // win over any earlier ones.
    out.extend_from_slice(bytes.get(open..value)?);
    out.extend_from_slice(format!(" {size} 0 R ").as_bytes());
    out.extend_from_slice(bytes.get(value_end..close - 2)?);
    out.extend_from_slice(
        format!(
            " /Size {} /Prev {previous} >>\nstartxref\n{xref_at}\n%%EOF\n",
            size + 1
        )
        .as_bytes(),
    );
    Some(out)
}

/// The unsigned number that follows `at` in `bytes`, after any whitespace.
fn number_after<T: std::str::FromStr>(bytes: &[u8], at: usize) -> Option<T> {
    let digits: String = bytes
        .get(at..)?
        .iter()
        .map(|b| char::from(*b))
        .skip_while(char::is_ascii_whitespace)
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn find_first(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The index just past the `>>` that closes the dictionary opening at `open` ("<<"), skipping
/// strings and nested dictionaries.
fn dictionary_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'(' => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut parens = 1usize;
                i += 1;
                while parens > 0 {
                    match bytes.get(i)? {
                        b'\\' => i += 1,
                        b'(' => parens += 1,
                        b')' => parens -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                continue;
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'<' => {
                // A hex string.
                i += find_first(bytes.get(i..)?, b">")? + 1;
                continue;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.checked_sub(1)?;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Device space to the page as displayed (after /Rotate), y up.
fn display_matrix(rotate: i64) -> Matrix {
    match rotate {
        90 => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
        180 => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
        270 => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
        _ => interp::IDENTITY,
    }
}

/// The page's crop box (or media box) on the displayed page: [min x, min y, max x, max y].
fn displayed_box(doc: &PdfDocument, page: &Dictionary, display: Matrix) -> Option<[f64; 4]> {
    let rect = interp::inherited(doc, page, b"CropBox")
        .or_else(|| interp::inherited(doc, page, b"MediaBox"))
        .and_then(|o| o.as_array().ok())
        .map(|a| {
            a.iter()
                .filter_map(|o| o.as_float().ok().map(f64::from))
                .collect::<Vec<_>>()
        });
    let [x0, y0, x1, y1] = rect.and_then(|r| <[f64; 4]>::try_from(r).ok())?;
    let corners =
        [(x0, y0), (x1, y1), (x0, y1), (x1, y0)].map(|(x, y)| interp::apply(&display, x, y));
    let (min_x, max_x) = corners.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| {
        (lo.min(c.0), hi.max(c.0))
    });
    let (min_y, max_y) = corners.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| {
        (lo.min(c.1), hi.max(c.1))
    });
    Some([min_x, min_y, max_x, max_y])
}

/// Drops glyphs placed well outside the visible page (hidden or clipped text).
fn clip_to_page(page_box: Option<[f64; 4]>, chars: Vec<interp::TextChar>) -> Vec<interp::TextChar> {
    let Some([min_x, min_y, max_x, max_y]) = page_box else {
        return chars;
    };
    let margin = 0.05 * (max_x - min_x).abs().max((max_y - min_y).abs());
    chars
        .into_iter()
        .filter(|c| {
            // Back from the glyph's reading frame to the displayed page.
            let (x, y) = match c.orientation {
                0 => (c.x, c.y),
                1 => (-c.y, c.x),
                2 => (-c.x, -c.y),
                _ => (c.y, -c.x),
            };
            x >= min_x - margin && x <= max_x + margin && y >= min_y - margin && y <= max_y + margin
        })
        .collect()
}

/// A running header or footer line taken out of a page's lines: its page index, its text, and
/// whether it stood in the top half of the page.
struct RunningLine {
    page: usize,
    text: String,
    top: bool,
}

/// Lines that repeat at the top or bottom of most pages (digits ignored) are running headers
/// and footers: all are taken out of the pages, and the first of each is returned. Lines that
/// are only a page number are dropped.
fn take_running_lines(pages: &mut [Vec<Line>]) -> Vec<RunningLine> {
    const EDGE: usize = 3;
    let key = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    };
    let edges = |lines: &[Line]| -> Vec<usize> {
        let mut order: Vec<usize> = (0..lines.len())
            .filter(|i| lines.get(*i).is_some_and(|l| l.orientation == 0))
            .collect();
        order.sort_by(|a, b| {
            let ya = lines.get(*a).map_or(0.0, |l| l.y);
            let yb = lines.get(*b).map_or(0.0, |l| l.y);
            yb.total_cmp(&ya)
        });
        let mut picked: Vec<usize> = order.iter().take(EDGE).copied().collect();
        picked.extend(order.iter().rev().take(EDGE).copied());
        picked.sort_unstable();
        picked.dedup();
        picked
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for lines in pages.iter() {
        let mut keys: Vec<String> = edges(lines)
            .iter()
            .filter_map(|i| lines.get(*i))
            .map(|l| key(&l.text))
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *counts.entry(k).or_default() += 1;
        }
    }
    let page_count = pages.len();
    let running = |k: &str| {
        page_count >= 2
            && counts
                .get(k)
                .is_some_and(|n| *n >= 2 && *n * 2 > page_count)
            && !k.is_empty()
    };
    let mut kept: Vec<String> = Vec::new();
    let mut first = Vec::new();
    for (page, lines) in pages.iter_mut().enumerate() {
        let candidates = edges(lines);
        let upright = |i: &usize| lines.get(*i).is_some_and(|l| l.orientation == 0);
        let y_of = |i: &usize| lines.get(*i).map_or(0.0, |l| l.y);
        let top = (0..lines.len())
            .filter(upright)
            .max_by(|a, b| y_of(a).total_cmp(&y_of(b)))
            .unwrap_or(usize::MAX);
        let bottom = (0..lines.len())
            .filter(upright)
            .min_by(|a, b| y_of(a).total_cmp(&y_of(b)))
            .unwrap_or(usize::MAX);
        let mut drop = vec![false; lines.len()];
        for i in candidates {
            let Some(line) = lines.get(i) else { continue };
            let k = key(&line.text);
            let extreme = i == top || i == bottom;
            let flag = if page_count >= 2 && extreme && is_page_number(&line.text) {
                true
            } else if running(&k) {
                if !kept.contains(&k) {
                    kept.push(k);
                    let (high, low) = (y_of(&top), y_of(&bottom));
                    first.push(RunningLine {
                        page,
                        text: line.text.clone(),
                        top: line.y * 2.0 >= high + low,
                    });
                }
                true
            } else {
                false
            };
            if let Some(slot) = drop.get_mut(i) {
                *slot = flag;
            }
        }
        let mut index = 0;
        lines.retain(|_| {
            let keep = !drop.get(index).copied().unwrap_or(false);
            index += 1;
            keep
        });
    }
    first
}

/// The blocks with each running header before its page's first block and each running footer
/// after its page's last.
fn with_running(
    blocks: Vec<Block>,
    running: Vec<RunningLine>,
    labels: &[Option<String>],
) -> Vec<Block> {
    if running.is_empty() {
        return blocks;
    }
    let block_of = |line: &RunningLine| {
        let page = u32::try_from(line.page + 1).unwrap_or(u32::MAX);
        let mut block = Block::new(BlockKind::Running, line.text.clone());
        block.page = Some(page);
        block.page_label = labels.get(line.page).cloned().flatten();
        (page, block)
    };
    let (headers, footers): (Vec<_>, Vec<_>) = running.iter().partition(|l| l.top);
    let mut headers = headers.into_iter().map(block_of).peekable();
    let mut footers = footers.into_iter().map(block_of).peekable();
    let mut out = Vec::with_capacity(blocks.len() + running.len());
    let page_of = |b: &Block| b.page.unwrap_or(0);
    let mut blocks = blocks.into_iter().peekable();
    while let Some(block) = blocks.next() {
        let page = page_of(&block);
        // Footers of pages before this one (pages with no blocks of their own included).
        while let Some((_, footer)) = footers.next_if(|(p, _)| *p < page) {
            out.push(footer);
        }
        while let Some((_, header)) = headers.next_if(|(p, _)| *p <= page) {
            out.push(header);
        }
        out.push(block);
        if blocks.peek().is_none_or(|next| page_of(next) != page) {
            while let Some((_, footer)) = footers.next_if(|(p, _)| *p <= page) {
                out.push(footer);
            }
        }
    }
    out.extend(headers.map(|(_, b)| b));
    out.extend(footers.map(|(_, b)| b));
    out
}

/// "12", "- 12 -", "[iv]", "12/40": a page number and nothing else.
fn is_page_number(text: &str) -> bool {
    let core: String = text
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '-' | '–' | '—' | '(' | ')' | '[' | ']' | '|' | '/' | '.' | ' '
            )
        })
        .collect();
    if core.is_empty() {
        return false;
    }
    core.chars().all(|c| c.is_ascii_digit())
        || (core.len() <= 6
            && core
                .chars()
                .all(|c| matches!(c.to_ascii_lowercase(), 'i' | 'v' | 'x' | 'l')))
}

/// Blocks with kinds: headings by size rank (or bold short lines), footnotes at the page foot
/// in a small size, the rest paragraphs.
fn classify(pages: Vec<Vec<Paragraph>>, labels: &[Option<String>]) -> Vec<Block> {
    // Body size: the size most characters have.
    let mut by_size: Vec<(f64, usize)> = Vec::new();
    for paragraph in pages.iter().flatten() {
        for line in &paragraph.lines {
            let size = (line.size * 2.0).round() / 2.0;
            match by_size.iter_mut().find(|(s, _)| (*s - size).abs() < 0.01) {
                Some(entry) => entry.1 += line.chars,
                None => by_size.push((size, line.chars)),
            }
        }
    }
    let body = by_size
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or(10.0, |(s, _)| *s)
        .max(1.0);

    let is_heading_text = |text: &str| {
        let len = text.chars().count();
        (2..=200).contains(&len) && text.chars().any(char::is_alphabetic)
    };
    let mut heading_sizes: Vec<f64> = Vec::new();
    for paragraph in pages.iter().flatten() {
        let size = paragraph.size();
        if size >= body * 1.15 && paragraph.lines.len() <= 3 && is_heading_text(&paragraph.text()) {
            let rounded = (size * 2.0).round() / 2.0;
            if !heading_sizes.iter().any(|s| (*s - rounded).abs() < 0.01) {
                heading_sizes.push(rounded);
            }
        }
    }
    heading_sizes.sort_by(|a, b| b.total_cmp(a));

    let mut blocks = Vec::new();
    for (index, paragraphs) in pages.into_iter().enumerate() {
        let page = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let label = labels.get(index).cloned().flatten();
        // The lowest line of body-size text on the page.
        let body_bottom = paragraphs
            .iter()
            .filter(|p| p.size() >= body * 0.95)
            .map(Paragraph::bottom)
            .fold(f64::MAX, f64::min);
        for paragraph in paragraphs {
            let text = paragraph.text();
            let size = paragraph.size();
            let line_count = paragraph.lines.len();
            let kind = if paragraph.table() {
                BlockKind::TableRow
            } else if size >= body * 1.15 && line_count <= 3 && is_heading_text(&text) {
                let rounded = (size * 2.0).round() / 2.0;
                let rank = heading_sizes
                    .iter()
                    .position(|s| (*s - rounded).abs() < 0.01)
                    .unwrap_or(0);
                BlockKind::Heading {
                    level: u8::try_from(rank + 1).unwrap_or(6).min(6),
                }
            } else if paragraph.bold()
                && line_count <= 2
                && size >= body * 0.95
                && is_heading_text(&text)
                && text.chars().count() <= 150
                && !text.trim_end().ends_with(['.', ',', ';'])
            {
                BlockKind::Heading {
                    level: u8::try_from(heading_sizes.len() + 1).unwrap_or(6).min(6),
                }
            } else if size <= body * 0.88 && body_bottom < f64::MAX && paragraph.top() < body_bottom
            {
                BlockKind::Footnote
            } else {
                BlockKind::Paragraph
            };
            let mut block = Block::new(kind, text);
            block.page = Some(page);
            block.page_label.clone_from(&label);
            blocks.push(block);
        }
    }
    blocks
}

/// Labels from the catalog's /PageLabels number tree, per page index.
fn page_labels(doc: &PdfDocument, page_count: usize) -> Vec<Option<String>> {
    let mut ranges: Vec<(usize, Dictionary)> = Vec::new();
    if let Some(tree) = doc
        .catalog()
        .ok()
        .and_then(|c| get_dict(doc, c, b"PageLabels"))
    {
        collect_number_tree(doc, tree, &mut ranges, 0);
    }
    if ranges.is_empty() {
        return vec![None; page_count];
    }
    ranges.sort_by_key(|(start, _)| *start);
    (0..page_count)
        .map(|index| {
            let (start, dict) = ranges.iter().rev().find(|(start, _)| *start <= index)?;
            let first = get_number(doc, dict, b"St").unwrap_or(1.0).max(1.0) as usize;
            let n = first + (index - start);
            let prefix = match get(doc, dict, b"P") {
                Some(Object::String(bytes, _)) => {
                    lopdf::decode_text_string(&Object::string_literal(bytes.clone()))
                        .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned())
                }
                _ => String::new(),
            };
            let number = match get_name(doc, dict, b"S").as_deref() {
                Some(b"D") => n.to_string(),
                Some(b"R") => roman(n).to_uppercase(),
                Some(b"r") => roman(n),
                Some(b"A") => letters(n).to_uppercase(),
                Some(b"a") => letters(n),
                _ => String::new(),
            };
            let label = format!("{prefix}{number}");
            (!label.is_empty()).then_some(label)
        })
        .collect()
}

fn collect_number_tree(
    doc: &PdfDocument,
    node: &Dictionary,
    out: &mut Vec<(usize, Dictionary)>,
    depth: usize,
) {
    if depth > 16 || out.len() > MAX_PDF_PAGES {
        return;
    }
    if let Some(nums) = get_array(doc, node, b"Nums") {
        for pair in nums.chunks(2) {
            if let [key, value] = pair
                && let Ok(key) = key.as_i64()
                && let Ok((_, Object::Dictionary(dict))) = doc.dereference(value)
            {
                out.push((usize::try_from(key).unwrap_or(0), dict.clone()));
            }
        }
    }
    if let Some(kids) = get_array(doc, node, b"Kids") {
        for kid in kids {
            if let Ok((_, Object::Dictionary(kid))) = doc.dereference(kid) {
                collect_number_tree(doc, kid, out, depth + 1);
            }
        }
    }
}

fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value && out.len() < 40 {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

fn letters(n: usize) -> String {
    let n = n.max(1);
    let c = char::from(b'a' + ((n - 1) % 26) as u8);
    std::iter::repeat_n(c, ((n - 1) / 26 + 1).min(10)).collect()
}

pub(crate) fn get<'a>(
    doc: &'a PdfDocument,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Object> {
    let object = dict.get(key).ok()?;
    doc.dereference(object).ok().map(|(_, o)| o)
}

pub(crate) fn get_dict<'a>(
    doc: &'a PdfDocument,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_array<'a>(
    doc: &'a PdfDocument,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Vec<Object>> {
    get(doc, dict, key)?.as_array().ok()
}

pub(crate) fn get_name(doc: &PdfDocument, dict: &Dictionary, key: &[u8]) -> Option<Vec<u8>> {
    get(doc, dict, key)?.as_name().ok().map(<[u8]>::to_vec)
}

pub(crate) fn get_number(doc: &PdfDocument, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    get(doc, dict, key)?
        .as_float()
        .ok()
        .map(f64::from)
        .filter(|n| n.is_finite())
}

/// A stream's decoded bytes; a damaged compressed stream gives what could be decoded.
pub(crate) fn stream_bytes(stream: &Stream) -> Option<Vec<u8>> {
    match stream.decompressed_content_with_limit(MAX_PDF_STREAM_SIZE) {
        Ok(bytes) => Some(bytes),
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => None,
        // No filter, or one lopdf cannot decode (images): the raw bytes.
        Err(_) if stream.dict.get(b"Filter").is_err() => Some(stream.content.clone()),
        Err(_) => None,
    }
}

/// Width of a glyph of a standard 14 font, in 1/1000 em.
pub(crate) fn metrics_width(font: &str, glyph: &str) -> Option<f64> {
    if font.starts_with("Courier") {
        return Some(600.0);
    }
    let table: &[(&str, u16)] = match font {
        "Helvetica" => metrics::HELVETICA,
        "Helvetica-Bold" => metrics::HELVETICA_BOLD,
        "Helvetica-Oblique" => metrics::HELVETICA_OBLIQUE,
        "Helvetica-BoldOblique" => metrics::HELVETICA_BOLDOBLIQUE,
        "Times-Roman" => metrics::TIMES_ROMAN,
        "Times-Bold" => metrics::TIMES_BOLD,
        "Times-Italic" => metrics::TIMES_ITALIC,
        "Times-BoldItalic" => metrics::TIMES_BOLDITALIC,
        "Symbol" => metrics::SYMBOL,
        _ => return None,
    };
    let index = table
        .binary_search_by(|(n, _)| n.as_bytes().cmp(glyph.as_bytes()))
        .ok()?;
    table.get(index).map(|(_, w)| f64::from(*w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_recognised() {
        assert!(is_page_number("12"));
        assert!(is_page_number("- 12 -"));
        assert!(is_page_number("iv"));
        assert!(is_page_number("3/10"));
        assert!(!is_page_number("page 1 / 3"));
        assert!(!is_page_number("2023 Annual report"));
    }

    #[test]
    fn standard_widths_are_found() {
        assert_eq!(metrics_width("Helvetica", "a"), Some(556.0));
        assert_eq!(metrics_width("Courier", "W"), Some(600.0));
        assert_eq!(metrics_width("Unknown", "a"), None);
    }
}
