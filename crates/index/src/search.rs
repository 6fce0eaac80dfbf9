use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};

use std::sync::Arc;

use crate::cache::Shown;
use crate::facets::FacetCounts;
use crate::hybrid;
use crate::run::Run;
use crate::snippet::Snippets;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::writer::{PassageIndex, PassageRecord};
use crate::{Error, Result};

/// The largest page a search answers; deeper pages come through export.
pub const MAX_LIMIT: usize = 100;

/// A search: words and filters. Filters equal facet values; empty fields mean "any".
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query text (tantivy query syntax for now); empty matches every passage.
    pub q: String,
    /// Only passages tagged with this guiding question.
    pub question: Option<u32>,
    /// Only this call.
    pub call: Option<String>,
    /// Only this stakeholder category.
    pub category: Option<String>,
    /// Only submitters from this country.
    pub country: Option<String>,
    /// Only passages that mention this country.
    pub mentioned: Option<String>,
    /// Only passages in this language (ISO 639-1).
    pub lang: Option<String>,
    /// Only `input` or `annex` files.
    pub kind: Option<String>,
    /// Only this submitter.
    pub submitter: Option<String>,
    /// Only key quotes (`Some(true)`), or only the others (`Some(false)`).
    pub key: Option<bool>,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return (0 means the default, 20; capped at [`MAX_LIMIT`]).
    pub limit: usize,
    /// Whether confidential submissions may appear (staff only).
    pub include_confidential: bool,
    /// One hit per submission (its best passage), with the count of the others.
    pub group_by_submission: bool,
    /// Order of hits.
    pub sort: Sort,
    /// How much the ranking leans on meaning, from 0 (the words only, BM25) to 1 (the
    /// query's vector only); between, the two rankings are fused (default
    /// [`DEFAULT_SEMANTIC`](crate::DEFAULT_SEMANTIC)). A query without words, or with
    /// none the model knows, is searched by its words alone.
    pub semantic: f32,
}

impl Default for SearchRequest {
    fn default() -> SearchRequest {
        SearchRequest {
            q: String::new(),
            question: None,
            call: None,
            category: None,
            country: None,
            mentioned: None,
            lang: None,
            kind: None,
            submitter: None,
            key: None,
            offset: 0,
            limit: 0,
            include_confidential: false,
            group_by_submission: false,
            sort: Sort::Relevance,
            semantic: crate::DEFAULT_SEMANTIC,
        }
    }
}

/// Whether a query leaves out the passages later versions repeat from their first version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Versions {
    /// Searches and counts: each repeated passage once, under its first version.
    Folded,
    /// Reading one file: every passage it holds.
    All,
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// By submitter name, then position in the submission.
    Submitter,
    /// By date received, earliest first, then submitter.
    Received,
}

/// Share of five-word shingles two passages must have in common to count as the same text:
/// 4/5, as a fraction so that the test is exact.
const NEAR_DUPLICATE: (usize, usize) = (4, 5);

/// Hashes of the text's five-word windows (folded to lowercase), sorted, each once. Words
/// are hashed as they are read (FNV-1a over their lowercase characters), with no string
/// made for any: this runs for every hit of every page.
pub(crate) fn shingle_set(text: &str) -> Vec<u64> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let words: Vec<u64> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut h = OFFSET;
            for c in w.chars().flat_map(char::to_lowercase) {
                h = (h ^ u64::from(c)).wrapping_mul(PRIME);
            }
            h
        })
        .collect();
    let window = |w: &[u64]| {
        w.iter().fold(OFFSET, |h, &word| {
            (h ^ word).wrapping_mul(PRIME).rotate_left(29)
        })
    };
    let mut set: Vec<u64> = if words.len() < 5 {
        vec![window(&words)]
    } else {
        words.windows(5).map(window).collect()
    };
    set.sort_unstable();
    set.dedup();
    set
}

