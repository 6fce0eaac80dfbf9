//! Finding the guiding question a heading names: "Question 3", "Q.3", "Pregunta 3",
//! "Réponse à la question 3", "Вопрос 3", "Questions 4 and 5", a numbered heading "3." or
//! "III.", or the question's own text restated.

use cfi_core::Call;

/// Words that introduce a question number, lowercased, longest first where they overlap.
const LEADS: [&str; 57] = [
    "guiding questions",
    "guiding question",
    "preguntas orientadoras",
    "pregunta orientadora",
    "pregunta guía",
    "questions directrices",
    "question directrice",
    "question d'orientation",
    "руководящий вопрос",
    "en réponse à la question",
    "réponse à la question",
    "reponse a la question",
    "s'agissant de la question",
    "s’agissant de la question",
    "en ce qui concerne la question",
    "quant à la question",
    "sur la question",
    "concernant la question",
    "en respuesta a la pregunta",
    "respuesta a la pregunta",
    "en relación con la pregunta",
    "con respecto a la pregunta",
    "en cuanto a la pregunta",
    "respecto de la pregunta",
    "respecto a la pregunta",
    "sobre la pregunta",
    "in response to question",
    "in reply to question",
    "with regard to question",
    "with respect to question",
    "as regards question",
    "turning to question",
    "regarding question",
    "on question",
    "ответы на вопросы",
    "ответ на вопросы",
    "в ответ на вопрос",
    "ответ на вопрос",
    "что касается вопроса",
    "относительно вопроса",
    "по вопросам",
    "по вопросу",
    "к вопросам",
    "к вопросу",
    "questions",
    "question",
    "preguntas",
    "pregunta",
    "cuestión",
    "perguntas",
    "pergunta",
    "вопросы",
    "вопрос",
    "السؤال",
    "frage",
    "q.",
    "q",
];

/// Words joining two numbers into a list or a range.
const AND: [&str; 8] = [",", "and", "y", "et", "e", "и", "&", "و"];
const TO: [&str; 4] = ["-", "–", "to", "a"];

/// Question numbers named by an explicit lead word at the start of `text`, e.g.
/// "Pregunta 3", "Q3:", "Questions 4 and 5". `max` is the call's highest question.
pub fn named_questions(text: &str, max: u32) -> Option<Vec<u32>> {
    let lower = text.trim_start().to_lowercase();
    let rest = strip_label(&lower).1.trim_start();
    let Some(lead) = LEADS.iter().find(|l| rest.starts_with(*l)) else {
        return prefixed_questions(rest, max).or_else(|| parenthesized_questions(rest, max));
    };
    let after = &rest[lead.len()..];
    // "q" and "q." need a number right after: "Q3", "Q.3", "Q 3" but not "quality".
    if lead.starts_with('q') && lead.len() <= 2 {
        let next = after.trim_start_matches([' ', '.']).chars().next();
        if !next.is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
    } else if after.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    let (numbers, _) = parse_numbers(after, max);
    (!numbers.is_empty()).then_some(numbers)
}

/// Words that name a question wherever they stand in a short heading.
const NOUNS: [&str; 11] = [
    "questions",
    "question",
    "preguntas",
    "pregunta",
    "cuestiones",
    "cuestión",
    "вопросам",
    "вопросы",
    "вопросу",
    "вопроса",
    "вопрос",
];

/// Words (at most) before the question noun in a heading that words its lead its own way:
/// "Réponse aux questions 5 et 6", "Our answer to question 4", "Comentarios sobre las
/// preguntas 5 y 6", "Наш ответ на вопрос 3".
const PREFIX_WORDS: usize = 4;

