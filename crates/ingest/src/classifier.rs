//! A lexical model of the guiding questions, built from the call's own question texts and
//! keywords in every language: for passages under no question heading (essays,
//! introductions), the questions whose words they use most, above a threshold.

use std::collections::{BTreeMap, BTreeSet};

use cfi_core::Call;

/// Words too common to tell questions apart, in the languages of the calls.
const STOP: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "from",
    "are",
    "what",
    "which",
    "how",
    "have",
    "has",
    "been",
    "their",
    "there",
    "these",
    "those",
    "into",
    "such",
    "other",
    "any",
    "all",
    "can",
    "could",
    "would",
    "should",
    "may",
    "including",
    "between",
    "within",
    "also",
    "more",
    "please",
    "provide",
    "information",
    "examples",
    "example",
    "kind",
    "case",
    "well",
    "used",
    "use",
    "put",
    "place",
    "place",
    "existing",
    "ensure",
    "order",
    "best",
    "range",
    "broad",
    "children",
    "child",
    "sexual",
    "abuse",
    "exploitation",
    "online",
    "digital",
    "states",
    "los",
    "las",
    "del",
    "con",
    "para",
    "por",
    "que",
    "una",
    "como",
    "sus",
    "entre",
    "otros",
    "otras",
    "cuáles",
    "qué",
    "cómo",
    "sobre",
    "niños",
    "niñas",
    "infantil",
    "sexual",
    "abuso",
    "explotación",
    "línea",
    "digital",
    "estados",
    "des",
    "les",
    "pour",
    "avec",
    "dans",
    "une",
    "sur",
    "par",
    "qui",
    "que",
    "leur",
    "leurs",
    "quels",
    "quelles",
    "comment",
    "enfants",
    "sexuels",
    "sexuelle",
    "exploitation",
    "ligne",
    "numérique",
    "états",
    "для",
    "что",
    "как",
    "или",
    "детей",
    "дети",
    "сексуальной",
    "эксплуатации",
    "насилия",
    "государства",
];

/// Characters kept of each word: a crude stem that makes "encrypted" meet "encryption"
/// and "cifrado" meet "cifrados" in every language without a stemmer per language.
const STEM: usize = 6;
/// Minimum score for a tag.
const THRESHOLD: f32 = 2.0;

/// The model: per question, stems with weights.
pub struct QuestionClassifier {
    profiles: BTreeMap<u32, BTreeMap<String, f32>>,
}

fn stems(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(&w.as_str()))
        .map(|w| w.chars().take(STEM).collect())
        .collect()
}

impl QuestionClassifier {
    /// Builds the model from the call's question texts and keywords.
    pub fn new(call: &Call) -> QuestionClassifier {
        let mut raw: BTreeMap<u32, BTreeMap<String, f32>> = BTreeMap::new();
        for q in &call.questions {
            let profile = raw.entry(q.number).or_default();
            for text in q.text.values() {
                for s in stems(text) {
                    *profile.entry(s).or_default() += 1.0;
                }
            }
            for keywords in q.keywords.values() {
                for keyword in keywords {
                    for s in stems(keyword) {
                        // Keywords were chosen to tell this question apart: count them more.
                        *profile.entry(s).or_default() += 2.0;
                    }
                }
            }
        }
        // A stem in many questions says little about any one of them.
        let mut spread: BTreeMap<String, usize> = BTreeMap::new();
        for profile in raw.values() {
            for s in profile.keys() {
                *spread.entry(s.clone()).or_default() += 1;
            }
        }
        let n = raw.len().max(1) as f32;
        let profiles = raw
            .into_iter()
            .map(|(q, profile)| {
                let weighted = profile
                    .into_iter()
                    .map(|(s, count)| {
                        let df = spread.get(&s).copied().unwrap_or(1) as f32;
                        let idf = (n / df).ln() + 0.1;
                        (s, count.min(3.0).sqrt() * idf)
                    })
                    .collect();
                (q, weighted)
            })
            .collect();
        QuestionClassifier { profiles }
    }

    /// Of the questions a combined heading names ("Questions 4 and 5"), the one `text`
    /// clearly answers: scored on those questions only, the best must score at least half as
    /// much again as the next. `None` when the text does not tell them apart.
    pub fn choose(&self, text: &str, candidates: &[u32]) -> Option<u32> {
        let words = stems(text);
        let present: BTreeSet<&String> = words.iter().collect();
        let mut scores: Vec<(u32, f32)> = candidates
            .iter()
            .filter_map(|q| {
                let profile = self.profiles.get(q)?;
                let score: f32 = present.iter().filter_map(|s| profile.get(*s)).sum();
                Some((*q, score))
            })
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        match scores.as_slice() {
            [(best, top), (_, next), ..] if *top >= THRESHOLD / 2.0 && *top >= next * 1.5 => {
                Some(*best)
            }
            _ => None,
        }
    }

