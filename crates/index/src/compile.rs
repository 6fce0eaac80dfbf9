//! From a parsed query to a tantivy query: every language's analyzer, the glossary's
//! equivalents, and BM25 statistics taken per language so that no language wins only
//! because it has fewer passages.

use std::collections::BTreeMap;

use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery,
    DisjunctionMaxQuery, EmptyQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use crate::assist;
use crate::query::{self, Atom, ParsedQuery};
use crate::writer::PassageIndex;
use crate::{Error, Result, SearchRequest};

/// Weight of a glossary equivalent relative to the words typed.
const EQUIVALENT_BOOST: f32 = 0.8;
/// Weight of the unstemmed field relative to the stemmed ones.
const EXACT_BOOST: f32 = 0.5;
/// Most terms a prefix expands to.
const PREFIX_EXPANSIONS: u32 = 64;

/// A request turned into queries.
pub(crate) struct Compiled {
    /// The words only (for snippets).
    pub text: Box<dyn Query>,
    /// Words and filters.
    pub full: Box<dyn Query>,
    /// The plain words typed, for "did you mean".
    pub words: Vec<String>,
    /// The request with the query's inline filters merged in.
    pub effective: SearchRequest,
    /// Whether inline and URL filters contradict each other (nothing can match).
    pub contradiction: bool,
    /// Whether the query has several content words that a relaxed search could ask only
    /// most of.
    pub relaxable: bool,
    /// The words, phrases and prefixes typed (not the excluded ones, nor the filters): what
    /// a search by meaning embeds.
    pub meaning: String,
    /// The excluded words and phrases, each as a query; a search by meaning leaves out
    /// what they match too.
    pub excluded: Vec<Box<dyn Query>>,
    /// The excluded atoms, written out (they name a filter for the cache).
    pub excluded_key: String,
    /// The quoted phrases the query requires (each a part of the query that is phrases
    /// only), each as a query: a search by meaning keeps to the passages holding them, as
    /// quotes ask for the words themselves.
    pub quoted: Vec<Box<dyn Query>>,
    /// The quoted parts, written out (they name a filter for the cache).
    pub quoted_key: String,
}

impl PassageIndex {
    pub(crate) fn compile(&self, request: &SearchRequest) -> Result<Compiled> {
        self.compile_with(request, false)
    }

    /// With `relaxed`, passages need only most of the words, not all.
    pub(crate) fn compile_with(&self, request: &SearchRequest, relaxed: bool) -> Result<Compiled> {
        let parsed = query::parse(&request.q).map_err(|e| Error::Query {
            message: e.to_string(),
        })?;
        let (effective, contradiction) = merge_filters(request, &parsed)?;
        let content_slots = parsed
            .required
            .iter()
            .filter(|slot| !self.is_stop_slot(slot))
            .count();
        let text = self.text_of(&parsed, relaxed);
        let words = parsed
            .required
            .iter()
            .flatten()
            .filter_map(|a| match a {
                Atom::Word(w) => Some(w.clone()),
                _ => None,
            })
            .collect();
        let full = if contradiction {
            Box::new(EmptyQuery) as Box<dyn Query>
        } else {
            self.filtered(text.box_clone(), &effective)
        };
        let meaning = parsed
            .required
            .iter()
            .flatten()
            .map(|a| match a {
                Atom::Word(w) | Atom::Phrase(w) | Atom::Prefix(w) => w.as_str(),
            })
            .collect::<Vec<_>>()
            .join(" ");
        let excluded = parsed
            .excluded
            .iter()
            .filter_map(|a| self.atom_query(a))
            .collect();
        let quoted_slots: Vec<&Vec<Atom>> = parsed
            .required
            .iter()
            .filter(|slot| !slot.is_empty() && slot.iter().all(|a| matches!(a, Atom::Phrase(_))))
            .collect();
        let quoted = quoted_slots
            .iter()
            .filter_map(|slot| self.slot_query(slot))
            .collect();
        Ok(Compiled {
            text,
            full,
            words,
            effective,
            contradiction,
            relaxable: content_slots >= 2,
            meaning,
            excluded,
            excluded_key: format!("{:?}", parsed.excluded),
            quoted,
            quoted_key: format!("{quoted_slots:?}"),
        })
    }

