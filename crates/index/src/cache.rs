//! What searches keep between requests besides the meaning cache: the call glossaries'
//! terms as the query's words are folded (folding every term of every glossary through the
//! analyzer for each search cost more than the rest of compiling the query), and the
//! vectors of the queries searched lately (staff run one query many times over, a filter
//! or a page at a time), and the vectors of the sentences of passages shown lately (a hit
//! found by meaning alone shows its sentence closest to the query), and the passages
//! shown lately, read from their segment.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::DocId;
use tantivy::index::SegmentId;

use crate::catalog::Catalog;
use crate::vectors::VectorQuery;
use crate::writer::PassageRecord;

/// A text's terms in one field, each with its position from the first kept word.
pub(crate) type AnalyzedText = Vec<(usize, tantivy::Term)>;

/// Each glossary entry as its terms' folded words and their original text.
pub(crate) type Glossary = Vec<Vec<(Vec<String>, String)>>;

/// Query words and phrases kept as each field's analyzer leaves them; beyond, the cache
/// starts over.
const ANALYZED: usize = 8192;
/// Longest text whose analysis is kept (a query's word or phrase; longer ones are analyzed
/// each time).
const ANALYZED_BYTES: usize = 256;

/// Query vectors kept; beyond, the cache starts over.
const VECTORS: usize = 512;
/// Passages whose sentence vectors are kept; beyond, the cache starts over.
const PASSAGES: usize = 4096;

/// Where each sentence of a passage starts, and its vector as stored.
pub(crate) type Sentences = Vec<(usize, Vec<u8>)>;

/// Passages kept as read from their segments; beyond, the cache starts over.
const SHOWN: usize = 8192;

/// A passage as its segment stores it, parsed once, with its near-duplicate shingles once
/// a page of hits needed them.
#[derive(Debug)]
pub(crate) struct Shown {
    pub(crate) record: PassageRecord,
    shingles: OnceLock<Vec<u64>>,
    /// Its words as its snippets mark them, read the first time it is shown by words.
    words: OnceLock<crate::snippet::Words>,
}

impl Shown {
    pub(crate) fn new(record: PassageRecord) -> Shown {
        Shown {
            record,
            shingles: OnceLock::new(),
            words: OnceLock::new(),
        }
    }

    pub(crate) fn words(
        &self,
        read: impl FnOnce() -> crate::snippet::Words,
    ) -> &crate::snippet::Words {
        self.words.get_or_init(read)
    }

    /// The hashes of its text's five-word windows ([`crate::search::shingle_set`]).
    pub(crate) fn shingles(&self) -> &[u64] {
        self.shingles
            .get_or_init(|| crate::search::shingle_set(&self.record.passage.text))
    }
}

#[derive(Default)]
pub(crate) struct QueryCache {
    glossary: Mutex<Option<(Arc<Catalog>, Arc<Glossary>)>>,
    vectors: Recent<String, Option<VectorQuery>, VECTORS>,
    /// Query words as each field's analyzer leaves them, with their positions: a query
    /// compiles each word for every language field several times over (is it a stop word,
    /// its terms, its phrase), and staff type the same words again and again.
    analyzed: Recent<(tantivy::schema::Field, String), AnalyzedText, ANALYZED>,
    /// By passage id, with a hash of the text they were made from.
    sentences: Mutex<HashMap<String, (u64, Arc<Sentences>)>>,
    /// The language fields holding any word, for the searcher generation they were read in.
    live_fields: Mutex<Option<(u64, Arc<Vec<tantivy::schema::Field>>)>>,
    /// Passages read lately, by segment and document: a segment never changes (a review
    /// or a re-ingest writes the passage into another), so what was read from it holds.
    shown: Recent<(SegmentId, DocId), Arc<Shown>, SHOWN>,
    /// The documents and tokens of each language field, for the searcher generation they
    /// were read in (every search's BM25 statistics start from them).
    field_counts: Mutex<Option<(u64, Arc<crate::compile::FieldCounts>)>>,
    /// The segments holding a later version of some passage, for the searcher generation
    /// they were read in.
    versioned: Mutex<Option<(u64, Arc<std::collections::HashSet<SegmentId>>)>>,
    /// The facet columns of the segments searched, for the searcher generation they were
    /// opened in.
    pub(crate) facet_columns: Arc<crate::facets::FacetColumns>,
    /// What searches leave out for each kind of caller, by segment.
    pub(crate) hidden: Arc<crate::hidden::HiddenSets>,
}

