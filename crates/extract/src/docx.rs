//! DOCX (Office Open XML, transitional and strict): body paragraphs, headings, numbered lists,
//! tables, text boxes, footnotes and endnotes, with tracked changes accepted.
//!
//! Elements are matched on local names, so the transitional and the strict (ISO 29500)
//! namespaces read alike.

use std::collections::HashMap;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::archive::Archive;
use crate::limits::{Budget, MAX_XML_DEPTH, exceeded};
use crate::xml::{attr, decode, local, resolve};
use crate::{Block, BlockKind, Document, Error, Format, Result};

pub(crate) fn read(path: &Path, bytes: &[u8], budget: &Budget) -> Result<Document> {
    let mut archive = Archive::open(path, bytes, Format::Docx)?;
    let main = main_part(&mut archive)?;
    let corrupt = |detail: String| Error::Corrupt {
        path: path.to_path_buf(),
        format: Format::Docx,
        detail,
    };
    let document = archive
        .read(&main)?
        .ok_or_else(|| corrupt(format!("missing main part {main}")))?;
    let folder = main
        .rsplit_once('/')
        .map(|(dir, _)| format!("{dir}/"))
        .unwrap_or_default();
    let part = |name: &str| format!("{folder}{name}");

    let styles = match archive.read(&part("styles.xml"))? {
        Some(xml) => Styles::parse(path, &decode(&xml), budget)?,
        None => Styles::default(),
    };
    let numbering = match archive.read(&part("numbering.xml"))? {
        Some(xml) => Numbering::parse(path, &decode(&xml), budget)?,
        None => Numbering::default(),
    };
    let mut context = Context {
        styles,
        numbering,
        counters: HashMap::new(),
        seen: std::collections::HashSet::new(),
        footnotes: HashMap::new(),
        endnotes: HashMap::new(),
    };
    for (name, is_foot) in [("footnotes.xml", true), ("endnotes.xml", false)] {
        if let Some(xml) = archive.read(&part(name))? {
            let notes = Walker::run(path, &decode(&xml), &mut context, Mode::Notes, budget)?.notes;
            if is_foot {
                context.footnotes = notes;
            } else {
                context.endnotes = notes;
            }
        }
    }

    let body = Walker::run(path, &decode(&document), &mut context, Mode::Body, budget)?;
    let mut blocks = Vec::new();
    let mut used_footnotes = Vec::new();
    for item in body.items {
        match item {
            Item::Block(block) => blocks.push(block),
            Item::Footnote(id) => {
                if let Some(text) = context.footnotes.get(&id) {
                    blocks.push(Block::new(BlockKind::Footnote, text.clone()));
                    used_footnotes.push(id);
                }
            }
        }
    }
    // Notes never referenced from the body, then the endnotes, come after it.
    let mut rest: Vec<(&String, &String)> = context
        .footnotes
        .iter()
        .filter(|(id, _)| !used_footnotes.contains(id))
        .collect();
    rest.sort_by_key(|(id, _)| id.parse::<i64>().unwrap_or(i64::MAX));
    let mut endnotes: Vec<(&String, &String)> = context.endnotes.iter().collect();
    endnotes.sort_by_key(|(id, _)| id.parse::<i64>().unwrap_or(i64::MAX));
    for (_, text) in rest.into_iter().chain(endnotes) {
        blocks.push(Block::new(BlockKind::Footnote, text.clone()));
    }

    // Headers and footers repeat on every page; each distinct one is kept once, after the body,
    // as the PDF reader keeps the first occurrence of a running header.
    let mut seen: Vec<String> = Vec::new();
    for name in header_footer_parts(&archive, &folder) {
        if let Some(xml) = archive.read(&name)? {
            let part = Walker::run(path, &decode(&xml), &mut context, Mode::Body, budget)?;
            for item in part.items {
                if let Item::Block(mut block) = item {
                    let key = crate::text::clean(&block.text);
                    if key.is_empty() || seen.contains(&key) {
                        continue;
                    }
                    seen.push(key);
                    block.kind = BlockKind::Running;
                    blocks.push(block);
                }
            }
        }
    }

    Ok(Document {
        format: Format::Docx,
        pages: None,
        blocks,
        needs_ocr: Vec::new(),
        warnings: Vec::new(),
    })
}

