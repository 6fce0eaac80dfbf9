//! The first sentence of a passage: what a cell of the framework matrix shows of it, in any
//! of the languages calls are answered in.

/// Longest first sentence shown for a passage, in characters; a longer one is cut at a word
/// and ends with an ellipsis.
pub(super) const MAX_SENTENCE_CHARS: usize = 300;

/// Most words in a line read as a heading when it opens a passage.
const MAX_HEADING_WORDS: usize = 12;

/// The first sentence of a passage's answer, whitespace collapsed, at most
/// [`MAX_SENTENCE_CHARS`] characters (cut at a word, with an ellipsis).
///
/// The answer starts below the passage's own heading (`heading`, which the passage's text
/// repeats: the column already names the question) and below any short line without
/// closing punctuation before a line opening with a capital (a heading the reader did not
/// mark as one); a table's caption stands for the table. A sentence ends at `.`, `?` or `!` followed by a space and a capital
/// letter (after any closing quote or bracket, and before any opening one, `¿` or `¡`); `?`
/// and `!` also end one before a lowercase letter. A `.` after an initial (`J.`), dotted
/// initials (`U.N.`, `e.g.`), a common abbreviation (`Mr.`, `No.`, `Art.`) or a list
/// number (`2.`) ends nothing.
pub(super) fn first_sentence(text: &str, heading: Option<&str>) -> String {
    let text = answer(text, heading)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let end = sentence_end(&text).unwrap_or(text.len());
    let sentence = text.get(..end).unwrap_or(&text).trim();
    cap(sentence, MAX_SENTENCE_CHARS)
}

/// The text below the passage's heading and any unmarked heading lines, when some text
/// follows them; the last such heading when a table follows it (a table says nothing in
/// sentences: its caption says what it is about).
fn answer<'a>(text: &'a str, heading: Option<&str>) -> &'a str {
    let mut rest = text.trim_start();
    let mut caption = None;
    let heading = heading.map(str::trim).filter(|h| !h.is_empty());
    if let Some(h) = heading {
        let below = rest
            .strip_prefix(h)
            .filter(|after| after.starts_with(char::is_whitespace) && !after.trim().is_empty());
        if let Some(after) = below {
            caption = rest.get(..h.len());
            rest = after.trim_start();
        }
    }
    loop {
        if is_table_row(first_line(rest)) {
            return caption.unwrap_or(rest);
        }
        let Some((line, after)) = rest.split_once('\n') else {
            return rest;
        };
        let heads = opens_sentence(after) || is_table_row(first_line(after));
        if !looks_like_heading(line) || !heads {
            return rest;
        }
        caption = Some(line);
        rest = after.trim_start();
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// A row of a table as the reader writes it, cells apart by ` | `.
fn is_table_row(line: &str) -> bool {
    line.contains(" | ")
}

/// A short line without closing punctuation and no table row: `Pregunta 1`, `Findings`.
fn looks_like_heading(line: &str) -> bool {
    let line = line.trim();
    let words = line.split_whitespace().count();
    (1..=MAX_HEADING_WORDS).contains(&words)
        && !line.ends_with(['.', '?', '!', ':', ';', ',', '…'])
        && !is_table_row(line)
}

/// Whether text opens with a capital letter (after any opening quote or mark).
fn opens_sentence(text: &str) -> bool {
    text.trim_start()
        .trim_start_matches(OPENING)
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}

/// What may close a sentence after its stop.
const CLOSING: &[char] = &['"', '\'', '”', '’', '»', ')', ']'];
/// What may open a sentence before its first letter.
const OPENING: &[char] = &['"', '\'', '“', '‘', '«', '(', '[', '¿', '¡'];

/// Titles and abbreviations after which a full stop does not end a sentence, in the
/// languages calls are published in (lowercase, without the stop).
const ABBREVIATIONS: [&str; 24] = [
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "nr", "art", "arts", "para", "paras", "p",
    "pp", "vol", "fig", "cf", "vs", "sr", "sra", "núm", "mme", "ст",
];

/// The byte offset just past the first sentence's closing punctuation (and any closing
/// quote or bracket), if the text holds more than one sentence.
fn sentence_end(text: &str) -> Option<usize> {
    for (at, mark) in text.char_indices() {
        if !matches!(mark, '.' | '?' | '!') {
            continue;
        }
        let after = text.get(at + mark.len_utf8()..)?;
        let closed = after.trim_start_matches(CLOSING);
        let end = text.len() - closed.len();
        let Some(next) = closed.strip_prefix(' ') else {
            continue;
        };
        let Some(first) = next.trim_start_matches(OPENING).chars().next() else {
            continue;
        };
        let before = text.get(..at).unwrap_or_default();
        let words = before.chars().any(char::is_alphabetic);
        let ends = match mark {
            '.' => {
                let opens = first.is_uppercase() || opens_list_item(next);
                words && opens && !abbreviation(before) && !list_number(before)
            }
            _ => words && !first.is_ascii_digit(),
        };
        if ends {
            return Some(end);
        }
    }
    None
}

/// Whether the word just before a full stop is an abbreviation: an initial, dotted
/// initials, or one of [`ABBREVIATIONS`].
fn abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || OPENING_WORD.contains(&c))
        .next()
        .unwrap_or_default();
    let initials = !word.is_empty()
        && word
            .split('.')
            .all(|part| part.chars().count() == 1 && part.chars().all(char::is_alphabetic));
    initials || ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

