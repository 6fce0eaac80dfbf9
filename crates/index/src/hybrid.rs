//! Search by meaning beside search by words, after Meilisearch's hybrid search: the
//! query's vector finds the passages closest in meaning under the same filters as the
//! words, and the two rankings are fused by weighted reciprocal rank fusion. What a
//! hybrid search counts (its total and facets) is the union of the passages its words
//! match and the passages its vector brought in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cfi_embed::TextKind;
use tantivy::index::SegmentId;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScorer, EmptyScorer, EnableScoring, Explanation, Occur, Query,
    Scorer, Weight,
};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

use crate::catalog::Catalog;
use crate::compile::Compiled;
use crate::vectors::{DocBits, Matching, SegmentVectors, VectorQuery, shortlist_len};
use crate::writer::PassageIndex;
use crate::{Error, Result, SearchRequest};

/// How much a search leans on meaning when the request does not say: 0 is words only
/// (BM25, as before vectors), 1 is vectors only (Meilisearch's `semanticRatio`).
pub const DEFAULT_SEMANTIC: f32 = 0.5;

/// Cosine similarity a passage must exceed to be brought in by the query's vector. The
/// default only keeps out passages pointing away from the query; a model whose unrelated
/// texts still score well above zero deserves a higher floor.
pub const MIN_SIMILARITY: f32 = 0.0;

/// The `k` of reciprocal rank fusion: a hit at rank r scores weight / (k + r).
const RRF_K: f32 = 60.0;

/// Fewest hits taken from each ranking into the fusion.
const FUSED_DEPTH: usize = 100;

/// Filter sets kept per index generation before the oldest are dropped.
const ALLOWED_SETS: usize = 64;

/// How many hits of each ranking a request fuses: max(100, offset + limit).
pub(crate) fn depth(request: &SearchRequest) -> usize {
    let limit = match request.limit {
        0 => 20,
        n => n.min(crate::MAX_LIMIT),
    };
    FUSED_DEPTH.max(request.offset.saturating_add(limit))
}

/// Refuses a `semantic` outside 0..=1.
pub(crate) fn check_semantic(request: &SearchRequest) -> Result<()> {
    if (0.0..=1.0).contains(&request.semantic) {
        Ok(())
    } else {
        Err(Error::Parameter {
            message: format!(
                "`semantic` must be from 0 (words only) to 1 (meaning only), got {}",
                request.semantic
            ),
        })
    }
}

/// Weighted reciprocal rank fusion of the ranking by words and the ranking by meaning
/// (each best first, with its scores): a passage scores (1 - semantic) / (k + its rank
/// by words) + semantic / (k + its rank by meaning), counting only the rankings it is in.
/// Equal scores share a rank; ties go to the better rank by words, then by meaning.
pub(crate) fn fuse(
    words: &[(Score, DocAddress)],
    meaning: &[(Score, DocAddress)],
    semantic: f32,
) -> Vec<(Score, DocAddress)> {
    let mut ranks: HashMap<DocAddress, (Option<usize>, Option<usize>)> = HashMap::new();
    for (rank, address) in ranked(words) {
        ranks.entry(address).or_default().0.get_or_insert(rank);
    }
    for (rank, address) in ranked(meaning) {
        ranks.entry(address).or_default().1.get_or_insert(rank);
    }
    let part = |weight: f32, rank: Option<usize>| rank.map_or(0.0, |r| weight / (RRF_K + r as f32));
    let mut fused: Vec<(Score, (usize, usize), DocAddress)> = ranks
        .into_iter()
        .map(|(address, (w, m))| {
            let score = part(1.0 - semantic, w) + part(semantic, m);
            let order = (w.unwrap_or(usize::MAX), m.unwrap_or(usize::MAX));
            (score, order, address)
        })
        .collect();
    fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    fused.into_iter().map(|(s, _, a)| (s, a)).collect()
}

