//! A lexical model of the guiding questions, built from the call's own question texts and
//! keywords in every language: for passages under no question heading (essays,
//! introductions), the questions whose words they use most, above a threshold.

use std::collections::{BTreeMap, BTreeSet};

use cfi_core::{Call, Passage};

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
    "existing",
    "ensure",
    "order",
    "best",
    "range",
    "broad",
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
    "des",
    "les",
    "pour",
    "avec",
    "dans",
    "une",
    "sur",
    "par",
    "qui",
    "leur",
    "leurs",
    "quels",
    "quelles",
    "comment",
    "для",
    "что",
    "как",
    "или",
];

/// Characters kept of each word: a crude stem that makes "encrypted" meet "encryption"
/// and "cifrado" meet "cifrados" in every language without a stemmer per language.
const STEM: usize = 6;
/// Minimum score for a tag.
const THRESHOLD: f32 = 2.0;

/// The model: per question, stems with weights.
pub struct QuestionClassifier {
    profiles: BTreeMap<u32, BTreeMap<String, f32>>,
    /// Per question, how often each stem occurs in its text and keywords (keywords twice).
    prior: BTreeMap<u32, BTreeMap<String, u32>>,
    /// Learned from the call's own answers: per question, the log-odds a stem adds, and
    /// the question's share of the answers; `None` until [`QuestionClassifier::trained`].
    learned: Option<Learned>,
    /// The glossary's terms as concepts shared by every language.
    concepts: Concepts,
    /// Sentences (hashed) that open many of the call's files: a template, a notice or the
    /// call's own title, which answer no question wherever they stand.
    boilerplate: BTreeSet<u64>,
    /// Stems in the texts of at least half the questions: the call's subject ("children",
    /// "online"), which tells no question apart from another.
    topic: BTreeSet<String>,
}

/// A naive Bayes model of the call's answers under question headings.
struct Learned {
    /// The questions, in the order of `base` and of each stem's weights.
    questions: Vec<u32>,
    /// Per question: the log-odds of the question before any word is read.
    base: Vec<f32>,
    /// Per stem: the log-odds it adds to each question (one lookup per word of a text).
    weights: BTreeMap<String, Vec<f32>>,
}

/// What the call's own submissions say under their question headings: for each question,
/// the passages a heading tags with it alone, and how many of them use each stem. Counts
/// only, so the model learned does not depend on the order files were read in.
#[derive(Debug, Default, Clone)]
pub struct Evidence {
    passages: BTreeMap<u32, u32>,
    stems: BTreeMap<u32, BTreeMap<String, u32>>,
    /// Files learned from.
    files: u32,
    /// Per sentence of the files' opening passages (hashed): how many files open with it.
    opening: BTreeMap<u64, u32>,
}

/// Passages of a file's opening whose sentences are counted across files.
const OPENING_PASSAGES: usize = 8;
/// Words a sentence needs to be counted as boilerplate (shorter ones repeat by chance:
/// "Introduction", "Yours sincerely").
const BOILERPLATE_WORDS: usize = 5;
/// Files (at least) and share of the call's files that must open with a sentence for it
/// to be boilerplate.
const BOILERPLATE_FILES: u32 = 3;
const BOILERPLATE_SHARE: f32 = 0.2;

/// The sentences of `text`, each as its lower-cased words joined by one space: split at
/// line ends and after a full stop, question or exclamation mark followed by a space.
fn sentences(text: &str) -> impl Iterator<Item = (&str, String)> {
    text.split('\n')
        .flat_map(|line| line.split_inclusive(['.', '?', '!', '。']))
        .map(|s| {
            let words: Vec<String> = s
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            (s, words.join(" "))
        })
}

/// A sentence's hash when it is long enough to count as boilerplate.
fn sentence_hash(words: &str) -> Option<u64> {
    (words.split(' ').count() >= BOILERPLATE_WORDS).then(|| fnv1a(words.as_bytes()))
}

/// FNV-1a: stable across builds, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Passages a model is learned from must say this much (in stems).
const MIN_LEARN_STEMS: usize = 12;
/// Below this many learned passages in all, the call's answers say too little to learn
/// from, and the question texts alone decide.
const MIN_EVIDENCE: u32 = 30;
/// Pseudo-passages the question's text and keywords count for in the learned model.
const PRIOR_PASSAGES: u32 = 2;

