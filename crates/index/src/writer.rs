use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use cfi_core::{Passage, Submission};
use cfi_embed::{Embedder, TextKind};
use serde::{Deserialize, Serialize};
use tantivy::schema::Facet;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::catalog::{Catalog, SubmissionInfo, VectorModel};
use crate::schema::{self, Fields};
use crate::{Error, Result};

/// What is stored for each passage: the passage and its submission's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PassageRecord {
    /// The passage.
    pub passage: Passage,
    /// The submission it comes from.
    pub submission: Submission,
}

/// An index folder: tantivy segments plus the catalog their last commit names.
#[derive(Clone)]
pub struct PassageIndex {
    pub(crate) dir: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) catalog: Arc<RwLock<Arc<Catalog>>>,
    /// Makes the passages' vectors at ingest and the query's at search.
    pub(crate) embedder: Arc<dyn Embedder>,
    /// What searches by meaning keep between requests.
    pub(crate) meaning_cache: Arc<crate::nearest::MeaningCache>,
    /// What compiling a query keeps between requests.
    pub(crate) query_cache: Arc<crate::cache::QueryCache>,
    /// One staff review written at a time ([`PassageIndex::review`]).
    pub(crate) review_lock: Arc<std::sync::Mutex<()>>,
    /// Threads a batch indexes with; 0: tantivy's choice ([`PassageIndex::write_with_threads`]).
    pub(crate) writer_threads: Arc<std::sync::atomic::AtomicUsize>,
}

impl std::fmt::Debug for PassageIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassageIndex")
            .field("dir", &self.dir)
            .field("model", &self.embedder.id())
            .finish()
    }
}

impl PassageIndex {
    /// Opens the index in `dir` with the model its passages' vectors were made with: the
    /// one that ships with cfi ([`cfi_embed::default_embedder`]), or the one its last
    /// ingest was given (`--model PATH`), read again from where it was then. Creates an
    /// empty index when the folder is empty or missing.
    pub fn open(dir: &Path) -> Result<PassageIndex> {
        let embedder = match recorded_model(dir)?.and_then(|m| m.source) {
            Some(source) => cfi_embed::load_model(&source).map_err(|e| Error::ModelGone {
                path: dir.to_path_buf(),
                source: e,
            })?,
            None => cfi_embed::default_embedder()?,
        };
        PassageIndex::open_with(dir, embedder)
    }

    /// Opens the index in `dir` with this model making passage and query vectors. An index
    /// built with another model (or dimension) is refused, naming both, as is one built
    /// before passages had vectors.
    pub fn open_with(dir: &Path, embedder: Arc<dyn Embedder>) -> Result<PassageIndex> {
        let fail = |source| Error::Tantivy {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| fail(e.into()))?;
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| fail(e.into()))?;
        // Stored passages are mostly text: zstd keeps the store at about a third of the
        // text where lz4 keeps two thirds, and a 16 KB block still opens in microseconds.
        let settings = tantivy::IndexSettings {
            docstore_compression: tantivy::store::Compressor::Zstd(
                tantivy::store::ZstdCompressor {
                    compression_level: Some(3),
                },
            ),
            ..tantivy::IndexSettings::default()
        };
        let schema = schema::build_schema();
        let vector = schema.get_field(schema::VECTOR_FIELD).map_err(&fail)?;
        let mut index = Index::builder()
            .schema(schema)
            .settings(settings)
            .register_plugin(crate::vectors::plugin(vector))
            .open_or_create(directory.clone())
            .map_err(|e| match e {
                tantivy::TantivyError::SchemaError(_) => older_index(dir, directory),
                other => fail(other),
            })?;
        schema::register_tokenizers(index.tokenizers());
        // Segments are searched on all cores: a query matching most of a million passages
        // takes about half as long on two.
        index.set_default_multithread_executor().map_err(fail)?;
        let fields = Fields::new(&index.schema()).map_err(fail)?;
        let reader = index
            .reader_builder()
            // Reloaded only with the catalog (see `reload`), never behind its back.
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(fail)?;
        let catalog = load_consistent(&index, &reader, dir)?;
        check_model(dir, &catalog, reader.searcher().num_docs(), &*embedder)?;
        Ok(PassageIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            embedder,
            meaning_cache: Arc::default(),
            query_cache: Arc::default(),
            review_lock: Arc::default(),
            writer_threads: Arc::default(),
        })
    }

    /// The model making this index's passage and query vectors.
    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The catalog as of the last commit this handle saw (shared, not copied: searches
    /// read it on every request).
    pub fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Re-reads segments and catalog after another process committed; both come from the
    /// same commit.
    pub fn reload(&self) -> Result<()> {
        let fresh = load_consistent(&self.index, &self.reader, &self.dir)?;
        check_model(
            &self.dir,
            &fresh,
            self.reader.searcher().num_docs(),
            &*self.embedder,
        )?;
        if let Ok(mut c) = self.catalog.write() {
            *c = Arc::new(fresh);
        }
        Ok(())
    }

    /// When the last commit or merge was written (`meta.json`'s modification time): a
    /// server polls it and calls [`PassageIndex::reload`] when it changes.
    pub fn committed_at(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(self.dir.join("meta.json"))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Number of passages in the index, confidential ones included.
    pub fn passage_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Indexes the batches started from now on with `threads` threads (0: tantivy's choice,
    /// one per core up to eight, each passage going to whichever is free): for tests whose
    /// segments must not depend on how busy the machine is.
    #[doc(hidden)]
    pub fn write_with_threads(&self, threads: usize) {
        self.writer_threads
            .store(threads, std::sync::atomic::Ordering::Relaxed);
    }

    /// Starts a batch of changes; nothing is visible until [`Batch::commit`].
    pub fn batch(&self) -> Result<Batch<'_>> {
        const BUDGET: usize = 64 * 1024 * 1024;
        let writer = match self
            .writer_threads
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            0 => self.index.writer(BUDGET),
            threads => self.index.writer_with_num_threads(threads, BUDGET),
        }
        .map_err(|source| self.err(source))?;
        // A run killed after writing segment or delete files but before its commit leaves
        // them behind; this run may reach the same names (opstamps are counted the same
        // way), so clear what no commit refers to before writing.
        writer
            .garbage_collect_files()
            .wait()
            .map_err(|source| self.err(source))?;
        Ok(Batch {
            index: self,
            writer,
            catalog: Catalog::clone(&self.catalog()),
            reviews: crate::reviews::load(&self.dir)?,
            reviews_rekeyed: false,
        })
    }

    pub(crate) fn err(&self, source: tantivy::TantivyError) -> Error {
        Error::Tantivy {
            path: self.dir.clone(),
            source,
        }
    }
}

