//! Blocks to passages: the document's own paragraphs, very short ones merged with what
//! follows, each tagged with the guiding question whose section it sits in (the headings
//! that open sections are read in `headings.rs`, the page furniture left out in
//! `furniture.rs`; the call-wide tagging of what no heading decides is in `analyzer.rs`).

use cfi_core::{Call, Passage, QuestionTag, TagSource};
use cfi_extract::{Block, BlockKind};

use crate::countries::Gazetteer;
use crate::furniture::{
    is_closing, is_page_number, is_reference, opens_with_place_and_date, signs_for,
};
use crate::headings::{
    Numbering, is_own_section_number, names_a_question, names_an_annex, question_heading,
};
use crate::language::LanguageDetector;
use crate::questions::QuestionForms;

/// Paragraphs shorter than this many words are merged with the next one.
pub(crate) const MIN_WORDS: usize = 40;
/// A passage stops growing at this many words.
const MAX_WORDS: usize = 250;

/// The question section the reader is in.
#[derive(Debug, Default, Clone)]
pub(crate) struct Section {
    pub(crate) questions: Vec<u32>,
    pub(crate) confidence: f32,
    /// Heading level of the question heading, when it was a real heading.
    pub(crate) level: Option<u8>,
    /// Opened by a numbered list item: any real heading is above it and ends it.
    pub(crate) from_list: bool,
}

/// Cuts `blocks` into passages for submission `submission_id`.
pub fn passages(
    submission_id: &str,
    blocks: &[Block],
    call: &Call,
    declared_language: Option<&str>,
    detector: &LanguageDetector,
    gazetteer: &Gazetteer,
) -> Vec<Passage> {
    let forms = QuestionForms::of(call);
    passages_with(
        submission_id,
        blocks,
        call,
        &forms,
        declared_language,
        detector,
        gazetteer,
    )
}

