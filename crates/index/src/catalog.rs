//! `catalog.json` beside the index: the calls and submissions it holds and how their
//! files were read, written after each commit by replacing the file whole.

use std::path::{Path, PathBuf};

use cfi_core::{Call, Submission};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What the index knows of one submission file besides its passages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionInfo {
    /// Who sent it and how it is filed.
    pub submission: Submission,
    /// The file on disk when it was indexed.
    pub path: PathBuf,
    /// Page count for paged formats.
    pub pages: Option<u32>,
    /// Passages indexed.
    pub passages: u32,
    /// Languages of its passages.
    pub languages: Vec<String>,
    /// Problems met reading it (needs OCR, encrypted...), empty when none.
    pub problems: Vec<String>,
}

/// Calls and submissions held by an index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    /// The calls, by id.
    pub calls: Vec<Call>,
    /// The submissions of every call.
    pub submissions: Vec<SubmissionInfo>,
}

impl Catalog {
    pub(crate) const FILE: &'static str = "catalog.json";

    pub(crate) fn load(dir: &Path) -> Result<Catalog> {
        let path = dir.join(Self::FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Catalog::default()),
            Err(e) => {
                return Err(Error::Catalog {
                    path,
                    message: e.to_string(),
                });
            }
        };
        serde_json::from_slice(&bytes).map_err(|e| Error::Catalog {
            path,
            message: e.to_string(),
        })
    }

    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(Self::FILE);
        let fail = |message: String| Error::Catalog {
            path: path.clone(),
            message,
        };
        let json = serde_json::to_vec_pretty(self).map_err(|e| fail(e.to_string()))?;
        let tmp = dir.join(format!("{}.tmp", Self::FILE));
        std::fs::write(&tmp, json).map_err(|e| fail(e.to_string()))?;
        std::fs::rename(&tmp, &path).map_err(|e| fail(e.to_string()))
    }

    /// The call with this id.
    pub fn call(&self, id: &str) -> Option<&Call> {
        self.calls.iter().find(|c| c.id == id)
    }

    /// The submission with this id.
    pub fn submission(&self, id: &str) -> Option<&SubmissionInfo> {
        self.submissions.iter().find(|s| s.submission.id == id)
    }

    /// Adds or replaces a call definition.
    pub fn put_call(&mut self, call: Call) {
        self.calls.retain(|c| c.id != call.id);
        self.calls.push(call);
    }

    /// Adds or replaces a submission.
    pub fn put_submission(&mut self, info: SubmissionInfo) {
        self.submissions
            .retain(|s| s.submission.id != info.submission.id);
        self.submissions.push(info);
    }
}
