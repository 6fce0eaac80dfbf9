//! What the API answers, as JSON schemas. Names in camelCase, lists as
//! `{results, offset, limit, total}`.

use std::collections::BTreeMap;

use cfi_index::{Catalog, PassageRecord, SubmissionInfo};
use serde::Serialize;
use utoipa::ToSchema;

use crate::view::CatalogView;

/// A guiding-question tag.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionTagBody {
    /// The question's number in the call.
    pub number: u32,
    /// `heading` (the document names it), `classifier`, or `staff` (a reviewer set it; it
    /// overrides the others).
    pub source: String,
    /// 0..1.
    pub confidence: f32,
}

impl From<&cfi_core::QuestionTag> for QuestionTagBody {
    fn from(q: &cfi_core::QuestionTag) -> QuestionTagBody {
        QuestionTagBody {
            number: q.number,
            source: q.source.as_str().to_string(),
            confidence: q.confidence,
        }
    }
}

/// The submission a passage comes from.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionRef {
    /// Submission id.
    pub id: String,
    /// Call id.
    pub call: String,
    /// Who sent it.
    pub submitter: String,
    /// Stakeholder category; empty for a file awaiting review (not yet filed under one).
    pub category: String,
    /// The submitter's country.
    pub country: Option<String>,
    /// `input` or `annex`.
    pub kind: String,
    /// The file as the manifest names it.
    pub file: String,
    /// Shown to staff only; always false for anonymous callers.
    pub confidential: bool,
}

/// A passage with where to find it and how to cite it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PassageBody {
    /// Stable passage id.
    pub passage_id: String,
    /// Position in its submission (1-based).
    pub ordinal: u32,
    /// The full text.
    pub text: String,
    /// The heading it sits under.
    pub heading: Option<String>,
    /// The submission.
    pub submission: SubmissionRef,
    /// First page (PDF).
    pub page: Option<u32>,
    /// Last page when it spans pages.
    pub page_end: Option<u32>,
    /// Page label where the PDF defines one.
    pub page_label: Option<String>,
    /// Paragraph number of its first block.
    pub paragraph: u32,
    /// Guiding questions it answers.
    pub questions: Vec<QuestionTagBody>,
    /// ISO 639-1.
    pub language: Option<String>,
    /// Countries it talks about.
    pub mentioned_countries: Vec<String>,
    /// The citation, ready to paste:
    /// `Submitter, submission to the call for input ("Title"), 2024, pp. 3–4.`
    pub citation: String,
    /// Stable link to this passage on the staff page.
    pub permalink: String,
    /// A key quote: staff marked it for the report (it leads its questions' briefs).
    pub key: bool,
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HitBody {
    /// The passage.
    #[serde(flatten)]
    pub passage: PassageBody,
    /// The best fragment, HTML-escaped, matched words in `<mark>`; for a passage found by
    /// meaning alone, its sentence closest in meaning to the query.
    pub snippet: String,
    /// Relevance: BM25 when searching by words only, the fused reciprocal-rank score in a
    /// hybrid search; for similar passages, the cosine similarity of their vectors.
    pub score: f32,
    /// With `group=submission`: other matching passages of the same submission.
    pub others: usize,
    /// Submitters of near-identical passages folded into this hit.
    pub also_in: Vec<String>,
    /// The other files of this submission holding this passage word for word (the same
    /// answer sent as DOCX and PDF, say): the search shows it once, here, and names them.
    /// Confidential files only for staff.
    pub versions: Vec<VersionBody>,
}

/// A hit's passage in another file of its submission: where to open it there.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionBody {
    /// The other file's submission id (`/submissions/{id}`, `/submissions/{id}/file`).
    pub submission_id: String,
    /// That file as the manifest names it.
    pub file: String,
    /// The passage's id in that file (`/passages/{id}`).
    pub passage_id: String,
    /// Its first page in that file (PDF).
    pub page: Option<u32>,
    /// Its last page there, when it spans pages.
    pub page_end: Option<u32>,
    /// Its language in that file, ISO 639-1.
    pub language: Option<String>,
}