/// [`passages`], with the forms of the call's questions read once for all its documents.
pub(crate) fn passages_with(
    submission_id: &str,
    blocks: &[Block],
    call: &Call,
    forms: &QuestionForms,
    declared_language: Option<&str>,
    detector: &LanguageDetector,
    gazetteer: &Gazetteer,
) -> Vec<Passage> {
    let max = call.questions.iter().map(|q| q.number).max().unwrap_or(0);
    let document_language = {
        let sample: String = blocks
            .iter()
            .flat_map(|b| [b.text.as_str(), " "])
            .take(400)
            .collect();
        declared_language
            .map(str::to_string)
            .or_else(|| detector.detect(&sample, None))
    };
    let mut cutter = Cutter {
        submission_id,
        detector,
        gazetteer,
        language: document_language,
        out: Vec::new(),
        buffer: Vec::new(),
        heading: None,
        opening: None,
    };
    let mut section = Section::default();
    // Running headers and footers are page furniture, not answers.
    let body: Vec<&Block> = blocks
        .iter()
        .filter(|b| b.kind != BlockKind::Running && !is_page_number(&b.text))
        .collect();
    // The last few blocks, where a dated paragraph signs the document off.
    let last_few = body.len().saturating_sub(3);
    // The document's last block may sign it off ([`signs_off_last`]). Taking the short
    // lines before a closing place and date too took recommendations written as bare
    // imperatives ("Dotar a cada escuela de…") for signatures.
    let last = body.len().saturating_sub(1);
    // A document that numbers its own sections ("1. Introduction", "2. Background") does
    // not number them by the questions: its bare numbers name no question. Nor does one
    // that names the questions in words ("Guiding question 2"): its "II." is its own.
    let mut numbering = Numbering {
        bare_numbers: !blocks
            .iter()
            .any(|b| is_own_section_number(b) || names_a_question(b, max)),
        in_sublist: false,
    };
    // Whether the block before this one is text, not a heading (a heading's first
    // paragraph answers it, however short: it does not sign off).
    let mut text_before = false;
    for (at, block) in body.into_iter().enumerate() {
        let after_text = std::mem::replace(
            &mut text_before,
            !matches!(block.kind, BlockKind::Heading { .. }),
        );
        numbering.follow(block, &section);
        if let Some(found) = question_heading(block, forms, max, &section, &numbering) {
            text_before = false;
            cutter.flush(&section);
            cutter.unopened(&section);
            section = found;
            cutter.heading = Some(block.text.clone());
            cutter.buffer.push(block);
            continue;
        }
        match block.kind {
            BlockKind::Heading { level } => {
                cutter.flush(&section);
                cutter.unopened(&section);
                // A heading as high as the question's own starts another topic; any heading
                // is above a numbered list item or a paragraph that opened a question.
                if section.level.is_none_or(|l| level <= l) || section.from_list {
                    section = Section::default();
                }
                // A topical heading stands above the passage it opens, not in its text:
                // it answers no question itself.
                cutter.heading = Some(block.text.clone());
                cutter.opening = Some(block);
            }
            _ if names_an_annex(block) => {
                // "Annex 1: Statistical tables": what follows is the annex, which
                // answers no question by itself; the line stands above it as a heading would.
                cutter.flush(&section);
                cutter.unopened(&section);
                section = Section::default();
                cutter.heading = Some(block.text.clone());
                cutter.buffer.push(block);
            }
            _ if block.kind == BlockKind::Footnote
                || (block.kind == BlockKind::Paragraph && is_reference(&block.text)) =>
            {
                // A footnote is a reference, not an answer: its own passage, untagged (a
                // heading waiting for its text goes on waiting).
                cutter.flush(&section);
                let opening = cutter.opening.take();
                cutter.buffer.push(block);
                cutter.flush(&Section::default());
                cutter.opening = opening;
            }
            _ if is_closing(&block.text)
                || (at >= last_few
                    && (opens_with_place_and_date(&block.text) || signs_for(&block.text)))
                || (at == last && after_text && signs_off_last(block)) =>
            {
                // "Geneva, 4 April 2024", "Yours sincerely": the answers are over.
                cutter.flush(&section);
                cutter.unopened(&section);
                section = Section::default();
                cutter.heading = None;
                cutter.buffer.push(block);
            }
            _ => {
                // A passage closes once long enough, but not in the middle of a sentence
                // that runs on into this block (a page break), nor between a lead-in and
                // its list, nor inside a list or a table.
                let continues = cutter.buffer.last().is_some_and(|last| {
                    let text = last.text.trim_end();
                    let unfinished =
                        !text.ends_with(['.', '!', '?', ';', '"', '»', ')', '”', '。']);
                    let same_run = matches!(
                        (&last.kind, &block.kind),
                        (BlockKind::ListItem { .. }, BlockKind::ListItem { .. })
                            | (BlockKind::TableRow, BlockKind::TableRow)
                            | (BlockKind::SheetRow { .. }, BlockKind::SheetRow { .. })
                    );
                    unfinished || same_run
                });
                let heading_only = cutter
                    .buffer
                    .iter()
                    .all(|b| matches!(b.kind, BlockKind::Heading { .. }));
                if cutter.words() >= MIN_WORDS && !continues && !heading_only {
                    cutter.flush(&section);
                }
                if cutter.words() + word_count(&block.text) > MAX_WORDS {
                    cutter.flush(&section);
                }
                cutter.buffer.push(block);
            }
        }
    }
    cutter.flush(&section);
    cutter.unopened(&section);
    cutter.out
}

/// Words (at most) of a document's last paragraph that signs it off when it asks nothing.
pub(crate) const SIGN_OFF_WORDS: usize = 30;

/// A document's last block, when a short paragraph asking no one to act: a signature
/// ("Директор фонда «Пример», г. Казань"), thanks, a contact. Of the short
/// last paragraphs in nine labelled calls, 118 of 119 answer no question; the one that
/// does asks.
fn signs_off_last(block: &Block) -> bool {
    // A signature opens with a capital; a list's last item ("• обеспечить…", "- Ampliar…"),
    // which a PDF may give as a paragraph, does not.
    let opens_capital = block
        .text
        .trim_start()
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    block.kind == BlockKind::Paragraph
        && opens_capital
        && word_count(&block.text) <= SIGN_OFF_WORDS
        && crate::classifier::asks(&block.text) == 0
}

pub(crate) fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

struct Cutter<'a> {
    submission_id: &'a str,
    detector: &'a LanguageDetector,
    gazetteer: &'a Gazetteer,
    language: Option<String>,
    out: Vec<Passage>,
    buffer: Vec<&'a Block>,
    heading: Option<String>,
    /// A topical heading whose text has not come yet: it opens the next passage.
    opening: Option<&'a Block>,
}

impl<'a> Cutter<'a> {
    /// Words of the passage being cut, the heading it opens with included (a passage is cut
    /// where it was when that heading was its first line).
    fn words(&self) -> usize {
        self.buffer
            .iter()
            .chain(self.opening.as_ref())
            .map(|b| word_count(&b.text))
            .sum()
    }

    /// A topical heading no text followed (another heading came, or the end): a passage
    /// of its own, as it was written.
    fn unopened(&mut self, section: &Section) {
        if let Some(heading) = self.opening.take() {
            self.buffer.push(heading);
            self.flush(section);
        }
    }