    /// The language fields some passage of the index holds words in: a query is analyzed
    /// and looked up only in these (an index of one call holds three or four of the twelve
    /// languages, and each empty field cost an analysis and a dictionary per segment for
    /// every word of every search). Read once per searcher generation.
    fn live_text_fields(&self) -> std::sync::Arc<Vec<Field>> {
        let searcher = self.reader.searcher();
        self.query_cache
            .live_fields(searcher.generation().generation_id(), || {
                self.fields
                    .text
                    .iter()
                    .map(|(_, field)| *field)
                    .filter(|field| {
                        searcher.segment_readers().iter().any(|segment| {
                            segment
                                .inverted_index(*field)
                                .is_ok_and(|index| index.terms().num_terms() > 0)
                        })
                    })
                    .collect()
            })
    }

    /// A lone word that some language of the index drops as a stop word ("of", "de",
    /// "la"): it may match but need not.
    fn is_stop_slot(&self, slot: &[Atom]) -> bool {
        match slot {
            [Atom::Word(w)] => {
                !self.analyze(self.fields.exact, w).is_empty()
                    && self
                        .live_text_fields()
                        .iter()
                        .any(|f| self.analyze(*f, w).is_empty())
            }
            _ => false,
        }
    }

    fn text_of(&self, parsed: &ParsedQuery, relaxed: bool) -> Box<dyn Query> {
        let glossary = self.glossary_terms();
        if !relaxed && let Some(q) = self.by_language(parsed, &glossary) {
            return q;
        }
        self.across_fields(parsed, relaxed, &glossary)
    }