impl From<cfi_index::PassageVersion> for VersionBody {
    fn from(v: cfi_index::PassageVersion) -> VersionBody {
        VersionBody {
            submission_id: v.submission,
            file: v.file,
            passage_id: v.passage,
            page: v.page,
            page_end: v.page_end,
            language: v.language,
        }
    }
}

/// Counts per facet value, per facet.
pub type FacetDistribution = BTreeMap<String, BTreeMap<String, u64>>;

/// `GET|POST /api/v1/search`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchResponse {
    /// This page of hits, best first.
    pub hits: Vec<HitBody>,
    /// Passages matching in all: in a hybrid search (`semantic` above 0), those the words
    /// match and those closest in meaning that were fused into the ranking.
    pub estimated_total_hits: usize,
    /// Of `estimatedTotalHits`, the passages found by meaning that the words do not match
    /// (0 when searching by words only), as Meilisearch names it.
    pub semantic_hit_count: usize,
    /// Hits skipped.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// Counts per value of `question`, `category`, `country`, `mentioned`, `language`, `kind`
    /// over all hits (the same passages `estimatedTotalHits` counts). Exact up to 100,000
    /// hits; beyond, estimated from a sample of the hits, and `facetsEstimated` says so.
    pub facet_distribution: FacetDistribution,
    /// True when `facetDistribution` holds estimates: the search had more hits than are
    /// counted exactly (100,000). `estimatedTotalHits` is exact either way, and so is the
    /// coverage matrix.
    pub facets_estimated: bool,
    /// Time spent.
    pub processing_time_ms: u64,
    /// When the query found nothing and a near spelling did: the query run instead.
    pub did_you_mean: Option<String>,
    /// True when no passage had every word and the hits have most of them.
    pub relaxed: bool,
}

impl SearchResponse {
    /// The answer to `request`, as `/search` gives it and `cfi search --json` prints it:
    /// snippets with `<mark>` unless `highlight` is false, and only the `facets` named
    /// (all when `None`).
    pub fn new(
        results: cfi_index::SearchResults,
        request: &cfi_index::SearchRequest,
        catalog: &Catalog,
        highlight: bool,
        facets: Option<&[crate::params::CountedFacet]>,
        took: std::time::Duration,
    ) -> SearchResponse {
        let hits = results
            .hits
            .into_iter()
            .map(|hit| HitBody {
                snippet: hit.snippet.html(highlight),
                passage: PassageBody::new(hit.record, catalog),
                score: hit.score,
                others: hit.others,
                also_in: hit.also_in,
                versions: hit.versions.into_iter().map(VersionBody::from).collect(),
            })
            .collect();
        let mut facet_distribution = results.facets;
        if let Some(wanted) = facets {
            facet_distribution.retain(|k, _| wanted.iter().any(|w| w.as_str() == k));
        }
        SearchResponse {
            hits,
            estimated_total_hits: results.total,
            semantic_hit_count: results.semantic_hits,
            offset: request.offset,
            limit: request.limit,
            facet_distribution,
            facets_estimated: results.facets_estimated,
            did_you_mean: results.did_you_mean,
            relaxed: results.relaxed,
            processing_time_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// A guiding question in every language of the call.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionBody {
    /// Number.
    pub number: u32,
    /// A few words.
    pub short: String,
    /// Text per language.
    pub text: BTreeMap<String, String>,
}

/// A call for input.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallBody {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The mandate that issued it.
    pub mandate: String,
    /// YYYY-MM-DD, where the call gives it.
    pub issued: Option<String>,
    /// YYYY-MM-DD, where the call gives it.
    pub deadline: Option<String>,
    /// Languages of the call.
    pub languages: Vec<String>,
    /// Stakeholder categories.
    pub categories: Vec<String>,
    /// Guiding questions.
    pub questions: Vec<QuestionBody>,
    /// Submissions visible to the caller, each counted once: its annexes and the same
    /// answer sent again (another format or language) are files of it, not submissions.
    pub submissions: u64,
    /// Submission files visible to the caller: inputs, their versions and annexes.
    pub files: u64,
    /// Passages a search shows the caller: a passage a later version repeats word for
    /// word from its first version counts once.
    pub passages: u64,
    /// What the last ingest of the call left out; absent when the index does not say
    /// (built before it kept this).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<CallProblemsBody>,
}

/// What the last ingest of a call left out, for staff to put right in the call folder.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallProblemsBody {
    /// Manifest rows left out (a bad cell, a file listed twice...), each naming its row
    /// and column.
    pub manifest: ProblemListBody,
    /// Rows naming a file the call folder does not hold.
    pub missing_files: ProblemListBody,
    /// Files in the call folder that no manifest row names, relative to the manifest:
    /// often files sent in confidence still waiting for a row.
    pub unlisted_files: ProblemListBody,
}

