//! What a search leaves out for its caller, as one bit per passage of each segment:
//! confidential passages (unless staff ask for them) and the repeats folded into a first
//! version the caller sees.
//!
//! tantivy asks an exclusion about every candidate a search goes through. Asked of the
//! exclusion's own posting lists (the confidential term's, and the folded repeats less the
//! versions the caller cannot see), that cost a search at a million passages about an
//! eighth of its time; a bit costs next to nothing. The bits are worked out by running that
//! same exclusion over a segment, once per segment, catalog and kind of caller, and kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{BitSet, DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED};

use crate::catalog::Catalog;

/// Segments' bits kept at most; beyond, the map starts over (merges leave old segments'
/// bits behind until the catalog changes).
const KEPT: usize = 512;

/// Who is asking: whether confidential passages are shown, and whether repeats are folded.
pub(crate) type Caller = (bool, bool);

/// A segment's hidden passages, as bits, and the first of them.
pub(crate) struct Set {
    bits: BitSet,
    first: DocId,
}

/// A segment's bits, with the catalog they were worked out under.
type Kept = (Arc<Catalog>, Arc<Set>);

/// The bits of each segment and caller.
#[derive(Default)]
pub(crate) struct HiddenSets {
    kept: Mutex<HashMap<(SegmentId, Caller), Kept>>,
}

impl HiddenSets {
    /// The bits `make` works out for `segment` under `catalog`, kept. The catalog is kept
    /// with them: a catalog of another commit is another allocation, so bits worked out
    /// under an older one are never taken for it.
    fn get_or_make(
        &self,
        segment: SegmentId,
        caller: Caller,
        catalog: &Arc<Catalog>,
        make: impl FnOnce() -> tantivy::Result<Set>,
    ) -> tantivy::Result<Arc<Set>> {
        if let Ok(kept) = self.kept.lock()
            && let Some((of, set)) = kept.get(&(segment, caller))
            && Arc::ptr_eq(of, catalog)
        {
            return Ok(Arc::clone(set));
        }
        let set = Arc::new(make()?);
        if let Ok(mut kept) = self.kept.lock() {
            // What another catalog's searches kept is of no more use (nor is that catalog).
            kept.retain(|_, (of, _)| Arc::ptr_eq(of, catalog));
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert((segment, caller), (Arc::clone(catalog), Arc::clone(&set)));
        }
        Ok(set)
    }
}

/// An exclusion (`MustNot`) answered from kept bits: matches what `exclusion` matches.
pub(crate) struct Hidden {
    exclusion: Box<dyn Query>,
    caller: Caller,
    catalog: Arc<Catalog>,
    sets: Arc<HiddenSets>,
}

impl Hidden {
    /// `exclusion` must depend only on the segment, `catalog` and `caller`.
    pub(crate) fn new(
        exclusion: Box<dyn Query>,
        caller: Caller,
        catalog: Arc<Catalog>,
        sets: Arc<HiddenSets>,
    ) -> Hidden {
        Hidden {
            exclusion,
            caller,
            catalog,
            sets,
        }
    }
}

impl Clone for Hidden {
    fn clone(&self) -> Self {
        Hidden {
            exclusion: self.exclusion.box_clone(),
            caller: self.caller,
            catalog: Arc::clone(&self.catalog),
            sets: Arc::clone(&self.sets),
        }
    }
}

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hidden")
            .field("exclusion", &self.exclusion)
            .field("caller", &self.caller)
            .finish_non_exhaustive()
    }
}

impl Query for Hidden {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let exclusion = self
            .exclusion
            .weight(EnableScoring::disabled_from_schema(scoring.schema()))?;
        Ok(Box::new(HiddenWeight {
            exclusion,
            caller: self.caller,
            catalog: Arc::clone(&self.catalog),
            sets: Arc::clone(&self.sets),
        }))
    }
}

struct HiddenWeight {
    exclusion: Box<dyn Weight>,
    caller: Caller,
    catalog: Arc<Catalog>,
    sets: Arc<HiddenSets>,
}

