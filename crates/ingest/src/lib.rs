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

mod analyzer;
mod classifier;
mod countries;
mod eval;
mod furniture;
mod headings;
mod language;
mod passages;
mod pool;
pub mod questions;
mod spill;
mod versions;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cfi_core::{CallFolder, ManifestEntry, Passage, Submission};
use cfi_index::{PassageIndex, SubmissionInfo};
use serde::Serialize;

pub use analyzer::{Analyzer, Cut};
pub use classifier::{Evidence, QuestionClassifier};
pub use countries::Gazetteer;
pub use eval::{
    CategoryScores, Counts, GroupScores, Headings, ReliabilityBin, TaggingReport, evaluate_tagging,
    evaluate_tagging_with,
};
pub use language::LanguageDetector;
pub use passages::{passage_id, passages};

use pool::{Finished, ReadFile, ReaderPool};
use spill::{HELD_BATCH, Held, Waiting, tag_held};

/// One file ready for the index: its page count, tagged passages, and what was read only in
/// part.
struct Tagged {
    pages: Option<u32>,
    passages: Vec<Passage>,
    warnings: Vec<String>,
}

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

/// Why one file of a call was left out; the run goes on, and the report says this.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read (broken, encrypted, too large, not the format it says).
    #[error(transparent)]
    Extract(#[from] cfi_extract::Error),
    /// A reader panicked on the file.
    #[error("{}: the reader crashed on this file", .path.display())]
    Crashed {
        /// The file.
        path: PathBuf,
    },
    /// Reading took longer than the time limit per file.
    #[error("{}: reading stopped after {seconds} s without an answer (time limit per file){}", .path.display(), if *.replaced { "" } else { "; no reader left" })]
    TimedOut {
        /// The file.
        path: PathBuf,
        /// The limit.
        seconds: u64,
        /// Whether a new reader took the stuck one's place.
        replaced: bool,
    },
    /// Pages that are images, and no OCR installed.
    #[error("{}: needs OCR (install tesseract-ocr), page{} {}", .path.display(), if .pages.len() > 1 { "s" } else { "" }, list(.pages))]
    NeedsOcr {
        /// The file.
        path: PathBuf,
        /// The pages without text.
        pages: Vec<u32>,
    },
    /// Nothing to index.
    #[error("{}: no text found", .path.display())]
    NoText {
        /// The file.
        path: PathBuf,
    },
    /// The classifier panicked on the file's passages.
    #[error("{}: the classifier crashed on this file", .path.display())]
    ClassifierCrashed {
        /// The file.
        path: PathBuf,
    },
    /// The file waited for the classifier in a temporary file that could not be read back.
    #[error("{}: could not be read back from the temporary file: {source}", .path.display())]
    Spill {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Page numbers as a list: "3, 4, 9".
fn list(pages: &[u32]) -> String {
    pages
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

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
    /// Files in the call folder that no manifest row names.
    pub unlisted_files: Vec<String>,
    /// Staff reviews of passages this run (or an earlier one) took out of the index or
    /// changed (their ids): kept, and applied again if the passage comes back.
    pub orphaned_reviews: Vec<String>,
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
    /// A file has been read (or has failed); files finish in any order.
    Done(&'a FileReport),
    /// The changes are being committed.
    Commit,
}

/// How an ingest run uses the machine.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files read at once; 0 means one per core.
    pub jobs: usize,
    /// A file still being read after this long is reported as timed out and left behind,
    /// so one file that hangs a reader cannot stop the batch.
    pub file_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            jobs: 0,
            // Generous: OCR of a long scanned file is slow but not stuck.
            file_timeout: Duration::from_secs(15 * 60),
        }
    }
}

