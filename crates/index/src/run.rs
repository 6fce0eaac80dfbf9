//! Searches on the calling thread where the index is small: handing a search's segments to
//! the search threads and waiting for them costs more than searching a few thousand
//! passages (a call's index), while a large index's segments are searched on every core.

use tantivy::collector::Collector;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query};
use tantivy::{Executor, Searcher, SegmentReader};

/// Indexes with fewer documents are searched on the calling thread.
const PARALLEL_FROM: u64 = 50_000;

/// Whether `segments` are worth spreading over the search threads.
pub(crate) fn parallel(segments: &[SegmentReader]) -> bool {
    segments.len() > 1
        && segments.iter().map(|r| u64::from(r.max_doc())).sum::<u64>() >= PARALLEL_FROM
}

/// [`Searcher::search`] and [`Searcher::search_with_statistics_provider`], on the calling
/// thread where the index is small.
pub(crate) trait Run {
    fn run<C: Collector>(&self, query: &dyn Query, collector: &C) -> tantivy::Result<C::Fruit>;

    fn run_with_statistics<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
        statistics: &dyn Bm25StatisticsProvider,
    ) -> tantivy::Result<C::Fruit>;
}

impl Run for Searcher {
    fn run<C: Collector>(&self, query: &dyn Query, collector: &C) -> tantivy::Result<C::Fruit> {
        self.run_with_statistics(query, collector, self)
    }

    fn run_with_statistics<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
        statistics: &dyn Bm25StatisticsProvider,
    ) -> tantivy::Result<C::Fruit> {
        if parallel(self.segment_readers()) {
            return self.search_with_statistics_provider(query, collector, statistics);
        }
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_statistics_provider(statistics, self)
        } else {
            EnableScoring::disabled_from_searcher(self)
        };
        self.search_with_executor(query, collector, &Executor::single_thread(), scoring)
    }
}

/// A query searched only in some segments: elsewhere it matches nothing, and its scorers
/// are not even made.
#[derive(Debug)]
pub(crate) struct InSegments {
    query: Box<dyn Query>,
    segments: std::sync::Arc<std::collections::HashSet<tantivy::index::SegmentId>>,
}

impl InSegments {
    pub(crate) fn new(
        query: Box<dyn Query>,
        segments: std::sync::Arc<std::collections::HashSet<tantivy::index::SegmentId>>,
    ) -> InSegments {
        InSegments { query, segments }
    }
}

impl Clone for InSegments {
    fn clone(&self) -> InSegments {
        InSegments {
            query: self.query.box_clone(),
            segments: std::sync::Arc::clone(&self.segments),
        }
    }
}

impl Query for InSegments {
    fn weight(
        &self,
        scoring: EnableScoring<'_>,
    ) -> tantivy::Result<Box<dyn tantivy::query::Weight>> {
        Ok(Box::new(InSegmentsWeight {
            weight: self.query.weight(scoring)?,
            segments: std::sync::Arc::clone(&self.segments),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct InSegmentsWeight {
    weight: Box<dyn tantivy::query::Weight>,
    segments: std::sync::Arc<std::collections::HashSet<tantivy::index::SegmentId>>,
}

impl tantivy::query::Weight for InSegmentsWeight {
    fn scorer(
        &self,
        reader: &SegmentReader,
        boost: tantivy::Score,
    ) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
        if self.segments.contains(&reader.segment_id()) {
            self.weight.scorer(reader, boost)
        } else {
            Ok(Box::new(tantivy::query::EmptyScorer))
        }
    }

    fn explain(
        &self,
        reader: &SegmentReader,
        doc: tantivy::DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        if self.segments.contains(&reader.segment_id()) {
            self.weight.explain(reader, doc)
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is in a segment this query does not search"
            )))
        }
    }
}