/// The main document part named by the package relationships, `word/document.xml` by default.
fn main_part(archive: &mut Archive<'_>) -> Result<String> {
    if let Some(rels) = archive.read("_rels/.rels")? {
        let text = decode(&rels);
        let mut reader = Reader::from_str(&text);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e) | Event::Empty(e)) if local(&e) == b"Relationship" => {
                    let kind = attr(&e, b"Type").unwrap_or_default();
                    if kind.ends_with("/officeDocument")
                        && let Some(target) = attr(&e, b"Target")
                    {
                        let target = target.trim_start_matches('/').to_string();
                        if archive.find(&target).is_some() {
                            return Ok(target);
                        }
                    }
                }
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    Ok("word/document.xml".into())
}

/// header*.xml and footer*.xml beside the main part, in name order.
fn header_footer_parts(archive: &Archive<'_>, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = archive
        .names()
        .iter()
        .filter(|n| {
            n.strip_prefix(folder).is_some_and(|rest| {
                (rest.starts_with("header") || rest.starts_with("footer"))
                    && rest.ends_with(".xml")
                    && !rest.contains('/')
            })
        })
        .cloned()
        .collect();
    names.sort();
    names
}

/// Paragraph style facts, resolved through `basedOn`.
#[derive(Default)]
struct Styles {
    by_id: HashMap<String, Style>,
}

#[derive(Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    num_id: Option<String>,
    ilvl: Option<u8>,
}

impl Styles {
    fn parse(path: &Path, xml: &str, budget: &Budget) -> Result<Styles> {
        let mut styles = Styles::default();
        let mut current: Option<(String, Style)> = None;
        for_each_element(path, xml, budget, |e, _| match local(e) {
            b"style" => {
                if let Some((id, style)) = current.take() {
                    styles.by_id.insert(id, style);
                }
                if let Some(id) = attr(e, b"styleId") {
                    current = Some((id, Style::default()));
                }
            }
            b"name" => {
                if let Some((_, style)) = &mut current {
                    style.name = attr(e, b"val").unwrap_or_default();
                }
            }
            b"basedOn" => {
                if let Some((_, style)) = &mut current {
                    style.based_on = attr(e, b"val");
                }
            }
            b"outlineLvl" => {
                if let Some((_, style)) = &mut current {
                    style.outline = attr(e, b"val").and_then(|v| v.parse().ok());
                }
            }
            b"numId" => {
                if let Some((_, style)) = &mut current {
                    style.num_id = attr(e, b"val");
                }
            }
            b"ilvl" => {
                if let Some((_, style)) = &mut current {
                    style.ilvl = attr(e, b"val").and_then(|v| v.parse().ok());
                }
            }
            _ => {}
        })?;
        if let Some((id, style)) = current.take() {
            styles.by_id.insert(id, style);
        }
        Ok(styles)
    }

    /// The style and its ancestors, nearest first (cycles and long chains cut).
    fn chain(&self, id: &str) -> Vec<&Style> {
        let mut chain: Vec<&Style> = Vec::new();
        let mut next = Some(id.to_string());
        while let Some(id) = next {
            let Some(style) = self.by_id.get(&id) else {
                break;
            };
            if chain.len() >= 16 || chain.iter().any(|s| std::ptr::eq(*s, style)) {
                break;
            }
            chain.push(style);
            next = style.based_on.clone();
        }
        chain
    }

    fn heading_level(&self, id: &str) -> Option<u8> {
        for style in self.chain(id) {
            if let Some(level) = heading_level_from_name(&style.name) {
                return Some(level);
            }
            if let Some(outline) = style.outline {
                return (outline < 9).then_some(outline + 1);
            }
        }
        heading_level_from_name(id)
    }

    fn numbering(&self, id: &str) -> (Option<String>, Option<u8>) {
        let mut num = None;
        let mut ilvl = None;
        for style in self.chain(id) {
            if num.is_none() {
                num.clone_from(&style.num_id);
            }
            if ilvl.is_none() {
                ilvl = style.ilvl;
            }
        }
        (num, ilvl)
    }
}