impl std::fmt::Debug for QueryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryCache").finish_non_exhaustive()
    }
}

impl QueryCache {
    /// The glossary of `catalog`, made by `make` once per catalog.
    pub(crate) fn glossary(
        &self,
        catalog: &Arc<Catalog>,
        make: impl FnOnce() -> Glossary,
    ) -> Arc<Glossary> {
        kept_for(&self.glossary, catalog, |of| Arc::ptr_eq(of, catalog), make)
    }

    /// The language fields holding any word in searcher generation `generation`, made by
    /// `make` once per generation (a commit or a reload starts a new one).
    pub(crate) fn live_fields(
        &self,
        generation: u64,
        make: impl FnOnce() -> Vec<tantivy::schema::Field>,
    ) -> Arc<Vec<tantivy::schema::Field>> {
        kept_for(&self.live_fields, &generation, |of| *of == generation, make)
    }

    /// The segments holding a later version of some passage in searcher generation
    /// `generation`, found by `find` once per generation.
    pub(crate) fn versioned(
        &self,
        generation: u64,
        find: impl FnOnce() -> std::collections::HashSet<SegmentId>,
    ) -> Arc<std::collections::HashSet<SegmentId>> {
        kept_for(&self.versioned, &generation, |of| *of == generation, find)
    }

    /// The language fields' counts in searcher generation `generation`, read by `read` once
    /// per generation (an error is not kept).
    pub(crate) fn field_counts(
        &self,
        generation: u64,
        read: impl FnOnce() -> tantivy::Result<crate::compile::FieldCounts>,
    ) -> tantivy::Result<Arc<crate::compile::FieldCounts>> {
        try_kept_for(
            &self.field_counts,
            &generation,
            |of| *of == generation,
            read,
        )
    }

    /// `text` as `field`'s analyzer leaves it, made by `analyze` unless made lately.
    pub(crate) fn analyzed(
        &self,
        field: tantivy::schema::Field,
        text: &str,
        analyze: impl FnOnce() -> AnalyzedText,
    ) -> AnalyzedText {
        if text.len() > ANALYZED_BYTES {
            return analyze();
        }
        self.analyzed
            .get_or_make(&(field, text.to_string()), analyze)
    }

    /// The vector of the query `text`, made by `make` unless it was made lately.
    pub(crate) fn vector(
        &self,
        text: &str,
        make: impl FnOnce() -> Option<VectorQuery>,
    ) -> Option<VectorQuery> {
        self.vectors.get_or_make(text, make)
    }

    /// The passage at `doc` of segment `segment`, read by `read` unless read lately.
    pub(crate) fn shown(
        &self,
        segment: SegmentId,
        doc: DocId,
        read: impl FnOnce() -> crate::Result<PassageRecord>,
    ) -> crate::Result<Arc<Shown>> {
        self.shown
            .get_or_try_make(&(segment, doc), || Ok(Arc::new(Shown::new(read()?))))
    }

    /// The sentences of the passage `id` holding `text`, made by `make` unless made lately
    /// (from the same text: a re-ingested file may give a passage id another text).
    pub(crate) fn sentences(
        &self,
        id: &str,
        text: &str,
        make: impl FnOnce() -> Sentences,
    ) -> Arc<Sentences> {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        text.hash(&mut hasher);
        let hash = hasher.finish();
        if let Ok(kept) = self.sentences.lock()
            && let Some((of, found)) = kept.get(id)
            && *of == hash
        {
            return Arc::clone(found);
        }
        let made = Arc::new(make());
        if let Ok(mut kept) = self.sentences.lock() {
            if kept.len() >= PASSAGES {
                kept.clear();
            }
            kept.insert(id.to_string(), (hash, Arc::clone(&made)));
        }
        made
    }
}

