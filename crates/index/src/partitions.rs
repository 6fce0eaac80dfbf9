//! An inverted file over a large segment's sketches: its passages grouped into partitions
//! of similar meaning, so that a search by meaning reads the few partitions closest to the
//! query instead of every passage's sketch.
//!
//! The partitions are made when a segment's vectors are first opened for a search, from
//! the sketch words a search compares (see [`crate::vectors`]): k-means in Hamming space
//! (k-modes: a partition's centre is the majority of its members' bits), trained on a
//! sample of the segment's passages and then applied to all of them. Nothing is written to
//! disk, so an index needs no new format and no re-ingest; the cost (about a tenth of a
//! second for 150,000 passages on one core) is paid once per segment and process.
//!
//! A search visits the partitions in the order of the query's cosine with their mean
//! vector and takes every allowed passage's sketch distance in them until it has the number
//! it was asked for; each partition's passages and sketch words lie side by side, so the
//! visit reads memory in straight lines.

use tantivy::DocId;

use crate::nearest::DocBits;
use crate::vectors::{VectorQuery, dequantize, quantize, squared_norm};

/// Segments with fewer passages are scanned whole: the straight pass over them costs less
/// than a tenth of a millisecond.
pub(crate) const MIN_PASSAGES: usize = 50_000;
/// Passages per partition, about: a segment of 150,000 passages has about 290.
const PASSAGES_PER_PARTITION: usize = 512;
/// Passages the centres are trained on, at most.
const TRAINING: usize = 16_384;
/// Rounds of assignment and new centres.
const ROUNDS: usize = 6;

/// Sketch words a partition is made on (the first two: 128 bits).
const WORDS: usize = 2;
type Code = [u64; WORDS];

/// The partitions of one segment's passages.
pub(crate) struct Partitions {
    /// Where each partition's passages start in `docs` and `codes`, and one more: the end.
    starts: Vec<u32>,
    docs: Vec<DocId>,
    codes: Vec<Code>,
    /// Each partition's mean vector, quantized as the passages' are, `dim` values each: a
    /// query visits the partitions in the order of its cosine with them (the order of the
    /// Hamming distance to the centres misjudges more).
    means: Vec<u8>,
    /// Each mean's squared length, so a query's cosines need one pass over the means.
    mean_norms: Vec<u32>,
    dim: usize,
}

fn distance(a: &Code, b: &Code) -> u16 {
    let mut bits = 0;
    for i in 0..WORDS {
        bits += (a[i] ^ b[i]).count_ones();
    }
    bits as u16
}

/// Distances of `code` to every centre, into `out` (a loop the compiler vectorizes).
fn distances(centres: &[Vec<u64>; WORDS], code: &Code, out: &mut Vec<u16>) {
    out.clear();
    out.extend(
        centres[0]
            .iter()
            .zip(&centres[1])
            .map(|(a, b)| ((a ^ code[0]).count_ones() + (b ^ code[1]).count_ones()) as u16),
    );
}

fn nearest(centres: &[Vec<u64>; WORDS], code: &Code, scratch: &mut Vec<u16>) -> usize {
    distances(centres, code, scratch);
    let mut best = (u16::MAX, 0);
    for (p, &d) in scratch.iter().enumerate() {
        if d < best.0 {
            best = (d, p);
        }
    }
    best.1
}

fn split(codes: &[Code]) -> [Vec<u64>; WORDS] {
    std::array::from_fn(|i| codes.iter().map(|c| c[i]).collect())
}