/// "heading 2", "Titre 2", "Überschrift 2", "Título 2", "Заголовок 2" (and their style ids).
pub(crate) fn heading_level_from_name(name: &str) -> Option<u8> {
    let lower = name.trim().to_lowercase();
    if lower == "title" {
        return Some(1);
    }
    for prefix in [
        "heading",
        "titre",
        "überschrift",
        "título",
        "titulo",
        "заголовок",
        "kop",
        "titolo",
    ] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim();
            if let Ok(level) = rest.parse::<u8>()
                && (1..=9).contains(&level)
            {
                return Some(level);
            }
        }
    }
    None
}

#[derive(Default)]
struct Numbering {
    /// abstractNumId -> level -> definition
    abstracts: HashMap<String, HashMap<u8, Level>>,
    /// numId -> (abstractNumId, level -> start override)
    nums: HashMap<String, (String, HashMap<u8, u32>)>,
}

#[derive(Default, Clone)]
struct Level {
    format: String,
    text: String,
    start: Option<u32>,
}

impl Numbering {
    fn parse(path: &Path, xml: &str, budget: &Budget) -> Result<Numbering> {
        let mut numbering = Numbering::default();
        let mut abstract_id: Option<String> = None;
        let mut level: Option<u8> = None;
        let mut num_id: Option<String> = None;
        let mut override_level: Option<u8> = None;
        for_each_element(path, xml, budget, |e, _| match local(e) {
            b"abstractNum" => {
                abstract_id = attr(e, b"abstractNumId");
                num_id = None;
                level = None;
            }
            b"num" => {
                num_id = attr(e, b"numId");
                abstract_id = None;
                override_level = None;
            }
            b"lvl" if abstract_id.is_some() => {
                level = attr(e, b"ilvl").and_then(|v| v.parse().ok())
            }
            b"lvlOverride" => override_level = attr(e, b"ilvl").and_then(|v| v.parse().ok()),
            b"abstractNumId" => {
                if let (Some(num), Some(target)) = (&num_id, attr(e, b"val")) {
                    numbering.nums.entry(num.clone()).or_default().0 = target;
                }
            }
            b"startOverride" => {
                if let (Some(num), Some(lvl), Some(start)) = (
                    &num_id,
                    override_level,
                    attr(e, b"val").and_then(|v| v.parse().ok()),
                ) {
                    numbering
                        .nums
                        .entry(num.clone())
                        .or_default()
                        .1
                        .insert(lvl, start);
                }
            }
            name @ (b"numFmt" | b"lvlText" | b"start") => {
                if let (Some(id), Some(lvl)) = (&abstract_id, level) {
                    let def = numbering
                        .abstracts
                        .entry(id.clone())
                        .or_default()
                        .entry(lvl)
                        .or_default();
                    let value = attr(e, b"val").unwrap_or_default();
                    match name {
                        b"numFmt" => def.format = value,
                        b"lvlText" => def.text = value,
                        _ => def.start = value.parse().ok(),
                    }
                }
            }
            _ => {}
        })?;
        Ok(numbering)
    }

    fn level(&self, num_id: &str, ilvl: u8) -> Option<&Level> {
        let (abstract_id, _) = self.nums.get(num_id)?;
        self.abstracts.get(abstract_id)?.get(&ilvl)
    }

    fn start(&self, num_id: &str, ilvl: u8) -> u32 {
        if let Some(start) = self.nums.get(num_id).and_then(|(_, o)| o.get(&ilvl)) {
            return *start;
        }
        self.level(num_id, ilvl).and_then(|l| l.start).unwrap_or(1)
    }
}

/// Calls `f` for every start or empty element, with its depth; fails past the depth cap.
fn for_each_element(
    path: &Path,
    xml: &str,
    budget: &Budget,
    mut f: impl FnMut(&BytesStart<'_>, usize),
) -> Result<()> {
    let mut reader = Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        budget.tick(path, || format!("XML at byte {}", reader.buffer_position()))?;
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Err(depth_error(path));
                }
                f(&e, depth);
            }
            Ok(Event::Empty(e)) => f(&e, depth + 1),
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return Ok(()),
            Err(e) => {
                return Err(Error::Corrupt {
                    path: path.to_path_buf(),
                    format: Format::Docx,
                    detail: format!("XML at byte {}: {e}", reader.buffer_position()),
                });
            }
            Ok(_) => {}
        }
    }
}

pub(crate) fn depth_error(path: &Path) -> Error {
    exceeded(
        path,
        format!("XML nesting deeper than {MAX_XML_DEPTH} elements"),
    )
}

