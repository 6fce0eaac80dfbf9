//! A question brief: what each kind of stakeholder said on one guiding question, the key
//! passages of each submission in full with a citation in the mandate's footnote style,
//! and who said nothing on it. Staff write a report section from it; it is built from
//! the index (tags, staff reviews, passage vectors) and rendered as Markdown, HTML, DOCX
//! or JSON.
//!
//! Passages are ranked by tag confidence and by how central they are among the question's
//! answers (cosine to the mean of their vectors), staff's key quotes first; a passage that
//! repeats another nearly word for word (two submissions sending the same text, or versions
//! of one) is folded under the first, naming the others.

mod docx;
pub(crate) mod route;
mod text;

use std::collections::{BTreeMap, BTreeSet};

use cfi_core::citation::{Place, citation};
use cfi_core::{Call, TagSource};
use cfi_index::{Catalog, PassageIndex, PassageRecord, SearchRequest};
use serde::Serialize;
use utoipa::ToSchema;

pub use docx::docx;
pub use route::render;
pub use text::{html, markdown};

/// Passages shown for one submission; the others are counted.
pub const PER_SUBMISSION: usize = 3;
/// Two passages sharing this share of their words (Jaccard) say the same thing.
const NEAR_DUPLICATE: f32 = 0.8;

/// What a brief covers.
#[derive(Debug, Clone, Default)]
pub struct BriefRequest {
    /// The guiding question's number.
    pub question: u32,
    /// The call (its id); may be left out when the index holds one call.
    pub call: Option<String>,
    /// Only this stakeholder category.
    pub category: Option<String>,
    /// Confidential submissions too (staff only).
    pub include_confidential: bool,
    /// Most passages the brief may read (the question's, and the call's when it looks for
    /// untagged ones): the API's export limit; `None` for no limit (`cfi brief`).
    pub max_passages: Option<usize>,
}

/// Why a brief cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum BriefError {
    /// The index holds no call, or several and none was named.
    #[error("{0}")]
    Call(String),
    /// The index holds no call with the id given.
    #[error("no call {id}; the index holds: {held}")]
    NoSuchCall {
        /// The id given.
        id: String,
        /// The calls it holds, listed.
        held: String,
    },
    /// The call has no such question.
    #[error("call {call} has no question {number}; its questions are {questions}")]
    Question {
        /// The call.
        call: String,
        /// The number asked for.
        number: u32,
        /// Its questions' numbers, listed.
        questions: String,
    },
    /// More passages than the brief may read.
    #[error(
        "the brief would read {count} passages, more than the {max} one download may: narrow it to a category, or run `cfi brief` on the server"
    )]
    TooLarge {
        /// Passages it would read.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The index failed.
    #[error(transparent)]
    Index(#[from] cfi_index::Error),
}

/// A question brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Brief {
    /// The call's id.
    pub call: String,
    /// The call's title.
    pub title: String,
    /// Who issued it.
    pub mandate: String,
    /// The question's number.
    pub question: u32,
    /// Its short title.
    pub short: String,
    /// Its text, in English where the call gives it.
    pub text: String,
    /// Only this category (when the brief was asked for one).
    pub category: Option<String>,
    /// Submissions and passages on the question, per category, in the call's order.
    pub counts: Vec<CategoryCount>,
    /// Passages staff marked as key quotes, first.
    pub key_quotes: Vec<BriefPassage>,
    /// Per category, each submission that addressed the question with its key passages.
    pub sections: Vec<BriefSection>,
    /// Submissions with no passage tagged with the question whose closest passage reads
    /// like the question's answers (closer to their mean than a quarter of the tagged ones
    /// are): one passage each, best first, for staff to check and tag.
    pub possible: Vec<BriefPassage>,
    /// The call's submissions with no passage on this question (none tagged, none close).
    pub no_input: Vec<NoInput>,
}

/// How many submissions and passages of a category address the question.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategoryCount {
    /// The stakeholder category.
    pub category: String,
    /// Submissions addressing the question.
    pub submissions: usize,
    /// Passages tagged with it.
    pub passages: usize,
    /// Submissions in the category altogether.
    pub of_submissions: usize,
}

