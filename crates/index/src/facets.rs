//! Facet counts for every hit in one pass: one dense counter per facet value and field,
//! read from the facet columns, turned into names only once per segment.
//!
//! tantivy's `FacetCollector` answers any depth of a facet tree, which costs a search of the
//! collapse mapping per value per hit; cfi's facets are one level deep ("/States"), so a
//! plain array indexed by the value's ordinal does the same job several times faster.
//!
//! On a huge hit set the counts are estimated (Meilisearch's convention): each segment
//! counts its share of the first [`EXACT_FACET_HITS`] hits exactly, then one hit in
//! [`SAMPLE_EVERY`], counted as that many, and the search says its counts are estimates.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// Hits of one search whose facet values are all counted (each segment its share, by its
/// size); beyond them the counts are estimated from a sample.
pub const EXACT_FACET_HITS: usize = 100_000;
/// Beyond the exact hits, one hit in this many is counted, as this many.
const SAMPLE_EVERY: usize = 8;

/// Whether a document is in the sample: one in [`SAMPLE_EVERY`], picked by a hash of its id
/// so that no regular pattern in the documents' order (every fourth passage a heading)
/// lines up with the sample.
fn sampled(doc: DocId) -> bool {
    (doc.wrapping_mul(0x9e37_79b1) >> (32 - SAMPLE_EVERY.trailing_zeros())) == 0
}

/// One segment's column of a facet field, and the name of each of its values by ordinal.
pub(crate) struct SegmentFacet {
    reader: FacetReader,
    names: Vec<Option<String>>,
}

impl SegmentFacet {
    fn open(reader: &SegmentReader, field: &str) -> tantivy::Result<SegmentFacet> {
        let reader = reader.facet_reader(field)?;
        let mut facet = Facet::root();
        let names = (0..reader.num_facets() as u64)
            .map(|ord| {
                reader.facet_from_ord(ord, &mut facet).ok()?;
                facet.to_path().last().map(|v| (*v).to_string())
            })
            .collect();
        Ok(SegmentFacet { reader, names })
    }
}

/// The facet columns of the segments searched, opened once per searcher generation: a
/// search counts facets up to eight times (its hits, and each filtered facet without its
/// filter), and opening a column and naming its values each time cost a tenth of a search
/// of one call. A new generation (a commit, a merge) starts over, so that no column keeps
/// a merged segment's files open.
#[derive(Default)]
pub(crate) struct FacetColumns {
    /// The generation, and its columns by segment and field.
    kept: Mutex<(u64, Columns)>,
}

