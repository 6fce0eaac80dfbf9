//! Text clean-up shared by all readers, and the plain-text reader.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_compatible;

use crate::{Block, BlockKind, Document, Format};

/// Normalises extracted text: ligatures spelled out, soft hyphens and zero-width marks dropped,
/// Arabic presentation forms mapped to their letters, whitespace collapsed, NFC.
pub(crate) fn clean(raw: &str) -> String {
    let mut spelled = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\u{ad}' | '\u{200b}' | '\u{2060}' | '\u{feff}' => {}
            '\u{fb00}' => spelled.push_str("ff"),
            '\u{fb01}' => spelled.push_str("fi"),
            '\u{fb02}' => spelled.push_str("fl"),
            '\u{fb03}' => spelled.push_str("ffi"),
            '\u{fb04}' => spelled.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => spelled.push_str("st"),
            // Presentation forms are glyph shapes, not letters: search needs the letters.
            '\u{fb50}'..='\u{fdff}' | '\u{fe70}'..='\u{feff}' => {
                decompose_compatible(c, |d| spelled.push(d));
            }
            // Private-use code points are unmapped glyphs (symbol-font bullets and the like).
            '\u{e000}'..='\u{f8ff}' => {}
            c if c.is_control() => spelled.push(' '),
            c => spelled.push(c),
        }
    }
    let mut collapsed = String::with_capacity(spelled.len());
    for word in spelled.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed.nfc().collect()
}

/// Decodes text of unknown encoding: UTF-8 or UTF-16 by BOM, UTF-8 when valid, else Windows-1252.
pub(crate) fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// Reads plain text: one paragraph per run of lines between blank lines.
pub(crate) fn read(bytes: &[u8]) -> Document {
    let text = decode(bytes);
    let mut blocks = Vec::new();
    let mut paragraph = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !paragraph.is_empty() {
                blocks.push(Block::new(
                    BlockKind::Paragraph,
                    std::mem::take(&mut paragraph),
                ));
            }
        } else {
            paragraph.push_str(line);
            paragraph.push('\n');
        }
    }
    if !paragraph.is_empty() {
        blocks.push(Block::new(BlockKind::Paragraph, paragraph));
    }
    Document {
        format: Format::Text,
        pages: None,
        blocks,
        needs_ocr: Vec::new(),
        warnings: Vec::new(),
    }
}

/// True for scripts written without spaces between words, where joining lines adds no space.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0xff00..=0xffef
        | 0x20000..=0x2fa1f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_spells_ligatures_and_drops_soft_hyphens() {
        assert_eq!(
            clean("  e\u{fb03}cient  op\u{ad}tional\n\ttext "),
            "efficient optional text"
        );
    }

    #[test]
    fn clean_composes_to_nfc() {
        assert_eq!(clean("Moli\u{65}\u{300}re"), "Molière");
    }

    #[test]
    fn clean_maps_arabic_presentation_forms() {
        assert_eq!(clean("\u{fe8d}\u{fee7}"), "\u{627}\u{646}");
    }

    #[test]
    fn decode_handles_boms_and_legacy_bytes() {
        assert_eq!(decode(b"\xef\xbb\xbfabc"), "abc");
        assert_eq!(decode(b"\xff\xfea\x00b\x00"), "ab");
        assert_eq!(decode(b"caf\xe9"), "café");
    }

    #[test]
    fn plain_text_splits_paragraphs_on_blank_lines() {
        let doc = read(b"first line\nsame paragraph\n\n  \nsecond\n");
        let texts: Vec<String> = doc.blocks.iter().map(|b| clean(&b.text)).collect();
        assert_eq!(texts, ["first line same paragraph", "second"]);
    }
}
