//! The fragment of a hit that shows why it matched: the query's words marked where they
//! occur, and otherwise (a passage found by meaning alone) the sentence closest in
//! meaning to the query.

use std::collections::BTreeMap;
use std::ops::Range;

use cfi_embed::TextKind;
use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::tokenizer::TextAnalyzer;

use crate::Result;
use crate::cache::Shown;
use crate::vectors::{VectorQuery, quantize};
use crate::writer::PassageIndex;

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

/// A passage's words as the exact field reads them (lowercase, accents folded), each with
/// its byte range in the passage's text and whether the passage's language field drops it
/// as a stop word: all that marking a snippet needs, whatever the query. Read once for each
/// passage shown and kept with it ([`crate::cache::Shown`]), so that a passage shown again,
/// for any query, is not read again (tokenizing every hit was a fifth of a search's CPU).
#[derive(Debug, Default)]
pub(crate) struct Words {
    /// The words, one after another.
    folded: String,
    tokens: Vec<WordAt>,
}

/// One word of [`Words`].
#[derive(Debug, Clone, Copy)]
struct WordAt {
    /// Its byte range in the passage's text.
    from: usize,
    to: usize,
    /// Its byte range in [`Words::folded`].
    start: u32,
    end: u32,
    /// Dropped by the language field's stop-word filter.
    stop: bool,
}

impl Words {
    /// The words of `text`: `exact` is the exact field's analyzer, `stops` the passage's
    /// language field's analyzer up to its stop words (`None` for a language without them).
    pub(crate) fn read(
        text: &str,
        exact: &mut TextAnalyzer,
        stops: Option<&mut TextAnalyzer>,
    ) -> Words {
        let mut words = Words::default();
        let mut stream = exact.token_stream(text);
        while let Some(token) = stream.next() {
            let start = u32::try_from(words.folded.len()).unwrap_or(u32::MAX);
            words.folded.push_str(&token.text);
            let end = u32::try_from(words.folded.len()).unwrap_or(u32::MAX);
            words.tokens.push(WordAt {
                from: token.offset_from,
                to: token.offset_to,
                start,
                end,
                stop: false,
            });
        }
        drop(stream);
        if let Some(stops) = stops {
            // The same words, less the stop words, in the same order: those missing are the
            // stop words.
            let mut kept = Vec::with_capacity(words.tokens.len());
            let mut stream = stops.token_stream(text);
            while let Some(token) = stream.next() {
                kept.push(token.offset_from);
            }
            let mut kept = kept.into_iter().peekable();
            for word in &mut words.tokens {
                if kept.peek() == Some(&word.from) {
                    kept.next();
                } else {
                    word.stop = true;
                }
            }
        }
        words
    }

    fn word(&self, at: &WordAt) -> &str {
        self.folded
            .get(at.start as usize..at.end as usize)
            .unwrap_or_default()
    }
}

/// The query's terms in one field: finds the best fragment of a passage's [`Words`] as
/// tantivy's `SnippetGenerator` does with the field's analyzer (the same fragments, scores
/// and ties), stemming only the words that may stem to a query term.
pub(crate) struct Marker {
    /// Looked up for every candidate word of every hit (SipHash was a tenth of making
    /// snippets).
    terms: rustc_hash::FxHashMap<String, f32>,
    /// The words that may be (or stem to) a query term.
    candidates: Candidates,
    /// A language field's stemmer (its stop words are skipped); `None` for a field that
    /// neither stems nor drops stop words (the exact field, "other").
    stemmer: Option<frostem::Stemmer>,
}

/// A fragment of a text: where it is, its score and the words marked in it.
struct Fragment {
    score: f32,
    range: Range<usize>,
    marked: Vec<Range<usize>>,
}

impl Marker {
    /// `code`: the language of the field, `None` for the exact field.
    pub(crate) fn new(terms: BTreeMap<String, f32>, code: Option<&str>) -> Marker {
        Marker {
            candidates: Candidates::of(terms.keys()),
            terms: terms.into_iter().collect(),
            stemmer: code.and_then(stemmer_of).map(frostem::Stemmer::new),
        }
    }