type Columns = HashMap<(SegmentId, &'static str), Arc<SegmentFacet>>;

impl FacetColumns {
    fn get(
        &self,
        generation: u64,
        reader: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Arc<SegmentFacet>> {
        let key = (reader.segment_id(), field);
        if let Ok(kept) = self.kept.lock()
            && kept.0 == generation
            && let Some(found) = kept.1.get(&key)
        {
            return Ok(Arc::clone(found));
        }
        let opened = Arc::new(SegmentFacet::open(reader, field)?);
        if let Ok(mut kept) = self.kept.lock() {
            if kept.0 != generation {
                *kept = (generation, HashMap::new());
            }
            kept.1.insert(key, Arc::clone(&opened));
        }
        Ok(opened)
    }
}

/// Counts, per facet field, how many hits carry each value.
pub(crate) struct FacetCounts {
    fields: Vec<&'static str>,
    columns: Arc<FacetColumns>,
    generation: u64,
    /// Documents in all the searcher's segments, to share the exact hits among them.
    docs: u64,
    /// Hits counted exactly ([`EXACT_FACET_HITS`]).
    exact: usize,
    estimated: Arc<AtomicBool>,
}

impl FacetCounts {
    /// Counts these facet fields over `searcher`'s segments, and sets `estimated` when the
    /// counts are estimates.
    /// The columns are kept in `columns` (the index's).
    pub(crate) fn new(
        fields: &[&'static str],
        searcher: &Searcher,
        columns: &Arc<FacetColumns>,
        estimated: &Arc<AtomicBool>,
    ) -> FacetCounts {
        FacetCounts {
            fields: fields.to_vec(),
            columns: Arc::clone(columns),
            generation: searcher.generation().generation_id(),
            docs: searcher
                .segment_readers()
                .iter()
                .map(|r| u64::from(r.max_doc()))
                .sum(),
            exact: EXACT_FACET_HITS,
            estimated: Arc::clone(estimated),
        }
    }
}

/// Field → value → hits.
pub(crate) type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// Hits in all, and the counts per facet value.
pub(crate) type Fruit = (usize, Counts);

pub(crate) struct SegmentCounts {
    hits: usize,
    /// Hits counted exactly in this segment; beyond, a sample.
    exact: usize,
    estimated: Arc<AtomicBool>,
    fields: Vec<(&'static str, Arc<SegmentFacet>, Vec<u32>)>,
}

impl Collector for FacetCounts {
    type Fruit = Fruit;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let mut fields = Vec::with_capacity(self.fields.len());
        for name in &self.fields {
            let facets = self.columns.get(self.generation, reader, name)?;
            let counters = vec![0u32; facets.names.len()];
            fields.push((*name, facets, counters));
        }
        let share = u64::from(reader.max_doc()) as f64 / self.docs.max(1) as f64;
        Ok(SegmentCounts {
            hits: 0,
            exact: (self.exact as f64 * share).ceil() as usize,
            estimated: Arc::clone(&self.estimated),
            fields,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut merged = Counts::new();
        for name in &self.fields {
            merged.insert((*name).to_string(), BTreeMap::new());
        }
        let mut hits = 0;
        for (segment_hits, fruit) in fruits {
            hits += segment_hits;
            for (field, values) in fruit {
                let into = merged.entry(field).or_default();
                for (value, n) in values {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok((hits, merged))
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.hits += 1;
        let weight = if self.hits <= self.exact {
            1
        } else if sampled(doc) {
            SAMPLE_EVERY as u32
        } else {
            return;
        };
        for (_, facets, counters) in &mut self.fields {
            for ord in facets.reader.facet_ords(doc) {
                if let Some(counter) = usize::try_from(ord).ok().and_then(|i| counters.get_mut(i)) {
                    *counter += weight;
                }
            }
        }
    }

    fn harvest(self) -> Fruit {
        if self.hits > self.exact {
            self.estimated.store(true, Ordering::Relaxed);
        }
        let mut out = Counts::new();
        for (name, facets, counters) in self.fields {
            let values = out.entry(name.to_string()).or_default();
            for (n, value) in counters.into_iter().zip(&facets.names) {
                if let (true, Some(value)) = (n > 0, value) {
                    *values.entry(value.clone()).or_default() += u64::from(n);
                }
            }
        }
        (self.hits, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::AllQuery;
    use tantivy::schema::{FacetOptions, Schema};
    use tantivy::{Index, TantivyDocument};

    /// 4,000 documents in two segments, a quarter of them "/a", the rest "/b".
    fn index() -> Index {
        let mut schema = Schema::builder();
        let field = schema.add_facet_field("kind", FacetOptions::default());
        let index = Index::create_in_ram(schema.build());
        let mut writer = index
            .writer_with_num_threads(1, 20_000_000)
            .expect("writer");
        for half in 0..2 {
            for i in 0..2000 {
                let mut doc = TantivyDocument::default();
                let value = if (i + half) % 4 == 0 { "/a" } else { "/b" };
                doc.add_facet(field, Facet::from(value));
                writer.add_document(doc).expect("add");
            }
            writer.commit().expect("commit");
        }
        index
    }

    fn count(index: &Index, exact: usize) -> (usize, u64, u64, bool) {
        let searcher = index.reader().expect("reader").searcher();
        let estimated = Arc::new(AtomicBool::new(false));
        let mut counts = FacetCounts::new(&["kind"], &searcher, &Arc::default(), &estimated);
        counts.exact = exact;
        let ((hits, values), all) = searcher
            .search(&AllQuery, &(counts, Count))
            .expect("search");
        assert_eq!(hits, all);
        let value = |v: &str| values["kind"].get(v).copied().unwrap_or(0);
        (
            hits,
            value("a"),
            value("b"),
            estimated.load(Ordering::Relaxed),
        )
    }

    #[test]
    fn counts_are_exact_up_to_the_bound_and_estimated_and_flagged_beyond() {
        let index = index();
        assert_eq!(count(&index, 10_000), (4000, 1000, 3000, false));
        let (hits, a, b, estimated) = count(&index, 400);
        assert_eq!(hits, 4000, "the hit count stays exact");
        assert!(estimated);
        assert!(
            a.abs_diff(1000) <= 100 && b.abs_diff(3000) <= 100,
            "{a} {b}"
        );
    }
}
