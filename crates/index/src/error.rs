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
        "{path}: this index was built by another version of cfi; move the folder away and run `cfi ingest` again, with the old folder's reviews.json copied into the new one to keep staff reviews (or let `cfi serve` rebuild the demo into an empty folder)"
    )]
    OtherVersion {
        /// The index folder.
        path: PathBuf,
    },
    /// The folder holds an index built before passages had vectors.
    #[error(
        "{path}: this index was built before passages had vectors (search by meaning); move the folder away and run `cfi ingest` again"
    )]
    NoVectors {
        /// The index folder.
        path: PathBuf,
    },
    /// The index's vectors were made by another model than the one asked to search it.
    #[error(
        "{path}: this index was built with the model {index_model} ({index_dim} dimensions) and cannot be searched with {model} ({dim} dimensions); search it with the model it was built with (--model PATH), or run `cfi ingest` again into a new folder"
    )]
    OtherModel {
        /// The index folder.
        path: PathBuf,
        /// The model the index was built with.
        index_model: String,
        /// Its dimensions.
        index_dim: usize,
        /// The model asked to search it.
        model: String,
        /// Its dimensions.
        dim: usize,
    },
    /// The model could not be loaded.
    #[error(transparent)]
    Model(#[from] cfi_embed::Error),
    /// The model an index was built with (`--model PATH`) cannot be read from where it was.
    #[error(
        "{path}: this index was built with a model that cannot be read now ({source}); put it back, or pass --model with the same model"
    )]
    ModelGone {
        /// The index folder.
        path: PathBuf,
        /// Why the model cannot be read.
        source: cfi_embed::Error,
    },
    /// A segment's vectors file could not be read.
    #[error("index {path}: the vectors of segment {segment}: {message}")]
    Vectors {
        /// The index folder.
        path: PathBuf,
        /// The segment's id.
        segment: String,
        /// What is wrong.
        message: String,
    },
    /// A request parameter is outside what it may be.
    #[error("{message}")]
    Parameter {
        /// Which parameter, and what it may be.
        message: String,
    },
    /// No passage has this id.
    #[error("no passage {id}")]
    NoSuchPassage {
        /// The id asked for.
        id: String,
    },
    /// A question number the call does not ask.
    #[error(
        "call {call} has no question {number}; its questions are {}",
        list(questions)
    )]
    NoSuchQuestion {
        /// The number given.
        number: u32,
        /// The call.
        call: String,
        /// The numbers it asks.
        questions: Vec<u32>,
    },
    /// A stored passage could not be decoded.
    #[error("stored passage is unreadable: {0}")]
    Record(String),
}

impl Error {
    /// Whether another writer (an ingest in another process) holds the index's lock.
    pub fn is_locked(&self) -> bool {
        matches!(
            self,
            Error::Tantivy {
                source: tantivy::TantivyError::LockFailure(..),
                ..
            }
        )
    }
}

fn list(numbers: &[u32]) -> String {
    numbers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;
