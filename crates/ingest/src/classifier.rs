//! A naive Bayes model of the guiding questions, seeded by the call's own question texts and
//! keywords in every language and learned from the call's answers under question headings:
//! for passages under no question heading (essays, topical sections), the questions they
//! most likely answer, with a calibrated confidence.

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

/// The model: naive Bayes over the stems of the call's answers, with the question texts
/// as its prior.
pub struct QuestionClassifier {
    /// Per question, how often each stem occurs in its text and keywords (keywords twice).
    prior: BTreeMap<u32, BTreeMap<String, u32>>,
    /// Per question, the texts `prior` counts (one per language, and its keyword lists).
    texts: BTreeMap<u32, u32>,
    /// The model: from the question texts alone until [`QuestionClassifier::trained`].
    learned: Learned,
    /// The glossary's terms as concepts shared by every language.
    concepts: Concepts,
    /// Sentences (hashed) that open many of the call's files: a template, a notice or the
    /// call's own title, which answer no question wherever they stand.
    boilerplate: BTreeSet<u64>,
    /// Stems in the texts of at least half the questions: the call's subject ("children",
    /// "online"), which tells no question apart from another.
    topic: BTreeSet<String>,
    /// The question asking for recommendations, where the call has one.
    recommends: Option<u32>,
}

/// Word starts asking someone to act: what a recommendation says, whatever its subject
/// ("States should", "nous recommandons", "se insta a", "следует").
const ASKING: [&str; 41] = [
    "should",
    "ought to",
    "recommend",
    "we urge",
    "urges",
    "we call on",
    "calls on",
    "call upon",
    "calls upon",
    "we encourage",
    "we ask",
    "we suggest",
    "asks the",
    "pedimos",
    "solicitamos",
    "proponemos",
    "encourageons",
    "suggérons",
    "demandons",
    "просим",
    "призываем",
    "debería",
    "deberían",
    "recomend",
    "insta ",
    "instamos",
    "exhort",
    "devrait",
    "devraient",
    "recommand",
    "appelons",
    "appelle les",
    "appelle le",
    "il convient",
    "invitons",
    "следует",
    "рекоменд",
    "призыва",
    "предлагаем",
    "необходимо обеспечить",
    "должны",
];

/// What each request to act ([`ASKING`]) adds to the log-likelihood of the question asking
/// for recommendations, for at most [`ASKS_COUNTED`] of them: chosen on the studied calls
/// (1.5-4 and one to three requests gave +0.01 to +0.03 F1 on their essays; the sale call,
/// whose essays recommend in every paragraph whatever they answer, loses up to 0.016).
const ASKING_WEIGHT: f32 = 2.0;
/// What a request to act within a text's first [`OPENING_WORDS`] words adds besides: a
/// paragraph that opens by asking ("We ask the city council to…", "Просим министерство…",
/// "Nous demandons au ministère…") is a recommendation, whatever it asks about. Of the essay
/// paragraphs in nine labelled calls that open so, 96% (136 of 142) answer the
/// recommendations question; later in a paragraph, a request is one in three. 4, 8 and 20
/// all gained on the studied essays (+0.01 to +0.05 F1); at 20 the demo and sale calls'
/// mixed documents lost 0.012-0.02.
const OPENING_ASK_WEIGHT: f32 = 8.0;
const OPENING_WORDS: usize = 8;
const ASKS_COUNTED: usize = 2;

/// How many times `text` asks someone to act ([`ASKING`]): one pass over it, and a word
/// that holds another ("deberían", "debería") counted once.
pub(crate) fn asks(text: &str) -> usize {
    static AUTOMATON: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    AUTOMATON
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(ASKING)
                .ok()
        })
        .as_ref()
        .map_or(0, |automaton| {
            automaton.find_iter(&text.to_lowercase()).count()
        })
}