/// Whether two [`shingle_set`]s share at least [`NEAR_DUPLICATE`] of all their windows
/// (Jaccard). Every pair of a page's hits is compared: sets whose sizes alone rule it out
/// are not merged, and a merge stops once the windows left cannot reach the share.
fn near_duplicates(a: &[u64], b: &[u64]) -> bool {
    let (p, q) = NEAR_DUPLICATE;
    let (small, large) = (a.len().min(b.len()), a.len().max(b.len()));
    // |A ∩ B| ≤ small and |A ∪ B| ≥ large.
    if large == 0 || q * small < p * large {
        return false;
    }
    // common / (|A| + |B| - common) ≥ p / q  ⇔  (p + q) · common ≥ p · (|A| + |B|).
    let needed = p * (a.len() + b.len());
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        let reachable = common + (a.len() - i).min(b.len() - j);
        if (p + q) * reachable < needed {
            return false;
        }
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (p + q) * common >= needed
}

fn add_counts(into: &mut FacetDistribution, more: FacetDistribution) {
    for (facet, values) in more {
        let counts = into.entry(facet).or_default();
        for (value, n) in values {
            *counts.entry(value).or_default() += n;
        }
    }
}

/// Hits scanned at most when grouping or sorting by something other than relevance.
const SCAN_LIMIT: usize = 10_000;

/// One hit: a passage with its submission, and the fragment that shows why it matched.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The stored passage and submission.
    pub record: PassageRecord,
    /// Relevance score (BM25).
    pub score: f32,
    /// The best fragment and the matched words in it.
    pub snippet: crate::Snippet,
    /// When grouping by submission: how many other passages of it matched.
    pub others: usize,
    /// Submitters of near-identical passages folded into this hit.
    pub also_in: Vec<String>,
    /// The other files of its submission holding this passage (the same answer sent as
    /// DOCX and PDF): word for word, or nearly so where both came up on this page of
    /// hits (a PDF read a little differently from its DOCX). Each is this hit, not one of
    /// its own.
    pub versions: Vec<PassageVersion>,
}

/// A hit's passage as another file of its submission holds it: where to open it there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassageVersion {
    /// The file's submission id.
    pub submission: String,
    /// The file as the manifest names it.
    pub file: String,
    /// The passage's id in that file.
    pub passage: String,
    /// Its first page in that file, for paged formats.
    pub page: Option<u32>,
    /// Its last page there, when it spans pages.
    pub page_end: Option<u32>,
    /// Its language (ISO 639-1), as detected in that file.
    pub language: Option<String>,
}

impl PassageVersion {
    /// Where a stored passage sits in its file.
    pub(crate) fn of(record: PassageRecord) -> PassageVersion {
        let PassageRecord {
            passage,
            submission,
        } = record;
        PassageVersion {
            submission: submission.id,
            file: submission.file,
            passage: passage.id,
            page: passage.page,
            page_end: passage.page_end,
            language: passage.language,
        }
    }
}

/// Counts of hits per facet value, per facet name.
pub type FacetDistribution = BTreeMap<String, BTreeMap<String, u64>>;

/// A page of hits, the total, and the facet counts of the whole result set.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The hits of this page, best first.
    pub hits: Vec<Hit>,
    /// Hits in all: the passages the words match, and in a hybrid search also the
    /// passages closest in meaning that were fused into the ranking (at least the 100
    /// closest under the filters, more on deeper pages).
    pub total: usize,
    /// Of `total`, the passages found by meaning that the words do not match (0 when
    /// searching by words only).
    pub semantic_hits: usize,
    /// Facet counts over all hits (the passages `total` counts); estimated from a sample
    /// beyond [`crate::EXACT_FACET_HITS`] hits (see `facets_estimated`).
    pub facets: FacetDistribution,
    /// Whether some facet counts are estimates (the search had more hits than are
    /// counted exactly); `total` is exact either way.
    pub facets_estimated: bool,
    /// When the query found nothing and a near spelling did: the query that was run instead.
    pub did_you_mean: Option<String>,
    /// When no passage had all the words: these hits have most of them.
    pub relaxed: bool,
}

/// The facets counted for every search (the keys of [`SearchResults::facets`]).
pub const COUNTED: [&str; 6] = [
    "question",
    "category",
    "country",
    "mentioned",
    "language",
    "kind",
];

