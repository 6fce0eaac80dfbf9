use serde::{Deserialize, Serialize};

/// How a guiding-question tag was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagSource {
    /// From a heading or numbered lead in the document naming the question.
    Heading,
    /// From a lexical model over the call's question texts.
    Classifier,
    /// Set by staff reviewing the passage: overrides the others.
    Staff,
}

impl TagSource {
    /// The word used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TagSource::Heading => "heading",
            TagSource::Classifier => "classifier",
            TagSource::Staff => "staff",
        }
    }
}

/// A guiding question a passage answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionTag {
    /// The question's number in the call.
    pub number: u32,
    /// How the tag was found.
    pub source: TagSource,
    /// 0..=1, how sure the tagger is.
    pub confidence: f32,
}

/// A passage: the unit of search, a paragraph or a few, cut from one submission file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passage {
    /// Stable id: submission id, ordinal and a short content hash.
    pub id: String,
    /// 1-based position in the submission.
    pub ordinal: u32,
    /// The text.
    pub text: String,
    /// The heading it sits under, if any.
    pub heading: Option<String>,
    /// Whether `heading` is a topical heading (one naming no question) that opens this
    /// passage: it stands above the text, not in it, and is searched with it. A heading
    /// answers no question, so the passage's tags are its text's; a heading that names a
    /// question is the first line of the text it tags.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub opens_section: bool,
    /// First page (PDF).
    pub page: Option<u32>,
    /// Last page when it spans pages.
    pub page_end: Option<u32>,
    /// Page label where the PDF defines one.
    pub page_label: Option<String>,
    /// 1-based paragraph number of its first block.
    pub paragraph: u32,
    /// ISO 639-1 language.
    pub language: Option<String>,
    /// Guiding questions it answers.
    pub questions: Vec<QuestionTag>,
    /// Countries it talks about (English short names).
    #[serde(default)]
    pub mentioned_countries: Vec<String>,
    /// In a later version of a submission (the same input in another format), the id of
    /// the identical passage in its first version: search shows that one, naming this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// A key quote: staff marked it as one the report should quote (search filter
    /// `key:true`; it leads its question's brief).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key: bool,
}

/// Stable passage id: submission id, ordinal, and 32 bits of FNV-1a over the text, so an
/// unchanged file keeps its ids and links.
pub fn passage_id(submission_id: &str, ordinal: u32, text: &str) -> String {
    format!("{submission_id}-{ordinal:03}-{:08x}", text_hash(text))
}

fn text_hash(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

impl Passage {
    /// The id this passage had while the topical heading it opens was the first line of its
    /// text (cfi before 2026-12-05): what staff reviews made then are keyed by.
    pub fn former_id(&self) -> Option<String> {
        let heading = self.heading.as_deref().filter(|_| self.opens_section)?;
        let prefix = self.id.get(..self.id.len().checked_sub(8)?)?;
        let former = format!("{}\n{}", heading.trim(), self.text);
        Some(format!("{prefix}{:08x}", text_hash(&former)))
    }

    /// What is searched and classified: the heading the passage opens, then its text.
    pub fn full_text(&self) -> std::borrow::Cow<'_, str> {
        match self.heading.as_deref() {
            Some(heading) if self.opens_section => format!("{heading}\n{}", self.text).into(),
            _ => self.text.as_str().into(),
        }
    }
}

/// Who sent a file and how it is filed: what a hit shows about its submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    /// Submission id (from the file name).
    pub id: String,
    /// The call it answers.
    pub call: String,
    /// Who sent it.
    pub submitter: String,
    /// Stakeholder category.
    pub category: String,
    /// The submitter's country.
    pub country: Option<String>,
    /// Input or annex.
    pub kind: crate::Kind,
    /// For an annex, the id of its input.
    pub annex_of: Option<String>,
    /// For a later version of an input (another format or language), the id of the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_of: Option<String>,
    /// The file, relative to the call folder's manifest.
    pub file: String,
    /// Declared language.
    pub language: Option<String>,
    /// Whether it must stay hidden from anonymous callers.
    pub confidential: bool,
    /// Date received.
    pub received: Option<chrono::NaiveDate>,
}

impl Submission {
    /// The id this file counts as: an annex and a later version count as their submission.
    pub fn key(&self) -> &str {
        self.annex_of
            .as_deref()
            .or(self.version_of.as_deref())
            .unwrap_or(&self.id)
    }

    /// The submission a manifest row describes, in the given call.
    pub fn from_entry(call: &str, entry: &crate::ManifestEntry) -> Submission {
        Submission {
            id: entry.id.clone(),
            call: call.to_string(),
            submitter: entry.submitter.clone(),
            category: entry.category.clone(),
            country: entry.country.clone(),
            kind: entry.kind,
            annex_of: entry.annex_of.clone(),
            version_of: entry.version_of.clone(),
            file: entry.file.clone(),
            language: entry.language.clone(),
            confidential: entry.confidential,
            received: entry.received,
        }
    }
}