/// The question of `call` asking for recommendations: its title or its text opens by
/// asking for them ("Recommendations", "What recommendations would you make…", "¿Qué
/// recomendaciones…"), in any of its languages. A question that names recommendations
/// further on ("…harmful content and recommendation algorithms") asks for something else.
fn recommendations_question(call: &Call) -> Option<u32> {
    const WORDS: [&str; 4] = ["recommend", "recomend", "recommand", "рекоменд"];
    let opens_asking = |text: &str| {
        text.to_lowercase()
            .split_whitespace()
            .take(4)
            .any(|word| WORDS.iter().any(|w| word.contains(w)))
    };
    call.questions
        .iter()
        .find(|q| opens_asking(&q.short) || q.text.values().any(|t| opens_asking(t)))
        .map(|q| q.number)
}

/// A multinomial naive Bayes model of the passages answering each question (which stems a
/// passage uses, each once), its counts seeded by the question's own text.
#[derive(Default)]
struct Learned {
    /// The questions, in the order of `base` and of each stem's weights.
    questions: Vec<u32>,
    /// Per question: the log-probability of the question before any word is read.
    base: Vec<f32>,
    /// Per stem: its log-probability under each question (one lookup per word of a text).
    weights: BTreeMap<String, Vec<f32>>,
    /// Passages learned from (the call's answers under a heading, and staff reviews).
    passages: f32,
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
/// Words a passage needs for the classifier to judge it: shorter ones are titles,
/// signatures, footnotes.
const MIN_CLASSIFY_WORDS: usize = 25;
/// Passages each question's own text counts for (its texts in every language sharing
/// them). Tried on the calls of BENCHMARKS.md ("Guiding-question tags"): 2 let a call's few
/// headed answers drown the question; 20 let the question's wording outweigh them.
const PRIOR_PASSAGES: f32 = 10.0;
/// Additive smoothing of every stem's count.
const SMOOTHING: f32 = 0.5;

impl Evidence {
    /// Learns from the passages of one submission: those that a heading tags with exactly
    /// one question.
    pub fn learn(&mut self, model: &QuestionClassifier, passages: &[Passage]) {
        self.files += 1;
        let opening: BTreeSet<u64> = passages
            .iter()
            .take(OPENING_PASSAGES)
            .flat_map(|p| {
                sentences(&p.full_text())
                    .filter_map(|(_, words)| sentence_hash(&words))
                    .collect::<Vec<_>>()
            })
            .collect();
        for hash in opening {
            *self.opening.entry(hash).or_default() += 1;
        }
        for passage in passages {
            let named = crate::analyzer::named(passage);
            let [question] = named.as_slice() else {
                continue;
            };
            self.count(model, &passage.full_text(), &[*question]);
        }
    }

    /// Learns from a passage staff reviewed: its text counts for each question they gave it,
    /// as a passage under that question's heading would.
    pub fn learn_reviewed(&mut self, model: &QuestionClassifier, text: &str, questions: &[u32]) {
        self.count(model, text, questions);
    }