/// Changes to an index: calls and submissions replaced whole, committed together.
pub struct Batch<'a> {
    index: &'a PassageIndex,
    writer: IndexWriter,
    catalog: Catalog,
    /// Staff reviews, applied to every passage this batch writes.
    pub(crate) reviews: std::collections::BTreeMap<String, crate::reviews::Review>,
    /// Whether a review moved to its passage's new id (see `carry_former_review`).
    reviews_rekeyed: bool,
}

impl Batch<'_> {
    /// Adds or replaces a call definition.
    pub fn put_call(&mut self, call: cfi_core::Call) {
        self.catalog.put_call(call);
    }

    /// Replaces every passage of the submission with `passages`; staff reviews of any of
    /// them are applied (their tags and key-quote flags win over the tagger's).
    pub fn put_submission(&mut self, info: SubmissionInfo, passages: &[Passage]) -> Result<()> {
        let sub = &info.submission;
        self.writer.delete_term(Term::from_field_text(
            self.index.fields.submission_id,
            &sub.id,
        ));
        for passage in passages {
            self.carry_former_review(passage);
            match self.reviews.get(&passage.id) {
                Some(review) => {
                    let mut reviewed = passage.clone();
                    crate::reviews::apply(&mut reviewed, review);
                    self.add(sub, &reviewed)?;
                }
                None => self.add(sub, passage)?,
            }
        }
        let repeated = passages.iter().filter(|p| p.duplicate_of.is_some()).count();
        self.catalog
            .put_repeated(&sub.id, u32::try_from(repeated).unwrap_or(u32::MAX));
        self.catalog.put_submission(info);
        Ok(())
    }

    /// A review of `passage` made while the topical heading it opens was the first line of
    /// its text (and so keyed by its id then) is keyed by its id now; the reviews file is
    /// written again when the batch commits.
    fn carry_former_review(&mut self, passage: &Passage) {
        if self.reviews.contains_key(&passage.id) {
            return;
        }
        let Some(former) = passage.former_id() else {
            return;
        };
        if let Some(mut review) = self.reviews.remove(&former) {
            review.passage = passage.id.clone();
            self.reviews.insert(passage.id.clone(), review);
            self.reviews_rekeyed = true;
        }
    }

    /// Replaces one passage of a submission already indexed (as a review changes it).
    pub(crate) fn put_passage(&mut self, sub: &Submission, passage: &Passage) -> Result<()> {
        self.writer.delete_term(Term::from_field_text(
            self.index.fields.passage_id,
            &passage.id,
        ));
        self.add(sub, passage)
    }

    /// Adds the passage's document: its record, text fields, facets, columns and vector.
    fn add(&mut self, sub: &Submission, passage: &Passage) -> Result<()> {
        let f = &self.index.fields;
        let record = PassageRecord {
            passage: passage.clone(),
            submission: sub.clone(),
        };
        let json = serde_json::to_string(&record).map_err(|e| Error::Record(e.to_string()))?;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.passage_id, &passage.id);
        doc.add_text(f.submission_id, &sub.id);
        doc.add_text(f.record, &json);
        let code = schema::language_field_code(passage.language.as_deref());
        doc.add_text(f.field_code, code);
        // The heading a passage opens is searched with it.
        let searched = passage.full_text();
        if let Some(field) = f.text_field(code) {
            doc.add_text(field, &searched);
        }
        doc.add_text(f.exact, &searched);
        doc.add_u64(f.confidential, u64::from(sub.confidential));
        if passage.key {
            doc.add_u64(f.key, 1);
        }
        if let Some(first) = &passage.duplicate_of {
            doc.add_u64(f.folded, 1);
            doc.add_text(f.duplicate_of, first);
        }
        doc.add_text(f.category_key, &sub.category);
        // An annex and a later version count as their submission in the matrix.
        doc.add_text(f.submission_key, sub.key());
        for tag in &passage.questions {
            doc.add_u64(f.question_number, u64::from(tag.number));
        }
        doc.add_u64(f.ordinal, u64::from(passage.ordinal));
        let vector = self.index.embedder.embed(&searched, TextKind::Passage);
        doc.add_custom(f.vector, &crate::vectors::quantize(&vector));
        doc.add_facet(f.call, Facet::from_path([&sub.call]));
        // A file awaiting review has no category yet.
        if !sub.category.is_empty() {
            doc.add_facet(f.category, Facet::from_path([&sub.category]));
        }
        doc.add_facet(f.kind, Facet::from_path([sub.kind.as_str()]));
        doc.add_facet(f.submitter, Facet::from_path([&sub.submitter]));
        if let Some(country) = &sub.country {
            doc.add_facet(f.country, Facet::from_path([country]));
        }
        if let Some(language) = &passage.language {
            doc.add_facet(f.language, Facet::from_path([language]));
        }
        for country in &passage.mentioned_countries {
            doc.add_facet(f.mentioned, Facet::from_path([country]));
        }
        for tag in &passage.questions {
            doc.add_facet(f.question, Facet::from_path([tag.number.to_string()]));
        }
        self.writer
            .add_document(doc)
            .map_err(|source| self.index.err(source))?;
        Ok(())
    }

    /// Records what this call's ingest left out (replacing the previous run's list).
    pub fn put_problems(&mut self, problems: crate::CallProblems) {
        self.catalog.put_problems(problems);
    }

    /// Removes a submission and its passages.
    pub fn remove_submission(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.submission_id, id));
        self.catalog.submissions.retain(|s| s.submission.id != id);
        self.catalog.put_repeated(id, 0);
    }

    /// The catalog as this batch will leave it.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Makes the changes and the catalog durable and visible in one step: the catalog is
    /// written to a file of its own, and the tantivy commit names it in its payload, so
    /// a process killed at any moment leaves the previous commit or this one, whole.
    pub fn commit(mut self) -> Result<()> {
        let index = self.index;
        let previous = index
            .index
            .load_metas()
            .map_err(|source| index.err(source))?
            .payload;
        // Reviews first: killed before the commit, a review is keyed by the id its passage
        // is about to have, and is applied by the next ingest.
        if self.reviews_rekeyed {
            crate::reviews::save(&index.dir, &self.reviews)?;
        }
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|source| index.err(source))?;
        let name = Catalog::file_name(prepared.opstamp());
        self.catalog.vectors = Some(VectorModel {
            id: index.embedder.id().to_string(),
            dim: index.embedder.dim(),
            source: index.embedder.source().map(Path::to_path_buf),
        });
        self.catalog.save(&index.dir, &name)?;
        prepared.set_payload(&name);
        prepared.commit().map_err(|source| index.err(source))?;
        if let Ok(mut c) = index.catalog.write() {
            *c = Arc::new(self.catalog.clone());
        }
        index.reader.reload().map_err(|source| index.err(source))?;
        // The previous catalog stays one commit longer for a reader that has just read the
        // previous `meta.json`; this writer still holds the index lock, so no other commit
        // can be writing a catalog now.
        let mut keep = vec![name.as_str()];
        keep.extend(previous.as_deref());
        Catalog::remove_stale(&index.dir, &keep);
        // Let the merges this commit started finish: a writer dropped mid-merge leaves the
        // merged files orphaned and the index in many small segments, each of which every
        // search then visits. Merges keep the commit's payload.
        let Batch { writer, .. } = self;
        writer
            .wait_merging_threads()
            .map_err(|source| index.err(source))?;
        index.reader.reload().map_err(|source| index.err(source))?;
        Ok(())
    }
}

