//! The fragment of a hit that shows why it matched: the query's words marked where they
//! occur, and otherwise (a passage found by meaning alone) the sentence closest in
//! meaning to the query.

use std::collections::BTreeMap;

use cfi_embed::TextKind;
use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::snippet::SnippetGenerator;

use crate::Result;
use crate::vectors::{VectorQuery, quantize};
use crate::writer::{PassageIndex, PassageRecord};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

/// Snippet generators per language field, made once per search.
pub(crate) struct Snippets<'a> {
    by_code: BTreeMap<&'static str, SnippetGenerator>,
    exact: SnippetGenerator,
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
        let mut by_code = BTreeMap::new();
        for (code, field) in &index.fields.text {
            let terms = query_terms(searcher, query, *field).map_err(err)?;
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
            by_code.insert(
                *code,
                SnippetGenerator::new(terms, analyzer, *field, SNIPPET_CHARS),
            );
        }
        let exact = index.fields.exact;
        let terms = query_terms(searcher, query, exact).map_err(err)?;
        let analyzer = searcher.index().tokenizer_for_field(exact).map_err(err)?;
        Ok(Snippets {
            by_code,
            exact: SnippetGenerator::new(terms, analyzer, exact, SNIPPET_CHARS),
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
                .get(code)
                .map(|g| g.snippet(text))
                .filter(|s| !s.highlighted().is_empty())
                .unwrap_or_else(|| self.exact.snippet(text))
        } else {
            tantivy::snippet::Snippet::empty()
        };
        if best.highlighted().is_empty() {
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
        }
        let fragment = best.fragment();
        let mut marks: Vec<(usize, usize)> = Vec::new();
        for range in tantivy::snippet::collapse_overlapped_ranges(best.highlighted()) {
            if fragment.get(range.clone()).is_some() {
                marks.push((range.start, range.end));
            }
        }
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
    searcher: &Searcher,
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
        let doc_freq = searcher.doc_freq(&term)?;
        if doc_freq > 0 {
            scored.insert(text, 1.0 / (1.0 + doc_freq as f32));
        }
    }
    Ok(scored)
}

/// A token filter for snippets: a word whose first two letters no query term starts with
/// cannot stem to one (the stemmers of these languages cut endings, never beginnings), so
/// its text is emptied before the stemmer and never matches; the costly stemming runs only
/// on the few words that may. A word starting with a letter outside ASCII is always kept
/// (folding after stemming may change it; Arabic stemmers cut prefixes).
#[derive(Clone)]
pub(crate) struct Candidates {
    starts: std::sync::Arc<std::collections::HashSet<[u8; 2]>>,
}

impl Candidates {
    /// The candidates for these query terms (stemmed and folded as the field has them).
    pub(crate) fn of<'a>(terms: impl Iterator<Item = &'a String>) -> Candidates {
        let starts = terms
            .filter_map(|t| {
                let b = t.as_bytes();
                match (b.first(), b.get(1)) {
                    (Some(&a), Some(&b)) if a.is_ascii() && b.is_ascii() => Some([a, b]),
                    _ => None,
                }
            })
            .collect();
        Candidates {
            starts: std::sync::Arc::new(starts),
        }
    }

    fn keeps(&self, word: &str) -> bool {
        match word.as_bytes() {
            [a, b, ..] if a.is_ascii() && b.is_ascii() => self.starts.contains(&[*a, *b]),
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
        let html = |analyzer| {
            let g = SnippetGenerator::new(terms.clone(), analyzer, field, SNIPPET_CHARS);
            g.snippet(text).to_html()
        };
        (html(full.clone()), html(fast))
    }

    #[test]
    fn stemming_only_candidates_marks_the_same_words() {
        let cases = [
            (
                "en",
                "encryption detected",
                "End-to-end encrypted services hide abuse; detection tools and the encryption debate, as detectors fail.",
            ),
            (
                "es",
                "niños cifrado",
                "Los niños y las niñas usan servicios cifrados; el cifrado de extremo a extremo protege a la niñez.",
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
        ];
        for (code, query, text) in cases {
            let (full, fast) = both(code, query, text);
            assert_eq!(full, fast, "{code}: {query}");
            assert!(full.contains("<b>") || query == "zzz", "{code}: {full}");
        }
    }
}