    /// Every slot in every field: a conjunction of per-word disjunctions over the fields.
    fn across_fields(
        &self,
        parsed: &ParsedQuery,
        relaxed: bool,
        glossary: &crate::cache::Glossary,
    ) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let slots = &parsed.required;
        let all_stop = slots.iter().all(|slot| self.is_stop_slot(slot));
        let must = if relaxed { Occur::Should } else { Occur::Must };
        let mut i = 0;
        while i < slots.len() {
            if let Some((end, equivalents)) = self.glossary_match(slots, i, glossary) {
                let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
                let typed: Vec<(Occur, Box<dyn Query>)> = slots
                    .get(i..end)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|slot| self.slot_query(slot))
                    .map(|q| (Occur::Must, q))
                    .collect();
                alternatives.push(Box::new(BooleanQuery::new(typed)));
                // An equivalent scores a constant a little below what the typed words
                // typically score (the sum of their IDFs, each language on its own
                // statistics), whatever its length or its words' rarity.
                let typical = self.typical_score(slots.get(i..end).unwrap_or_default());
                for phrase in equivalents {
                    if let Some(q) = self.exact_query(&phrase) {
                        alternatives.push(Box::new(ConstScoreQuery::new(
                            q,
                            EQUIVALENT_BOOST * typical,
                        )));
                    }
                }
                clauses.push((must, Box::new(DisjunctionMaxQuery::new(alternatives))));
                i = end;
                continue;
            }
            if let Some(slot) = slots.get(i) {
                let occur = if self.is_stop_slot(slot) && !all_stop {
                    Occur::Should
                } else {
                    must
                };
                if let Some(q) = self.slot_query(slot) {
                    clauses.push((occur, q));
                }
            }
            i += 1;
        }
        let has_positive = !clauses.is_empty();
        // Relaxed: at least half the content words (rounded up) must match.
        let minimum = clauses.len().div_ceil(2).max(1);
        clauses.extend(self.exclusions(parsed));
        if !has_positive {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if relaxed && has_positive {
            return Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses, minimum,
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Several plain words, as one conjunction per language rather than a conjunction of
    /// per-word disjunctions over the languages: `(w1_en AND w2_en) OR (w1_fr AND w2_fr)`
    /// for `(w1_en OR w1_fr OR w1_exact) AND (w2_en OR …)`. A passage's text is in one
    /// language field, where every word the unstemmed field matches is matched too (see
    /// [`assist`]); so the hits are the same, and each word scores as it does in the
    /// disjunction: the better of its language field and the unstemmed field plus
    /// [`assist::TIE_BREAKER`] times the other. The per-language conjunctions are
    /// leapfrogs over single posting lists, where the conjunction of disjunctions seeks
    /// inside each union: at a million passages, median p50 1.18 -> 1.09 ms (BENCHMARKS.md).
    /// `None` (the query goes [`PassageIndex::across_fields`]) for one word, a phrase, a
    /// prefix, an OR, a stop word, a glossary term, or a word some analyzer splits.
    fn by_language(
        &self,
        parsed: &ParsedQuery,
        glossary: &crate::cache::Glossary,
    ) -> Option<Box<dyn Query>> {
        let slots = &parsed.required;
        if slots.len() < 2 {
            return None;
        }
        let searcher = self.reader.searcher();
        let held = |term: &Term| searcher.doc_freq(term).unwrap_or(1) > 0;
        let mut words = Vec::new();
        for (i, slot) in slots.iter().enumerate() {
            let [Atom::Word(word)] = slot.as_slice() else {
                return None;
            };
            if self.glossary_match(slots, i, glossary).is_some() || self.is_stop_slot(slot) {
                return None;
            }
            let exact = self.analyze(self.fields.exact, word);
            let [(_, exact)] = exact.as_slice() else {
                return None;
            };
            // The unstemmed form, where some passage holds it.
            let exact = held(exact).then(|| exact.clone());
            words.push((word.as_str(), exact));
        }
        let mut languages: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for field in self.live_text_fields().iter() {
            let mut conjunction: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (word, exact) in &words {
                let terms = self.analyze(*field, word);
                let [(_, term)] = terms.as_slice() else {
                    return None;
                };
                if !held(term) {
                    // No passage of this language holds the word: none matches them all.
                    conjunction.clear();
                    break;
                }
                let matching: Box<dyn Query> =
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
                let q: Box<dyn Query> = match exact {
                    Some(exact) => {
                        let unstemmed = TermQuery::new(exact.clone(), IndexRecordOption::WithFreqs);
                        Box::new(assist::Assisted::new(
                            matching,
                            Box::new(BoostQuery::new(Box::new(unstemmed), EXACT_BOOST)),
                        ))
                    }
                    None => matching,
                };
                conjunction.push((Occur::Must, q));
            }
            if !conjunction.is_empty() {
                languages.push((Occur::Should, Box::new(BooleanQuery::new(conjunction))));
            }
        }
        let text: Box<dyn Query> = match languages.len() {
            0 => Box::new(EmptyQuery),
            1 => languages.pop()?.1,
            _ => Box::new(BooleanQuery::new(languages)),
        };
        if parsed.excluded.is_empty() {
            return Some(text);
        }
        let mut clauses = vec![(Occur::Must, text)];
        clauses.extend(self.exclusions(parsed));
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// The words and phrases the query excludes ("-word"), each as a `MustNot` clause.
    fn exclusions(&self, parsed: &ParsedQuery) -> Vec<(Occur, Box<dyn Query>)> {
        parsed
            .excluded
            .iter()
            .filter_map(|atom| self.atom_query(atom))
            .map(|q| -> (Occur, Box<dyn Query>) {
                (Occur::MustNot, Box::new(crate::hybrid::Excluded(q)))
            })
            .collect()
    }

    fn slot_query(&self, slot: &[Atom]) -> Option<Box<dyn Query>> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = slot
            .iter()
            .filter_map(|a| self.atom_query(a))
            .map(|q| (Occur::Should, q))
            .collect();
        match alternatives.len() {
            0 => None,
            1 => alternatives.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(alternatives))),
        }
    }

    /// One word or phrase in every language field (its own analyzer each), the best field
    /// counting; a prefix in the unstemmed field.
    fn atom_query(&self, atom: &Atom) -> Option<Box<dyn Query>> {
        match atom {
            Atom::Prefix(prefix) => {
                let terms = self.analyze(self.fields.exact, prefix);
                if terms.is_empty() {
                    return None;
                }
                let mut q = PhrasePrefixQuery::new_with_offset(terms);
                q.set_max_expansions(PREFIX_EXPANSIONS);
                Some(Box::new(q))
            }
            Atom::Word(text) | Atom::Phrase(text) => {
                let mut per_field: Vec<Box<dyn Query>> = Vec::new();
                let live = self.live_text_fields();
                let fields = live
                    .iter()
                    .map(|f| (*f, 1.0))
                    .chain([(self.fields.exact, EXACT_BOOST)]);
                // Only the fields that hold every term: a word is usually in one or two
                // languages, and each empty field would still widen the union every hit
                // goes through.
                let searcher = self.reader.searcher();
                let mut analyzed = false;
                // Whether a language's analyzer leaves nothing of the text (its stop
                // words): then only the unstemmed field finds it in that language.
                let mut dropped = false;
                let mut scoring_only: Option<Box<dyn Query>> = None;
                for (field, boost) in fields {
                    let terms = self.analyze(field, text);
                    analyzed |= !terms.is_empty();
                    dropped |= terms.is_empty() && field != self.fields.exact;
                    if terms
                        .iter()
                        .any(|(_, term)| searcher.doc_freq(term).unwrap_or(1) == 0)
                    {
                        continue;
                    }
                    let q: Box<dyn Query> = match terms.len() {
                        0 => continue,
                        1 => match terms.into_iter().next() {
                            Some((_, term)) => {
                                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                            }
                            None => continue,
                        },
                        _ => Box::new(PhraseQuery::new_with_offset(terms)),
                    };
                    let phrase = field == self.fields.exact && !dropped && q.is::<PhraseQuery>();
                    let q = if boost == 1.0 {
                        q
                    } else {
                        Box::new(BoostQuery::new(q, boost))
                    };
                    if phrase && !per_field.is_empty() {
                        scoring_only = Some(q);
                    } else {
                        per_field.push(q);
                    }
                }
                if let Some(exact) = scoring_only {
                    let matching: Box<dyn Query> = match per_field.len() {
                        1 => per_field.pop()?,
                        _ => Box::new(DisjunctionMaxQuery::with_tie_breaker(
                            per_field,
                            assist::TIE_BREAKER,
                        )),
                    };
                    return Some(Box::new(assist::Assisted::new(matching, exact)));
                }
                match per_field.len() {
                    // Nothing is left for a word that only stop-word lists drop.
                    0 if !analyzed => None,
                    // A word no passage holds matches nothing (it is not dropped).
                    0 => Some(Box::new(EmptyQuery)),
                    1 => per_field.pop(),
                    _ => Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(
                        per_field,
                        assist::TIE_BREAKER,
                    ))),
                }
            }
        }
    }

    /// What a passage matching every typed word once typically scores: for each word or
    /// phrase, the sum of its terms' IDFs in the language field where that sum is highest.
    fn typical_score(&self, slots: &[Vec<Atom>]) -> f32 {
        let searcher = self.reader.searcher();
        let Ok(statistics) = FairStatistics::new(self, &searcher) else {
            return 1.0;
        };
        let total = statistics.total_num_docs().unwrap_or(1).max(1) as f32;
        let live = self.live_text_fields();
        let mut sum = 0.0;
        for atom in slots.iter().flatten() {
            let (Atom::Word(text) | Atom::Phrase(text) | Atom::Prefix(text)) = atom;
            let mut best: f32 = 0.0;
            for field in live.iter() {
                let field_sum: f32 = self
                    .analyze(*field, text)
                    .into_iter()
                    .map(|(_, term)| statistics.doc_freq(&term).unwrap_or(0) as f32)
                    .filter(|df| *df > 0.0)
                    .map(|df| (1.0 + (total - df + 0.5) / (df + 0.5)).ln())
                    .sum();
                best = best.max(field_sum);
            }
            sum += best;
        }
        // BM25's term-frequency part for one occurrence in a short passage
        // ((k1 + 1) / (1 + k1 (1 - b)) with k1 = 1.2, b = 0.75): passages are short.
        const ONE_OCCURRENCE: f32 = 2.2 / 1.3;
        if sum > 0.0 { sum * ONE_OCCURRENCE } else { 1.0 }
    }

    /// A glossary equivalent, matched as written (folded, not stemmed): stemming a term
    /// from another language's list finds false friends ("cifrado" and "cifras").
    fn exact_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let terms = self.analyze(self.fields.exact, text);
        match terms.len() {
            0 => None,
            1 => terms.into_iter().next().map(|(_, term)| {
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
            }),
            _ => Some(Box::new(PhraseQuery::new_with_offset(terms))),
        }
    }

    fn analyze(&self, field: Field, text: &str) -> Vec<(usize, Term)> {
        self.query_cache.analyzed(field, text, || {
            let Ok(mut analyzer) = self.index.tokenizer_for_field(field) else {
                return Vec::new();
            };
            let mut stream = analyzer.token_stream(text);
            let mut terms = Vec::new();
            while let Some(token) = stream.next() {
                terms.push((token.position, Term::from_field_text(field, &token.text)));
            }
            // Offsets relative to the first kept word, so a leading stop word does not shift.
            let first = terms.first().map_or(0, |(p, _)| *p);
            terms.into_iter().map(|(p, t)| (p - first, t)).collect()
        })
    }

    fn fold(&self, text: &str) -> Vec<String> {
        self.analyze(self.fields.exact, text)
            .into_iter()
            .filter_map(|(_, t)| t.value().as_str().map(str::to_string))
            .collect()
    }

    /// Each glossary entry as its terms' folded words and their original text (folded
    /// once per catalog).
    fn glossary_terms(&self) -> std::sync::Arc<crate::cache::Glossary> {
        let catalog = self.catalog();
        self.query_cache.glossary(&catalog, || {
            catalog
                .calls
                .iter()
                .flat_map(|c| c.glossary.iter())
                .map(|entry| {
                    entry
                        .all()
                        .map(|(_, term)| (self.fold(term), term.to_string()))
                        .filter(|(words, _)| !words.is_empty())
                        .collect()
                })
                .collect()
        })
    }

    /// The longest run of typed words from slot `start` that is a glossary term: where it
    /// ends and the entry's other terms.
    fn glossary_match(
        &self,
        slots: &[Vec<Atom>],
        start: usize,
        glossary: &[Vec<(Vec<String>, String)>],
    ) -> Option<(usize, Vec<String>)> {
        let mut best: Option<(usize, Vec<String>)> = None;
        let mut words: Vec<String> = Vec::new();
        for (end, slot) in slots.iter().enumerate().skip(start) {
            let text = match slot.as_slice() {
                [Atom::Word(w)] | [Atom::Phrase(w)] => w,
                _ => break,
            };
            words.extend(self.fold(text));
            for entry in glossary {
                if entry.iter().any(|(folded, _)| *folded == words) {
                    let others = entry
                        .iter()
                        .filter(|(folded, _)| *folded != words)
                        .map(|(_, original)| original.clone())
                        .collect();
                    best = Some((end + 1, others));
                }
            }
        }
        best
    }
}

