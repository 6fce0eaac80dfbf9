//! PDF fonts: from the codes in a shown string to text and glyph advances.
//!
//! Text comes from, in order: the ToUnicode CMap; for simple fonts the /Encoding (base encoding
//! plus /Differences glyph names, or the font program's built-in encoding); for CID fonts the
//! character set of a predefined CMap, the embedded TrueType font's cmap, or the Adobe
//! character collection.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::CMap;
use super::glyphs::{
    GLYPH_LIST, MAC_EXPERT_ENCODING, MAC_ROMAN_ENCODING, PDF_DOC_ENCODING, STANDARD_ENCODING,
    SYMBOL_ENCODING, WIN_ANSI_ENCODING,
};
use super::{get, get_array, get_dict, get_name, get_number, stream_bytes};

/// One shown code: its text and its advance in text space (1/1000 of the font size units
/// already applied: a 500-unit glyph advances 0.5).
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub(crate) text: String,
    pub(crate) advance: f64,
    /// Single-byte code 32, which takes word spacing (Tw).
    pub(crate) word_space: bool,
}

#[derive(Debug)]
enum Codes {
    /// One byte per code.
    Simple,
    /// Identity-H/V: two bytes per code, CID = code.
    Identity,
    /// An embedded or predefined encoding CMap.
    Map(CMap),
    /// A predefined CMap known by its character set only.
    Charset(Charset),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    ShiftJis,
    EucJp,
    /// JIS X 0208 row-cell codes (the "H" and "V" CMaps).
    Jis,
    Gbk,
    Big5,
    EucKr,
    Utf16,
}

impl Charset {
    fn for_cmap(name: &str) -> Option<Charset> {
        let n = name;
        Some(if n.contains("RKSJ") {
            Charset::ShiftJis
        } else if n == "H" || n == "V" {
            Charset::Jis
        } else if n.starts_with("EUC-") {
            Charset::EucJp
        } else if n.starts_with("GB") {
            Charset::Gbk
        } else if n.starts_with("B5") || n.starts_with("ETen") || n.starts_with("HKscs") {
            Charset::Big5
        } else if n.starts_with("KSC") {
            Charset::EucKr
        } else if n.contains("UCS2") || n.contains("UTF16") {
            Charset::Utf16
        } else {
            return None;
        })
    }

    fn code_length(self, bytes: &[u8]) -> usize {
        let first = bytes.first().copied().unwrap_or(0);
        let two = match self {
            Charset::ShiftJis => matches!(first, 0x81..=0x9f | 0xe0..=0xfc),
            Charset::EucJp | Charset::Gbk | Charset::Big5 | Charset::EucKr => first >= 0x81,
            Charset::Utf16 | Charset::Jis => true,
        };
        if self == Charset::Utf16 && (0xd8..=0xdb).contains(&first) && bytes.len() >= 4 {
            return 4;
        }
        if two { 2.min(bytes.len()).max(1) } else { 1 }
    }

    fn decode(self, code: &[u8]) -> Option<String> {
        if self == Charset::Jis {
            // EUC-JP bytes with the high bits cleared.
            let euc: Vec<u8> = code.iter().map(|b| b | 0x80).collect();
            return Charset::EucJp.decode(&euc);
        }
        let encoding = match self {
            Charset::Jis => return None,
            Charset::ShiftJis => encoding_rs::SHIFT_JIS,
            Charset::EucJp => encoding_rs::EUC_JP,
            Charset::Gbk => encoding_rs::GBK,
            Charset::Big5 => encoding_rs::BIG5,
            Charset::EucKr => encoding_rs::EUC_KR,
            Charset::Utf16 => encoding_rs::UTF_16BE,
        };
        let (text, had_errors) = encoding.decode_without_bom_handling(code);
        (!had_errors).then(|| text.into_owned())
    }
}

#[derive(Debug)]
pub(crate) struct Font {
    pub(crate) bold: bool,
    pub(crate) vertical: bool,
    /// Type 3 fonts scale glyph space by their FontMatrix instead of 1/1000.
    pub(crate) size_scale: f64,
    codes: Codes,
    to_unicode: Option<CMap>,
    /// Simple fonts: text per code from the encoding.
    simple: Vec<Option<String>>,
    /// Simple fonts: advance per code.
    widths: Vec<Option<f64>>,
    default_width: f64,
    /// CID fonts: advance per CID.
    cid_widths: HashMap<u32, f64>,
    /// CID fonts: text per CID, from the embedded TrueType cmap.
    cid_text: Option<HashMap<u32, char>>,
    /// CID fonts: the Adobe character collection their CIDs belong to.
    collection: Option<super::truetype::Collection>,
    /// Vertical advance (negative is down), in 1/1000.
    vertical_advance: f64,
}

