//! Passage vectors stored in the index's own segments, and the search over them.
//!
//! Each segment holds a `.vec` file beside its postings and columns, written by a tantivy
//! segment plugin when the segment is written or merged, so vectors are committed (and
//! left behind by a killed run) exactly as the text is. The file holds, per document in
//! document order, a 1-bit sketch of the vector and the vector itself quantized to int8:
//!
//! ```text
//! "CFIV" version:u8 0 0 0 dim:u32le words:u32le      16-byte header
//! sketch of doc 0 (words x u64le), doc 1, ...          sign bits of the vector, rotated
//! vector of doc 0 (dim x i8), doc 1, ...               max |value| scaled to 127
//! ```
//!
//! A search compares the first 128 bits of the sketch of every passage the filters allow
//! with the query's (bits that differ; those bits are copied into memory when a segment is
//! first searched, word by word, so this pass reads 16 bytes a passage in one straight
//! line: 16 MB of memory at a million passages), and scores the closest thousand or so exactly on their int8 vectors, read where
//! they lie in the memory-mapped file. The sketch is the sign of each coordinate after a
//! fixed random rotation (random signs, then a Walsh-Hadamard transform), so that the
//! number of differing bits follows the angle between the vectors whatever the model's
//! coordinates look like (a PCA-reduced model puts most of its variance in its first
//! coordinates, which plain sign bits would weigh no more than the last), and any 128 of
//! its bits say as much as any other 128. Where the filters allow no more passages than
//! are scored exactly anyway, the sketches are skipped and the search is exact. A segment
//! of 50,000 passages or more is grouped by meaning when first searched (see
//! [`crate::partitions`]), and a search reads the sketches of its closest groups only.

use std::any::Any;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentComponent;
use tantivy::indexer::doc_id_mapping::{DocIdMapping, MappingType};
use tantivy::schema::{Field, Schema};
use tantivy::{
    DocId, PluginMergeContext, PluginWriter, PluginWriterContext, Score, Segment, SegmentPlugin,
    SegmentReader, TantivyDocument, TantivyError,
};

use crate::nearest::DocBits;
use crate::partitions::Partitions;

/// The extension of the vectors file of each segment.
pub(crate) const EXTENSION: &str = "vec";
const MAGIC: &[u8; 4] = b"CFIV";
const VERSION: u8 = 1;
const HEADER: usize = 16;
/// Words of the sketch a search compares for every allowed passage (the first ones: after
/// the rotation every word says as much as another). At a million passages on two cores
/// the pass over two words takes about 0.9 ms, over four 1.5 ms.
const SCAN_WORDS: usize = 2;

/// Seed of the random signs applied before the rotation; part of the file format.
const ROTATION_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Passages scored exactly for a search wanting the `n` closest: those closest by sketch.
/// Against exact search over 100,000 generated passages with the shipped model (110
/// queries), the ten found with a shortlist of 1,000 are 99.4% as similar to the query as
/// the true ten closest (80% are the same passages; most of those missed tie with the
/// ones found to the second decimal: generated passages share their sentences). 2,000
/// keep 99.6% at twice the cost of this step (reading a vector is a cache miss); comparing
/// all 256 bits of the sketches ([`SCAN_WORDS`] 4) keeps 99.8% at 1,000, for a pass that
/// reads twice as much.
pub(crate) fn shortlist_len(n: usize) -> usize {
    n.saturating_mul(10).max(1000)
}

/// The vector as stored: each value scaled so the largest magnitude is 127 (cosine
/// similarity does not depend on the scale), as bytes. All zeros stays all zeros.
pub(crate) fn quantize(vector: &[f32]) -> Vec<u8> {
    let max = vector
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f32, |m, x| m.max(x.abs()));
    vector
        .iter()
        .map(|x| {
            if max > 0.0 && x.is_finite() {
                let q = (x / max * 127.0).round().clamp(-127.0, 127.0) as i8;
                q as u8
            } else {
                0
            }
        })
        .collect()
}

/// A stored (int8) vector's values, as [`quantize`] scaled them.
pub(crate) fn dequantize(stored: &[u8]) -> impl Iterator<Item = f32> + '_ {
    stored.iter().map(|&b| f32::from(b as i8))
}

