use std::path::PathBuf;

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// tantivy failed (I/O, corrupt segment, lock).
    #[error("index {path}: {source}")]
    Tantivy {
        /// The index folder.
        path: PathBuf,
        /// The cause.
        source: tantivy::TantivyError,
    },
    /// The catalog beside the index could not be read or written.
    #[error("catalog {path}: {message}")]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The query could not be understood; `message` says where.
    #[error("invalid query: {message}")]
    Query {
        /// What is wrong and where.
        message: String,
    },
    /// The folder holds an index with another layout (built by another version).
    #[error(
        "{path}: this index was built by another version of cfi; move the folder away and run `cfi ingest` again (or let `cfi serve` rebuild the demo into an empty folder)"
    )]
    OtherVersion {
        /// The index folder.
        path: PathBuf,
    },
    /// A stored passage could not be decoded.
    #[error("stored passage is unreadable: {0}")]
    Record(String),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;