impl Options {
    /// The number of reader threads this run starts.
    pub fn threads(&self) -> usize {
        match self.jobs {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
    }
}

/// Reads every file of the call folder into the index and commits once at the end, with
/// one reader per core. See [`ingest_with`].
pub fn ingest(
    folder: &Path,
    index: &PassageIndex,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Report> {
    ingest_with(folder, index, &Options::default(), progress)
}

/// Reads every file of the call folder into the index and commits once at the end.
///
/// Files are extracted and cut into passages on `options.threads()` reader threads while
/// this thread writes finished files into the index, so memory holds at most a few files'
/// passages at a time whatever the size of the call. A file that fails (an error, a panic
/// in a reader, or no answer within `options.file_timeout`) is reported and leaves what was
/// indexed before for it in place.
pub fn ingest_with(
    folder: &Path,
    index: &PassageIndex,
    options: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Report> {
    let folder = CallFolder::open(folder)?;
    let previous = index.catalog();
    let mut batch = index.batch()?;
    batch.put_call(folder.call.clone());
    progress(Progress::Start(folder.entries.len()));
    let mut pool = ReaderPool::start(&folder, options);
    let mut files: Vec<Option<FileReport>> = vec![None; folder.entries.len()];
    // The classifier learns each question's vocabulary from every passage that a heading
    // tags in this call, so files it has decisions to make in wait until all are read;
    // the others go into the index as they come. Counts only: the model does not depend
    // on the order files finish in.
    let mut evidence = Evidence::default();
    let mut waiting = Waiting::new();
    // A later version of a submission is written last, once its first version's passages
    // are known, so the passages they share are marked and shown once.
    let mut versions = versions::Versions::new(&folder.entries);
    let mut later: Vec<(usize, std::result::Result<Tagged, FileError>)> = Vec::new();
    while let Some(Finished { slot, outcome }) = pool.next() {
        let Some(entry) = folder.entries.get(slot) else {
            continue;
        };
        let outcome = match outcome {
            Ok(ReadFile {
                pages,
                cut,
                warnings,
                learned,
            }) => {
                evidence.merge(learned);
                if cut.needs_classifier() {
                    waiting.hold(Held {
                        slot,
                        pages,
                        warnings,
                        cut,
                    });
                    continue;
                }
                Ok(Tagged {
                    pages,
                    passages: cut.passages,
                    warnings,
                })
            }
            Err(message) => Err(message),
        };
        if versions::Versions::is_later(entry) {
            later.push((slot, outcome));
            continue;
        }
        if let Ok(tagged) = &outcome {
            versions.remember(entry, &tagged.passages);
        }
        let report = write(&mut batch, &previous, &folder.call.id, entry, outcome)?;
        progress(Progress::Done(&report));
        if let Some(place) = files.get_mut(slot) {
            *place = Some(report);
        }
    }
    // Staff corrections teach the classifier too: each reviewed passage counts for the
    // questions staff gave it.
    for (text, questions) in index.reviewed_examples()? {
        evidence.learn_reviewed(pool.shared.analyzer.classifier(), &text, &questions);
    }
    let classifier = pool.shared.analyzer.classifier().trained(&evidence);
    // The held files are tagged a batch at a time on every core, and written in order.
    let threads = options.threads().max(1);
    let mut held = waiting.release().peekable();
    while held.peek().is_some() {
        let chunk: Vec<(usize, std::io::Result<Held>)> = held.by_ref().take(HELD_BATCH).collect();
        let tagged = tag_held(chunk, &classifier, &folder.entries, threads);
        for (slot, outcome) in tagged {
            let Some(entry) = folder.entries.get(slot) else {
                continue;
            };
            if versions::Versions::is_later(entry) {
                later.push((slot, outcome));
                continue;
            }
            if let Ok(tagged) = &outcome {
                versions.remember(entry, &tagged.passages);
            }
            let report = write(&mut batch, &previous, &folder.call.id, entry, outcome)?;
            progress(Progress::Done(&report));
            if let Some(place) = files.get_mut(slot) {
                *place = Some(report);
            }
        }
    }
    later.sort_by_key(|(slot, _)| *slot);
    for (slot, mut outcome) in later {
        let Some(entry) = folder.entries.get(slot) else {
            continue;
        };
        if let Ok(tagged) = &mut outcome {
            versions.fold(entry, &mut tagged.passages);
        }
        let report = write(&mut batch, &previous, &folder.call.id, entry, outcome)?;
        progress(Progress::Done(&report));
        if let Some(place) = files.get_mut(slot) {
            *place = Some(report);
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
    let problems = call_problems(&folder);
    let unlisted_files = problems.unlisted_files.clone();
    batch.put_problems(problems);
    progress(Progress::Commit);
    batch.commit()?;
    Ok(Report {
        call: folder.call.id.clone(),
        files: files.into_iter().flatten().collect(),
        manifest_problems: folder.problems.iter().map(ToString::to_string).collect(),
        removed,
        unlisted_files,
        orphaned_reviews: index.orphaned_reviews()?,
    })
}

/// What staff should put right in the call folder: rows left out, rows whose file is
/// missing, files no row names.
fn call_problems(folder: &CallFolder) -> cfi_index::CallProblems {
    let mut problems = cfi_index::CallProblems {
        call: folder.call.id.clone(),
        ..Default::default()
    };
    for problem in &folder.problems {
        match problem {
            cfi_core::Error::MissingFile { file, .. } => problems.missing_files.push(file.clone()),
            other => problems.manifest.push(other.to_string()),
        }
    }
    let base = folder.manifest.parent().unwrap_or(&folder.root);
    let listed: BTreeSet<&Path> = folder.entries.iter().map(|e| e.path.as_path()).collect();
    problems.unlisted_files = cfi_extract::submission_files(base)
        .into_iter()
        .filter(|path| !listed.contains(path.as_path()))
        // An archive unpacked beside itself (`cfi init` does) is listed through its files.
        .filter(|path| {
            let archive = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
            !(archive && path.with_extension("").is_dir())
        })
        .filter_map(|path| {
            path.strip_prefix(base)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    problems
}

/// Puts one file's outcome into the batch and says what happened to it.
fn write(
    batch: &mut cfi_index::Batch<'_>,
    previous: &cfi_index::Catalog,
    call: &str,
    entry: &ManifestEntry,
    outcome: std::result::Result<Tagged, FileError>,
) -> Result<FileReport> {
    // Messages name the file as the manifest does: the report and the catalog (which the
    // API serves) never carry where the call folder sits on this machine.
    let full = entry.path.display().to_string();
    let relative = |message: String| message.replace(&full, &entry.file);
    let outcome = outcome
        .map(|tagged| Tagged {
            warnings: tagged.warnings.into_iter().map(relative).collect(),
            ..tagged
        })
        .map_err(|e| relative(e.to_string()));
    let submission = Submission::from_entry(call, entry);
    let mut info = SubmissionInfo {
        submission,
        path: entry.path.clone(),
        pages: None,
        passages: 0,
        languages: Vec::new(),
        problems: Vec::new(),
    };
    match outcome {
        Ok(Tagged {
            pages,
            passages,
            warnings,
        }) => {
            info.pages = pages;
            info.problems.clone_from(&warnings);
            info.passages = u32::try_from(passages.len()).unwrap_or(u32::MAX);
            info.languages = passages
                .iter()
                .filter_map(|p| p.language.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let report = FileReport {
                file: entry.file.clone(),
                id: entry.id.clone(),
                passages: passages.len(),
                pages,
                languages: info.languages.clone(),
                error: None,
                warnings,
            };
            batch.put_submission(info, &passages)?;
            Ok(report)
        }
        Err(message) => {
            // Keep whatever an earlier run indexed for this file; note the problem.
            if previous.submission(&entry.id).is_none() {
                info.problems.push(message.clone());
                batch.put_submission(info, &[])?;
            }
            Ok(FileReport {
                file: entry.file.clone(),
                id: entry.id.clone(),
                passages: 0,
                pages: None,
                languages: Vec::new(),
                error: Some(message),
                warnings: Vec::new(),
            })
        }
    }
}

/// A call for unit tests: `languages`, the category "States", and `rest` (its questions
/// and glossary, as call.toml writes them).
#[cfg(test)]
pub(crate) fn test_call(languages: &[&str], rest: &str) -> cfi_core::Call {
    let languages: Vec<String> = languages.iter().map(|l| format!("\"{l}\"")).collect();
    let text = format!(
        "id = \"demo\"\ntitle = \"t\"\nmandate = \"m\"\nissued = 2024-01-01\n\
         deadline = 2024-02-01\nlanguages = [{}]\ncategories = [\"States\"]\n{rest}",
        languages.join(", ")
    );
    cfi_core::Call::parse(Path::new("call.toml"), &text).expect("test call")
}
