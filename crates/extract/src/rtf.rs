//! Rich Text Format: a small reader of groups and control words. Body paragraphs, headings (by
//! style name or outline level), list items with the label the file renders (`\listtext`),
//! tables (`\cell`, `\row`) and footnotes. Text comes from `\uN` escapes or from `\'hh` bytes in
//! the code page of the document (`\ansicpg`) or of the font (`\fcharset`). Destinations that
//! are not body text (font and colour tables, pictures, field instructions, document info,
//! headers and footers, anything marked `\*`) are skipped.

use std::collections::HashMap;
use std::path::Path;

use encoding_rs::Encoding;

use crate::docx::heading_level_from_name;
use crate::limits::{Budget, MAX_RTF_DEPTH, exceeded};
use crate::{Block, BlockKind, Document, Format, Result};

pub(crate) fn read(path: &Path, bytes: &[u8], budget: &Budget) -> Result<Document> {
    let mut reader = RtfReader::new(bytes);
    reader.run(path, budget)?;
    Ok(Document {
        format: Format::Rtf,
        pages: None,
        blocks: reader.blocks,
        needs_ocr: Vec::new(),
        warnings: Vec::new(),
    })
}

/// Destinations whose text is not the document's: tables of fonts, colours, lists and
/// revisions, pictures and objects, field instructions, index and contents entries, bookmarks,
/// document information, footnote separators, comments.
const SKIPPED_DESTINATIONS: &[&[u8]] = &[
    b"colortbl",
    b"info",
    b"pict",
    b"object",
    b"objdata",
    b"ftnsep",
    b"ftnsepc",
    b"ftncn",
    b"aftnsep",
    b"aftnsepc",
    b"aftncn",
    b"fldinst",
    b"xe",
    b"tc",
    b"tcn",
    b"txe",
    b"rxe",
    b"bkmkstart",
    b"bkmkend",
    b"nonshppict",
    b"shppict",
    b"do",
    b"listtable",
    b"listoverridetable",
    b"revtbl",
    b"rsidtbl",
    b"themedata",
    b"colorschememapping",
    b"latentstyles",
    b"datastore",
    b"xmlnstbl",
    b"filetbl",
    b"generator",
    b"template",
    b"userprops",
    b"pntxta",
    b"pntxtb",
    b"annotation",
    b"atnid",
    b"atnauthor",
    b"private",
    b"pgdsctbl",
    b"mmathPr",
    b"upr",
];

/// Where the text of a group goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Destination {
    Body,
    Footnote,
    /// The rendered label of a list paragraph.
    ListText,
    FontTable,
    StyleSheet,
    /// One style of the style sheet: its text is the style's name.
    Style,
    /// A page header or footer.
    Header,
    Skip,
}

/// State that a group saves and restores.
#[derive(Debug, Clone)]
struct State {
    destination: Destination,
    /// Characters of fallback text after each `\uN`.
    uc: usize,
    encoding: &'static Encoding,
    style: i32,
    outline: Option<u8>,
    list: bool,
    list_level: u8,
    in_table: bool,
    /// Inside a tracked deletion.
    deleted: bool,
}

#[derive(Default)]
struct Pending {
    text: String,
    label: Option<String>,
    footnotes: Vec<String>,
}

struct RtfReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    state: State,
    stack: Vec<State>,
    document_encoding: &'static Encoding,
    /// Font number -> its code page.
    fonts: HashMap<i32, &'static Encoding>,
    font_in_table: i32,
    /// Style number -> (name, outline level).
    styles: HashMap<i32, (String, Option<u8>)>,
    style_number: i32,
    style_name: String,
    paragraph: Pending,
    footnote: String,
    label: String,
    cells: Vec<String>,
    cell: String,
    header: String,
    /// Distinct header and footer paragraphs, in order of first appearance.
    headers: Vec<String>,
    /// `\'hh` bytes waiting to be decoded together (double-byte code pages).
    raw: Vec<u8>,
    /// Fallback characters still to skip after a `\uN`.
    skip_fallback: usize,
    /// A high surrogate from `\uN` waiting for its low half.
    high_surrogate: Option<u16>,
    /// Set by `\*`: the group is skipped unless its destination is one we read.
    starred: bool,
    blocks: Vec<Block>,
}