/// u64 words of the sketch of a vector of `dim` values.
pub(crate) fn sketch_words(dim: usize) -> usize {
    dim.max(1).next_power_of_two().div_ceil(64)
}

/// The sketch of a stored vector: the signs of its coordinates after random sign flips and
/// a Walsh-Hadamard transform (zero-padded to a power of two), one bit each.
pub(crate) fn sketch(stored: &[u8], out: &mut Vec<u64>) {
    let len = stored.len().max(1).next_power_of_two();
    let mut x: Vec<i32> = vec![0; len];
    for (i, (slot, &value)) in x.iter_mut().zip(stored).enumerate() {
        let flip = splitmix64(ROTATION_SEED ^ i as u64) & 1 == 1;
        let value = i32::from(value as i8);
        *slot = if flip { -value } else { value };
    }
    let mut h = 1;
    while h < len {
        for block in x.chunks_exact_mut(2 * h) {
            let (a, b) = block.split_at_mut(h);
            for (u, v) in a.iter_mut().zip(b.iter_mut()) {
                let (s, d) = (*u + *v, *u - *v);
                *u = s;
                *v = d;
            }
        }
        h *= 2;
    }
    out.clear();
    out.resize(sketch_words(stored.len()), 0);
    for (i, value) in x.iter().enumerate() {
        if *value > 0
            && let Some(word) = out.get_mut(i / 64)
        {
            *word |= 1 << (i % 64);
        }
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A query vector ready to be compared with stored ones.
#[derive(Debug, Clone)]
pub(crate) struct VectorQuery {
    /// The vector scaled to integers (as large as the int32 sums allow).
    weights: Vec<i16>,
    /// Length of `weights`, for the cosine.
    norm: f32,
    sketch: Vec<u64>,
}

impl VectorQuery {
    /// None for a vector with nothing in it (the text held nothing the model knows).
    pub(crate) fn new(vector: &[f32]) -> Option<VectorQuery> {
        let max = vector
            .iter()
            .filter(|x| x.is_finite())
            .fold(0.0f32, |m, x| m.max(x.abs()));
        if max <= 0.0 {
            return None;
        }
        // Sums of dim products of weight x 127 stay within i32.
        let dim = i64::try_from(vector.len().max(1)).unwrap_or(i64::MAX);
        let largest = (i64::from(i32::MAX) / (127 * dim)).clamp(1, i64::from(i16::MAX)) as f32;
        let weights: Vec<i16> = vector
            .iter()
            .map(|x| {
                if x.is_finite() {
                    (x / max * largest).round() as i16
                } else {
                    0
                }
            })
            .collect();
        let norm = weights
            .iter()
            .map(|w| f32::from(*w) * f32::from(*w))
            .sum::<f32>()
            .sqrt();
        if norm <= 0.0 {
            return None;
        }
        let mut code = Vec::new();
        sketch(&quantize(vector), &mut code);
        Some(VectorQuery {
            weights,
            norm,
            sketch: code,
        })
    }

    /// The query a stored vector makes ("more like this passage").
    pub(crate) fn from_stored(stored: &[u8]) -> Option<VectorQuery> {
        let vector: Vec<f32> = dequantize(stored).collect();
        VectorQuery::new(&vector)
    }

    pub(crate) fn dim(&self) -> usize {
        self.weights.len()
    }

    /// The query's sketch (see [`sketch`]).
    pub(crate) fn sketch(&self) -> &[u64] {
        &self.sketch
    }

    /// Cosine similarity with a stored (int8) vector; 0 for an all-zero one.
    pub(crate) fn cosine(&self, stored: &[u8]) -> f32 {
        self.cosine_with(stored, squared_norm(stored))
    }

    /// [`VectorQuery::cosine`] with the stored vector's squared length known.
    pub(crate) fn cosine_with(&self, stored: &[u8], squared_norm: u32) -> f32 {
        if squared_norm == 0 {
            return 0.0;
        }
        // In lanes of 16, each summed apart, so that the compiler keeps them in vector
        // registers; the int32 sums cannot overflow (|w| * 127 * 16 per lane and step).
        let mut lanes = [0i32; 16];
        let (weights, stored) = (self.weights.as_slice(), stored);
        let whole = weights.len().min(stored.len()) / 16 * 16;
        for (w, s) in weights
            .get(..whole)
            .unwrap_or_default()
            .chunks_exact(16)
            .zip(stored.get(..whole).unwrap_or_default().chunks_exact(16))
        {
            for ((lane, &w), &s) in lanes.iter_mut().zip(w).zip(s) {
                *lane += i32::from(w) * i32::from(s as i8);
            }
        }
        let mut dot: i32 = lanes.iter().sum();
        for (&w, &s) in weights.iter().zip(stored).skip(whole) {
            dot += i32::from(w) * i32::from(s as i8);
        }
        dot as f32 / (self.norm * (squared_norm as f32).sqrt())
    }
}

/// The squared length of a stored (int8) vector.
pub(crate) fn squared_norm(stored: &[u8]) -> u32 {
    stored
        .iter()
        .map(|&s| {
            let s = i32::from(s as i8);
            (s * s) as u32
        })
        .sum()
}

/// The number of set bits of each byte of `v`, in that byte (the first steps of a
/// population count: machines built without a popcount instruction add these up for
/// several words before the last step).
fn byte_counts(v: u64) -> u64 {
    let v = v - ((v >> 1) & 0x5555_5555_5555_5555);
    let v = (v & 0x3333_3333_3333_3333) + ((v >> 2) & 0x3333_3333_3333_3333);
    (v + (v >> 4)) & 0x0f0f_0f0f_0f0f_0f0f
}

/// The sum of the bytes of `v` (added in 16-bit lanes, which cannot overflow).
fn sum_bytes(v: u64) -> u32 {
    let v = (v & 0x00ff_00ff_00ff_00ff) + ((v >> 8) & 0x00ff_00ff_00ff_00ff);
    (v.wrapping_mul(0x0001_0001_0001_0001) >> 48) as u32
}

/// The vectors file of one segment, read where it lies.
pub(crate) struct SegmentVectors {
    bytes: OwnedBytes,
    dim: usize,
    words: usize,
    docs: usize,
    /// The first [`SCAN_WORDS`] words of the sketches again, in memory, word by word:
    /// `planes[i][doc]` is the `i`th word of a document's sketch. A search reads them for
    /// every allowed passage in one straight pass.
    planes: Vec<Vec<u64>>,
    /// A large segment's passages grouped by meaning, so that a search reads a few groups.
    partitions: Option<Partitions>,
    /// Each document's squared vector length plus one, once a search scored it (0: not
    /// yet): scoring a shortlist then reads each vector once.
    norms: Vec<AtomicU32>,
}

impl SegmentVectors {
    /// Opens the segment's vectors file and checks it holds `max_doc` vectors; groups its
    /// passages by meaning where it holds at least `group_from`.
    pub(crate) fn open(
        reader: &SegmentReader,
        group_from: usize,
    ) -> Result<SegmentVectors, String> {
        let file = reader
            .open_read(SegmentComponent::Custom(EXTENSION.to_string()))
            .map_err(|e| e.to_string())?;
        let bytes = file.read_bytes().map_err(|e| e.to_string())?;
        let header = bytes
            .as_slice()
            .get(..HEADER)
            .ok_or("the vectors file is shorter than its header")?;
        if header.get(..4) != Some(MAGIC.as_slice()) || header.get(4) != Some(&VERSION) {
            return Err("not a vectors file of this version of cfi".into());
        }
        let read = |at: usize| {
            header
                .get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u32::from_le_bytes) as usize
        };
        let (dim, words) = (read(8), read(12));
        let docs = reader.max_doc() as usize;
        if words != sketch_words(dim) || HEADER + docs * (words * 8 + dim) != bytes.len() {
            return Err(format!(
                "the vectors file holds {} bytes, not {docs} vectors of {dim} dimensions",
                bytes.len()
            ));
        }
        // Only the words a search compares: 16 bytes a passage at 256 dimensions.
        let mut planes = vec![Vec::with_capacity(docs); words.min(SCAN_WORDS)];
        let region = bytes
            .as_slice()
            .get(HEADER..HEADER + docs * words * 8)
            .unwrap_or_default();
        for sketch in region.chunks_exact(words.max(1) * 8) {
            for (plane, word) in planes.iter_mut().zip(sketch.chunks_exact(8)) {
                plane.push(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
            }
        }
        let mut vectors = SegmentVectors {
            bytes,
            dim,
            words,
            docs,
            planes,
            partitions: None,
            norms: std::iter::repeat_with(AtomicU32::default)
                .take(docs)
                .collect(),
        };
        if docs >= group_from {
            vectors.partitions =
                Partitions::build(&vectors.planes, docs, dim, |doc| vectors.vector(doc));
        }
        Ok(vectors)
    }

    pub(crate) fn dim(&self) -> usize {
        self.dim
    }

    /// Whether the segment's passages are grouped by meaning (see [`Partitions`]).
    pub(crate) fn partitioned(&self) -> bool {
        self.partitions.is_some()
    }

    /// The allowed passages of the groups closest to the query, at least `want` of them
    /// where there are as many, with their sketch distances (as
    /// [`SegmentVectors::distance`]); every allowed passage where the segment is not
    /// grouped.
    ///
    /// `order` is the groups' order for this query ([`SegmentVectors::order`]), worked out
    /// once for every filter a search probes with.
    pub(crate) fn probe(
        &self,
        allowed: &DocBits,
        query: &VectorQuery,
        order: &[u32],
        want: usize,
    ) -> Vec<(u16, DocId)> {
        match &self.partitions {
            Some(partitions) if query.dim() == self.dim => {
                partitions.probe(query, order, allowed, want)
            }
            _ => self.within(allowed, query, u16::MAX - 1),
        }
    }

    /// The order in which a query visits the segment's groups, closest first (none where
    /// the segment is not grouped).
    pub(crate) fn order(&self, query: &VectorQuery) -> Vec<u32> {
        match &self.partitions {
            Some(partitions) if query.dim() == self.dim => partitions.order(query),
            _ => Vec::new(),
        }
    }

    fn sketch(&self, doc: DocId) -> Option<&[u8]> {
        let size = self.words * 8;
        let at = HEADER + doc as usize * size;
        self.bytes.as_slice().get(at..at + size)
    }

    /// The int8 vector of a document.
    pub(crate) fn vector(&self, doc: DocId) -> Option<&[u8]> {
        let at = HEADER + self.docs * self.words * 8 + doc as usize * self.dim;
        self.bytes.as_slice().get(at..at + self.dim)
    }

    /// Cosine similarity of `query` with each of `docs` (in document order, so the
    /// vectors are read in the order they lie).
    pub(crate) fn score(&self, docs: &mut [DocId], query: &VectorQuery) -> Vec<(Score, DocId)> {
        if query.dim() != self.dim {
            return Vec::new();
        }
        docs.sort_unstable();
        // The vectors lie far apart: read a byte of each of their cache lines first. These
        // reads depend on nothing, so the processor has many of them in flight at once,
        // where the products below would wait for each vector in turn.
        let mut touched = 0u8;
        for &doc in docs.iter() {
            for &byte in self.vector(doc).unwrap_or_default().iter().step_by(64) {
                touched ^= byte;
            }
        }
        std::hint::black_box(touched);
        docs.iter()
            .filter_map(|&doc| {
                let vector = self.vector(doc)?;
                let kept = self.norms.get(doc as usize)?;
                let squared = match kept.load(Ordering::Relaxed) {
                    0 => {
                        let squared = squared_norm(vector);
                        kept.store(squared.saturating_add(1), Ordering::Relaxed);
                        squared
                    }
                    known => known - 1,
                };
                Some((query.cosine_with(vector, squared), doc))
            })
            .collect()
    }

    /// How many of the first [`SCAN_WORDS`] words' bits of a document's sketch differ
    /// from the query's.
    pub(crate) fn distance(&self, doc: DocId, query: &VectorQuery) -> Option<u16> {
        self.distance_to(doc, &query.sketch)
    }

    fn distance_to(&self, doc: DocId, sketch: &[u64]) -> Option<u16> {
        let mut bytes = 0u64;
        for (plane, q) in self.planes.iter().zip(sketch) {
            bytes += byte_counts(q ^ plane.get(doc as usize)?);
        }
        Some(sum_bytes(bytes) as u16)
    }

    /// The allowed documents whose sketches differ from the query's in at most `cut` of
    /// the bits compared (see [`SegmentVectors::distance`]), with that number: one
    /// straight pass over the allowed passages' sketch words.
    pub(crate) fn within(
        &self,
        allowed: &DocBits,
        query: &VectorQuery,
        cut: u16,
    ) -> Vec<(u16, DocId)> {
        let mut close = Vec::new();
        if query.dim() != self.dim {
            return close;
        }
        match *query.sketch.as_slice() {
            [a, b, c, d, ..] if SCAN_WORDS >= 4 => {
                self.scan([a, b, c, d], allowed, cut, &mut close);
            }
            [a, b, ..] => self.scan([a, b], allowed, cut, &mut close),
            [a] => self.scan([a], allowed, cut, &mut close),
            [] => {}
        }
        close
    }

    /// [`SegmentVectors::within`] over the first `N` words, the loop unrolled.
    fn scan<const N: usize>(
        &self,
        query: [u64; N],
        allowed: &DocBits,
        cut: u16,
        close: &mut Vec<(u16, DocId)>,
    ) {
        let planes: [&[u64]; N] =
            std::array::from_fn(|i| self.planes.get(i).map_or(&[][..], Vec::as_slice));
        let mut distances = [0u16; 64];
        for (block, &word) in allowed.words().iter().enumerate() {
            if word == 0 {
                continue;
            }
            let base = block * 64;
            // A whole block of 64 sketches: distances computed side by side (the compiler
            // keeps them in vector registers), then the close ones kept.
            let mut whole = true;
            let words: [&[u64; 64]; N] = std::array::from_fn(|i| {
                let block = planes[i]
                    .get(base..base + 64)
                    .and_then(|w| w.try_into().ok());
                whole &= block.is_some();
                block.unwrap_or(&[0; 64])
            });
            if whole {
                for (j, slot) in distances.iter_mut().enumerate() {
                    let mut bytes = 0u64;
                    for i in 0..N {
                        bytes += byte_counts(query[i] ^ words[i][j]);
                    }
                    *slot = sum_bytes(bytes) as u16;
                }
                if word == u64::MAX {
                    for (j, &d) in distances.iter().enumerate() {
                        if d <= cut {
                            close.push((d, (base + j) as DocId));
                        }
                    }
                } else {
                    let mut bits = word;
                    while bits != 0 {
                        let j = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        if let Some(&d) = distances.get(j)
                            && d <= cut
                        {
                            close.push((d, (base + j) as DocId));
                        }
                    }
                }
                continue;
            }
            // The last block of a segment, shorter.
            let mut bits = word;
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let doc = (base + j) as DocId;
                if let Some(d) = self.distance_to(doc, &query)
                    && d <= cut
                {
                    close.push((d, doc));
                }
            }
        }
    }
}

/// Writes and merges the `.vec` file of each segment from the documents' `vector` field
/// (the int8 vector as bytes).
pub(crate) struct VectorPlugin {
    field: Field,
}

impl VectorPlugin {
    pub(crate) fn new(field: Field) -> VectorPlugin {
        VectorPlugin { field }
    }
}

fn invalid(message: impl Into<String>) -> TantivyError {
    TantivyError::InvalidArgument(format!("passage vectors: {}", message.into()))
}

impl SegmentPlugin for VectorPlugin {
    fn extensions(&self) -> &[&str] {
        &[EXTENSION]
    }

    fn create_writer(&self, _ctx: &PluginWriterContext) -> tantivy::Result<Box<dyn PluginWriter>> {
        Ok(Box::new(VectorWriter {
            field: self.field,
            dim: None,
            waiting: 0,
            sketches: Vec::new(),
            vectors: Vec::new(),
            scratch: Vec::new(),
        }))
    }

    fn merge(&self, ctx: PluginMergeContext) -> tantivy::Result<()> {
        if ctx.doc_id_mapping.mapping_type() == MappingType::Shuffled {
            return Err(invalid("a sorted index cannot be merged"));
        }
        let mut sources = Vec::with_capacity(ctx.readers.len());
        let mut dim = None;
        for reader in ctx.readers {
            let vectors = SegmentVectors::open(reader, usize::MAX).map_err(invalid)?;
            if reader.num_docs() > 0 {
                match dim {
                    None => dim = Some(vectors.dim),
                    Some(d) if d != vectors.dim => {
                        return Err(invalid(format!(
                            "segments of {d} and {} dimensions cannot be merged",
                            vectors.dim
                        )));
                    }
                    Some(_) => {}
                }
            }
            sources.push((reader, vectors));
        }
        let dim = dim.unwrap_or(0);
        let mut out = ctx
            .target_segment
            .open_write(SegmentComponent::Custom(EXTENSION.to_string()))?;
        out.write_all(&header(dim))?;
        // The merged segment holds each source's live documents in order (the mapping is
        // stacked), so the sketches, then the vectors, are copied in that order.
        for (reader, vectors) in &sources {
            for doc in reader.doc_ids_alive() {
                let sketch = vectors
                    .sketch(doc)
                    .ok_or_else(|| invalid("a document has no sketch"))?;
                out.write_all(sketch)?;
            }
        }
        for (reader, vectors) in &sources {
            for doc in reader.doc_ids_alive() {
                let vector = vectors
                    .vector(doc)
                    .ok_or_else(|| invalid("a document has no vector"))?;
                out.write_all(vector)?;
            }
        }
        out.flush()?;
        tantivy::directory::TerminatingWrite::terminate(out)?;
        Ok(())
    }
}

fn header(dim: usize) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..4].copy_from_slice(MAGIC);
    h[4] = VERSION;
    let dim32 = u32::try_from(dim).unwrap_or(u32::MAX);
    let words = u32::try_from(sketch_words(dim)).unwrap_or(u32::MAX);
    h[8..12].copy_from_slice(&dim32.to_le_bytes());
    h[12..16].copy_from_slice(&words.to_le_bytes());
    h
}

