//! Blocks to passages: the document's own paragraphs, very short ones merged with what
//! follows, each tagged with the guiding question whose section it sits in.

use cfi_core::{Call, Passage, QuestionTag, TagSource};
use cfi_extract::{Block, BlockKind};

use crate::classifier::QuestionClassifier;
use crate::countries::Gazetteer;
use crate::language::LanguageDetector;
use crate::questions;

/// Everything needed to cut and tag the passages of one call's submissions, built once.
pub struct Analyzer {
    call: Call,
    detector: LanguageDetector,
    gazetteer: Gazetteer,
    classifier: QuestionClassifier,
}

impl Analyzer {
    /// The analyzer for a call's submissions.
    pub fn new(call: &Call) -> Analyzer {
        Analyzer {
            call: call.clone(),
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
        let passages = passages(
            submission_id,
            blocks,
            &self.call,
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
        let mut unnamed: Vec<usize> = passages
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                p.questions.is_empty()
                    && classify(*i, p)
                    && !p.heading.as_deref().is_some_and(is_framing_heading)
            })
            .map(|(i, _)| i)
            .collect();
        // The first thing a submission says, under its title (or a heading that presents
        // the submission, "Input to the call for…"), presents it.
        let substantive = unnamed.iter().position(|&i| {
            passages
                .get(i)
                .is_some_and(|p| word_count(&p.text) >= MIN_WORDS)
        });
        if let Some(first) = substantive
            && unnamed
                .get(first)
                .and_then(|&i| passages.get(i))
                .is_some_and(|p| {
                    p.heading.is_none()
                        || p.heading.as_deref() == title
                        || p.heading.as_deref().is_some_and(presents_submission)
                })
        {
            unnamed.remove(first);
        }
        Cut { passages, unnamed }
    }
}

/// One submission's passages, tagged by its headings, waiting for the classifier.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Cut {
    /// The passages.
    pub passages: Vec<Passage>,
    /// Those the classifier is to tag.
    unnamed: Vec<usize>,
}

impl Cut {
    /// Whether the classifier has anything to decide here: passages under no question, or
    /// under a heading naming several.
    pub fn needs_classifier(&self) -> bool {
        !self.unnamed.is_empty() || self.passages.iter().any(|p| named(p).len() > 1)
    }

