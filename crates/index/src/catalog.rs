//! The catalog beside the index: the calls and submissions it holds and how their files
//! were read.
//!
//! It is written before the tantivy commit to a file of its own name (`catalog-<opstamp>-<nonce>.json`,
//! to a temporary file, synced, then renamed), and the commit names that file in its payload.
//! `meta.json` is replaced atomically by tantivy, so whatever moment a writer is killed at,
//! the committed segments and the catalog they name belong to the same commit: a catalog
//! written for a commit that never happened is never read, and is removed by the next one.
//! An index written before this (payload empty) keeps its `catalog.json`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use cfi_core::{Call, Kind, Submission};
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

/// What the last ingest of a call left out, for staff to put right: what the Submissions
/// view lists beside the submissions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallProblems {
    /// The call.
    pub call: String,
    /// Manifest rows left out, each naming the manifest, row and column.
    pub manifest: Vec<String>,
    /// Rows naming a file that is not in the call folder.
    pub missing_files: Vec<String>,
    /// Files in the call folder that no manifest row names (relative to the manifest).
    pub unlisted_files: Vec<String>,
}

/// The model an index's passage vectors were made with: a search must embed its query
/// with the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorModel {
    /// The model and a checksum of its weights, as [`cfi_embed::Embedder::id`] names it.
    pub id: String,
    /// Dimensions of its vectors.
    pub dim: usize,
    /// Where the model was read from (`cfi ingest --model PATH`); absent for the model
    /// built into cfi. Opening the index loads it from there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<std::path::PathBuf>,
}

/// Calls and submissions held by an index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    /// The calls, by id.
    pub calls: Vec<Call>,
    /// The submissions of every call.
    pub submissions: Vec<SubmissionInfo>,
    /// What each call's last ingest left out (absent in indexes written before this).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<CallProblems>,
    /// For each later version of a submission, by file id: how many of its passages repeat
    /// its first version's word for word. Searches show those once, so a caller's passage
    /// counts leave them out (see [`Catalog::shown_passages`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub repeated: BTreeMap<String, u32>,
    /// The model the passages' vectors were made with (absent until the first commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vectors: Option<VectorModel>,
}

impl Catalog {
    /// The catalog of indexes written before commits named theirs.
    pub(crate) const LEGACY_FILE: &'static str = "catalog.json";

