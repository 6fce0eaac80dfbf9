//! Reader threads: manifest rows taken in order, each file extracted and cut into passages
//! on its own thread with a main thread's stack, handed back through a bounded queue; a file
//! that takes longer than the time limit is given up on and its thread replaced.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use cfi_core::{CallFolder, ManifestEntry};

use crate::{Analyzer, Cut, Evidence, FileError, Options};

/// A finished file: its manifest slot and what reading it gave.
pub(crate) struct Finished {
    pub(crate) slot: usize,
    pub(crate) outcome: std::result::Result<ReadFile, FileError>,
}

/// Reader threads taking manifest rows in order and handing back finished files.
pub(crate) struct ReaderPool {
    pub(crate) shared: Arc<Shared>,
    sender: mpsc::SyncSender<Finished>,
    receiver: mpsc::Receiver<Finished>,
    timeout: Duration,
    /// Slots already handed out by `next` (a timed-out file may still answer later).
    answered: Vec<bool>,
    remaining: usize,
}

/// What the reader threads share.
pub(crate) struct Shared {
    entries: Vec<ManifestEntry>,
    pub(crate) analyzer: Analyzer,
    languages: Vec<String>,
    next: AtomicUsize,
    /// When each file being read was started.
    started: Mutex<BTreeMap<usize, Instant>>,
}

/// Readers recurse through nested PDF objects and XML: give them a main thread's stack.
const READER_STACK: usize = 64 * 1024 * 1024;

impl ReaderPool {
    pub(crate) fn start(folder: &CallFolder, options: &Options) -> ReaderPool {
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
    pub(crate) fn next(&mut self) -> Option<Finished> {
        while self.remaining > 0 {
            match self.receiver.recv_timeout(Duration::from_millis(250)) {
                Ok(finished) => {
                    if let Some(answered) = self.answered.get_mut(finished.slot)
                        && !*answered
                    {
                        *answered = true;
                        self.remaining -= 1;
                        return Some(finished);
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
        let path = self.shared.entries.get(slot).map(|e| e.path.clone());
        let message = FileError::TimedOut {
            path: path.unwrap_or_default(),
            seconds: self.timeout.as_secs(),
            replaced: spawned,
        };
        Some(Finished {
            slot,
            outcome: Err(message),
        })
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
            Err(FileError::Crashed {
                path: entry.path.clone(),
            })
        });
        if let Ok(mut started) = shared.started.lock() {
            started.remove(&slot);
        }
        if sender.send(Finished { slot, outcome }).is_err() {
            return;
        }
    }
}

/// One file read: its page count, its passages waiting for the classifier, what was read
/// only in part, and what its headed passages teach the classifier.
pub(crate) struct ReadFile {
    pub(crate) pages: Option<u32>,
    pub(crate) cut: Cut,
    pub(crate) warnings: Vec<String>,
    pub(crate) learned: Evidence,
}

/// Extracts and cuts one file, turning errors and panics inside readers into a message.
pub(crate) fn read(
    entry: &ManifestEntry,
    analyzer: &Analyzer,
    call_languages: &[String],
) -> std::result::Result<ReadFile, FileError> {
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
        .map_err(|_| FileError::Crashed {
            path: entry.path.clone(),
        })??;
    let cut = analyzer.cut(&entry.id, &extracted.blocks, entry.language.as_deref());
    let needs_ocr = (!extracted.needs_ocr.is_empty()).then(|| FileError::NeedsOcr {
        path: entry.path.clone(),
        pages: extracted.needs_ocr.clone(),
    });
    if cut.passages.is_empty() {
        return Err(needs_ocr.unwrap_or_else(|| FileError::NoText {
            path: entry.path.clone(),
        }));
    }
    let ocr_pages: BTreeSet<u32> = extracted
        .blocks
        .iter()
        .filter(|b| b.ocr)
        .filter_map(|b| b.page)
        .collect();
    let mut warnings: Vec<String> = needs_ocr.iter().map(ToString::to_string).collect();
    warnings.extend(extracted.warnings.iter().cloned());
    if !ocr_pages.is_empty() {
        let list: Vec<String> = ocr_pages.iter().map(u32::to_string).collect();
        warnings.push(format!("read by OCR: page {}", list.join(", ")));
    }
    // Learned here, on the reader's thread; the writer only adds the counts up.
    let mut learned = Evidence::default();
    learned.learn(analyzer.classifier(), &cut.passages);
    Ok(ReadFile {
        pages: extracted.pages,
        cut,
        warnings,
        learned,
    })
}
