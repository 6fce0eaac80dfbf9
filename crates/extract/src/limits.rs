//! Caps on what one file may cost. A file past a cap fails with [`Error::Limit`](crate::Error::Limit)
//! naming the cap, so one hostile or broken submission cannot stall or exhaust an ingest run.

use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::Error;

/// Largest file read, in bytes (200 MB).
pub const MAX_FILE_SIZE: u64 = 200 * 1000 * 1000;
/// Largest decompressed size of one entry of a zip container (DOCX, XLSX, ODS), in bytes (100 MB).
pub const MAX_ZIP_ENTRY_SIZE: u64 = 100 * 1000 * 1000;
/// Largest ratio of decompressed to compressed size of a zip entry (a zip bomb is far above it).
pub const MAX_ZIP_RATIO: u64 = 100;
/// Entries smaller than this are not held to [`MAX_ZIP_RATIO`]: tiny repetitive XML parts
/// compress very well without being bombs.
pub const ZIP_RATIO_FLOOR: u64 = 1000 * 1000;
/// Most entries unpacked from one zip archive of submission files.
pub const MAX_ARCHIVE_ENTRIES: usize = 1000;
/// Largest total size unpacked from one zip archive of submission files (1 GB).
pub const MAX_ARCHIVE_SIZE: u64 = 1000 * 1000 * 1000;
/// Most files looked at in a call folder, and deepest folder nesting walked.
pub const MAX_FOLDER_FILES: usize = 100_000;
/// Deepest folder nesting walked in a call folder.
pub const MAX_FOLDER_DEPTH: usize = 16;
/// Deepest XML element nesting read.
pub const MAX_XML_DEPTH: usize = 256;
/// Most pages read from one PDF.
pub const MAX_PDF_PAGES: usize = 5000;
/// Deepest nesting of PDF form XObjects (a form drawing a form drawing ...).
pub const MAX_FORM_DEPTH: usize = 8;
/// Largest decompressed size of one PDF stream, in bytes (100 MB).
pub const MAX_PDF_STREAM_SIZE: usize = 100 * 1000 * 1000;
/// Most content-stream operations interpreted on one page, forms included.
pub const MAX_PDF_OPERATIONS: usize = 5_000_000;

/// Longest wall-clock time reading one file may take, OCR and format conversion aside (60 s).
pub const MAX_READ_TIME: Duration = Duration::from_secs(60);
/// Longest time spent on OCR for one file (10 min). Pages still waiting when it runs out are
/// listed in [`Document::needs_ocr`](crate::Document::needs_ocr) instead of failing the file.
pub const MAX_OCR_TIME: Duration = Duration::from_secs(600);
/// Longest time one run of an external program on one page (render, OCR) may take.
pub const MAX_TOOL_TIME: Duration = Duration::from_secs(120);
/// Longest time LibreOffice may take to convert one legacy .doc file.
pub const MAX_CONVERT_TIME: Duration = Duration::from_secs(60);
/// Most cells (rows × columns of the area its cells span) one worksheet may cover: calamine
/// holds a sheet as one dense grid, and a forged reference ("XFD1048576") would ask for more
/// memory than there is, which aborts the process instead of failing the file.
pub const MAX_SHEET_CELLS: u64 = 5_000_000;
/// Deepest nesting of RTF groups.
pub const MAX_RTF_DEPTH: usize = 256;

/// The wall-clock budget of one file, started when its reading starts.
pub(crate) struct Budget {
    start: Instant,
    limit: Duration,
    ticks: Cell<u32>,
}

impl Budget {
    pub(crate) fn new(limit: Duration) -> Budget {
        Budget {
            start: Instant::now(),
            limit,
            ticks: Cell::new(0),
        }
    }

    /// Fails once the budget is spent; `place` says where reading had got to.
    pub(crate) fn check(&self, path: &Path, place: impl FnOnce() -> String) -> Result<(), Error> {
        if self.start.elapsed() >= self.limit {
            return Err(exceeded(
                path,
                format!(
                    "reading took longer than the time budget of {} s ({})",
                    self.limit.as_secs_f64(),
                    place()
                ),
            ));
        }
        Ok(())
    }

    /// [`Budget::check`] on every 512th call: cheap enough for a loop over XML events or tokens.
    pub(crate) fn tick(&self, path: &Path, place: impl FnOnce() -> String) -> Result<(), Error> {
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks % 512 == 1 {
            self.check(path, place)
        } else {
            Ok(())
        }
    }
}

pub(crate) fn exceeded(path: &Path, limit: String) -> Error {
    Error::Limit {
        path: path.to_path_buf(),
        limit,
    }
}

pub(crate) fn file_size(size: u64) -> String {
    format!("file size {size} bytes is over the maximum of {MAX_FILE_SIZE} bytes")
}