impl Font {
    /// A font that decodes bytes as Latin-1 with a fixed width, for a missing /Font entry.
    pub(crate) fn fallback() -> Font {
        Font {
            bold: false,
            vertical: false,
            size_scale: 1.0,
            codes: Codes::Simple,
            to_unicode: None,
            simple: (0..256u32)
                .map(|c| char::from_u32(c).map(String::from))
                .collect(),
            widths: vec![None; 256],
            default_width: 0.5,
            cid_widths: HashMap::new(),
            cid_text: None,
            collection: None,
            vertical_advance: -1.0,
        }
    }

    pub(crate) fn load(doc: &Document, dict: &Dictionary) -> Font {
        let subtype = get_name(doc, dict, b"Subtype").unwrap_or_default();
        let base_font =
            get_name(doc, dict, b"BaseFont").map(|n| String::from_utf8_lossy(&n).into_owned());
        let base_font = base_font.unwrap_or_default();
        let to_unicode = get(doc, dict, b"ToUnicode")
            .and_then(|o| o.as_stream().ok())
            .and_then(stream_bytes)
            .map(|bytes| CMap::parse(&bytes))
            .filter(|cmap| !cmap.is_empty());
        if subtype == b"Type0" {
            return Font::load_type0(doc, dict, &base_font, to_unicode);
        }
        let descriptor = get_dict(doc, dict, b"FontDescriptor");
        let bold = is_bold(&base_font, descriptor.map(|d| (doc, d)));
        let is_type3 = subtype == b"Type3";
        let font_matrix: Vec<f64> = get_array(doc, dict, b"FontMatrix")
            .map(|a| {
                a.iter()
                    .filter_map(|o| o.as_float().ok().map(f64::from))
                    .collect()
            })
            .unwrap_or_default();
        let (width_scale, size_scale) = match (is_type3, font_matrix.as_slice()) {
            (true, [a, _, _, d, ..]) if *a != 0.0 => {
                (a.abs(), (d.abs() * 1000.0).clamp(0.01, 100.0))
            }
            _ => (0.001, 1.0),
        };

        // Encoding: base table, then /Differences.
        let standard = standard_font(&base_font);
        let symbolic = descriptor
            .and_then(|d| get_number(doc, d, b"Flags"))
            .is_some_and(|f| (f as i64) & 4 != 0);
        let mut names: Vec<Option<String>> = vec![None; 256];
        let base_table: Option<&[&str; 256]> = match get(doc, dict, b"Encoding") {
            Some(Object::Name(name)) => encoding_table(name),
            Some(Object::Dictionary(enc)) => {
                get_name(doc, enc, b"BaseEncoding").and_then(|n| encoding_table(&n))
            }
            _ => None,
        };
        let builtin = if base_table.is_none() {
            builtin_encoding(doc, descriptor)
        } else {
            None
        };
        let table: &[&str; 256] = match (base_table, &builtin) {
            (Some(table), _) => table,
            (None, Some(_)) => &STANDARD_ENCODING,
            (None, None) if standard.as_deref() == Some("Symbol") => &SYMBOL_ENCODING,
            (None, None) if subtype == b"TrueType" && !symbolic => &WIN_ANSI_ENCODING,
            _ => &STANDARD_ENCODING,
        };
        for (code, name) in table.iter().enumerate() {
            if let Some(slot) = names.get_mut(code)
                && !name.is_empty()
            {
                *slot = Some((*name).to_string());
            }
        }
        if let Some(builtin) = builtin {
            for (code, name) in builtin {
                if let Some(slot) = names.get_mut(code) {
                    *slot = Some(name);
                }
            }
        }
        if let Some(Object::Dictionary(enc)) = get(doc, dict, b"Encoding")
            && let Some(differences) = get_array(doc, enc, b"Differences")
        {
            let mut code = 0usize;
            for item in differences {
                match item {
                    Object::Integer(n) => code = usize::try_from(*n).unwrap_or(usize::MAX),
                    Object::Real(n) => code = *n as usize,
                    Object::Name(name) => {
                        if let Some(slot) = names.get_mut(code) {
                            *slot = Some(String::from_utf8_lossy(name).into_owned());
                        }
                        code = code.saturating_add(1);
                    }
                    _ => {}
                }
            }
        }
        let simple: Vec<Option<String>> = names
            .iter()
            .enumerate()
            .map(|(code, name)| {
                let from_name = name.as_deref().and_then(|n| glyph_to_unicode(n.as_bytes()));
                from_name.or_else(|| {
                    // Unknown glyph names in fonts with no usable encoding: printable ASCII is
                    // right far more often than not.
                    let c = u8::try_from(code).ok()?;
                    (name.is_none() || is_opaque_name(name.as_deref().unwrap_or("")))
                        .then_some(c)
                        .filter(|c| (0x21..0x7f).contains(c) && !is_type3)
                        .map(|c| char::from(c).to_string())
                })
            })
            .collect();

        // Widths.
        let mut widths: Vec<Option<f64>> = vec![None; 256];
        let first_char = get_number(doc, dict, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
        if let Some(array) = get_array(doc, dict, b"Widths") {
            for (i, w) in array.iter().enumerate() {
                let w = doc.dereference(w).ok().and_then(|(_, o)| o.as_float().ok());
                if let (Some(slot), Some(w)) = (widths.get_mut(first_char + i), w) {
                    *slot = Some(f64::from(w) * width_scale);
                }
            }
        } else if let Some(standard) = &standard {
            for (code, name) in names.iter().enumerate() {
                if let (Some(slot), Some(name)) = (widths.get_mut(code), name) {
                    *slot = super::metrics_width(standard, name).map(|w| w * 0.001);
                }
            }
        }
        let missing = descriptor
            .and_then(|d| get_number(doc, d, b"MissingWidth"))
            .filter(|w| *w > 0.0);
        let average = descriptor
            .and_then(|d| get_number(doc, d, b"AvgWidth"))
            .filter(|w| *w > 0.0);
        let default_width = match (&standard, missing.or(average)) {
            (Some(s), _) if s.starts_with("Courier") => 0.6,
            (_, Some(w)) => w * width_scale,
            _ => 0.5,
        };
        Font {
            bold,
            vertical: false,
            size_scale,
            codes: Codes::Simple,
            to_unicode,
            simple,
            widths,
            default_width,
            cid_widths: HashMap::new(),
            cid_text: None,
            collection: None,
            vertical_advance: -1.0,
        }
    }

    fn load_type0(
        doc: &Document,
        dict: &Dictionary,
        base_font: &str,
        to_unicode: Option<CMap>,
    ) -> Font {
        let descendant = get_array(doc, dict, b"DescendantFonts")
            .and_then(|a| a.first())
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        let descriptor = descendant.and_then(|d| get_dict(doc, d, b"FontDescriptor"));
        let mut vertical = false;
        let codes = match get(doc, dict, b"Encoding") {
            Some(Object::Name(name)) => {
                let name = String::from_utf8_lossy(name).into_owned();
                vertical = name.ends_with("-V") || name == "V";
                if name.starts_with("Identity") {
                    Codes::Identity
                } else {
                    Charset::for_cmap(&name).map_or(Codes::Identity, Codes::Charset)
                }
            }
            Some(Object::Stream(stream)) => {
                let cmap = stream_bytes(stream)
                    .map(|b| CMap::parse(&b))
                    .unwrap_or_default();
                vertical = cmap.vertical
                    || get_number(doc, &stream.dict, b"WMode").is_some_and(|w| w == 1.0);
                let parent = cmap
                    .parent
                    .clone()
                    .map(|p| String::from_utf8_lossy(&p).into_owned());
                match parent.as_deref().and_then(Charset::for_cmap) {
                    Some(charset) if !cmap.has_codespace() => Codes::Charset(charset),
                    _ if cmap.has_codespace() => Codes::Map(cmap),
                    _ => Codes::Identity,
                }
            }
            _ => Codes::Identity,
        };
        let mut cid_widths = HashMap::new();
        let mut default_width = 1.0;
        let mut vertical_advance = -1.0;
        if let Some(descendant) = descendant {
            if let Some(dw) = get_number(doc, descendant, b"DW") {
                default_width = dw * 0.001;
            }
            if let Some(dw2) = get_array(doc, descendant, b"DW2")
                && let Some(v) = dw2.get(1).and_then(|o| o.as_float().ok())
                && v != 0.0
            {
                vertical_advance = f64::from(v) * 0.001;
            }
            if let Some(w) = get_array(doc, descendant, b"W") {
                parse_cid_widths(doc, w, &mut cid_widths);
            }
        }
        // Without ToUnicode, CIDs map to text through the embedded TrueType font or the
        // character collection.
        let cid_text = if to_unicode.is_none() || matches!(codes, Codes::Identity) {
            descendant.and_then(|d| super::truetype::cid_to_unicode(doc, d))
        } else {
            None
        };
        let collection = descendant
            .and_then(|d| get_dict(doc, d, b"CIDSystemInfo"))
            .and_then(|info| get(doc, info, b"Ordering"))
            .and_then(|o| o.as_str().ok())
            .and_then(super::truetype::Collection::from_ordering);
        Font {
            collection,
            bold: is_bold(base_font, descriptor.map(|d| (doc, d))),
            vertical,
            size_scale: 1.0,
            codes,
            to_unicode,
            simple: Vec::new(),
            widths: Vec::new(),
            default_width,
            cid_widths,
            cid_text,
            vertical_advance,
        }
    }

    /// Vertical advance per glyph in vertical writing, in text space (negative is down).
    pub(crate) fn vertical_advance(&self) -> f64 {
        self.vertical_advance
    }

    /// Splits a shown string into codes and decodes each.
    pub(crate) fn decode(&self, bytes: &[u8]) -> Vec<Shown> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while !rest.is_empty() {
            let len = match &self.codes {
                Codes::Simple => 1,
                Codes::Identity => 2.min(rest.len()),
                Codes::Map(cmap) => cmap.code_length(rest),
                Codes::Charset(charset) => charset.code_length(rest),
            }
            .clamp(1, rest.len());
            let (code, tail) = rest.split_at(len);
            rest = tail;
            out.push(self.decode_code(code));
        }
        out
    }

