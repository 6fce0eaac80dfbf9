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
mod versions;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use cfi_core::{CallFolder, ManifestEntry, Passage, Submission};
use cfi_index::{PassageIndex, SubmissionInfo};
use serde::Serialize;

pub use classifier::{Evidence, QuestionClassifier};
pub use countries::Gazetteer;
pub use eval::{CategoryScores, Counts, GroupScores, TaggingReport, evaluate_tagging};
pub use language::LanguageDetector;
pub use passages::{Analyzer, Cut, passage_id, passages};

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
    /// Files in the call folder that no manifest row names.
    pub unlisted_files: Vec<String>,
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
    let mut later: Vec<(usize, std::result::Result<Tagged, String>)> = Vec::new();
    while let Some((slot, outcome)) = pool.next() {
        let Some(entry) = folder.entries.get(slot) else {
            continue;
        };
        let outcome = match outcome {
            Ok((pages, cut, warnings, learned)) => {
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
                Ok((pages, cut.passages, warnings))
            }
            Err(message) => Err(message),
        };
        if versions::Versions::is_later(entry) {
            later.push((slot, outcome));
            continue;
        }
        if let Ok((_, passages, _)) = &outcome {
            versions.remember(entry, passages);
        }
        let report = write(&mut batch, &previous, &folder.call.id, entry, outcome)?;
        progress(Progress::Done(&report));
        if let Some(place) = files.get_mut(slot) {
            *place = Some(report);
        }
    }
    let classifier = pool.shared.analyzer.classifier().trained(&evidence);
    // The held files are tagged a batch at a time on every core, and written in order.
    let threads = options.threads().max(1);
    let mut held = waiting.release().peekable();
    while held.peek().is_some() {
        let chunk: Vec<(usize, std::io::Result<Held>)> = held.by_ref().take(HELD_BATCH).collect();
        let tagged = tag_held(chunk, &classifier, threads);
        for (slot, outcome) in tagged {
            let Some(entry) = folder.entries.get(slot) else {
                continue;
            };
            let outcome = outcome.map_err(|e| format!("{}: {e}", entry.path.display()));
            if versions::Versions::is_later(entry) {
                later.push((slot, outcome));
                continue;
            }
            if let Ok((_, passages, _)) = &outcome {
                versions.remember(entry, passages);
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
        if let Ok((_, passages, _)) = &mut outcome {
            versions.fold(entry, passages);
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

/// Held files tagged at once: enough to keep every core busy, few enough to keep memory flat.
const HELD_BATCH: usize = 64;

/// Tags a batch of held files on `threads` threads; the result keeps the batch's order.
fn tag_held(
    chunk: Vec<(usize, std::io::Result<Held>)>,
    classifier: &QuestionClassifier,
    threads: usize,
) -> Vec<(usize, std::result::Result<Tagged, String>)> {
    let tag = |(slot, held): (usize, std::io::Result<Held>)| {
        let tagged = held
            .map_err(|e| format!("could not be read back from the temporary file: {e}"))
            .and_then(|held| {
                catch_unwind(AssertUnwindSafe(|| {
                    (held.pages, held.cut.tag(classifier), held.warnings)
                }))
                .map_err(|_| "the classifier crashed on this file".to_string())
            });
        (slot, tagged)
    };
    if threads < 2 || chunk.len() < 2 {
        return chunk.into_iter().map(tag).collect();
    }
    let per_thread = chunk.len().div_ceil(threads);
    let mut parts: Vec<Vec<(usize, std::io::Result<Held>)>> = Vec::new();
    let mut rest = chunk.into_iter();
    loop {
        let part: Vec<_> = rest.by_ref().take(per_thread).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(tag).collect::<Vec<_>>()))
            .collect();
        // Each file's panic is caught inside `tag`: a thread itself does not fail.
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    })
}

/// A file waiting for the classifier.
#[derive(serde::Serialize, serde::Deserialize)]
struct Held {
    slot: usize,
    pages: Option<u32>,
    warnings: Vec<String>,
    cut: Cut,
}

/// Files waiting for the classifier, written as they finish to an unnamed temporary file
/// (gone when the run ends, even if it is killed) and read back one at a time, so memory
/// stays flat however many essays a call holds. Where no temporary file can be made, or
/// writing to it fails, they wait in memory.
struct Waiting {
    spill: Option<std::io::BufWriter<std::fs::File>>,
    /// After a failed write the spill takes nothing more (a part line may end it).
    closed: bool,
    /// Slots written whole to the spill, in order.
    spilled: Vec<usize>,
    memory: Vec<Held>,
}

impl Waiting {
    fn new() -> Waiting {
        Waiting {
            spill: tempfile::tempfile().ok().map(std::io::BufWriter::new),
            closed: false,
            spilled: Vec::new(),
            memory: Vec::new(),
        }
    }

    fn hold(&mut self, held: Held) {
        use std::io::Write;
        if let Some(spill) = self.spill.as_mut().filter(|_| !self.closed) {
            let written = serde_json::to_writer(&mut *spill, &held)
                .map_err(std::io::Error::from)
                .and_then(|()| spill.write_all(b"\n"));
            if written.is_ok() {
                self.spilled.push(held.slot);
                return;
            }
            self.closed = true;
        }
        self.memory.push(held);
    }

    /// Every held file with its slot, read back one at a time, or why it could not be.
    fn release(self) -> impl Iterator<Item = (usize, std::io::Result<Held>)> {
        use std::io::{BufRead, Seek};
        let memory = self.memory.into_iter().map(|h| (h.slot, Ok(h)));
        let reader = self.spill.map(|spill| {
            spill
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)
                .and_then(|mut file| {
                    file.rewind()?;
                    Ok(std::io::BufReader::new(file).lines())
                })
                .map_err(|e| e.to_string())
        });
        let mut lines = match reader {
            Some(Ok(lines)) => Ok(Some(lines)),
            Some(Err(message)) => Err(message),
            None => Ok(None),
        };
        let spilled = self.spilled.into_iter().map(move |slot| {
            let line = match lines.as_mut() {
                Ok(Some(lines)) => lines.next().unwrap_or_else(|| {
                    Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the temporary file ended early",
                    ))
                }),
                Ok(None) => Err(std::io::Error::other("no temporary file")),
                Err(message) => Err(std::io::Error::other(message.clone())),
            };
            let held = line.and_then(|line| {
                serde_json::from_str::<Held>(&line).map_err(std::io::Error::other)
            });
            (slot, held)
        });
        memory.chain(spilled)
    }
}

