//! OpenDocument text (.odt, LibreOffice's own format): headings with their outline level,
//! numbered and bulleted lists with rendered labels, tables, footnotes and endnotes, text boxes,
//! and the distinct page headers and footers. Comments, tracked deletions and generated indexes
//! (table of contents) are left out.
//!
//! Elements are matched on local names, like the DOCX reader.

use std::collections::HashMap;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::archive::Archive;
use crate::docx::{depth_error, format_number, heading_level_from_name};
use crate::limits::{Budget, MAX_XML_DEPTH};
use crate::xml::{attr, decode, local, resolve};
use crate::{Block, BlockKind, Document, Error, Format, Result};

pub(crate) fn read(path: &Path, bytes: &[u8], budget: &Budget) -> Result<Document> {
    let mut archive = Archive::open(path, bytes, Format::Odt)?;
    let content = archive.read("content.xml")?.ok_or_else(|| Error::Corrupt {
        path: path.to_path_buf(),
        format: Format::Odt,
        detail: "missing content.xml".into(),
    })?;
    let styles_xml = archive.read("styles.xml")?;
    let mut styles = Styles::default();
    if let Some(xml) = &styles_xml {
        styles.parse(path, &decode(xml), budget)?;
    }
    // Automatic styles (the ones the body uses) live in content.xml.
    let content = decode(&content);
    styles.parse(path, &content, budget)?;

    let body = Walker::run(path, &content, &styles, budget)?;
    let mut blocks = body.blocks;
    blocks.extend(
        body.endnotes
            .into_iter()
            .map(|text| Block::new(BlockKind::Footnote, text)),
    );
    // Headers and footers (in the master pages of styles.xml): each distinct one once, after
    // the body, as the DOCX reader does.
    if let Some(xml) = &styles_xml {
        let part = Walker::run(path, &decode(xml), &styles, budget)?;
        let mut seen: Vec<String> = Vec::new();
        for mut block in part.blocks {
            let key = crate::text::clean(&block.text);
            if key.is_empty() || seen.contains(&key) {
                continue;
            }
            seen.push(key);
            block.kind = BlockKind::Running;
            blocks.push(block);
        }
    }
    Ok(Document {
        format: Format::Odt,
        pages: None,
        blocks,
        needs_ocr: Vec::new(),
        warnings: Vec::new(),
    })
}

/// One level of a list style.
#[derive(Debug, Clone, Default)]
struct ListLevel {
    numbered: bool,
    /// "1", "a", "A", "i", "I" or "" (no number).
    format: String,
    prefix: String,
    suffix: String,
    /// How many levels the label shows ("1.2.3" shows 3).
    display_levels: u8,
    start: u32,
}

/// A paragraph style: its parent, the list style it applies, its heading level.
#[derive(Debug, Clone, Default)]
struct ParagraphStyle {
    parent: Option<String>,
    list_style: Option<String>,
    display_name: Option<String>,
    outline: Option<u8>,
}

#[derive(Default)]
struct Styles {
    /// List style name -> levels 1..=10 (index 0 is level 1).
    lists: HashMap<String, Vec<ListLevel>>,
    paragraphs: HashMap<String, ParagraphStyle>,
}