    fn decode_code(&self, code: &[u8]) -> Shown {
        let value = code
            .iter()
            .take(4)
            .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        let mapped = self
            .to_unicode
            .as_ref()
            .and_then(|m| m.lookup(code))
            .filter(|t| usable(t));
        match &self.codes {
            Codes::Simple => {
                let index = usize::try_from(value).unwrap_or(0);
                let text = mapped
                    .or_else(|| self.simple.get(index).cloned().flatten())
                    .unwrap_or_default();
                let advance = self
                    .widths
                    .get(index)
                    .copied()
                    .flatten()
                    .unwrap_or(self.default_width);
                Shown {
                    text,
                    advance,
                    word_space: code == [32],
                }
            }
            codes => {
                let cid = match codes {
                    Codes::Map(cmap) => cmap.cid(code),
                    Codes::Identity => Some(value),
                    _ => None,
                };
                let text = mapped
                    .or_else(|| match codes {
                        Codes::Charset(charset) => charset.decode(code),
                        _ => None,
                    })
                    .or_else(|| {
                        self.collection
                            .and_then(|c| c.lookup(cid?))
                            .map(String::from)
                    })
                    .or_else(|| {
                        let cid = cid?;
                        self.cid_text.as_ref()?.get(&cid).map(|c| c.to_string())
                    })
                    .unwrap_or_default();
                let advance = cid
                    .and_then(|cid| self.cid_widths.get(&cid).copied())
                    .unwrap_or(self.default_width);
                Shown {
                    text,
                    advance,
                    word_space: code == [32],
                }
            }
        }
    }
}

