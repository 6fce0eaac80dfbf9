//! Scores the guiding-question tags against a call's `labels.jsonl`: per question
//! precision, recall and F1, micro and macro, for structured and unstructured documents,
//! and a confusion table. Labels are aligned to passages by text, since the passages may
//! be cut differently from the labelled paragraphs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cfi_core::{CallFolder, Kind};
use serde::{Deserialize, Serialize};

use crate::analyzer::named;
use crate::{Analyzer, Error, Evidence, Result};

/// One labelled paragraph.
#[derive(Debug, Deserialize)]
struct Label {
    file: String,
    text: String,
    questions: Vec<u32>,
}

/// Counts for one question.
#[derive(Debug, Default, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Tagged and labelled.
    pub true_positives: u32,
    /// Tagged, not labelled.
    pub false_positives: u32,
    /// Labelled, not tagged.
    pub false_negatives: u32,
}

impl Counts {
    /// Precision, recall, F1.
    pub fn scores(&self) -> (f64, f64, f64) {
        let tp = f64::from(self.true_positives);
        let p = if tp + f64::from(self.false_positives) > 0.0 {
            tp / (tp + f64::from(self.false_positives))
        } else {
            1.0
        };
        let r = if tp + f64::from(self.false_negatives) > 0.0 {
            tp / (tp + f64::from(self.false_negatives))
        } else {
            1.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

/// Scores for one group of documents.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupScores {
    /// Documents in the group.
    pub documents: usize,
    /// Labelled paragraphs found in a passage.
    pub aligned: usize,
    /// Labelled paragraphs not found in any passage.
    pub unaligned: usize,
    /// Labelled paragraphs left out of the scores as the topical heading opening a passage
    /// ([`Headings::Skipped`]).
    pub headings_skipped: usize,
    /// Per question (1..).
    pub per_question: BTreeMap<u32, Counts>,
    /// Confusion: labelled question -> tagged question -> paragraphs (0 = none).
    pub confusion: BTreeMap<u32, BTreeMap<u32, u32>>,
    /// Paragraphs whose tags differ from their labels: file, text, labelled, tagged.
    pub mismatches: Vec<(String, String, Vec<u32>, Vec<u32>)>,
}

impl GroupScores {
    /// Micro-averaged precision, recall, F1 over all questions.
    pub fn micro(&self) -> (f64, f64, f64) {
        let mut all = Counts::default();
        for c in self.per_question.values() {
            all.true_positives += c.true_positives;
            all.false_positives += c.false_positives;
            all.false_negatives += c.false_negatives;
        }
        all.scores()
    }

    /// Macro-averaged F1 over questions that are labelled or tagged.
    pub fn macro_f1(&self) -> f64 {
        let fs: Vec<f64> = self.per_question.values().map(|c| c.scores().2).collect();
        if fs.is_empty() {
            0.0
        } else {
            fs.iter().sum::<f64>() / fs.len() as f64
        }
    }
}

/// The evaluation of a call's tags.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaggingReport {
    /// Documents where the tagger found question headings.
    pub structured: GroupScores,
    /// Documents with no question heading (tags from the classifier only).
    pub unstructured: GroupScores,
    /// Per stakeholder category (structured and unstructured together): documents and the
    /// counts over all questions.
    pub by_category: BTreeMap<String, CategoryScores>,
    /// Per language of the document (declared in the manifest, else most of its
    /// passages'), the same counts.
    pub by_language: BTreeMap<String, CategoryScores>,
    /// Per structure: "headed" (question headings only decide), "mixed" (question
    /// headings and the classifier), "essay" (the classifier alone).
    pub by_structure: BTreeMap<String, CategoryScores>,
    /// Per structure as the labeller saw it, where the call folder has a `structure.csv`
    /// (`file,structure`: structured, mixed or essay): the same documents in the same group
    /// whatever the tagger makes of them, so two taggers compare group by group.
    pub by_labelled_structure: BTreeMap<String, CategoryScores>,
    /// How often the classifier's tags are right, by the confidence it gave them: does a
    /// confidence read as a probability?
    pub reliability: Vec<ReliabilityBin>,
    /// Input files that could not be read.
    pub unreadable: Vec<String>,
}

/// The tags of one stakeholder category's documents, over all questions.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryScores {
    /// Documents labelled.
    pub documents: usize,
    /// Of them, documents where the tagger found question headings.
    pub structured: usize,
    /// Labelled paragraphs aligned.
    pub aligned: usize,
    /// Counts over all questions (micro).
    pub counts: Counts,
}

