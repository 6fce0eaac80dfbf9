//! Facet counts for every hit in one pass: one dense counter per facet value and field,
//! read from the facet columns, turned into names only once per segment.
//!
//! tantivy's `FacetCollector` answers any depth of a facet tree, which costs a search of the
//! collapse mapping per value per hit; cfi's facets are one level deep ("/States"), so a
//! plain array indexed by the value's ordinal does the same job several times faster.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts, per facet field, how many hits carry each value.
pub(crate) struct FacetCounts {
    fields: Vec<&'static str>,
}

impl FacetCounts {
    /// Counts these facet fields.
    pub(crate) fn new(fields: &[&'static str]) -> FacetCounts {
        FacetCounts {
            fields: fields.to_vec(),
        }
    }
}

/// Field → value → hits.
pub(crate) type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// Hits in all, and the counts per facet value.
pub(crate) type Fruit = (usize, Counts);

pub(crate) struct SegmentCounts {
    hits: usize,
    fields: Vec<(&'static str, FacetReader, Vec<u32>)>,
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
            let facets = reader.facet_reader(name)?;
            let counters = vec![0u32; facets.num_facets()];
            fields.push((*name, facets, counters));
        }
        Ok(SegmentCounts { hits: 0, fields })
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
        for (_, facets, counters) in &mut self.fields {
            for ord in facets.facet_ords(doc) {
                if let Some(counter) = usize::try_from(ord).ok().and_then(|i| counters.get_mut(i)) {
                    *counter += 1;
                }
            }
        }
    }

    fn harvest(self) -> Fruit {
        let mut out = Counts::new();
        for (name, facets, counters) in self.fields {
            let values = out.entry(name.to_string()).or_default();
            let mut facet = Facet::root();
            for (ord, n) in counters.into_iter().enumerate() {
                if n == 0 {
                    continue;
                }
                if facets.facet_from_ord(ord as u64, &mut facet).is_err() {
                    continue;
                }
                if let Some(value) = facet.to_path().last() {
                    *values.entry((*value).to_string()).or_default() += u64::from(n);
                }
            }
        }
        (self.hits, out)
    }
}
