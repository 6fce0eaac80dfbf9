//! The tagging of one call's passages: the [`Analyzer`] cuts a submission into passages
//! tagged by its question headings ([`Cut`]), and once the model has learned from every
//! submission of the call, [`Cut::tag`] lets it decide what no heading did.

use cfi_core::{Call, Passage, QuestionTag, TagSource};
use cfi_extract::Block;

use crate::classifier::QuestionClassifier;
use crate::countries::Gazetteer;
use crate::furniture::{is_closing, is_reference};
use crate::headings::{is_framing_heading, presents_submission};
use crate::language::LanguageDetector;
use crate::passages::{MIN_WORDS, SIGN_OFF_WORDS, passages_with, word_count};
use crate::questions::QuestionForms;

/// Everything needed to cut and tag the passages of one call's submissions, built once.
pub struct Analyzer {
    call: Call,
    /// The forms of the call's questions a heading may take, read once.
    forms: QuestionForms,
    detector: LanguageDetector,
    gazetteer: Gazetteer,
    classifier: QuestionClassifier,
}

impl Analyzer {
    /// The analyzer for a call's submissions.
    pub fn new(call: &Call) -> Analyzer {
        Analyzer {
            call: call.clone(),
            forms: QuestionForms::of(call),
            detector: LanguageDetector::default(),
            gazetteer: Gazetteer::default(),
            classifier: QuestionClassifier::new(call),
        }
    }

    /// Cuts `blocks` into tagged passages for submission `submission_id`, with the model
    /// built from the call's question texts alone. An ingest run uses [`Analyzer::cut`] and
    /// [`Cut::tag`] instead, with a model learned from all the call's submissions.
    pub fn passages(
        &self,
        submission_id: &str,
        blocks: &[Block],
        declared_language: Option<&str>,
    ) -> Vec<Passage> {
        self.cut(submission_id, blocks, declared_language)
            .tag(&self.classifier)
    }

    /// The model built from the call's question texts and keywords.
    pub fn classifier(&self) -> &QuestionClassifier {
        &self.classifier
    }

    /// Cuts `blocks` into passages tagged by the document's question headings, and notes
    /// which passages the classifier is to decide.
    pub fn cut(
        &self,
        submission_id: &str,
        blocks: &[Block],
        declared_language: Option<&str>,
    ) -> Cut {
        let passages = passages_with(
            submission_id,
            blocks,
            &self.call,
            &self.forms,
            declared_language,
            &self.detector,
            &self.gazetteer,
        );
        // In a document that names no question, every passage is classified. In one that
        // does, the text outside question sections is mostly letterhead, introduction and
        // closing: only passages under a topical heading of their own are classified
        // ("Trends in reports" before the first question, "Generative AI" after one).
        // Sections that frame the submission (an introduction, references) are not.
        let first_named = passages.iter().position(|p| !named(p).is_empty());
        let title = passages.iter().find_map(|p| p.heading.as_deref());
        let classify = |i: usize, p: &Passage| match first_named {
            Some(first) => (i > first || p.heading.as_deref() != title) && p.heading.is_some(),
            None => true,
        };
        // A document of a notice, an answer and a sign-off, at least: its last passage when
        // it signs off.
        let signed_from = match passages.last() {
            Some(last) if passages.len() >= 3 && signs_off(last) => passages.len() - 1,
            _ => passages.len(),
        };
        let unnamed: Vec<usize> = passages
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                p.questions.is_empty()
                    && classify(*i, p)
                    && !p.heading.as_deref().is_some_and(is_framing_heading)
                    && *i < signed_from
                    && !opens_with(p, is_closing)
                    && !opens_with(p, is_reference)
            })
            .map(|(i, _)| i)
            .collect();
        // The first thing a submission says, under its title (or a heading that presents
        // the submission, "Input to the call for…"), presents it: one of the first two
        // substantive passages there, the first that is more than the call's boilerplate
        // (a notice every file opens with), which only the trained model knows.
        let presenting = unnamed
            .iter()
            .copied()
            .filter(|&i| {
                passages
                    .get(i)
                    .is_some_and(|p| word_count(&p.full_text()) >= MIN_WORDS)
            })
            .take(PRESENTING_CANDIDATES)
            .take_while(|&i| {
                passages.get(i).is_some_and(|p| {
                    p.heading.is_none()
                        || p.heading.as_deref() == title
                        || p.heading.as_deref().is_some_and(presents_submission)
                })
            })
            .collect();
        // A topical heading in one question's own words ("Inspections and sanctions"):
        // a hint for the passages under it ([`HEADING_HINT`]).
        let hints = passages
            .iter()
            .map(|p| p.heading.as_deref().and_then(|h| self.forms.titled(h)))
            .collect();
        Cut {
            passages,
            unnamed,
            presenting,
            hints,
        }
    }
}