/// Why an index whose schema is not this version's cannot be opened: built before
/// passages had vectors, or by another version altogether.
fn older_index(dir: &Path, directory: tantivy::directory::MmapDirectory) -> Error {
    let before_vectors = Index::open(directory)
        .map(|old| old.schema().get_field(schema::VECTOR_FIELD).is_err())
        .unwrap_or(false);
    let path = dir.to_path_buf();
    if before_vectors {
        Error::NoVectors { path }
    } else {
        Error::OtherVersion { path }
    }
}

/// The model the last commit of the index in `dir` records, read without opening the
/// index; `None` for a new index, or one from before vectors.
pub fn recorded_model(dir: &Path) -> Result<Option<VectorModel>> {
    let meta = dir.join("meta.json");
    let bytes = match std::fs::read(&meta) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::Catalog {
                path: meta,
                message: e.to_string(),
            });
        }
    };
    let payload = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("payload")?.as_str().map(str::to_string));
    Ok(Catalog::load(dir, payload.as_deref())
        .unwrap_or_default()
        .and_then(|c| c.vectors))
}

/// Refuses to search an index with a model other than the one its vectors were made with.
fn check_model(
    dir: &Path,
    catalog: &Catalog,
    passages: u64,
    embedder: &dyn Embedder,
) -> Result<()> {
    match &catalog.vectors {
        Some(made) if made.id != embedder.id() || made.dim != embedder.dim() => {
            Err(Error::OtherModel {
                path: dir.to_path_buf(),
                index_model: made.id.clone(),
                index_dim: made.dim,
                model: embedder.id().to_string(),
                dim: embedder.dim(),
            })
        }
        Some(_) => Ok(()),
        // Passages without a recorded model: none of this version wrote them.
        None if passages > 0 => Err(Error::NoVectors {
            path: dir.to_path_buf(),
        }),
        None => Ok(()),
    }
}

