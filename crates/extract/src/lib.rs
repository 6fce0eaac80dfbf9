//! Reads the files people send to a call for input into [`Block`]s of text.
//!
//! ```no_run
//! let doc = cfi_extract::extract_path(std::path::Path::new("submission.pdf"), &Default::default())?;
//! for block in &doc.blocks {
//!     println!("p. {:?}: {}", block.page, block.text);
//! }
//! for page in &doc.needs_ocr {
//!     println!("page {page} is a scan and tesseract is not installed");
//! }
//! # Ok::<(), cfi_extract::Error>(())
//! ```
//!
//! Scanned pages are read by OCR when `tesseract` and `pdftoppm` are on `PATH`, and legacy
//! Word files (.doc) when LibreOffice's `soffice` is; an [`Extractor`] chooses the OCR
//! languages, the programs and the time budget:
//!
//! ```no_run
//! use cfi_extract::{Extractor, Options};
//! let extractor = Extractor::new(&Options::default()).ocr_languages(&["es", "en"]);
//! let doc = extractor.extract_path(std::path::Path::new("escaneo.pdf"))?;
//! # Ok::<(), cfi_extract::Error>(())
//! ```

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

mod archive;
mod detect;
mod docx;
mod folder;
mod legacy;
pub mod limits;
mod notes;
mod ocr;
mod odt;
mod pdf;
mod rtf;
mod sheet;
mod text;
mod tools;
mod xml;

pub use detect::detect_format;
pub use folder::{Unpacked, submission_files, unpack_zip};
pub use ocr::{default_ocr_languages, ocr_languages};
pub use tools::Tools;

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
    /// OpenDocument text (.odt).
    Odt,
    /// Rich Text Format.
    Rtf,
    /// Legacy Word (.doc), read after conversion by LibreOffice.
    Doc,
    /// A zip archive of files (some senders zip their annexes): unpacked, never read as one.
    Zip,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Spreadsheet => "spreadsheet",
            Format::Text => "text",
            Format::Odt => "odt",
            Format::Rtf => "rtf",
            Format::Doc => "doc",
            Format::Zip => "zip",
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
    /// A running header or footer: a line repeated at the top or bottom of the pages of a PDF,
    /// or a header or footer part of a DOCX or ODT file. Each distinct one is kept once, where
    /// it first appears, so the extract shows it; passages leave it out.
    Running,
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
    /// The text was read by OCR from an image of the page, so it may hold recognition errors.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ocr: bool,
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
    /// 1-based pages that are images of text (scans) which could not be read: OCR is not
    /// installed, failed, or ran out of time. Their text is missing from `blocks`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs_ocr: Vec<u32>,
    /// What the reader had to skip or repair to read the file (a damaged PDF's objects that
    /// would not load), for the file's report line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
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

/// Reads the file at `path`, choosing the reader from its bytes and extension, with OCR and
/// conversion programs found on `PATH` and the default OCR languages and time budget.
pub fn extract_path(path: &Path, options: &Options) -> Result<Document> {
    Extractor::new(options).extract_path(path)
}

/// Reads `bytes`; `path` names the file in errors and gives the extension.
pub fn extract_bytes(path: &Path, bytes: &[u8], options: &Options) -> Result<Document> {
    Extractor::new(options).extract_bytes(path, bytes)
}

/// An extraction with its settings: the [`Options`], the external programs, the OCR languages
/// and the time budgets. [`extract_path`] is `Extractor::new(options).extract_path(path)`.
#[derive(Debug, Clone)]
pub struct Extractor {
    options: Options,
    tools: Tools,
    languages: Vec<String>,
    time_budget: Duration,
    ocr_budget: Duration,
}

impl Default for Extractor {
    fn default() -> Extractor {
        Extractor::new(&Options::default())
    }
}

impl Extractor {
    /// With `options`, the programs found on `PATH` ([`Tools::from_path`]),
    /// [`default_ocr_languages`], [`limits::MAX_READ_TIME`] and [`limits::MAX_OCR_TIME`].
    pub fn new(options: &Options) -> Extractor {
        Extractor {
            options: options.clone(),
            tools: Tools::from_path(),
            languages: default_ocr_languages(),
            time_budget: limits::MAX_READ_TIME,
            ocr_budget: limits::MAX_OCR_TIME,
        }
    }

    /// Uses these programs instead of those on `PATH`; [`Tools::default`] has none.
    pub fn tools(mut self, tools: Tools) -> Extractor {
        self.tools = tools;
        self
    }

    /// OCR languages as ISO 639-1 codes ("es") or tesseract codes ("spa"), most likely first;
    /// codes tesseract has no model for are passed over when it runs.
    pub fn ocr_languages(mut self, languages: &[&str]) -> Extractor {
        self.languages = ocr_languages(languages);
        self
    }

    /// Wall-clock budget for reading one file, OCR and conversion aside.
    pub fn time_budget(mut self, budget: Duration) -> Extractor {
        self.time_budget = budget;
        self
    }

    /// Wall-clock budget for the OCR of one file; pages left when it is spent are reported in
    /// [`Document::needs_ocr`].
    pub fn ocr_budget(mut self, budget: Duration) -> Extractor {
        self.ocr_budget = budget;
        self
    }

    /// Reads the file at `path`, choosing the reader from its bytes and extension.
    pub fn extract_path(&self, path: &Path) -> Result<Document> {
        let io_error = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let size = std::fs::metadata(path).map_err(io_error)?.len();
        if size > limits::MAX_FILE_SIZE {
            return Err(limits::exceeded(path, limits::file_size(size)));
        }
        let bytes = std::fs::read(path).map_err(io_error)?;
        self.extract_bytes(path, &bytes)
    }

    /// Reads `bytes`; `path` names the file in errors and gives the extension.
    pub fn extract_bytes(&self, path: &Path, bytes: &[u8]) -> Result<Document> {
        if bytes.len() as u64 > limits::MAX_FILE_SIZE {
            return Err(limits::exceeded(
                path,
                limits::file_size(bytes.len() as u64),
            ));
        }
        let kind = detect::detect(path, bytes)?;
        let budget = limits::Budget::new(self.time_budget);
        // The readers never panic on purpose; this turns a bug in them or in a parser they call
        // into an error for this one file instead of ending the batch.
        let read = std::panic::catch_unwind(AssertUnwindSafe(|| match kind {
            detect::Kind::Pdf => pdf::read(path, bytes, self, &budget),
            detect::Kind::Docx => docx::read(path, bytes, &budget),
            detect::Kind::Odt => odt::read(path, bytes, &budget),
            detect::Kind::Rtf => rtf::read(path, bytes, &budget),
            detect::Kind::Doc => legacy::read(path, bytes, self),
            detect::Kind::Workbook => sheet::read_workbook(path, bytes, &budget),
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
            ocr: false,
        }
    }
}