impl<'a> RtfReader<'a> {
    fn new(bytes: &'a [u8]) -> RtfReader<'a> {
        let encoding = encoding_rs::WINDOWS_1252;
        RtfReader {
            bytes,
            pos: 0,
            state: State {
                destination: Destination::Body,
                uc: 1,
                encoding,
                style: 0,
                outline: None,
                list: false,
                list_level: 0,
                in_table: false,
                deleted: false,
            },
            stack: Vec::new(),
            document_encoding: encoding,
            fonts: HashMap::new(),
            font_in_table: 0,
            styles: HashMap::new(),
            style_number: 0,
            style_name: String::new(),
            paragraph: Pending::default(),
            footnote: String::new(),
            label: String::new(),
            cells: Vec::new(),
            cell: String::new(),
            header: String::new(),
            headers: Vec::new(),
            raw: Vec::new(),
            skip_fallback: 0,
            high_surrogate: None,
            starred: false,
            blocks: Vec::new(),
        }
    }

    fn run(&mut self, path: &Path, budget: &Budget) -> Result<()> {
        while let Some(&byte) = self.bytes.get(self.pos) {
            budget.tick(path, || format!("at byte {}", self.pos))?;
            self.pos += 1;
            match byte {
                b'{' => {
                    self.flush_raw();
                    if self.stack.len() >= MAX_RTF_DEPTH {
                        return Err(exceeded(
                            path,
                            format!("RTF groups nested deeper than {MAX_RTF_DEPTH}"),
                        ));
                    }
                    self.stack.push(self.state.clone());
                    self.state.destination = match self.state.destination {
                        Destination::StyleSheet => {
                            self.style_number = 0;
                            self.style_name.clear();
                            Destination::Style
                        }
                        other => other,
                    };
                    self.starred = false;
                }
                b'}' => {
                    self.flush_raw();
                    self.end_group();
                }
                b'\\' => self.control(),
                b'\r' | b'\n' => {}
                b'\t' => {
                    self.flush_raw();
                    self.text(" ");
                }
                _ => {
                    if self.skip_fallback > 0 {
                        self.skip_fallback -= 1;
                        continue;
                    }
                    // A run of plain bytes up to the next special one, decoded at once.
                    let start = self.pos - 1;
                    let mut end = self.pos;
                    while let Some(b) = self.bytes.get(end)
                        && !matches!(b, b'{' | b'}' | b'\\' | b'\r' | b'\n' | b'\t')
                    {
                        end += 1;
                    }
                    self.pos = end;
                    self.raw
                        .extend_from_slice(self.bytes.get(start..end).unwrap_or_default());
                }
            }
        }
        self.flush_raw();
        while !self.stack.is_empty() {
            self.end_group();
        }
        self.end_paragraph();
        self.end_row();
        // Headers and footers repeat on every page; each distinct one is kept once, after the
        // body, as the DOCX reader does.
        let headers = std::mem::take(&mut self.headers);
        self.blocks.extend(
            headers
                .into_iter()
                .map(|h| Block::new(BlockKind::Running, h)),
        );
        Ok(())
    }

    fn end_header_paragraph(&mut self) {
        let text = crate::text::clean(&std::mem::take(&mut self.header));
        if !text.is_empty() && !self.headers.contains(&text) {
            self.headers.push(text);
        }
    }

    fn end_group(&mut self) {
        let Some(outer) = self.stack.pop() else {
            return;
        };
        let inner = std::mem::replace(&mut self.state, outer);
        self.skip_fallback = 0;
        if inner.destination == self.state.destination {
            return;
        }
        match inner.destination {
            Destination::Footnote => {
                let text = crate::text::clean(&std::mem::take(&mut self.footnote));
                if !text.is_empty() {
                    self.paragraph.footnotes.push(text);
                }
            }
            Destination::ListText => {
                let label = crate::text::clean(&std::mem::take(&mut self.label));
                if !label.is_empty() {
                    self.paragraph.label = Some(label);
                }
            }
            Destination::Header => self.end_header_paragraph(),
            Destination::Style => {
                let name = std::mem::take(&mut self.style_name);
                let name = name.trim().trim_end_matches(';').trim().to_string();
                self.styles.insert(self.style_number, (name, inner.outline));
            }
            _ => {}
        }
    }

    /// Reads the control word or symbol after a backslash.
    fn control(&mut self) {
        let Some(&first) = self.bytes.get(self.pos) else {
            return;
        };
        if !first.is_ascii_alphabetic() {
            self.pos += 1;
            match first {
                b'\'' => {
                    let hex = self
                        .bytes
                        .get(self.pos..self.pos + 2)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    if let Some(byte) = hex {
                        self.pos += 2;
                        if self.skip_fallback > 0 {
                            self.skip_fallback -= 1;
                        } else {
                            self.raw.push(byte);
                        }
                    }
                }
                b'*' => self.starred = true,
                b'~' => self.char_text("\u{a0}"),
                b'_' => self.char_text("-"),
                b'-' => {}
                b'\r' | b'\n' => {
                    self.flush_raw();
                    self.par();
                }
                b'\\' | b'{' | b'}' => {
                    if self.skip_fallback > 0 {
                        self.skip_fallback -= 1;
                    } else {
                        self.raw.push(first);
                    }
                }
                _ => {}
            }
            return;
        }
        self.flush_raw();
        let start = self.pos;
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_alphabetic())
            && self.pos - start < 32
        {
            self.pos += 1;
        }
        let word = self.bytes.get(start..self.pos).unwrap_or_default().to_vec();
        let number_start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit)
            && self.pos - number_start < 11
        {
            self.pos += 1;
        }
        let parameter =
            std::str::from_utf8(self.bytes.get(number_start..self.pos).unwrap_or_default())
                .ok()
                .and_then(|n| n.parse::<i64>().ok());
        if self.bytes.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
        self.word(&word, parameter);
    }

    fn word(&mut self, word: &[u8], parameter: Option<i64>) {
        let n = parameter.unwrap_or(0);
        let n32 = i32::try_from(n).unwrap_or(0);
        if self.starred {
            self.starred = false;
            // Optional destinations are skipped, except those holding text we read: footnotes
            // (as LibreOffice writes them) and shapes, whose text boxes are in \shptxt.
            if !matches!(word, b"footnote" | b"shpinst") {
                self.state.destination = Destination::Skip;
                return;
            }
        }
        if self.state.destination == Destination::Skip {
            if word == b"bin" {
                self.skip_binary(n);
            }
            return;
        }
        match word {
            // Destinations.
            b"fonttbl" => self.state.destination = Destination::FontTable,
            b"stylesheet" => self.state.destination = Destination::StyleSheet,
            b"footnote" => {
                self.footnote.clear();
                self.state.destination = Destination::Footnote;
            }
            // In a footnote or header the label simply stays in the text.
            b"listtext" | b"pntext" if self.state.destination == Destination::Body => {
                self.label.clear();
                self.state.destination = Destination::ListText;
            }
            b"header" | b"headerl" | b"headerr" | b"headerf" | b"footer" | b"footerl"
            | b"footerr" | b"footerf" => {
                self.header.clear();
                self.state.destination = Destination::Header;
            }
            // Shape properties; the result is the shape again for readers without \shpinst.
            b"sp" | b"shprslt" => self.state.destination = Destination::Skip,
            b"deleted" => self.state.deleted = parameter != Some(0),
            w if SKIPPED_DESTINATIONS.contains(&w) => self.state.destination = Destination::Skip,
            b"bin" => self.skip_binary(n),
            // Character sets.
            b"ansicpg" => {
                self.document_encoding = code_page(n);
                self.state.encoding = self.document_encoding;
            }
            b"mac" => {
                self.document_encoding = encoding_rs::MACINTOSH;
                self.state.encoding = self.document_encoding;
            }
            b"f" => match self.state.destination {
                Destination::FontTable => self.font_in_table = n32,
                _ => {
                    self.state.encoding = self
                        .fonts
                        .get(&n32)
                        .copied()
                        .unwrap_or(self.document_encoding);
                }
            },
            b"fcharset" if self.state.destination == Destination::FontTable => {
                if let Some(encoding) = charset(n) {
                    self.fonts.insert(self.font_in_table, encoding);
                }
            }
            b"cpg" if self.state.destination == Destination::FontTable => {
                self.fonts.insert(self.font_in_table, code_page(n));
            }
            b"uc" => self.state.uc = usize::try_from(n).unwrap_or(1).min(10),
            b"u" => self.unicode(n),
            // Paragraph properties.
            b"pard" => {
                self.state.style = 0;
                self.state.outline = None;
                self.state.list = false;
                self.state.list_level = 0;
                self.state.in_table = false;
            }
            b"s" => {
                if self.state.destination == Destination::Style {
                    self.style_number = n32;
                } else {
                    self.state.style = n32;
                }
            }
            b"outlinelevel" => self.state.outline = u8::try_from(n).ok().filter(|l| *l < 9),
            b"ls" => self.state.list = true,
            b"ilvl" => self.state.list_level = u8::try_from(n).unwrap_or(0).min(9),
            b"intbl" => self.state.in_table = true,
            b"itap" => self.state.in_table = n > 0,
            // Breaks.
            b"par" | b"sect" | b"page" => self.par(),
            b"line" => self.char_text("\n"),
            b"tab" => self.char_text(" "),
            b"cell" | b"nestcell" => self.end_cell(),
            b"row" | b"nestrow" => self.end_row(),
            // Characters.
            b"emdash" => self.char_text("\u{2014}"),
            b"endash" => self.char_text("\u{2013}"),
            b"bullet" => self.char_text("\u{2022}"),
            b"lquote" => self.char_text("\u{2018}"),
            b"rquote" => self.char_text("\u{2019}"),
            b"ldblquote" => self.char_text("\u{201c}"),
            b"rdblquote" => self.char_text("\u{201d}"),
            b"emspace" | b"enspace" | b"qmspace" => self.char_text(" "),
            _ => {}
        }
    }

    fn skip_binary(&mut self, n: i64) {
        let n = usize::try_from(n).unwrap_or(0);
        self.pos = self.pos.saturating_add(n).min(self.bytes.len());
    }

    fn unicode(&mut self, n: i64) {
        // Written as a signed 16-bit number.
        let unit = u16::try_from(if n < 0 { n + 65536 } else { n }).unwrap_or(0xfffd);
        self.skip_fallback = self.state.uc;
        let c = match (self.high_surrogate.take(), unit) {
            (_, 0xd800..=0xdbff) => {
                self.high_surrogate = Some(unit);
                return;
            }
            (Some(high), 0xdc00..=0xdfff) => {
                char::decode_utf16([high, unit]).next().and_then(|r| r.ok())
            }
            (_, unit) => char::from_u32(u32::from(unit)),
        };
        if let Some(c) = c {
            self.text(&c.to_string());
        }
    }

    /// Decodes the bytes gathered so far in the group's code page.
    fn flush_raw(&mut self) {
        if self.raw.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut self.raw);
        let (text, _, _) = self.state.encoding.decode(&raw);
        let text = text.into_owned();
        self.text(&text);
    }

    /// Text from a control word: ends any pending bytes first and counts as one fallback
    /// character.
    fn char_text(&mut self, text: &str) {
        self.flush_raw();
        if self.skip_fallback > 0 {
            self.skip_fallback -= 1;
            return;
        }
        self.text(text);
    }

    fn text(&mut self, text: &str) {
        if self.state.deleted {
            return;
        }
        match self.state.destination {
            Destination::Body => self.paragraph.text.push_str(text),
            Destination::Footnote => self.footnote.push_str(text),
            Destination::ListText => self.label.push_str(text),
            Destination::Style => self.style_name.push_str(text),
            Destination::Header => self.header.push_str(text),
            Destination::FontTable | Destination::StyleSheet | Destination::Skip => {}
        }
    }

    fn par(&mut self) {
        match self.state.destination {
            Destination::Body => {
                if self.state.in_table {
                    self.paragraph_to_cell();
                } else {
                    self.end_paragraph();
                }
            }
            Destination::Footnote => self.footnote.push('\n'),
            Destination::Header => self.end_header_paragraph(),
            _ => {}
        }
    }

    /// Moves the paragraph's text, with its list label, into the table cell.
    fn paragraph_to_cell(&mut self) {
        let text = std::mem::take(&mut self.paragraph.text);
        match self.paragraph.label.take() {
            Some(label) => self.append_to_cell(&format!("{label} {text}")),
            None => self.append_to_cell(&text),
        }
    }

    fn append_to_cell(&mut self, text: &str) {
        let text = crate::text::clean(text);
        if !text.is_empty() {
            if !self.cell.is_empty() {
                self.cell.push(' ');
            }
            self.cell.push_str(&text);
        }
    }

    fn end_cell(&mut self) {
        if self.state.destination != Destination::Body {
            return;
        }
        self.paragraph_to_cell();
        self.cells.push(std::mem::take(&mut self.cell));
    }

    fn end_row(&mut self) {
        if self.state.destination != Destination::Body {
            return;
        }
        if !self.cell.is_empty() {
            self.cells.push(std::mem::take(&mut self.cell));
        }
        let mut cells = std::mem::take(&mut self.cells);
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if !cells.is_empty() {
            self.blocks
                .push(Block::new(BlockKind::TableRow, cells.join(" | ")));
        }
        let footnotes = std::mem::take(&mut self.paragraph.footnotes);
        self.blocks.extend(
            footnotes
                .into_iter()
                .map(|f| Block::new(BlockKind::Footnote, f)),
        );
    }

    fn end_paragraph(&mut self) {
        let paragraph = std::mem::take(&mut self.paragraph);
        if !paragraph.text.trim().is_empty() {
            let style = self.styles.get(&self.state.style);
            let heading = self
                .state
                .outline
                .or_else(|| style.and_then(|(_, outline)| *outline))
                .map(|l| l + 1)
                .or_else(|| style.and_then(|(name, _)| heading_level_from_name(name)));
            let label = paragraph
                .label
                .filter(|l| l.chars().any(char::is_alphanumeric));
            let text = match &label {
                Some(label) => format!("{label} {}", paragraph.text),
                None => paragraph.text,
            };
            let kind = match heading {
                Some(level) => BlockKind::Heading { level },
                None if self.state.list || label.is_some() => BlockKind::ListItem {
                    level: self.state.list_level,
                    label,
                },
                None => BlockKind::Paragraph,
            };
            self.blocks.push(Block::new(kind, text));
        }
        self.blocks.extend(
            paragraph
                .footnotes
                .into_iter()
                .map(|f| Block::new(BlockKind::Footnote, f)),
        );
    }
}