/// Reloads `reader` and reads the catalog of the commit it now sees. `meta.json` is read
/// before and after the reload: when both name the same commit, the segments loaded are
/// that commit's (a merge in between keeps the commit and the passages). A commit landing
/// in between, or removing the catalog just read, means another try.
fn load_consistent(index: &Index, reader: &IndexReader, dir: &Path) -> Result<Catalog> {
    let fail = |source| Error::Tantivy {
        path: dir.to_path_buf(),
        source,
    };
    const TRIES: u32 = 50;
    for attempt in 1..=TRIES {
        let before = index.load_metas().map_err(fail)?;
        reader.reload().map_err(fail)?;
        let after = index.load_metas().map_err(fail)?;
        let same = before.opstamp == after.opstamp && before.payload == after.payload;
        if same && let Some(catalog) = Catalog::load(dir, after.payload.as_deref())? {
            return Ok(catalog);
        }
        if same && attempt == TRIES {
            return Err(Error::Catalog {
                path: dir.join(after.payload.unwrap_or_default()),
                message: "the catalog the last commit names is missing".into(),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(u64::from(attempt)));
    }
    Err(Error::Catalog {
        path: dir.to_path_buf(),
        message: format!("the index kept changing while it was read ({TRIES} tries)"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfi_core::Kind;

    fn submission(id: &str, text: &str) -> (SubmissionInfo, Vec<Passage>) {
        let submission = Submission {
            id: id.into(),
            call: "demo".into(),
            submitter: format!("{id} submitter"),
            category: "CSOs".into(),
            country: None,
            kind: Kind::Input,
            annex_of: None,
            version_of: None,
            file: format!("files/{id}.txt"),
            language: Some("en".into()),
            confidential: false,
            received: None,
        };
        let passage = Passage {
            id: format!("{id}-1"),
            ordinal: 1,
            text: text.into(),
            heading: None,
            page: None,
            page_end: None,
            page_label: None,
            paragraph: 1,
            language: Some("en".into()),
            questions: vec![],
            mentioned_countries: vec![],
            duplicate_of: None,
            key: false,
            opens_section: false,
        };
        let info = SubmissionInfo {
            submission,
            path: PathBuf::from(format!("files/{id}.txt")),
            pages: None,
            passages: 1,
            languages: vec!["en".into()],
            problems: vec![],
        };
        (info, vec![passage])
    }

    fn put(index: &PassageIndex, ids: &[&str]) {
        let mut batch = index.batch().expect("batch");
        for id in ids {
            let (info, passages) = submission(id, "hotlines and encryption");
            batch.put_submission(info, &passages).expect("put");
        }
        batch.commit().expect("commit");
    }

    fn ids(index: &PassageIndex) -> Vec<String> {
        index
            .catalog()
            .submissions
            .iter()
            .map(|s| s.submission.id.clone())
            .collect()
    }

    fn catalog_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read")
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.starts_with("catalog"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_catalog_written_for_a_commit_that_never_happened_is_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PassageIndex::open(dir.path()).expect("open");
        put(&index, &["a"]);
        // What a writer killed between writing its catalog and committing leaves behind.
        let mut orphan = Catalog::clone(&index.catalog());
        orphan.submissions.clear();
        orphan
            .save(dir.path(), &Catalog::file_name(99))
            .expect("save");
        let reopened = PassageIndex::open(dir.path()).expect("reopen");
        assert_eq!(ids(&reopened), ["a"]);
        assert_eq!(reopened.passage_count(), 1);
        // The next commit removes it; the previous commit's catalog stays one commit longer.
        put(&reopened, &["b"]);
        assert_eq!(
            catalog_files(dir.path()).len(),
            2,
            "{:?}",
            catalog_files(dir.path())
        );
        assert_eq!(
            ids(&PassageIndex::open(dir.path()).expect("open")),
            ["a", "b"]
        );
    }

    #[test]
    fn a_commit_without_changes_keeps_the_catalog_it_had() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PassageIndex::open(dir.path()).expect("open");
        put(&index, &["a", "b"]);
        // No operation since the last commit: tantivy reuses its opstamp.
        index.batch().expect("batch").commit().expect("commit");
        index.batch().expect("batch").commit().expect("commit");
        let reopened = PassageIndex::open(dir.path()).expect("reopen");
        assert_eq!(ids(&reopened), ["a", "b"]);
        assert_eq!(reopened.passage_count(), 2);
    }

    #[test]
    fn an_index_from_before_named_catalogs_is_read_and_moves_on_at_its_next_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PassageIndex::open(dir.path()).expect("open");
        put(&index, &["a"]);
        // Rewrite the folder as older versions left it: no payload, catalog.json beside.
        let catalog = index.catalog();
        drop(index);
        let meta_path = dir.path().join("meta.json");
        let mut meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&meta_path).expect("meta")).expect("json");
        meta["payload"] = serde_json::Value::Null;
        std::fs::write(&meta_path, meta.to_string()).expect("write");
        for name in catalog_files(dir.path()) {
            std::fs::remove_file(dir.path().join(name)).expect("remove");
        }
        catalog
            .save(dir.path(), Catalog::LEGACY_FILE)
            .expect("save");
        let old = PassageIndex::open(dir.path()).expect("open");
        assert_eq!(ids(&old), ["a"]);
        put(&old, &["b"]);
        let files = catalog_files(dir.path());
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(!files.contains(&Catalog::LEGACY_FILE.to_string()));
        assert_eq!(
            ids(&PassageIndex::open(dir.path()).expect("open")),
            ["a", "b"]
        );
    }

    #[test]
    fn a_payload_this_version_does_not_know_is_another_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        put(&PassageIndex::open(dir.path()).expect("open"), &["a"]);
        let meta_path = dir.path().join("meta.json");
        let mut meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&meta_path).expect("meta")).expect("json");
        meta["payload"] = serde_json::Value::String("{\"catalog\": 3}".into());
        std::fs::write(&meta_path, meta.to_string()).expect("write");
        assert!(matches!(
            PassageIndex::open(dir.path()),
            Err(Error::OtherVersion { .. })
        ));
    }

    #[test]
    fn another_handle_sees_a_commit_only_after_reload_and_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let writer = PassageIndex::open(dir.path()).expect("open");
        let reader = PassageIndex::open(dir.path()).expect("open");
        put(&writer, &["a", "b"]);
        assert_eq!(reader.passage_count(), 0);
        assert!(ids(&reader).is_empty());
        reader.reload().expect("reload");
        assert_eq!(reader.passage_count(), 2);
        assert_eq!(ids(&reader), ["a", "b"]);
    }
}
