//! How a passage is cited: where it sits in its file ("p. 4", "pp. 4–6", "para. 12") and
//! the whole citation ready to paste into a report. The CLI, the API, the exports and (in
//! JavaScript, mirroring this file) the staff page all show these strings.
//!
//! A page range takes an en dash, as style guides write ranges, and as a spreadsheet does
//! not read as a date the way it reads `3-4`.
//!
//! ```
//! use cfi_core::citation::Place;
//! let place = Place { page: Some(3), page_end: Some(5), page_label: None, paragraph: 9 };
//! assert_eq!(place.to_string(), "pp. 3–5");
//! assert_eq!(Place { page: None, page_end: None, page_label: None, paragraph: 9 }.to_string(), "para. 9");
//! ```

use std::fmt;

use crate::{Call, Kind, Passage, Submission};

/// The dash between the first and last page of a range.
pub const RANGE_DASH: char = '–';

/// Where a passage sits in its file, as a citation names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// First page in the file (1-based), for paged formats.
    pub page: Option<u32>,
    /// Last page when the passage runs past its first.
    pub page_end: Option<u32>,
    /// The first page's number as the document prints it (a PDF page label: "iv", "A-1",
    /// "12" on the file's 14th page).
    pub page_label: Option<&'a str>,
    /// 1-based paragraph number of the passage's first block: where a file without pages
    /// is cited.
    pub paragraph: u32,
}

impl<'a> Place<'a> {
    /// The place of a passage.
    pub fn of(passage: &'a Passage) -> Place<'a> {
        Place {
            page: passage.page,
            page_end: passage.page_end,
            page_label: passage.page_label.as_deref(),
            paragraph: passage.paragraph,
        }
    }

    /// The pages as the document numbers them: "4", "4–6", "iv"; `None` for a file
    /// without pages. A label names the first page only: a range starting at a numeric
    /// label runs on from it ("12–13" on the file's pages 14 and 15); one starting at
    /// another label ("iv") is given in the file's own page numbers, as no number follows
    /// "iv" for certain.
    pub fn pages(&self) -> Option<String> {
        let first = self.page?;
        let label = self.page_label.map(str::trim).filter(|l| !l.is_empty());
        Some(match (label, self.page_end.filter(|&end| end > first)) {
            (Some(label), None) => label.to_string(),
            (None, None) => first.to_string(),
            (Some(label), Some(end)) => match numeric(label)
                .and_then(|printed| Some((printed, printed.checked_add(end - first)?)))
            {
                Some((printed, last)) => format!("{printed}{RANGE_DASH}{last}"),
                None => page_range(first, Some(end)),
            },
            (None, Some(end)) => page_range(first, Some(end)),
        })
    }

    /// Whether the place spans more than one page.
    fn is_range(&self) -> bool {
        matches!((self.page, self.page_end), (Some(a), Some(b)) if b > a)
    }
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pages() {
            Some(pages) if self.is_range() => write!(f, "pp. {pages}"),
            Some(pages) => write!(f, "p. {pages}"),
            None => write!(f, "para. {}", self.paragraph),
        }
    }
}

/// A label that is a page number ("12", not "iv", "A-1" or "+12").
fn numeric(label: &str) -> Option<u32> {
    label
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| label.parse().ok())
        .flatten()
}

/// The file's pages from `first` to `last`, without labels: "4", "4–6". What a spreadsheet's
/// page column holds and what opens the file at a page.
pub fn page_range(first: u32, last: Option<u32>) -> String {
    match last {
        Some(last) if last > first => format!("{first}{RANGE_DASH}{last}"),
        _ => first.to_string(),
    }
}

