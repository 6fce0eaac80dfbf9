//! Search by meaning beside search by words, after Meilisearch's hybrid search: the
//! query's vector finds the passages closest in meaning under the same filters as the
//! words, and the two rankings are fused by weighted reciprocal rank fusion. What a
//! hybrid search counts (its total and facets) is the union of the passages its words
//! match and the passages its vector brought in.

use std::collections::HashMap;
use std::sync::Arc;

use cfi_embed::TextKind;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScorer, EmptyScorer, EnableScoring, Explanation, Occur, Query,
    Scorer, Weight,
};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TERMINATED,
};

use crate::compile::Compiled;
use crate::nearest::MeaningFilter;
use crate::vectors::VectorQuery;
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
    // Keyed by document address: a fast hash (the order does not matter, the sort below
    // is total).
    let mut ranks: rustc_hash::FxHashMap<DocAddress, (Option<usize>, Option<usize>)> =
        rustc_hash::FxHashMap::default();
    ranks.reserve(words.len() + meaning.len());
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
        Candidates::of(searcher, hits.iter().map(|(_, address)| *address))
    }

    /// The passages at `addresses`.
    pub(crate) fn of(
        searcher: &Searcher,
        addresses: impl IntoIterator<Item = DocAddress>,
    ) -> Candidates {
        let mut docs: HashMap<SegmentId, Vec<DocId>> = HashMap::new();
        for address in addresses {
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

/// Of the passages a search by meaning brought in, those the words do not match: noted
/// while the words' hits are collected, so that what meaning alone adds is counted without
/// matching the words a second time.
pub(crate) struct ByMeaningAlone {
    /// The passages found by meaning, by segment ordinal, in document order.
    docs: Vec<Vec<DocId>>,
}

impl ByMeaningAlone {
    pub(crate) fn new(searcher: &Searcher, near: &[(Score, DocAddress)]) -> ByMeaningAlone {
        let mut docs = vec![Vec::new(); searcher.segment_readers().len()];
        for (_, address) in near {
            if let Some(segment) = docs.get_mut(address.segment_ord as usize) {
                segment.push(address.doc_id);
            }
        }
        for segment in &mut docs {
            segment.sort_unstable();
            segment.dedup();
        }
        ByMeaningAlone { docs }
    }
}

impl Collector for ByMeaningAlone {
    /// The passages found by meaning that the words did not match.
    type Fruit = Vec<DocAddress>;
    type Child = ByMeaningAloneSegment;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<ByMeaningAloneSegment> {
        Ok(ByMeaningAloneSegment {
            docs: self
                .docs
                .get(segment_ord as usize)
                .cloned()
                .unwrap_or_default(),
            at: 0,
            alone: Vec::new(),
            segment_ord,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<DocAddress>>) -> tantivy::Result<Vec<DocAddress>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

pub(crate) struct ByMeaningAloneSegment {
    docs: Vec<DocId>,
    /// The first of `docs` not yet passed by the documents collected (hits come in order).
    at: usize,
    alone: Vec<DocId>,
    segment_ord: SegmentOrdinal,
}

impl SegmentCollector for ByMeaningAloneSegment {
    type Fruit = Vec<DocAddress>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        while let Some(&d) = self.docs.get(self.at).filter(|&&d| d <= doc) {
            self.at += 1;
            if d < doc {
                self.alone.push(d);
            }
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        if self.at >= self.docs.len() {
            return;
        }
        for &doc in docs {
            self.collect(doc, 0.0);
        }
    }

    fn harvest(mut self) -> Vec<DocAddress> {
        // The passages after the words' last hit were not matched either.
        self.alone
            .extend(self.docs.get(self.at..).unwrap_or_default());
        let ord = self.segment_ord;
        self.alone
            .into_iter()
            .map(|doc| DocAddress::new(ord, doc))
            .collect()
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
        self.query_cache.vector(&compiled.meaning, || {
            VectorQuery::new(&self.embedder.embed(&compiled.meaning, TextKind::Query))
        })
    }

    /// The filters of `request` (and the words the query excludes) as the keyword search
    /// applies them, over every passage.
    pub(crate) fn meaning_filter(
        &self,
        compiled: &Compiled,
        request: &SearchRequest,
    ) -> MeaningFilter {
        self.meaning_filter_of(
            request,
            &compiled.quoted,
            &compiled.excluded,
            &format!("{}|{}", compiled.quoted_key, compiled.excluded_key),
        )
    }

    /// The filters of `request`, the `quoted` phrases a passage must hold and the `excluded`
    /// queries it must not match (both written out as `key`).
    pub(crate) fn meaning_filter_of(
        &self,
        request: &SearchRequest,
        quoted: &[Box<dyn Query>],
        excluded: &[Box<dyn Query>],
        key: &str,
    ) -> MeaningFilter {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        clauses.extend(quoted.iter().map(|q| (Occur::Must, q.box_clone())));
        clauses.extend(excluded.iter().map(|q| {
            (
                Occur::MustNot,
                Box::new(Excluded(q.box_clone())) as Box<dyn Query>,
            )
        }));
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
            key,
        );
        MeaningFilter {
            query: self.filtered(Box::new(BooleanQuery::new(clauses)), request),
            key,
            except: None,
        }
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
        (Occur::MustNot, Box::new(Excluded(words))),
    ]))
}

/// A query used as an exclusion (`MustNot`). tantivy asks an exclusion whether it holds
/// each candidate by `seek_danger`, even when it matches nothing at all, and its phrase
/// scorer asserts against being asked below where it stands (`TERMINATED`): a phrase that
/// matches nothing in a segment is given as an empty scorer instead.
#[derive(Debug)]
pub(crate) struct Excluded(pub(crate) Box<dyn Query>);

impl Clone for Excluded {
    fn clone(&self) -> Excluded {
        Excluded(self.0.box_clone())
    }
}

impl Query for Excluded {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ExcludedWeight(self.0.weight(scoring)?)))
    }
}

struct ExcludedWeight(Box<dyn Weight>);

impl Weight for ExcludedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorer = self.0.scorer(reader, boost)?;
        if scorer.doc() == TERMINATED {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(scorer)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
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