/// Question numbers in a short heading where a few words of its own come before the
/// question noun; the numbers must end the heading or be followed by a colon, a dash or a
/// full stop ("The question 3 asks…" is a sentence, not a heading).
fn prefixed_questions(text: &str, max: u32) -> Option<Vec<u32>> {
    let words: Vec<(usize, &str)> = text
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .take(PREFIX_WORDS + 1)
        .collect();
    let (at, noun) = words.iter().skip(1).find_map(|&(at, word)| {
        NOUNS
            .iter()
            .find(|n| word.trim_end_matches([':', '.']) == **n)
            .map(|n| (at, *n))
    })?;
    let after = &text[at + noun.len()..];
    let (numbers, stop) = parse_numbers(after, max);
    let ends = stop
        .as_deref()
        .is_none_or(|t| [":", "-", "–", "—", ".", ")"].contains(&t));
    (!numbers.is_empty() && ends).then_some(numbers)
}

/// Words (at most) of a title before the question it answers, named in brackets.
const TITLE_WORDS: usize = 12;

/// Question numbers named in brackets at the end of a short title: "Propuestas finales
/// (pregunta 9)", "Children's voices (Q7)", "Дети и школа (вопросы 3 и 4)".
fn parenthesized_questions(text: &str, max: u32) -> Option<Vec<u32>> {
    let inner = text.trim_end().strip_suffix([')', ']'])?;
    let open = inner.rfind(['(', '['])?;
    let (title, named) = (inner.get(..open)?, inner.get(open + 1..)?);
    if title.trim().is_empty() || word_count(title) > TITLE_WORDS {
        return None;
    }
    let named = named.trim_start();
    LEADS.iter().find(|l| named.starts_with(*l))?;
    named_questions(named, max)
}

