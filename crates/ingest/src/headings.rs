//! Headings that open a question's section: "Question 3", a restated question, or a bare
//! number ("3.", "III.") where the document does not number its own sections; and the
//! headings that frame a submission (introduction, references) rather than answer.

use cfi_extract::{Block, BlockKind};

use crate::passages::{Section, word_count};
use crate::questions;

/// How a document numbers its headings.
pub(crate) struct Numbering {
    /// Bare numbers ("3.", "III.") may name questions.
    pub(crate) bare_numbers: bool,
    /// Inside a numbered list that started again below the current question ("1.", "2."
    /// under question 2): its items are points of the answer, not questions.
    pub(crate) in_sublist: bool,
}

impl Numbering {
    pub(crate) fn follow(&mut self, block: &Block, section: &Section) {
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

/// Headings of sections that answer no question: who the submitter is, how its study was
/// made, what the submission covers, general observations before the answers, the works it
/// cites, whom it thanks and how to reach it.
const FRAMING: &[&str] = &[
    "methodology",
    "methods",
    "method",
    "metodología",
    "metodologia",
    "méthodologie",
    "méthode",
    "методология",
    "методика",
    "our organisation",
    "our organization",
    "nuestra organización",
    "notre organisation",
    "о нашей организации",
    "об организации",
    "acknowledgements",
    "acknowledgments",
    "agradecimientos",
    "remerciements",
    "благодарности",
    "contact",
    "contacts",
    "contacto",
    "контакты",
    "introduction",
    "preamble",
    "observations",
    "general observations",
    "preliminary observations",
    "general comments",
    "general remarks",
    "preliminary remarks",
    "observaciones",
    "observaciones generales",
    "observaciones preliminares",
    "comentarios generales",
    "observations générales",
    "observations préliminaires",
    "remarques préliminaires",
    "общие замечания",
    "предварительные замечания",
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
pub(crate) fn presents_submission(heading: &str) -> bool {
    let lower = heading.to_lowercase();
    PRESENTING.iter().any(|w| lower.contains(w))
}

/// Whether a heading opens a section that answers no question ("2. Introduction",
/// "References").
pub(crate) fn is_framing_heading(heading: &str) -> bool {
    // "Méthodologie :" (a French colon has a space before it).
    let title = questions::strip_label(heading.lines().next().unwrap_or(heading))
        .1
        .trim()
        .trim_end_matches(['.', ':'])
        .trim_end()
        .to_lowercase();
    FRAMING.contains(&title.as_str())
        || ABOUT.iter().any(|a| title.starts_with(a))
        || is_appendix(&title)
}

/// Openings of a heading that presents the submitter ("About the Centre", "Présentation de
/// l'Observatoire").
const ABOUT: [&str; 3] = ["about ", "présentation de ", "presentación de "];

/// Words opening the title of an annex or appendix inside a submission.
const APPENDIX: [&str; 15] = [
    "annex",
    "annexe",
    "annexes",
    "appendix",
    "appendices",
    "anexo",
    "anexos",
    "apéndice",
    "apéndices",
    "apendice",
    "приложение",
    "приложения",
    "appendice",
    "appendices",
    "ملحق",
];

/// "Annex – Member States that submitted reports", "Anexo 2", "Appendix": material joined
/// to the answer (lists, data, excerpts), which answers no question by itself.
fn is_appendix(title: &str) -> bool {
    APPENDIX.iter().any(|word| {
        title
            .strip_prefix(word)
            .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphabetic()))
    })
}

/// A line naming an annex of the submission, not a heading ("Annex 1: Statistical
/// tables", "Приложение 2. Карта районов", "Annexe B : Textes de loi"): the annex's word, its
/// number or letter, then a colon, a full stop or a dash. What follows it is the annex.
pub(crate) fn names_an_annex(block: &Block) -> bool {
    if !matches!(
        block.kind,
        BlockKind::Paragraph | BlockKind::ListItem { .. }
    ) || word_count(&block.text) > ANNEX_LINE_WORDS
    {
        return false;
    }
    let lower = block.text.trim().to_lowercase();
    APPENDIX.iter().any(|word| {
        let Some(rest) = lower.strip_prefix(word) else {
            return false;
        };
        let rest = rest.trim_start();
        let number: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
        let numbered = !number.is_empty()
            && (number.chars().all(|c| c.is_ascii_digit())
                || questions::strip_label(&format!("{number}.")).0.is_some()
                || number.chars().count() == 1);
        let after = rest.get(number.len()..).unwrap_or_default().trim_start();
        numbered && (after.is_empty() || after.starts_with([':', '.', '—', '–', '-', ')']))
    })
}

/// Words (at most) of a line naming an annex.
const ANNEX_LINE_WORDS: usize = 30;

pub(crate) fn is_own_section_number(block: &Block) -> bool {
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

/// The questions a long paragraph names in a run-in lead: "Guiding question 2 – We
/// recommend…", "Pregunta 5: La cooperación…", or a lead of more than the question noun
/// whatever follows it ("S'agissant de la question 4, le ministère…").
fn run_in_lead(text: &str, max: u32) -> Option<Vec<u32>> {
    punctuated_lead(text, max).or_else(|| questions::explicit_lead(text, max))
}

/// A few words ending in the number, then a colon, a dash or a full stop; "Question 3 is
/// hard because…" is a sentence about the question, not a lead.
fn punctuated_lead(text: &str, max: u32) -> Option<Vec<u32>> {
    let head: String = text.chars().take(80).collect();
    let cut = head.find([':', '–', '—', '-', '.', ')'])?;
    let lead = head.get(..cut)?;
    let words: Vec<&str> = lead.split_whitespace().collect();
    let last = words.last()?;
    let numeric = last.chars().all(|c| c.is_ascii_digit())
        || questions::strip_label(&format!("{last}.")).0.is_some();
    if words.len() > 6 || !numeric {
        return None;
    }
    questions::named_questions(lead, max)
}

/// Whether `block` names a question in words ("Question 3", "Pregunta 3"), as a heading
/// or a short lead, not by a bare number.
pub(crate) fn names_a_question(block: &Block, max: u32) -> bool {
    let headingish =
        matches!(block.kind, BlockKind::Heading { .. }) || word_count(&block.text) <= 25;
    headingish && questions::named_questions(&block.text, max).is_some()
}

/// Words (at most) of a numbered heading taken for its question by its words.
const TITLE_WORDS: usize = 12;

/// Words (at most) of a question copied as a heading.
const QUESTION_WORDS: usize = 60;
/// Share of a question's content words (of its text, its first sentence or that sentence
/// without asides) that a numbered heading ending in a question mark must use to be taken
/// for it.
const QUESTION_RESEMBLANCE: f32 = 0.3;

/// The section a block opens, when it is a question heading.
pub(crate) fn question_heading(
    block: &Block,
    forms: &questions::QuestionForms,
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
    let named = if headingish {
        questions::named_questions(&block.text, max)
    } else {
        run_in_lead(&block.text, max)
    };
    if let Some(numbers) = named {
        return Some(Section {
            questions: numbers,
            confidence: 1.0,
            level,
            from_list: false,
        });
    }
    if let Some(n) = forms.restated(&block.text) {
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
    // A question of the call copied as a numbered heading ("3. Les services publics … sont-ils
    // accessibles … ?"): a short text ending in a question mark, numbered as a question it
    // resembles, further on than the current one (a submission answers a few questions).
    if let (Some(n), body) = questions::strip_label(&block.text)
        && (1..=max).contains(&n)
        && words <= QUESTION_WORDS
        && body.trim_end().ends_with(['?', '？'])
        && current.questions.iter().all(|&q| q < n)
        && forms.resemblance(n, body) >= QUESTION_RESEMBLANCE
    {
        return Some(Section {
            questions: vec![n],
            confidence: 0.9,
            level,
            from_list: false,
        });
    }
    // A numbered heading whose few words are its question's ("5) Inspection du travail et
    // sanctions"), even where the document numbers its paragraphs too.
    if let (Some(n), body) = questions::strip_label(&block.text)
        && level.is_some()
        && (1..=max).contains(&n)
        && word_count(body) <= TITLE_WORDS
        && forms.titles(n, body)
    {
        return Some(Section {
            questions: vec![n],
            confidence: 0.8,
            level,
            from_list: false,
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_about_the_submitter_its_method_and_contacts_answer_no_question() {
        for heading in [
            "2. Methodology",
            "Metodología",
            "Méthodologie :",
            "Методология",
            "About the Centre",
            "Présentation de l'Observatoire",
            "О нашей организации",
            "Acknowledgements",
            "Contact",
            "Annex 2 – Tables",
            "General observations",
        ] {
            assert!(is_framing_heading(heading), "{heading}");
        }
        for heading in [
            "Question 3",
            "Data on evictions",
            "Nuestras recomendaciones",
            "Methods of enforcement across borders",
            "Aboutness",
        ] {
            assert!(!is_framing_heading(heading), "{heading}");
        }
    }
}