/// 1-based ranks of a ranking, best first; equal scores share the better rank.
fn ranked(hits: &[(Score, DocAddress)]) -> impl Iterator<Item = (usize, DocAddress)> + '_ {
    let mut rank = 0;
    let mut previous: Option<Score> = None;
    hits.iter().enumerate().map(move |(i, (score, address))| {
        if previous != Some(*score) {
            rank = i + 1;
            previous = Some(*score);
        }
        (rank, *address)
    })
}

/// The passages a search by meaning brought in, as a query that matches exactly them (with
/// a constant score), to count and group them with the words' matches.
#[derive(Clone, Debug)]
pub(crate) struct Candidates {
    docs: Arc<HashMap<SegmentId, Vec<DocId>>>,
}

impl Candidates {
    pub(crate) fn new(searcher: &Searcher, hits: &[(Score, DocAddress)]) -> Candidates {
        let mut docs: HashMap<SegmentId, Vec<DocId>> = HashMap::new();
        for (_, address) in hits {
            if let Some(reader) = searcher.segment_readers().get(address.segment_ord as usize) {
                docs.entry(reader.segment_id())
                    .or_default()
                    .push(address.doc_id);
            }
        }
        Candidates {
            docs: Arc::new(docs),
        }
    }
}

impl Query for Candidates {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for Candidates {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let Some(docs) = self.docs.get(&reader.segment_id()) else {
            return Ok(Box::new(EmptyScorer));
        };
        let mut docs: Vec<DocId> = docs
            .iter()
            .copied()
            .filter(|d| *d < reader.max_doc())
            .collect();
        docs.sort_unstable();
        docs.dedup();
        Ok(Box::new(ConstScorer::new(
            SortedDocs { docs, at: 0 },
            boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let found = self
            .docs
            .get(&reader.segment_id())
            .is_some_and(|docs| docs.contains(&doc));
        Ok(Explanation::new(
            if found {
                "close in meaning to the query"
            } else {
                "not among the passages closest in meaning"
            },
            if found { 1.0 } else { 0.0 },
        ))
    }
}

/// A few documents of a segment, in order, as a `DocSet` (a bitset of the whole segment
/// would cost more to clear than to walk).
struct SortedDocs {
    docs: Vec<DocId>,
    at: usize,
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len()).unwrap_or(u32::MAX)
    }
}

/// What searches by meaning keep between requests, for the index generation and catalog
/// they were made on: the passages each set of filters allows (most searches share their
/// filters, none or a guiding question, and finding them among a million passages costs
/// more than the search itself), and each segment's vectors file, mapped once (mapping it
/// anew for every search costs more in page faults than reading it).
#[derive(Default)]
pub(crate) struct MeaningCache {
    allowed: Mutex<Allowed>,
    files: Mutex<HashMap<SegmentId, Arc<SegmentVectors>>>,
    /// Buffers for the sketch distances of a segment, reused from search to search.
    buffers: Mutex<Vec<Vec<u16>>>,
}

/// Distance buffers kept for reuse at most.
const BUFFERS: usize = 64;

#[derive(Default)]
struct Allowed {
    generation: u64,
    catalog: Option<Arc<Catalog>>,
    sets: HashMap<String, Arc<Vec<DocBits>>>,
}

impl MeaningCache {
    fn allowed(
        &self,
        searcher: &Searcher,
        catalog: &Arc<Catalog>,
        key: &str,
        compute: impl FnOnce() -> Result<Vec<DocBits>>,
    ) -> Result<Arc<Vec<DocBits>>> {
        let generation = searcher.generation().generation_id();
        let current = |a: &Allowed| {
            a.generation == generation
                && a.catalog.as_ref().is_some_and(|c| Arc::ptr_eq(c, catalog))
        };
        if let Ok(allowed) = self.allowed.lock()
            && current(&allowed)
            && let Some(found) = allowed.sets.get(key)
        {
            return Ok(Arc::clone(found));
        }
        let computed = Arc::new(compute()?);
        if let Ok(mut allowed) = self.allowed.lock() {
            if !current(&allowed) {
                *allowed = Allowed {
                    generation,
                    catalog: Some(Arc::clone(catalog)),
                    sets: HashMap::new(),
                };
                // Segments merged away since: their files go.
                if let Ok(mut files) = self.files.lock() {
                    let live: Vec<SegmentId> = searcher
                        .segment_readers()
                        .iter()
                        .map(SegmentReader::segment_id)
                        .collect();
                    files.retain(|id, _| live.contains(id));
                }
            }
            if allowed.sets.len() >= ALLOWED_SETS {
                allowed.sets.clear();
            }
            allowed.sets.insert(key.to_string(), Arc::clone(&computed));
        }
        Ok(computed)
    }