impl Evidence {
    /// Learns from the passages of one submission: those that a heading tags with exactly
    /// one question.
    pub fn learn(&mut self, model: &QuestionClassifier, passages: &[Passage]) {
        self.files += 1;
        let opening: BTreeSet<u64> = passages
            .iter()
            .take(OPENING_PASSAGES)
            .flat_map(|p| sentences(&p.text).filter_map(|(_, words)| sentence_hash(&words)))
            .collect();
        for hash in opening {
            *self.opening.entry(hash).or_default() += 1;
        }
        for passage in passages {
            let named = crate::analyzer::named(passage);
            let [question] = named.as_slice() else {
                continue;
            };
            let question = *question;
            let words = model.stems(&passage.text);
            if words.len() < MIN_LEARN_STEMS {
                continue;
            }
            *self.passages.entry(question).or_default() += 1;
            let profile = self.stems.entry(question).or_default();
            for stem in words.into_iter().collect::<BTreeSet<_>>() {
                *profile.entry(stem).or_default() += 1;
            }
        }
    }

    /// Learns from a passage staff reviewed: its text counts for each question they gave it,
    /// as a passage under that question's heading would.
    pub fn learn_reviewed(&mut self, model: &QuestionClassifier, text: &str, questions: &[u32]) {
        let words = model.stems(text);
        if words.len() < MIN_LEARN_STEMS {
            return;
        }
        let stems: BTreeSet<String> = words.into_iter().collect();
        for &question in questions {
            *self.passages.entry(question).or_default() += 1;
            let profile = self.stems.entry(question).or_default();
            for stem in &stems {
                *profile.entry(stem.clone()).or_default() += 1;
            }
        }
    }

    /// Adds what another set of passages taught (counts add up, so the order of merging
    /// does not matter).
    pub fn merge(&mut self, other: Evidence) {
        self.files += other.files;
        for (hash, n) in other.opening {
            *self.opening.entry(hash).or_default() += n;
        }
        for (q, n) in other.passages {
            *self.passages.entry(q).or_default() += n;
        }
        for (q, stems) in other.stems {
            let profile = self.stems.entry(q).or_default();
            for (stem, n) in stems {
                *profile.entry(stem).or_default() += n;
            }
        }
    }

    /// Passages learned from.
    pub fn passages(&self) -> u32 {
        self.passages.values().sum()
    }

    /// The sentences that open so many of the files that they are a template or a notice.
    fn boilerplate(&self) -> BTreeSet<u64> {
        let needed = BOILERPLATE_FILES.max((self.files as f32 * BOILERPLATE_SHARE).ceil() as u32);
        self.opening
            .iter()
            .filter(|(_, files)| **files >= needed)
            .map(|(hash, _)| *hash)
            .collect()
    }
}

fn stems(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(&w.as_str()))
        .map(|w| w.chars().take(STEM).collect())
        .collect()
}

/// Lower case, every run of other characters than letters and digits one space, padded
/// with a space each side: phrases match on word boundaries with `contains`.
fn padded(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push_str(&word.to_lowercase());
        out.push(' ');
    }
    out
}

/// The call's glossary as concepts: each entry's terms, in every language, stand for one
/// token ("cifrado", "chiffrement" and "encryption" are all `#glossary3`), so what the
/// model learns from answers in one language carries over to the others.
#[derive(Debug, Default, Clone)]
struct Concepts {
    /// Every padded term at once (one pass over a text whatever the glossary's size).
    automaton: Option<aho_corasick::AhoCorasick>,
    /// The token of each of the automaton's patterns.
    tokens: Vec<String>,
}

impl Concepts {
    fn new(call: &Call) -> Concepts {
        let mut terms = Vec::new();
        let mut tokens = Vec::new();
        for (k, entry) in call.glossary.iter().enumerate() {
            for (_, term) in entry.all() {
                let term = padded(term);
                if term.trim().chars().count() >= 2 {
                    terms.push(term);
                    tokens.push(format!("#glossary{k}"));
                }
            }
        }
        let automaton = (!terms.is_empty())
            .then(|| aho_corasick::AhoCorasick::new(&terms).ok())
            .flatten();
        Concepts { automaton, tokens }
    }