/// Whether the word just before a full stop numbers a list item: one to three digits
/// opening the text, or after a colon or the end of a sentence (`recommends: 1. Fund`),
/// unlike a year closing one (`in 2023. Reports`).
fn list_number(before: &str) -> bool {
    let (lead, number) = before
        .rsplit_once(char::is_whitespace)
        .unwrap_or(("", before));
    (1..=3).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
        && (lead.trim().is_empty() || lead.trim_end().ends_with([':', '.', ';']))
}

/// Whether text opens with a list item's number: `2. `, `12) `.
fn opens_list_item(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let after = text.get(digits..).unwrap_or_default();
    (1..=3).contains(&digits) && (after.starts_with(". ") || after.starts_with(") "))
}

/// What may open a word before its letters: `(e.g.` is still "e.g.".
const OPENING_WORD: [char; 6] = ['(', '[', '"', '“', '«', '¿'];

/// `text` cut to at most `max` characters at a word, ending in an ellipsis when cut.
fn cap(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => cut.get(..space).unwrap_or(&cut),
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_sentence_ends_at_a_stop_before_a_capital() {
        let cases = [
            (
                "Children are groomed on gaming platforms. Offenders move fast.",
                "Children are groomed on gaming platforms.",
            ),
            ("One sentence only", "One sentence only"),
            (
                "Mr. Smith of the U.N. Committee said so. Then he left.",
                "Mr. Smith of the U.N. Committee said so.",
            ),
            (
                "See art. 5 of the law, e.g. Section 2. Next.",
                "See art. 5 of the law, e.g. Section 2.",
            ),
            (
                "¿Qué hacen los Estados? Nada. ¡Basta!",
                "¿Qué hacen los Estados?",
            ),
            (
                "Les enfants sont-ils protégés ? Non. Jamais.",
                "Les enfants sont-ils protégés ?",
            ),
            (
                "Дети в опасности. Государства должны действовать.",
                "Дети в опасности.",
            ),
            ("He said \"stop.\" Then it ended.", "He said \"stop.\""),
            (
                "Rates rose by 3.5 per cent. Reports doubled.",
                "Rates rose by 3.5 per cent.",
            ),
            (
                "Grooming\n  happens   online. Always.",
                "Grooming happens online.",
            ),
            (
                "Recommendations: fund hotlines. (See annex.)",
                "Recommendations: fund hotlines.",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(first_sentence(text, None), want, "{text}");
        }
    }

    #[test]
    fn the_answer_starts_below_its_heading() {
        let cases = [
            (
                "Pregunta 1\nLa Brigada observa el contacto inicial. Luego sigue.",
                Some("Pregunta 1"),
                "La Brigada observa el contacto inicial.",
            ),
            (
                "1. Use of technology.\nThe Division observes offenders. More.",
                Some("1. Use of technology."),
                "The Division observes offenders.",
            ),
            (
                "Trends in reports\nReports of livestreamed abuse rose. More.",
                None,
                "Reports of livestreamed abuse rose.",
            ),
            (
                "2. Exigir a las plataformas la privacidad. Otra.",
                None,
                "2. Exigir a las plataformas la privacidad.",
            ),
            (
                "Chile propone lo siguiente:\n1. Incorporar la educación.\n2. Exigir la privacidad.",
                None,
                "Chile propone lo siguiente: 1. Incorporar la educación.",
            ),
            (
                "Reports doubled in 2023. Offenders moved.",
                None,
                "Reports doubled in 2023.",
            ),
            (
                "Summary of cases investigated\nYear | Grooming\n2021 | 212",
                None,
                "Summary of cases investigated",
            ),
            ("Cases\nYear | Grooming\n2021 | 212", Some("Cases"), "Cases"),
            (
                "Year | Grooming\n2021 | 212",
                None,
                "Year | Grooming 2021 | 212",
            ),
            // A line broken inside a sentence, and a heading with nothing below, stay.
            (
                "Children who contact us\ndescribe pressure. More.",
                None,
                "Children who contact us describe pressure.",
            ),
            ("Question 2", Some("Question 2"), "Question 2"),
        ];
        for (text, heading, want) in cases {
            assert_eq!(first_sentence(text, heading), want, "{text}");
        }
    }

    proptest::proptest! {
        /// Whatever the text (any script, stops anywhere), the first sentence is taken
        /// without a panic, within the cap, and is empty only when the text is.
        #[test]
        fn any_text_has_a_first_sentence_within_the_cap(
            text in "[a-zA-Zé¿¡?!.:;, \\n0-9\"«»()|Дд]{0,400}",
            heading in proptest::option::of("[A-Za-z0-9 .]{0,20}"),
        ) {
            let sentence = first_sentence(&text, heading.as_deref());
            proptest::prop_assert!(sentence.chars().count() <= MAX_SENTENCE_CHARS);
            proptest::prop_assert_eq!(sentence.is_empty(), text.trim().is_empty());
        }
    }

    #[test]
    fn a_long_first_sentence_is_cut_at_a_word_with_an_ellipsis() {
        let text = "word ".repeat(200);
        let sentence = first_sentence(&text, None);
        assert!(sentence.chars().count() <= MAX_SENTENCE_CHARS, "{sentence}");
        assert!(sentence.ends_with("word…"), "{sentence}");
    }
}