/// Mapped text that is worth keeping (some producers map every glyph to U+0000 or U+FFFD).
fn usable(text: &str) -> bool {
    !text.is_empty() && !text.chars().all(|c| c == '\u{fffd}' || c == '\0')
}

fn parse_cid_widths(doc: &Document, w: &[Object], out: &mut HashMap<u32, f64>) {
    let number = |o: &Object| {
        doc.dereference(o)
            .ok()
            .and_then(|(_, o)| o.as_float().ok())
            .map(f64::from)
    };
    let mut i = 0;
    while let Some(first) = w.get(i).and_then(number) {
        let first = first.max(0.0) as u32;
        match w
            .get(i + 1)
            .and_then(|o| doc.dereference(o).ok())
            .map(|(_, o)| o)
        {
            Some(Object::Array(widths)) => {
                for (k, width) in widths.iter().enumerate() {
                    if let Some(width) = number(width)
                        && out.len() < 1 << 20
                    {
                        out.insert(first.saturating_add(k as u32), width * 0.001);
                    }
                }
                i += 2;
            }
            Some(_) => {
                let last = w.get(i + 1).and_then(number).unwrap_or(0.0).max(0.0) as u32;
                let width = w.get(i + 2).and_then(number).unwrap_or(1000.0);
                // Cap the expansion of one range.
                for cid in first..=last.min(first.saturating_add(0xffff)) {
                    out.insert(cid, width * 0.001);
                }
                i += 3;
            }
            None => break,
        }
    }
}