/// The citation of a passage, ready to paste as a footnote:
/// `Submitter, submission to the call for input ("Title"), 2024, p. 4.`
///
/// The title is the call's (its id when the call is unknown); the year is the date the
/// file was received, else the call's deadline, else the date it was issued, and is left
/// out when none is known.
pub fn citation(submission: &Submission, passage: &Passage, call: Option<&Call>) -> String {
    let title = call.map_or(submission.call.as_str(), |c| c.title.as_str());
    let year = submission
        .received
        .or_else(|| call.and_then(|c| c.deadline.or(c.issued)))
        .map(|d| d.format("%Y, ").to_string())
        .unwrap_or_default();
    let what = match submission.kind {
        Kind::Input => "submission",
        Kind::Annex => "annex to the submission",
    };
    format!(
        "{}, {what} to the call for input (\"{title}\"), {year}{}.",
        submission.submitter,
        Place::of(passage)
    )
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn place(page: Option<u32>, page_end: Option<u32>, label: Option<&str>) -> String {
        Place {
            page,
            page_end,
            page_label: label,
            paragraph: 7,
        }
        .to_string()
    }

    #[test]
    fn pages_and_paragraphs() {
        assert_eq!(place(Some(4), None, None), "p. 4");
        assert_eq!(place(Some(3), Some(5), None), "pp. 3–5");
        assert_eq!(place(None, None, None), "para. 7");
        // A last page no later than the first is one page.
        assert_eq!(place(Some(4), Some(4), None), "p. 4");
        // A label without a page says nothing of where the passage is.
        assert_eq!(place(None, None, Some("iv")), "para. 7");
    }

    #[test]
    fn page_labels_as_the_document_prints_them() {
        assert_eq!(place(Some(4), None, Some("iv")), "p. iv");
        assert_eq!(place(Some(14), Some(15), Some("12")), "pp. 12–13");
        assert_eq!(place(Some(4), Some(5), Some("iv")), "pp. 4–5");
        assert_eq!(place(Some(4), None, Some(" ")), "p. 4");
        assert_eq!(place(Some(4), Some(5), Some("4294967295")), "pp. 4–5");
        assert_eq!(place(Some(4), Some(5), Some("+3")), "pp. 4–5");
    }

    #[test]
    fn page_range_has_no_labels() {
        assert_eq!(page_range(3, None), "3");
        assert_eq!(page_range(3, Some(4)), "3–4");
        assert_eq!(page_range(3, Some(3)), "3");
    }

    fn call() -> Call {
        Call {
            id: "sr-2024".into(),
            title: "Children in the Digital Environment".into(),
            mandate: "Special Rapporteur".into(),
            issued: NaiveDate::from_ymd_opt(2023, 12, 1),
            deadline: NaiveDate::from_ymd_opt(2024, 4, 30),
            languages: vec!["en".into()],
            categories: vec![],
            questions: vec![],
            glossary: vec![],
        }
    }

    fn submission(kind: Kind, received: Option<NaiveDate>) -> Submission {
        Submission {
            id: "alliance".into(),
            call: "sr-2024".into(),
            submitter: "Alliance".into(),
            category: "CSOs".into(),
            country: None,
            kind,
            annex_of: None,
            version_of: None,
            file: "alliance.pdf".into(),
            language: None,
            confidential: false,
            received,
        }
    }

    fn passage(page: Option<u32>, page_end: Option<u32>) -> Passage {
        Passage {
            id: "alliance-1".into(),
            ordinal: 1,
            text: "Text.".into(),
            heading: None,
            page,
            page_end,
            page_label: None,
            paragraph: 2,
            language: None,
            questions: vec![],
            mentioned_countries: vec![],
            duplicate_of: None,
            key: false,
            opens_section: false,
        }
    }

    #[test]
    fn full_citation() {
        let call = call();
        let input = submission(Kind::Input, None);
        assert_eq!(
            citation(&input, &passage(Some(3), None), Some(&call)),
            "Alliance, submission to the call for input (\"Children in the Digital Environment\"), 2024, p. 3."
        );
        let annex = submission(Kind::Annex, NaiveDate::from_ymd_opt(2025, 1, 2));
        assert_eq!(
            citation(&annex, &passage(Some(3), Some(4)), Some(&call)),
            "Alliance, annex to the submission to the call for input (\"Children in the Digital Environment\"), 2025, pp. 3–4."
        );
    }

    #[test]
    fn citation_without_the_call_or_a_year() {
        let input = submission(Kind::Input, None);
        assert_eq!(
            citation(&input, &passage(None, None), None),
            "Alliance, submission to the call for input (\"sr-2024\"), para. 2."
        );
        let mut undated = call();
        (undated.issued, undated.deadline) = (None, None);
        assert_eq!(
            citation(&input, &passage(Some(1), None), Some(&undated)),
            "Alliance, submission to the call for input (\"Children in the Digital Environment\"), p. 1."
        );
    }
}