fn merge_filters(request: &SearchRequest, parsed: &ParsedQuery) -> Result<(SearchRequest, bool)> {
    let mut effective = request.clone();
    let mut contradiction = false;
    // Returns whether the inline value contradicts the parameter already set.
    let set = |slot: &mut Option<String>, value: &str| match slot {
        Some(existing) if !existing.eq_ignore_ascii_case(value) => true,
        _ => {
            *slot = Some(value.to_string());
            false
        }
    };
    for (name, value) in &parsed.filters {
        match name.as_str() {
            "question" => {
                let n: u32 = value.parse().map_err(|_| Error::Query {
                    message: format!(
                        "`question:{value}` must be a question number, e.g. question:7"
                    ),
                })?;
                match effective.question {
                    Some(existing) if existing != n => contradiction = true,
                    _ => effective.question = Some(n),
                }
            }
            "category" => contradiction |= set(&mut effective.category, value),
            "country" => contradiction |= set(&mut effective.country, value),
            "mentioned" => contradiction |= set(&mut effective.mentioned, value),
            "lang" => contradiction |= set(&mut effective.lang, value),
            "kind" => contradiction |= set(&mut effective.kind, value),
            "call" => contradiction |= set(&mut effective.call, value),
            "submitter" => contradiction |= set(&mut effective.submitter, value),
            "key" => {
                let key = value.trim() == "true";
                match effective.key {
                    Some(existing) if existing != key => contradiction = true,
                    _ => effective.key = Some(key),
                }
            }
            _ => {}
        }
    }
    Ok((effective, contradiction))
}