    fn file(
        &self,
        reader: &SegmentReader,
        open: impl FnOnce() -> Result<SegmentVectors>,
    ) -> Result<Arc<SegmentVectors>> {
        let id = reader.segment_id();
        if let Some(found) = self.files.lock().ok().and_then(|f| f.get(&id).cloned()) {
            return Ok(found);
        }
        let opened = Arc::new(open()?);
        if let Ok(mut files) = self.files.lock() {
            files.insert(id, Arc::clone(&opened));
        }
        Ok(opened)
    }
}

impl MeaningCache {
    fn buffer(&self) -> Vec<u16> {
        self.buffers
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_default()
    }

    fn give_back(&self, buffer: Vec<u16>) {
        if let Ok(mut buffers) = self.buffers.lock()
            && buffers.len() < BUFFERS
        {
            buffers.push(buffer);
        }
    }
}

impl std::fmt::Debug for MeaningCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeaningCache").finish_non_exhaustive()
    }
}

/// A search by meaning over the passages a filter allows.
pub(crate) struct MeaningFilter {
    pub query: Box<dyn Query>,
    /// Names the filter for the cache: equal keys, equal passages.
    pub key: String,
}

impl PassageIndex {
    /// The query's vector, when this request searches by meaning at all: `semantic` above
    /// 0, words typed, and words the model knows.
    pub(crate) fn meaning(
        &self,
        request: &SearchRequest,
        compiled: &Compiled,
    ) -> Option<VectorQuery> {
        if request.semantic <= 0.0 || compiled.contradiction || compiled.meaning.trim().is_empty() {
            return None;
        }
        VectorQuery::new(&self.embedder.embed(&compiled.meaning, TextKind::Query))
    }