/// One stakeholder category's answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BriefSection {
    /// The category.
    pub category: String,
    /// Its submissions that addressed the question, by submitter.
    pub submissions: Vec<BriefSubmission>,
}

/// One submission's answer to the question.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BriefSubmission {
    /// The submission (its main file's id; annexes and versions count as it).
    pub submission_id: String,
    /// Who sent it.
    pub submitter: String,
    /// The submitter's country.
    pub country: Option<String>,
    /// Shown to staff only.
    pub confidential: bool,
    /// Its key passages, best first (at most [`PER_SUBMISSION`]).
    pub passages: Vec<BriefPassage>,
    /// Its other passages on the question, not shown.
    pub more: usize,
}

/// A passage quoted in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BriefPassage {
    /// Stable passage id.
    pub passage_id: String,
    /// Who sent it.
    pub submitter: String,
    /// The text, in full.
    pub text: String,
    /// "p. 4", "pp. 4–6", "para. 12".
    pub place: String,
    /// The footnote: `Submitter, submission to the call for input ("Title"), 2024, p. 4.`
    pub citation: String,
    /// Link to the passage on the staff page.
    pub permalink: String,
    /// How the question tag was found: `heading`, `classifier` or `staff`; `untagged` for
    /// a passage shown as possibly on the question.
    pub source: String,
    /// How sure the tag is (0..1).
    pub confidence: f32,
    /// How central it is among the question's passages (cosine to their mean, 0..1).
    pub centrality: f32,
    /// A key quote chosen by staff.
    pub key: bool,
    /// Other submitters who sent nearly the same words, folded here.
    pub also_from: Vec<String>,
    /// From a confidential submission (only in a staff brief).
    pub confidential: bool,
}

/// The submitter as a heading names it.
pub(crate) fn who(submitter: &str, country: Option<&str>, confidential: bool) -> String {
    let mut name = submitter.to_string();
    if let Some(country) = country.filter(|c| !c.is_empty() && *c != submitter) {
        name.push_str(", ");
        name.push_str(country);
    }
    if confidential {
        name.push_str(" (confidential)");
    }
    name
}

/// A submission with nothing on the question.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoInput {
    /// Who sent it.
    pub submitter: String,
    /// Its category.
    pub category: String,
    /// The submitter's country.
    pub country: Option<String>,
}