impl PassageIndex {
    /// Runs a search: by words, and by meaning as `request.semantic` asks (see
    /// [`SearchResults`] for what a hybrid search counts).
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        crate::hybrid::check_semantic(request)?;
        let (results, words) = self.search_once(request, false)?;
        if words > 0 {
            return Ok(results);
        }
        // The words matched nothing: try the closest spelling the passages use, then most
        // of the words (the passages found by meaning stay beside them).
        if let Some(suggestion) = self.suggest(request)? {
            let retry = SearchRequest {
                q: suggestion.clone(),
                ..request.clone()
            };
            let (mut corrected, words) = self.search_once(&retry, false)?;
            if words > 0 {
                corrected.did_you_mean = Some(suggestion);
                return Ok(corrected);
            }
        }
        // No passage has every word: show those with most of them, and say so.
        if self.compile(request)?.relaxable {
            let (mut relaxed, words) = self.search_once(request, true)?;
            if words > 0 {
                relaxed.relaxed = true;
                return Ok(relaxed);
            }
        }
        Ok(results)
    }

    /// One search, and how many passages its words matched.
    fn search_once(
        &self,
        request: &SearchRequest,
        relaxed: bool,
    ) -> Result<(SearchResults, usize)> {
        let searcher = self.reader.searcher();
        let compiled = self.compile_with(request, relaxed)?;
        let text_query = compiled.text.box_clone();
        let statistics = crate::compile::FairStatistics::new(self, &searcher)
            .map_err(|source| self.err(source))?;
        let limit = match request.limit {
            0 => 20,
            n => n.min(MAX_LIMIT),
        };
        let plain = !request.group_by_submission && request.sort == Sort::Relevance;
        let grouped = request.group_by_submission && request.sort == Sort::Relevance;
        // By meaning: the passages closest to the query under the same filters.
        // A facet under a filter counts as if that filter were off, so the other values
        // stay visible and clickable (the questions list keeps all nine counts).
        let withouts: Vec<(&str, SearchRequest)> = if compiled.contradiction {
            Vec::new()
        } else {
            COUNTED
                .iter()
                .filter_map(|&name| {
                    let mut without = compiled.effective.clone();
                    let active = match name {
                        "question" => without.question.take().is_some(),
                        "category" => without.category.take().is_some(),
                        "country" => without.country.take().is_some(),
                        "mentioned" => without.mentioned.take().is_some(),
                        "language" => without.lang.take().is_some(),
                        "kind" => without.kind.take().is_some(),
                        _ => false,
                    };
                    active.then_some((name, without))
                })
                .collect()
        };
        let meaning = self.meaning(request, &compiled);
        let depth = hybrid::depth(request);
        // The passages closest in meaning under the filters, and under each facet's filter
        // lifted, the sketches compared once for all.
        let (near, mut near_without): (_, Vec<_>) = match &meaning {
            Some(vector) => {
                let mut filters = vec![self.meaning_filter(&compiled, &compiled.effective)];
                for (_, without) in &withouts {
                    filters.push(self.meaning_filter(&compiled, without));
                }
                let refs: Vec<&crate::nearest::MeaningFilter> = filters.iter().collect();
                let mut found = self
                    .nearest_each(&searcher, &refs, vector, depth)?
                    .into_iter();
                (found.next().unwrap_or_default(), found.collect())
            }
            None => (Vec::new(), Vec::new()),
        };
        let is_hybrid = !near.is_empty();
        // What the search counts: the words' matches, and the passages found by meaning.
        let query = hybrid::union(compiled.full.box_clone(), &searcher, &near);
        let err = |source| self.err(source);
        let mut groups = Vec::new();
        let mut ranked: Vec<(f32, DocAddress)> = Vec::new();
        // In a hybrid search, the passages the words matched, when all of them were ranked:
        // a hit outside them was found by meaning alone, and its snippet needs no word
        // highlighting (two passes of the analyzers over its text that would find nothing).
        let mut by_words: Option<std::collections::HashSet<DocAddress>> = None;
        let words_total;
        let columns = &self.query_cache.facet_columns;
        // Set when a facet count over a huge hit set was estimated.
        let estimated = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (mut total, mut facets);
        if plain && is_hybrid {
            // The passages found by meaning that the words do not match are noted as the
            // words' hits go by: what meaning adds to the counts.
            let (top, (words, counts), alone) = searcher
                .run_with_statistics(
                    &*compiled.full,
                    &(
                        TopDocs::with_limit(depth).order_by_score(),
                        FacetCounts::new(&COUNTED, &searcher, columns, &estimated),
                        hybrid::ByMeaningAlone::new(&searcher, &near),
                    ),
                    &statistics,
                )
                .map_err(err)?;
            let (more, more_counts) = searcher
                .run(
                    &hybrid::Candidates::of(&searcher, alone),
                    &FacetCounts::new(&COUNTED, &searcher, columns, &estimated),
                )
                .map_err(err)?;
            words_total = words;
            total = words + more;
            facets = counts;
            add_counts(&mut facets, more_counts);
            if words <= depth {
                by_words = Some(top.iter().map(|(_, address)| *address).collect());
            }
            ranked = hybrid::fuse(&top, &near, request.semantic);
        } else if grouped {
            // Pairs, not a MultiCollector: every hit goes through both without dynamic calls.
            let (found, counts) = searcher
                .run_with_statistics(
                    &*query,
                    &(
                        crate::group::BySubmission,
                        FacetCounts::new(&COUNTED, &searcher, columns, &estimated),
                    ),
                    &statistics,
                )
                .map_err(err)?;
            groups = found;
            (total, facets) = counts;
            words_total = if is_hybrid {
                // Submissions in the order of their best passage in the fused ranking.
                let (top, words) = searcher
                    .run_with_statistics(
                        &*compiled.full,
                        &(TopDocs::with_limit(depth).order_by_score(), Count),
                        &statistics,
                    )
                    .map_err(err)?;
                let fused = hybrid::fuse(&top, &near, request.semantic);
                self.order_groups(&searcher, &mut groups, &fused)?;
                words
            } else {
                total
            };
        } else {
            let top = if plain {
                TopDocs::with_limit(limit)
                    .and_offset(request.offset)
                    .order_by_score()
            } else {
                TopDocs::with_limit(SCAN_LIMIT).order_by_score()
            };
            let (top, counts) = searcher
                .run_with_statistics(
                    &*query,
                    &(
                        top,
                        FacetCounts::new(&COUNTED, &searcher, columns, &estimated),
                    ),
                    &statistics,
                )
                .map_err(err)?;
            ranked = top;
            (total, facets) = counts;
            words_total = if is_hybrid {
                searcher.run(&*compiled.full, &Count).map_err(err)?
            } else {
                total
            };
        }
        // Passages counted that only their meaning brought in.
        let semantic_hits = total.saturating_sub(words_total);
        for (i, &(name, ref without)) in withouts.iter().enumerate() {
            let query = self.filtered(compiled.text.box_clone(), without);
            let (_, mut counts) = searcher
                .run(
                    &*query,
                    &FacetCounts::new(&[name], &searcher, columns, &estimated),
                )
                .map_err(err)?;
            let near = near_without
                .get_mut(i)
                .map(std::mem::take)
                .unwrap_or_default();
            if !near.is_empty() {
                let extra = hybrid::only_near(compiled.text.box_clone(), &searcher, &near);
                let (_, more) = searcher
                    .run(
                        &*extra,
                        &FacetCounts::new(&[name], &searcher, columns, &estimated),
                    )
                    .map_err(err)?;
                add_counts(&mut counts, more);
            }
            facets.insert(name.to_string(), counts.remove(name).unwrap_or_default());
        }
        let mut page: Vec<(f32, Arc<Shown>, usize)> = Vec::new();
        // Hits of the page found by meaning alone, by position on the page.
        let mut meaning_only: Vec<bool> = Vec::new();
        if plain && is_hybrid {
            for (score, address) in ranked.into_iter().skip(request.offset).take(limit) {
                meaning_only.push(by_words.as_ref().is_some_and(|w| !w.contains(&address)));
                page.push((score, self.shown(&searcher, address)?, 0));
            }
        } else if plain {
            for (score, address) in ranked {
                page.push((score, self.shown(&searcher, address)?, 0));
            }
        } else if grouped {
            // Every submission's best passage, over all hits; read only the page's passages.
            total = groups.len();
            for group in groups.into_iter().skip(request.offset).take(limit) {
                page.push((
                    group.score,
                    self.shown(&searcher, group.best)?,
                    group.others,
                ));
            }
        } else {
            let mut all: Vec<(f32, Arc<Shown>, usize)> = Vec::new();
            let mut group_of: BTreeMap<String, usize> = BTreeMap::new();
            for (score, address) in ranked {
                // Up to SCAN_LIMIT passages: read past the cache of passages shown, which
                // they would only flush.
                let shown = Arc::new(Shown::new(self.read_record(&searcher, address)?));
                let record = &shown.record;
                if request.group_by_submission {
                    // Annexes and later versions are part of their submission.
                    if let Some(&at) = group_of.get(record.submission.key()) {
                        if let Some(group) = all.get_mut(at) {
                            group.2 += 1;
                        }
                        continue;
                    }
                    group_of.insert(record.submission.key().to_string(), all.len());
                }
                all.push((score, shown, 0));
            }
            match request.sort {
                Sort::Relevance => {}
                Sort::Submitter => all.sort_by(|a, b| {
                    let (a, b) = (&a.1.record, &b.1.record);
                    (&a.submission.submitter, a.passage.ordinal)
                        .cmp(&(&b.submission.submitter, b.passage.ordinal))
                }),
                Sort::Received => all.sort_by(|a, b| {
                    let (a, b) = (&a.1.record, &b.1.record);
                    (
                        a.submission.received,
                        &a.submission.submitter,
                        a.passage.ordinal,
                    )
                        .cmp(&(
                            b.submission.received,
                            &b.submission.submitter,
                            b.passage.ordinal,
                        ))
                }),
            }
            if request.group_by_submission {
                total = all.len();
            }
            page = all.into_iter().skip(request.offset).take(limit).collect();
        }
        let mut snippets = Snippets::new(&searcher, &*text_query, self, meaning.as_ref())?;
        let mut hits: Vec<Hit> = Vec::with_capacity(page.len());
        let mut shingles: Vec<Arc<Shown>> = Vec::with_capacity(page.len());
        for (at, (score, shown, others)) in page.into_iter().enumerate() {
            // The same paragraph sent by several members of a coalition: fold it into the
            // first (best) hit and say where else it appears.
            let record = shown.record.clone();
            let twin = hits.iter().zip(&shingles).position(|(hit, theirs)| {
                hit.record.submission.id != record.submission.id
                    && near_duplicates(shown.shingles(), theirs.shingles())
            });
            if let Some(hit) = twin.and_then(|i| hits.get_mut(i)) {
                // Another file of the same submission (a PDF read a little differently
                // from its DOCX) is a version of it, not another submitter saying it too.
                if hit.record.submission.kind == cfi_core::Kind::Input
                    && record.submission.kind == cfi_core::Kind::Input
                    && hit.record.submission.key() == record.submission.key()
                {
                    hit.versions.push(PassageVersion::of(record));
                } else {
                    hit.also_in.push(record.submission.submitter.clone());
                }
                continue;
            }
            let by_meaning_alone = meaning_only.get(at).copied().unwrap_or(false);
            let snippet = snippets.make(&shown, !by_meaning_alone);
            hits.push(Hit {
                record,
                score,
                snippet,
                others,
                also_in: Vec::new(),
                versions: Vec::new(),
            });
            shingles.push(shown);
        }
        // The page's hits named in their submissions' other files, in one query.
        let ids: Vec<&str> = hits.iter().map(|h| h.record.passage.id.as_str()).collect();
        let mut versions = self.versions_of(&searcher, &ids, request.include_confidential)?;
        for hit in &mut hits {
            let mut found = versions.remove(&hit.record.passage.id).unwrap_or_default();
            found.append(&mut hit.versions);
            hit.versions = found;
        }
        let results = SearchResults {
            hits,
            total,
            semantic_hits,
            facets_estimated: estimated.load(std::sync::atomic::Ordering::Relaxed),
            facets,
            did_you_mean: None,
            relaxed: false,
        };
        Ok((results, words_total))
    }

    /// `text` under the request's filters, confidential passages left out unless asked
    /// for, and the passages later versions repeat folded into their first version's.
    pub(crate) fn filtered(&self, text: Box<dyn Query>, r: &SearchRequest) -> Box<dyn Query> {
        self.filtered_as(text, r, Versions::Folded)
    }

    pub(crate) fn filtered_as(
        &self,
        text: Box<dyn Query>,
        r: &SearchRequest,
        versions: Versions,
    ) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        let catalog = self.catalog();
        let canonical = |value: &str, pick: &dyn Fn(&cfi_core::Submission) -> Option<String>| {
            catalog
                .submissions
                .iter()
                .filter_map(|s| pick(&s.submission))
                .find(|v| v.eq_ignore_ascii_case(value.trim()))
                .unwrap_or_else(|| value.trim().to_string())
        };
        let mut facet = |name: &str, value: String| {
            if let Some(field) = f.facet(name) {
                let term = Term::from_facet(field, &Facet::from_path([value]));
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        };
        if let Some(n) = r.question {
            facet("question", n.to_string());
        }
        if let Some(v) = &r.call {
            facet("call", v.trim().to_string());
        }
        if let Some(v) = &r.category {
            facet("category", canonical(v, &|s| Some(s.category.clone())));
        }
        if let Some(v) = &r.country {
            facet("country", canonical(v, &|s| s.country.clone()));
        }
        if let Some(v) = &r.mentioned {
            facet("mentioned", crate::search::canonical_country(v));
        }
        if let Some(v) = &r.submitter {
            facet("submitter", canonical(v, &|s| Some(s.submitter.clone())));
        }
        if let Some(v) = &r.lang {
            facet("language", v.trim().to_lowercase());
        }
        if let Some(v) = &r.kind {
            facet("kind", v.trim().to_lowercase());
        }
        if let Some(key) = r.key {
            let term: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_u64(f.key, 1),
                IndexRecordOption::Basic,
            ));
            clauses.push((if key { Occur::Must } else { Occur::MustNot }, term));
        }
        // Confidential passages and folded repeats, as one exclusion answered from bits
        // kept per segment (`hidden.rs`).
        let mut hidden: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !r.include_confidential {
            hidden.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.confidential, 1),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let fold = versions == Versions::Folded;
        if fold {
            hidden.push((Occur::Should, self.folded(&catalog, r.include_confidential)));
        }
        if !hidden.is_empty() {
            clauses.push((
                Occur::MustNot,
                Box::new(crate::hidden::Hidden::new(
                    Box::new(BooleanQuery::new(hidden)),
                    (r.include_confidential, fold),
                    Arc::clone(&catalog),
                    Arc::clone(&self.query_cache.hidden),
                )),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The passages a search leaves out as repeats: those a later version repeats from a
    /// first version the caller sees (`Catalog::folds`). Where the caller cannot see the
    /// first version, its later versions' copies stay, so no passage vanishes.
    fn folded(&self, catalog: &crate::Catalog, include_confidential: bool) -> Box<dyn Query> {
        let f = &self.fields;
        let folded: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_u64(f.folded, 1),
            IndexRecordOption::Basic,
        ));
        let unfolded = catalog.unfolded_firsts(include_confidential);
        if unfolded.is_empty() {
            return folded;
        }
        let mut clauses = vec![(Occur::Must, folded)];
        for first in unfolded {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.submission_key, first),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    pub(crate) fn record(&self, searcher: &Searcher, address: DocAddress) -> Result<PassageRecord> {
        Ok(self.shown(searcher, address)?.record.clone())
    }

    /// The passage at `address`, parsed once and kept while it is shown often.
    pub(crate) fn shown(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<std::sync::Arc<crate::cache::Shown>> {
        let segment = searcher.segment_reader(address.segment_ord).segment_id();
        self.query_cache.shown(segment, address.doc_id, || {
            self.read_record(searcher, address)
        })
    }

    /// The passage at `address`, read from its segment (bulk reads: no cache).
    pub(crate) fn read_record(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<PassageRecord> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|source| self.err(source))?;
        let json = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Record("no stored record".into()))?;
        serde_json::from_str(json).map_err(|e| Error::Record(e.to_string()))
    }
}