/// A lead of more than its question noun ("In response to question", "S'agissant de la
/// question", "В ответ на вопрос"): at the start of a paragraph it names the question
/// whatever follows the number ("En respuesta a la pregunta 2, la Defensoría…"), where
/// a bare "Question 3" may be a sentence about the question.
pub fn explicit_lead(text: &str, max: u32) -> Option<Vec<u32>> {
    let lower: String = text
        .trim_start()
        .chars()
        .take(80)
        .collect::<String>()
        .to_lowercase();
    let rest = strip_label(&lower).1.trim_start();
    let lead = LEADS
        .iter()
        .find(|l| l.contains(' ') && rest.starts_with(*l))?;
    let after = rest.get(lead.len()..)?;
    // "In response to questions 4 and 5".
    let after = after.strip_prefix('s').unwrap_or(after);
    if !after.starts_with(' ') {
        return None;
    }
    let (numbers, stop) = parse_numbers(after, max);
    // "…question 6 %" or "question 6.2" is not a lead.
    let stop_ok = stop
        .as_deref()
        .is_none_or(|t| !["%", "°", "º"].contains(&t));
    (!numbers.is_empty() && stop_ok).then_some(numbers)
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The question numbers opening `text`, and the token after them (`None` at the end).
fn parse_numbers(text: &str, max: u32) -> (Vec<u32>, Option<String>) {
    let mut tokens = tokenize(text).into_iter().peekable();
    // Skip "n°", "no.", "nº", "#", ":" before the first number.
    while let Some(t) = tokens.peek() {
        if [
            "n°", "nº", "no", "n", "°", "º", "#", ".", ":", "núm", "num", "№",
        ]
        .contains(&t.as_str())
        {
            tokens.next();
        } else {
            break;
        }
    }
    let mut numbers = Vec::new();
    let mut range_from = None;
    let mut stop = None;
    while let Some(t) = tokens.next() {
        let n = number(&t).or_else(|| number_word(&t));
        if let Some(n) = n.filter(|n| (1..=max).contains(n)) {
            match range_from.take() {
                Some(from) if from < n => numbers.extend((from + 1)..=n),
                _ => numbers.push(n),
            }
            match tokens.peek().map(String::as_str) {
                Some(c) if AND.contains(&c) => {
                    tokens.next();
                    // "Q.6 and Q.8", "Question 4 et question 5": the lead said again.
                    while tokens
                        .peek()
                        .is_some_and(|t| t == "." || NOUNS.contains(&t.as_str()) || t == "q")
                    {
                        tokens.next();
                    }
                }
                Some(c) if TO.contains(&c) => {
                    tokens.next();
                    range_from = Some(n);
                }
                _ => {
                    stop = tokens.next();
                    break;
                }
            }
        } else {
            stop = Some(t);
            break;
        }
    }
    numbers.dedup();
    (numbers, stop)
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars().take(80) {
        if c.is_alphanumeric() || c == '°' || c == 'º' {
            word.push(c);
        } else {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            if !c.is_whitespace() {
                tokens.push(c.to_string());
            }
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    // "n°3" arrives as one word: split the digits off.
    tokens
        .into_iter()
        .flat_map(|t| {
            let split = t.find(|c: char| c.is_ascii_digit()).filter(|&i| i > 0);
            match split {
                Some(i) if t[..i].chars().all(|c| !c.is_ascii_digit()) => {
                    vec![t[..i].to_string(), t[i..].to_string()]
                }
                _ => vec![t],
            }
        })
        .collect()
}

fn number(token: &str) -> Option<u32> {
    token.parse().ok().or_else(|| roman(token))
}

/// Numbers one to ten as words, cardinal or ordinal, in the calls' languages, as a
/// question's lead writes them ("Question one", "Pregunta primera", "Вопрос первый").
const NUMBER_WORDS: [&[&str]; 10] = [
    &[
        "one",
        "first",
        "uno",
        "una",
        "primero",
        "primera",
        "primer",
        "un",
        "une",
        "premier",
        "première",
        "один",
        "одна",
    ],
    &[
        "two",
        "second",
        "dos",
        "segundo",
        "segunda",
        "deux",
        "deuxième",
        "seconde",
        "два",
        "две",
    ],
    &[
        "three",
        "third",
        "tres",
        "tercero",
        "tercera",
        "tercer",
        "trois",
        "troisième",
        "три",
    ],
    &[
        "four",
        "fourth",
        "cuatro",
        "cuarto",
        "cuarta",
        "quatre",
        "quatrième",
        "четыре",
    ],
    &[
        "five",
        "fifth",
        "cinco",
        "quinto",
        "quinta",
        "cinq",
        "cinquième",
        "пять",
    ],
    &["six", "sixth", "seis", "sexto", "sexta", "sixième", "шесть"],
    &[
        "seven",
        "seventh",
        "siete",
        "séptimo",
        "séptima",
        "sept",
        "septième",
        "семь",
    ],
    &[
        "eight",
        "eighth",
        "ocho",
        "octavo",
        "octava",
        "huit",
        "huitième",
        "восемь",
    ],
    &[
        "nine",
        "ninth",
        "nueve",
        "noveno",
        "novena",
        "neuf",
        "neuvième",
        "девять",
    ],
    &[
        "ten",
        "tenth",
        "diez",
        "décimo",
        "décima",
        "dix",
        "dixième",
        "десять",
    ],
];

/// Stems of the Russian ordinals one to ten, whatever their case and gender ("первый",
/// "первому", "третьего").
const RUSSIAN_ORDINALS: [&str; 10] = [
    "перв",
    "втор",
    "трет",
    "четв",
    "пят",
    "шест",
    "седьм",
    "восьм",
    "девят",
    "десят",
];

/// The number a word names: [`NUMBER_WORDS`], or a Russian ordinal.
fn number_word(token: &str) -> Option<u32> {
    let lower = token.to_lowercase();
    let at = NUMBER_WORDS
        .iter()
        .position(|words| words.contains(&lower.as_str()))
        .or_else(|| {
            RUSSIAN_ORDINALS
                .iter()
                .position(|stem| lower.starts_with(stem))
        })?;
    u32::try_from(at + 1).ok()
}

/// Value of a Roman numeral up to XX.
fn roman(token: &str) -> Option<u32> {
    const NUMERALS: [&str; 20] = [
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv",
        "xv", "xvi", "xvii", "xviii", "xix", "xx",
    ];
    let lower = token.to_lowercase();
    NUMERALS
        .iter()
        .position(|n| *n == lower)
        .and_then(|p| u32::try_from(p + 1).ok())
}

/// Splits a leading list label ("3.", "III.", "3)", "(3)") from the text:
/// returns the label's number and the rest.
pub fn strip_label(text: &str) -> (Option<u32>, &str) {
    let trimmed = text.trim_start();
    let body = trimmed.strip_prefix('(').unwrap_or(trimmed);
    let end = body
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(body.len());
    let (head, tail) = body.split_at(end);
    let Some(n) = number(head).filter(|_| head.len() <= 5) else {
        return (None, text);
    };
    match tail.chars().next() {
        Some('.' | ')') => {
            let rest = &tail[1..];
            // "3.5" is a decimal or a sub-section, not a label.
            if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                return (None, text);
            }
            (Some(n), rest)
        }
        _ => (None, text),
    }
}

/// Content words of a text, for comparing a heading with the question texts.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

/// What a heading may restate of a question's text: all of it, its first sentence (the
/// question proper, before "Please describe…"), and that sentence without its asides
/// ("— such as wheelchairs, hearing aids… —", "(for example …)").
fn restatable(text: &str) -> Vec<String> {
    let first = text
        .char_indices()
        .find(|&(at, c)| {
            matches!(c, '?' | '.' | '!')
                && text[at + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .map_or(text, |(at, c)| &text[..at + c.len_utf8()]);
    let mut plain = String::with_capacity(first.len());
    let mut aside = None;
    for c in first.chars() {
        match (aside, c) {
            (None, '—' | '–') => aside = Some(c),
            (None, '(') => aside = Some(')'),
            (Some(close), _) if c == close => aside = None,
            (Some(_), _) => {}
            (None, _) => plain.push(c),
        }
    }
    let mut out = vec![text.to_string()];
    for candidate in [first.to_string(), plain] {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}

/// The content words of every form a heading may restate of each question's text, in every
/// language of the call ([`restatable`]): read once per document, not for each of its
/// blocks.
pub struct QuestionForms {
    forms: Vec<(u32, Vec<String>)>,
    /// Per question, the first letters of the content words of its title and texts, accents
    /// folded: what a short title of the question may use.
    prefixes: Vec<(u32, std::collections::BTreeSet<String>)>,
}

/// Whether a title's word prefixes (`have`) are a question's (`want`): two at least, two
/// thirds of them.
fn entitles(
    have: &std::collections::BTreeSet<String>,
    want: &std::collections::BTreeSet<String>,
) -> bool {
    let found = have.iter().filter(|w| want.contains(*w)).count();
    found >= 2 && found * 3 >= have.len() * 2
}

/// Letters of a word compared when a title is matched with a question ("minimums" and
/// "minimum", "juridique" and "juridiques").
const PREFIX: usize = 5;

fn prefixes(text: &str) -> std::collections::BTreeSet<String> {
    words(text)
        .iter()
        .map(|w| {
            w.chars()
                .map(crate::classifier::fold)
                .take(PREFIX)
                .collect()
        })
        .collect()
}

impl QuestionForms {
    /// The forms of `call`'s questions.
    pub fn of(call: &Call) -> QuestionForms {
        let forms = call
            .questions
            .iter()
            .flat_map(|q| {
                q.text
                    .values()
                    .flat_map(|t| restatable(t))
                    .map(|form| (q.number, words(&form)))
                    .filter(|(_, want)| !want.is_empty())
            })
            .collect();
        let prefixes = call
            .questions
            .iter()
            .map(|q| {
                let mut all = prefixes(&q.short);
                for t in q.text.values() {
                    all.extend(prefixes(t));
                }
                (q.number, all)
            })
            .collect();
        QuestionForms { forms, prefixes }
    }

    /// Whether a short title is question `number`'s in a few words of its own: at least two
    /// content words, two thirds of them the question's ("5) Inspection du travail et sanctions"
    /// for "What is the legal framework… minimum ages…").
    pub fn titles(&self, number: u32, title: &str) -> bool {
        let have = prefixes(title);
        self.prefixes
            .iter()
            .find(|(n, _)| *n == number)
            .is_some_and(|(_, want)| entitles(&have, want))
    }

    /// The one question whose own words a short title uses ([`QuestionForms::titles`]);
    /// `None` where it is no question's or several questions'.
    pub fn titled(&self, title: &str) -> Option<u32> {
        let have = prefixes(title);
        let mut found = self
            .prefixes
            .iter()
            .filter(|(_, want)| entitles(&have, want))
            .map(|(n, _)| *n);
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The largest share of question `number`'s content words (of its text, its first
    /// sentence or that sentence without asides, in any language) that `text` uses.
    pub fn resemblance(&self, number: u32, text: &str) -> f32 {
        let have = words(text);
        self.forms
            .iter()
            .filter(|(n, _)| *n == number)
            .map(|(_, want)| {
                let found = want.iter().filter(|w| have.contains(w)).count();
                found as f32 / want.len().max(1) as f32
            })
            .fold(0.0, f32::max)
    }

    /// The question whose text (in any language of the call) `text` restates: most of the
    /// question's content words present in it (of its whole text, of its first sentence, or
    /// of that sentence without its asides).
    pub fn restated(&self, text: &str) -> Option<u32> {
        let have = words(text);
        if have.len() < 4 || have.len() > 120 {
            return None;
        }
        let mut best: Option<(u32, f32)> = None;
        for (number, want) in &self.forms {
            let found = want.iter().filter(|w| have.contains(w)).count();
            let coverage = found as f32 / want.len() as f32;
            // The heading must be mostly the question, not a long paragraph quoting it.
            let share = found as f32 / have.len() as f32;
            if coverage >= 0.7 && share >= 0.5 && best.is_none_or(|(_, c)| coverage > c) {
                best = Some((*number, coverage));
            }
        }
        best.map(|(n, _)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_words_in_several_languages() {
        let cases: [(&str, &[u32]); 35] = [
            ("Question 3", &[3]),
            ("QUESTION 3: Gaps in laws", &[3]),
            ("Q3", &[3]),
            ("Q.3 – Law enforcement", &[3]),
            ("Pregunta 3", &[3]),
            ("Question n° 3", &[3]),
            ("Question nº3", &[3]),
            ("Réponse à la question 3", &[3]),
            ("Вопрос 3", &[3]),
            ("السؤال 3", &[3]),
            ("Questions 4 and 5", &[4, 5]),
            ("Preguntas 4 y 5", &[4, 5]),
            ("Questions 4-6", &[4, 5, 6]),
            ("3. Question III", &[3]),
            ("Sur la question 9 : coordination", &[9]),
            ("In response to question 2", &[2]),
            (
                "Guiding question 1: Use of technology to facilitate abuse",
                &[1],
            ),
            ("Guiding questions 4 and 5", &[4, 5]),
            ("Pregunta orientadora 3", &[3]),
            ("Question directrice n° 7", &[7]),
            ("Respecto de la pregunta 5", &[5]),
            ("По вопросу 4", &[4]),
            ("К вопросу № 5", &[5]),
            ("К вопросам 4 и 5", &[4, 5]),
            ("Ответ на вопрос 2", &[2]),
            ("Réponse aux questions 5 et 6", &[5, 6]),
            ("Our answer to question 4: schools", &[4]),
            ("Comentarios sobre las preguntas 5 y 6", &[5, 6]),
            ("Наш ответ на вопрос 3.", &[3]),
            ("Q.6 and Q.8 – Industry and data", &[6, 8]),
            ("Pregunta 4 y pregunta 5", &[4, 5]),
            ("Вопрос первый", &[1]),
            ("По вопросу третьему", &[3]),
            ("Question two: access", &[2]),
            ("Pregunta novena", &[9]),
        ];
        for (text, want) in cases {
            assert_eq!(named_questions(text, 9).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn words_that_only_look_like_leads() {
        for text in [
            "Quality of data",
            "Questionnaire 3",
            "Question 12",
            "Q&A",
            "The question 3 asks",
            "We return to question 3 because it matters",
            "Many of the questions 3 years ago were about access",
        ] {
            assert_eq!(named_questions(text, 9), None, "{text}");
        }
    }

    #[test]
    fn a_title_may_name_its_question_in_brackets() {
        let cases: [(&str, &[u32]); 4] = [
            ("Propuestas finales (pregunta 9)", &[9]),
            ("Children's own voices (Q7)", &[7]),
            ("Дети и школа (вопросы 3 и 4)", &[3, 4]),
            (
                "Recommendations to States, companies and donors [question 9]",
                &[9],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(named_questions(text, 9).as_deref(), Some(want), "{text}");
        }
        for text in ["Schools (2031)", "(question 4)", "Quality (Q&A)"] {
            assert_eq!(named_questions(text, 9), None, "{text}");
        }
    }

    #[test]
    fn a_paragraph_opening_with_a_lead_of_several_words_names_its_question() {
        let cases: [(&str, &[u32]); 5] = [
            (
                "En respuesta a la pregunta 3, la Defensoría recibió cuarenta quejas de familias durante el año.",
                &[3],
            ),
            (
                "S'agissant de la question 7, le ministère a publié un guide pour les écoles rurales.",
                &[7],
            ),
            (
                "В ответ на вопрос 6 фонд сообщает, что горячая линия работает круглосуточно.",
                &[6],
            ),
            (
                "Что касается вопроса 7, школы района получили новые учебники в прошлом году.",
                &[7],
            ),
            (
                "With regard to questions 4 and 5, the Ministry reports that clinics reopened within a week.",
                &[4, 5],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(explicit_lead(text, 9).as_deref(), Some(want), "{text}");
        }
        for text in [
            "Question 3 is hard to answer because data are scarce in every region we studied.",
            "On question 12 we have nothing to add beyond what the Ministry has published already.",
            "In response to question 6% of the respondents said they had never heard of the alerts.",
            "Regarding questionnaires, 40 schools answered in time and the others did not at all.",
        ] {
            assert_eq!(explicit_lead(text, 9), None, "{text}");
        }
    }

    #[test]
    fn a_short_title_in_its_question_s_own_words() {
        let call = crate::test_call(
            &["fr"],
            "[[questions]]\nnumber = 2\nshort = \"Inspection du travail\"\ntext.fr = \"Comment \
             l'inspection du travail et les sanctions protègent-elles les enfants au travail ?\"\n",
        );
        let forms = QuestionForms::of(&call);
        assert!(forms.titles(2, "Inspection du travail et sanctions"));
        assert!(forms.titles(2, "L'inspection du travail"));
        assert!(!forms.titles(2, "Inspection"));
        assert!(!forms.titles(2, "Les écoles des zones rurales"));
        assert!(!forms.titles(3, "Inspection du travail et sanctions"));
    }

    #[test]
    fn a_heading_may_restate_only_the_question_proper() {
        let call = crate::test_call(
            &["en"],
            "[[questions]]\nnumber = 2\nshort = \"Assistive products\"\ntext.en = \"How available, \
             affordable and suitable are assistive products — such as wheelchairs, hearing aids and \
             communication aids — for children with disabilities? Please describe who pays, how \
             needs are assessed and which barriers families face.\"\n",
        );
        let forms = QuestionForms::of(&call);
        for heading in [
            "How available, affordable and suitable are assistive products for children with disabilities?",
            "How available, affordable and suitable are assistive products — such as wheelchairs, hearing aids and communication aids — for children with disabilities?",
        ] {
            assert_eq!(forms.restated(heading), Some(2), "{heading}");
        }
        assert_eq!(
            forms.restated("Wheelchairs and hearing aids in rural schools"),
            None
        );
        assert!(forms.resemblance(2, "Are assistive products affordable?") >= 0.3);
    }

    #[test]
    fn labels() {
        assert_eq!(strip_label("3. Gaps").0, Some(3));
        assert_eq!(strip_label("III. Gaps").0, Some(3));
        assert_eq!(strip_label("(3) Gaps").0, Some(3));
        assert_eq!(strip_label("3.5 Gaps").0, None);
        assert_eq!(strip_label("2024 was").0, None);
        assert_eq!(strip_label("Law 3").0, None);
    }
}