struct Context {
    styles: Styles,
    numbering: Numbering,
    /// abstractNumId -> counter per level (0 = not started): list instances that share an
    /// abstract definition continue one numbering, as in Word, unless one restarts it.
    counters: HashMap<String, [u32; 9]>,
    /// List instances met so far (a new one with a start override restarts its levels).
    seen: std::collections::HashSet<String>,
    footnotes: HashMap<String, String>,
    endnotes: HashMap<String, String>,
}

impl Context {
    /// Advances the list counter and renders the label; `None` for bullets and unnumbered levels.
    fn next_label(&mut self, num_id: &str, ilvl: u8) -> Option<String> {
        let ilvl = ilvl.min(8);
        let index = usize::from(ilvl);
        let numbering = &self.numbering;
        let key = numbering.nums.get(num_id).map_or_else(
            || num_id.to_string(),
            |(abstract_id, _)| abstract_id.clone(),
        );
        let counters = self.counters.entry(key).or_insert([0; 9]);
        if self.seen.insert(num_id.to_string())
            && let Some((_, overrides)) = numbering.nums.get(num_id)
        {
            for level in overrides.keys() {
                if let Some(slot) = counters.get_mut(usize::from(*level)) {
                    *slot = 0;
                }
            }
        }
        let current = counters.get(index).copied().unwrap_or(0);
        let next = if current == 0 {
            numbering.start(num_id, ilvl)
        } else {
            current + 1
        };
        if let Some(slot) = counters.get_mut(index) {
            *slot = next;
        }
        for deeper in counters.iter_mut().skip(index + 1) {
            *deeper = 0;
        }
        let level = numbering.level(num_id, ilvl)?;
        if level.format == "bullet" || level.format == "none" {
            return None;
        }
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
            {
                chars.next();
                let referenced = u8::try_from(d.saturating_sub(1)).unwrap_or(0).min(8);
                let mut value = counters.get(usize::from(referenced)).copied().unwrap_or(0);
                if value == 0 {
                    value = numbering.start(num_id, referenced);
                }
                let format = numbering
                    .level(num_id, referenced)
                    .map(|l| l.format.as_str())
                    .filter(|f| *f != "bullet")
                    .unwrap_or("decimal");
                label.push_str(&format_number(value, format));
            } else {
                label.push(c);
            }
        }
        let label = label.trim().to_string();
        (!label.is_empty()).then_some(label)
    }
}

pub(crate) fn format_number(n: u32, format: &str) -> String {
    match format {
        "upperRoman" => roman(n).to_uppercase(),
        "lowerRoman" => roman(n),
        "upperLetter" => letters(n).to_uppercase(),
        "lowerLetter" => letters(n),
        "decimalZero" if n < 10 => format!("0{n}"),
        _ => n.to_string(),
    }
}

fn roman(mut n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
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
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// Word's letter numbering: a..z, then aa..zz, aaa..
fn letters(n: u32) -> String {
    if n == 0 {
        return "0".into();
    }
    let index = (n - 1) % 26;
    let repeat = ((n - 1) / 26 + 1).min(10) as usize;
    let c = char::from_u32('a' as u32 + index).unwrap_or('a');
    std::iter::repeat_n(c, repeat).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Body,
    Notes,
}

enum Item {
    Block(Block),
    /// Footnote id referenced by the block before it.
    Footnote(String),
}

#[derive(Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u8>,
    outline: Option<u8>,
    footnotes: Vec<String>,
}

#[derive(Default)]
struct Table {
    row: Vec<String>,
    cell: Option<String>,
}

#[derive(Default)]
struct Walker {
    items: Vec<Item>,
    paragraphs: Vec<Paragraph>,
    tables: Vec<Table>,
    /// Depth of the element whose content is being skipped.
    skip: Option<usize>,
    in_text: bool,
    /// Enclosing element names.
    stack: Vec<Vec<u8>>,
    /// Notes mode: the open note's id and the item index where it started.
    note: Option<(String, usize)>,
    notes: HashMap<String, String>,
}