/// BM25 statistics per language: each language field's document frequencies and lengths
/// are scaled to the whole index, as if every passage were in that language.
pub(crate) struct FairStatistics<'a> {
    searcher: &'a Searcher,
    total: u64,
    /// What the searcher's segments hold per language field, read once per generation.
    counts: std::sync::Arc<FieldCounts>,
}

/// Per language field, the documents holding it and (once a search asked) its tokens in
/// all: the same for every search of a searcher generation.
#[derive(Default)]
pub(crate) struct FieldCounts {
    docs: BTreeMap<Field, u64>,
    tokens: std::sync::Mutex<BTreeMap<Field, u64>>,
    /// The passages holding each term searched lately: a term's count is a lookup in
    /// every segment's dictionary, made for its weight and again for its snippets.
    doc_freqs: crate::cache::Recent<Term, u64, DOC_FREQS>,
}

/// Terms whose passage counts a searcher generation keeps; beyond, it starts over.
const DOC_FREQS: usize = 65_536;

impl FieldCounts {
    /// How many passages of `searcher` hold `term` (`searcher` being of the generation
    /// these counts were read in).
    pub(crate) fn doc_freq(&self, searcher: &Searcher, term: &Term) -> tantivy::Result<u64> {
        self.doc_freqs
            .get_or_try_make(term, || searcher.doc_freq(term))
    }
}

