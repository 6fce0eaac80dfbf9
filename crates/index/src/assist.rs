//! A phrase looked up in the language fields, with the unstemmed field only adding to the
//! score of what they match.
//!
//! A passage's text is in exactly one language field and in the unstemmed field. Both
//! fold accents before anything else, and a language field then only drops stop words and
//! stems, the same for a passage's words as for the query's; so a phrase that no language's
//! stop list drops entirely matches, in the unstemmed field, only passages its own language
//! field matches too (a stop word dropped inside a phrase keeps its place). OR-ing the
//! unstemmed field in finds nothing more, and costs a phrase match on every passage that
//! holds the phrase's words anywhere: two thirds of a phrase search's time. Here the
//! language fields alone decide which passages match, and the unstemmed phrase is matched
//! only in a passage being scored. The score is what a
//! [`tantivy::query::DisjunctionMaxQuery`] over all the fields gives: a passage matches one
//! language field, so it is the better of that field's and the unstemmed field's scores
//! plus [`TIE_BREAKER`] times the other.

use tantivy::query::{
    EnableScoring, Explanation, Query, RequiredOptionalScorer, ScoreCombiner, Scorer, Weight,
};
use tantivy::{DocId, Score, SegmentReader, Term};

/// The weight of the lesser score, as in the disjunction the query stands for.
pub(crate) const TIE_BREAKER: Score = 0.1;

/// Matches what `matching` matches, scored together with `assist` where it matches too.
#[derive(Debug)]
pub(crate) struct Assisted {
    matching: Box<dyn Query>,
    assist: Box<dyn Query>,
}

impl Clone for Assisted {
    fn clone(&self) -> Self {
        Assisted {
            matching: self.matching.box_clone(),
            assist: self.assist.box_clone(),
        }
    }
}

impl Assisted {
    pub(crate) fn new(matching: Box<dyn Query>, assist: Box<dyn Query>) -> Assisted {
        Assisted { matching, assist }
    }
}

impl Query for Assisted {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let matching = self.matching.weight(scoring)?;
        let assist = if scoring.is_scoring_enabled() {
            Some(self.assist.weight(scoring)?)
        } else {
            None
        };
        Ok(Box::new(AssistedWeight { matching, assist }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.matching.query_terms(visitor);
        self.assist.query_terms(visitor);
    }
}

struct AssistedWeight {
    matching: Box<dyn Weight>,
    /// None when nothing is scored.
    assist: Option<Box<dyn Weight>>,
}

impl Weight for AssistedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let matching = self.matching.scorer(reader, boost)?;
        let Some(assist) = &self.assist else {
            return Ok(matching);
        };
        let assist = assist.scorer(reader, boost)?;
        Ok(Box::new(
            RequiredOptionalScorer::<_, _, BetterPlusTie>::new(matching, assist),
        ))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let matched = self.matching.explain(reader, doc)?;
        let Some(assist) = &self.assist else {
            return Ok(matched);
        };
        let (mut combined, assisted) = match assist.explain(reader, doc) {
            Ok(assisted) => {
                let (a, b) = (matched.value(), assisted.value());
                let value = a.max(b) + TIE_BREAKER * a.min(b);
                (
                    Explanation::new("the better field, plus a tenth of the other", value),
                    Some(assisted),
                )
            }
            Err(_) => (
                Explanation::new("the language field alone", matched.value()),
                None,
            ),
        };
        combined.add_detail(matched);
        if let Some(assisted) = assisted {
            combined.add_detail(assisted);
        }
        Ok(combined)
    }
}

/// The better of two scores plus [`TIE_BREAKER`] times the other (tantivy's
/// `DisjunctionMaxCombiner` takes its tie breaker from its constructor, and the scorer
/// builds its combiner by `Default`).
#[derive(Default, Clone, Copy)]
struct BetterPlusTie {
    max: Score,
    sum: Score,
}

impl ScoreCombiner for BetterPlusTie {
    fn update<TScorer: Scorer>(&mut self, scorer: &mut TScorer) {
        let score = scorer.score();
        self.max = self.max.max(score);
        self.sum += score;
    }