    /// The best fragment of the text `words` were read from (at most [`SNIPPET_CHARS`]
    /// bytes), as the byte range of the text it spans and the query's words in it (byte
    /// ranges of the fragment, in order, not overlapping); `None` when none of the words is
    /// in the text.
    pub(crate) fn best(&self, words: &Words) -> Option<(Range<usize>, Vec<Range<usize>>)> {
        if self.terms.is_empty() {
            return None;
        }
        let mut best: Option<Fragment> = None;
        let mut current = Fragment {
            score: 0.0,
            range: 0..0,
            marked: Vec::new(),
        };
        // Fragments come in order; on equal scores the first stays best (tantivy's rule).
        let close = |fragment: Fragment, best: &mut Option<Fragment>| {
            if fragment.score > 0.0 && best.as_ref().is_none_or(|b| fragment.score > b.score) {
                *best = Some(fragment);
            }
        };
        for at in &words.tokens {
            // A stop word is no token at all to a language field: fragments end and start
            // where tantivy's own generator has them.
            if at.stop && self.stemmer.is_some() {
                continue;
            }
            if at.to.saturating_sub(current.range.start) > SNIPPET_CHARS {
                let next = Fragment {
                    score: 0.0,
                    range: at.from..at.from,
                    marked: Vec::new(),
                };
                close(std::mem::replace(&mut current, next), &mut best);
            }
            current.range.end = at.to;
            let word = words.word(at);
            if !self.candidates.keeps(word) {
                continue;
            }
            let score = match &self.stemmer {
                Some(stemmer) => self.terms.get(stemmer.stem(word).as_ref()),
                None => self.terms.get(word),
            };
            if let Some(score) = score {
                current.score += score;
                current.marked.push(at.from..at.to);
            }
        }
        close(current, &mut best);
        let best = best?;
        let start = best.range.start;
        let relative: Vec<Range<usize>> = best
            .marked
            .iter()
            .map(|r| r.start - start..r.end - start)
            .collect();
        Some((
            best.range,
            tantivy::snippet::collapse_overlapped_ranges(&relative),
        ))
    }
}

/// The stemmer of language field `code` (as [`crate::schema::register_tokenizers`] gives
/// it one).
fn stemmer_of(code: &str) -> Option<frostem::Algorithm> {
    use frostem::Algorithm as A;
    use tantivy::tokenizer::Language as L;
    let (_, language) = crate::schema::LANGUAGES.iter().find(|(c, _)| *c == code)?;
    Some(match language {
        L::English => A::English,
        L::Spanish => A::Spanish,
        L::French => A::French,
        L::Russian => A::Russian,
        L::Arabic => A::Arabic,
        L::Portuguese => A::Portuguese,
        L::German => A::German,
        L::Italian => A::Italian,
        L::Dutch => A::Dutch,
        L::Swedish => A::Swedish,
        L::Turkish => A::Turkish,
        L::Greek => A::Greek,
        L::Danish => A::Danish,
        L::Finnish => A::Finnish,
        L::Hungarian => A::Hungarian,
        L::Norwegian => A::Norwegian,
        L::Romanian => A::Romanian,
        L::Tamil => A::Tamil,
    })
}

/// Snippet markers per language field, made once per search.
pub(crate) struct Snippets<'a> {
    by_code: BTreeMap<&'static str, Marker>,
    exact: Marker,
    /// The exact field's analyzer, and each language's up to its stop words, for the
    /// passages whose [`Words`] are not read yet.
    exact_analyzer: TextAnalyzer,
    stops: BTreeMap<&'static str, Option<TextAnalyzer>>,
    index: &'a PassageIndex,
    meaning: Option<&'a VectorQuery>,
}

