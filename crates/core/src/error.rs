use std::path::PathBuf;

/// Errors reading a call folder. Each names the file and, where it applies, the row and column.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `call.toml` is not valid.
    #[error("{path}: {message}")]
    Call {
        /// The call file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A manifest cell or row is not valid.
    #[error("{path}: row {row}, column `{column}`: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// 1-based row number as a spreadsheet shows it (the header is row 1).
        row: usize,
        /// The column's header name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A manifest row names a file that is not in the call folder.
    #[error("{path}: row {row}, column `file`: {file:?} does not exist")]
    MissingFile {
        /// The manifest file.
        path: PathBuf,
        /// 1-based row number as a spreadsheet shows it.
        row: usize,
        /// The file as the row names it.
        file: String,
    },
    /// The manifest as a whole is not valid (no sheet, missing header).
    #[error("{path}: {message}")]
    ManifestFile {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;
