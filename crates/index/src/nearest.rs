//! The passages closest in meaning to a query under a filter: which passages the filter
//! allows (kept between searches), one cut on the sketch distance for all segments (read
//! off a sample), the pass over every allowed passage's sketch keeping those within it, and
//! the exact scores of the closest.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::catalog::Catalog;
use crate::hybrid::MIN_SIMILARITY;
use crate::run::Run;
use crate::vectors::{SegmentVectors, VectorQuery, shortlist_len};
use crate::writer::PassageIndex;
use crate::{Error, Result};

/// Filter sets kept per index generation before the oldest are dropped.
const ALLOWED_SETS: usize = 64;

/// Up to this many times the shortlist allowed, a search by meaning takes every allowed
/// passage's sketch distance; beyond, only those within a cut read off a sample, or those
/// of the closest groups of passages in a segment grouped by meaning.
const COLLECT_ALL: usize = 16;

/// Passages a search by meaning takes the sketch distance of in the closest groups of a
/// segment grouped by meaning, in times the shortlist (shared among the segments by the
/// passages each allows).
const PROBED: usize = 8;

/// What searches by meaning keep between requests, for the index generation and catalog
/// they were made on: the passages each set of filters allows (most searches share their
/// filters, none or a guiding question, and finding them among a million passages costs
/// more than the search itself), and each segment's vectors file, mapped once (mapping it
/// anew for every search costs more in page faults than reading it).
#[derive(Default)]
pub(crate) struct MeaningCache {
    allowed: Mutex<Allowed>,
    files: Mutex<HashMap<SegmentId, Arc<SegmentVectors>>>,
    /// Every allowed passage's sketch compared, the groups of passages left aside (for
    /// benchmarks: what the groups miss).
    exhaustive: AtomicBool,
    /// Segments of at least this many passages are grouped by meaning (0: the default,
    /// [`crate::partitions::MIN_PASSAGES`]).
    group_from: AtomicUsize,
}

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

    /// A segment's vectors, where they were opened already.
    fn kept(&self, reader: &SegmentReader) -> Option<Arc<SegmentVectors>> {
        let id = reader.segment_id();
        self.files.lock().ok().and_then(|f| f.get(&id).cloned())
    }

    fn file(
        &self,
        reader: &SegmentReader,
        open: impl FnOnce() -> Result<SegmentVectors>,
    ) -> Result<Arc<SegmentVectors>> {
        if let Some(found) = self.kept(reader) {
            return Ok(found);
        }
        let id = reader.segment_id();
        let opened = Arc::new(open()?);
        if let Ok(mut files) = self.files.lock() {
            files.insert(id, Arc::clone(&opened));
        }
        Ok(opened)
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
    /// Passages left out besides, matched anew each time (a few: "more like this" leaves
    /// out the passage's own submission, and shares the rest of its filter with every
    /// search that has none).
    pub except: Option<Box<dyn Query>>,
}