/// A passage that may sign a document off where it ends: a short line opening with a capital
/// and asking no one to act (a signature, "With our thanks for this opportunity",
/// "E-mail: office@example.org"; see `passages::signs_off_last`), not a table nor a heading's text.
fn signs_off(passage: &Passage) -> bool {
    let opens_capital = passage.text.chars().next().is_some_and(char::is_uppercase);
    opens_capital
        && !passage.opens_section
        && passage.text.lines().count() == 1
        && word_count(&passage.text) <= SIGN_OFF_WORDS
        && crate::classifier::asks(&passage.text) == 0
}

/// Whether the first line of `passage` is a closing ("Yours sincerely") or a
/// reference ("[2] A. Author, Title, 2029."): neither answers a question, and a passage
/// opening with one is not classified.
fn opens_with(passage: &Passage, test: fn(&str) -> bool) -> bool {
    test(passage.text.lines().next().unwrap_or_default())
}

/// Substantive passages at a submission's start that may be the one presenting it.
const PRESENTING_CANDIDATES: usize = 2;

/// One submission's passages, tagged by its headings, waiting for the classifier.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Cut {
    /// The passages.
    pub passages: Vec<Passage>,
    /// Those the classifier is to tag.
    pub(crate) unnamed: Vec<usize>,
    /// Among them, those that may present the submitter, in order: the first that is not
    /// the call's boilerplate is left untagged.
    #[serde(default)]
    pub(crate) presenting: Vec<usize>,
    /// Per passage, the question its topical heading words as its own, if one.
    #[serde(default)]
    pub(crate) hints: Vec<Option<u32>>,
}

impl Cut {
    /// Whether the classifier has anything to decide here: passages under no question, or
    /// under a heading naming several. A lone passage that may present the submitter is
    /// never classified ([`Cut::to_classify`]), so it decides nothing.
    pub fn needs_classifier(&self) -> bool {
        let lone = match self.presenting.as_slice() {
            [only] => Some(*only),
            _ => None,
        };
        self.unnamed.iter().any(|&i| Some(i) != lone)
            || self.passages.iter().any(|p| named(p).len() > 1)
    }

    /// The passages the classifier is to tag: not the one presenting the submitter, nor
    /// the call's boilerplate before it (the first candidate where all of them are mostly
    /// boilerplate).
    pub(crate) fn to_classify(&self, classifier: &QuestionClassifier) -> Vec<usize> {
        let presentation = self
            .presenting
            .iter()
            .position(|&i| {
                self.passages.get(i).is_some_and(|p| {
                    word_count(&classifier.without_boilerplate(&p.full_text())) >= MIN_WORDS
                })
            })
            .unwrap_or(0);
        let opening = self.presenting.get(..=presentation).unwrap_or_default();
        self.unnamed
            .iter()
            .copied()
            .filter(|i| !opening.contains(i))
            .collect()
    }