    /// A fresh file name for the catalog of the commit with this opstamp. The opstamp alone
    /// is not enough: a commit with no changes reuses the committed one.
    pub(crate) fn file_name(opstamp: u64) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("catalog-{opstamp}-{}-{nanos}.json", std::process::id())
    }

    /// Whether `name` is a catalog file name this crate writes (and nothing that could leave
    /// the index folder).
    fn is_catalog_name(name: &str) -> bool {
        name.strip_prefix("catalog-")
            .and_then(|rest| rest.strip_suffix(".json"))
            .is_some_and(|stem| {
                !stem.is_empty() && stem.chars().all(|c| c.is_ascii_digit() || c == '-')
            })
    }

    /// The catalog a commit names in its payload (`None`: an index from before commits
    /// named their catalog, or a new one). `Ok(None)` when the named file is not there,
    /// which happens when a newer commit removed it while this one was being read.
    pub(crate) fn load(dir: &Path, payload: Option<&str>) -> Result<Option<Catalog>> {
        let name = match payload {
            None => Self::LEGACY_FILE,
            Some(name) if Self::is_catalog_name(name) => name,
            Some(_) => {
                return Err(Error::OtherVersion {
                    path: dir.to_path_buf(),
                });
            }
        };
        let path = dir.join(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(payload.is_none().then(Catalog::default));
            }
            Err(e) => {
                return Err(Error::Catalog {
                    path,
                    message: e.to_string(),
                });
            }
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Catalog {
                path,
                message: e.to_string(),
            })
    }

    /// Writes the catalog as `dir/name`, durably: a temporary file, synced, renamed, and
    /// the folder synced.
    pub(crate) fn save(&self, dir: &Path, name: &str) -> Result<()> {
        let path = dir.join(name);
        let fail = |message: String| Error::Catalog {
            path: path.clone(),
            message,
        };
        let json = serde_json::to_vec(self).map_err(|e| fail(e.to_string()))?;
        let tmp = dir.join(format!("{name}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut file, &json)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(dir)
        };
        write().map_err(|e| fail(e.to_string()))
    }

    /// Removes catalog files no commit in `keep` names: those of commits that never
    /// happened (a killed run), of older commits, and the legacy `catalog.json`. Called
    /// by the writer while it holds the index lock.
    pub(crate) fn remove_stale(dir: &Path, keep: &[&str]) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let ours = Self::is_catalog_name(name)
                || name == Self::LEGACY_FILE
                || name
                    .strip_suffix(".tmp")
                    .is_some_and(|n| Self::is_catalog_name(n) || n == Self::LEGACY_FILE);
            if ours && !keep.contains(&name) {
                // A file left behind costs only space; the next commit tries again.
                let _ = std::fs::remove_file(entry.path());
            }
        }
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

    /// What the last ingest of this call left out.
    pub fn problems(&self, call: &str) -> Option<&CallProblems> {
        self.problems.iter().find(|p| p.call == call)
    }

    /// Replaces what a call's ingest left out.
    pub fn put_problems(&mut self, problems: CallProblems) {
        self.problems.retain(|p| p.call != problems.call);
        self.problems.push(problems);
    }

    /// Records how many passages of this file repeat its first version's (0 forgets it).
    pub(crate) fn put_repeated(&mut self, id: &str, passages: u32) {
        if passages == 0 {
            self.repeated.remove(id);
        } else {
            self.repeated.insert(id.to_string(), passages);
        }
    }

    /// Ids of the files a caller may see: all for staff, the public ones otherwise.
    fn seen(&self, include_confidential: bool) -> HashSet<&str> {
        self.submissions
            .iter()
            .filter(|s| include_confidential || !s.submission.confidential)
            .map(|s| s.submission.id.as_str())
            .collect()
    }

    /// Whether a caller finds this file's repeated passages under its first version's
    /// (the search shows those once): true for a later version whose first version the
    /// caller sees (`seen`). When the first version is confidential, an anonymous caller
    /// gets the later version's copies instead, so the passages do not vanish.
    fn folds(submission: &Submission, seen: &HashSet<&str>) -> bool {
        submission
            .version_of
            .as_deref()
            .is_some_and(|first| seen.contains(first))
    }

    /// Each file the caller may see, with how many of its passages searches show: all of
    /// them, less those it repeats from a first version the caller also sees.
    pub fn shown_passages(&self, include_confidential: bool) -> Vec<(&SubmissionInfo, u32)> {
        let seen = self.seen(include_confidential);
        self.submissions
            .iter()
            .filter(|s| seen.contains(s.submission.id.as_str()))
            .map(|s| {
                let repeated = if Self::folds(&s.submission, &seen) {
                    self.repeated.get(&s.submission.id).copied().unwrap_or(0)
                } else {
                    0
                };
                (s, s.passages.saturating_sub(repeated))
            })
            .collect()
    }

    /// First versions whose later versions' repeated passages are shown unfolded to this
    /// caller, who cannot see the first version (see `folds`).
    pub(crate) fn unfolded_firsts(&self, include_confidential: bool) -> Vec<&str> {
        let later = self
            .submissions
            .iter()
            .filter(|s| s.submission.version_of.is_some());
        // Most calls have no later versions: no need to list who sees what.
        if later.clone().next().is_none() {
            return Vec::new();
        }
        let seen = self.seen(include_confidential);
        let mut firsts: Vec<&str> = later
            .filter(|s| !Self::folds(&s.submission, &seen))
            .filter_map(|s| s.submission.version_of.as_deref())
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        firsts
    }

    /// The other files of the submission this input belongs to: its first version and
    /// later versions (the same answer in another format or language), in catalog order.
    /// None for an annex.
    pub fn versions(&self, id: &str) -> Vec<&SubmissionInfo> {
        let root = |s: &Submission| s.version_of.clone().unwrap_or_else(|| s.id.clone());
        let Some(me) = self
            .submission(id)
            .filter(|s| s.submission.kind == Kind::Input)
        else {
            return Vec::new();
        };
        let mine = root(&me.submission);
        self.submissions
            .iter()
            .filter(|s| s.submission.kind == Kind::Input && s.submission.id != id)
            .filter(|s| root(&s.submission) == mine)
            .collect()
    }

    /// Adds or replaces a submission.
    pub fn put_submission(&mut self, info: SubmissionInfo) {
        self.submissions
            .retain(|s| s.submission.id != info.submission.id);
        self.submissions.push(info);
    }
}

/// Makes a rename in `dir` durable (a no-op where folders cannot be opened).
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_this_crate_writes_are_read() {
        assert!(Catalog::is_catalog_name(&Catalog::file_name(12)));
        for bad in [
            "catalog-.json",
            "catalog-../x.json",
            "../catalog-1.json",
            "/etc/passwd",
            "catalog-1.json.tmp",
            "catalog.json",
        ] {
            assert!(!Catalog::is_catalog_name(bad), "{bad}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            Catalog::load(dir.path(), Some("../../etc/passwd")),
            Err(Error::OtherVersion { .. })
        ));
    }

    #[test]
    fn stale_files_go_and_the_named_ones_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let catalog = Catalog::default();
        let (old, current, orphan) = (
            Catalog::file_name(1),
            Catalog::file_name(2),
            Catalog::file_name(3),
        );
        for name in [&old, &current, &orphan] {
            catalog.save(dir.path(), name).expect("save");
        }
        std::fs::write(dir.path().join(Catalog::LEGACY_FILE), "{}").expect("write");
        std::fs::write(dir.path().join(format!("{orphan}.tmp")), "{").expect("write");
        std::fs::write(dir.path().join("meta.json"), "{}").expect("write");
        Catalog::remove_stale(dir.path(), &[&current, &old]);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("read")
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        left.sort();
        let mut want = vec![old, current, "meta.json".to_string()];
        want.sort();
        assert_eq!(left, want);
    }
}