    /// The tokens of the concepts `text` names, each once.
    fn found(&self, text: &str) -> BTreeSet<&str> {
        let Some(automaton) = &self.automaton else {
            return BTreeSet::new();
        };
        // Overlapping: "end-to-end encryption" also names "encryption".
        automaton
            .find_overlapping_iter(&padded(text))
            .filter_map(|m| self.tokens.get(m.pattern().as_usize()))
            .map(String::as_str)
            .collect()
    }

    /// The stems of `text` and the glossary concepts it names. (Counting a concept's term
    /// as the concept only, its stems taken out, did worse on essays in both calls.)
    fn stems(&self, text: &str) -> Vec<String> {
        let mut words = stems(text);
        let tokens = self.found(text);
        words.extend(tokens.into_iter().map(str::to_string));
        words
    }
}

impl QuestionClassifier {
    /// The stems of `text`, and the glossary concepts it names.
    fn stems(&self, text: &str) -> Vec<String> {
        let mut words = self.concepts.stems(text);
        words.retain(|w| !self.topic.contains(w));
        words
    }

    /// Builds the model from the call's question texts and keywords.
    pub fn new(call: &Call) -> QuestionClassifier {
        let concepts = Concepts::new(call);
        let with_concepts = |text: &str| concepts.stems(text);
        let mut prior: BTreeMap<u32, BTreeMap<String, u32>> = BTreeMap::new();
        for q in &call.questions {
            let profile = prior.entry(q.number).or_default();
            for text in q.text.values() {
                for s in with_concepts(text) {
                    *profile.entry(s).or_default() += 1;
                }
            }
            for keywords in q.keywords.values() {
                for keyword in keywords {
                    for s in with_concepts(keyword) {
                        // Keywords were chosen to tell this question apart: count them more.
                        *profile.entry(s).or_default() += 2;
                    }
                }
            }
        }
        let raw: BTreeMap<u32, BTreeMap<String, f32>> = prior
            .iter()
            .map(|(q, p)| (*q, p.iter().map(|(s, c)| (s.clone(), *c as f32)).collect()))
            .collect();
        // A stem in many questions says little about any one of them.
        let mut spread: BTreeMap<String, usize> = BTreeMap::new();
        for profile in raw.values() {
            for s in profile.keys() {
                *spread.entry(s.clone()).or_default() += 1;
            }
        }
        let n = raw.len().max(1) as f32;
        // From texts only (keywords are chosen to differ), with four questions at least.
        let mut in_texts: BTreeMap<&String, usize> = BTreeMap::new();
        for q in &call.questions {
            let mut seen = BTreeSet::new();
            for text in q.text.values() {
                seen.extend(with_concepts(text));
            }
            for s in seen {
                if let Some((key, _)) = spread.get_key_value(&s) {
                    *in_texts.entry(key).or_default() += 1;
                }
            }
        }
        let topic: BTreeSet<String> = if raw.len() >= 4 {
            in_texts
                .into_iter()
                .filter(|(_, k)| *k * 2 >= raw.len())
                .map(|(s, _)| s.clone())
                .collect()
        } else {
            BTreeSet::new()
        };
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
        QuestionClassifier {
            profiles,
            prior,
            learned: None,
            concepts,
            boilerplate: BTreeSet::new(),
            topic,
        }
    }

