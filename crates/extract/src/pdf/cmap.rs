//! CMaps: ToUnicode maps (code -> text) and embedded encoding CMaps (code -> CID), with the
//! codespace ranges that say how many bytes each code takes.

use std::collections::HashMap;

use super::lexer::{Lexer, Token};

/// Entries kept from one CMap; a bigger one is cut (the first entries still map).
const MAX_ENTRIES: usize = 1 << 20;

#[derive(Debug, Default, Clone)]
pub(crate) struct CMap {
    /// (code length in bytes, first code, last code)
    codespace: Vec<(usize, u32, u32)>,
    /// (length, code) -> text
    chars: HashMap<(usize, u32), String>,
    /// (length, first, last, text of first code; later codes increment its last character)
    ranges: Vec<(usize, u32, u32, Vec<u16>)>,
    /// (length, code) -> CID
    cid_chars: HashMap<(usize, u32), u32>,
    /// (length, first, last, CID of first)
    cid_ranges: Vec<(usize, u32, u32, u32)>,
    /// `usecmap` parent name, resolved by the caller for predefined CMaps.
    pub(crate) parent: Option<Vec<u8>>,
    pub(crate) vertical: bool,
}

fn code_of(bytes: &[u8]) -> (usize, u32) {
    let value = bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    (bytes.len().min(4), value)
}

fn utf16(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| match c {
            [h, l] => u16::from_be_bytes([*h, *l]),
            [l] => u16::from(*l),
            _ => 0,
        })
        .collect()
}

fn text_of(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|c| c.unwrap_or('\u{fffd}'))
        .filter(|c| *c != '\0')
        .collect()
}