    fn flush(&mut self, section: &Section) {
        let Some(first) = self.buffer.first() else {
            return;
        };
        let text = self
            .buffer
            .iter()
            .map(|b| b.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if text.is_empty() {
            // Nothing to open: a heading waiting for its text goes on waiting.
            self.buffer.clear();
            return;
        }
        let opens_section = self.opening.take().is_some();
        let page = first.page;
        let page_end = self
            .buffer
            .iter()
            .filter_map(|b| b.page)
            .max()
            .filter(|&last| Some(last) != page);
        let ordinal = u32::try_from(self.out.len() + 1).unwrap_or(u32::MAX);
        let language = self.detector.detect(&text, self.language.as_deref());
        let questions = section
            .questions
            .iter()
            .map(|&number| QuestionTag {
                number,
                source: TagSource::Heading,
                confidence: section.confidence,
            })
            .collect();
        let mut passage = Passage {
            id: passage_id(self.submission_id, ordinal, &text),
            ordinal,
            heading: self.heading.clone(),
            page,
            page_end,
            page_label: first.page_label.clone(),
            paragraph: first.paragraph,
            language,
            questions,
            mentioned_countries: Vec::new(),
            duplicate_of: None,
            key: false,
            opens_section,
            text,
        };
        // The heading the passage opens names countries too ("The situation in Kenya").
        passage.mentioned_countries = self.gazetteer.mentions(&passage.full_text());
        self.out.push(passage);
        self.buffer.clear();
    }
}

pub use cfi_core::passage_id;

/// Cutting and tagging, end to end: headings, lists, furniture, and what the classifier
/// is left to decide.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::{Analyzer, Cut};

    fn call() -> Call {
        let text = (1..=9)
                .map(|n| {
                    let t = match n {
                        2 => "What practical recommendations would you propose for States, the technology industry and online service providers?",
                        7 => "In the case of generative Artificial Intelligence and end-to-end encryption, what are the challenges?",
                        _ => "Another question about something else entirely here",
                    };
                    format!("[[questions]]\nnumber = {n}\nshort = \"q{n}\"\ntext.en = \"{t}\"\n")
                })
                .collect::<String>();
        crate::test_call(&["en"], &text)
    }

    fn cut(blocks: &[Block]) -> Vec<Passage> {
        passages(
            "s",
            blocks,
            &call(),
            Some("en"),
            &LanguageDetector::default(),
            &Gazetteer::default(),
        )
    }

    fn block(n: u32, kind: BlockKind, text: &str) -> Block {
        Block {
            text: text.into(),
            page: Some(1 + n / 4),
            page_label: None,
            paragraph: n,
            kind,
            ocr: false,
        }
    }

    fn para(n: u32, text: &str) -> Block {
        block(n, BlockKind::Paragraph, text)
    }

    const LONG: &str = "This paragraph has enough words to stand on its own as a passage because it keeps talking about child protection online and the duties of States and companies in the digital environment, with more words added here for length. Another sentence adds a few more words.";

    fn tags(passages: &[Passage]) -> Vec<Vec<u32>> {
        passages
            .iter()
            .map(|p| p.questions.iter().map(|t| t.number).collect())
            .collect()
    }

    #[test]
    fn a_short_last_paragraph_asking_nothing_signs_the_document_off() {
        let h = |n, t| block(n, BlockKind::Heading { level: 2 }, t);
        let signed = cut(&[
            h(1, "Question 9"),
            para(2, LONG),
            para(3, "Директор фонда «Пример», г. Казань"),
        ]);
        assert_eq!(tags(&signed), vec![vec![9], vec![]]);
        // A heading's only paragraph answers it, however short.
        let short = "Offenders contact children on gaming platforms first.";
        assert_eq!(
            tags(&cut(&[
                para(1, "Draft for comment"),
                h(2, "Question 9"),
                para(3, short)
            ])),
            vec![vec![], vec![9]]
        );
        // A request, or a list's last item given as a paragraph, is still the answer.
        for last in [
            "Donors should also fund backup power for schools used as shelters.",
            "• обеспечить школы питьевой водой и бесплатным транспортом до конца года.",
        ] {
            let answered = cut(&[h(1, "Question 9"), para(2, LONG), para(3, last)]);
            assert!(tags(&answered).iter().all(|t| t == &vec![9]), "{last}");
        }
    }