    /// This model with what the call's own answers teach: each question's vocabulary as
    /// its submitters use it under that question's heading, the question's text and
    /// keywords counting as [`PRIOR_PASSAGES`] more. With too little evidence the model is
    /// returned as it is.
    pub fn trained(&self, evidence: &Evidence) -> QuestionClassifier {
        let mut model = QuestionClassifier {
            profiles: self.profiles.clone(),
            prior: self.prior.clone(),
            learned: None,
            concepts: self.concepts.clone(),
            boilerplate: evidence.boilerplate(),
            topic: self.topic.clone(),
        };
        if evidence.passages() < MIN_EVIDENCE {
            return model;
        }
        // Per question: passages (learned plus pseudo) and per stem the passages using it.
        let mut passages: BTreeMap<u32, f32> = BTreeMap::new();
        let mut counts: BTreeMap<u32, BTreeMap<&str, f32>> = BTreeMap::new();
        for (q, prior) in &self.prior {
            let learned = evidence.passages.get(q).copied().unwrap_or(0);
            passages.insert(*q, (learned + PRIOR_PASSAGES) as f32);
            let profile = counts.entry(*q).or_default();
            for (stem, count) in prior {
                *profile.entry(stem).or_default() += (*count).min(PRIOR_PASSAGES) as f32;
            }
            for (stem, count) in evidence.stems.get(q).into_iter().flatten() {
                *profile.entry(stem).or_default() += *count as f32;
            }
        }
        let mut totals: BTreeMap<&str, f32> = BTreeMap::new();
        for profile in counts.values() {
            for (stem, count) in profile {
                *totals.entry(stem).or_default() += count;
            }
        }
        let all: f32 = passages.values().sum();
        const SMOOTHING: f32 = 0.5;
        let questions: Vec<u32> = counts.keys().copied().collect();
        // Per question: its passages and the rest's.
        let sizes: Vec<(f32, f32)> = questions
            .iter()
            .map(|q| {
                let n = passages.get(q).copied().unwrap_or(1.0);
                (n, (all - n).max(1.0))
            })
            .collect();
        let base = sizes.iter().map(|(n, rest)| (n / rest).ln()).collect();
        let weights = totals
            .iter()
            // A stem seen once tells nothing reliable.
            .filter(|(_, total)| **total >= 2.0)
            .map(|(stem, total)| {
                let per_question = questions
                    .iter()
                    .zip(&sizes)
                    .map(|(q, (n, rest))| {
                        let here = counts
                            .get(q)
                            .and_then(|profile| profile.get(stem))
                            .copied()
                            .unwrap_or(0.0);
                        let p = (here + SMOOTHING) / (n + 2.0 * SMOOTHING);
                        let p_rest = (total - here + SMOOTHING) / (rest + 2.0 * SMOOTHING);
                        (p / p_rest).ln()
                    })
                    .collect();
                ((*stem).to_string(), per_question)
            })
            .collect();
        model.learned = Some(Learned {
            questions,
            base,
            weights,
        });
        model
    }

