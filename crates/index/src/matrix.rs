//! The coverage matrix as a collector: guiding question x category counts of passages and of
//! distinct submissions, from three columns, counted on ordinals and named once per segment.

use std::collections::{BTreeMap, BTreeSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// (question, category) → (passages, submissions as hashes of their keys: a submission's
/// passages may sit in several segments, whose ordinals differ).
pub(crate) type Cells = BTreeMap<(String, String), (u64, BTreeSet<u64>)>;

/// Counts the hits of a search into matrix cells.
pub(crate) struct MatrixCollector;

pub(crate) struct SegmentMatrix {
    questions: Option<Column<u64>>,
    categories: Option<StrColumn>,
    submissions: Option<StrColumn>,
    /// Per question number, per category ordinal: passages, and a bitset of submission
    /// ordinals.
    cells: Vec<Vec<(u64, Vec<u64>)>>,
    numbers: Vec<u64>,
}

impl Collector for MatrixCollector {
    type Fruit = Cells;
    type Child = SegmentMatrix;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatrix> {
        let fast = reader.fast_fields();
        Ok(SegmentMatrix {
            questions: fast.u64("question_number").ok(),
            categories: fast.str("category_key")?,
            submissions: fast.str("submission_key")?,
            cells: Vec::new(),
            numbers: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Cells>) -> tantivy::Result<Cells> {
        let mut merged = Cells::new();
        for fruit in fruits {
            for (key, (passages, submissions)) in fruit {
                let cell = merged.entry(key).or_default();
                cell.0 += passages;
                cell.1.extend(submissions);
            }
        }
        Ok(merged)
    }
}

impl SegmentMatrix {
    fn first_ord(column: Option<&StrColumn>, doc: DocId) -> usize {
        column
            .and_then(|c| c.term_ords(doc).next())
            .and_then(|ord| usize::try_from(ord).ok())
            .unwrap_or(0)
    }
}

impl SegmentCollector for SegmentMatrix {
    type Fruit = Cells;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let category = Self::first_ord(self.categories.as_ref(), doc);
        let submission = Self::first_ord(self.submissions.as_ref(), doc);
        self.numbers.clear();
        if let Some(questions) = &self.questions {
            self.numbers.extend(questions.values_for_doc(doc));
        }
        self.numbers.sort_unstable();
        self.numbers.dedup();
        if self.numbers.is_empty() {
            // Untagged passages count under question 0.
            self.numbers.push(0);
        }
        let categories = self.categories.as_ref().map_or(1, |c| c.num_terms().max(1));
        let submissions = self
            .submissions
            .as_ref()
            .map_or(1, |c| c.num_terms().max(1));
        for &number in &self.numbers {
            let Ok(q) = usize::try_from(number) else {
                continue;
            };
            if self.cells.len() <= q {
                self.cells.resize_with(q + 1, Vec::new);
            }
            let Some(row) = self.cells.get_mut(q) else {
                continue;
            };
            if row.is_empty() {
                row.resize_with(categories, || (0, Vec::new()));
            }
            let Some((passages, seen)) = row.get_mut(category) else {
                continue;
            };
            *passages += 1;
            if seen.is_empty() {
                seen.resize(submissions.div_ceil(64), 0);
            }
            if let Some(word) = seen.get_mut(submission / 64) {
                *word |= 1 << (submission % 64);
            }
        }
    }

    fn harvest(self) -> Cells {
        let mut out = Cells::new();
        let name = |column: Option<&StrColumn>, ord: usize| {
            let mut text = String::new();
            if let Some(column) = column {
                let _ = column.ord_to_str(ord as u64, &mut text);
            }
            text
        };
        // The submissions seen, named in one sequential pass over the dictionary (looking
        // ordinals up one by one decodes a block each time).
        let mut used = vec![
            0u64;
            self.cells
                .iter()
                .flatten()
                .map(|c| c.1.len())
                .max()
                .unwrap_or(0)
        ];
        for (_, seen) in self.cells.iter().flatten() {
            for (word, bits) in used.iter_mut().zip(seen) {
                *word |= bits;
            }
        }
        let mut ords = Vec::new();
        for (w, word) in used.iter().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                ords.push((w * 64 + bits.trailing_zeros() as usize) as u64);
                bits &= bits - 1;
            }
        }
        let mut hashes = vec![0u64; used.len() * 64];
        if let Some(column) = &self.submissions {
            let mut next = ords.iter();
            let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                if let Some(slot) = next.next().and_then(|&o| hashes.get_mut(o as usize)) {
                    let mut hasher = std::hash::DefaultHasher::new();
                    std::hash::Hasher::write(&mut hasher, bytes);
                    *slot = std::hash::Hasher::finish(&hasher);
                }
            });
        }
        for (question, row) in self.cells.iter().enumerate() {
            for (category, (passages, seen)) in row.iter().enumerate() {
                if *passages == 0 {
                    continue;
                }
                let mut submissions = BTreeSet::new();
                for (w, word) in seen.iter().enumerate() {
                    let mut bits = *word;
                    while bits != 0 {
                        let bit = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        submissions.insert(hashes.get(w * 64 + bit).copied().unwrap_or(0));
                    }
                }
                out.insert(
                    (
                        question.to_string(),
                        name(self.categories.as_ref(), category),
                    ),
                    (*passages, submissions),
                );
            }
        }
        out
    }
}