    #[test]
    fn headings_open_sections_and_recommendation_lists_do_not() {
        let blocks = vec![
            para(1, "MINISTRY OF FOREIGN AFFAIRS"),
            para(2, LONG),
            block(3, BlockKind::Heading { level: 2 }, "Question 2"),
            para(4, LONG),
            item(
                5,
                "1.",
                "1. Fund hotlines and give them legal protection to view and report material.",
            ),
            item(
                6,
                "3.",
                "3. Require safety by design in every product used by children.",
            ),
            para(7, LONG),
            block(
                8,
                BlockKind::Heading { level: 2 },
                "In the case of generative Artificial Intelligence and end-to-end encryption, what are the challenges?",
            ),
            para(9, LONG),
            block(10, BlockKind::Heading { level: 1 }, "Conclusion"),
            para(11, LONG),
        ];
        let ps = cut(&blocks);
        assert_eq!(tags(&ps), vec![vec![], vec![2], vec![2], vec![7], vec![]]);
        assert!(
            ps[1].text.starts_with("Question 2\n"),
            "heading words stay searchable"
        );
        assert_eq!(ps[1].heading.as_deref(), Some("Question 2"));
        assert!(ps.iter().all(|p| p.language.as_deref() == Some("en")));
    }

    #[test]
    fn a_question_copied_as_a_numbered_heading_opens_it_even_several_questions_on() {
        let blocks = vec![
            block(1, BlockKind::Heading { level: 2 }, "Question 2"),
            para(2, LONG),
            // Question 7 in other words, numbered and asked: five questions further on.
            para(
                3,
                "7. What challenges do generative AI and encryption raise for this work?",
            ),
            para(4, LONG),
        ];
        assert_eq!(tags(&cut(&blocks)), vec![vec![2], vec![7]]);
        // Not a question (no question mark): a numbered point of the answer to question 2.
        let point = vec![
            block(1, BlockKind::Heading { level: 2 }, "Question 2"),
            para(2, LONG),
            para(
                3,
                "7. Generative AI and encryption raise challenges for this work.",
            ),
            para(4, LONG),
        ];
        assert_eq!(tags(&cut(&point)), vec![vec![2], vec![2]]);
    }

    #[test]
    fn a_heading_ends_a_question_a_paragraph_named() {
        let blocks = vec![
            para(1, "Question 7"),
            para(2, LONG),
            block(2, BlockKind::Heading { level: 2 }, "Next steps we took"),
            para(3, LONG),
        ];
        let passages = cut(&blocks);
        assert_eq!(tags(&passages), vec![vec![7], vec![]]);
        assert_eq!(passages[1].heading.as_deref(), Some("Next steps we took"));
    }

    #[test]
    fn a_document_naming_the_questions_in_words_numbers_its_own_sections() {
        let blocks = vec![
            block(1, BlockKind::Heading { level: 1 }, "II. Observations"),
            para(2, LONG),
            block(
                3,
                BlockKind::Heading { level: 1 },
                "III. Answers to selected guiding questions",
            ),
            para(4, "Guiding question 2 – Recommendations"),
            block(
                5,
                BlockKind::ListItem {
                    level: 0,
                    label: Some("•".into()),
                },
                "States should adopt safety by design duties.",
            ),
            para(6, "Guiding question 7: Encryption"),
            para(7, LONG),
        ];
        let passages = cut(&blocks);
        let by_heading: Vec<(Option<&str>, Vec<u32>)> = passages
            .iter()
            .map(|p| {
                (
                    p.heading.as_deref(),
                    p.questions.iter().map(|q| q.number).collect(),
                )
            })
            .collect();
        assert_eq!(
            by_heading,
            vec![
                (Some("II. Observations"), vec![]),
                (Some("III. Answers to selected guiding questions"), vec![]),
                (Some("Guiding question 2 – Recommendations"), vec![2]),
                (Some("Guiding question 7: Encryption"), vec![7]),
            ],
            "{passages:#?}"
        );
    }

    #[test]
    fn a_long_paragraph_opening_with_a_question_lead_answers_that_question() {
        let run_in = format!("Guiding question 5 – {LONG}");
        let spanish = format!("Pregunta 8: {LONG}");
        let about = format!("Question 3 is the hardest to answer, because {LONG}");
        let blocks = vec![para(1, &run_in), para(2, &about), para(3, &spanish)];
        assert_eq!(tags(&cut(&blocks)), vec![vec![5], vec![5], vec![8]]);
    }

