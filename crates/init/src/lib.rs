//! A call's public page and a folder of downloads, turned into a draft call folder:
//! `call.toml` (title, mandate, dates, the guiding questions in every language of the pages
//! given, the stakeholder categories) and `manifest.csv` (one row per file: who sent it,
//! under which category, input or annex of which input), with a report of what to review.
//!
//! ```no_run
//! use std::path::{Path, PathBuf};
//! let draft = cfi_init::draft(&[PathBuf::from("call-page.html")], Path::new("downloads"))?;
//! print!("{}", draft.report());
//! draft.write(false)?; // downloads/call.toml and downloads/manifest.csv
//! # Ok::<(), cfi_init::Error>(())
//! ```

mod draft;
pub mod lines;
mod manifest;
pub mod matching;
pub mod page;
mod words;

use std::path::PathBuf;

pub use draft::{Draft, Row, Unpacking, draft};
pub use page::{CallPage, Entry, EntryLink, LinkKind};

/// Why a draft could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The page is not a call page.
    #[error("{path}: not a call for input page: found {missing}")]
    NotACallPage {
        /// The page.
        path: PathBuf,
        /// What was looked for and not found.
        missing: String,
    },
    /// The folder already holds a call definition or manifest.
    #[error("{path} already exists: review it, or run again with --force to replace it")]
    Exists {
        /// The file that would be replaced.
        path: PathBuf,
    },
    /// The downloads folder is not a folder.
    #[error("{path}: not a folder of downloaded files")]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;