impl PassageIndex {
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
    /// whose sketches are closest to the query's, over all segments. Where it allows many
    /// (sixteen times the shortlist), the sketch distances of a sample of them say where to
    /// cut, and one pass over all of them keeps those within the cut; where fewer, every
    /// one's distance is kept. The shortlist is then scored on its int8 vectors. Where a
    /// filter allows no more than the shortlist, all of them are scored exactly.
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
                let allowed =
                    self.meaning_cache
                        .allowed(searcher, &catalog, &filter.key, || {
                            searcher
                                .run(&*filter.query, &Matching)
                                .map_err(|source| self.err(source))
                        })?;
                let Some(except) = &filter.except else {
                    return Ok(allowed);
                };
                let left_out = searcher
                    .run(&**except, &Matching)
                    .map_err(|source| self.err(source))?;
                let mut allowed = Vec::clone(&allowed);
                for (bits, out) in allowed.iter_mut().zip(&left_out) {
                    bits.remove(out);
                }
                Ok(Arc::new(allowed))
            })
            .collect::<Result<Vec<_>>>()?;
        let segments = searcher.segment_readers();
        let shortlist = shortlist_len(n);
        let totals: Vec<usize> = sets
            .iter()
            .map(|set| set.iter().map(DocBits::count).sum())
            .collect();
        let none = DocBits::default();
        // Opened once per segment and kept: on every core only when one is opened now.
        let kept: Vec<Option<Arc<SegmentVectors>>> = segments
            .iter()
            .map(|reader| self.meaning_cache.kept(reader))
            .collect();
        let vectors: Vec<Arc<SegmentVectors>> = match kept.into_iter().collect() {
            Some(all) => all,
            None => self.per_segment(segments, |_, reader| self.segment_vectors(reader))?,
        };
        let exhaustive = self.meaning_cache.exhaustive.load(Ordering::Relaxed);
        let grouped = |ord: usize| !exhaustive && vectors.get(ord).is_some_and(|v| v.partitioned());
        // Filters allowing many passages: in a segment grouped by meaning, the groups
        // closest to the query; in the others, a cut on the sketch distance from a sample,
        // and one pass over all of them that keeps what is within the widest cut.
        let many: Vec<(usize, u16)> = sets
            .iter()
            .zip(&totals)
            .enumerate()
            .filter(|(_, (_, total))| **total > shortlist.saturating_mul(COLLECT_ALL))
            .map(|(i, (set, total))| {
                // The segments scanned whole (too small to be grouped): where they allow
                // few passages, every one's distance is kept.
                let scanned: Vec<DocBits> = (0..segments.len())
                    .map(|ord| match set.get(ord) {
                        Some(bits) if !grouped(ord) => bits.clone(),
                        _ => DocBits::default(),
                    })
                    .collect();
                let in_scanned: usize = scanned.iter().map(DocBits::count).sum();
                let cut = if in_scanned > shortlist.saturating_mul(COLLECT_ALL) {
                    let share = shortlist.saturating_mul(in_scanned) / (*total).max(1);
                    self.sampled_cut(segments, &scanned, in_scanned, share.max(1), query)?
                } else {
                    u16::MAX - 1
                };
                Ok((i, cut))
            })
            .collect::<Result<_>>()?;
        let widest = many.iter().map(|(_, cut)| *cut).max().unwrap_or(0);
        let all_grouped = (0..segments.len()).all(grouped);
        let within: Vec<Vec<(u16, DocId)>> = match many.as_slice() {
            [] => Vec::new(),
            // Every segment is grouped: nothing to pass over.
            _ if all_grouped => Vec::new(),
            [(only, _)] => {
                let set = sets.get(*only);
                self.per_segment(segments, |ord, reader| {
                    if grouped(ord) {
                        return Ok(Vec::new());
                    }
                    let bits = set.and_then(|s| s.get(ord)).unwrap_or(&none);
                    Ok(self.segment_vectors(reader)?.within(bits, query, widest))
                })?
            }
            several => self.per_segment(segments, |ord, reader| {
                if grouped(ord) {
                    return Ok(Vec::new());
                }
                let bits = DocBits::union(
                    several
                        .iter()
                        .filter_map(|(i, _)| sets.get(*i).and_then(|s| s.get(ord))),
                );
                Ok(self.segment_vectors(reader)?.within(&bits, query, widest))
            })?,
        };
        // Every allowed passage's distance (where there are not that many).
        let everything = |set: &Vec<DocBits>| {
            self.per_segment(segments, |ord, reader| {
                let bits = set.get(ord).unwrap_or(&none);
                Ok(self
                    .segment_vectors(reader)?
                    .within(bits, query, u16::MAX - 1))
            })
        };
        // The order the query visits each grouped segment's groups in: worked out by the
        // first filter that probes the segment, and kept for the others.
        let orders: Vec<std::sync::OnceLock<Vec<u32>>> = (0..segments.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        let floor = self.embedder.min_similarity().max(MIN_SIMILARITY);
        let mut found = Vec::with_capacity(sets.len());
        for (i, (set, &total)) in sets.iter().zip(&totals).enumerate() {
            let allowed_in = |ord: usize| set.get(ord).unwrap_or(&none);
            let mut shortlisted: Vec<Vec<(u16, DocId)>> = if total <= shortlist {
                (0..segments.len())
                    .map(|ord| allowed_in(ord).iter().map(|doc| (0, doc)).collect())
                    .collect()
            } else if let Some(&(_, cut)) = many.iter().find(|(f, _)| *f == i) {
                // The pass kept more than this filter's cut, and for several filters more
                // than this one allows; the grouped segments give their closest groups'
                // passages, each its share of what is probed.
                let shared = many.len() > 1;
                let probed = PROBED.saturating_mul(shortlist) as f64 / total.max(1) as f64;
                let close: Vec<Vec<(u16, DocId)>> = self.per_segment(segments, |ord, _| {
                    let bits = allowed_in(ord);
                    if grouped(ord) {
                        let want = (bits.count() as f64 * probed).ceil() as usize;
                        return Ok(vectors
                            .get(ord)
                            .map(|v| {
                                let order = orders
                                    .get(ord)
                                    .map_or(&[][..], |o| o.get_or_init(|| v.order(query)));
                                v.probe(bits, query, order, want)
                            })
                            .unwrap_or_default());
                    }
                    Ok(within
                        .get(ord)
                        .map(|docs| {
                            docs.iter()
                                .filter(|(d, doc)| *d <= cut && (!shared || bits.contains(*doc)))
                                .copied()
                                .collect()
                        })
                        .unwrap_or_default())
                })?;
                if close.iter().map(Vec::len).sum::<usize>() < shortlist {
                    // The sample misjudged the cut: every distance, then.
                    everything(set)?
                } else {
                    close
                }
            } else {
                everything(set)?
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
            // Best first, ties by address: a total order, so the n best picked and then
            // sorted are the first n of the whole list sorted.
            let order = |a: &(Score, DocAddress), b: &(Score, DocAddress)| {
                b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
            };
            if n == 0 {
                hits.clear();
            } else if hits.len() > n {
                hits.select_nth_unstable_by(n - 1, order);
                hits.truncate(n);
            }
            hits.sort_unstable_by(order);
            found.push(hits);
        }
        Ok(found)
    }

    /// The largest sketch distance the shortlist takes: the distance below which about
    /// `shortlist` of the `allowed` passages lie (a few more), read off the distances of a
    /// sample of them rather than all, which would cost another pass over every passage.
    fn sampled_cut(
        &self,
        segments: &[SegmentReader],
        allowed: &[DocBits],
        total: usize,
        shortlist: usize,
        query: &VectorQuery,
    ) -> Result<u16> {
        const SAMPLE: usize = 8192;
        let step = (total / SAMPLE).max(1);
        let mut sample: Vec<u16> = Vec::with_capacity(2 * SAMPLE);
        for (ord, (reader, bits)) in segments.iter().zip(allowed).enumerate() {
            if bits.count() == 0 {
                continue;
            }
            let vectors = self.segment_vectors(reader)?;
            // Offset by segment, so that small segments are not always sampled at 0.
            for doc in (ord % step..reader.max_doc() as usize).step_by(step) {
                let doc = doc as DocId;
                if bits.contains(doc)
                    && let Some(d) = vectors.distance(doc, query)
                {
                    sample.push(d);
                }
            }
        }
        sample.sort_unstable();
        // A quarter more than the shortlist's share of the allowed passages, and a few
        // places more, so that sampling error rarely leaves the shortlist short.
        let share = shortlist as f64 / total.max(1) as f64;
        let at = (share * 1.25 * sample.len() as f64).ceil() as usize + 8;
        Ok(sample.get(at).copied().unwrap_or(u16::MAX - 1))
    }

    /// `work` on every segment, on all cores when there are several and enough passages.
    fn per_segment<T: Send>(
        &self,
        segments: &[SegmentReader],
        work: impl Fn(usize, &SegmentReader) -> Result<T> + Sync,
    ) -> Result<Vec<T>> {
        if !crate::run::parallel(segments) {
            // A small index: on this thread (see crate::run).
            return segments
                .iter()
                .enumerate()
                .map(|(ord, reader)| work(ord, reader))
                .collect();
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

    /// Compares every allowed passage's sketch in a search by meaning, as for segments too
    /// small to be grouped by meaning: for benchmarks measuring what the groups miss.
    #[doc(hidden)]
    pub fn compare_every_sketch(&self, on: bool) {
        self.meaning_cache.exhaustive.store(on, Ordering::Relaxed);
    }

    /// Groups by meaning the segments of at least `passages` passages opened from now on
    /// (instead of [`crate::partitions::MIN_PASSAGES`]): for tests, which cannot afford
    /// segments that large.
    #[doc(hidden)]
    pub fn group_segments_from(&self, passages: usize) {
        self.meaning_cache
            .group_from
            .store(passages, Ordering::Relaxed);
    }

    /// Opens the vectors of every segment of the index as it now reads, grouping the large
    /// ones by meaning, so that the first search by meaning after a start or a merge does
    /// not pay for it (a fraction of a second at a million passages). Returns how many
    /// segments are grouped.
    pub fn prepare_meaning(&self) -> Result<usize> {
        let searcher = self.reader.searcher();
        let grouped = self.per_segment(searcher.segment_readers(), |_, reader| {
            Ok(self.segment_vectors(reader)?.partitioned())
        })?;
        Ok(grouped.into_iter().filter(|g| *g).count())
    }

    /// How many of the segments searched by meaning so far are grouped by meaning.
    #[doc(hidden)]
    pub fn grouped_segments(&self) -> usize {
        self.meaning_cache
            .files
            .lock()
            .map(|files| files.values().filter(|v| v.partitioned()).count())
            .unwrap_or(0)
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
        let group_from = match self.meaning_cache.group_from.load(Ordering::Relaxed) {
            0 => crate::partitions::MIN_PASSAGES,
            n => n,
        };
        let vectors = SegmentVectors::open(reader, group_from).map_err(fail)?;
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
}

/// A set of document ids of one segment.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocBits {
    words: Vec<u64>,
    count: usize,
}

impl DocBits {
    fn with_max_doc(max_doc: DocId) -> DocBits {
        DocBits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
            count: 0,
        }
    }

    fn insert(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut(doc as usize / 64) {
            let bit = 1u64 << (doc % 64);
            if *word & bit == 0 {
                *word |= bit;
                self.count += 1;
            }
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    #[cfg(test)]
    pub(crate) fn from_docs(max_doc: DocId, docs: impl Iterator<Item = DocId>) -> DocBits {
        let mut bits = DocBits::with_max_doc(max_doc);
        for doc in docs {
            bits.insert(doc);
        }
        bits
    }

    /// Takes out the documents of `other`.
    pub(crate) fn remove(&mut self, other: &DocBits) {
        for (word, out) in self.words.iter_mut().zip(&other.words) {
            *word &= !out;
        }
        self.count = self.words.iter().map(|w| w.count_ones() as usize).sum();
    }

    /// The documents as bits, 64 to a word.
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    pub(crate) fn contains(&self, doc: DocId) -> bool {
        self.words
            .get(doc as usize / 64)
            .is_some_and(|w| w & (1 << (doc % 64)) != 0)
    }

    /// The documents in any of `sets`.
    pub(crate) fn union<'a>(sets: impl Iterator<Item = &'a DocBits>) -> DocBits {
        let mut out = DocBits::default();
        for set in sets {
            if out.words.len() < set.words.len() {
                out.words.resize(set.words.len(), 0);
            }
            for (o, w) in out.words.iter_mut().zip(&set.words) {
                *o |= w;
            }
        }
        out.count = out.words.iter().map(|w| w.count_ones() as usize).sum();
        out
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = DocId> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                Some(w as u32 * 64 + bit)
            })
        })
    }
}

/// Collects the documents a query matches as one [`DocBits`] per segment (deleted ones
/// left out, as every collector does), indexed by segment ordinal.
pub(crate) struct Matching;

pub(crate) struct SegmentMatching {
    segment: SegmentOrdinal,
    bits: DocBits,
}

impl Collector for Matching {
    type Fruit = Vec<DocBits>;
    type Child = SegmentMatching;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatching> {
        Ok(SegmentMatching {
            segment,
            bits: DocBits::with_max_doc(reader.max_doc()),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, DocBits)>,
    ) -> tantivy::Result<Vec<DocBits>> {
        let mut out: Vec<DocBits> = Vec::new();
        for (segment, bits) in fruits {
            let at = segment as usize;
            if out.len() <= at {
                out.resize_with(at + 1, DocBits::default);
            }
            if let Some(slot) = out.get_mut(at) {
                *slot = bits;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentMatching {
    type Fruit = (SegmentOrdinal, DocBits);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.bits.insert(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            self.bits.insert(doc);
        }
    }

    fn harvest(self) -> (SegmentOrdinal, DocBits) {
        (self.segment, self.bits)
    }
}