    /// The passages with the classifier's decisions.
    pub fn tag(self, classifier: &QuestionClassifier) -> Vec<Passage> {
        let Cut {
            passages: mut out,
            unnamed,
        } = self;
        // Under a heading naming several questions, a passage that clearly answers one of
        // them keeps only that one.
        for passage in &mut out {
            let named = named(passage);
            if named.len() < 2 {
                continue;
            }
            if let Some(number) = classifier.choose(&passage.text, &named) {
                passage.questions.retain(|q| q.number == number);
            }
        }
        // A topical section of a few passages ("Project Lighthouse pilot": a paragraph and
        // its table) answers one question: it is judged as a whole, which also decides its
        // parts too short to judge alone. Under the document's title, or in a long section,
        // each passage is judged by itself.
        let title = out.iter().find_map(|p| p.heading.clone());
        let mut decided: Vec<Option<Vec<(u32, f32)>>> = vec![None; out.len()];
        for run in sections(&unnamed, &out) {
            let heading = run
                .first()
                .and_then(|&i| out.get(i))
                .and_then(|p| p.heading.as_deref());
            let whole =
                heading.is_some() && heading != title.as_deref() && run.len() <= SECTION_PASSAGES;
            if whole {
                let joined: Vec<&str> = run
                    .iter()
                    .filter_map(|&i| out.get(i))
                    .map(|p| p.text.as_str())
                    .collect();
                let tags = classifier.classify(&joined.join("\n"));
                for &i in run {
                    if let Some(slot) = decided.get_mut(i) {
                        *slot = Some(tags.clone());
                    }
                }
            } else {
                for &i in run {
                    if let (Some(slot), Some(passage)) = (decided.get_mut(i), out.get(i)) {
                        *slot = Some(classifier.classify(&passage.text));
                    }
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

/// A topical section of at most this many passages is classified as a whole.
const SECTION_PASSAGES: usize = 3;

/// Paragraphs shorter than this many words are merged with the next one.
const MIN_WORDS: usize = 40;
/// A passage stops growing at this many words.
const MAX_WORDS: usize = 250;

/// The question section the reader is in.
#[derive(Debug, Default, Clone)]
struct Section {
    questions: Vec<u32>,
    confidence: f32,
    /// Heading level of the question heading, when it was a real heading.
    level: Option<u8>,
    /// Opened by a numbered list item: any real heading is above it and ends it.
    from_list: bool,
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
    };
    let mut section = Section::default();
    // Running headers and footers are page furniture, not answers.
    let body = blocks
        .iter()
        .filter(|b| b.kind != BlockKind::Running && !is_page_number(&b.text));
    // A document that numbers its own sections ("1. Introduction", "2. Background") does
    // not number them by the questions: its bare numbers name no question.
    let mut numbering = Numbering {
        bare_numbers: !blocks.iter().any(is_own_section_number),
        in_sublist: false,
    };
    for block in body {
        numbering.follow(block, &section);
        if let Some(found) = question_heading(block, call, max, &section, &numbering) {
            cutter.flush(&section);
            section = found;
            cutter.heading = Some(block.text.clone());
            cutter.buffer.push(block);
            continue;
        }
        match block.kind {
            BlockKind::Heading { level } => {
                cutter.flush(&section);
                // A heading as high as the question's own starts another topic; any heading
                // is above a numbered list item that opened a question.
                if section.level.is_some_and(|l| level <= l) || section.from_list {
                    section = Section::default();
                }
                cutter.heading = Some(block.text.clone());
                cutter.buffer.push(block);
            }
            BlockKind::Footnote => {
                // A footnote is a reference, not an answer: its own passage, untagged.
                cutter.flush(&section);
                cutter.buffer.push(block);
                cutter.flush(&Section::default());
            }
            _ if is_closing(&block.text) => {
                // "Geneva, 4 April 2024", "Yours sincerely": the answers are over.
                cutter.flush(&section);
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
    cutter.out
}

const MONTHS: [&str; 48] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const CLOSINGS: [&str; 19] = [
    "pour le ministère",
    "pour la mission",
    "por el ministerio",
    "for the ministry",
    "on behalf of",
    "en nombre de",
    "signed",
    "firmado",
    "signé",
    "yours sincerely",
    "sincerely",
    "respectfully",
    "atentamente",
    "cordialmente",
    "veuillez agréer",
    "cordialement",
    "с уважением",
    "please accept the assurances",
    "the permanent mission of",
];

/// The formula that closes a diplomatic note, wherever it stands in its sentence.
const COURTESIES: [&str; 10] = [
    "avails itself of this opportunity",
    "highest consideration",
    "hago propicia la ocasión",
    "aprovecha la oportunidad para reiterar",
    "aprovecha esta oportunidad para reiterar",
    "distinguida consideración",
    "saisit cette occasion",
    "haute considération",
    "пользуется случаем",
    "уверения в своем",
];

/// A line that only numbers the page: "3", "- 3 -", "Page 3 of 8", "Página 3 de 8",
/// "3 / 8", "Стр. 3".
fn is_page_number(text: &str) -> bool {
    const WORDS: [&str; 12] = [
        "page",
        "pages",
        "página",
        "pagina",
        "pág",
        "p",
        "стр",
        "страница",
        "of",
        "de",
        "sur",
        "из",
    ];
    let lower = text.trim().to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '/' | '.'))
        .filter(|t| !t.is_empty())
        .collect();
    !tokens.is_empty()
        && tokens.len() <= 5
        && (1..=2).contains(
            &tokens
                .iter()
                .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
                .count(),
        )
        && tokens
            .iter()
            .all(|t| t.chars().all(|c| c.is_ascii_digit()) || WORDS.contains(t))
}

/// A closing line: a place and date ("Geneva, 4 April 2024") or a complimentary close.
fn is_closing(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let words = lower.split_whitespace().count();
    if words <= 20 && CLOSINGS.iter().any(|c| lower.starts_with(c)) {
        return true;
    }
    if words <= 60 && COURTESIES.iter().any(|c| lower.contains(c)) {
        return true;
    }
    let has_year = lower
        .split(|c: char| !c.is_ascii_digit())
        .any(|d| d.len() == 4 && (d.starts_with("19") || d.starts_with("20")));
    let has_month = lower
        .split(|c: char| !c.is_alphabetic())
        .any(|w| MONTHS.contains(&w));
    words <= 12 && has_year && has_month && lower.contains(',')
}

/// How a document numbers its headings.
struct Numbering {
    /// Bare numbers ("3.", "III.") may name questions.
    bare_numbers: bool,
    /// Inside a numbered list that started again below the current question ("1.", "2."
    /// under question 2): its items are points of the answer, not questions.
    in_sublist: bool,
}

impl Numbering {
    fn follow(&mut self, block: &Block, section: &Section) {
        match &block.kind {
            BlockKind::ListItem { level: 0, label } => {
                let n = item_number(label.as_deref(), &block.text);
                let last = section.questions.iter().max().copied().unwrap_or(0);
                if n.is_some_and(|n| last > 0 && n <= last) {
                    self.in_sublist = true;
                }
            }
            BlockKind::ListItem { .. } | BlockKind::TableRow => {}
            _ => self.in_sublist = false,
        }
    }
}

/// The number of a list item: its rendered label ("3."), else the label typed into its text.
fn item_number(label: Option<&str>, text: &str) -> Option<u32> {
    label
        .and_then(|l| questions::strip_label(l).0)
        .or_else(|| questions::strip_label(text).0)
}

/// Titles of the sections a document has before or beside the answers: when one is numbered
/// ("1. Introduction"), the document's numbers are its own.
const OWN_SECTIONS: [&str; 24] = [
    "introduction",
    "background",
    "context",
    "summary",
    "executive summary",
    "overview",
    "preamble",
    "methodology",
    "introducción",
    "antecedentes",
    "contexto",
    "resumen",
    "resumen ejecutivo",
    "presentación",
    "metodología",
    "contexte",
    "résumé",
    "préambule",
    "présentation",
    "méthodologie",
    "введение",
    "общие положения",
    "контекст",
    "مقدمة",
];

/// Headings of sections that answer no question: who the submitter is, what the
/// submission covers, the works it cites.
const FRAMING: [&str; 26] = [
    "introduction",
    "preamble",
    "about us",
    "who we are",
    "references",
    "bibliography",
    "sources",
    "introducción",
    "presentación",
    "quiénes somos",
    "referencias",
    "bibliografía",
    "fuentes",
    "préambule",
    "présentation",
    "qui sommes-nous",
    "qui nous sommes",
    "références",
    "bibliographie",
    "введение",
    "о нас",
    "список литературы",
    "литература",
    "источники",
    "مقدمة",
    "المراجع",
];

/// Words of a title presenting a submission to a call: "Input of the ClearLine network",
/// "Aporte al llamado de la Relatora Especial", "Contribution de la France".
const PRESENTING: [&str; 22] = [
    "submission",
    "input",
    "contribution",
    "response to the call",
    "call for input",
    "special rapporteur",
    "aporte",
    "contribución",
    "respuesta al llamado",
    "respuesta al cuestionario",
    "llamado",
    "relatora especial",
    "relator especial",
    "réponse à l'appel",
    "réponse au questionnaire",
    "rapporteuse spéciale",
    "rapporteur spécial",
    "appel à contributions",
    "вклад",
    "ответ на призыв",
    "ответы на вопросник",
    "специального докладчика",
];

/// Whether a heading presents the submission rather than a topic.
fn presents_submission(heading: &str) -> bool {
    let lower = heading.to_lowercase();
    PRESENTING.iter().any(|w| lower.contains(w))
}

/// Whether a heading opens a section that answers no question ("2. Introduction",
/// "References").
fn is_framing_heading(heading: &str) -> bool {
    let title = questions::strip_label(heading.lines().next().unwrap_or(heading))
        .1
        .trim()
        .trim_end_matches(['.', ':'])
        .to_lowercase();
    FRAMING.contains(&title.as_str())
}

fn is_own_section_number(block: &Block) -> bool {
    let numbered = match &block.kind {
        BlockKind::Heading { .. } => questions::strip_label(&block.text).0.is_some(),
        BlockKind::ListItem { level: 0, label } => label.is_some(),
        _ => false,
    };
    if !numbered {
        return false;
    }
    let title = questions::strip_label(&block.text)
        .1
        .trim()
        .trim_end_matches(['.', ':'])
        .to_lowercase();
    OWN_SECTIONS.contains(&title.as_str())
}

/// The section a block opens, when it is a question heading.
fn question_heading(
    block: &Block,
    call: &Call,
    max: u32,
    current: &Section,
    numbering: &Numbering,
) -> Option<Section> {
    let words = word_count(&block.text);
    let level = match block.kind {
        BlockKind::Heading { level } => Some(level),
        _ => None,
    };
    let headingish = level.is_some() || words <= 25;
    if let Some(numbers) = questions::named_questions(&block.text, max).filter(|_| headingish) {
        return Some(Section {
            questions: numbers,
            confidence: 1.0,
            level,
            from_list: false,
        });
    }
    if let Some(n) = questions::restated_question(call, &block.text) {
        return Some(Section {
            questions: vec![n],
            confidence: 0.9,
            level,
            from_list: false,
        });
    }
    // A bare number ("3.", "III.") counts only on a heading or a first-level list item that
    // reads as a title, and only moving forward: a numbered list of recommendations under
    // question 2 must not open question 3.
    let label = match &block.kind {
        BlockKind::Heading { .. } => questions::strip_label(&block.text).0,
        BlockKind::ListItem { level: 0, label } => item_number(label.as_deref(), &block.text),
        _ => None,
    };
    let in_list = matches!(block.kind, BlockKind::ListItem { .. });
    let n = label
        .filter(|n| (1..=max).contains(n))
        .filter(|_| numbering.bare_numbers && !(in_list && numbering.in_sublist))?;
    // A title, not a sentence: a heading; a short item without a full stop; a very short
    // item ("2. Practical recommendations."); or an item that opens with a run-in title
    // ("4. Challenges for law enforcement. Most platforms ...").
    let body = questions::strip_label(&block.text).1.trim();
    let title_words = word_count(body);
    let run_in = body.split_once(". ").is_some_and(|(title, rest)| {
        word_count(title) <= 8
            && word_count(rest) >= 5
            && title.chars().next().is_some_and(char::is_uppercase)
    });
    let title_like = level.is_some()
        || (words <= 15 && !block.text.trim_end().ends_with('.'))
        || title_words <= 6
        || run_in;
    let last = current.questions.iter().max().copied().unwrap_or(0);
    let forward = n > last && n <= last + 3;
    (title_like && forward).then(|| Section {
        questions: vec![n],
        confidence: 0.8,
        level,
        from_list: in_list,
    })
}

fn word_count(text: &str) -> usize {
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
}

impl<'a> Cutter<'a> {
    fn words(&self) -> usize {
        self.buffer.iter().map(|b| word_count(&b.text)).sum()
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
            self.buffer.clear();
            return;
        }
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
        self.out.push(Passage {
            id: passage_id(self.submission_id, ordinal, &text),
            ordinal,
            heading: self.heading.clone(),
            page,
            page_end,
            page_label: first.page_label.clone(),
            paragraph: first.paragraph,
            language,
            questions,
            mentioned_countries: self.gazetteer.mentions(&text),
            duplicate_of: None,
            text,
        });
        self.buffer.clear();
    }
}

/// Stable passage id: submission id, ordinal, and 32 bits of FNV-1a over the text, so an
/// unchanged file keeps its ids and links.
pub fn passage_id(submission_id: &str, ordinal: u32, text: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{submission_id}-{ordinal:03}-{hash:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

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
            cut.unnamed
                .iter()
                .filter_map(|&i| cut.passages.get(i))
                .map(|p| p.text.lines().next().unwrap_or_default().to_string())
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
        ];
        let cut = analyzer.cut("s", &essay, Some("en"));
        assert_eq!(text_of(&cut), vec!["Trends in reports"]);
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
    fn a_short_topical_section_is_judged_as_a_whole_with_its_table() {
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