    /// Counts `text` as a passage answering each of `questions`, if it says enough.
    fn count(&mut self, model: &QuestionClassifier, text: &str, questions: &[u32]) {
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
        .map(|w| w.chars().map(fold).take(STEM).collect())
        .collect()
}

/// A letter without its accent, so that a stem meets its cognates across the call's
/// languages ("éducation" and "educación" both "educac", "évacuation" and "evacuation"
/// both "evacua") and a word typed without its accents meets itself. On the studied
/// calls' essays: +0.003 to +0.025 F1 on eight of ten, -0.004 and -0.012 on two.
pub(crate) fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        'ё' => 'е',
        _ => c,
    }
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
        let mut prior: BTreeMap<u32, BTreeMap<String, u32>> = BTreeMap::new();
        let mut texts: BTreeMap<u32, u32> = BTreeMap::new();
        // Per stem, the questions whose texts (keywords aside) use it.
        let mut spread: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        for q in &call.questions {
            *texts.entry(q.number).or_default() += (q.text.len() + q.keywords.len()) as u32;
            let profile = prior.entry(q.number).or_default();
            for text in q.text.values() {
                for s in concepts.stems(text) {
                    spread.entry(s.clone()).or_default().insert(q.number);
                    *profile.entry(s).or_default() += 1;
                }
            }
            for keywords in q.keywords.values() {
                for keyword in keywords {
                    for s in concepts.stems(keyword) {
                        // Keywords were chosen to tell this question apart: count them more.
                        *profile.entry(s).or_default() += 2;
                    }
                }
            }
        }
        // With four questions at least, what half of them speak of is the call's subject.
        let topic: BTreeSet<String> = if prior.len() >= 4 {
            spread
                .into_iter()
                .filter(|(_, questions)| questions.len() * 2 >= prior.len())
                .map(|(s, _)| s)
                .collect()
        } else {
            BTreeSet::new()
        };
        let mut model = QuestionClassifier {
            prior,
            texts,
            learned: Learned::default(),
            concepts,
            boilerplate: BTreeSet::new(),
            topic,
            recommends: recommendations_question(call),
        };
        model.learned = model.learn(&Evidence::default());
        model
    }

    /// This model with what the call's own answers teach: each question's vocabulary as
    /// its submitters use it under that question's heading, the question's text and
    /// keywords counting as [`PRIOR_PASSAGES`] more.
    pub fn trained(&self, evidence: &Evidence) -> QuestionClassifier {
        QuestionClassifier {
            prior: self.prior.clone(),
            texts: self.texts.clone(),
            learned: self.learn(evidence),
            concepts: self.concepts.clone(),
            boilerplate: evidence.boilerplate(),
            topic: self.topic.clone(),
            recommends: self.recommends,
        }
    }

    /// The naive Bayes model of the question texts and `evidence`.
    fn learn(&self, evidence: &Evidence) -> Learned {
        let questions: Vec<u32> = self.prior.keys().copied().collect();
        // Per question, the passages using each stem: the question's texts share
        // PRIOR_PASSAGES between them, and each learned passage counts one.
        let counts: Vec<BTreeMap<&str, f32>> = questions
            .iter()
            .map(|q| {
                let texts = self.texts.get(q).copied().unwrap_or(1).max(1) as f32;
                let mut profile: BTreeMap<&str, f32> = BTreeMap::new();
                for (stem, count) in self.prior.get(q).into_iter().flatten() {
                    *profile.entry(stem).or_default() +=
                        (*count as f32).min(texts) / texts * PRIOR_PASSAGES;
                }
                for (stem, count) in evidence.stems.get(q).into_iter().flatten() {
                    *profile.entry(stem).or_default() += *count as f32;
                }
                profile
            })
            .collect();
        let learned: Vec<f32> = questions
            .iter()
            .map(|q| evidence.passages.get(q).copied().unwrap_or(0) as f32)
            .collect();
        let vocabulary: BTreeSet<&str> = counts.iter().flat_map(|c| c.keys().copied()).collect();
        let size = vocabulary.len().max(1) as f32;
        let totals: Vec<f32> = counts.iter().map(|c| c.values().sum()).collect();
        // Questions answered more often are more likely, each counted once more.
        let all: f32 = learned.iter().sum::<f32>() + questions.len() as f32;
        let base = learned.iter().map(|n| ((n + 1.0) / all).ln()).collect();
        let weights = vocabulary
            .iter()
            .map(|stem| {
                let per_question = counts
                    .iter()
                    .zip(&totals)
                    .map(|(profile, total)| {
                        let here = profile.get(stem).copied().unwrap_or(0.0);
                        ((here + SMOOTHING) / (total + SMOOTHING * size)).ln()
                    })
                    .collect();
                ((*stem).to_string(), per_question)
            })
            .collect();
        Learned {
            questions,
            base,
            weights,
            passages: learned.iter().sum(),
        }
    }

    /// Of the questions a combined heading names ("Questions 4 and 5"), the one `text`
    /// clearly answers: scored on those questions only, the best must be e² times as
    /// likely as the next. `None` when the text does not tell them apart.
    pub fn choose(&self, text: &str, candidates: &[u32]) -> Option<u32> {
        let words = self.stems(text);
        let present: BTreeSet<&String> = words.iter().collect();
        let mut scores: Vec<(u32, f32)> = self
            .learned
            .scores(&present)
            .into_iter()
            .filter(|(q, _)| candidates.contains(q))
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        match scores.as_slice() {
            [(best, top), (_, next), ..] if *top >= next + CHOOSE_MARGIN => Some(*best),
            _ => None,
        }
    }

    /// The model's log-likelihood of `text` under each question; `None` for a text the
    /// classifier does not judge: too short, or a cover letter or introduction. The
    /// call's boilerplate sentences are left out first.
    pub fn scores(&self, text: &str) -> Option<Vec<(u32, f32)>> {
        let text = self.without_boilerplate(text);
        let text = text.as_ref();
        if text.split_whitespace().count() < MIN_CLASSIFY_WORDS || is_introduction(text) {
            return None;
        }
        let words = self.stems(text);
        if words.len() < MIN_LEARN_STEMS {
            return None;
        }
        let present: BTreeSet<&String> = words.iter().collect();
        let mut scores = self.learned.scores(&present);
        // A text asking someone to act is a recommendation, whatever its subject: the words
        // of a recommendation on data protection are those of the data question.
        if let Some(r) = self.recommends {
            let asked = asks(text).min(ASKS_COUNTED) as f32;
            let opening: String = text
                .split_whitespace()
                .take(OPENING_WORDS)
                .collect::<Vec<_>>()
                .join(" ");
            let opens = if asks(&opening) > 0 {
                OPENING_ASK_WEIGHT
            } else {
                0.0
            };
            for (q, s) in &mut scores {
                if *q == r {
                    *s += ASKING_WEIGHT * asked + opens;
                }
            }
        }
        Some(scores)
    }

    /// `text` without the call's boilerplate sentences (a notice or template that opens
    /// many of its files).
    pub fn without_boilerplate<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.boilerplate.is_empty() {
            return text.into();
        }
        sentences(text)
            .filter(|(_, words)| {
                sentence_hash(words).is_none_or(|h| !self.boilerplate.contains(&h))
            })
            .map(|(sentence, _)| sentence)
            .collect::<Vec<_>>()
            .join(" ")
            .into()
    }

    /// The tags `scores` (from [`QuestionClassifier::scores`]) give, best first, each with
    /// its calibrated confidence: the most likely question, and the next where it too is
    /// likely enough ([`SECOND_TAG`]); none where no question stands out.
    pub fn decide(&self, scores: &[(u32, f32)]) -> Vec<(u32, f32)> {
        let mut ranked = scores.to_vec();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let best = ranked.first().map_or(0.0, |(_, s)| *s);
        let sum: f32 = ranked.iter().map(|(_, s)| (s - best).exp()).sum();
        // A question no likelier than chance, twice over (for nine questions, 0.2 against
        // 0.11), has no evidence behind it.
        let needed_posterior = 2.0 / (ranked.len() + 1) as f32;
        ranked
            .iter()
            .take(2)
            .enumerate()
            .filter_map(|(rank, (q, s))| {
                let posterior = (s - best).exp() / sum;
                if posterior < needed_posterior {
                    return None;
                }
                if rank == 1 && self.learned.passages < SECOND_TAG_LEARNED {
                    return None;
                }
                let confidence = calibrated(posterior, rank);
                let needed = if rank == 0 { FIRST_TAG } else { SECOND_TAG };
                (confidence >= needed).then_some((*q, confidence))
            })
            .collect()
    }

    /// The questions `text` answers, best first, with a confidence in 0..1.
    pub fn classify(&self, text: &str) -> Vec<(u32, f32)> {
        self.scores(text)
            .map(|scores| self.decide(&scores))
            .unwrap_or_default()
    }
}