impl Partitions {
    /// Partitions for `docs` passages whose sketch words are `planes` (word `i` of passage
    /// `d` is `planes[i][d]`; missing words read as zero); none for fewer passages than
    /// make four partitions.
    ///
    /// `vector` gives a passage's int8 vector of `dim` values, for the partitions' means.
    pub(crate) fn build<'a>(
        planes: &[Vec<u64>],
        docs: usize,
        dim: usize,
        vector: impl Fn(DocId) -> Option<&'a [u8]>,
    ) -> Option<Partitions> {
        if docs < 4 * PASSAGES_PER_PARTITION {
            return None;
        }
        let code = |d: usize| -> Code {
            std::array::from_fn(|i| planes.get(i).and_then(|p| p.get(d)).copied().unwrap_or(0))
        };
        let k = (docs / PASSAGES_PER_PARTITION).max(2);
        // Training on passages spread over the segment; the first centres among them.
        let step = (docs / TRAINING).max(1);
        let sample: Vec<Code> = (0..docs).step_by(step).map(code).collect();
        let mut centres: Vec<Code> = (0..k)
            .filter_map(|p| sample.get(p * sample.len() / k).copied())
            .collect();
        let mut scratch = Vec::with_capacity(k);
        let mut members = vec![0usize; sample.len()];
        for round in 0..ROUNDS {
            let soa = split(&centres);
            for (m, c) in members.iter_mut().zip(&sample) {
                *m = nearest(&soa, c, &mut scratch);
            }
            // Each centre the majority of its members' bits; an empty partition takes a
            // passage of the sample instead.
            let mut ones = vec![[0u32; 64 * WORDS]; centres.len()];
            let mut sizes = vec![0u32; centres.len()];
            for (&m, c) in members.iter().zip(&sample) {
                if let (Some(count), Some(size)) = (ones.get_mut(m), sizes.get_mut(m)) {
                    *size += 1;
                    for (bit, n) in count.iter_mut().enumerate() {
                        *n += ((c[bit / 64] >> (bit % 64)) & 1) as u32;
                    }
                }
            }
            for (p, centre) in centres.iter_mut().enumerate() {
                let (count, size) = (&ones[p], sizes[p]);
                if size == 0 {
                    let at = (p * 7919 + round * 104_729) % sample.len().max(1);
                    if let Some(c) = sample.get(at) {
                        *centre = *c;
                    }
                    continue;
                }
                let mut majority = [0u64; WORDS];
                for (bit, &n) in count.iter().enumerate() {
                    if 2 * n > size {
                        majority[bit / 64] |= 1 << (bit % 64);
                    }
                }
                *centre = majority;
            }
        }
        let soa = split(&centres);
        let partition_of: Vec<usize> = (0..docs)
            .map(|d| nearest(&soa, &code(d), &mut scratch))
            .collect();
        // Passages grouped by partition, in document order within each.
        let mut starts = vec![0u32; k + 1];
        for &p in &partition_of {
            starts[p + 1] += 1;
        }
        for p in 0..k {
            starts[p + 1] += starts[p];
        }
        let mut next: Vec<u32> = starts[..k].to_vec();
        let mut order = vec![0 as DocId; docs];
        for (d, &p) in partition_of.iter().enumerate() {
            order[next[p] as usize] = d as DocId;
            next[p] += 1;
        }
        let codes = order.iter().map(|&d| code(d as usize)).collect();
        let mut means = Vec::with_capacity(k * dim);
        for p in 0..k {
            let (from, to) = (starts[p] as usize, starts[p + 1] as usize);
            let mut sum = vec![0f32; dim];
            for &doc in order.get(from..to).unwrap_or_default() {
                for (s, v) in sum
                    .iter_mut()
                    .zip(dequantize(vector(doc).unwrap_or_default()))
                {
                    *s += v;
                }
            }
            means.extend(quantize(&sum));
        }
        let mean_norms = means.chunks_exact(dim.max(1)).map(squared_norm).collect();
        Some(Partitions {
            starts,
            docs: order,
            codes,
            means,
            mean_norms,
            dim,
        })
    }

    /// The partitions in the order a query visits them: closest mean first.
    pub(crate) fn order(&self, query: &VectorQuery) -> Vec<u32> {
        let mut order: Vec<(f32, u32)> = self
            .means
            .chunks_exact(self.dim.max(1))
            .zip(&self.mean_norms)
            .enumerate()
            .map(|(p, (mean, &norm))| (-query.cosine_with(mean, norm), p as u32))
            .collect();
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        order.into_iter().map(|(_, p)| p).collect()
    }

    /// The allowed passages of the partitions closest to `query`, visited in `order` (see
    /// [`Partitions::order`]), each with its sketch distance, partition by partition until
    /// at least `want` are found (or none is left).
    pub(crate) fn probe(
        &self,
        query: &VectorQuery,
        order: &[u32],
        allowed: &DocBits,
        want: usize,
    ) -> Vec<(u16, DocId)> {
        let sketch = query.sketch();
        let q: Code = std::array::from_fn(|i| sketch.get(i).copied().unwrap_or(0));
        let mut found = Vec::with_capacity(want + PASSAGES_PER_PARTITION);
        for &p in order {
            let p = p as usize;
            let (Some(&from), Some(&to)) = (self.starts.get(p), self.starts.get(p + 1)) else {
                continue;
            };
            let (from, to) = (from as usize, to as usize);
            let (Some(docs), Some(codes)) = (self.docs.get(from..to), self.codes.get(from..to))
            else {
                continue;
            };
            for (&doc, code) in docs.iter().zip(codes) {
                if allowed.contains(doc) {
                    found.push((distance(&q, code), doc));
                }
            }
            if found.len() >= want {
                break;
            }
        }
        found
    }

    /// How many partitions there are.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.starts.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::sketch;

    const DIM: usize = 128;

    fn rng(state: &mut u64) -> f32 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((*state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    /// `n` passages around 64 random topics (passage `d` on topic `d % 64`): their int8
    /// vectors and sketch words, and the topics' vectors.
    struct Clustered {
        vectors: Vec<Vec<u8>>,
        planes: Vec<Vec<u64>>,
        topics: Vec<Vec<f32>>,
    }

    fn clustered(n: usize) -> Clustered {
        let mut state = 42;
        let topics: Vec<Vec<f32>> = (0..64)
            .map(|_| (0..DIM).map(|_| rng(&mut state)).collect())
            .collect();
        let (mut vectors, mut planes) = (Vec::with_capacity(n), vec![Vec::new(), Vec::new()]);
        let mut code = Vec::new();
        for d in 0..n {
            let v: Vec<f32> = topics[d % 64]
                .iter()
                .map(|x| x + 0.3 * rng(&mut state))
                .collect();
            let stored = quantize(&v);
            sketch(&stored, &mut code);
            for (plane, word) in planes.iter_mut().zip(&code) {
                plane.push(*word);
            }
            vectors.push(stored);
        }
        Clustered {
            vectors,
            planes,
            topics,
        }
    }

    fn build(c: &Clustered) -> Option<Partitions> {
        Partitions::build(&c.planes, c.vectors.len(), DIM, |d| {
            c.vectors.get(d as usize).map(Vec::as_slice)
        })
    }

    fn all(n: usize) -> DocBits {
        DocBits::from_docs(n as DocId, 0..n as DocId)
    }

    #[test]
    fn small_segments_are_not_partitioned() {
        assert!(build(&clustered(1000)).is_none());
    }

    #[test]
    fn every_passage_is_in_one_partition_and_the_closest_come_first() {
        let n = MIN_PASSAGES + 1234;
        let c = clustered(n);
        let parts = build(&c).expect("partitioned");
        assert_eq!(parts.len(), n / PASSAGES_PER_PARTITION);
        let mut seen = parts.docs.clone();
        seen.sort_unstable();
        assert!(seen.iter().enumerate().all(|(i, &d)| i as DocId == d));
        // A query on a topic: asking for as many passages as the topic has finds most of
        // them, reading a small part of the segment.
        let query = VectorQuery::new(&c.topics[5]).expect("query");
        let on_topic = (0..n).filter(|d| d % 64 == 5).count();
        let found = parts.probe(&query, &parts.order(&query), &all(n), on_topic);
        let right = found.iter().filter(|(_, doc)| doc % 64 == 5).count();
        assert!(right >= on_topic * 9 / 10, "{right} of {on_topic}");
        assert!(found.len() < n / 8, "read {} of {n}", found.len());
    }

    #[test]
    fn only_allowed_passages_are_found() {
        let n = MIN_PASSAGES;
        let c = clustered(n);
        let parts = build(&c).expect("partitioned");
        let allowed = DocBits::from_docs(n as DocId, (0..n as DocId).filter(|d| d % 3 == 0));
        let query = VectorQuery::new(&c.topics[0]).expect("query");
        let order = parts.order(&query);
        let found = parts.probe(&query, &order, &allowed, 100);
        assert!(found.len() >= 100);
        assert!(found.iter().all(|(_, doc)| doc % 3 == 0));
        // Asking for more than are allowed reads them all.
        let everything = parts.probe(&query, &order, &allowed, n);
        assert_eq!(everything.len(), allowed.count());
    }
}
