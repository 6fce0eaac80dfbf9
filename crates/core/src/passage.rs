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