/// Log-likelihood by which the question a passage under a combined heading answers must
/// lead.
const CHOOSE_MARGIN: f32 = 2.0;
/// Calibrated confidence the most likely question needs to be a tag (a posterior of about
/// 0.3 and up).
const FIRST_TAG: f32 = 0.25;
/// Calibrated confidence the second most likely question needs to be a tag too: a near-tie
/// (a posterior of about 0.38 and up, where the first has at most 0.62). On the four
/// labelled calls such second tags leave F1 where it was (they are right about a quarter of
/// the time, as their confidence says).
const SECOND_TAG: f32 = 0.23;
/// Passages a call must have taught the model before a near-tie gives two tags: with only
/// the question texts to go on, a tie is no evidence of two answers.
const SECOND_TAG_LEARNED: f32 = 30.0;

/// Naive Bayes adds up every word's evidence as if words were independent, so its
/// posteriors run far too high. The confidence of a tag is a logistic regression of how
/// often such a tag was right on four labelled calls (`cfi eval tagging` prints the
/// reliability table) on the posterior's log-odds and the tag's rank (first or second).
/// Fitted on any three of them, it predicts the fourth's reliability within 0.08-0.17 on
/// average (expected calibration error); the passages a call taught, a feature before,
/// made that 0.11-0.46: how much a call teaches says little about how right its tags are on
/// another call.
fn calibrated(posterior: f32, rank: usize) -> f32 {
    let p = posterior.clamp(1e-4, 1.0 - 1e-4);
    let z = 0.245 * (p / (1.0 - p)).ln() - 0.136 * rank as f32 - 0.981;
    1.0 / (1.0 + (-z).exp())
}