impl<'a> Snippets<'a> {
    /// `meaning`: the query's vector, when the search is by meaning too.
    pub(crate) fn new(
        searcher: &Searcher,
        query: &dyn Query,
        index: &'a PassageIndex,
        meaning: Option<&'a VectorQuery>,
    ) -> Result<Snippets<'a>> {
        let err = |source| index.err(source);
        let counts = crate::compile::FairStatistics::new(index, searcher).map_err(err)?;
        let mut by_code = BTreeMap::new();
        for (code, field) in &index.fields.text {
            let terms = query_terms(&counts, query, *field).map_err(err)?;
            // A language none of whose passages holds a query term marks nothing (the exact
            // field's marker answers instead).
            if terms.is_empty() {
                continue;
            }
            by_code.insert(*code, Marker::new(terms, Some(code)));
        }
        let exact = index.fields.exact;
        let terms = query_terms(&counts, query, exact).map_err(err)?;
        let exact_analyzer = searcher.index().tokenizer_for_field(exact).map_err(err)?;
        Ok(Snippets {
            by_code,
            exact: Marker::new(terms, None),
            exact_analyzer,
            stops: BTreeMap::new(),
            index,
            meaning,
        })
    }

    /// The words of a passage shown, read now if they were not before.
    fn words<'s>(&mut self, shown: &'s Shown, code: &'static str) -> &'s Words {
        let Snippets {
            exact_analyzer,
            stops,
            ..
        } = self;
        shown.words(|| {
            let stops = stops
                .entry(code)
                .or_insert_with(|| crate::schema::stop_analyzer(code))
                .as_mut();
            Words::read(&shown.record.passage.text, exact_analyzer, stops)
        })
    }

    /// The snippet of a hit: the best fragment and where the query's words are in it.
    /// `by_words`: whether the query's words may be in it (false for a hit found by meaning
    /// alone, whose snippet is then its sentence closest to the query).
    pub(crate) fn make(&mut self, shown: &Shown, by_words: bool) -> Snippet {
        let record = &shown.record;
        let text = &record.passage.text;
        let code = crate::schema::language_field_code(record.passage.language.as_deref());
        let best = if by_words {
            let words = self.words(shown, code);
            self.by_code
                .get(code)
                .and_then(|m| m.best(words))
                .or_else(|| self.exact.best(words))
        } else {
            None
        };
        let Some((range, marked)) = best else {
            // A passage that fits in a snippet is shown whole; a longer one from the
            // sentence closest in meaning to the query.
            let fits = text.chars().count() <= SNIPPET_CHARS;
            let start = match self.meaning {
                Some(q) if !fits => self.closest_sentence(&record.passage.id, text, q),
                _ => 0,
            };
            let rest = text.get(start..).unwrap_or(text);
            let lead = if start > 0 { "… " } else { "" };
            return Snippet {
                text: format!("{lead}{}", truncate(rest, SNIPPET_CHARS)),
                marks: Vec::new(),
            };
        };
        let fragment = text.get(range).unwrap_or_default();
        let marks = marked
            .into_iter()
            .filter(|r| fragment.get(r.clone()).is_some())
            .map(|r| (r.start, r.end))
            .collect();
        Snippet {
            text: fragment.to_string(),
            marks,
        }
    }

    /// Where the sentence of `text` (passage `id`) closest in meaning to the query starts
    /// (the first sentence when none is closer than the others).
    fn closest_sentence(&self, id: &str, text: &str, query: &VectorQuery) -> usize {
        let embedder = &self.index.embedder;
        let sentences = self.index.query_cache.sentences(id, text, || {
            sentences(text)
                .into_iter()
                .filter_map(|(start, end)| {
                    let sentence = text.get(start..end)?;
                    Some((
                        start,
                        quantize(&embedder.embed(sentence, TextKind::Passage)),
                    ))
                })
                .collect()
        });
        let mut best: Option<(f32, usize)> = None;
        for (start, vector) in sentences.iter() {
            let similarity = query.cosine(vector);
            if best.is_none_or(|(b, _)| similarity > b) {
                best = Some((similarity, *start));
            }
        }
        best.map_or(0, |(_, start)| start)
    }
}

/// The query's terms in `field`, each scored as tantivy's snippet generator scores them
/// (rarer terms weigh more): what a snippet looks for.
fn query_terms(
    counts: &crate::compile::FairStatistics<'_>,
    query: &dyn Query,
    field: tantivy::schema::Field,
) -> tantivy::Result<BTreeMap<String, f32>> {
    let mut terms = std::collections::BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut scored = BTreeMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else {
            continue;
        };
        let doc_freq = counts.raw_doc_freq(&term)?;
        if doc_freq > 0 {
            scored.insert(text, 1.0 / (1.0 + doc_freq as f32));
        }
    }
    Ok(scored)
}

/// A token filter for snippets: a word whose first two letters no query term starts with
/// cannot stem to one (the stemmers of these languages cut endings, never beginnings), so
/// its text is emptied before the stemmer and never matches; the costly stemming runs only
/// on the few words that may. Accents are folded before it, so a Latin word is checked by
/// its ASCII letters; a word that still starts outside ASCII (Cyrillic, Greek, Arabic) is
/// always kept (Arabic stemmers cut prefixes).
pub(crate) struct Candidates {
    /// One bit per pair of ASCII bytes (128 x 128), looked up for every word of every hit.
    starts: std::sync::Arc<[u64; 256]>,
}

/// The bit of an ASCII pair in [`Candidates::starts`]: its word and the bit in it.
fn pair_bit(a: u8, b: u8) -> (usize, u64) {
    let at = usize::from(a & 0x7f) << 7 | usize::from(b & 0x7f);
    (at >> 6, 1 << (at & 63))
}