/// Puts one file's outcome into the batch and says what happened to it.
fn write(
    batch: &mut cfi_index::Batch<'_>,
    previous: &cfi_index::Catalog,
    call: &str,
    entry: &ManifestEntry,
    outcome: std::result::Result<Tagged, String>,
) -> Result<FileReport> {
    // Messages name the file as the manifest does: the report and the catalog (which the
    // API serves) never carry where the call folder sits on this machine.
    let full = entry.path.display().to_string();
    let relative = |message: String| message.replace(&full, &entry.file);
    let outcome = outcome
        .map(|(pages, passages, warnings)| {
            (
                pages,
                passages,
                warnings.into_iter().map(relative).collect(),
            )
        })
        .map_err(relative);
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

/// A finished file: its manifest slot and what reading it gave.
type Finished = (usize, std::result::Result<ReadFile, String>);

/// Reader threads taking manifest rows in order and handing back finished files.
struct ReaderPool {
    shared: Arc<Shared>,
    sender: mpsc::SyncSender<Finished>,
    receiver: mpsc::Receiver<Finished>,
    timeout: Duration,
    /// Slots already handed out by `next` (a timed-out file may still answer later).
    answered: Vec<bool>,
    remaining: usize,
}

/// What the reader threads share.
struct Shared {
    entries: Vec<ManifestEntry>,
    analyzer: Analyzer,
    languages: Vec<String>,
    next: AtomicUsize,
    /// When each file being read was started.
    started: Mutex<BTreeMap<usize, Instant>>,
}

/// Readers recurse through nested PDF objects and XML: give them a main thread's stack.
const READER_STACK: usize = 64 * 1024 * 1024;

impl ReaderPool {
    fn start(folder: &CallFolder, options: &Options) -> ReaderPool {
        let shared = Arc::new(Shared {
            entries: folder.entries.clone(),
            analyzer: Analyzer::new(&folder.call),
            languages: folder.call.languages.clone(),
            next: AtomicUsize::new(0),
            started: Mutex::new(BTreeMap::new()),
        });
        let threads = options.threads().clamp(1, folder.entries.len().max(1));
        // A bounded queue: readers wait while the writer is behind, so memory stays flat.
        let (sender, receiver) = mpsc::sync_channel(threads);
        let pool = ReaderPool {
            shared,
            sender,
            receiver,
            timeout: options.file_timeout,
            answered: vec![false; folder.entries.len()],
            remaining: folder.entries.len(),
        };
        for _ in 0..threads {
            pool.spawn_reader();
        }
        pool
    }

    /// Starts one reader thread; if the thread cannot start, the files wait for the others
    /// (and with none at all, the run reads on this thread).
    fn spawn_reader(&self) -> bool {
        let shared = Arc::clone(&self.shared);
        let sender = self.sender.clone();
        std::thread::Builder::new()
            .name("cfi-reader".into())
            .stack_size(READER_STACK)
            .spawn(move || reader_loop(&shared, &sender))
            .is_ok()
    }

    /// The next finished file, or `None` once every file has been answered for.
    fn next(&mut self) -> Option<Finished> {
        while self.remaining > 0 {
            match self.receiver.recv_timeout(Duration::from_millis(250)) {
                Ok((slot, outcome)) => {
                    if let Some(answered) = self.answered.get_mut(slot)
                        && !*answered
                    {
                        *answered = true;
                        self.remaining -= 1;
                        return Some((slot, outcome));
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(late) = self.overdue() {
                        return Some(late);
                    }
                }
                // The pool holds a sender, so this cannot happen; stop rather than spin.
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
        None
    }

    /// A file read for longer than the timeout: given up on, its thread left behind and
    /// replaced so the pool keeps its size.
    fn overdue(&mut self) -> Option<Finished> {
        let slot = {
            let started = self.shared.started.lock().ok()?;
            started
                .iter()
                .find(|(slot, at)| {
                    at.elapsed() > self.timeout
                        && self.answered.get(**slot).is_some_and(|answered| !answered)
                })
                .map(|(slot, _)| *slot)?
        };
        if let Ok(mut started) = self.shared.started.lock() {
            started.remove(&slot);
        }
        if let Some(answered) = self.answered.get_mut(slot) {
            *answered = true;
        }
        self.remaining -= 1;
        let spawned = self.spawn_reader();
        let path = self
            .shared
            .entries
            .get(slot)
            .map(|e| e.path.display().to_string());
        let message = format!(
            "{}: reading stopped after {} s without an answer (time limit per file){}",
            path.unwrap_or_default(),
            self.timeout.as_secs(),
            if spawned { "" } else { "; no reader left" }
        );
        Some((slot, Err(message)))
    }
}

/// One reader thread: takes the next manifest row until there are none.
fn reader_loop(shared: &Shared, sender: &mpsc::SyncSender<Finished>) {
    loop {
        let slot = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(entry) = shared.entries.get(slot) else {
            return;
        };
        if let Ok(mut started) = shared.started.lock() {
            started.insert(slot, Instant::now());
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            read(entry, &shared.analyzer, &shared.languages)
        }))
        .unwrap_or_else(|_| {
            Err(format!(
                "{}: the reader crashed on this file",
                entry.path.display()
            ))
        });
        if let Ok(mut started) = shared.started.lock() {
            started.remove(&slot);
        }
        if sender.send((slot, outcome)).is_err() {
            return;
        }
    }
}

/// One file ready for the index: its page count, tagged passages, and what was read only in
/// part.
type Tagged = (Option<u32>, Vec<Passage>, Vec<String>);

/// One file read: its page count, its passages waiting for the classifier, what was read
/// only in part, and what its headed passages teach the classifier.
type ReadFile = (Option<u32>, Cut, Vec<String>, Evidence);

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
    let cut = analyzer.cut(&entry.id, &extracted.blocks, entry.language.as_deref());
    let pages: Vec<String> = extracted.needs_ocr.iter().map(u32::to_string).collect();
    let needs_ocr = (!pages.is_empty()).then(|| {
        format!(
            "{}: needs OCR (install tesseract-ocr), page{} {}",
            entry.path.display(),
            if pages.len() > 1 { "s" } else { "" },
            pages.join(", ")
        )
    });
    if cut.passages.is_empty() {
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
    // Learned here, on the reader's thread; the writer only adds the counts up.
    let mut learned = Evidence::default();
    learned.learn(analyzer.classifier(), &cut.passages);
    Ok((extracted.pages, cut, warnings, learned))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_held_for_the_classifier_come_back_whole_and_in_order() {
        let call = test_call(
            &["en"],
            "[[questions]]\nnumber = 1\nshort = \"q\"\ntext.en = \"What are the trends?\"\n",
        );
        let analyzer = Analyzer::new(&call);
        let block = |text: &str| cfi_extract::Block {
            text: text.into(),
            page: Some(1),
            page_label: None,
            paragraph: 1,
            kind: cfi_extract::BlockKind::Paragraph,
            ocr: false,
        };
        let cuts: Vec<Cut> = [
            "Första stycket, på svenska.",
            "A second file, in English, with «quotes».",
        ]
        .iter()
        .enumerate()
        .map(|(n, text)| analyzer.cut(&format!("s{n}"), &[block(text)], None))
        .collect();
        let mut waiting = Waiting::new();
        assert!(waiting.spill.is_some(), "a temporary file could be made");
        for (slot, cut) in cuts.iter().enumerate() {
            waiting.hold(Held {
                slot: slot * 7,
                pages: Some(3),
                warnings: vec![format!("w{slot}")],
                cut: cut.clone(),
            });
        }
        let back: Vec<_> = waiting.release().collect();
        assert_eq!(back.len(), 2);
        for ((slot, held), cut) in back.into_iter().zip(&cuts) {
            let held = held.expect("read back");
            assert_eq!(held.slot, slot);
            assert_eq!(held.cut.passages, cut.passages);
            assert_eq!(
                held.cut.tag(analyzer.classifier()),
                cut.clone().tag(analyzer.classifier())
            );
        }
    }
}
