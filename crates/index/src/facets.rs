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
    /// Every document's values, laid out to be read by document id (see [`Dense`]).
    dense: Option<Dense>,
}

/// A facet column read once into plain arrays indexed by document: counting a hit is then
/// an array read, where the column costs a lookup of the document's rows and a bit-unpacking
/// per value (40% of a search of a million passages went to the six columns). The facet
/// fields cfi counts have few values (questions, categories, languages, countries), so a
/// segment of a million passages takes a few megabytes.
enum Dense {
    /// At most one value per document: its ordinal, or [`Dense::NONE`].
    Single(Vec<u8>),
    /// Up to 32 values: one bit per ordinal.
    Bits(Vec<u32>),
    /// Any number of values: document d's ordinals are `ords[starts[d]..starts[d + 1]]`.
    Lists { starts: Vec<u32>, ords: Vec<u16> },
}

impl Dense {
    const NONE: u8 = u8::MAX;

    /// The column of `reader` (`max_doc` documents, `values` ordinals) read whole; `None`
    /// for a column with too many values to lay out this way.
    fn read(reader: &FacetReader, max_doc: DocId, values: usize) -> Option<Dense> {
        let single = (0..max_doc).all(|doc| reader.facet_ords(doc).nth(1).is_none());
        if single && values < usize::from(Dense::NONE) {
            let ords = (0..max_doc)
                .map(|doc| {
                    reader
                        .facet_ords(doc)
                        .next()
                        .and_then(|ord| u8::try_from(ord).ok())
                        .unwrap_or(Dense::NONE)
                })
                .collect();
            return Some(Dense::Single(ords));
        }
        if values <= 32 {
            let bits = (0..max_doc)
                .map(|doc| {
                    reader
                        .facet_ords(doc)
                        .filter(|&ord| ord < 32)
                        .fold(0u32, |bits, ord| bits | (1 << ord))
                })
                .collect();
            return Some(Dense::Bits(bits));
        }
        if values <= usize::from(u16::MAX) {
            let mut starts = Vec::with_capacity(max_doc as usize + 1);
            let mut ords = Vec::new();
            for doc in 0..max_doc {
                starts.push(u32::try_from(ords.len()).ok()?);
                ords.extend(reader.facet_ords(doc).filter_map(|o| u16::try_from(o).ok()));
            }
            starts.push(u32::try_from(ords.len()).ok()?);
            return Some(Dense::Lists { starts, ords });
        }
        None
    }

    /// Adds `weight` to the counter of each value of each of `docs`.
    fn count_all(&self, docs: &[DocId], counters: &mut [u32], weight: u32) {
        let mut add = |ord: usize| {
            if let Some(counter) = counters.get_mut(ord) {
                *counter += weight;
            }
        };
        match self {
            Dense::Single(ords) => {
                for &doc in docs {
                    if let Some(&ord) = ords.get(doc as usize)
                        && ord != Dense::NONE
                    {
                        add(usize::from(ord));
                    }
                }
            }
            Dense::Bits(bits) => {
                for &doc in docs {
                    let mut left = bits.get(doc as usize).copied().unwrap_or(0);
                    while left != 0 {
                        add(left.trailing_zeros() as usize);
                        left &= left - 1;
                    }
                }
            }
            Dense::Lists { starts, ords } => {
                for &doc in docs {
                    let (Some(&start), Some(&end)) =
                        (starts.get(doc as usize), starts.get(doc as usize + 1))
                    else {
                        continue;
                    };
                    for &ord in ords.get(start as usize..end as usize).unwrap_or_default() {
                        add(usize::from(ord));
                    }
                }
            }
        }
    }
}

