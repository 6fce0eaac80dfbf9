//! Reads the files people send to a call for input into [`Block`]s of text.
//!
//! ```no_run
//! let doc = cfi_extract::extract_path(std::path::Path::new("submission.pdf"), &Default::default())?;
//! for block in &doc.blocks {
//!     println!("p. {:?}: {}", block.page, block.text);
//! }
//! # Ok::<(), cfi_extract::Error>(())
//! ```

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use serde::Serialize;

mod archive;
mod detect;
mod docx;
pub mod limits;
mod pdf;
mod sheet;
mod text;
mod xml;

pub use detect::detect_format;

/// What went wrong reading one file. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read from disk.
    #[error("{path}: cannot read file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is damaged; `detail` says where.
    #[error("{path}: corrupt {format} file: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The format it claims to be.
        format: Format,
        /// Where and how it is broken.
        detail: String,
    },
    /// The file is encrypted and no (working) password was given.
    #[error("{path}: encrypted, a password is needed")]
    Encrypted {
        /// The file.
        path: PathBuf,
    },
    /// The file's format is not one we read.
    #[error("{path}: unsupported format ({detected})")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What the bytes look like.
        detected: String,
    },
    /// A limit (size, pages, depth, time) was exceeded.
    #[error("{path}: limit exceeded: {limit}")]
    Limit {
        /// The file.
        path: PathBuf,
        /// Which limit and its value.
        limit: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// File formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Portable Document Format.
    Pdf,
    /// Office Open XML word processing.
    Docx,
    /// Spreadsheets (xlsx, xls, ods, csv).
    Spreadsheet,
    /// Plain text.
    Text,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Spreadsheet => "spreadsheet",
            Format::Text => "text",
        })
    }
}

/// Options for one extraction.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Password for encrypted PDFs.
    pub password: Option<String>,
}

/// What a block is in its document's structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum BlockKind {
    /// Body text.
    Paragraph,
    /// A heading; level 1 is the highest.
    Heading {
        /// Outline level, 1-based.
        level: u8,
    },
    /// An item of a list; `label` is its rendered number or bullet ("3.", "III.", "a)").
    ListItem {
        /// Nesting level, 0-based.
        level: u8,
        /// Rendered list label, if the list is numbered.
        label: Option<String>,
    },
    /// A table row; cells joined with " | ".
    TableRow,
    /// A footnote or endnote.
    Footnote,
    /// A spreadsheet row, with header names carried into the text.
    SheetRow {
        /// Sheet name.
        sheet: String,
        /// 1-based row number.
        row: u32,
    },
}

/// A run of text with its place in the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    /// The text, NFC-normalised, whitespace collapsed.
    pub text: String,
    /// 1-based page index (PDF), `None` for formats without pages.
    pub page: Option<u32>,
    /// Page label where the PDF defines one ("iv").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_label: Option<String>,
    /// 1-based ordinal of the block in the document.
    pub paragraph: u32,
    /// Structure.
    pub kind: BlockKind,
}

/// An extracted document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The format read.
    pub format: Format,
    /// Page count for paged formats.
    pub pages: Option<u32>,
    /// The blocks in reading order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// Plain text: blocks separated by newlines, pages by form feeds.
    pub fn to_plain_text(&self) -> String {
        let mut out = String::new();
        let mut page = self.blocks.first().and_then(|b| b.page);
        for block in &self.blocks {
            if block.page != page {
                out.push('\u{c}');
                page = block.page;
            }
            out.push_str(&block.text);
            out.push('\n');
        }
        out
    }
}

/// Reads the file at `path`, choosing the reader from its bytes and extension.
pub fn extract_path(path: &Path, options: &Options) -> Result<Document> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    if size > limits::MAX_FILE_SIZE {
        return Err(limits::exceeded(path, limits::file_size(size)));
    }
    let bytes = std::fs::read(path).map_err(io_error)?;
    extract_bytes(path, &bytes, options)
}

/// Reads `bytes`; `path` names the file in errors and gives the extension.
pub fn extract_bytes(path: &Path, bytes: &[u8], options: &Options) -> Result<Document> {
    if bytes.len() as u64 > limits::MAX_FILE_SIZE {
        return Err(limits::exceeded(
            path,
            limits::file_size(bytes.len() as u64),
        ));
    }
    let kind = detect::detect(path, bytes)?;
    // The readers never panic on purpose; this turns a bug in them or in a parser they call
    // into an error for this one file instead of ending the batch.
    let read = std::panic::catch_unwind(AssertUnwindSafe(|| match kind {
        detect::Kind::Pdf => pdf::read(path, bytes, options),
        detect::Kind::Docx => docx::read(path, bytes),
        detect::Kind::Workbook => sheet::read_workbook(path, bytes),
        detect::Kind::Csv => sheet::read_csv(path, bytes),
        detect::Kind::Text => Ok(text::read(bytes)),
    }));
    let mut document = match read {
        Ok(result) => result?,
        Err(_) => {
            return Err(Error::Corrupt {
                path: path.to_path_buf(),
                format: kind.format(),
                detail: "the reader failed on this file".into(),
            });
        }
    };
    finish(&mut document);
    Ok(document)
}

/// Cleans every block's text, drops empty blocks and numbers the rest.
fn finish(document: &mut Document) {
    for block in &mut document.blocks {
        block.text = text::clean(&block.text);
        if let BlockKind::ListItem {
            label: Some(label), ..
        } = &mut block.kind
        {
            *label = text::clean(label);
        }
    }
    document.blocks.retain(|block| !block.text.is_empty());
    for (index, block) in document.blocks.iter_mut().enumerate() {
        block.paragraph = u32::try_from(index + 1).unwrap_or(u32::MAX);
    }
}

impl Block {
    /// A block of `kind` with `text`, numbered later.
    pub(crate) fn new(kind: BlockKind, text: String) -> Block {
        Block {
            text,
            page: None,
            page_label: None,
            paragraph: 0,
            kind,
        }
    }
}