/// Problems of one kind: how many, and for staff what they are.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProblemListBody {
    /// How many.
    pub count: usize,
    /// Staff only (they may name confidential files): the rows or files; absent for
    /// anonymous callers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<String>>,
}

/// A list of calls.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallList {
    /// The calls.
    pub results: Vec<CallBody>,
    /// Skipped.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// In all.
    pub total: usize,
}

/// A submission file and what the index made of it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionBody {
    /// Id.
    pub id: String,
    /// Call id.
    pub call: String,
    /// Who sent it.
    pub submitter: String,
    /// Stakeholder category; empty for a file awaiting review (the call page does not list
    /// it yet), which the page lists under "Awaiting review".
    pub category: String,
    /// The submitter's country.
    pub country: Option<String>,
    /// `input` or `annex`.
    pub kind: String,
    /// For an annex, its input's id (when the caller may see that input).
    pub annex_of: Option<String>,
    /// Ids of its annexes (visible to the caller).
    pub annexes: Vec<String>,
    /// For a later version of an input (the same answer in another format or language),
    /// the first version's id, when the caller may see it: this file is part of that
    /// submission, not a submission of its own.
    pub version_of: Option<String>,
    /// Ids of the other files holding the same answer (its first version, or its later
    /// ones), visible to the caller.
    pub versions: Vec<String>,
    /// The file as the manifest names it.
    pub file: String,
    /// Where to download the original.
    pub file_url: String,
    /// Declared language.
    pub language: Option<String>,
    /// Languages of its passages.
    pub languages: Vec<String>,
    /// Confidential (staff only ever see true).
    pub confidential: bool,
    /// YYYY-MM-DD.
    pub received: Option<String>,
    /// Page count.
    pub pages: Option<u32>,
    /// Passages indexed.
    pub passages: u32,
    /// Problems reading it (needs OCR, encrypted...).
    pub problems: Vec<String>,
}

/// A list of submissions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionList {
    /// The submissions.
    pub results: Vec<SubmissionBody>,
    /// Skipped.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// In all.
    pub total: usize,
}

/// A passage in its context.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PassageContext {
    /// The passage.
    pub passage: PassageBody,
    /// The passages just before it in its submission, nearest last.
    pub before: Vec<PassageBody>,
    /// The passages just after it.
    pub after: Vec<PassageBody>,
}

/// Similar passages from other submissions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarList {
    /// Best first.
    pub results: Vec<HitBody>,
    /// Always 0.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// Returned.
    pub total: usize,
}

/// One cell of the coverage matrix.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatrixCellBody {
    /// Passages.
    pub passages: u64,
    /// Distinct submissions.
    pub submissions: u64,
}