    /// Of the questions a combined heading names ("Questions 4 and 5"), the one `text`
    /// clearly answers: scored on those questions only, the best must score at least half as
    /// much again as the next. `None` when the text does not tell them apart.
    pub fn choose(&self, text: &str, candidates: &[u32]) -> Option<u32> {
        let words = self.stems(text);
        let present: BTreeSet<&String> = words.iter().collect();
        if let Some(learned) = &self.learned {
            let mut scores: Vec<(u32, f32)> = learned
                .log_odds(&present)
                .into_iter()
                .filter(|(q, _)| candidates.contains(q))
                .collect();
            scores.sort_by(|a, b| b.1.total_cmp(&a.1));
            return match scores.as_slice() {
                [(best, top), (_, next), ..] if *top >= next + CHOOSE_MARGIN => Some(*best),
                _ => None,
            };
        }
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
        let kept;
        let text = if self.boilerplate.is_empty() {
            text
        } else {
            kept = sentences(text)
                .filter(|(_, words)| {
                    sentence_hash(words).is_none_or(|h| !self.boilerplate.contains(&h))
                })
                .map(|(sentence, _)| sentence)
                .collect::<Vec<_>>()
                .join(" ");
            kept.as_str()
        };
        // Short passages (footnotes, titles, signatures) and the cover letter or
        // introduction of a submission answer no question.
        if text.split_whitespace().count() < 25 || is_introduction(text) {
            return Vec::new();
        }
        let mut words = stems(text);
        words.retain(|w| !self.topic.contains(w));
        if words.len() < 12 {
            return Vec::new();
        }
        words.extend(self.concepts.found(text).into_iter().map(str::to_string));
        let present: BTreeSet<&String> = words.iter().collect();
        if let Some(learned) = &self.learned {
            // The one question the passage most likely answers, when the odds are clear:
            // allowing a second tag doubled the false ones for few more true ones.
            return learned
                .log_odds(&present)
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .filter(|(_, odds)| *odds >= LEARNED_THRESHOLD)
                .map(|(q, odds)| (q, calibrated(odds)))
                .into_iter()
                .collect();
        }
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

/// Naive Bayes adds up every word's evidence as if words were independent, so its odds
/// run far too high: divided by this, they read as a probability. Fitted on the two
/// labelled calls (`cfi eval tagging` prints the reliability table): tags given 0.8-0.9 were
/// right 82% of the time, 0.9 and above 89% (at 1, as before, every tag said 0.95 and one
/// in five was wrong).
const ODDS_TEMPERATURE: f32 = 10.0;

/// The confidence of a learned tag with these log-odds.
fn calibrated(odds: f32) -> f32 {
    (1.0 / (1.0 + (-odds / ODDS_TEMPERATURE).exp())).min(0.99)
}

/// Log-odds a learned tag needs: naive Bayes is overconfident, so "more likely than not"
/// (0) is not enough; 5 is odds of about 150 to 1.
const LEARNED_THRESHOLD: f32 = 5.0;
/// Log-odds by which the question a passage under a combined heading answers must lead.
const CHOOSE_MARGIN: f32 = 2.0;

impl Learned {
    /// Per question, the log-odds that a passage using `present` answers it.
    fn log_odds(&self, present: &BTreeSet<&String>) -> Vec<(u32, f32)> {
        let mut odds = self.base.clone();
        for weights in present.iter().filter_map(|s| self.weights.get(*s)) {
            for (total, w) in odds.iter_mut().zip(weights) {
                *total += w;
            }
        }
        self.questions.iter().copied().zip(odds).collect()
    }
}

/// Words of a cover letter or an introduction presenting the submission.
const INTRODUCTION: [&str; 22] = [
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
    use cfi_core::TagSource;

    fn call() -> Call {
        let text = r#"
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
        crate::test_call(&["en", "es"], text)
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

    fn answer(question: u32, text: &str) -> Passage {
        Passage {
            id: String::new(),
            ordinal: 1,
            text: text.to_string(),
            heading: None,
            page: None,
            page_end: None,
            page_label: None,
            paragraph: 1,
            language: Some("en".into()),
            questions: vec![cfi_core::QuestionTag {
                number: question,
                source: TagSource::Heading,
                confidence: 1.0,
            }],
            mentioned_countries: Vec::new(),
            duplicate_of: None,
            key: false,
        }
    }

    #[test]
    fn the_model_learns_each_question_s_vocabulary_from_the_call_s_headed_answers() {
        let prior = QuestionClassifier::new(&call());
        // Words in neither question's text nor keywords: the prior cannot place them.
        let essay = "Our magistrates described how subpoenas to overseas hosting firms go unanswered, \
                     how mutual legal assistance treaties move slowly, and how the data they \
                     finally obtain arrives after the retention period has expired for good.";
        assert!(prior.classify(essay).is_empty());
        // Submissions answering question 4 under its heading use them; those answering
        // question 8 speak of councils and workshops.
        let mut evidence = Evidence::default();
        for n in 0..20 {
            evidence.learn(&prior, &[
                answer(4, &format!(
                    "Case {n}: magistrates told us subpoenas sent to overseas hosting firms went unanswered \
                     for months, mutual legal assistance treaties moved slowly and retention periods \
                     expired before the data arrived, so the file against the offender was closed."
                )),
                answer(8, &format!(
                    "Workshop {n}: a council of adolescents met in schools, discussed the draft with the \
                     ministry, voted on its priorities and presented them to the minister, who promised \
                     written feedback on every recommendation the council had adopted that spring."
                )),
            ]);
        }
        assert_eq!(evidence.passages(), 40);
        let trained = prior.trained(&evidence);
        let tags = trained.classify(essay);
        assert_eq!(tags.iter().map(|t| t.0).collect::<Vec<_>>(), vec![4]);
        assert!(tags.iter().all(|t| t.1 > 0.5 && t.1 <= 0.99));
        // Passages tagged with two questions, or too short, teach nothing.
        let mut thin = Evidence::default();
        let mut both = answer(4, essay);
        both.questions.push(cfi_core::QuestionTag {
            number: 8,
            source: TagSource::Heading,
            confidence: 1.0,
        });
        thin.learn(&prior, &[both, answer(4, "Too short to learn from.")]);
        assert_eq!(thin.passages(), 0);
        // With too little evidence the question texts decide alone.
        assert!(prior.trained(&thin).classify(essay).is_empty());
    }

    #[test]
    fn glossary_terms_carry_what_is_learned_in_one_language_to_another() {
        let text = r#"
[[questions]]
number = 4
short = "Police"
text.en = "What inhibits investigation and prosecution?"
[[questions]]
number = 7
short = "Technology"
text.en = "What are the challenges of new technology?"
[[glossary]]
en = ["end-to-end encryption"]
fr = ["chiffrement de bout en bout"]
[[glossary]]
en = ["hash matching"]
fr = ["empreintes numériques"]
"#;
        let with = crate::test_call(&["en", "fr"], text);
        let without = text.split("[[glossary]]").next().unwrap_or_default();
        let without = crate::test_call(&["en", "fr"], without);
        let french = "Dès que le chiffrement de bout en bout est activé par défaut, la recherche \
                      d'empreintes numériques ne fonctionne plus dans l'application, et la société \
                      ne transmet presque plus rien aux autorités nationales depuis cette décision.";
        let tagged = |call: &Call| {
            let prior = QuestionClassifier::new(call);
            let mut evidence = Evidence::default();
            learn_both(&prior, &mut evidence);
            prior.trained(&evidence).classify(french)
        };
        // French, sharing no word with the English answers but the glossary's terms.
        assert_eq!(
            tagged(&with).first().map(|t| t.0),
            Some(7),
            "{:?}",
            tagged(&with)
        );
        assert!(tagged(&without).is_empty(), "{:?}", tagged(&without));
    }

    #[test]
    fn a_sentence_opening_many_files_is_boilerplate_and_tags_nothing() {
        let prior = QuestionClassifier::new(&call());
        // A notice every file opens with, in the words of question 4.
        let notice = "This note was prepared for the law enforcement investigation and prosecution \
                      of cross-border evidence requests.";
        let passage = format!(
            "{notice} Police investigators say cross-border requests for evidence take months, and \
             prosecutors cannot bring charges when the platform holding the material sits in another \
             jurisdiction, so the investigation is closed before the data arrives."
        );
        let only_notice = format!("{notice} {notice} {notice}");
        let untrained = prior.trained(&Evidence::default());
        assert_eq!(
            untrained.classify(&only_notice).first().map(|t| t.0),
            Some(4)
        );
        let mut evidence = Evidence::default();
        for n in 0..5 {
            let opening = answer(0, &format!("Submitter {n}. {notice}"));
            evidence.learn(&prior, &[opening]);
        }
        let trained = prior.trained(&evidence);
        // The notice alone says nothing; the answer around it is still read.
        assert!(trained.classify(&only_notice).is_empty());
        assert_eq!(trained.classify(&passage).first().map(|t| t.0), Some(4));
        // Two files of five opening with it are not enough (one in five and three files are).
        let mut few = Evidence::default();
        for n in 0..10 {
            let text = if n < 2 {
                notice.to_string()
            } else {
                format!("Submitter {n}.")
            };
            few.learn(&prior, &[answer(0, &text)]);
        }
        assert!(!prior.trained(&few).classify(&only_notice).is_empty());
    }

    fn learn_both(prior: &QuestionClassifier, evidence: &mut Evidence) {
        for n in 0..20 {
            evidence.learn(
                prior,
                &[
                    answer(7, &format!(
                        "Note {n}: once end-to-end encryption is switched on by default, hash matching \
                         of known images stops working on the messaging service, and the reports that \
                         providers used to send to the hotline fall sharply within months of the change."
                    )),
                    answer(4, &format!(
                        "Note {n}: magistrates told us subpoenas sent to overseas hosting firms went \
                         unanswered for months, mutual legal assistance treaties moved slowly and the \
                         file against the offender was closed before any data arrived from abroad."
                    )),
                ],
            );
        }
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

#[cfg(test)]
mod learning_from_staff {
    use super::*;

    #[test]
    fn a_reviewed_passage_counts_for_each_question_staff_gave_it() {
        let call = crate::test_call(
            &["en"],
            "[[questions]]\nnumber = 4\nshort = \"Law enforcement\"\ntext.en = \"What challenges does law enforcement face?\"\n[[questions]]\nnumber = 8\nshort = \"Participation\"\ntext.en = \"How are children consulted?\"\n",
        );
        let model = QuestionClassifier::new(&call);
        let mut evidence = Evidence::default();
        let text = "Police units lack the forensic tools, the staff and the cross-border agreements needed to trace offenders who stream abuse from abroad, and prosecutors rarely obtain the evidence in time.";
        evidence.learn_reviewed(&model, text, &[4, 8]);
        assert_eq!(evidence.passages(), 2);
        // Too short to teach anything.
        evidence.learn_reviewed(&model, "Police units.", &[4]);
        assert_eq!(evidence.passages(), 2);
    }
}