    fn clear(&mut self) {
        *self = BetterPlusTie::default();
    }

    fn score(&self) -> Score {
        self.max + (self.sum - self.max) * TIE_BREAKER
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BoostQuery, DisjunctionMaxQuery, PhraseQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
    use tantivy::{Index, IndexWriter, TantivyDocument, Term};

    use super::*;
    use crate::schema::{EXACT_TOKENIZER, register_tokenizers, tokenizer_name};

    /// Words whose English and French stems differ, forms that stem alike, and the same
    /// words with and without their accents (the unstemmed field folds them alike).
    const WORDS: [&str; 14] = [
        "water",
        "waters",
        "rights",
        "right",
        "access",
        "accès",
        "acces",
        "droits",
        "droit",
        "running",
        "runs",
        "niños",
        "ninos",
        "éducation",
    ];

    fn field_options(tokenizer: &str) -> TextOptions {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    }

    /// The phrase's terms in `field`, as its analyzer gives them, with their positions.
    fn terms(index: &Index, field: tantivy::schema::Field, phrase: &str) -> Vec<(usize, Term)> {
        let mut analyzer = index.tokenizer_for_field(field).expect("analyzer");
        let mut stream = analyzer.token_stream(phrase);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.position, Term::from_field_text(field, &token.text)));
        }
        out
    }

    proptest! {
        /// What the language fields match, scored with the unstemmed phrase, is what the
        /// disjunction over every field matches and scores.
        #[test]
        fn the_assisted_phrase_finds_and_scores_what_the_disjunction_does(
            docs in proptest::collection::vec(
                (any::<bool>(), proptest::collection::vec(0..WORDS.len(), 1..12)),
                1..40,
            ),
            phrase in proptest::collection::vec(0..WORDS.len(), 2..4),
        ) {
            // cfi's own analyzers, as its schema names them.
            let mut schema = Schema::builder();
            let en = schema.add_text_field("en", field_options(&tokenizer_name("en")));
            let fr = schema.add_text_field("fr", field_options(&tokenizer_name("fr")));
            let exact = schema.add_text_field("exact", field_options(EXACT_TOKENIZER));
            let index = Index::create_in_ram(schema.build());
            register_tokenizers(index.tokenizers());
            let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
            for (english, words) in &docs {
                let text: Vec<&str> = words.iter().filter_map(|&w| WORDS.get(w).copied()).collect();
                let text = text.join(" ");
                let mut doc = TantivyDocument::default();
                doc.add_text(if *english { en } else { fr }, &text);
                doc.add_text(exact, &text);
                writer.add_document(doc).expect("add");
            }
            writer.commit().expect("commit");
            let searcher = index.reader().expect("reader").searcher();
            let phrase: Vec<&str> = phrase.iter().filter_map(|&w| WORDS.get(w).copied()).collect();
            let phrase = phrase.join(" ");
            let in_field = |field| -> Box<dyn Query> {
                Box::new(PhraseQuery::new_with_offset(terms(&index, field, &phrase)))
            };
            let unstemmed = || -> Box<dyn Query> { Box::new(BoostQuery::new(in_field(exact), 0.5)) };
            let flat = DisjunctionMaxQuery::with_tie_breaker(
                vec![in_field(en), in_field(fr), unstemmed()],
                TIE_BREAKER,
            );
            let assisted = Assisted::new(
                Box::new(DisjunctionMaxQuery::with_tie_breaker(
                    vec![in_field(en), in_field(fr)],
                    TIE_BREAKER,
                )),
                unstemmed(),
            );
            let top = TopDocs::with_limit(50).order_by_score();
            let mut want = searcher.search(&flat, &top).expect("flat");
            let mut got = searcher.search(&assisted, &top).expect("assisted");
            want.sort_by_key(|(_, d)| *d);
            got.sort_by_key(|(_, d)| *d);
            prop_assert_eq!(want.len(), got.len());
            for ((ws, wd), (gs, gd)) in want.iter().zip(&got) {
                prop_assert_eq!(wd, gd);
                prop_assert!((ws - gs).abs() <= 1e-5 * ws.abs().max(1.0), "{} against {}", ws, gs);
            }
        }
    }
}
