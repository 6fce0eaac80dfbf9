//! Right-to-left lines: PDFs draw Arabic and Hebrew glyphs left to right in the order they
//! appear on the page; a line's text is put back in the order it is read.

/// Whether a character belongs to a right-to-left script: Hebrew to Arabic Extended
/// (U+0590 to U+08FF: Arabic, Syriac, Thaana, N'Ko among them) and the Hebrew and Arabic
/// presentation forms.
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08ff | 0xfb1d..=0xfdff | 0xfe70..=0xfeff)
}

/// Whether a character is a letter or digit read left to right, fixing the direction of
/// the run it stands in.
fn is_ltr_strong(c: char) -> bool {
    c.is_alphanumeric() && !is_rtl(c)
}

/// Whether a glyph's text reads left to right: a letter or digit of a left-to-right script
/// and nothing right-to-left.
fn token_is_ltr(token: &str) -> bool {
    token.chars().any(is_ltr_strong) && !token.chars().any(is_rtl)
}

/// Arabic and Hebrew lines are drawn left to right in visual order: read their glyphs right to
/// left, keeping runs of Latin letters and digits in their own order. A glyph whose text has
/// several characters (a ligature, a cluster) already holds them in logical order.
pub(super) fn bidi_visual_to_logical(glyphs: Vec<String>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