impl Learned {
    /// Per question, the log-likelihood of a passage using `present` (stems outside the
    /// model's vocabulary count for none).
    fn scores(&self, present: &BTreeSet<&String>) -> Vec<(u32, f32)> {
        let mut scores = self.base.clone();
        for weights in present.iter().filter_map(|s| self.weights.get(*s)) {
            for (total, w) in scores.iter_mut().zip(weights) {
                *total += w;
            }
        }
        self.questions.iter().copied().zip(scores).collect()
    }
}

/// Phrases of a cover letter or of the paragraph presenting the submitter, in the four
/// languages of the calls.
const INTRODUCTION: [&str; 35] = [
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
    "свидетельствует свое уважение",
    "свидетельствует своё уважение",
    "имеет честь представить",
    "приветствует возможность",
    "в ответ на призыв",
    "настоящий вклад",
    "настоящее представление",
    "является неправительственной",
    "является независимым",
    "является независимой",
    "была основана",
    "был основан",
    "было основано",
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

    /// A text asking someone to act is a recommendation, though its words are another
    /// question's; telling what happened in those words answers that question.
    #[test]
    fn a_text_asking_someone_to_act_answers_the_call_s_recommendations_question() {
        let text = r#"
[[questions]]
number = 4
short = "Online environments"
text.en = "How do online platforms shape what children learn, including through their recommendation algorithms?"
[[questions]]
number = 5
short = "Companies and data protection"
text.en = "What role do technology companies play in protecting the personal data of children who learn online?"
[[questions]]
number = 9
short = "Recommendations"
text.en = "What recommendations would you make to States, schools and other actors?"
"#;
        let c = QuestionClassifier::new(&crate::test_call(&["en"], text));
        assert_eq!(c.recommends, Some(9));
        // A word holding another counts once.
        assert_eq!(
            asks("Los Estados deberían actuar; la ley debería cambiar."),
            2
        );
        // The same words, told and asked.
        let told = "Last year the platforms used in rural schools kept the data of every \
                    pupil for years, and nobody in the ministry or in the schools knew where it was \
                    stored or who could read it.";
        assert_eq!(c.classify(told).first().map(|t| t.0), Some(5));
        let asked = "The platforms used in rural schools should keep the data of every \
                     pupil for a term only, and the ministry should know where it is stored and who \
                     may read it, as every school should.";
        assert_eq!(c.classify(asked).first().map(|t| t.0), Some(9));
        // A request weighs more where the paragraph opens with it.
        let score = |text: &str| {
            let scores = c.scores(text).expect("judged");
            let of = |q: u32| scores.iter().find(|s| s.0 == q).map_or(0.0, |s| s.1);
            of(9) - of(5)
        };
        let opens = score(
            "We ask that the platforms used in rural schools keep the data of every pupil \
             for a term only, and that the ministry knows where it is stored and who reads it.",
        );
        let closes = score(
            "The platforms used in rural schools keep the data of every pupil for a term \
             only, and the ministry knows where it is stored and who reads it, we ask.",
        );
        assert!(
            (opens - closes - OPENING_ASK_WEIGHT).abs() < 1e-3,
            "{opens} {closes}"
        );
        // A call without a recommendations question: the words decide.
        let without = QuestionClassifier::new(&call());
        assert_eq!(without.recommends, None);
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
            opens_section: false,
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
        learn_cases_and_workshops(&prior, &mut evidence, 20);
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

    /// `n` answers to question 4 (magistrates, subpoenas) and `n` to question 8 (a council
    /// of adolescents), each under its question's heading.
    fn learn_cases_and_workshops(prior: &QuestionClassifier, evidence: &mut Evidence, n: u32) {
        for k in 0..n {
            evidence.learn(prior, &[
                answer(4, &format!(
                    "Case {k}: magistrates told us subpoenas sent to overseas hosting firms went unanswered \
                     for months, mutual legal assistance treaties moved slowly and retention periods \
                     expired before the data arrived, so the file against the offender was closed."
                )),
                answer(8, &format!(
                    "Workshop {k}: a council of adolescents met in schools, discussed the draft with the \
                     ministry, voted on its priorities and presented them to the minister, who promised \
                     written feedback on every recommendation the council had adopted that spring."
                )),
            ]);
        }
    }

    #[test]
    fn a_second_tag_needs_a_near_tie_and_a_call_that_taught_enough() {
        let prior = QuestionClassifier::new(&call());
        let mut evidence = Evidence::default();
        learn_cases_and_workshops(&prior, &mut evidence, 100);
        let taught = prior.trained(&evidence);
        // Log-likelihoods: questions 4 and 8 nearly tied, both far ahead of the rest.
        let tie = [
            (4, -100.0),
            (8, -100.1),
            (1, -130.0),
            (2, -130.0),
            (3, -130.0),
        ];
        let tags = taught.decide(&tie);
        assert_eq!(tags.iter().map(|t| t.0).collect::<Vec<_>>(), vec![4, 8]);
        assert!(tags[0].1 > tags[1].1 && tags[1].1 >= SECOND_TAG, "{tags:?}");
        // One clearly ahead: one tag.
        let clear = [
            (4, -100.0),
            (8, -104.0),
            (1, -130.0),
            (2, -130.0),
            (3, -130.0),
        ];
        assert_eq!(taught.decide(&clear).len(), 1);
        // The same tie where the call taught nothing: the evidence is too thin for two.
        assert!(prior.decide(&tie).len() < 2, "{:?}", prior.decide(&tie));
        // Words the model never met: no question is likelier than another, so no tag.
        let unknown = "Zebra quokka marmot walrus pelican iguana lemur narwhal okapi tapir vicuna \
                       wombat axolotl capybara dugong gecko ibis jackal kiwi llama manatee ocelot \
                       puffin quail raccoon sloth toucan urial vole yak.";
        assert!(
            taught.classify(unknown).is_empty(),
            "{:?}",
            taught.classify(unknown)
        );
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