impl Weight for HiddenWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self
            .sets
            .get_or_make(reader.segment_id(), self.caller, &self.catalog, || {
                let mut bits = BitSet::with_max_value(reader.max_doc());
                let mut docs = self.exclusion.scorer(reader, boost)?;
                let first = docs.doc();
                let mut doc = first;
                while doc != TERMINATED {
                    bits.insert(doc);
                    doc = docs.advance();
                }
                Ok(Set { bits, first })
            })?;
        if set.first == TERMINATED {
            return Ok(Box::new(EmptyScorer));
        }
        Ok(Box::new(Bits::new(set)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.exclusion.explain(reader, doc)
    }
}

/// The documents whose bit is set, in order; asked whether it holds a document, it reads
/// the bit.
struct Bits {
    set: Arc<Set>,
    doc: DocId,
}

impl Bits {
    fn new(set: Arc<Set>) -> Bits {
        let doc = set.first;
        Bits { set, doc }
    }

    /// The first document at or after `from` whose bit is set, skipping empty runs of 64
    /// at once. (An exclusion is only asked about documents; this walks the set only when
    /// it is iterated.)
    fn first_from(&self, from: DocId) -> DocId {
        let bits = &self.set.bits;
        let mut at = from;
        while at < bits.max_value() {
            if at.is_multiple_of(64) {
                match bits.first_non_empty_bucket(at / 64) {
                    Some(bucket) => at = at.max(bucket * 64),
                    None => return TERMINATED,
                }
            }
            if bits.contains(at) {
                return at;
            }
            at += 1;
        }
        TERMINATED
    }
}

impl DocSet for Bits {
    fn advance(&mut self) -> DocId {
        self.doc = match self.doc {
            TERMINATED => TERMINATED,
            doc => self.first_from(doc + 1),
        };
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = match target {
                TERMINATED => TERMINATED,
                target => self.first_from(target),
            };
        }
        self.doc
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= self.set.bits.max_value() {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if self.set.bits.contains(target) {
            self.doc = target;
            SeekDangerResult::Found
        } else {
            // Any bound in (target, next set bit] will do; the set is left as it is until
            // asked again.
            SeekDangerResult::SeekLowerBound(target + 1)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.set.bits.len() as u32
    }
}

impl Scorer for Bits {
    fn score(&mut self) -> Score {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(docs: &[DocId], max: DocId) -> Bits {
        let mut bits = BitSet::with_max_value(max);
        for &d in docs {
            bits.insert(d);
        }
        let first = docs.iter().copied().min().unwrap_or(TERMINATED);
        Bits::new(Arc::new(Set { bits, first }))
    }

    #[test]
    fn the_bits_go_through_their_documents_in_order() {
        let mut docs = bits(&[3, 7, 8], 20);
        let mut seen = vec![docs.doc()];
        while docs.advance() != TERMINATED {
            seen.push(docs.doc());
        }
        assert_eq!(seen, [3, 7, 8]);
        assert_eq!(bits(&[3, 7, 8], 20).seek(4), 7);
        assert_eq!(bits(&[], 20).doc(), TERMINATED);
        // Across empty runs of 64, and to the end.
        let mut far = bits(&[1, 200, 640], 700);
        assert_eq!(far.seek(2), 200);
        assert_eq!(far.advance(), 640);
        assert_eq!(far.advance(), TERMINATED);
    }

    #[test]
    fn asked_about_a_document_the_bits_answer_without_moving_past_it() {
        let mut docs = bits(&[3, 7, 8], 20);
        assert_eq!(docs.seek_danger(2), SeekDangerResult::SeekLowerBound(3));
        assert_eq!(docs.seek_danger(7), SeekDangerResult::Found);
        assert_eq!(docs.doc(), 7);
        assert_eq!(docs.seek_danger(8), SeekDangerResult::Found);
        assert_eq!(docs.seek_danger(9), SeekDangerResult::SeekLowerBound(10));
        assert_eq!(
            docs.seek_danger(TERMINATED),
            SeekDangerResult::SeekLowerBound(TERMINATED)
        );
    }
}
