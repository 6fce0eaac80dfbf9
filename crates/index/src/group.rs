//! Hits grouped by submission as a collector: each submission's best passage and how many
//! others matched, over every hit (not only the first few thousand), in one pass. A
//! submission's annexes and later versions group with it (the `submission_key` column). A
//! hybrid search orders the groups by their best passage in the fused ranking.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::Result;
use crate::writer::PassageIndex;

/// One submission's hits.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// The submission key (`Submission::key`).
    pub key: String,
    /// Its best hit's score.
    pub score: Score,
    /// Its best hit.
    pub best: DocAddress,
    /// Its other hits.
    pub others: usize,
    /// Its place in a fused ranking, when one reorders the groups (else 0).
    pub rank: usize,
}

/// Every submission's best hit, best first.
pub(crate) type Groups = Vec<Group>;

/// Groups hits on the `submission_key` column.
pub(crate) struct BySubmission;

pub(crate) struct SegmentGroups {
    segment: SegmentOrdinal,
    ids: Option<StrColumn>,
    /// Per submission-id ordinal: best score, its document, hits.
    best: Vec<(Score, DocId, usize)>,
}

/// One segment's groups, keyed by submission id so segments can be merged.
pub(crate) type SegmentFruit = Vec<(String, Score, DocAddress, usize)>;

impl Collector for BySubmission {
    type Fruit = Groups;
    type Child = SegmentGroups;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentGroups> {
        let ids = reader.fast_fields().str("submission_key")?;
        let size = ids.as_ref().map_or(0, |ids| ids.num_terms());
        Ok(SegmentGroups {
            segment,
            ids,
            best: vec![(Score::NEG_INFINITY, 0, 0); size],
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Groups> {
        let mut merged: HashMap<String, (Score, DocAddress, usize)> = HashMap::new();
        for fruit in fruits {
            for (id, score, address, hits) in fruit {
                let group = merged.entry(id).or_insert((score, address, 0));
                if score > group.0 || (score == group.0 && address < group.1) {
                    group.0 = score;
                    group.1 = address;
                }
                group.2 += hits;
            }
        }
        let mut groups: Groups = merged
            .into_iter()
            .map(|(key, (score, best, hits))| Group {
                key,
                score,
                best,
                others: hits.saturating_sub(1),
                rank: 0,
            })
            .collect();
        groups.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.best.cmp(&b.best)));
        Ok(groups)
    }
}

impl SegmentCollector for SegmentGroups {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let slot = self
            .ids
            .as_ref()
            .and_then(|ids| ids.term_ords(doc).next())
            .and_then(|ord| usize::try_from(ord).ok())
            .and_then(|i| self.best.get_mut(i));
        if let Some(slot) = slot {
            if score > slot.0 {
                slot.0 = score;
                slot.1 = doc;
            }
            slot.2 += 1;
        }
    }

    fn harvest(self) -> SegmentFruit {
        let Some(ids) = self.ids else {
            return Vec::new();
        };
        let hit: Vec<(u64, (Score, DocId, usize))> = self
            .best
            .into_iter()
            .enumerate()
            .filter(|(_, (_, _, hits))| *hits > 0)
            .map(|(ord, best)| (ord as u64, best))
            .collect();
        let ords: Vec<u64> = hit.iter().map(|(ord, _)| *ord).collect();
        // Named in one sequential pass over the dictionary, not one block decode per id.
        let mut out = Vec::with_capacity(hit.len());
        let mut next = hit.iter();
        let _ = ids.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Some((_, (score, doc, hits))) = next.next() {
                out.push((
                    String::from_utf8_lossy(bytes).into_owned(),
                    *score,
                    DocAddress::new(self.segment, *doc),
                    *hits,
                ));
            }
        });
        out
    }
}

impl PassageIndex {
    /// Puts the submissions that have a passage in the fused ranking first, in the order
    /// of their best one (which becomes their hit), the others after in their order.
    pub(crate) fn order_groups(
        &self,
        searcher: &Searcher,
        groups: &mut [crate::group::Group],
        fused: &[(f32, DocAddress)],
    ) -> Result<()> {
        let mut best: BTreeMap<String, (usize, f32, DocAddress)> = BTreeMap::new();
        for (rank, (score, address)) in fused.iter().enumerate() {
            let key = self.submission_key(searcher, *address)?;
            best.entry(key).or_insert((rank, *score, *address));
        }
        for group in groups.iter_mut() {
            match best.get(&group.key) {
                Some(&(rank, score, address)) => {
                    group.rank = rank;
                    group.score = score;
                    group.best = address;
                }
                None => {
                    group.rank = usize::MAX;
                    group.score = 0.0;
                }
            }
        }
        // Stable: the others keep their order.
        groups.sort_by_key(|g| g.rank);
        Ok(())
    }

    /// The submission a passage counts under (its own, or the input it is an annex or a
    /// later version of), from the column.
    fn submission_key(&self, searcher: &Searcher, address: DocAddress) -> Result<String> {
        let reader = searcher.segment_reader(address.segment_ord);
        let column = reader
            .fast_fields()
            .str("submission_key")
            .map_err(|source| self.err(source))?;
        let mut key = String::new();
        if let Some(column) = column
            && let Some(ord) = column.term_ords(address.doc_id).next()
        {
            let _ = column.ord_to_str(ord, &mut key);
        }
        Ok(key)
    }
}