fn is_bold(base_font: &str, descriptor: Option<(&Document, &Dictionary)>) -> bool {
    let name = base_font.to_ascii_lowercase();
    let style = name.split_once('+').map_or(name.as_str(), |(_, n)| n);
    if [
        "bold", "black", "heavy", "semibold", "demi", "-bd", ",bd", "-medi", "cmbx",
    ]
    .iter()
    .any(|w| style.contains(w))
    {
        return true;
    }
    if let Some((doc, d)) = descriptor {
        if get_number(doc, d, b"FontWeight").is_some_and(|w| w >= 600.0) {
            return true;
        }
        if get_number(doc, d, b"Flags").is_some_and(|f| (f as i64) & (1 << 18) != 0) {
            return true;
        }
    }
    false
}

/// The standard 14 font a base font name stands for (with the usual aliases).
fn standard_font(base_font: &str) -> Option<String> {
    let name = base_font.split_once('+').map_or(base_font, |(_, n)| n);
    let lower = name.to_ascii_lowercase().replace([' ', '-', ','], "");
    let bold = lower.contains("bold");
    let italic = lower.contains("italic") || lower.contains("oblique");
    let family = if lower.starts_with("helvetica") || lower.starts_with("arial") {
        "Helvetica"
    } else if lower.starts_with("times") {
        "Times"
    } else if lower.starts_with("courier") {
        "Courier"
    } else if lower.starts_with("symbol") {
        return Some("Symbol".into());
    } else if lower.starts_with("zapfdingbats") {
        return Some("ZapfDingbats".into());
    } else {
        return None;
    };
    Some(match (family, bold, italic) {
        ("Times", false, false) => "Times-Roman".into(),
        ("Times", true, false) => "Times-Bold".into(),
        ("Times", false, true) => "Times-Italic".into(),
        ("Times", true, true) => "Times-BoldItalic".into(),
        (family, false, false) => family.into(),
        (family, true, false) => format!("{family}-Bold"),
        (family, false, true) => format!("{family}-Oblique"),
        (family, true, true) => format!("{family}-BoldOblique"),
    })
}

fn encoding_table(name: &[u8]) -> Option<&'static [&'static str; 256]> {
    Some(match name {
        b"WinAnsiEncoding" => &WIN_ANSI_ENCODING,
        b"MacRomanEncoding" => &MAC_ROMAN_ENCODING,
        b"StandardEncoding" => &STANDARD_ENCODING,
        b"MacExpertEncoding" => &MAC_EXPERT_ENCODING,
        b"PDFDocEncoding" => &PDF_DOC_ENCODING,
        b"SymbolEncoding" => &SYMBOL_ENCODING,
        _ => return None,
    })
}