/// Builds the brief of one question from the index.
pub fn build(index: &PassageIndex, request: &BriefRequest) -> Result<Brief, BriefError> {
    let catalog = index.catalog();
    let call = pick_call(&catalog, request.call.as_deref())?;
    let question = call
        .questions
        .iter()
        .find(|q| q.number == request.question)
        .ok_or_else(|| BriefError::Question {
            call: call.id.clone(),
            number: request.question,
            questions: call
                .questions
                .iter()
                .map(|q| q.number.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let search = SearchRequest {
        question: Some(request.question),
        call: Some(call.id.clone()),
        category: request.category.clone(),
        include_confidential: request.include_confidential,
        semantic: 0.0,
        ..SearchRequest::default()
    };
    let records = bounded(index, &search, request.max_passages)?;
    let (scored, centroid, floor) = score(call, request.question, records);
    let kept = fold_near_duplicates(scored);
    let key_quotes: Vec<BriefPassage> = kept
        .iter()
        .filter(|s| s.passage.key)
        .map(|s| s.passage.clone())
        .collect();

    // Submissions of the call the caller may see, by key (annexes and versions count as
    // their submission), with the category asked for.
    let mut members: BTreeMap<&str, &cfi_core::Submission> = BTreeMap::new();
    for info in &catalog.submissions {
        let s = &info.submission;
        let visible = request.include_confidential || !s.confidential;
        let in_category = request
            .category
            .as_deref()
            .is_none_or(|c| s.category.eq_ignore_ascii_case(c.trim()));
        if s.call == call.id && visible && in_category {
            // The main file names the submission; an annex seen first is replaced by it.
            let entry = members.entry(s.key()).or_insert(s);
            if s.id == s.key() {
                *entry = s;
            }
        }
    }
    let mut by_key: BTreeMap<String, Vec<Scored>> = BTreeMap::new();
    for scored in kept {
        by_key.entry(scored.key.clone()).or_default().push(scored);
    }
    let categories = category_order(call, members.values().map(|s| s.category.as_str()));
    let mut counts = Vec::new();
    let mut sections = Vec::new();
    for category in &categories {
        let mut submissions = Vec::new();
        let mut passages = 0;
        let in_category: Vec<&&cfi_core::Submission> = members
            .values()
            .filter(|s| &s.category == category)
            .collect();
        for sub in &in_category {
            let Some(mut found) = by_key.remove(sub.key()) else {
                continue;
            };
            passages += found.len();
            found.sort_by(|a, b| b.rank.total_cmp(&a.rank));
            let more = found.len().saturating_sub(PER_SUBMISSION);
            submissions.push(BriefSubmission {
                submission_id: sub.key().to_string(),
                submitter: sub.submitter.clone(),
                country: sub.country.clone(),
                confidential: sub.confidential,
                passages: found
                    .into_iter()
                    .take(PER_SUBMISSION)
                    .map(|s| s.passage)
                    .collect(),
                more,
            });
        }
        submissions.sort_by_key(|s| s.submitter.to_lowercase());
        counts.push(CategoryCount {
            category: category.clone(),
            submissions: submissions.len(),
            passages,
            of_submissions: in_category.len(),
        });
        if !submissions.is_empty() {
            sections.push(BriefSection {
                category: category.clone(),
                submissions,
            });
        }
    }
    let answered: BTreeSet<&str> = sections
        .iter()
        .flat_map(|s| s.submissions.iter().map(|b| b.submission_id.as_str()))
        .collect();
    let unanswered: BTreeSet<&str> = members
        .keys()
        .copied()
        .filter(|k| !answered.contains(k))
        .collect();
    let possible = closest_untagged(index, call, request, &unanswered, &centroid, floor)?;
    let maybe: BTreeSet<&str> = possible.iter().map(|(key, _)| key.as_str()).collect();
    let mut no_input: Vec<NoInput> = members
        .values()
        .filter(|s| !answered.contains(s.key()) && !maybe.contains(s.key()))
        .map(|s| NoInput {
            submitter: s.submitter.clone(),
            category: s.category.clone(),
            country: s.country.clone(),
        })
        .collect();
    let rank: BTreeMap<&str, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    no_input.sort_by_key(|n| {
        (
            rank.get(n.category.as_str()).copied().unwrap_or(usize::MAX),
            n.submitter.to_lowercase(),
        )
    });
    Ok(Brief {
        call: call.id.clone(),
        title: call.title.clone(),
        mandate: call.mandate.clone(),
        question: question.number,
        short: question.short.clone(),
        text: question
            .text
            .get("en")
            .or_else(|| question.text.values().next())
            .cloned()
            .unwrap_or_default(),
        category: request.category.clone(),
        counts,
        key_quotes,
        sections,
        possible: possible.into_iter().map(|(_, p)| p).collect(),
        no_input,
    })
}

/// For each submission in `unanswered` (keys), its passage closest to `centroid` when that
/// is at least `floor`, best first.
fn closest_untagged(
    index: &PassageIndex,
    call: &Call,
    request: &BriefRequest,
    unanswered: &BTreeSet<&str>,
    centroid: &[f32],
    floor: f32,
) -> Result<Vec<(String, BriefPassage)>, BriefError> {
    if unanswered.is_empty() || centroid.iter().all(|x| *x == 0.0) {
        return Ok(Vec::new());
    }
    let everything = SearchRequest {
        call: Some(call.id.clone()),
        category: request.category.clone(),
        include_confidential: request.include_confidential,
        semantic: 0.0,
        ..SearchRequest::default()
    };
    // A call too large to read whole here gives no suggestions, not a refusal: the
    // question's own passages were within the bound.
    let records = match bounded(index, &everything, request.max_passages) {
        Err(BriefError::TooLarge { .. }) => return Ok(Vec::new()),
        other => other?,
    };
    let mut best: BTreeMap<String, (f32, PassageRecord)> = BTreeMap::new();
    for (record, vector) in records {
        let key = record.submission.key().to_string();
        if !unanswered.contains(key.as_str()) || words(&record.passage.text).len() < 8 {
            continue;
        }
        let closeness = cosine(&vector, centroid);
        if closeness >= floor && best.get(&key).is_none_or(|(b, _)| closeness > *b) {
            best.insert(key, (closeness, record));
        }
    }
    let mut found: Vec<(f32, String, BriefPassage)> = best
        .into_iter()
        .map(|(key, (closeness, record))| {
            let passage = &record.passage;
            let submission = &record.submission;
            let brief = BriefPassage {
                passage_id: passage.id.clone(),
                submitter: submission.submitter.clone(),
                text: without_heading(&passage.text, passage.heading.as_deref()),
                place: Place::of(passage).to_string(),
                citation: citation(submission, passage, Some(call)),
                permalink: format!("/?view=passage&id={}", passage.id),
                source: "untagged".into(),
                confidence: 0.0,
                centrality: closeness.clamp(0.0, 1.0),
                key: passage.key,
                also_from: Vec::new(),
                confidential: submission.confidential,
            };
            (closeness, key, brief)
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(found.into_iter().map(|(_, key, p)| (key, p)).collect())
}

/// Every passage the search covers with its stored vector, or [`BriefError::TooLarge`]
/// past `max`.
fn bounded(
    index: &PassageIndex,
    search: &SearchRequest,
    max: Option<usize>,
) -> Result<Vec<(PassageRecord, Vec<f32>)>, BriefError> {
    let max = max.unwrap_or(usize::MAX);
    index
        .all_hits_with_vectors_up_to(search, max)?
        .map_err(|count| BriefError::TooLarge { count, max })
}

/// The call asked for, or the index's only call.
fn pick_call<'a>(catalog: &'a Catalog, id: Option<&str>) -> Result<&'a Call, BriefError> {
    let ids = || {
        catalog
            .calls
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match id {
        Some(id) => catalog
            .call(id.trim())
            .ok_or_else(|| BriefError::NoSuchCall {
                id: id.to_string(),
                held: ids(),
            }),
        None => match catalog.calls.as_slice() {
            [only] => Ok(only),
            [] => Err(BriefError::Call(
                "the index holds no call: run `cfi ingest` first".into(),
            )),
            _ => Err(BriefError::Call(format!(
                "the index holds several calls; name one with call: {}",
                ids()
            ))),
        },
    }
}

/// The call's categories in its order, then any other a submission is filed under.
fn category_order<'a>(call: &Call, seen: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut order: Vec<String> = call.categories.clone();
    let mut others: Vec<String> = seen
        .filter(|c| !order.iter().any(|o| o == c))
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    order.append(&mut others);
    order
}

/// A passage with what ranks it.
struct Scored {
    key: String,
    rank: f32,
    words: BTreeSet<String>,
    passage: BriefPassage,
}

/// Each passage's tag, centrality and rank: staff's key quotes first, then tag confidence
/// weighed by centrality.
/// Also returns the mean of the passages' vectors, and the centrality a quarter of them fall
/// below (how close an untagged passage must come to be shown as possibly on the question).
fn score(
    call: &Call,
    question: u32,
    hits: Vec<(PassageRecord, Vec<f32>)>,
) -> (Vec<Scored>, Vec<f32>, f32) {
    let (records, vectors): (Vec<PassageRecord>, Vec<Vec<f32>>) = hits.into_iter().unzip();
    let centroid = mean(&vectors);
    let mut centralities: Vec<f32> = vectors.iter().map(|v| cosine(v, &centroid)).collect();
    centralities.sort_by(f32::total_cmp);
    let floor = centralities
        .get(centralities.len() / 4)
        .copied()
        .unwrap_or(f32::INFINITY);
    let scored = records
        .into_iter()
        .zip(&vectors)
        .map(|(record, vector)| {
            let PassageRecord {
                passage,
                submission,
            } = &record;
            let tag = passage.questions.iter().find(|t| t.number == question);
            let (source, confidence) =
                tag.map_or((TagSource::Classifier, 0.0), |t| (t.source, t.confidence));
            let centrality = cosine(vector, &centroid).clamp(0.0, 1.0);
            let rank = if passage.key { 10.0 } else { 0.0 } + confidence * (0.5 + 0.5 * centrality);
            Scored {
                key: submission.key().to_string(),
                rank,
                words: words(&passage.text),
                passage: BriefPassage {
                    passage_id: passage.id.clone(),
                    submitter: submission.submitter.clone(),
                    text: without_heading(&passage.text, passage.heading.as_deref()),
                    place: Place::of(passage).to_string(),
                    citation: citation(submission, passage, Some(call)),
                    permalink: format!("/?view=passage&id={}", passage.id),
                    source: source.as_str().to_string(),
                    confidence,
                    centrality,
                    key: passage.key,
                    also_from: Vec::new(),
                    confidential: submission.confidential,
                },
            }
        })
        .collect();
    (scored, centroid, floor)
}

/// The passage's text without its first line where that line is the heading it sits under
/// ("Question 7", "VII. Generative AI"): the brief's headings already say where it is.
fn without_heading(text: &str, heading: Option<&str>) -> String {
    let Some(heading) = heading.map(str::trim).filter(|h| !h.is_empty()) else {
        return text.to_string();
    };
    match text.split_once('\n') {
        Some((first, rest)) if first.trim() == heading && !rest.trim().is_empty() => {
            rest.trim_start().to_string()
        }
        _ => text.to_string(),
    }
}

/// Passages best first, each nearly repeating a better one (most of their words shared)
/// folded under it; the better one names the other submitters.
fn fold_near_duplicates(mut scored: Vec<Scored>) -> Vec<Scored> {
    scored.sort_by(|a, b| b.rank.total_cmp(&a.rank));
    let mut kept: Vec<Scored> = Vec::with_capacity(scored.len());
    for candidate in scored {
        let twin = kept
            .iter_mut()
            .find(|k| jaccard(&k.words, &candidate.words) >= NEAR_DUPLICATE);
        match twin {
            Some(first) => {
                let other = candidate.passage.submitter;
                if other != first.passage.submitter && !first.passage.also_from.contains(&other) {
                    first.passage.also_from.push(other);
                }
            }
            None => kept.push(candidate),
        }
    }
    kept
}

/// A text's words, lowercased, of three letters or more.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f32 {
    // Short passages share words by chance: they must match whole.
    if a.len().min(b.len()) < 8 {
        return if a == b { 1.0 } else { 0.0 };
    }
    let shared = a.intersection(b).count();
    let union = a.len() + b.len() - shared;
    shared as f32 / union.max(1) as f32
}

fn mean(vectors: &[Vec<f32>]) -> Vec<f32> {
    let dim = vectors.first().map_or(0, Vec::len);
    let mut sum = vec![0.0f32; dim];
    for v in vectors {
        for (s, x) in sum.iter_mut().zip(v) {
            *s += x;
        }
    }
    sum
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_need_most_words_and_short_ones_all() {
        let long = words(
            "Children are groomed on gaming platforms through private chat channels every day",
        );
        let edited = words(
            "Children are groomed on gaming platforms through private chat channels each day",
        );
        let other =
            words("States should fund hotlines and require safety by design for every platform");
        assert!(jaccard(&long, &edited) >= NEAR_DUPLICATE);
        assert!(jaccard(&long, &other) < NEAR_DUPLICATE);
        assert_eq!(
            jaccard(&words("Yes, we agree."), &words("Yes, we agree!")),
            1.0
        );
        assert_eq!(
            jaccard(&words("Yes, we agree."), &words("No, we disagree.")),
            0.0
        );
    }
}
