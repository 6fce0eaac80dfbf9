//! The ingest run: a call folder in, passages in the index, a report per file out.
//!
//! ```no_run
//! let index = cfi_index::PassageIndex::open(std::path::Path::new("indexes/default"))?;
//! let report = cfi_ingest::ingest(std::path::Path::new("fixtures/calls/sr-children-digital-2024"), &index, &mut |_| {})?;
//! for file in &report.files {
//!     println!("{}: {} passages {:?}", file.file, file.passages, file.error);
//! }
//! # Ok::<(), cfi_ingest::Error>(())
//! ```

mod classifier;
mod countries;
mod eval;
mod language;
mod passages;
pub mod questions;

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use cfi_core::{CallFolder, ManifestEntry, Passage, Submission};
use cfi_index::{PassageIndex, SubmissionInfo};
use serde::Serialize;

pub use classifier::QuestionClassifier;
pub use countries::Gazetteer;
pub use eval::{Counts, GroupScores, TaggingReport, evaluate_tagging};
pub use language::LanguageDetector;
pub use passages::{Analyzer, passage_id, passages};

/// Errors that stop an ingest run as a whole (a bad file only goes in the report).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The call folder cannot be used.
    #[error(transparent)]
    Call(#[from] cfi_core::Error),
    /// The index cannot be written.
    #[error(transparent)]
    Index(#[from] cfi_index::Error),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// What happened to one manifest row.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// The file as the manifest names it.
    pub file: String,
    /// Submission id.
    pub id: String,
    /// Passages indexed from it.
    pub passages: usize,
    /// Pages, for paged formats.
    pub pages: Option<u32>,
    /// Languages of its passages.
    pub languages: Vec<String>,
    /// Why it could not be read, naming the file and the cause.
    pub error: Option<String>,
    /// What was read only in part (pages that need OCR).
    pub warnings: Vec<String>,
}

/// The report of an ingest run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The call ingested.
    pub call: String,
    /// One line per manifest row that could be read.
    pub files: Vec<FileReport>,
    /// Manifest rows left out, with file, row and column.
    pub manifest_problems: Vec<String>,
    /// Submissions of this call no longer in the manifest, removed from the index.
    pub removed: Vec<String>,
}

impl Report {
    /// Passages indexed in this run.
    pub fn passages(&self) -> usize {
        self.files.iter().map(|f| f.passages).sum()
    }

    /// Files read without error.
    pub fn indexed_files(&self) -> usize {
        self.files.iter().filter(|f| f.error.is_none()).count()
    }
}

/// Progress of a run, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The run is about to read this many files.
    Start(usize),
    /// A file is about to be read.
    File(&'a str),
    /// The changes are being committed.
    Commit,
}

/// Reads every file of the call folder into the index and commits once at the end.
/// A file that fails is reported and leaves what was indexed before for it in place.
pub fn ingest(
    folder: &Path,
    index: &PassageIndex,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Report> {
    let folder = CallFolder::open(folder)?;
    let analyzer = Analyzer::new(&folder.call);
    let previous = index.catalog();
    let mut batch = index.batch()?;
    batch.put_call(folder.call.clone());
    progress(Progress::Start(folder.entries.len()));
    let mut files = Vec::new();
    for entry in &folder.entries {
        progress(Progress::File(&entry.file));
        let submission = Submission::from_entry(&folder.call.id, entry);
        let mut info = SubmissionInfo {
            submission,
            path: entry.path.clone(),
            pages: None,
            passages: 0,
            languages: Vec::new(),
            problems: Vec::new(),
        };
        match read(entry, &analyzer, &folder.call.languages) {
            Ok((pages, passages, warnings)) => {
                info.pages = pages;
                info.problems.clone_from(&warnings);
                info.passages = u32::try_from(passages.len()).unwrap_or(u32::MAX);
                info.languages = passages
                    .iter()
                    .filter_map(|p| p.language.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                files.push(FileReport {
                    file: entry.file.clone(),
                    id: entry.id.clone(),
                    passages: passages.len(),
                    pages,
                    languages: info.languages.clone(),
                    error: None,
                    warnings,
                });
                batch.put_submission(info, &passages)?;
            }
            Err(message) => {
                files.push(FileReport {
                    file: entry.file.clone(),
                    id: entry.id.clone(),
                    passages: 0,
                    pages: None,
                    languages: Vec::new(),
                    error: Some(message.clone()),
                    warnings: Vec::new(),
                });
                // Keep whatever an earlier run indexed for this file; note the problem.
                if previous.submission(&entry.id).is_none() {
                    info.problems.push(message);
                    batch.put_submission(info, &[])?;
                }
            }
        }
    }
    // Rows taken out of the manifest take their passages with them; while the manifest has
    // bad rows nothing is removed, since a bad row may be a submission still wanted.
    let mut removed = Vec::new();
    if folder.problems.is_empty() {
        let listed: BTreeSet<&str> = folder.entries.iter().map(|e| e.id.as_str()).collect();
        let gone: Vec<String> = previous
            .submissions
            .iter()
            .filter(|s| s.submission.call == folder.call.id)
            .map(|s| s.submission.id.clone())
            .filter(|id| !listed.contains(id.as_str()))
            .collect();
        for id in gone {
            batch.remove_submission(&id);
            removed.push(id);
        }
    }
    progress(Progress::Commit);
    batch.commit()?;
    Ok(Report {
        call: folder.call.id.clone(),
        files,
        manifest_problems: folder.problems.iter().map(ToString::to_string).collect(),
        removed,
    })
}

/// One file read: its page count, passages, and what was read only in part.
type ReadFile = (Option<u32>, Vec<Passage>, Vec<String>);

/// Extracts and cuts one file, turning errors and panics inside readers into a message.
fn read(
    entry: &ManifestEntry,
    analyzer: &Analyzer,
    call_languages: &[String],
) -> std::result::Result<ReadFile, String> {
    let options = cfi_extract::Options {
        password: entry.password.clone(),
    };
    // OCR in the submission's declared language first, then the call's languages.
    let languages: Vec<&str> = entry
        .language
        .iter()
        .chain(call_languages)
        .map(String::as_str)
        .collect();
    let extractor = cfi_extract::Extractor::new(&options).ocr_languages(&languages);
    let extracted = catch_unwind(AssertUnwindSafe(|| extractor.extract_path(&entry.path)))
        .map_err(|_| format!("{}: the reader crashed on this file", entry.path.display()))?
        .map_err(|e| e.to_string())?;
    let passages = analyzer.passages(&entry.id, &extracted.blocks, entry.language.as_deref());
    let pages: Vec<String> = extracted.needs_ocr.iter().map(u32::to_string).collect();
    let needs_ocr = (!pages.is_empty()).then(|| {
        format!(
            "{}: needs OCR (install tesseract-ocr), page{} {}",
            entry.path.display(),
            if pages.len() > 1 { "s" } else { "" },
            pages.join(", ")
        )
    });
    if passages.is_empty() {
        return Err(needs_ocr.unwrap_or_else(|| format!("{}: no text found", entry.path.display())));
    }
    let ocr_pages: BTreeSet<u32> = extracted
        .blocks
        .iter()
        .filter(|b| b.ocr)
        .filter_map(|b| b.page)
        .collect();
    let mut warnings: Vec<String> = needs_ocr.into_iter().collect();
    if !ocr_pages.is_empty() {
        let list: Vec<String> = ocr_pages.iter().map(u32::to_string).collect();
        warnings.push(format!("read by OCR: page {}", list.join(", ")));
    }
    Ok((extracted.pages, passages, warnings))
}