/// What `slot` keeps when `same` says it was made for `key`; else made by `make` and kept
/// for `key` instead.
/// Values made lately, by key: at most `CAP` of them, beyond which the map starts over.
pub(crate) struct Recent<K, V, const CAP: usize> {
    kept: Mutex<HashMap<K, V>>,
}

impl<K, V, const CAP: usize> Default for Recent<K, V, CAP> {
    fn default() -> Self {
        Recent {
            kept: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone, const CAP: usize> Recent<K, V, CAP> {
    /// The value kept for `key`, or the one `make` makes, then kept.
    pub(crate) fn get_or_make<Q>(&self, key: &Q, make: impl FnOnce() -> V) -> V
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        match self.get_or_try_make(key, || Ok::<V, std::convert::Infallible>(make())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// How many values are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.kept.lock().map(|kept| kept.len()).unwrap_or(0)
    }

    /// [`Recent::get_or_make`] with a `make` that may fail: a failure is answered and
    /// nothing is kept.
    pub(crate) fn get_or_try_make<Q, E>(
        &self,
        key: &Q,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Ok(kept) = self.kept.lock()
            && let Some(found) = kept.get(key)
        {
            return Ok(found.clone());
        }
        let made = make()?;
        if let Ok(mut kept) = self.kept.lock() {
            if kept.len() >= CAP {
                kept.clear();
            }
            kept.insert(key.to_owned(), made.clone());
        }
        Ok(made)
    }
}

fn kept_for<K: Clone, V>(
    slot: &Mutex<Option<(K, Arc<V>)>>,
    key: &K,
    same: impl Fn(&K) -> bool,
    make: impl FnOnce() -> V,
) -> Arc<V> {
    match try_kept_for(
        slot,
        key,
        same,
        || Ok::<V, std::convert::Infallible>(make()),
    ) {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

/// [`kept_for`] with a `make` that may fail: a failure is answered and nothing is kept.
fn try_kept_for<K: Clone, V, E>(
    slot: &Mutex<Option<(K, Arc<V>)>>,
    key: &K,
    same: impl Fn(&K) -> bool,
    make: impl FnOnce() -> Result<V, E>,
) -> Result<Arc<V>, E> {
    if let Ok(kept) = slot.lock()
        && let Some((of, value)) = kept.as_ref()
        && same(of)
    {
        return Ok(Arc::clone(value));
    }
    let made = Arc::new(make()?);
    if let Ok(mut kept) = slot.lock() {
        *kept = Some((key.clone(), Arc::clone(&made)));
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_is_made_once_and_the_cache_stays_bounded() {
        let cache = QueryCache::default();
        let mut made = 0;
        for _ in 0..3 {
            cache.vector("encryption", || {
                made += 1;
                VectorQuery::new(&[1.0, 0.0])
            });
        }
        assert_eq!(made, 1);
        for i in 0..VECTORS * 2 {
            cache.vector(&i.to_string(), || None);
        }
        assert!(cache.vectors.len() <= VECTORS);
    }

    #[test]
    fn a_passage_is_made_again_when_its_text_changes() {
        let cache = QueryCache::default();
        let mut made = 0;
        for text in ["one text", "one text", "another text"] {
            cache.sentences("s-1", text, || {
                made += 1;
                Vec::new()
            });
        }
        assert_eq!(made, 2);
    }

    #[test]
    fn the_glossary_is_made_again_for_another_catalog() {
        let cache = QueryCache::default();
        let (one, two) = (Arc::new(Catalog::default()), Arc::new(Catalog::default()));
        let mut made = 0;
        for catalog in [&one, &one, &two, &two] {
            cache.glossary(catalog, || {
                made += 1;
                Vec::new()
            });
        }
        assert_eq!(made, 2);
    }
}