impl Styles {
    fn parse(&mut self, path: &Path, xml: &str, budget: &Budget) -> Result<()> {
        let mut reader = Reader::from_str(xml);
        let mut list: Option<String> = None;
        let mut depth = 0usize;
        loop {
            budget.tick(path, || format!("XML at byte {}", reader.buffer_position()))?;
            let event = reader.read_event().map_err(|e| corrupt(path, &reader, e))?;
            let (e, empty) = match event {
                Event::Start(e) => {
                    depth += 1;
                    if depth > MAX_XML_DEPTH {
                        return Err(depth_error(path));
                    }
                    (e, false)
                }
                Event::Empty(e) => (e, true),
                Event::End(e) => {
                    depth = depth.saturating_sub(1);
                    if e.local_name().into_inner().as_bytes() == b"list-style" {
                        list = None;
                    }
                    continue;
                }
                Event::Eof => return Ok(()),
                _ => continue,
            };
            match local(&e) {
                b"list-style" if !empty => list = attr(&e, b"name"),
                name @ (b"list-level-style-number"
                | b"list-level-style-bullet"
                | b"list-level-style-image") => {
                    let Some(style) = &list else { continue };
                    let level = attr(&e, b"level")
                        .and_then(|l| l.parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, 10);
                    let levels = self.lists.entry(style.clone()).or_default();
                    if levels.len() < level {
                        levels.resize(level, ListLevel::default());
                    }
                    if let Some(slot) = levels.get_mut(level - 1) {
                        *slot = ListLevel {
                            numbered: name == b"list-level-style-number",
                            format: attr(&e, b"num-format").unwrap_or_default(),
                            prefix: attr(&e, b"num-prefix").unwrap_or_default(),
                            suffix: attr(&e, b"num-suffix").unwrap_or_default(),
                            display_levels: attr(&e, b"display-levels")
                                .and_then(|d| d.parse().ok())
                                .unwrap_or(1),
                            start: attr(&e, b"start-value")
                                .and_then(|s| s.parse().ok())
                                .unwrap_or(1),
                        };
                    }
                }
                b"style" if attr(&e, b"family").as_deref() == Some("paragraph") => {
                    if let Some(name) = attr(&e, b"name") {
                        self.paragraphs.insert(
                            name,
                            ParagraphStyle {
                                parent: attr(&e, b"parent-style-name"),
                                list_style: attr(&e, b"list-style-name").filter(|l| !l.is_empty()),
                                display_name: attr(&e, b"display-name"),
                                outline: attr(&e, b"default-outline-level")
                                    .and_then(|l| l.parse().ok()),
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// The style and its ancestors, nearest first (cycles and long chains cut).
    fn chain(&self, name: &str) -> Vec<(&str, &ParagraphStyle)> {
        let mut chain: Vec<(&str, &ParagraphStyle)> = Vec::new();
        let mut next = Some(name);
        while let Some(name) = next {
            let Some((key, style)) = self.paragraphs.get_key_value(name) else {
                break;
            };
            if chain.len() >= 16 || chain.iter().any(|(n, _)| *n == key.as_str()) {
                break;
            }
            chain.push((key.as_str(), style));
            next = style.parent.as_deref();
        }
        chain
    }

    fn list_style_of(&self, paragraph_style: &str) -> Option<&str> {
        self.chain(paragraph_style)
            .into_iter()
            .find_map(|(_, s)| s.list_style.as_deref())
    }

    /// "Heading 2" by name (ODF writes spaces in names as `_20_`), or a default outline level.
    fn heading_level(&self, paragraph_style: &str) -> Option<u8> {
        for (name, style) in self.chain(paragraph_style) {
            let shown = style
                .display_name
                .clone()
                .unwrap_or_else(|| name.replace("_20_", " "));
            if let Some(level) = heading_level_from_name(&shown) {
                return Some(level);
            }
            if let Some(level) = style.outline.filter(|l| (1..=10).contains(l)) {
                return Some(level);
            }
        }
        None
    }
}

fn corrupt(path: &Path, reader: &Reader<&[u8]>, e: quick_xml::Error) -> Error {
    Error::Corrupt {
        path: path.to_path_buf(),
        format: Format::Odt,
        detail: format!("XML at byte {}: {e}", reader.buffer_position()),
    }
}

/// Content that is not the document's text.
const SKIPPED: &[&[u8]] = &[
    b"annotation",
    b"tracked-changes",
    b"note-citation",
    b"title",
    b"desc",
    b"table-of-content",
    b"alphabetical-index",
    b"illustration-index",
    b"table-index",
    b"object-index",
    b"user-index",
    b"bibliography",
    b"sequence-decls",
    b"variable-decls",
    b"user-field-decls",
    b"forms",
    b"script",
    b"automatic-styles",
    b"font-face-decls",
    b"meta",
];

#[derive(Default)]
struct Paragraph {
    text: String,
    heading: Option<u8>,
    style: Option<String>,
    /// A label the file gives (`text:number`).
    label: Option<String>,
    footnotes: Vec<String>,
}

#[derive(Default)]
struct Table {
    row: Vec<String>,
    cell: Option<String>,
}

struct List {
    style: Option<String>,
}

struct ListItem {
    /// 0-based nesting level.
    level: u8,
    header: bool,
    start: Option<u32>,
    /// Whether the item's first paragraph has come (and took the label).
    labelled: bool,
    /// Open paragraphs around the item (a list in a text box or a note sits in one).
    paragraphs: usize,
}

struct Note {
    endnote: bool,
    /// Where the note's blocks start.
    first_block: usize,
    /// Open tables outside the note: the note's paragraphs do not go into their cells.
    tables: usize,
}

#[derive(Default)]
struct Walker<'s> {
    blocks: Vec<Block>,
    endnotes: Vec<String>,
    paragraphs: Vec<Paragraph>,
    tables: Vec<Table>,
    lists: Vec<List>,
    items: Vec<ListItem>,
    notes: Vec<Note>,
    /// List style -> counter per level.
    counters: HashMap<String, [u32; 10]>,
    /// Depth of the element whose content is skipped.
    skip: Option<usize>,
    /// Inside `text:number`: its text is the label, not the paragraph's.
    in_number: bool,
    depth: usize,
    styles: Option<&'s Styles>,
}

impl<'s> Walker<'s> {
    fn run(path: &Path, xml: &str, styles: &'s Styles, budget: &Budget) -> Result<Walker<'s>> {
        let mut walker = Walker {
            styles: Some(styles),
            ..Walker::default()
        };
        let mut reader = Reader::from_str(xml);
        loop {
            budget.tick(path, || format!("XML at byte {}", reader.buffer_position()))?;
            let event = reader.read_event().map_err(|e| corrupt(path, &reader, e))?;
            match event {
                Event::Start(e) => {
                    walker.depth += 1;
                    if walker.depth > MAX_XML_DEPTH {
                        return Err(depth_error(path));
                    }
                    if walker.skip.is_none() {
                        walker.start(&e, false);
                    }
                }
                Event::Empty(e) if walker.skip.is_none() => {
                    walker.depth += 1;
                    walker.start(&e, true);
                    walker.depth -= 1;
                }
                Event::End(e) => {
                    match walker.skip {
                        Some(skip) if skip == walker.depth => walker.skip = None,
                        Some(_) => {}
                        None => walker.end(e.local_name().into_inner().as_bytes()),
                    }
                    walker.depth = walker.depth.saturating_sub(1);
                }
                Event::Text(t) if walker.skip.is_none() => walker.push_text(&t.xml10_content()),
                Event::CData(t) if walker.skip.is_none() => {
                    walker.push_text(t.as_ref());
                }
                Event::GeneralRef(r) if walker.skip.is_none() => {
                    if let Some(text) = resolve(&r) {
                        walker.push_text(&text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        // A truncated part may leave paragraphs open: keep their text.
        while !walker.paragraphs.is_empty() {
            walker.end(b"p");
        }
        Ok(walker)
    }

    fn push_text(&mut self, text: &str) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            if self.in_number {
                paragraph.label.get_or_insert_default().push_str(text);
            } else {
                paragraph.text.push_str(text);
            }
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = local(e);
        if SKIPPED.contains(&name) {
            if !empty {
                self.skip = Some(self.depth);
            }
            return;
        }
        match name {
            b"p" | b"h" => {
                let heading = (name == b"h").then(|| {
                    attr(e, b"outline-level")
                        .and_then(|l| l.parse::<u8>().ok())
                        .unwrap_or(1)
                        .clamp(1, 10)
                });
                self.paragraphs.push(Paragraph {
                    heading,
                    style: attr(e, b"style-name"),
                    ..Paragraph::default()
                });
                if empty {
                    self.end(name);
                }
            }
            b"number" if !empty => self.in_number = true,
            b"s" => {
                let count = attr(e, b"c")
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 100);
                self.push_text(&" ".repeat(count));
            }
            b"tab" => self.push_text(" "),
            b"line-break" => self.push_text("\n"),
            b"list" if !empty => {
                let style = attr(e, b"style-name")
                    .or_else(|| self.lists.last().and_then(|l| l.style.clone()));
                if self.lists.is_empty() {
                    let continues = attr(e, b"continue-numbering").as_deref() == Some("true")
                        || attr(e, b"continue-list").is_some();
                    if !continues && let Some(style) = &style {
                        self.counters.remove(style);
                    }
                }
                self.lists.push(List { style });
            }
            b"list-item" | b"list-header" if !empty => {
                self.items.push(ListItem {
                    level: u8::try_from(self.lists.len().saturating_sub(1))
                        .unwrap_or(u8::MAX)
                        .min(9),
                    header: name == b"list-header",
                    start: attr(e, b"start-value").and_then(|s| s.parse().ok()),
                    labelled: false,
                    paragraphs: self.paragraphs.len(),
                });
            }
            b"table" if !empty => self.tables.push(Table::default()),
            b"table-row" => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.clear();
                }
            }
            b"table-cell" => {
                if let Some(t) = self.tables.last_mut() {
                    if empty {
                        t.row.push(String::new());
                    } else {
                        t.cell = Some(String::new());
                    }
                }
            }
            b"note" if !empty => self.notes.push(Note {
                endnote: attr(e, b"note-class").as_deref() == Some("endnote"),
                first_block: self.blocks.len(),
                tables: self.tables.len(),
            }),
            _ => {}
        }
    }

    fn end(&mut self, name: &[u8]) {
        match name {
            b"number" => self.in_number = false,
            b"p" | b"h" => {
                let Some(paragraph) = self.paragraphs.pop() else {
                    return;
                };
                let footnotes = paragraph.footnotes.clone();
                let (kind, text) = self.classify(paragraph);
                let table_floor = self.notes.last().map_or(0, |n| n.tables);
                let in_cell = self.tables.len() > table_floor;
                match self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    Some(cell) if in_cell => {
                        if !text.trim().is_empty() {
                            if !cell.is_empty() {
                                cell.push(' ');
                            }
                            cell.push_str(&text);
                        }
                        // Notes in a cell follow the table's row.
                        self.blocks.extend(
                            footnotes
                                .into_iter()
                                .map(|f| Block::new(BlockKind::Footnote, f)),
                        );
                    }
                    _ => {
                        self.blocks.push(Block::new(kind, text));
                        self.blocks.extend(
                            footnotes
                                .into_iter()
                                .map(|f| Block::new(BlockKind::Footnote, f)),
                        );
                    }
                }
            }
            b"list" => {
                self.lists.pop();
            }
            b"list-item" | b"list-header" => {
                self.items.pop();
            }
            b"table-cell" => {
                if let Some(t) = self.tables.last_mut()
                    && let Some(cell) = t.cell.take()
                {
                    t.row.push(crate::text::clean(&cell));
                }
            }
            b"table-row" => {
                let Some(table) = self.tables.last_mut() else {
                    return;
                };
                let mut cells = std::mem::take(&mut table.row);
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
                if cells.is_empty() {
                    return;
                }
                let row = cells.join(" | ");
                let depth = self.tables.len();
                match self
                    .tables
                    .get_mut(depth.wrapping_sub(2))
                    .and_then(|t| t.cell.as_mut())
                {
                    // A table inside a cell reads as part of that cell.
                    Some(outer) if depth >= 2 => {
                        if !outer.is_empty() {
                            outer.push(' ');
                        }
                        outer.push_str(&row);
                    }
                    _ => self.blocks.push(Block::new(BlockKind::TableRow, row)),
                }
            }
            b"table" => {
                self.tables.pop();
            }
            b"note" => {
                let Some(note) = self.notes.pop() else { return };
                let texts: Vec<String> = self
                    .blocks
                    .drain(note.first_block.min(self.blocks.len())..)
                    .map(|b| b.text)
                    .collect();
                let text = crate::text::clean(&texts.join(" "));
                if text.is_empty() {
                    return;
                }
                if note.endnote {
                    self.endnotes.push(text);
                } else if let Some(paragraph) = self.paragraphs.last_mut() {
                    paragraph.footnotes.push(text);
                } else {
                    self.blocks.push(Block::new(BlockKind::Footnote, text));
                }
            }
            _ => {}
        }
    }

    /// The block kind of a finished paragraph and its text with any list label in front.
    fn classify(&mut self, paragraph: Paragraph) -> (BlockKind, String) {
        let styles = self.styles;
        let style = paragraph.style.as_deref().unwrap_or("");
        let heading = paragraph
            .heading
            .or_else(|| styles.and_then(|s| s.heading_level(style)));
        // Only a paragraph directly in a list item (not one in a text box or note of one of
        // its paragraphs) is a list item.
        let in_item = self
            .items
            .last()
            .is_some_and(|item| item.paragraphs == self.paragraphs.len());
        let mut label = paragraph.label.map(|l| l.trim().to_string());
        let mut list_level = None;
        if in_item && let Some(item) = self.items.last() {
            let (level, header, first) = (item.level, item.header, !item.labelled);
            list_level = Some(level);
            if first && !header && label.is_none() {
                let list_style =
                    self.lists.last().and_then(|l| l.style.clone()).or_else(|| {
                        styles.and_then(|s| s.list_style_of(style).map(str::to_string))
                    });
                label = list_style.and_then(|ls| self.next_label(&ls, level));
            }
            if let Some(item) = self.items.last_mut() {
                item.labelled = true;
            }
        }
        let label = label.filter(|l| l.chars().any(char::is_alphanumeric));
        let text = match &label {
            Some(label) => format!("{label} {}", paragraph.text),
            None => paragraph.text,
        };
        let kind = match (heading, list_level) {
            (Some(level), _) => BlockKind::Heading {
                level: level.min(9),
            },
            (None, Some(level)) => BlockKind::ListItem { level, label },
            (None, None) => BlockKind::Paragraph,
        };
        (kind, text)
    }

    /// Advances the counter of `level` in the list style and renders its label; `None` for
    /// bullets and levels without a number.
    fn next_label(&mut self, list_style: &str, level: u8) -> Option<String> {
        let levels = self.styles?.lists.get(list_style)?;
        let index = usize::from(level).min(9);
        let start = |i: usize| levels.get(i).map_or(1, |l| l.start);
        let counters = self
            .counters
            .entry(list_style.to_string())
            .or_insert([0; 10]);
        let item_start = self.items.last().and_then(|i| i.start);
        let current = counters.get(index).copied().unwrap_or(0);
        let next = match item_start {
            Some(value) => value,
            None if current == 0 => start(index),
            None => current.saturating_add(1),
        };
        if let Some(slot) = counters.get_mut(index) {
            *slot = next;
        }
        for deeper in counters.iter_mut().skip(index + 1) {
            *deeper = 0;
        }
        let def = levels.get(index)?;
        if !def.numbered || def.format.is_empty() {
            return None;
        }
        let shown = usize::from(def.display_levels.clamp(1, 10)).min(index + 1);
        let numbers: Vec<String> = (index + 1 - shown..=index)
            .map(|i| {
                let value = match counters.get(i).copied().unwrap_or(0) {
                    0 => start(i),
                    v => v,
                };
                let format = levels.get(i).map_or("1", |l| l.format.as_str());
                format_number(value, odf_format(format))
            })
            .collect();
        Some(format!("{}{}{}", def.prefix, numbers.join("."), def.suffix))
    }
}

/// ODF number formats in the DOCX reader's names.
fn odf_format(format: &str) -> &'static str {
    match format {
        "a" => "lowerLetter",
        "A" => "upperLetter",
        "i" => "lowerRoman",
        "I" => "upperRoman",
        _ => "decimal",
    }
}