    #[test]
    fn a_topical_heading_stands_above_the_passage_it_opens() {
        let short = "Rural schools have no connection at all.";
        let blocks = vec![
            block(1, BlockKind::Heading { level: 1 }, "Access in rural areas"),
            block(2, BlockKind::Footnote, "1 A footnote."),
            para(3, LONG),
            para(4, LONG),
            block(5, BlockKind::Heading { level: 1 }, "II. Observations"),
            block(6, BlockKind::Heading { level: 2 }, "Costs"),
            para(7, short),
            para(8, LONG),
            block(9, BlockKind::Heading { level: 2 }, "Question 2"),
            para(10, LONG),
        ];
        let ps = cut(&blocks);
        let shown: Vec<(&str, Option<&str>, bool)> = ps
            .iter()
            .map(|p| {
                (
                    p.text.lines().next().unwrap_or_default(),
                    p.heading.as_deref(),
                    p.opens_section,
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("1 A footnote.", Some("Access in rural areas"), false),
                (LONG, Some("Access in rural areas"), true),
                (LONG, Some("Access in rural areas"), false),
                // No text followed it: a passage of its own, as written.
                ("II. Observations", Some("II. Observations"), false),
                (short, Some("Costs"), true),
                // A heading naming a question is the first line of the text it tags.
                ("Question 2", Some("Question 2"), false),
            ]
        );
        // Its words are searched and classified with the passage, which keeps the length
        // it had with the heading as its first line ("Costs" and the short paragraph
        // still wait for the next one).
        assert_eq!(
            ps[1].full_text(),
            format!("Access in rural areas\n{LONG}").as_str()
        );
        assert_eq!(ps[4].text, format!("{short}\n{LONG}"));
        assert!(ps[4].questions.is_empty());
        assert_eq!(tags(&ps).last(), Some(&vec![2]));
    }

    #[test]
    fn bare_numbered_headings_move_forward_only() {
        let blocks = vec![
            block(1, BlockKind::Heading { level: 1 }, "1. Facilitation"),
            para(2, LONG),
            block(3, BlockKind::Heading { level: 1 }, "III. Gaps in the law"),
            para(4, LONG),
        ];
        let ps = cut(&blocks);
        assert_eq!(tags(&ps), vec![vec![1], vec![3]]);
    }

    fn item(n: u32, label: &str, text: &str) -> Block {
        block(
            n,
            BlockKind::ListItem {
                level: 0,
                label: Some(label.into()),
            },
            text,
        )
    }

    #[test]
    fn numbered_items_with_run_in_titles_open_questions() {
        let blocks = vec![
            para(1, LONG),
            item(
                2,
                "1.",
                "1. Use of technology to facilitate abuse. The police report that offenders mainly use social media and games to reach children, and the rest of this answer goes on for a while.",
            ),
            item(
                3,
                "2.",
                "2. Practical recommendations. Malaysia proposes the following measures to States and companies, set out in the list below with reasons for each.",
            ),
            item(
                4,
                "3.",
                "3. Remaining gaps. The law criminalises grooming, but courts and police lack the training and the tools to apply it to offences committed online.",
            ),
        ];
        let ps = cut(&blocks);
        assert_eq!(tags(&ps), vec![vec![], vec![1], vec![2], vec![3]]);
        // A heading after them is above the list: question 3 ends there.
        let mut blocks = blocks;
        blocks.push(block(
            5,
            BlockKind::Heading { level: 2 },
            "Summary of cases investigated",
        ));
        blocks.push(para(6, LONG));
        let ps = cut(&blocks);
        assert_eq!(
            tags(&ps),
            vec![vec![], vec![1], vec![2], vec![3], vec![]],
            "{ps:#?}"
        );
    }

    #[test]
    fn a_list_numbered_again_under_a_question_is_its_points() {
        let blocks = vec![
            block(1, BlockKind::Heading { level: 2 }, "Question 2"),
            para(2, LONG),
            item(
                3,
                "1.",
                "1. Fund hotlines. They need money for staff and analysts every year, not project grants.",
            ),
            item(
                4,
                "2.",
                "2. Train police. Officers need to know what sextortion is and how to help the child who reports it.",
            ),
            item(
                5,
                "3.",
                "3. Teach children. Schools should cover consent, privacy and where to get help in every year of study.",
            ),
            item(
                6,
                "4.",
                "4. Design for safety. Companies should make child accounts private by default and reporting easy.",
            ),
        ];
        let ps = cut(&blocks);
        assert!(
            ps.iter()
                .all(|p| tags(std::slice::from_ref(p)) == vec![vec![2]]),
            "{:#?}",
            tags(&ps)
        );
    }

    #[test]
    fn a_document_numbering_its_own_sections_names_no_question_by_number() {
        let blocks = vec![
            block(1, BlockKind::Heading { level: 1 }, "1. Introduction"),
            para(2, LONG),
            block(
                3,
                BlockKind::Heading { level: 1 },
                "2. Trends observed by member States",
            ),
            para(4, LONG),
            block(5, BlockKind::Heading { level: 1 }, "3. Recommendations"),
            para(6, LONG),
        ];
        let ps = cut(&blocks);
        assert!(
            ps.iter()
                .all(|p| p.questions.iter().all(|q| q.source != TagSource::Heading)),
            "{:#?}",
            tags(&ps)
        );
    }

    #[test]
    fn lists_stay_with_their_lead_in_and_sentences_are_not_split() {
        let item = |n, text: &str| {
            block(
                n,
                BlockKind::ListItem {
                    level: 0,
                    label: None,
                },
                text,
            )
        };
        let blocks = vec![
            para(1, LONG),
            para(
                2,
                "We recommend that States and companies take the following steps without delay:",
            ),
            item(3, "fund hotlines;"),
            item(4, "require safety by design;"),
            item(5, "train police."),
            para(6, LONG),
        ];
        let ps = cut(&blocks);
        // The lead-in and its items are too short to stand alone, so the next paragraph
        // joins them; what matters is that the list is never cut from its lead-in.
        assert_eq!(ps.len(), 2, "{ps:#?}");
        assert!(ps[1].text.starts_with("We recommend") && ps[1].text.contains("train police."));

        // A sentence running over a page break stays in one passage citing both pages.
        let blocks = vec![
            para(
                3,
                "This long paragraph keeps describing the national strategy, its budget, the hotline, the police unit and the schools programme across many lines until the page ends in the middle of",
            ),
            para(4, "a sentence, which goes on here on the next page."),
        ];
        let ps = cut(&blocks);
        assert_eq!(ps.len(), 1);
        assert_eq!((ps[0].page, ps[0].page_end), (Some(1), Some(2)));
    }

    #[test]
    fn the_classifier_decides_topical_sections_not_the_presentation_or_references() {
        let analyzer = Analyzer::new(&call());
        let h = |n, text| block(n, BlockKind::Heading { level: 1 }, text);
        let text_of = |cut: &Cut| -> Vec<String> {
            cut.to_classify(analyzer.classifier())
                .iter()
                .filter_map(|&i| cut.passages.get(i))
                .map(|p| p.full_text().lines().next().unwrap_or_default().to_string())
                .collect()
        };
        // An essay: its first paragraph under the title presents the submitter.
        let essay = [
            h(1, "Input of the Example Network"),
            para(2, LONG),
            h(3, "Trends in reports"),
            para(4, LONG),
            h(5, "2. Introduction"),
            para(6, LONG),
            h(7, "References"),
            para(8, LONG),
            h(9, "Annex – Member States that submitted reports"),
            para(10, LONG),
            h(11, "Anexo 2: cifras"),
            para(12, LONG),
            h(13, "Annexation of data by platforms"),
            para(14, LONG),
            h(15, "II. General observations"),
            para(16, LONG),
        ];
        let cut = analyzer.cut("s", &essay, Some("en"));
        assert_eq!(
            text_of(&cut),
            vec!["Trends in reports", "Annexation of data by platforms"]
        );
        // A document naming questions: a topical section before the first question is
        // decided by the classifier, the introduction under the title is not.
        let mixed = [
            h(1, "Input of the Example Network"),
            para(2, LONG),
            h(3, "Trends in reports"),
            para(4, LONG),
            h(5, "Question 7"),
            para(6, LONG),
            h(7, "Generative AI"),
            para(8, LONG),
        ];
        let cut = analyzer.cut("s", &mixed, Some("en"));
        assert_eq!(text_of(&cut), vec!["Trends in reports", "Generative AI"]);
        assert!(cut.needs_classifier());
    }

    #[test]
    fn the_presentation_after_a_notice_every_file_opens_with_is_not_tagged() {
        let analyzer = Analyzer::new(&call());
        let h = |n, text: &str| block(n, BlockKind::Heading { level: 1 }, text);
        let notice = "This document was written for an evaluation exercise and every figure in it \
                      is illustrative only. The organisation named below and all its programmes on \
                      children and online services are described for testing, not taken from any \
                      real submission.";
        let presentation = |name: &str| {
            format!(
                "The {name} brings together forty organisations working with children and \
                 families in nine regions, and has run a helpline on online harm since 2019; this \
                 paper draws on its casework and on a workshop with sixty adolescents held in March."
            )
        };
        let document = |title: &str, name: &str| {
            [
                h(1, title),
                para(2, notice),
                para(3, &presentation(name)),
                h(4, "Trends in reports"),
                para(5, LONG),
            ]
        };
        // Untrained, the first substantive passage (the notice) is taken for the presentation.
        let cut = analyzer.cut(
            "s",
            &document("Input of the Example Network", "Example Network"),
            Some("en"),
        );
        let first_lines = |indices: Vec<usize>| -> Vec<String> {
            indices
                .iter()
                .filter_map(|&i| cut.passages.get(i))
                .map(|p| {
                    p.text
                        .split_whitespace()
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        assert_eq!(
            first_lines(cut.to_classify(analyzer.classifier())),
            vec!["The Example Network", "This paragraph has"]
        );
        // Once the call shows that five files open with the notice, it is boilerplate: the
        // presentation after it is the one left out, and the notice with it.
        let mut evidence = crate::Evidence::default();
        for n in 0..5 {
            let name = format!("Network number {n}");
            let title = format!("Input of the {name}");
            let other = analyzer.cut("s", &document(&title, &name), Some("en"));
            evidence.learn(analyzer.classifier(), &other.passages);
        }
        let trained = analyzer.classifier().trained(&evidence);
        assert_eq!(
            first_lines(cut.to_classify(&trained)),
            vec!["This paragraph has"]
        );
    }

    #[test]
    fn a_headed_document_whose_only_other_passage_presents_it_waits_for_no_classifier() {
        let analyzer = Analyzer::new(&call());
        let h = |n, text: &str| block(n, BlockKind::Heading { level: 1 }, text);
        let headed = [
            h(1, "Input of the Example Network"),
            para(2, LONG),
            h(3, "Question 7"),
            para(4, LONG),
        ];
        assert!(!analyzer.cut("s", &headed, Some("en")).needs_classifier());
        let with_topic = [
            h(1, "Input of the Example Network"),
            para(2, LONG),
            h(3, "Question 7"),
            para(4, LONG),
            h(5, "Image tools"),
            para(6, LONG),
        ];
        assert!(
            analyzer
                .cut("s", &with_topic, Some("en"))
                .needs_classifier()
        );
    }

    #[test]
    fn a_numbered_heading_in_its_question_s_words_opens_it_where_paragraphs_are_numbered_too() {
        let h = |n, t| block(n, BlockKind::Heading { level: 2 }, t);
        let numbered = format!("1. {LONG}");
        let passages = cut(&[
            para(1, &numbered),
            h(
                2,
                "7) Generative intelligence and the encryption challenges",
            ),
            para(3, LONG),
            h(4, "3) Our work in schools"),
            para(5, LONG),
        ]);
        // "3)" is a number the document gives its own section: its words are not question 3's.
        assert_eq!(tags(&passages), vec![vec![], vec![7], vec![]]);
    }

    #[test]
    fn a_topical_heading_in_a_question_s_words_hints_at_it() {
        let analyzer = Analyzer::new(&call());
        let h = |n, text| block(n, BlockKind::Heading { level: 1 }, text);
        // Between questions 2 and 7 by its words alone.
        let text = "Members of the industry described the challenges they face in the \
                    case of new tools, in a series of meetings held over two years with their \
                    staff and with ours, and what the providers told us then.";
        let scores = analyzer.classifier().scores(text).expect("judged");
        let best = scores
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|s| s.0);
        assert_eq!(best, Some(2), "{scores:?}");
        let blocks = [
            para(1, LONG),
            para(2, LONG),
            h(3, "Generative artificial intelligence and encryption"),
            para(4, LONG),
            // The heading's words are in the first passage of its section, not in this one.
            para(5, text),
        ];
        let passages = analyzer
            .cut("s", &blocks, Some("en"))
            .tag(analyzer.classifier());
        let hinted = passages
            .iter()
            .find(|p| p.text.starts_with("Members of"))
            .expect("passage");
        assert_eq!(
            hinted.questions.first().map(|q| q.number),
            Some(7),
            "{passages:#?}"
        );
    }

    #[test]
    fn annexes_answer_no_question() {
        let analyzer = Analyzer::new(&call());
        let h = |n, t| block(n, BlockKind::Heading { level: 2 }, t);
        let blocks = [
            h(1, "Question 7"),
            para(2, LONG),
            item(
                3,
                "•",
                "Annex 1: Statistical tables on hotline reports, 2021-2023",
            ),
            para(4, LONG),
            h(5, "Annexes"),
            para(6, LONG),
            para(
                7,
                "[1] Red Ejemplo, Informe anual sobre las denuncias recibidas por la línea de ayuda, 2023, con cifras por región, por edad y por tipo de caso.",
            ),
        ];
        let passages = analyzer
            .cut("s", &blocks, Some("en"))
            .tag(analyzer.classifier());
        assert_eq!(
            tags(&passages),
            vec![vec![7], vec![], vec![], vec![]],
            "{passages:#?}"
        );
        // A sentence about an annex is not its title.
        assert!(!names_an_annex(&para(
            1,
            "Annex 2 shows that most inspections found no child"
        )));
        assert!(names_an_annex(&para(
            1,
            "Приложение 2. Карта районов проверки"
        )));
    }

    #[test]
    fn a_topical_section_answers_other_questions_than_those_the_document_heads() {
        let analyzer = Analyzer::new(&call());
        let h = |n, text| block(n, BlockKind::Heading { level: 1 }, text);
        let topical = "In the case of generative Artificial Intelligence and end-to-end \
                       encryption, the challenges are many, and we propose practical \
                       recommendations for States and the technology industry on them.";
        let scores = analyzer.classifier().scores(topical).expect("judged");
        let best = scores
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|s| s.0);
        assert_eq!(
            best,
            Some(7),
            "alone, the text reads as question 7: {scores:?}"
        );
        let blocks = [
            h(1, "Question 7"),
            para(2, LONG),
            h(3, "Our proposals"),
            para(4, topical),
        ];
        let passages = analyzer
            .cut("s", &blocks, Some("en"))
            .tag(analyzer.classifier());
        let proposals = passages
            .iter()
            .find(|p| p.text.starts_with("In the case"))
            .expect("passage");
        assert_eq!(
            proposals.questions.first().map(|q| q.number),
            Some(2),
            "{passages:#?}"
        );
    }

    #[test]
    fn a_table_too_short_to_judge_takes_what_its_short_section_says() {
        let analyzer = Analyzer::new(&call());
        let h = |n, text| block(n, BlockKind::Heading { level: 1 }, text);
        let row = |n, text| block(n, BlockKind::TableRow, text);
        let blocks = [
            h(1, "Input of the Example Network"),
            para(2, LONG),
            h(3, "Synthetic images"),
            para(
                4,
                "Generative artificial intelligence now produces realistic images of children, and \
                 end-to-end encryption hides their exchange: the challenges of generative \
                 Artificial Intelligence and of end-to-end encryption are the first our analysts \
                 raise, and they grow every month in the reports we receive and assess.",
            ),
            row(5, "Year Reports Removed"),
            row(6, "2023 1,047 866"),
        ];
        let passages = analyzer
            .cut("s", &blocks, Some("en"))
            .tag(analyzer.classifier());
        let table = passages
            .iter()
            .find(|p| p.text.starts_with("Year Reports"))
            .expect("table passage");
        // Too short to judge alone, the table takes its section's question.
        assert_eq!(
            table.questions.iter().map(|q| q.number).collect::<Vec<_>>(),
            vec![7],
            "{passages:#?}"
        );
        assert!(analyzer.classifier().classify(&table.text).is_empty());
    }

    #[test]
    fn running_headers_and_footers_are_not_in_passages() {
        let blocks = vec![
            block(
                1,
                BlockKind::Running,
                "Kestrelwave Technologies Inc. — Submission",
            ),
            para(2, LONG),
            block(3, BlockKind::Running, "Confidential · page 1 of 2"),
            para(4, LONG),
        ];
        let ps = cut(&blocks);
        assert!(!ps.is_empty());
        for p in &ps {
            assert!(
                !p.text.contains("Kestrelwave") && !p.text.contains("Confidential"),
                "{p:#?}"
            );
        }
    }

    #[test]
    fn page_number_lines_are_not_passages() {
        for text in [
            "3",
            "- 3 -",
            "Page 1 of 1",
            "Página 3 de 8",
            "3 / 8",
            "Стр. 3",
            "page 2",
        ] {
            assert!(is_page_number(text), "{text}");
        }
        for text in [
            "Law No. 21.575",
            "Question 3",
            "2023 | 318 | 455",
            "Page layout matters",
        ] {
            assert!(!is_page_number(text), "{text}");
        }
    }

    #[test]
    fn ids_are_stable_and_pages_span() {
        let blocks = vec![para(3, "Short start."), para(4, LONG)];
        let a = cut(&blocks);
        let b = cut(&blocks);
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].page, Some(1));
        assert_eq!(a[0].page_end, Some(2));
        assert!(a[0].id.starts_with("s-001-"));
    }
}
