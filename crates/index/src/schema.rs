//! Field names, and the analyzers that make each language's words match their variants.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenizerManager,
};

/// Languages with their own stemmed field: ISO 639-1 code and tantivy's stemmer.
pub const LANGUAGES: [(&str, Language); 12] = [
    ("en", Language::English),
    ("es", Language::Spanish),
    ("fr", Language::French),
    ("ru", Language::Russian),
    ("ar", Language::Arabic),
    ("pt", Language::Portuguese),
    ("de", Language::German),
    ("it", Language::Italian),
    ("nl", Language::Dutch),
    ("sv", Language::Swedish),
    ("tr", Language::Turkish),
    ("el", Language::Greek),
];

/// The field code a passage in `language` is indexed under: its own code when it has a
/// stemmer, else `other` (words folded but not stemmed).
pub fn language_field_code(language: Option<&str>) -> &'static str {
    language
        .and_then(|l| LANGUAGES.iter().find(|(code, _)| *code == l))
        .map(|(code, _)| *code)
        .unwrap_or("other")
}

pub(crate) const EXACT_TOKENIZER: &str = "cfi_exact";
/// The field holding each passage's vector.
pub(crate) const VECTOR_FIELD: &str = "vector";

/// The schema's fields, looked up once.
#[derive(Clone)]
pub(crate) struct Fields {
    pub passage_id: Field,
    pub submission_id: Field,
    /// Which language field holds the passage's text (`en`, ..., `other`).
    pub field_code: Field,
    pub record: Field,
    pub exact: Field,
    /// (language code, field), including `other`.
    pub text: Vec<(&'static str, Field)>,
    pub confidential: Field,
    /// 1 on a passage a later version of a submission repeats from its first version.
    pub folded: Field,
    /// The id of the first version's passage a folded passage repeats.
    pub duplicate_of: Field,
    pub question_number: Field,
    /// 1 on a key quote.
    pub key: Field,
    pub category_key: Field,
    pub submission_key: Field,
    pub ordinal: Field,
    pub call: Field,
    pub question: Field,
    pub category: Field,
    pub country: Field,
    pub language: Field,
    pub kind: Field,
    pub submitter: Field,
    pub mentioned: Field,
    /// The passage's vector (int8 bytes), written to each segment's `.vec` file.
    pub vector: Field,
}

/// The facets a search can filter on and count, by their API names.
pub(crate) const FACETS: [&str; 8] = [
    "call",
    "mentioned",
    "question",
    "category",
    "country",
    "language",
    "kind",
    "submitter",
];

pub(crate) fn build_schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("passage_id", STRING | STORED);
    b.add_text_field("submission_id", STRING | STORED | FAST);
    b.add_text_field("field_code", STRING);
    b.add_text_field("record", STORED);
    b.add_text_field("text_exact", text_options(EXACT_TOKENIZER));
    for code in LANGUAGES.iter().map(|(c, _)| *c).chain(["other"]) {
        b.add_text_field(&format!("text_{code}"), text_options(&tokenizer_name(code)));
    }
    b.add_u64_field("confidential", INDEXED | FAST);
    // A key quote (staff review): `key:true`.
    b.add_u64_field("key", INDEXED);
    // A later version's copy of a first-version passage: left out of searches and counts
    // (`folded`), found again by the id it repeats (`duplicate_of`) to name it on the hit.
    b.add_u64_field("folded", INDEXED);
    b.add_text_field("duplicate_of", STRING);
    // Columns the coverage matrix reads without opening stored passages.
    b.add_u64_field("question_number", FAST);
    b.add_text_field("category_key", STRING | FAST);
    b.add_text_field("submission_key", STRING | FAST);
    b.add_u64_field("ordinal", INDEXED | FAST);
    for facet in FACETS {
        b.add_facet_field(facet, FacetOptions::default());
    }
    // Neither indexed nor stored: the vectors plugin writes it to the segment's `.vec` file.
    b.add_custom_field(
        VECTOR_FIELD,
        "cfi_vector",
        serde_json::json!({"quantization": "int8", "sketch": "rotated sign bits"}),
    );
    b.build()
}