impl<'a> FairStatistics<'a> {
    pub(crate) fn new(index: &PassageIndex, searcher: &'a Searcher) -> tantivy::Result<Self> {
        let generation = searcher.generation().generation_id();
        let counts = index.query_cache.field_counts(generation, || {
            let mut docs = BTreeMap::new();
            for (code, field) in &index.fields.text {
                let term = Term::from_field_text(index.fields.field_code, code);
                docs.insert(*field, searcher.doc_freq(&term)?);
            }
            Ok(FieldCounts {
                docs,
                tokens: std::sync::Mutex::default(),
                doc_freqs: crate::cache::Recent::default(),
            })
        })?;
        Ok(FairStatistics {
            searcher,
            total: searcher.num_docs(),
            counts,
        })
    }

    /// How many passages hold `term`, unscaled.
    pub(crate) fn raw_doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.counts.doc_freq(self.searcher, term)
    }

    fn scale(&self, field: Field, value: u64) -> u64 {
        match self.counts.docs.get(&field) {
            Some(&n) if n > 0 => {
                let scaled = (value as f64) * (self.total as f64) / (n as f64);
                scaled.round().min(u64::MAX as f64) as u64
            }
            _ => value,
        }
    }

    /// The field's tokens in all the searcher's segments, summed once per generation.
    fn tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Ok(kept) = self.counts.tokens.lock()
            && let Some(&n) = kept.get(&field)
        {
            return Ok(n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        if let Ok(mut kept) = self.counts.tokens.lock() {
            kept.insert(field, n);
        }
        Ok(n)
    }
}