impl CMap {
    pub(crate) fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lexer = Lexer::new(data);
        let mut previous: Vec<Token> = Vec::new();
        let mut entries = 0usize;
        while let Some(token) = lexer.next_token() {
            let Token::Keyword(word) = &token else {
                previous.push(token);
                if previous.len() > 4 {
                    previous.remove(0);
                }
                continue;
            };
            match word.as_slice() {
                b"begincodespacerange" => {
                    for pair in section(&mut lexer, b"endcodespacerange").chunks(2) {
                        if let [Token::String(lo), Token::String(hi)] = pair {
                            let (len, lo) = code_of(lo);
                            let (_, hi) = code_of(hi);
                            cmap.codespace.push((len, lo, hi));
                        }
                    }
                }
                b"beginbfchar" => {
                    for pair in section(&mut lexer, b"endbfchar").chunks(2) {
                        if entries >= MAX_ENTRIES {
                            break;
                        }
                        match pair {
                            [Token::String(code), Token::String(dst)] => {
                                cmap.chars.insert(code_of(code), text_of(&utf16(dst)));
                                entries += 1;
                            }
                            [Token::String(code), Token::Name(name)] => {
                                if let Some(text) = super::font::glyph_to_unicode(name) {
                                    cmap.chars.insert(code_of(code), text);
                                    entries += 1;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                b"beginbfrange" => {
                    let tokens = section(&mut lexer, b"endbfrange");
                    let mut i = 0;
                    while let (Some(Token::String(lo)), Some(Token::String(hi)), Some(dst)) =
                        (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
                    {
                        i += 3;
                        if entries >= MAX_ENTRIES {
                            break;
                        }
                        let (len, lo) = code_of(lo);
                        let (_, hi) = code_of(hi);
                        if hi < lo {
                            continue;
                        }
                        match dst {
                            Token::String(dst) => {
                                cmap.ranges.push((len, lo, hi, utf16(dst)));
                                entries += 1;
                            }
                            Token::ArrayStart => {
                                let mut code = lo;
                                while let Some(Token::String(dst)) = tokens.get(i) {
                                    if code <= hi {
                                        cmap.chars.insert((len, code), text_of(&utf16(dst)));
                                        entries += 1;
                                    }
                                    code = code.saturating_add(1);
                                    i += 1;
                                }
                                if let Some(Token::ArrayEnd) = tokens.get(i) {
                                    i += 1;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                b"begincidchar" => {
                    for pair in section(&mut lexer, b"endcidchar").chunks(2) {
                        if let [Token::String(code), Token::Number(cid)] = pair
                            && entries < MAX_ENTRIES
                        {
                            cmap.cid_chars.insert(code_of(code), *cid as u32);
                            entries += 1;
                        }
                    }
                }
                b"begincidrange" => {
                    for triple in section(&mut lexer, b"endcidrange").chunks(3) {
                        if let [Token::String(lo), Token::String(hi), Token::Number(cid)] = triple
                            && entries < MAX_ENTRIES
                        {
                            let (len, lo) = code_of(lo);
                            let (_, hi) = code_of(hi);
                            cmap.cid_ranges.push((len, lo, hi, *cid as u32));
                            entries += 1;
                        }
                    }
                }
                b"usecmap" => {
                    if let Some(Token::Name(name)) = previous.last() {
                        cmap.parent = Some(name.clone());
                    }
                }
                b"def" => {
                    // /WMode 1 def
                    if let [.., Token::Name(key), Token::Number(value)] = previous.as_slice()
                        && key.as_slice() == b"WMode"
                    {
                        cmap.vertical = *value == 1.0;
                    }
                }
                _ => {}
            }
            previous.clear();
        }
        cmap
    }

    pub(crate) fn has_codespace(&self) -> bool {
        !self.codespace.is_empty()
    }

    /// Splits the next code off `bytes`: its length in bytes.
    pub(crate) fn code_length(&self, bytes: &[u8]) -> usize {
        for len in 1..=4usize {
            let Some(prefix) = bytes.get(..len) else {
                break;
            };
            let (_, value) = code_of(prefix);
            if self
                .codespace
                .iter()
                .any(|(l, lo, hi)| *l == len && (*lo..=*hi).contains(&value))
            {
                return len;
            }
        }
        // No range matches: take the shortest length the map uses (PDF 32000 9.7.6.3).
        self.codespace
            .iter()
            .map(|(l, _, _)| *l)
            .min()
            .unwrap_or(1)
            .min(bytes.len())
            .max(1)
    }

    /// The text for a code, if the map has one.
    pub(crate) fn lookup(&self, code: &[u8]) -> Option<String> {
        let key = code_of(code);
        if let Some(text) = self.chars.get(&key) {
            return Some(text.clone());
        }
        for (len, lo, hi, dst) in &self.ranges {
            if *len == key.0 && (*lo..=*hi).contains(&key.1) {
                let mut units = dst.clone();
                let offset = key.1 - lo;
                if let Some(last) = units.last_mut() {
                    *last = last.wrapping_add(u16::try_from(offset).unwrap_or(0));
                }
                return Some(text_of(&units));
            }
        }
        // Some producers write one-byte codes in a two-byte map or the reverse.
        self.chars
            .iter()
            .find(|((_, value), _)| *value == key.1)
            .map(|(_, text)| text.clone())
    }

    /// The CID for a code in an encoding CMap.
    pub(crate) fn cid(&self, code: &[u8]) -> Option<u32> {
        let key = code_of(code);
        if let Some(cid) = self.cid_chars.get(&key) {
            return Some(*cid);
        }
        self.cid_ranges
            .iter()
            .find(|(len, lo, hi, _)| *len == key.0 && (*lo..=*hi).contains(&key.1))
            .map(|(_, lo, _, cid)| cid + (key.1 - lo))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }
}

/// The tokens up to `end`.
fn section(lexer: &mut Lexer<'_>, end: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token() {
        if let Token::Keyword(word) = &token
            && word.as_slice() == end
        {
            break;
        }
        if tokens.len() < 3 * MAX_ENTRIES {
            tokens.push(token);
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMAP: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
        1 begincodespacerange <0000> <FFFF> endcodespacerange
        2 beginbfchar <0003> <0020> <0011> <00660069> endbfchar
        2 beginbfrange <0024> <0026> <0041> <0030> <0031> [<00E9> <D83DDE00>] endbfrange
        endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn maps_chars_ranges_and_arrays() {
        let cmap = CMap::parse(CMAP);
        assert_eq!(cmap.lookup(&[0, 3]).as_deref(), Some(" "));
        assert_eq!(cmap.lookup(&[0, 0x11]).as_deref(), Some("fi"));
        assert_eq!(cmap.lookup(&[0, 0x26]).as_deref(), Some("C"));
        assert_eq!(cmap.lookup(&[0, 0x30]).as_deref(), Some("é"));
        assert_eq!(cmap.lookup(&[0, 0x31]).as_deref(), Some("😀"));
        assert_eq!(cmap.lookup(&[0, 0x99]), None);
        assert_eq!(cmap.code_length(&[0, 3, 0, 4]), 2);
    }

    #[test]
    fn reads_cid_ranges_and_mixed_code_lengths() {
        let cmap = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange
              1 begincidrange <20> <7e> 231 endcidrange
              1 begincidchar <8140> 633 endcidchar",
        );
        assert_eq!(cmap.code_length(b"A\x81\x40"), 1);
        assert_eq!(cmap.code_length(b"\x81\x40"), 2);
        assert_eq!(cmap.cid(b"A"), Some(231 + 0x21));
        assert_eq!(cmap.cid(b"\x81\x40"), Some(633));
    }
}