impl Candidates {
    /// The candidates for these query terms (stemmed and folded as the field has them).
    pub(crate) fn of<'a>(terms: impl Iterator<Item = &'a String>) -> Candidates {
        let mut starts = [0u64; 256];
        for t in terms {
            if let [a, b, ..] = t.as_bytes()
                && a.is_ascii()
                && b.is_ascii()
            {
                let (word, bit) = pair_bit(*a, *b);
                if let Some(w) = starts.get_mut(word) {
                    *w |= bit;
                }
            }
        }
        Candidates {
            starts: std::sync::Arc::new(starts),
        }
    }

    /// Whether `word` (in any case) may stem to a query term.
    fn keeps(&self, word: &str) -> bool {
        match word.as_bytes() {
            [a, b, ..] if a.is_ascii() && b.is_ascii() => {
                let (word, bit) = pair_bit(a.to_ascii_lowercase(), b.to_ascii_lowercase());
                self.starts.get(word).is_some_and(|w| w & bit != 0)
            }
            _ => true,
        }
    }
}

/// The fragment of a hit that shows why it matched, as plain text with the byte ranges of
/// the query's words in it (none for a passage found by meaning alone, whose fragment is
/// the sentence closest to the query). Each caller marks them its own way: HTML `<mark>`
/// for the API and the page, brackets in a terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Snippet {
    /// The fragment, plain text.
    pub text: String,
    /// Byte ranges of the matched words in `text`, in order, not overlapping.
    pub marks: Vec<(usize, usize)>,
}

impl Snippet {
    /// The fragment with each matched word between `open` and `close`; `escape` is applied
    /// to the text between (and inside) them.
    pub fn marked(&self, open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(self.text.len() + self.marks.len() * 13);
        let mut from = 0;
        for &(start, end) in &self.marks {
            let (Some(before), Some(word)) =
                (self.text.get(from..start), self.text.get(start..end))
            else {
                continue;
            };
            out.push_str(&escape(before));
            out.push_str(open);
            out.push_str(&escape(word));
            out.push_str(close);
            from = end;
        }
        out.push_str(&escape(self.text.get(from..).unwrap_or_default()));
        out
    }

    /// The fragment as HTML: escaped, the matched words in `<mark>` when `highlight`.
    pub fn html(&self, highlight: bool) -> String {
        if highlight {
            self.marked("<mark>", "</mark>", escape)
        } else {
            escape(&self.text)
        }
    }
}

/// Byte ranges of the sentences of `text`: a sentence ends after `.`, `!`, `?`, `…`,
/// `。` or `;` followed by a space, or at a line break; leading spaces are skipped.
pub(crate) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|(_, n)| *n);
        let ends = c == '\n'
            || (matches!(c, '.' | '!' | '?' | '…' | '。' | ';')
                && next.is_none_or(char::is_whitespace));
        if ends {
            let end = i + c.len_utf8();
            push_trimmed(text, start, end, &mut out);
            start = end;
        }
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let Some(piece) = text.get(start..end) else {
        return;
    };
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push((start + lead, end - trail));
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{cut} …")
}

/// Text safe in HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text)
            .into_iter()
            .filter_map(|(a, b)| text.get(a..b))
            .collect()
    }

    #[test]
    fn sentences_end_at_stops_and_line_breaks() {
        assert_eq!(
            split("Hotlines help. Is encryption a risk? Yes!\nA list; of things 3.5 times"),
            [
                "Hotlines help.",
                "Is encryption a risk?",
                "Yes!",
                "A list;",
                "of things 3.5 times"
            ]
        );
        assert!(split("  ").is_empty());
        assert_eq!(split("¿Qué? Sí."), ["¿Qué?", "Sí."]);
    }

    proptest! {
        #[test]
        fn sentences_are_in_order_inside_the_text(text in "\\PC{0,80}") {
            let mut last = 0;
            for (a, b) in sentences(&text) {
                prop_assert!(a >= last && a < b && b <= text.len());
                prop_assert!(text.get(a..b).is_some());
                last = b;
            }
        }
    }
}

#[cfg(test)]
mod marks {
    use super::*;

    #[test]
    fn marks_wrap_the_matched_words_and_everything_is_escaped() {
        let snippet = Snippet {
            text: "<b>Encryption</b> & grooming".into(),
            marks: vec![(3, 13), (20, 28)],
        };
        assert_eq!(
            snippet.html(true),
            "&lt;b&gt;<mark>Encryption</mark>&lt;/b&gt; &amp; <mark>grooming</mark>"
        );
        assert_eq!(
            snippet.html(false),
            "&lt;b&gt;Encryption&lt;/b&gt; &amp; grooming"
        );
        assert_eq!(
            snippet.marked("[", "]", str::to_string),
            "<b>[Encryption]</b> & [grooming]"
        );
        // A range off a character boundary is left unmarked, never split.
        let odd = Snippet {
            text: "niño".into(),
            marks: vec![(0, 3)],
        };
        assert_eq!(odd.html(true), "niño");
    }
}