    /// The filters of `request` (and the words the query excludes) as the keyword search
    /// applies them, over every passage.
    pub(crate) fn meaning_filter(
        &self,
        compiled: &Compiled,
        request: &SearchRequest,
    ) -> MeaningFilter {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        clauses.extend(
            compiled
                .excluded
                .iter()
                .map(|q| (Occur::MustNot, q.box_clone())),
        );
        let key = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
            request.question,
            request.call,
            request.category,
            request.country,
            request.mentioned,
            request.submitter,
            request.lang,
            request.kind,
            request.include_confidential,
            compiled.excluded_key,
        );
        MeaningFilter {
            query: self.filtered(Box::new(BooleanQuery::new(clauses)), request),
            key,
        }
    }

    /// The `n` passages `filter` allows closest in meaning to `query`, best first, with
    /// their cosine similarity (above the model's floor).
    pub(crate) fn nearest(
        &self,
        searcher: &Searcher,
        filter: &MeaningFilter,
        query: &VectorQuery,
        n: usize,
    ) -> Result<Vec<(Score, DocAddress)>> {
        Ok(self
            .nearest_each(searcher, &[filter], query, n)?
            .pop()
            .unwrap_or_default())
    }

    /// [`PassageIndex::nearest`] under each of several filters, the sketches compared once
    /// for all of them (a search with a facet filter also counts the facet without it).
    ///
    /// Where a filter allows more passages than are scored exactly, the shortlist is those
    /// whose sketches are closest to the query's, over all segments: one pass computes
    /// every allowed passage's distance, a sample of the distances says where to cut, and
    /// the passages within the cut are scored on their int8 vectors. Where it allows
    /// fewer, all of them are scored exactly.
    pub(crate) fn nearest_each(
        &self,
        searcher: &Searcher,
        filters: &[&MeaningFilter],
        query: &VectorQuery,
        n: usize,
    ) -> Result<Vec<Vec<(Score, DocAddress)>>> {
        let catalog = self.catalog();
        let sets = filters
            .iter()
            .map(|filter| {
                self.meaning_cache
                    .allowed(searcher, &catalog, &filter.key, || {
                        searcher
                            .search(&*filter.query, &Matching)
                            .map_err(|source| self.err(source))
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let segments = searcher.segment_readers();
        let shortlist = shortlist_len(n);
        let totals: Vec<usize> = sets
            .iter()
            .map(|set| set.iter().map(DocBits::count).sum())
            .collect();
        let none = DocBits::default();
        // Distances for the passages any filter with many allows: computed once.
        let wide: Vec<&Arc<Vec<DocBits>>> = sets
            .iter()
            .zip(&totals)
            .filter(|(_, total)| **total > shortlist)
            .map(|(set, _)| set)
            .collect();
        let distances: Vec<Vec<u16>> = match wide.as_slice() {
            [] => Vec::new(),
            [only] => self.per_segment(segments, |ord, reader| {
                let vectors = self.segment_vectors(reader)?;
                let bits = only.get(ord).unwrap_or(&none);
                Ok(vectors.distances(bits, query, self.meaning_cache.buffer()))
            })?,
            several => self.per_segment(segments, |ord, reader| {
                let vectors = self.segment_vectors(reader)?;
                let bits = DocBits::union(several.iter().filter_map(|set| set.get(ord)));
                Ok(vectors.distances(&bits, query, self.meaning_cache.buffer()))
            })?,
        };
        let floor = self.embedder.min_similarity().max(MIN_SIMILARITY);
        let mut found = Vec::with_capacity(sets.len());
        for (set, &total) in sets.iter().zip(&totals) {
            let allowed_in = |ord: usize| set.get(ord).unwrap_or(&none);
            // Whether the distances were computed for more passages than this filter allows.
            let shared = wide.len() > 1;
            let mut shortlisted: Vec<Vec<(u16, DocId)>> = if total <= shortlist {
                (0..segments.len())
                    .map(|ord| allowed_in(ord).iter().map(|doc| (0, doc)).collect())
                    .collect()
            } else {
                let allows = |ord: usize, doc: DocId| !shared || allowed_in(ord).contains(doc);
                let collect = |cut: u16| {
                    self.per_segment(segments, |ord, _| {
                        let Some(distances) = distances.get(ord) else {
                            return Ok(Vec::new());
                        };
                        Ok(distances
                            .iter()
                            .enumerate()
                            .filter(|(doc, d)| **d <= cut && allows(ord, *doc as DocId))
                            .map(|(doc, d)| (*d, doc as DocId))
                            .collect::<Vec<_>>())
                    })
                };
                let mut close = collect(sampled_cut(&distances, total, shortlist, &allows))?;
                if close.iter().map(Vec::len).sum::<usize>() < shortlist.min(total) {
                    // The sample misjudged: count them all.
                    close = collect(exact_cut(&distances, shortlist, &allows))?;
                }
                close
            };
            // At most the shortlist, the closest by sketch.
            let mut all: Vec<(u16, usize, DocId)> = shortlisted
                .iter_mut()
                .enumerate()
                .flat_map(|(ord, docs)| docs.drain(..).map(move |(d, doc)| (d, ord, doc)))
                .collect();
            if all.len() > shortlist {
                all.select_nth_unstable_by_key(shortlist - 1, |c| c.0);
                all.truncate(shortlist);
            }
            let mut by_segment: Vec<Vec<DocId>> = vec![Vec::new(); segments.len()];
            for (_, ord, doc) in all {
                if let Some(docs) = by_segment.get_mut(ord) {
                    docs.push(doc);
                }
            }
            // The shortlist scored exactly; the model says how close a passage must be to
            // count as close at all.
            let scored = self.per_segment(segments, |ord, reader| {
                let mut docs = by_segment.get(ord).cloned().unwrap_or_default();
                if docs.is_empty() {
                    return Ok(Vec::new());
                }
                let vectors = self.segment_vectors(reader)?;
                Ok(vectors
                    .score(&mut docs, query)
                    .into_iter()
                    .filter(|(similarity, _)| *similarity > floor)
                    .map(|(similarity, doc)| (similarity, DocAddress::new(ord as u32, doc)))
                    .collect::<Vec<_>>())
            })?;
            let mut hits: Vec<(Score, DocAddress)> = scored.into_iter().flatten().collect();
            hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            hits.truncate(n);
            found.push(hits);
        }
        for buffer in distances {
            self.meaning_cache.give_back(buffer);
        }
        Ok(found)
    }

    /// `work` on every segment, on all cores when there are several.
    fn per_segment<T: Send>(
        &self,
        segments: &[SegmentReader],
        work: impl Fn(usize, &SegmentReader) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        if let [only] = segments {
            return Ok(vec![work(0, only)?]);
        }
        self.index
            .search_executor()
            .map(
                |(ord, reader)| Ok(work(ord, reader)),
                segments.iter().enumerate(),
            )
            .map_err(|source| self.err(source))?
            .into_iter()
            .collect()
    }

    /// A segment's vectors, checked against this index's model (opened once per segment).
    pub(crate) fn segment_vectors(&self, reader: &SegmentReader) -> Result<Arc<SegmentVectors>> {
        self.meaning_cache
            .file(reader, || self.open_segment_vectors(reader))
    }

    fn open_segment_vectors(&self, reader: &SegmentReader) -> Result<SegmentVectors> {
        let fail = |message: String| Error::Vectors {
            path: self.dir.clone(),
            segment: reader.segment_id().uuid_string(),
            message,
        };
        let vectors = SegmentVectors::open(reader).map_err(fail)?;
        if vectors.dim() != self.embedder.dim() && reader.num_docs() > 0 {
            return Err(fail(format!(
                "its vectors have {} dimensions, the model {} makes {}",
                vectors.dim(),
                self.embedder.id(),
                self.embedder.dim()
            )));
        }
        Ok(vectors)
    }

    /// What a request matches as one query: the words' matches, and in a hybrid search also
    /// the passages its vector brought in (the same passages its total counts).
    pub(crate) fn matched(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
    ) -> Result<Box<dyn Query>> {
        check_semantic(request)?;
        let compiled = self.compile(request)?;
        let Some(meaning) = self.meaning(request, &compiled) else {
            return Ok(compiled.full);
        };
        let filter = self.meaning_filter(&compiled, &compiled.effective);
        let near = self.nearest(searcher, &filter, &meaning, depth(request))?;
        Ok(union(compiled.full, searcher, &near))
    }
}

/// The largest sketch distance the shortlist takes: the distance below which about
/// `shortlist` of the `allowed` passages lie (a few more), read off a sample of the
/// distances (`u16::MAX`: not computed) of the passages `allows` rather than a count of
/// them all, which would cost another pass over every passage.
fn sampled_cut(
    distances: &[Vec<u16>],
    allowed: usize,
    shortlist: usize,
    allows: &dyn Fn(usize, DocId) -> bool,
) -> u16 {
    const SAMPLE: usize = 8192;
    let slots: usize = distances.iter().map(Vec::len).sum();
    let step = (slots / SAMPLE).max(1);
    let mut sample: Vec<u16> = Vec::with_capacity(SAMPLE + distances.len());
    for (ord, segment) in distances.iter().enumerate() {
        for (doc, &d) in segment.iter().enumerate().step_by(step) {
            if d != u16::MAX && allows(ord, doc as DocId) {
                sample.push(d);
            }
        }
    }
    sample.sort_unstable();
    // A quarter more than the shortlist's share of the allowed passages, and a few places
    // more, so that sampling error rarely leaves the shortlist short.
    let share = shortlist as f64 / allowed.max(1) as f64;
    let at = (share * 1.25 * sample.len() as f64).ceil() as usize + 8;
    sample.get(at).copied().unwrap_or(u16::MAX - 1)
}

/// The largest sketch distance the shortlist takes, from a count of every distance of the
/// passages `allows`.
fn exact_cut(
    distances: &[Vec<u16>],
    shortlist: usize,
    allows: &dyn Fn(usize, DocId) -> bool,
) -> u16 {
    let mut counts: Vec<usize> = Vec::new();
    for (ord, segment) in distances.iter().enumerate() {
        for (doc, &d) in segment.iter().enumerate() {
            if d == u16::MAX || !allows(ord, doc as DocId) {
                continue;
            }
            let d = usize::from(d);
            if counts.len() <= d {
                counts.resize(d + 1, 0);
            }
            if let Some(n) = counts.get_mut(d) {
                *n += 1;
            }
        }
    }
    let mut below = 0;
    let cut = counts
        .iter()
        .position(|n| {
            below += n;
            below >= shortlist
        })
        .unwrap_or(counts.len());
    u16::try_from(cut).unwrap_or(u16::MAX - 1)
}

/// Passages `words` matches and those `near` names.
pub(crate) fn union(
    words: Box<dyn Query>,
    searcher: &Searcher,
    near: &[(Score, DocAddress)],
) -> Box<dyn Query> {
    if near.is_empty() {
        return words;
    }
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, words),
        (Occur::Should, Box::new(Candidates::new(searcher, near))),
    ]))
}