impl Bm25StatisticsProvider for FairStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Ok(self.scale(field, self.tokens(field)?))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.total)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let df = self.counts.doc_freq(self.searcher, term)?;
        Ok(self.scale(term.field(), df).min(self.total).max(df.min(1)))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use cfi_core::{Kind, Passage, Submission};
    use proptest::prelude::*;
    use tantivy::collector::TopDocs;

    use crate::{PassageIndex, SubmissionInfo};

    /// Words of three languages, with forms that stem alike ("encrypted", "encryption"),
    /// words several languages share ("national", "police"), a stop word of one of them
    /// ("les") and a word no passage holds.
    const WORDS: [&str; 24] = [
        "encryption",
        "encrypted",
        "chiffrement",
        "cifrado",
        "children",
        "enfants",
        "niños",
        "abuse",
        "abuso",
        "détection",
        "detección",
        "detection",
        "national",
        "police",
        "images",
        "platforms",
        "plateformes",
        "plataformas",
        "reports",
        "reporting",
        "données",
        "datos",
        "les",
        "zebra",
    ];
    const LANGUAGES: [&str; 3] = ["en", "fr", "es"];

    /// Sixty passages of random words (of every language) in one of three languages,
    /// the same at every run.
    static INDEX: LazyLock<(tempfile::TempDir, PassageIndex)> = LazyLock::new(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PassageIndex::open(dir.path()).expect("open");
        let mut batch = index.batch().expect("batch");
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut passages = Vec::new();
        for n in 0..60 {
            let language = LANGUAGES[next(LANGUAGES.len())];
            let length = 3 + next(9);
            // The last word is held by no passage.
            let words: Vec<&str> = (0..length).map(|_| WORDS[next(WORDS.len() - 1)]).collect();
            passages.push(Passage {
                id: format!("s-{n}"),
                ordinal: n,
                text: words.join(" "),
                heading: None,
                page: None,
                page_end: None,
                page_label: None,
                paragraph: n,
                language: Some(language.into()),
                duplicate_of: None,
                key: false,
                mentioned_countries: vec![],
                questions: vec![],
                opens_section: false,
            });
        }
        let submission = Submission {
            id: "s".into(),
            call: "c".into(),
            submitter: "Submitter".into(),
            category: "CSOs".into(),
            country: None,
            kind: Kind::Input,
            annex_of: None,
            version_of: None,
            file: "files/s.pdf".into(),
            language: None,
            confidential: false,
            received: None,
        };
        let info = SubmissionInfo {
            submission,
            path: "x".into(),
            pages: None,
            passages: passages.len() as u32,
            languages: vec![],
            problems: vec![],
        };
        batch.put_submission(info, &passages).expect("put");
        batch.commit().expect("commit");
        (dir, index)
    });

    proptest! {
        /// Several words as one conjunction per language find and score what the
        /// conjunction of per-word disjunctions over every field does.
        #[test]
        fn words_by_language_find_and_score_what_every_field_does(
            picked in proptest::collection::vec(0..WORDS.len(), 2..4),
            excluded in proptest::option::of(0..WORDS.len()),
        ) {
            let index = &INDEX.1;
            let mut text: Vec<String> = picked.iter().map(|&w| WORDS[w].to_string()).collect();
            if let Some(w) = excluded {
                text.push(format!("-{}", WORDS[w]));
            }
            let parsed = crate::query::parse(&text.join(" ")).expect("parse");
            let glossary = index.glossary_terms();
            // Queries it does not take (a stop word) go the other way: nothing to compare.
            let Some(split) = index.by_language(&parsed, &glossary) else {
                return Ok(());
            };
            let flat = index.across_fields(&parsed, false, &glossary);
            let searcher = index.reader.searcher();
            let top = TopDocs::with_limit(100).order_by_score();
            let mut want = searcher.search(&flat, &top).expect("flat");
            let mut got = searcher.search(&split, &top).expect("split");
            want.sort_by_key(|(_, d)| *d);
            got.sort_by_key(|(_, d)| *d);
            prop_assert_eq!(want.len(), got.len(), "{}", text.join(" "));
            for ((ws, wd), (gs, gd)) in want.iter().zip(&got) {
                prop_assert_eq!(wd, gd);
                prop_assert!((ws - gs).abs() <= 1e-5 * ws.abs().max(1.0), "{} against {}", ws, gs);
            }
        }
    }

    #[test]
    fn one_word_a_phrase_or_a_stop_word_goes_across_the_fields() {
        let index = &INDEX.1;
        let glossary = index.glossary_terms();
        for text in [
            "encryption",
            "\"national police\"",
            "encryption OR abuse",
            "les police",
        ] {
            let parsed = crate::query::parse(text).expect("parse");
            assert!(index.by_language(&parsed, &glossary).is_none(), "{text}");
        }
        let parsed = crate::query::parse("national police").expect("parse");
        assert!(index.by_language(&parsed, &glossary).is_some());
    }
}