#[cfg(test)]
mod candidates {
    use tantivy::snippet::SnippetGenerator;
    use tantivy::tokenizer::TokenizerManager;

    use super::*;

    /// The snippet of `text` for `query` in field `code` (a language, or `None` for the exact
    /// field): through tantivy's generator with the field's own analyzer, and through
    /// [`Words`] and [`Marker`].
    fn both_in(code: Option<&str>, query: &str, text: &str) -> (String, String) {
        let manager = TokenizerManager::default();
        crate::schema::register_tokenizers(&manager);
        let name = match code {
            Some(code) => crate::schema::tokenizer_name(code),
            None => crate::schema::EXACT_TOKENIZER.to_string(),
        };
        let mut full = manager.get(&name).expect("registered");
        let mut terms = BTreeMap::new();
        {
            let mut stream = full.token_stream(query);
            while let Some(token) = stream.next() {
                terms.insert(token.text.clone(), 0.5f32);
            }
        }
        let field = tantivy::schema::Field::from_field_id(0);
        let expected = SnippetGenerator::new(terms.clone(), full.clone(), field, SNIPPET_CHARS)
            .snippet(text)
            .to_html();
        let mut exact = manager
            .get(crate::schema::EXACT_TOKENIZER)
            .expect("registered");
        let mut stops = code.and_then(crate::schema::stop_analyzer);
        let words = Words::read(text, &mut exact, stops.as_mut());
        // The same fragment and marks through `Marker`, written as tantivy writes them.
        let got = match Marker::new(terms, code).best(&words) {
            Some((range, marked)) => {
                let fragment = text.get(range).unwrap_or_default();
                Snippet {
                    text: fragment.to_string(),
                    marks: marked.into_iter().map(|r| (r.start, r.end)).collect(),
                }
                .marked("<b>", "</b>", |t| {
                    t.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;")
                        .replace('"', "&quot;")
                        .replace('\'', "&#x27;")
                })
            }
            None => String::new(),
        };
        (expected, got)
    }

    fn both(code: &str, query: &str, text: &str) -> (String, String) {
        both_in(Some(code), query, text)
    }

    #[test]
    fn words_read_once_mark_what_the_field_analyzers_mark() {
        let cases = [
            (
                "en",
                "encryption detected",
                "End-to-end encrypted services hide abuse; Detection tools and the ENCRYPTION debate, as detectors fail.",
            ),
            (
                "es",
                "niños cifrado",
                "Los niños y las niñas usan servicios cifrados; Cifrado de extremo a extremo protege a la niñez.",
            ),
            (
                "fr",
                "chiffrement enfants",
                "Le chiffrement de bout en bout protège les enfants ; l'enfance numérique et les données chiffrées.",
            ),
            (
                "ru",
                "шифрование детей",
                "Сквозное шифрование защищает детей, но детские данные зашифрованы.",
            ),
            ("en", "zzz", "Nothing here matches the query at all."),
            (
                "en",
                "hotlines report",
                "The national hotline and the police share what they know about it, and they are not the only ones: schools, youth workers and the platforms themselves all receive reports. In the last year the hotlines of the region received more reports than ever, and most of them were about images that the children had shared with someone they trusted. Reporting is still too hard for a child to do alone, and it is the reporting itself that many of them fear.",
            ),
        ];
        for (code, query, text) in cases {
            let (full, fast) = both(code, query, text);
            assert_eq!(full, fast, "{code}: {query}");
            assert!(full.contains("<b>") || query == "zzz", "{code}: {full}");
            // The exact field (accents folded, nothing stemmed, no stop words) too.
            let (full, fast) = both_in(None, query, text);
            assert_eq!(full, fast, "exact: {query}");
        }
    }

    proptest::proptest! {
        #[test]
        fn marks_what_tantivy_marks_in_any_text(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "the", "The", "of", "and", "encryption", "Encryption", "encrypted",
                    "children", "child", "report", "reports,", "hotlines.", "a", "to", "is",
                    "niños", "Éducation", "x", "online;", "platforms", "(2023)", "detection",
                ]),
                0..120,
            ),
            query in proptest::sample::select(vec!["encryption", "child reports", "the", "niños online", "education"]),
        ) {
            let text = words.join(" ");
            let (expected, got) = both("en", query, &text);
            proptest::prop_assert_eq!(expected, got);
            let (expected, got) = both("fr", query, &text);
            proptest::prop_assert_eq!(expected, got);
            let (expected, got) = both_in(None, query, &text);
            proptest::prop_assert_eq!(expected, got);
        }
    }
}