struct VectorWriter {
    field: Field,
    /// Known from the first document with a vector.
    dim: Option<usize>,
    /// Documents seen before any had a vector (stored as zeros).
    waiting: usize,
    sketches: Vec<u8>,
    vectors: Vec<u8>,
    scratch: Vec<u64>,
}

impl VectorWriter {
    fn push(&mut self, vector: &[u8]) {
        sketch(vector, &mut self.scratch);
        for word in &self.scratch {
            self.sketches.extend_from_slice(&word.to_le_bytes());
        }
        self.vectors.extend_from_slice(vector);
    }
}

impl PluginWriter for VectorWriter {
    fn add_document(
        &mut self,
        _doc_id: DocId,
        doc: &dyn tantivy::schema::document::ErasedDocument,
        _schema: &Schema,
    ) -> tantivy::Result<()> {
        let doc = doc
            .as_any()
            .downcast_ref::<TantivyDocument>()
            .ok_or_else(|| invalid("documents must be TantivyDocuments"))?;
        let vector = doc
            .get_first(self.field)
            .and_then(|v| tantivy::schema::Value::as_custom(&v));
        match (vector, self.dim) {
            (None, None) => self.waiting += 1,
            (None, Some(dim)) => self.push(&vec![0; dim]),
            (Some(vector), Some(dim)) if vector.len() != dim => {
                return Err(invalid(format!(
                    "a vector of {} dimensions in a segment of {dim}",
                    vector.len()
                )));
            }
            (Some(vector), Some(_)) => self.push(vector),
            (Some(vector), None) => {
                self.dim = Some(vector.len());
                let zeros = vec![0; vector.len()];
                for _ in 0..std::mem::take(&mut self.waiting) {
                    self.push(&zeros);
                }
                self.push(vector);
            }
        }
        Ok(())
    }