/// The encoding of a Windows code page number; Windows-1252 for those encoding_rs lacks.
fn code_page(n: i64) -> &'static Encoding {
    use encoding_rs::*;
    match n {
        874 => WINDOWS_874,
        932 => SHIFT_JIS,
        936 => GBK,
        949 => EUC_KR,
        950 => BIG5,
        866 => IBM866,
        1250 => WINDOWS_1250,
        1251 => WINDOWS_1251,
        1253 => WINDOWS_1253,
        1254 => WINDOWS_1254,
        1255 => WINDOWS_1255,
        1256 => WINDOWS_1256,
        1257 => WINDOWS_1257,
        1258 => WINDOWS_1258,
        10000 => MACINTOSH,
        10007 => X_MAC_CYRILLIC,
        20866 => KOI8_R,
        21866 => KOI8_U,
        28592 => ISO_8859_2,
        28595 => ISO_8859_5,
        28597 => ISO_8859_7,
        65001 => UTF_8,
        _ => WINDOWS_1252,
    }
}

/// The code page of a font's `\fcharset`; `None` for the symbol set and unknown ones.
fn charset(n: i64) -> Option<&'static Encoding> {
    Some(code_page(match n {
        0 | 1 => 1252,
        77 => 10000,
        128 => 932,
        129 => 949,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        _ => return None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn blocks(rtf: &str) -> Vec<(BlockKind, String)> {
        let budget = Budget::new(Duration::from_secs(10));
        read(Path::new("t.rtf"), rtf.as_bytes(), &budget)
            .map(|d| {
                d.blocks
                    .into_iter()
                    .map(|b| (b.kind, crate::text::clean(&b.text)))
                    .collect()
            })
            .unwrap_or_default()
    }

    proptest::proptest! {
        /// Any mix of RTF syntax reads without a panic, and text outside control words survives.
        #[test]
        fn any_rtf_reads_without_panic(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("{".to_string()),
                    proptest::strategy::Just("}".to_string()),
                    proptest::strategy::Just("\\*".to_string()),
                    proptest::strategy::Just("\\par ".to_string()),
                    proptest::strategy::Just("\\footnote ".to_string()),
                    proptest::strategy::Just("\\listtext ".to_string()),
                    proptest::strategy::Just("\\cell ".to_string()),
                    proptest::strategy::Just("\\row ".to_string()),
                    proptest::strategy::Just("\\intbl ".to_string()),
                    proptest::strategy::Just("\\bin5 ".to_string()),
                    proptest::strategy::Just("\\u-3 ".to_string()),
                    proptest::strategy::Just("\\'e9".to_string()),
                    proptest::strategy::Just("\\'".to_string()),
                    proptest::strategy::Just("\\".to_string()),
                    "[a-z ]{0,8}",
                ],
                0..60,
            )
        ) {
            let rtf = format!("{{\\rtf1 {}", parts.concat());
            let budget = Budget::new(Duration::from_secs(10));
            let _ = read(Path::new("fuzz.rtf"), rtf.as_bytes(), &budget);
        }
    }

    #[test]
    fn plain_words_come_through_in_order() {
        let got = blocks(r"{\rtf1\ansi {\b bold} and {\i italic\i0} words\line next}");
        assert_eq!(
            got,
            [(
                BlockKind::Paragraph,
                "bold and italic words next".to_string()
            )]
        );
    }

    #[test]
    fn unicode_escapes_skip_their_fallback() {
        let got =
            blocks(r"{\rtf1\ansi\uc1 Ni\u241?o \u-10179?\u-8704? \uc2 x\u8364\'80\'80 y\par}");
        assert_eq!(got, [(BlockKind::Paragraph, "Niño 😀 x€ y".to_string())]);
    }

    #[test]
    fn code_page_of_the_document_and_of_the_font() {
        let got = blocks(
            r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}{\f1\fcharset204 Arial Cyr;}}\f0 caf\'e9\par\f1 \'cf\'f0\'e8\'e2\'e5\'f2\par}",
        );
        let texts: Vec<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["café", "Привет"]);
    }

    #[test]
    fn skipped_destinations_leave_no_text() {
        let got = blocks(
            r"{\rtf1{\info{\title Secret}}{\colortbl;\red0;}{\*\generator Writer;}{\pict\pngblip 89504e47}Body{\field{\*\fldinst HYPERLINK x}{\fldrslt link}}\par}",
        );
        assert_eq!(got, [(BlockKind::Paragraph, "Bodylink".to_string())]);
    }
}