fn text_options(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The analyzer's name in the schema. It changes with what the analyzers do (`_folded`:
/// accents folded before the stop words and the stemmer), so that an index built with
/// other analyzers is refused and ingested again rather than searched with terms it does
/// not hold.
pub(crate) fn tokenizer_name(code: &str) -> String {
    format!("cfi_{code}_folded")
}

impl Fields {
    pub(crate) fn new(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        let mut text = Vec::new();
        for code in LANGUAGES.iter().map(|(c, _)| *c).chain(["other"]) {
            text.push((code, f(&format!("text_{code}"))?));
        }
        Ok(Fields {
            passage_id: f("passage_id")?,
            submission_id: f("submission_id")?,
            field_code: f("field_code")?,
            record: f("record")?,
            exact: f("text_exact")?,
            text,
            confidential: f("confidential")?,
            key: f("key")?,
            folded: f("folded")?,
            duplicate_of: f("duplicate_of")?,
            question_number: f("question_number")?,
            category_key: f("category_key")?,
            submission_key: f("submission_key")?,
            ordinal: f("ordinal")?,
            call: f("call")?,
            question: f("question")?,
            category: f("category")?,
            country: f("country")?,
            language: f("language")?,
            kind: f("kind")?,
            submitter: f("submitter")?,
            mentioned: f("mentioned")?,
            vector: f(VECTOR_FIELD)?,
        })
    }

    pub(crate) fn facet(&self, name: &str) -> Option<Field> {
        Some(match name {
            "call" => self.call,
            "question" => self.question,
            "category" => self.category,
            "country" => self.country,
            "language" => self.language,
            "kind" => self.kind,
            "submitter" => self.submitter,
            "mentioned" => self.mentioned,
            _ => return None,
        })
    }

    pub(crate) fn text_field(&self, code: &str) -> Option<Field> {
        self.text.iter().find(|(c, _)| *c == code).map(|(_, f)| *f)
    }
}

/// The analyzer of language `code`'s field up to its stop words (no stemmer): which words
/// the field drops ([`crate::snippet::Words`]); `None` for a language without stop words.
/// The rest is [`register_tokenizers`]' pipeline, word for word (a test in `snippet` marks
/// the same words as tantivy's own snippets in four languages).
pub(crate) fn stop_analyzer(code: &str) -> Option<TextAnalyzer> {
    let at = LANGUAGES.iter().position(|(c, _)| *c == code)?;
    let stop = stop_words().get(at).cloned().flatten()?;
    Some(
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(64))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(stop)
            .build(),
    )
}

/// Each language's stop-word filter, in the order of [`LANGUAGES`], built once: a filter
/// shares its word set when cloned, and building the set (hashing some hundred words) for
/// every language of every search was most of what making a snippet analyzer cost.
fn stop_words() -> &'static [Option<StopWordFilter>] {
    static FILTERS: std::sync::OnceLock<Vec<Option<StopWordFilter>>> = std::sync::OnceLock::new();
    FILTERS.get_or_init(|| {
        LANGUAGES
            .iter()
            .map(|(_, language)| StopWordFilter::new(*language))
            .collect()
    })
}

/// Registers the analyzers: per language lowercase, diacritic folding, stop words, then the
/// stemmer. Folding comes first so that a word typed with or without its accents is one
/// word from the start: "acces" and "accès", "educacion" and "educaciones" stem alike, and
/// whatever the unstemmed (folded) field matches, a language field matches too (the
/// stemmers' accented suffixes then go unused: "nación" and "naciones" still meet, as
/// "nacion").
pub(crate) fn register_tokenizers(manager: &TokenizerManager) {
    let base = || {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(64))
            .filter(LowerCaser)
    };
    manager.register(EXACT_TOKENIZER, base().filter(AsciiFoldingFilter).build());
    manager.register(
        &tokenizer_name("other"),
        base().filter(AsciiFoldingFilter).build(),
    );
    for ((code, language), stop) in LANGUAGES.into_iter().zip(stop_words()) {
        let analyzer = match stop.clone() {
            Some(stop) => base()
                .filter(AsciiFoldingFilter)
                .filter(stop)
                .filter(Stemmer::new(language))
                .build(),
            None => base()
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(language))
                .build(),
        };
        manager.register(&tokenizer_name(code), analyzer);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TokenizerManager;

    use super::*;

    fn terms(manager: &TokenizerManager, code: &str, text: &str) -> Vec<String> {
        let mut analyzer = manager.get(&tokenizer_name(code)).expect("registered");
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    }

    /// A word typed without its accents is the accented word in any of its forms: the
    /// accents are folded before the stemmer, which would otherwise read "sécurité" and
    /// "securites" as two words.
    #[test]
    fn accents_are_folded_before_the_stemmer() {
        let manager = TokenizerManager::default();
        register_tokenizers(&manager);
        for (code, accented, typed) in [
            ("fr", "sécurité", "securites"),
            ("fr", "égalité", "egalites"),
            ("fr", "privée", "privees"),
            ("fr", "accès", "acces"),
            ("es", "educación", "educaciones"),
        ] {
            assert_eq!(
                terms(&manager, code, accented),
                terms(&manager, code, typed),
                "{code}: {accented} / {typed}"
            );
        }
    }
}