/// The classifier's tags whose confidence falls in `[from, to)`, and how many were right.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReliabilityBin {
    /// Lower bound of the confidence.
    pub from: f32,
    /// Upper bound (exclusive; the last bin includes 1).
    pub to: f32,
    /// Tags given.
    pub tags: u32,
    /// Of them, tags the labels confirm.
    pub correct: u32,
}

/// The confidence bins of [`ReliabilityBin`].
const BINS: [f32; 8] = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0];

/// Whitespace folded, lower case; the " | " between table cells (cfi's reading of a Word or
/// ODF table row) is a space, as in the labels, which join cells with one space.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// How the evaluation takes a labelled paragraph that is the topical heading opening a
/// passage ("Access in rural areas" above the paragraphs it heads; not a heading that
/// names a question).
///
/// Such a heading stands above the passage it opens, not in its text, and answers no
/// question itself: scored, it counts as untagged. Labellers differ on it: some give a
/// heading its section's question, others none. Skipped, it counts for neither convention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Headings {
    /// Scored as untagged (the default).
    #[default]
    Scored,
    /// Left out of the scores, and counted in [`GroupScores::headings_skipped`].
    Skipped,
}

/// Whether `paragraph` (folded) is the topical heading that opens `passage`.
fn opens_with_topical_heading(passage: &cfi_core::Passage, paragraph: &str) -> bool {
    passage.opens_section
        && passage
            .heading
            .as_deref()
            .is_some_and(|h| fold(h).starts_with(paragraph))
}

/// The structure each file was written in, from the call folder's `structure.csv` where
/// it has one (`file,structure`); empty where it has none.
fn read_structure(folder: &Path) -> Result<BTreeMap<String, String>> {
    let path = folder.join("structure.csv");
    if !path.is_file() {
        return Ok(BTreeMap::new());
    }
    let fail = |message: String| {
        Error::Call(cfi_core::Error::Call {
            path: path.clone(),
            message,
        })
    };
    let mut reader = csv::Reader::from_path(&path).map_err(|e| fail(e.to_string()))?;
    let mut found = BTreeMap::new();
    for (n, row) in reader.records().enumerate() {
        let row = row.map_err(|e| fail(e.to_string()))?;
        match (row.get(0), row.get(1)) {
            (Some(file), Some(structure)) if !file.trim().is_empty() => {
                found.insert(file.trim().to_string(), structure.trim().to_string());
            }
            _ => return Err(fail(format!("row {}: expected `file,structure`", n + 2))),
        }
    }
    Ok(found)
}

/// Reads the call folder's inputs, tags them as an ingest would, and scores the tags
/// against `labels.jsonl`.
pub fn evaluate_tagging(folder: &Path) -> Result<TaggingReport> {
    evaluate_tagging_with(folder, &[], Headings::Scored)
}