    fn serialize(
        self: Box<Self>,
        segment: &Segment,
        doc_id_map: Option<&DocIdMapping>,
    ) -> tantivy::Result<()> {
        if doc_id_map.is_some() {
            return Err(invalid("a sorted index cannot hold vectors"));
        }
        let dim = self.dim.unwrap_or(0);
        let mut out = segment.open_write(SegmentComponent::Custom(EXTENSION.to_string()))?;
        out.write_all(&header(dim))?;
        out.write_all(&self.sketches)?;
        out.write_all(&self.vectors)?;
        out.flush()?;
        tantivy::directory::TerminatingWrite::terminate(out)?;
        Ok(())
    }

    fn mem_usage(&self) -> usize {
        self.sketches.capacity() + self.vectors.capacity()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Shared so every handle on one index reuses the plugin.
pub(crate) fn plugin(field: Field) -> Arc<dyn SegmentPlugin> {
    Arc::new(VectorPlugin::new(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_cosine_in_lanes_is_the_plain_one(
            pairs in proptest::collection::vec((-1.0f32..1.0, -1.0f32..1.0), 1..300),
        ) {
            let (a, b): (Vec<f32>, Vec<f32>) = pairs.into_iter().unzip();
            let Some(query) = VectorQuery::new(&a) else {
                return Ok(());
            };
            let stored = quantize(&b);
            // The plain sums, in one loop.
            let (mut dot, mut norm) = (0i64, 0i64);
            for (&w, &s) in query.weights.iter().zip(&stored) {
                dot += i64::from(w) * i64::from(s as i8);
                norm += i64::from(s as i8) * i64::from(s as i8);
            }
            let plain = if norm == 0 { 0.0 } else { dot as f32 / (query.norm * (norm as f32).sqrt()) };
            proptest::prop_assert!((query.cosine(&stored) - plain).abs() < 1e-5);
        }
    }
    use proptest::prelude::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn quantized_vectors_keep_their_cosine() {
        let a = unit(&[0.9, -0.1, 0.3, 0.0, 0.05, -0.6, 0.2, 0.1]);
        let b = unit(&[0.8, 0.1, 0.2, -0.1, 0.0, -0.5, 0.3, 0.0]);
        let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let query = VectorQuery::new(&a).expect("query");
        assert!((query.cosine(&quantize(&b)) - exact).abs() < 0.01);
        assert!(VectorQuery::new(&[0.0; 8]).is_none());
        assert_eq!(query.cosine(&[0; 8]), 0.0);
    }

    #[test]
    fn close_vectors_have_close_sketches() {
        let a: Vec<f32> = (0..256).map(|i| ((i * 7919) % 101) as f32 - 50.0).collect();
        let mut near = a.clone();
        for x in near.iter_mut().step_by(16) {
            *x = -*x;
        }
        let far: Vec<f32> = a.iter().map(|x| -x).collect();
        let query = VectorQuery::new(&a).expect("query");
        let code = |v: &[f32]| {
            let mut out = Vec::new();
            sketch(&quantize(v), &mut out);
            out
        };
        let distance = |v: &[f32]| -> u32 {
            query
                .sketch
                .iter()
                .zip(code(v))
                .map(|(q, s)| (q ^ s).count_ones())
                .sum()
        };
        assert_eq!(distance(&a), 0);
        assert!(distance(&near) < 64);
        assert_eq!(distance(&far), 256);
    }

    proptest! {
        #[test]
        fn byte_counts_add_up_to_the_set_bits(words in proptest::collection::vec(proptest::num::u64::ANY, 0..32)) {
            let bytes: u64 = words.iter().map(|w| byte_counts(*w)).sum();
            let want: u32 = words.iter().map(|w| w.count_ones()).sum();
            prop_assert_eq!(sum_bytes(bytes), want);
        }

        #[test]
        fn quantize_never_panics_and_keeps_the_length(v in proptest::collection::vec(proptest::num::f32::ANY, 0..40)) {
            let q = quantize(&v);
            prop_assert_eq!(q.len(), v.len());
            let mut code = Vec::new();
            sketch(&q, &mut code);
            prop_assert_eq!(code.len(), sketch_words(v.len()));
            if let Some(query) = VectorQuery::new(&v) {
                let c = query.cosine(&q);
                prop_assert!(c.is_finite() && c <= 1.001, "{}", c);
            }
        }
    }
}