/// Passages `near` names that `words` does not match: what a hybrid search adds to the
/// words' count.
pub(crate) fn only_near(
    words: Box<dyn Query>,
    searcher: &Searcher,
    near: &[(Score, DocAddress)],
) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(Candidates::new(searcher, near)) as Box<dyn Query>,
        ),
        (Occur::MustNot, words),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(doc: u32, score: f32) -> (Score, DocAddress) {
        (score, DocAddress::new(0, doc))
    }

    #[test]
    fn fusion_follows_the_weights() {
        let words = [at(1, 9.0), at(2, 8.0), at(3, 7.0)];
        let meaning = [at(4, 0.9), at(3, 0.8), at(5, 0.7)];
        let order = |semantic| -> Vec<u32> {
            fuse(&words, &meaning, semantic)
                .into_iter()
                .map(|(_, a)| a.doc_id)
                .collect()
        };
        // Both rankings agree most on 3: it wins an even fusion.
        assert_eq!(order(0.5).first(), Some(&3));
        // Meaning only: its ranking first, then the words' other hits in their order.
        assert_eq!(order(1.0), [4, 3, 5, 1, 2]);
        // Words only would keep the words' order.
        assert_eq!(&order(0.0)[..3], &[1, 2, 3]);
    }

    #[test]
    fn equally_close_passages_are_ordered_by_their_words() {
        let words = [at(2, 5.0)];
        let meaning = [at(1, 0.9), at(2, 0.9)];
        let order: Vec<u32> = fuse(&words, &meaning, 1.0)
            .into_iter()
            .map(|(_, a)| a.doc_id)
            .collect();
        assert_eq!(order, [2, 1]);
    }

    #[test]
    fn the_depth_covers_the_page() {
        let request = |offset, limit| SearchRequest {
            offset,
            limit,
            ..Default::default()
        };
        assert_eq!(depth(&request(0, 20)), 100);
        assert_eq!(depth(&request(180, 20)), 200);
        assert_eq!(depth(&request(0, 0)), 100);
    }
}