    /// The passages with the classifier's decisions.
    pub fn tag(self, classifier: &QuestionClassifier) -> Vec<Passage> {
        let unnamed = self.to_classify(classifier);
        let mut out = self.passages;
        // The questions this document answers under headings of their own: its topical
        // sections mostly answer others ([`HEADED_ELSEWHERE`]).
        let headed: std::collections::BTreeSet<u32> = out.iter().flat_map(named).collect();
        let hints = self.hints;
        let elsewhere = |i: usize, mut scores: Vec<(u32, f32)>| {
            let hint = hints.get(i).copied().flatten();
            for (q, s) in &mut scores {
                if headed.contains(q) {
                    *s -= HEADED_ELSEWHERE;
                }
                if hint == Some(*q) {
                    *s += HEADING_HINT;
                }
            }
            scores
        };
        // Under a heading naming several questions, a passage that clearly answers one of
        // them keeps only that one.
        for passage in &mut out {
            let named = named(passage);
            if named.len() < 2 {
                continue;
            }
            if let Some(number) = classifier.choose(&passage.full_text(), &named) {
                passage.questions.retain(|q| q.number == number);
            }
        }
        // Each passage is judged by itself (judging a short topical section as a whole, as
        // before, tagged every paragraph of it with one question: worse on essays whose
        // sections cover several). Under the document's title or in a long section, a
        // passage too short to judge stays untagged.
        let title = out.iter().find_map(|p| p.heading.clone());
        let mut decided: Vec<Option<Vec<(u32, f32)>>> = vec![None; out.len()];
        for run in sections(&unnamed, &out) {
            let heading = run
                .first()
                .and_then(|&i| out.get(i))
                .and_then(|p| p.heading.as_deref());
            let whole =
                heading.is_some() && heading != title.as_deref() && run.len() <= SECTION_PASSAGES;
            // In a topical section of a few passages ("Project Lighthouse pilot": a paragraph
            // and its table), one too short to judge alone takes what the section as a whole
            // says: judged once, when such a passage needs it.
            let judge_section = || {
                if !whole {
                    return None;
                }
                let joined: Vec<std::borrow::Cow<'_, str>> = run
                    .iter()
                    .filter_map(|&i| out.get(i))
                    .map(Passage::full_text)
                    .collect();
                classifier.scores(&joined.join("\n"))
            };
            let mut section = None;
            for &i in run {
                let Some(passage) = out.get(i) else {
                    continue;
                };
                let tags = classifier
                    .scores(&passage.full_text())
                    .or_else(|| section.get_or_insert_with(judge_section).clone())
                    .map(|s| classifier.decide(&elsewhere(i, s)))
                    .unwrap_or_default();
                if let Some(slot) = decided.get_mut(i) {
                    *slot = Some(tags);
                }
            }
        }
        for (passage, tags) in out.iter_mut().zip(decided) {
            if let Some(tags) = tags {
                passage.questions = tags
                    .into_iter()
                    .map(|(number, confidence)| QuestionTag {
                        number,
                        source: TagSource::Classifier,
                        confidence,
                    })
                    .collect();
            }
        }
        out
    }
}

/// The questions a heading names for `passage`.
pub(crate) fn named(passage: &Passage) -> Vec<u32> {
    passage
        .questions
        .iter()
        .filter(|q| q.source == TagSource::Heading)
        .map(|q| q.number)
        .collect()
}

/// Runs of consecutive passages (by position in `passages`) under the same heading, among
/// those listed in `indices`.
fn sections<'a>(indices: &'a [usize], passages: &[Passage]) -> Vec<&'a [usize]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for k in 1..=indices.len() {
        let same = match (indices.get(k - 1), indices.get(k)) {
            (Some(&a), Some(&b)) => {
                b == a + 1
                    && passages.get(a).map(|p| &p.heading) == passages.get(b).map(|p| &p.heading)
            }
            _ => false,
        };
        if !same {
            if let Some(run) = indices.get(start..k) {
                runs.push(run);
            }
            start = k;
        }
    }
    runs
}

/// What a question the document answers under a heading of its own loses in the
/// log-likelihood of a passage outside those sections. A submitter who heads some answers
/// "Question 4" puts what it says on question 4 there: in the mixed documents of eight
/// labelled calls, 13% of the paragraphs in topical sections answer only questions the
/// document heads (53 of 419), where about 40% would by chance. Of 1, 2, 4, 5, 6 and 10,
/// each gained on most of those calls' mixed documents; 5 gained on all of them (+0.01 to
/// +0.09 F1, the demo and sale calls unchanged) and 10 lost on two.
const HEADED_ELSEWHERE: f32 = 5.0;

/// What a question gains in the log-likelihood of a passage under a topical heading worded
/// in that question's own words and no other's ("Inspections and sanctions" for
/// "How effective are labour inspections and the sanctions they lead to?": two content words or more, two thirds
/// of them the question's). A heading that names a topic tells what its section is about,
/// but not as surely as one naming the question, so the text can still outweigh it.
/// 2, 4, 6 and 8 all gained on the studied calls' essays and mixed documents and lost on
/// none (+0.01 to +0.04 F1 at 6).
const HEADING_HINT: f32 = 6.0;

/// In a topical section of at most this many passages, the passages too short to judge
/// alone take the section's tags.
const SECTION_PASSAGES: usize = 3;