impl SegmentFacet {
    fn open(reader: &SegmentReader, field: &str) -> tantivy::Result<SegmentFacet> {
        let max_doc = reader.max_doc();
        let reader = reader.facet_reader(field)?;
        let mut facet = Facet::root();
        let names: Vec<Option<String>> = (0..reader.num_facets() as u64)
            .map(|ord| {
                reader.facet_from_ord(ord, &mut facet).ok()?;
                facet.to_path().last().map(|v| (*v).to_string())
            })
            .collect();
        let dense = Dense::read(&reader, max_doc, names.len());
        Ok(SegmentFacet {
            reader,
            names,
            dense,
        })
    }
}

/// The facet columns of the segments searched, each opened and read once: a search counts
/// facets up to eight times (its hits, and each filtered facet without its filter), and
/// opening a column and naming its values each time cost a tenth of a search of one call.
/// A segment never changes, so its columns are kept across commits (a staff review commits
/// a small segment, and the others are not read again); at a new generation (a commit, a
/// merge) the columns of segments no longer searched are let go, so that none keeps a merged
/// segment's files open.
#[derive(Default)]
pub(crate) struct FacetColumns {
    /// The generation, and the columns by segment and field.
    kept: Mutex<(u64, Columns)>,
}

type Columns = HashMap<(SegmentId, &'static str), Arc<SegmentFacet>>;

impl FacetColumns {
    fn get(
        &self,
        searcher: (u64, &[SegmentId]),
        reader: &SegmentReader,
        field: &'static str,
    ) -> tantivy::Result<Arc<SegmentFacet>> {
        let (generation, live) = searcher;
        let key = (reader.segment_id(), field);
        if let Ok(mut kept) = self.kept.lock() {
            // Only a newer generation lets columns go: a search still on an older searcher
            // reads what is kept, and what it opens is not kept (else two generations in
            // use would read each other's segments again and again).
            if generation > kept.0 {
                kept.0 = generation;
                kept.1.retain(|(segment, _), _| live.contains(segment));
            }
            if let Some(found) = kept.1.get(&key) {
                return Ok(Arc::clone(found));
            }
        }
        let opened = Arc::new(SegmentFacet::open(reader, field)?);
        if let Ok(mut kept) = self.kept.lock()
            && kept.0 == generation
        {
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
    /// The searcher's segments.
    segments: Vec<SegmentId>,
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
            segments: searcher
                .segment_readers()
                .iter()
                .map(SegmentReader::segment_id)
                .collect(),
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
    /// The hits counted once, and those counted as [`SAMPLE_EVERY`]: each field's values
    /// are counted over them every [`CHUNK`] hits, one field after the other (one array read
    /// in document order at a time, rather than six interleaved per hit).
    counted: Vec<DocId>,
    sampled: Vec<DocId>,
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
            let facets = self
                .columns
                .get((self.generation, &self.segments), reader, name)?;
            let counters = vec![0u32; facets.names.len()];
            fields.push((*name, facets, counters));
        }
        let share = u64::from(reader.max_doc()) as f64 / self.docs.max(1) as f64;
        Ok(SegmentCounts {
            hits: 0,
            exact: (self.exact as f64 * share).ceil() as usize,
            estimated: Arc::clone(&self.estimated),
            fields,
            counted: Vec::with_capacity(CHUNK),
            sampled: Vec::new(),
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

/// Hits gathered before their values are counted: a few pages of memory, reused.
const CHUNK: usize = 4096;

impl SegmentCounts {
    /// Counts the values of the hits gathered once (`sampled` false) or as a sample, one
    /// field after the other, and empties that list.
    fn count(&mut self, sampled: bool) {
        let (docs, weight) = if sampled {
            (&mut self.sampled, SAMPLE_EVERY as u32)
        } else {
            (&mut self.counted, 1)
        };
        for (_, facets, counters) in &mut self.fields {
            match &facets.dense {
                Some(dense) => dense.count_all(docs, counters, weight),
                None => {
                    for &doc in docs.iter() {
                        for ord in facets.reader.facet_ords(doc) {
                            if let Some(counter) =
                                usize::try_from(ord).ok().and_then(|i| counters.get_mut(i))
                            {
                                *counter += weight;
                            }
                        }
                    }
                }
            }
        }
        docs.clear();
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.hits += 1;
        if self.hits <= self.exact {
            self.counted.push(doc);
            if self.counted.len() >= CHUNK {
                self.count(false);
            }
        } else if sampled(doc) {
            self.sampled.push(doc);
            if self.sampled.len() >= CHUNK {
                self.count(true);
            }
        }
    }

    fn harvest(mut self) -> Fruit {
        if self.hits > self.exact {
            self.estimated.store(true, Ordering::Relaxed);
        }
        self.count(false);
        self.count(true);
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

    /// Counts of a multi-valued field read whole into arrays, as bits (few values) or as
    /// lists (many), against the column read value by value.
    #[test]
    fn dense_counts_match_the_column_for_one_or_many_values() {
        for values in [5u32, 40] {
            let mut schema = Schema::builder();
            let field = schema.add_facet_field("mentioned", FacetOptions::default());
            let index = Index::create_in_ram(schema.build());
            let mut writer = index
                .writer_with_num_threads(1, 20_000_000)
                .expect("writer");
            for i in 0..500u32 {
                let mut doc = TantivyDocument::default();
                // None, one or three values, spread over the ordinals.
                for k in 0..(i % 3) * ((i % 3) + 1) / 2 {
                    doc.add_facet(
                        field,
                        Facet::from(&format!("/v{}", (i * 7 + k * 13) % values)),
                    );
                }
                writer.add_document(doc).expect("add");
            }
            writer.commit().expect("commit");
            let searcher = index.reader().expect("reader").searcher();
            let segment = searcher.segment_reader(0);
            let facet = SegmentFacet::open(segment, "mentioned").expect("open");
            let dense = facet.dense.as_ref().expect("laid out");
            assert!(
                matches!(
                    (values, dense),
                    (5, Dense::Bits(_)) | (40, Dense::Lists { .. })
                ),
                "{values} values"
            );
            let mut by_dense = vec![0u32; facet.names.len()];
            let mut by_column = vec![0u32; facet.names.len()];
            let docs: Vec<DocId> = (0..segment.max_doc()).collect();
            dense.count_all(&docs, &mut by_dense, 1);
            for doc in docs {
                for ord in facet.reader.facet_ords(doc) {
                    by_column[ord as usize] += 1;
                }
            }
            assert_eq!(by_dense, by_column);
            assert!(by_column.iter().sum::<u32>() > 500);
        }
    }

    /// Columns are let go only at a newer generation: a search on an older searcher does not
    /// drop what the newer one reads.
    #[test]
    fn only_a_newer_generation_lets_columns_go() {
        let index = index();
        let searcher = index.reader().expect("reader").searcher();
        let (a, b) = (searcher.segment_reader(0), searcher.segment_reader(1));
        let ids = [a.segment_id(), b.segment_id()];
        let columns = FacetColumns::default();
        let kept = |columns: &FacetColumns| columns.kept.lock().map(|k| k.1.len()).unwrap_or(0);
        columns.get((5, &ids), a, "kind").expect("a");
        columns.get((5, &ids), b, "kind").expect("b");
        assert_eq!(kept(&columns), 2);
        // An older searcher that held only the first segment.
        columns.get((3, &ids[..1]), a, "kind").expect("a");
        assert_eq!(kept(&columns), 2);
        // A newer one without the second segment (merged away).
        columns.get((6, &ids[..1]), a, "kind").expect("a");
        assert_eq!(kept(&columns), 1);
    }

    #[test]
    fn counts_are_exact_up_to_the_bound_and_estimated_and_flagged_beyond() {
        let index = index();
        let searcher = index.reader().expect("reader").searcher();
        let column = SegmentFacet::open(searcher.segment_reader(0), "kind").expect("open");
        assert!(matches!(column.dense, Some(Dense::Single(_))));
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