/// Guiding question x stakeholder category coverage.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatrixBody {
    /// Row order: question numbers (0 = passages with no question tag).
    pub questions: Vec<u32>,
    /// Column order: the calls' categories.
    pub categories: Vec<String>,
    /// `cells["7"]["CSOs"]`; missing cells are zero.
    pub cells: BTreeMap<String, BTreeMap<String, MatrixCellBody>>,
}

/// All values of one facet.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValues {
    /// The facet.
    pub field: String,
    /// Value -> passage count.
    pub values: BTreeMap<String, u64>,
}

/// What the index holds (visible to the caller).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsBody {
    /// Calls.
    pub calls: usize,
    /// Submissions, each counted once (its annexes and versions are files of it).
    pub submissions: u64,
    /// Submission files: inputs, their versions and annexes.
    pub files: u64,
    /// Passages a search shows: each passage a later version repeats once.
    pub passages: u64,
    /// Passages per language, counted the same way.
    pub languages: BTreeMap<String, u64>,
}

/// The error body of every failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code and message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable: what a client branches on.
    pub code: crate::error::ErrorCode,
    /// What went wrong, for people.
    pub message: String,
}

/// The citation of a passage, ready to paste (see [`cfi_core::citation::citation`]).
pub fn citation(record: &PassageRecord, catalog: &Catalog) -> String {
    let s = &record.submission;
    cfi_core::citation::citation(s, &record.passage, catalog.call(&s.call))
}

impl PassageBody {
    /// The passage as the API shows it.
    pub fn new(record: PassageRecord, catalog: &Catalog) -> PassageBody {
        let citation = citation(&record, catalog);
        let PassageRecord {
            passage: p,
            submission: s,
        } = record;
        PassageBody {
            permalink: format!("/?view=passage&id={}", p.id),
            passage_id: p.id,
            ordinal: p.ordinal,
            text: p.text,
            heading: p.heading,
            page: p.page,
            page_end: p.page_end,
            page_label: p.page_label,
            paragraph: p.paragraph,
            questions: p.questions.iter().map(QuestionTagBody::from).collect(),
            language: p.language,
            mentioned_countries: p.mentioned_countries,
            citation,
            key: p.key,
            submission: SubmissionRef {
                id: s.id,
                call: s.call,
                submitter: s.submitter,
                category: s.category,
                country: s.country,
                kind: s.kind.as_str().to_string(),
                file: s.file,
                confidential: s.confidential,
            },
        }
    }
}

impl SubmissionBody {
    /// The submission as the API shows it; `annexes` and `versions` are the visible
    /// annexes' and other versions' ids.
    pub fn new(
        info: &SubmissionInfo,
        annexes: Vec<String>,
        versions: Vec<String>,
    ) -> SubmissionBody {
        let s = &info.submission;
        SubmissionBody {
            id: s.id.clone(),
            call: s.call.clone(),
            submitter: s.submitter.clone(),
            category: s.category.clone(),
            country: s.country.clone(),
            kind: s.kind.as_str().to_string(),
            annex_of: s.annex_of.clone(),
            annexes,
            version_of: s.version_of.clone(),
            versions,
            file: s.file.clone(),
            file_url: format!("/api/v1/submissions/{}/file", s.id),
            language: s.language.clone(),
            languages: info.languages.clone(),
            confidential: s.confidential,
            received: s.received.map(|d| d.to_string()),
            pages: info.pages,
            passages: info.passages,
            problems: info
                .problems
                .iter()
                .map(|p| public_problem(info, p))
                .collect(),
        }
    }
}

