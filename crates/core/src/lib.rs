//! The words of a call for input: the call and its guiding questions, the manifest of
//! submissions, and the passages cut from them.
//!
//! ```no_run
//! let folder = cfi_core::CallFolder::open(std::path::Path::new("fixtures/calls/sr-children-digital-2024"))?;
//! println!("{}: {} questions, {} files", folder.call.title, folder.call.questions.len(), folder.entries.len());
//! # Ok::<(), cfi_core::Error>(())
//! ```

mod call;
pub mod citation;
mod csv_file;
mod error;
mod manifest;
mod passage;

pub use call::{Call, GlossaryEntry, GuidingQuestion, OneOrMany};
pub use csv_file::{defuse_formula, write_csv_row};
pub use error::{Error, Result};
pub use manifest::{CallFolder, Kind, ManifestEntry, read_manifest, submission_id};
pub use passage::{Passage, QuestionTag, Submission, TagSource, passage_id};