impl PassageIndex {
    /// Every passage, in submission and passage order; confidential ones only when asked.
    pub fn all_records(&self, include_confidential: bool) -> Result<Vec<PassageRecord>> {
        self.all_hits(&SearchRequest {
            include_confidential,
            ..Default::default()
        })
    }
}

impl PassageIndex {
    /// The query with each word that matches nothing replaced by the closest word the
    /// passages use (edit distance 1, or 2 for long words), if any changed.
    fn suggest(&self, request: &SearchRequest) -> Result<Option<String>> {
        let compiled = self.compile(request)?;
        if compiled.words.is_empty() {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let mut q = request.q.clone();
        let mut changed = false;
        for word in &compiled.words {
            let folded: String = word.to_lowercase();
            let exact = Term::from_field_text(self.fields.exact, &folded);
            if searcher
                .doc_freq(&exact)
                .map_err(|source| self.err(source))?
                > 0
            {
                continue;
            }
            let distance = if folded.chars().count() > 7 { 2 } else { 1 };
            let fuzzy = tantivy::query::FuzzyTermQuery::new(exact, distance, true);
            let query = self.filtered(Box::new(fuzzy), request);
            let top = searcher
                .run(&*query, &TopDocs::with_limit(10).order_by_score())
                .map_err(|source| self.err(source))?;
            let mut best: Option<(usize, usize, String)> = None;
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for (_, address) in top {
                let record = self.record(&searcher, address)?;
                for token in record.passage.text.split(|c: char| !c.is_alphanumeric()) {
                    let lower = token.to_lowercase();
                    let d = levenshtein(&lower, &folded);
                    if d <= distance as usize && !lower.is_empty() {
                        *counts.entry(lower).or_default() += 1;
                    }
                }
            }
            for (candidate, n) in counts {
                let d = levenshtein(&candidate, &folded);
                if best.as_ref().is_none_or(|(bd, bn, _)| {
                    (d, std::cmp::Reverse(n)) < (*bd, std::cmp::Reverse(*bn))
                }) {
                    best = Some((d, n, candidate));
                }
            }
            if let Some((_, _, candidate)) = best {
                q = q.replacen(word.as_str(), &candidate, 1);
                changed = true;
            }
        }
        Ok(changed.then_some(q))
    }
}

/// Edit distance between two words, in characters.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let value = (previous + usize::from(ca != *cb))
                .min(above + 1)
                .min(left + 1);
            previous = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The English name facets use for a country typed in any case ("brazil" -> "Brazil").
pub(crate) fn canonical_country(value: &str) -> String {
    let value = value.trim();
    let mut chars = value.chars();
    match chars.next() {
        Some(first) if value.chars().all(|c| !c.is_uppercase()) => {
            first.to_uppercase().chain(chars).collect()
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Jaccard over two sets, the plain way.
    fn jaccard(a: &[u64], b: &[u64]) -> f64 {
        let a: std::collections::BTreeSet<_> = a.iter().collect();
        let b: std::collections::BTreeSet<_> = b.iter().collect();
        let union = a.union(&b).count();
        if union == 0 {
            0.0
        } else {
            a.intersection(&b).count() as f64 / union as f64
        }
    }

    fn set(mut v: Vec<u64>) -> Vec<u64> {
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn near_duplicates_at_the_edge_of_four_fifths() {
        let a: Vec<u64> = (0..10).collect();
        // 8 shared of 10 + 10 - 8 = 12: 0.67; 9 of 11: 0.82; 8 of 10 (a subset): 0.8.
        assert!(!near_duplicates(&a, &set((2..12).collect())));
        assert!(near_duplicates(&a, &set((1..11).collect())));
        assert!(near_duplicates(&a, &set((0..8).collect())));
        assert!(!near_duplicates(&a, &set((0..7).collect())));
        assert!(!near_duplicates(&[], &[]));
        let text = "The same paragraph sent by several members of a coalition, word for word.";
        assert!(near_duplicates(
            &shingle_set(text),
            &shingle_set(&text.to_uppercase())
        ));
    }

    proptest::proptest! {
        #[test]
        fn near_duplicates_is_jaccard_at_least_four_fifths(
            a in proptest::collection::vec(0u64..40, 0..30),
            b in proptest::collection::vec(0u64..40, 0..30),
        ) {
            let (a, b) = (set(a), set(b));
            proptest::prop_assert_eq!(near_duplicates(&a, &b), jaccard(&a, &b) >= 0.8);
        }
    }
}
