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
use crate::vectors::{VectorQuery, quantize};
use crate::writer::{PassageIndex, PassageRecord};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

/// The query's terms in one field, and that field's analyzer: finds the best fragment of a
/// text as tantivy's `SnippetGenerator` does (the same fragments, scores and ties), without
/// a lowercased copy of every word of every hit (the analyzer's words are lowercase already;
/// those it emptied are not looked up).
pub(crate) struct Marker {
    analyzer: TextAnalyzer,
    /// Looked up for every word of every hit (SipHash was a tenth of making snippets).
    terms: rustc_hash::FxHashMap<String, f32>,
}

/// A fragment of a text: where it is, its score and the words marked in it.
struct Fragment {
    score: f32,
    range: Range<usize>,
    marked: Vec<Range<usize>>,
}

impl Marker {
    pub(crate) fn new(terms: BTreeMap<String, f32>, analyzer: TextAnalyzer) -> Marker {
        Marker {
            analyzer,
            terms: terms.into_iter().collect(),
        }
    }

    /// The best fragment of `text` (at most [`SNIPPET_CHARS`] bytes), as the byte range of
    /// `text` it spans and the query's words in it (byte ranges of the fragment, in order,
    /// not overlapping); `None` when none of the words is in `text`.
    pub(crate) fn best(&mut self, text: &str) -> Option<(Range<usize>, Vec<Range<usize>>)> {
        if self.terms.is_empty() {
            return None;
        }
        let mut stream = self.analyzer.token_stream(text);
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
        while let Some(token) = stream.next() {
            if token.offset_to - current.range.start > SNIPPET_CHARS {
                let next = Fragment {
                    score: 0.0,
                    range: token.offset_from..token.offset_from,
                    marked: Vec::new(),
                };
                close(std::mem::replace(&mut current, next), &mut best);
            }
            current.range.end = token.offset_to;
            if token.text.is_empty() {
                continue;
            }
            if let Some(score) = self.terms.get(&token.text) {
                current.score += score;
                current.marked.push(token.offset_from..token.offset_to);
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

/// Snippet markers per language field, made once per search.
pub(crate) struct Snippets<'a> {
    by_code: BTreeMap<&'static str, Marker>,
    exact: Marker,
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
            // A language none of whose passages holds a query term marks nothing: no
            // analyzer is built for it (the exact field's generator answers instead).
            if terms.is_empty() {
                continue;
            }
            let candidates = Candidates::of(terms.keys());
            let analyzer = match crate::schema::snippet_analyzer(code, candidates) {
                Some(analyzer) => analyzer,
                None => searcher.index().tokenizer_for_field(*field).map_err(err)?,
            };
            by_code.insert(*code, Marker::new(terms, analyzer));
        }
        let exact = index.fields.exact;
        let terms = query_terms(&counts, query, exact).map_err(err)?;
        let analyzer = searcher.index().tokenizer_for_field(exact).map_err(err)?;
        Ok(Snippets {
            by_code,
            exact: Marker::new(terms, analyzer),
            index,
            meaning,
        })
    }

    /// The snippet of a hit: the best fragment and where the query's words are in it.
    /// `by_words`: whether the query's words may be in it (false for a hit found by meaning
    /// alone, whose snippet is then its sentence closest to the query).
    pub(crate) fn make(&mut self, record: &PassageRecord, by_words: bool) -> Snippet {
        let text = &record.passage.text;
        let code = crate::schema::language_field_code(record.passage.language.as_deref());
        let best = if by_words {
            self.by_code
                .get_mut(code)
                .and_then(|m| m.best(text))
                .or_else(|| self.exact.best(text))
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
#[derive(Clone)]
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

impl tantivy::tokenizer::TokenFilter for Candidates {
    type Tokenizer<T: tantivy::tokenizer::Tokenizer> = CandidateTokenizer<T>;

    fn transform<T: tantivy::tokenizer::Tokenizer>(self, tokenizer: T) -> CandidateTokenizer<T> {
        CandidateTokenizer {
            inner: tokenizer,
            candidates: self,
        }
    }
}

/// [`Candidates`] over a tokenizer.
#[derive(Clone)]
pub(crate) struct CandidateTokenizer<T> {
    inner: T,
    candidates: Candidates,
}

impl<T: tantivy::tokenizer::Tokenizer> tantivy::tokenizer::Tokenizer for CandidateTokenizer<T> {
    type TokenStream<'a> = CandidateStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CandidateStream {
            inner: self.inner.token_stream(text),
            candidates: &self.candidates,
        }
    }
}

/// The tokens of [`CandidateTokenizer`].
pub(crate) struct CandidateStream<'a, S> {
    inner: S,
    candidates: &'a Candidates,
}

impl<S: tantivy::tokenizer::TokenStream> tantivy::tokenizer::TokenStream
    for CandidateStream<'_, S>
{
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        if !self.candidates.keeps(&token.text) {
            token.text.clear();
        }
        true
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.inner.token_mut()
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

    /// The snippet of `text` for `query` in language `code`: through the field's own analyzer,
    /// and through the one that stems only candidates.
    fn both(code: &str, query: &str, text: &str) -> (String, String) {
        let manager = TokenizerManager::default();
        crate::schema::register_tokenizers(&manager);
        let mut full = manager
            .get(&crate::schema::tokenizer_name(code))
            .expect("registered");
        let mut terms = BTreeMap::new();
        {
            let mut stream = full.token_stream(query);
            while let Some(token) = stream.next() {
                terms.insert(token.text.clone(), 0.5f32);
            }
        }
        let field = tantivy::schema::Field::from_field_id(0);
        let fast = crate::schema::snippet_analyzer(code, Candidates::of(terms.keys()))
            .expect("a stemmed language");
        let expected = SnippetGenerator::new(terms.clone(), full.clone(), field, SNIPPET_CHARS)
            .snippet(text)
            .to_html();
        // The same fragment and marks through `Marker`, written as tantivy writes them.
        let got = match Marker::new(terms, fast).best(text) {
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

    #[test]
    fn stemming_only_candidates_marks_the_same_words() {
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
        }
    }
}
