//! What of the catalog one caller may see: the files, the submissions they make up (an
//! annex or a later version is a file of its submission, not a submission of its own), and
//! what the last ingest of a call left out.

use std::collections::BTreeSet;

use cfi_index::{Catalog, SubmissionInfo};

use crate::access::Access;
use crate::model::{CallProblemsBody, ProblemListBody, SubmissionBody, shorten_paths};

/// The catalog as one caller sees it.
pub(crate) struct CatalogView<'a> {
    catalog: &'a Catalog,
    access: Access,
    files: Vec<&'a SubmissionInfo>,
}

impl<'a> CatalogView<'a> {
    /// The files this caller may see: all of them for staff, the public ones otherwise.
    pub(crate) fn new(catalog: &'a Catalog, access: Access) -> CatalogView<'a> {
        let files = catalog
            .submissions
            .iter()
            .filter(|s| access.staff || !s.submission.confidential)
            .collect();
        CatalogView {
            catalog,
            access,
            files,
        }
    }

    /// Every file the caller may see, in catalog order.
    pub(crate) fn files(&self) -> &[&'a SubmissionInfo] {
        &self.files
    }

    /// The file with this id, if the caller may see it.
    pub(crate) fn file(&self, id: &str) -> Option<&'a SubmissionInfo> {
        self.files.iter().copied().find(|s| s.submission.id == id)
    }

    fn of_call<'b>(
        &'b self,
        call: Option<&'b str>,
    ) -> impl Iterator<Item = &'a SubmissionInfo> + 'b {
        self.files
            .iter()
            .copied()
            .filter(move |s| call.is_none_or(|c| s.submission.call == c))
    }

    /// Files of a call (or of every call).
    pub(crate) fn file_count(&self, call: Option<&str>) -> u64 {
        self.of_call(call).count() as u64
    }

    /// Submissions of a call (or of every call), each counted once however many files
    /// (annexes, versions) it came as.
    pub(crate) fn submission_count(&self, call: Option<&str>) -> u64 {
        self.of_call(call)
            .map(|s| (s.submission.call.as_str(), s.submission.key()))
            .collect::<BTreeSet<_>>()
            .len() as u64
    }

    /// Passages a search shows the caller in a call (or in every call): each passage a
    /// later version repeats from its first version once.
    pub(crate) fn passage_count(&self, call: Option<&str>) -> u64 {
        self.catalog
            .shown_passages(self.access.staff)
            .into_iter()
            .filter(|(s, _)| call.is_none_or(|c| s.submission.call == c))
            .map(|(_, n)| u64::from(n))
            .sum()
    }

    /// Ids of the visible annexes of this input.
    fn annexes(&self, id: &str) -> Vec<String> {
        self.files
            .iter()
            .filter(|a| a.submission.annex_of.as_deref() == Some(id))
            .map(|a| a.submission.id.clone())
            .collect()
    }

    /// Ids of the visible other versions of this input (its first version or its later
    /// ones).
    fn versions(&self, id: &str) -> Vec<String> {
        self.catalog
            .versions(id)
            .into_iter()
            .filter(|v| self.access.staff || !v.submission.confidential)
            .map(|v| v.submission.id.clone())
            .collect()
    }

    /// A file as the API shows it to this caller: its annexes and versions, and the file
    /// it belongs to only when the caller may see that one.
    pub(crate) fn submission_body(&self, info: &SubmissionInfo) -> SubmissionBody {
        let id = &info.submission.id;
        let mut body = SubmissionBody::new(info, self.annexes(id), self.versions(id));
        let seen = |other: &Option<String>| {
            other
                .as_deref()
                .filter(|o| self.file(o).is_some())
                .map(str::to_string)
        };
        body.annex_of = seen(&body.annex_of);
        body.version_of = seen(&body.version_of);
        body
    }

    /// What the last ingest of this call left out: counts for everyone, the rows and file
    /// names for staff only, since they may name confidential files (an unlisted file is
    /// often one sent in confidence that has no row yet).
    pub(crate) fn problems(&self, call: &str) -> Option<CallProblemsBody> {
        let problems = self.catalog.problems(call)?;
        let list = |items: &[String]| ProblemListBody {
            count: items.len(),
            items: self
                .access
                .staff
                .then(|| items.iter().map(|i| shorten_paths(i)).collect()),
        };
        Some(CallProblemsBody {
            manifest: list(&problems.manifest),
            missing_files: list(&problems.missing_files),
            unlisted_files: list(&problems.unlisted_files),
        })
    }
}