/// [`evaluate_tagging`] with staff corrections learned as an ingest learns them: each
/// (passage text, questions) counts for those questions
/// ([`cfi_index::PassageIndex::reviewed_examples`] gives an index's), and topical headings
/// taken as `headings` says.
pub fn evaluate_tagging_with(
    folder: &Path,
    corrections: &[(String, Vec<u32>)],
    headings: Headings,
) -> Result<TaggingReport> {
    let call = CallFolder::open(folder)?;
    let labels_path = folder.join("labels.jsonl");
    let text = std::fs::read_to_string(&labels_path).map_err(|source| {
        Error::Call(cfi_core::Error::Io {
            path: labels_path.clone(),
            source,
        })
    })?;
    let mut labels: BTreeMap<String, Vec<Label>> = BTreeMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let label: Label = serde_json::from_str(line).map_err(|e| {
            Error::Call(cfi_core::Error::Call {
                path: labels_path.clone(),
                message: format!("line {}: {e}", n + 1),
            })
        })?;
        labels.entry(label.file.clone()).or_default().push(label);
    }
    let labelled_structure = read_structure(folder)?;
    let analyzer = Analyzer::new(&call.call);
    let mut report = TaggingReport::default();
    // As an ingest does, through the same reader: every file cut first, the model learned
    // from all of them (labelled or not), then the classifier's decisions.
    let mut evidence = Evidence::default();
    let mut cuts = Vec::new();
    for entry in &call.entries {
        match crate::pool::read(entry, &analyzer, &call.call.languages) {
            Ok(read) => {
                evidence.merge(read.learned);
                cuts.push((entry, read.cut));
            }
            Err(error) => {
                if entry.kind == Kind::Input && labels.contains_key(&entry.file) {
                    report.unreadable.push(error.to_string());
                }
            }
        }
    }
    for (text, questions) in corrections {
        evidence.learn_reviewed(analyzer.classifier(), text, questions);
    }
    let classifier = analyzer.classifier().trained(&evidence);
    let mut reliability: Vec<ReliabilityBin> = BINS
        .windows(2)
        .map(|w| ReliabilityBin {
            from: w[0],
            to: w[1],
            ..Default::default()
        })
        .collect();
    for (entry, cut) in cuts {
        if entry.kind != Kind::Input {
            continue;
        }
        let Some(file_labels) = labels.get(&entry.file) else {
            continue;
        };
        let passages = cut.tag(&classifier);
        let structured = passages.iter().any(|p| !named(p).is_empty());
        let classified = passages.iter().any(|p| {
            p.questions
                .iter()
                .any(|q| q.source == cfi_core::TagSource::Classifier)
        });
        let structure = match (structured, classified) {
            (true, false) => "headed",
            (true, true) => "mixed",
            (false, _) => "essay",
        };
        let language = entry.language.clone().unwrap_or_else(|| {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for p in &passages {
                if let Some(l) = &p.language {
                    *counts.entry(l.as_str()).or_default() += 1;
                }
            }
            counts
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map_or_else(|| "unknown".to_string(), |(l, _)| l.to_string())
        });
        let labelled = labelled_structure.get(&entry.file).cloned();
        for (map, key) in [
            (&mut report.by_language, Some(language.clone())),
            (&mut report.by_structure, Some(structure.to_string())),
            (&mut report.by_labelled_structure, labelled.clone()),
        ] {
            let Some(key) = key else { continue };
            let scores = map.entry(key).or_default();
            scores.documents += 1;
            scores.structured += usize::from(structured);
        }
        let mut extra: Vec<Counts> = vec![Counts::default(); 3];
        let mut extra_aligned = 0;
        let category = report
            .by_category
            .entry(entry.category.clone())
            .or_default();
        category.documents += 1;
        category.structured += usize::from(structured);
        let group = if structured {
            &mut report.structured
        } else {
            &mut report.unstructured
        };
        group.documents += 1;
        let folded: Vec<(String, BTreeSet<u32>)> = passages
            .iter()
            .map(|p| {
                (
                    fold(&p.text),
                    p.questions.iter().map(|q| q.number).collect(),
                )
            })
            .collect();
        // Each passage's blocks (its lines), folded: a labelled paragraph is first looked for
        // as a block of its own, so that a heading quoted in a table of contents aligns
        // with the heading itself.
        let lines: Vec<Vec<String>> = passages
            .iter()
            .map(|p| p.text.lines().map(fold).collect())
            .collect();
        for label in file_labels {
            let want = fold(&label.text);
            if want.is_empty() {
                continue;
            }
            // The passage holding the paragraph; for a paragraph split across passages, the
            // one holding its start.
            let start: String = want.chars().take(60).collect();
            let in_lines = lines
                .iter()
                .position(|ls| ls.iter().any(|l| l.starts_with(&want)));
            // Not in any text: the topical heading a passage opens, which carries no tag.
            let heading = in_lines
                .is_none()
                .then(|| {
                    passages
                        .iter()
                        .position(|p| opens_with_topical_heading(p, &want))
                })
                .flatten();
            let at = in_lines
                .or(heading)
                .or_else(|| folded.iter().position(|(t, _)| t.contains(&want)))
                .or_else(|| folded.iter().position(|(t, _)| t.contains(&start)));
            let Some((at, (_, got))) = at.and_then(|i| Some((i, folded.get(i)?))) else {
                group.unaligned += 1;
                continue;
            };
            if heading.is_some() && headings == Headings::Skipped {
                group.headings_skipped += 1;
                continue;
            }
            let untagged = BTreeSet::new();
            let got = if heading.is_some() { &untagged } else { got };
            group.aligned += 1;
            category.aligned += 1;
            extra_aligned += 1;
            let expected: BTreeSet<u32> =
                label.questions.iter().copied().filter(|&q| q > 0).collect();
            for q in expected.union(got) {
                let counts = group.per_question.entry(*q).or_default();
                let [by_language, by_structure, by_labelled] = extra.as_mut_slice() else {
                    continue;
                };
                for counts in [
                    counts,
                    &mut category.counts,
                    by_language,
                    by_structure,
                    by_labelled,
                ] {
                    match (expected.contains(q), got.contains(q)) {
                        (true, true) => counts.true_positives += 1,
                        (false, true) => counts.false_positives += 1,
                        (true, false) => counts.false_negatives += 1,
                        (false, false) => {}
                    }
                }
            }
            if expected != *got {
                group.mismatches.push((
                    entry.file.clone(),
                    label.text.chars().take(90).collect(),
                    expected.iter().copied().collect(),
                    got.iter().copied().collect(),
                ));
            }
            let e = expected.iter().next().copied().unwrap_or(0);
            let g = if got.contains(&e) {
                e
            } else {
                got.iter().next().copied().unwrap_or(0)
            };
            *group.confusion.entry(e).or_default().entry(g).or_default() += 1;
            // Each classifier tag, by its confidence.
            let classifier_tags = passages
                .get(at)
                .into_iter()
                .flat_map(|p| &p.questions)
                .filter(|q| q.source == cfi_core::TagSource::Classifier);
            for tag in classifier_tags {
                let bin = BINS
                    .windows(2)
                    .position(|w| tag.confidence < w[1])
                    .unwrap_or(BINS.len() - 2);
                if let Some(b) = reliability.get_mut(bin) {
                    b.tags += 1;
                    b.correct += u32::from(expected.contains(&tag.number));
                }
            }
        }
        let no_group = String::new();
        for (map, key, counts) in [
            (&mut report.by_language, &language, extra.first().copied()),
            (
                &mut report.by_structure,
                &structure.to_string(),
                extra.get(1).copied(),
            ),
            (
                &mut report.by_labelled_structure,
                labelled.as_ref().unwrap_or(&no_group),
                extra.get(2).copied(),
            ),
        ] {
            if let (Some(scores), Some(counts)) = (map.get_mut(key), counts) {
                scores.aligned += extra_aligned;
                scores.counts.true_positives += counts.true_positives;
                scores.counts.false_positives += counts.false_positives;
                scores.counts.false_negatives += counts.false_negatives;
            }
        }
    }
    report.reliability = reliability;
    Ok(report)
}