/// Content that is not part of the accepted text: deletions, field codes, the VML copy of
/// text boxes, property-change records.
const SKIPPED: &[&[u8]] = &[
    b"del",
    b"delText",
    b"delInstrText",
    b"moveFrom",
    b"instrText",
    b"Fallback",
    b"pPrChange",
    b"rPrChange",
    b"sectPrChange",
    b"tblPrChange",
    b"trPrChange",
    b"tcPrChange",
    b"numberingChange",
    b"commentReference",
];

impl Walker {
    fn run(
        path: &Path,
        xml: &str,
        context: &mut Context,
        mode: Mode,
        budget: &Budget,
    ) -> Result<Walker> {
        let mut walker = Walker::default();
        let mut reader = Reader::from_str(xml);
        loop {
            budget.tick(path, || format!("XML at byte {}", reader.buffer_position()))?;
            let event = reader.read_event().map_err(|e| Error::Corrupt {
                path: path.to_path_buf(),
                format: Format::Docx,
                detail: format!("XML at byte {}: {e}", reader.buffer_position()),
            })?;
            match event {
                Event::Start(e) => {
                    walker.stack.push(local(&e).to_vec());
                    if walker.stack.len() > MAX_XML_DEPTH {
                        return Err(depth_error(path));
                    }
                    if walker.skip.is_none() {
                        walker.start(&e, context, mode, false);
                    }
                }
                Event::Empty(e) if walker.skip.is_none() => {
                    walker.stack.push(local(&e).to_vec());
                    walker.start(&e, context, mode, true);
                    walker.stack.pop();
                }
                Event::End(_) => {
                    let depth = walker.stack.len();
                    match walker.skip {
                        Some(skip) if skip == depth => walker.skip = None,
                        Some(_) => {}
                        None => {
                            let name = walker.stack.last().cloned().unwrap_or_default();
                            walker.end(&name, context, mode);
                        }
                    }
                    walker.stack.pop();
                }
                Event::Text(t) if walker.in_text && walker.skip.is_none() => {
                    walker.push_text(&t.xml10_content());
                }
                Event::CData(t) if walker.in_text && walker.skip.is_none() => {
                    walker.push_text(t.as_ref());
                }
                Event::GeneralRef(r) => {
                    if walker.in_text
                        && walker.skip.is_none()
                        && let Some(text) = resolve(&r)
                    {
                        walker.push_text(&text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        // A truncated part may leave paragraphs open: keep their text.
        while !walker.paragraphs.is_empty() {
            walker.end(b"p", context, mode);
        }
        Ok(walker)
    }

    fn parent_is(&self, name: &[u8]) -> bool {
        self.stack.len() >= 2
            && self
                .stack
                .get(self.stack.len() - 2)
                .is_some_and(|p| p.as_slice() == name)
    }

    fn push_text(&mut self, text: &str) {
        if let Some(paragraph) = self.paragraphs.last_mut() {
            paragraph.text.push_str(text);
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, context: &mut Context, mode: Mode, empty: bool) {
        let name = local(e);
        if SKIPPED.contains(&name) {
            if !empty {
                self.skip = Some(self.stack.len());
            }
            return;
        }
        match name {
            b"p" => {
                self.paragraphs.push(Paragraph::default());
                if empty {
                    self.end(b"p", context, mode);
                }
            }
            b"t" if !empty => self.in_text = true,
            b"pStyle" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.style = attr(e, b"val");
                }
            }
            b"numId" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.num_id = attr(e, b"val");
                }
            }
            b"ilvl" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.ilvl = attr(e, b"val").and_then(|v| v.parse().ok());
                }
            }
            b"outlineLvl" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.outline = attr(e, b"val").and_then(|v| v.parse().ok());
                }
            }
            b"tab" if self.parent_is(b"r") => self.push_text(" "),
            b"br" | b"cr" if self.parent_is(b"r") => self.push_text("\n"),
            b"noBreakHyphen" => self.push_text("-"),
            b"sym" => {
                let c = attr(e, b"char")
                    .and_then(|h| u32::from_str_radix(&h, 16).ok())
                    .map(|c| {
                        if (0xf020..=0xf0ff).contains(&c) {
                            c - 0xf000
                        } else {
                            c
                        }
                    })
                    .and_then(char::from_u32);
                if let Some(c) = c {
                    self.push_text(&c.to_string());
                }
            }
            b"footnoteReference" => {
                if let (Some(id), Some(p)) = (attr(e, b"id"), self.paragraphs.last_mut()) {
                    p.footnotes.push(id);
                }
            }
            b"tbl" if !empty => self.tables.push(Table::default()),
            b"tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.clear();
                }
            }
            b"tc" if !empty => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some(String::new());
                }
            }
            b"footnote" | b"endnote" if mode == Mode::Notes => {
                let kind = attr(e, b"type").unwrap_or_default();
                let id = attr(e, b"id").unwrap_or_default();
                if !empty && (kind.is_empty() || kind == "normal") {
                    self.note = Some((id, self.items.len()));
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &[u8], context: &mut Context, mode: Mode) {
        match name {
            b"t" => self.in_text = false,
            b"p" => {
                let Some(paragraph) = self.paragraphs.pop() else {
                    return;
                };
                let footnotes = paragraph.footnotes.clone();
                let (kind, text) = classify(paragraph, context);
                if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    if !text.trim().is_empty() {
                        if !cell.is_empty() {
                            cell.push(' ');
                        }
                        cell.push_str(&text);
                    }
                } else {
                    self.items.push(Item::Block(Block::new(kind, text)));
                }
                self.items.extend(footnotes.into_iter().map(Item::Footnote));
            }
            b"tc" => {
                if let Some(t) = self.tables.last_mut()
                    && let Some(cell) = t.cell.take()
                {
                    t.row.push(crate::text::clean(&cell));
                }
            }
            b"tr" => {
                let Some(table) = self.tables.last_mut() else {
                    return;
                };
                let cells = std::mem::take(&mut table.row);
                if cells.iter().all(String::is_empty) {
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
                    _ => self
                        .items
                        .push(Item::Block(Block::new(BlockKind::TableRow, row))),
                }
            }
            b"tbl" => {
                self.tables.pop();
            }
            b"footnote" | b"endnote" if mode == Mode::Notes => {
                if let Some((id, start)) = self.note.take() {
                    let texts: Vec<String> = self
                        .items
                        .drain(start.min(self.items.len())..)
                        .filter_map(|item| match item {
                            Item::Block(b) => Some(b.text),
                            Item::Footnote(_) => None,
                        })
                        .collect();
                    let text = crate::text::clean(&texts.join(" "));
                    if !text.is_empty() {
                        self.notes.insert(id, text);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The block kind of a finished paragraph and its text with any list label in front.
fn classify(paragraph: Paragraph, context: &mut Context) -> (BlockKind, String) {
    let style = paragraph.style.as_deref().unwrap_or("");
    let heading = match paragraph.outline {
        Some(outline) if outline < 9 => Some(outline + 1),
        _ => context.styles.heading_level(style),
    };
    let (style_num, style_ilvl) = context.styles.numbering(style);
    let num_id = paragraph.num_id.or(style_num).filter(|id| id != "0");
    let ilvl = paragraph.ilvl.or(style_ilvl).unwrap_or(0);
    let text = paragraph.text;
    let Some(num_id) = num_id else {
        return match heading {
            Some(level) => (BlockKind::Heading { level }, text),
            None => (BlockKind::Paragraph, text),
        };
    };
    let label = context.next_label(&num_id, ilvl);
    let labelled = match &label {
        Some(label) => format!("{label} {text}"),
        None => text,
    };
    match heading {
        Some(level) => (BlockKind::Heading { level }, labelled),
        None => (BlockKind::ListItem { level: ilvl, label }, labelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_names_in_several_languages() {
        assert_eq!(heading_level_from_name("heading 2"), Some(2));
        assert_eq!(heading_level_from_name("Titre 3"), Some(3));
        assert_eq!(heading_level_from_name("Überschrift 1"), Some(1));
        assert_eq!(heading_level_from_name("Título 4"), Some(4));
        assert_eq!(heading_level_from_name("Заголовок 2"), Some(2));
        assert_eq!(heading_level_from_name("Heading1"), Some(1));
        assert_eq!(heading_level_from_name("Body Text 2"), None);
    }

    #[test]
    fn number_formats() {
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(14, "lowerRoman"), "xiv");
        assert_eq!(format_number(28, "upperLetter"), "BB");
        assert_eq!(format_number(3, "lowerLetter"), "c");
        assert_eq!(format_number(7, "decimalZero"), "07");
        assert_eq!(format_number(12, "decimal"), "12");
    }
}