/// A problem met reading a file, as the API may show it: the file named as the manifest
/// does, never where the call folder sits on the server. Ingest writes them so; catalogs
/// written before it did carry the full path, and a reader's message may name another file.
pub(crate) fn public_problem(info: &SubmissionInfo, message: &str) -> String {
    let file = &info.submission.file;
    let full = info.path.display().to_string();
    let mut text = if full.is_empty() {
        message.to_string()
    } else {
        message.replace(&full, file)
    };
    // The call folder: the file's path without the manifest's relative part.
    let depth = std::path::Path::new(file)
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .count();
    let folder = info.path.ancestors().nth(depth);
    if let Some(folder) = folder.filter(|f| f.parent().is_some()) {
        let prefix = folder.display().to_string();
        let with_separator = format!("{prefix}{}", std::path::MAIN_SEPARATOR);
        text = text.replace(&with_separator, "");
    }
    shorten_paths(&text)
}

/// `text` with every word that looks like an absolute path cut to its last part: a
/// message never says where the call folder sits on the server.
pub(crate) fn shorten_paths(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let trimmed = word.trim_start_matches(['"', '\'', '(', '[', '`']);
            let absolute = trimmed
                .strip_prefix('/')
                .is_some_and(|rest| rest.contains('/'))
                || trimmed.get(1..3).is_some_and(|s| s == ":\\" || s == ":/");
            if !absolute {
                return word.to_string();
            }
            let lead = word.strip_suffix(trimmed).unwrap_or("");
            let last = trimmed
                .rsplit(['/', '\\'])
                .find(|part| !part.is_empty())
                .unwrap_or("");
            format!("{lead}{last}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl CallBody {
    /// A call with the counts the caller may see.
    pub(crate) fn new(call: &cfi_core::Call, view: &CatalogView<'_>) -> CallBody {
        let id = Some(call.id.as_str());
        CallBody {
            id: call.id.clone(),
            title: call.title.clone(),
            mandate: call.mandate.clone(),
            issued: call.issued.map(|d| d.to_string()),
            deadline: call.deadline.map(|d| d.to_string()),
            languages: call.languages.clone(),
            categories: call.categories.clone(),
            questions: call
                .questions
                .iter()
                .map(|q| QuestionBody {
                    number: q.number,
                    short: q.short.clone(),
                    text: q.text.clone(),
                })
                .collect(),
            submissions: view.submission_count(id),
            files: view.file_count(id),
            passages: view.passage_count(id),
            problems: view.problems(&call.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(path: &str, file: &str) -> SubmissionInfo {
        SubmissionInfo {
            submission: cfi_core::Submission {
                id: "s".into(),
                call: "c".into(),
                submitter: "S".into(),
                category: "CSOs".into(),
                country: None,
                kind: cfi_core::Kind::Input,
                annex_of: None,
                version_of: None,
                file: file.into(),
                language: None,
                confidential: false,
                received: None,
            },
            path: path.into(),
            pages: None,
            passages: 0,
            languages: vec![],
            problems: vec![],
        }
    }

    #[test]
    fn problems_never_say_where_the_call_folder_is() {
        let i = info("/srv/calls/c1/files/a.pdf", "files/a.pdf");
        let cases = [
            (
                "/srv/calls/c1/files/a.pdf: needs OCR (install tesseract-ocr), pages 2, 3",
                "files/a.pdf: needs OCR (install tesseract-ocr), pages 2, 3",
            ),
            (
                "embedded /srv/calls/c1/files/b.docx is encrypted",
                "embedded files/b.docx is encrypted",
            ),
            (
                "cannot run \"/usr/local/bin/tesseract\" (exit 1)",
                "cannot run \"tesseract\" (exit 1)",
            ),
            ("C:\\calls\\c1\\x.pdf broken", "x.pdf broken"),
            (
                "files/a.pdf: page 1/2 unreadable",
                "files/a.pdf: page 1/2 unreadable",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(public_problem(&i, message), want);
        }
        // A path the catalog stores relative changes nothing.
        let relative = info("files/a.pdf", "files/a.pdf");
        assert_eq!(
            public_problem(&relative, "files/a.pdf: no text found"),
            "files/a.pdf: no text found"
        );
        let empty = info("", "files/a.pdf");
        assert_eq!(public_problem(&empty, "no text"), "no text");
    }
}
