use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use cfi_core::{Passage, Submission};
use serde::{Deserialize, Serialize};
use tantivy::schema::Facet;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::catalog::{Catalog, SubmissionInfo};
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

/// An index folder: tantivy segments plus `catalog.json`.
#[derive(Clone)]
pub struct PassageIndex {
    pub(crate) dir: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) catalog: Arc<RwLock<Arc<Catalog>>>,
}

impl std::fmt::Debug for PassageIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassageIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

impl PassageIndex {
    /// Opens the index in `dir`, creating an empty one when the folder is empty or missing.
    pub fn open(dir: &Path) -> Result<PassageIndex> {
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
        let mut index = Index::builder()
            .schema(schema::build_schema())
            .settings(settings)
            .open_or_create(directory)
            .map_err(|e| match e {
                tantivy::TantivyError::SchemaError(_) => Error::OtherVersion {
                    path: dir.to_path_buf(),
                },
                other => fail(other),
            })?;
        schema::register_tokenizers(index.tokenizers());
        // Segments are searched on all cores: a query matching most of a million passages
        // takes about half as long on two.
        index.set_default_multithread_executor().map_err(fail)?;
        let fields = Fields::new(&index.schema()).map_err(fail)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(fail)?;
        let catalog = Catalog::load(dir)?;
        Ok(PassageIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
        })
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

    /// Re-reads segments and catalog after another process committed.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(|source| self.err(source))?;
        let fresh = Catalog::load(&self.dir)?;
        if let Ok(mut c) = self.catalog.write() {
            *c = Arc::new(fresh);
        }
        Ok(())
    }

    /// Number of passages in the index, confidential ones included.
    pub fn passage_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Starts a batch of changes; nothing is visible until [`Batch::commit`].
    pub fn batch(&self) -> Result<Batch<'_>> {
        let writer = self
            .index
            .writer(64 * 1024 * 1024)
            .map_err(|source| self.err(source))?;
        Ok(Batch {
            index: self,
            writer,
            catalog: Catalog::clone(&self.catalog()),
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
}

impl Batch<'_> {
    /// Adds or replaces a call definition.
    pub fn put_call(&mut self, call: cfi_core::Call) {
        self.catalog.put_call(call);
    }

    /// Replaces every passage of the submission with `passages`.
    pub fn put_submission(&mut self, info: SubmissionInfo, passages: &[Passage]) -> Result<()> {
        let f = &self.index.fields;
        let sub = &info.submission;
        self.writer
            .delete_term(Term::from_field_text(f.submission_id, &sub.id));
        for passage in passages {
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
            if let Some(field) = f.text_field(code) {
                doc.add_text(field, &passage.text);
            }
            doc.add_text(f.exact, &passage.text);
            doc.add_u64(f.confidential, u64::from(sub.confidential));
            doc.add_text(f.category_key, &sub.category);
            // An annex counts as its submission in the matrix.
            doc.add_text(f.submission_key, sub.annex_of.as_deref().unwrap_or(&sub.id));
            for tag in &passage.questions {
                doc.add_u64(f.question_number, u64::from(tag.number));
            }
            doc.add_u64(f.ordinal, u64::from(passage.ordinal));
            doc.add_facet(f.call, Facet::from_path([&sub.call]));
            doc.add_facet(f.category, Facet::from_path([&sub.category]));
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
        }
        self.catalog.put_submission(info);
        Ok(())
    }

    /// Removes a submission and its passages.
    pub fn remove_submission(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.index.fields.submission_id, id));
        self.catalog.submissions.retain(|s| s.submission.id != id);
    }

    /// The catalog as this batch will leave it.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Makes the changes durable and visible, then saves the catalog.
    pub fn commit(mut self) -> Result<()> {
        self.writer
            .commit()
            .map_err(|source| self.index.err(source))?;
        self.catalog.save(&self.index.dir)?;
        if let Ok(mut c) = self.index.catalog.write() {
            *c = Arc::new(self.catalog.clone());
        }
        self.index
            .reader
            .reload()
            .map_err(|source| self.index.err(source))?;
        // Let the merges this commit started finish: a writer dropped mid-merge leaves the
        // merged files orphaned and the index in many small segments, each of which every
        // search then visits.
        let Batch { writer, index, .. } = self;
        writer
            .wait_merging_threads()
            .map_err(|source| index.err(source))?;
        index.reader.reload().map_err(|source| index.err(source))?;
        Ok(())
    }
}