/// The encoding written in an embedded Type 1 font program (`dup 65 /A put`).
fn builtin_encoding(
    doc: &Document,
    descriptor: Option<&Dictionary>,
) -> Option<Vec<(usize, String)>> {
    let stream = get(doc, descriptor?, b"FontFile")?.as_stream().ok()?;
    let bytes = stream_bytes(stream)?;
    let clear_len = get_number(doc, &stream.dict, b"Length1").map_or(bytes.len(), |l| l as usize);
    let clear = bytes.get(..clear_len.min(bytes.len()))?;
    let start = crate::detect::find(clear, b"/Encoding")?;
    let mut lexer = super::lexer::Lexer::new(clear.get(start..)?);
    use super::lexer::Token;
    let mut out = Vec::new();
    let mut window: Vec<Token> = Vec::new();
    let mut count = 0;
    while let Some(token) = lexer.next_token() {
        count += 1;
        if count > 2000 {
            break;
        }
        if let Token::Keyword(word) = &token {
            match word.as_slice() {
                b"put" => {
                    if let [
                        ..,
                        Token::Keyword(dup),
                        Token::Number(code),
                        Token::Name(name),
                    ] = window.as_slice()
                        && dup.as_slice() == b"dup"
                    {
                        out.push((*code as usize, String::from_utf8_lossy(name).into_owned()));
                    }
                }
                b"readonly" | b"def" if !out.is_empty() => break,
                b"StandardEncoding" if out.is_empty() => return None,
                _ => {}
            }
        }
        window.push(token);
        if window.len() > 3 {
            window.remove(0);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Names that say nothing about the glyph ("g23", "cid45", "glyph7", "index12").
fn is_opaque_name(name: &str) -> bool {
    let digits = name.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let prefix = &name[..name.len() - digits.len()];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_hexdigit())
        && matches!(prefix, "g" | "G" | "cid" | "glyph" | "index" | "c" | "C")
}

/// Unicode text for a glyph name: the Adobe Glyph List, `uniXXXX`, `uXXXX[XX]`, and names with
/// a suffix (`a.sc`) or ligature parts (`f_f_i`).
pub(crate) fn glyph_to_unicode(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let base = name.split('.').next().unwrap_or(name);
    if base.is_empty() {
        return None;
    }
    if base.contains('_') {
        let parts: Option<String> = base.split('_').map(single_glyph).collect();
        return parts;
    }
    single_glyph(base)
}

fn single_glyph(name: &str) -> Option<String> {
    if let Ok(index) = GLYPH_LIST.binary_search_by(|(n, _)| n.as_bytes().cmp(name.as_bytes()))
        && let Some((_, code)) = GLYPH_LIST.get(index)
    {
        return char::from_u32(u32::from(*code)).map(String::from);
    }
    if let Some(hex) = name.strip_prefix("uni")
        && hex.len() >= 4
        && hex.len() % 4 == 0
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        let units: Vec<u16> = (0..hex.len() / 4)
            .filter_map(|i| {
                hex.get(i * 4..i * 4 + 4)
                    .and_then(|h| u16::from_str_radix(h, 16).ok())
            })
            .collect();
        let text: String = char::decode_utf16(units).filter_map(|c| c.ok()).collect();
        return (!text.is_empty()).then_some(text);
    }
    if let Some(hex) = name.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names_to_text() {
        assert_eq!(glyph_to_unicode(b"A").as_deref(), Some("A"));
        assert_eq!(glyph_to_unicode(b"eacute").as_deref(), Some("é"));
        assert_eq!(glyph_to_unicode(b"fi").as_deref(), Some("\u{fb01}"));
        assert_eq!(glyph_to_unicode(b"uni0041").as_deref(), Some("A"));
        assert_eq!(glyph_to_unicode(b"uni00410042").as_deref(), Some("AB"));
        assert_eq!(glyph_to_unicode(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_to_unicode(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_to_unicode(b"f_f_i").as_deref(), Some("ffi"));
        assert_eq!(glyph_to_unicode(b"g123"), None);
        assert_eq!(
            glyph_to_unicode(b"quotedblleft").as_deref(),
            Some("\u{201c}")
        );
    }

    #[test]
    fn glyph_list_is_sorted_for_binary_search() {
        assert!(
            GLYPH_LIST
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.0.as_bytes() < b.0.as_bytes()))
        );
    }

    #[test]
    fn standard_font_aliases() {
        assert_eq!(
            standard_font("ABCDEF+Arial,Bold").as_deref(),
            Some("Helvetica-Bold")
        );
        assert_eq!(
            standard_font("TimesNewRomanPS-ItalicMT").as_deref(),
            Some("Times-Italic")
        );
        assert_eq!(standard_font("Calibri"), None);
    }

    #[test]
    fn shift_jis_codes_split_and_decode() {
        let charset = Charset::ShiftJis;
        assert_eq!(charset.code_length(b"\x93\xfa"), 2);
        assert_eq!(charset.code_length(b"A\x93"), 1);
        assert_eq!(charset.decode(b"\x93\xfa").as_deref(), Some("日"));
    }
}
