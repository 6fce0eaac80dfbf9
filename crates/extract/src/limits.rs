//! Caps on what one file may cost. A file past a cap fails with [`Error::Limit`](crate::Error::Limit)
//! naming the cap, so one hostile or broken submission cannot stall or exhaust an ingest run.

use std::path::Path;

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

pub(crate) fn exceeded(path: &Path, limit: String) -> Error {
    Error::Limit {
        path: path.to_path_buf(),
        limit,
    }
}

pub(crate) fn file_size(size: u64) -> String {
    format!("file size {size} bytes is over the maximum of {MAX_FILE_SIZE} bytes")
}