    /// The questions `text` answers, best first, with a confidence in 0..1.
    pub fn classify(&self, text: &str) -> Vec<(u32, f32)> {
        // Short passages (footnotes, titles, signatures) and the cover letter or
        // introduction of a submission answer no question.
        let words = stems(text);
        if words.len() < 12 || text.split_whitespace().count() < 25 || is_introduction(text) {
            return Vec::new();
        }
        let present: BTreeSet<&String> = words.iter().collect();
        let mut scores: Vec<(u32, f32)> = self
            .profiles
            .iter()
            .map(|(q, profile)| {
                let score: f32 = present.iter().filter_map(|s| profile.get(*s)).sum();
                (*q, score)
            })
            .filter(|(_, score)| *score >= THRESHOLD)
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let best = scores.first().map_or(0.0, |(_, s)| *s);
        scores
            .into_iter()
            .take(2)
            .filter(|(_, s)| *s >= best * 0.95)
            .map(|(q, s)| (q, (s / (s + THRESHOLD * 2.0)).min(0.95)))
            .collect()
    }
}

/// Words of a cover letter or an introduction presenting the submission.
const INTRODUCTION: [&str; 28] = [
    "synthetic test document",
    "presents its compliments",
    "saluda atentamente",
    "présente ses compliments",
    "is pleased to submit",
    "welcomes the opportunity",
    "in response to the call",
    "en respuesta al llamado",
    "en réponse à l'appel",
    "this submission",
    "a submission from",
    "esta contribución",
    "la présente contribution",
    "contribution du",
    "is a fictional",
    "a fictional",
    "an invented",
    "fictive",
    "ficticia",
    "es una organización",
    "est une association",
    "is a non-governmental",
    "is an independent",
    "is an international",
    "was founded in",
    "fue fundada",
    "a été fondée",
    "research note",
];

fn is_introduction(text: &str) -> bool {
    let lower = text.to_lowercase();
    INTRODUCTION.iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> Call {
        let text = r#"
id = "demo"
title = "t"
mandate = "m"
issued = 2024-01-01
deadline = 2024-02-01
languages = ["en", "es"]
categories = ["States"]
[[questions]]
number = 4
short = "Law enforcement challenges"
text.en = "What are the challenges that inhibit the work of law enforcement across jurisdictions to investigate, detect, remove child sexual abuse materials online and prosecute these crimes?"
text.es = "¿Cuáles son los desafíos que dificultan la labor de las fuerzas del orden entre jurisdicciones para investigar, detectar y eliminar materiales y enjuiciar estos delitos?"
keywords.en = ["law enforcement", "investigation", "prosecution", "cross-border", "evidence"]
[[questions]]
number = 8
short = "Participation"
text.en = "Are there any examples of proactive measures taken to facilitate consultation and participation with a broad range of stakeholders, including children and child-rights organisations?"
keywords.en = ["consultation", "participation", "youth panel", "child participation"]
"#;
        Call::parse(std::path::Path::new("call.toml"), text).expect("call")
    }

    #[test]
    fn essays_are_tagged_by_the_words_of_the_questions() {
        let c = QuestionClassifier::new(&call());
        let police = "Police investigators told us that cross-border requests for evidence take months, \
                      and that prosecutors cannot bring charges when the platform holding the material sits in another jurisdiction.";
        assert_eq!(c.classify(police).first().map(|t| t.0), Some(4));
        let youth = "We held a consultation with a youth panel of forty adolescents, whose participation shaped \
                     the draft law, and child-rights organisations reviewed every version before it went to parliament.";
        assert_eq!(c.classify(youth).first().map(|t| t.0), Some(8));
        let spanish = "Los fiscales señalan que investigar y enjuiciar estos delitos exige cooperación entre jurisdicciones \
                       y que las fuerzas del orden no pueden detectar ni eliminar los materiales alojados en el extranjero.";
        assert_eq!(c.classify(spanish).first().map(|t| t.0), Some(4));
        assert!(c.classify("Yours sincerely, the Ministry of Foreign Affairs, Geneva, 30 April 2024, with our highest consideration for the Special Rapporteur.").is_empty());
    }

    #[test]
    fn a_combined_heading_keeps_the_question_a_passage_clearly_answers() {
        let c = QuestionClassifier::new(&call());
        let police = "Police investigators told us that cross-border requests for evidence take months, \
                      and that prosecutors cannot bring charges in another jurisdiction.";
        assert_eq!(c.choose(police, &[4, 8]), Some(4));
        let youth =
            "A youth panel took part in the consultation; child participation shaped the plan.";
        assert_eq!(c.choose(youth, &[4, 8]), Some(8));
        // Words of neither question: both tags stay.
        assert_eq!(
            c.choose("The weather was mild in the spring of that year.", &[4, 8]),
            None
        );
    }
}
