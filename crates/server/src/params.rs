//! What each route takes: one typed struct per route, which serde parses (from a query
//! string or a JSON body, see [`decode`]) and utoipa describes in the OpenAPI document, so
//! the two cannot drift. Bounds live in the types ([`Whole`], [`Fraction`]) and closed sets
//! of values in enums; an unknown parameter is refused, naming those the route takes.

mod decode;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use cfi_index::SearchRequest;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::ApiError;

pub(crate) use decode::from_json;

/// A whole number from `MIN` to `MAX`; anything else is refused naming the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole<const MIN: u64, const MAX: u64>(u64);

impl<const MIN: u64, const MAX: u64> Whole<MIN, MAX> {
    /// The number, as an index or a count.
    pub fn get(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

impl<'de, const MIN: u64, const MAX: u64> Deserialize<'de> for Whole<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Within<const MIN: u64, const MAX: u64>;
        impl<const MIN: u64, const MAX: u64> Visitor<'_> for Within<MIN, MAX> {
            type Value = Whole<MIN, MAX>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "a whole number from {MIN} to {MAX}")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                if (MIN..=MAX).contains(&n) {
                    Ok(Whole(n))
                } else {
                    Err(E::invalid_value(de::Unexpected::Unsigned(n), &self))
                }
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                match u64::try_from(n) {
                    Ok(n) => self.visit_u64(n),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(n), &self)),
                }
            }
            // JSON Schema counts 7.0 as an integer, and so do clients that write it.
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
                if n.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&n) {
                    self.visit_u64(n as u64)
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(n), &self))
                }
            }
        }
        deserializer.deserialize_u64(Within::<MIN, MAX>)
    }
}

impl<const MIN: u64, const MAX: u64> PartialSchema for Whole<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Integer))
            .minimum(Some(MIN as f64))
            .maximum(Some(MAX as f64))
            .into()
    }
}

impl<const MIN: u64, const MAX: u64> ToSchema for Whole<MIN, MAX> {}

/// Text of at most `MAX` characters; longer is refused naming the length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<const MAX: usize>(String);

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Within<const MAX: usize>;
        impl<const MAX: usize> Visitor<'_> for Within<MAX> {
            type Value = Text<MAX>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "text of at most {MAX} characters")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<MAX>, E> {
                self.visit_string(s.to_string())
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<MAX>, E> {
                if s.chars().count() <= MAX {
                    Ok(Text(s))
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(&s), &self))
                }
            }
        }
        deserializer.deserialize_string(Within::<MAX>)
    }
}

impl<const MAX: usize> PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .max_length(Some(MAX))
            .into()
    }
}

impl<const MAX: usize> ToSchema for Text<MAX> {}

/// A number from 0 to 1 (decimals allowed); anything else is refused naming the range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fraction(f32);

impl Fraction {
    /// The number.
    pub fn get(self) -> f32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Within;
        impl Visitor<'_> for Within {
            type Value = Fraction;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number from 0 to 1")
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Fraction, E> {
                if (0.0..=1.0).contains(&x) {
                    Ok(Fraction(x as f32))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(x), &self))
                }
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Fraction, E> {
                self.visit_f64(n as f64)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Fraction, E> {
                self.visit_f64(n as f64)
            }
        }
        deserializer.deserialize_f64(Within)
    }
}

impl PartialSchema for Fraction {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Number))
            .minimum(Some(0.0))
            .maximum(Some(1.0))
            .into()
    }
}

impl ToSchema for Fraction {}

/// A submission file's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A submission itself.
    Input,
    /// A file sent with one.
    Annex,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Annex => "annex",
        }
    }
}

/// How hits are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// Every passage is a hit.
    None,
    /// The best passage of each submission, with `others` counting the rest.
    Submission,
}

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    Relevance,
    /// By submitter, A to Z.
    Submitter,
    /// By the date the submission was received, earliest first.
    Received,
}

/// A facet counted with every search (a key of `facetDistribution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CountedFacet {
    /// Guiding question.
    Question,
    /// Stakeholder category.
    Category,
    /// Submitter's country.
    Country,
    /// Countries a passage mentions.
    Mentioned,
    /// Passage language.
    Language,
    /// `input` or `annex`.
    Kind,
}

impl CountedFacet {
    /// The facet's name in `facetDistribution`.
    pub fn as_str(self) -> &'static str {
        match self {
            CountedFacet::Question => "question",
            CountedFacet::Category => "category",
            CountedFacet::Country => "country",
            CountedFacet::Mentioned => "mentioned",
            CountedFacet::Language => "language",
            CountedFacet::Kind => "kind",
        }
    }
}

/// A facet whose values `/facets/{field}` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FacetField {
    /// Call id.
    Call,
    /// Guiding question.
    Question,
    /// Stakeholder category.
    Category,
    /// Submitter's country.
    Country,
    /// Countries a passage mentions.
    Mentioned,
    /// Passage language.
    Language,
    /// `input` or `annex`.
    Kind,
    /// Submitter.
    Submitter,
}

impl FacetField {
    /// The facet's name in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            FacetField::Call => "call",
            FacetField::Question => "question",
            FacetField::Category => "category",
            FacetField::Country => "country",
            FacetField::Mentioned => "mentioned",
            FacetField::Language => "language",
            FacetField::Kind => "kind",
            FacetField::Submitter => "submitter",
        }
    }

    /// From a path segment: a 404 naming the facets when it is none of them.
    pub(crate) fn from_segment(segment: &str) -> Result<FacetField, ApiError> {
        decode::from_segment(segment)
            .map_err(|message| ApiError::not_found(format!("no facet {segment:?}: {message}")))
    }
}

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Comma-separated, UTF-8 with a byte-order mark, a header row.
    #[default]
    Csv,
    /// An Excel workbook, one sheet.
    Xlsx,
    /// JSON Lines, one object a passage.
    Jsonl,
    /// The framework matrix: an Excel workbook, submissions × guiding questions (a sheet
    /// per call; each cell the first sentence and page of every passage of that
    /// submission tagged with that question).
    Matrix,
}

/// The parameters a route takes: the query string's, or a body's.
pub(crate) struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Query<T>, ApiError> {
        decode::from_query(parts.uri.query()).map(Query)
    }
}

/// A route that takes no parameters still refuses unknown ones (a typo would otherwise
/// pass unnoticed).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

/// Declares a struct of parameters holding the search filters (the passages a search,
/// the matrix, a facet or an export covers) and the fields given.
macro_rules! with_filters {
    (
        $(#[$attr:meta])*
        pub struct $name:ident { $($(#[$field_attr:meta])* pub $field:ident: $ty:ty,)* }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// The query: words (all must match), `OR`, `"phrases"`, `-excluded`, `prefix*`,
            /// `field:value` filters; at most 1,000 characters and 32 terms. Empty: every
            /// passage.
            #[param(max_length = 1000)]
            #[schema(max_length = 1000)]
            pub q: Option<String>,
            /// Only passages answering this guiding question (its number in the call).
            #[param(inline)]
            #[schema(inline)]
            pub question: Option<Whole<1, 1000>>,
            /// Only this call (its id).
            #[param(inline)]
            #[schema(inline)]
            pub call: Option<Text<200>>,
            /// Only this stakeholder category.
            #[param(inline)]
            #[schema(inline)]
            pub category: Option<Text<200>>,
            /// Only submitters from this country.
            #[param(inline)]
            #[schema(inline)]
            pub country: Option<Text<200>>,
            /// Only passages mentioning this country.
            #[param(inline)]
            #[schema(inline)]
            pub mentioned: Option<Text<200>>,
            /// Only passages in this language (ISO 639-1).
            #[param(inline)]
            #[schema(inline)]
            pub lang: Option<Text<200>>,
            /// Only submissions' own files (`input`) or their annexes (`annex`).
            pub kind: Option<Kind>,
            /// Only this submitter.
            #[param(inline)]
            #[schema(inline)]
            pub submitter: Option<Text<200>>,
            /// Only key quotes (`true`: passages staff marked as quotes for the report), or
            /// only the others (`false`).
            pub key: Option<bool>,
            /// How much the ranking leans on meaning (the query's vector, across languages):
            /// 0 words only (BM25), 1 meaning only, between both fused by reciprocal rank
            /// (default 0.5). In a hybrid search `estimatedTotalHits`, `facetDistribution`,
            /// the matrix and exports count the passages the words match and the passages
            /// closest in meaning that were fused (at least the 100 closest).
            #[param(inline)]
            #[schema(inline)]
            pub semantic: Option<Fraction>,
            $($(#[$field_attr])* pub $field: $ty,)*
        }

        impl $name {
            /// The search these filters describe, for a caller who may or may not be staff.
            fn filters(&self, staff: bool) -> SearchRequest {
                SearchRequest {
                    q: self.q.clone().unwrap_or_default(),
                    question: self
                        .question
                        .and_then(|n| u32::try_from(n.get()).ok()),
                    call: text(&self.call),
                    category: text(&self.category),
                    country: text(&self.country),
                    mentioned: text(&self.mentioned),
                    lang: text(&self.lang).map(|l| l.to_lowercase()),
                    kind: self.kind.map(|k| k.as_str().to_string()),
                    submitter: text(&self.submitter),
                    key: self.key,
                    include_confidential: staff,
                    semantic: self
                        .semantic
                        .map_or(cfi_index::DEFAULT_SEMANTIC, Fraction::get),
                    ..SearchRequest::default()
                }
            }
        }
    };
}

/// A filter's value, trimmed; empty is no filter.
fn text<const MAX: usize>(value: &Option<Text<MAX>>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.0.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

// The largest page a search answers is the index's.
const _: () = assert!(cfi_index::MAX_LIMIT == 100);

with_filters! {
    /// `GET|POST /search`: the filters, and which page of hits, in what order.
    pub struct SearchParams {
        /// Hits to skip.
        #[param(inline)]
        #[schema(inline)]
        pub offset: Option<Whole<0, 10000>>,
        /// Hits to return (default 20).
        #[param(inline)]
        #[schema(inline)]
        pub limit: Option<Whole<1, 100>>,
        /// The facets to count in `facetDistribution`, comma-separated in a query string
        /// (default all; at least one).
        #[param(style = Form, explode = false, min_items = 1)]
        #[schema(min_items = 1)]
        pub facets: Option<Vec<CountedFacet>>,
        /// Mark the matched words in snippets with `<mark>` (default true).
        pub highlight: Option<bool>,
        /// `submission`: the best passage of each submission, with `others` counting the
        /// rest (default `none`).
        pub group: Option<Group>,
        /// The order of hits (default `relevance`).
        pub sort: Option<Sort>,
    }
}

impl SearchParams {
    /// The search these parameters describe.
    pub fn request(&self, staff: bool) -> SearchRequest {
        SearchRequest {
            offset: self.offset.map_or(0, Whole::get),
            limit: self.limit.map_or(20, Whole::get),
            group_by_submission: self.group == Some(Group::Submission),
            sort: match self.sort.unwrap_or(Sort::Relevance) {
                Sort::Relevance => cfi_index::Sort::Relevance,
                Sort::Submitter => cfi_index::Sort::Submitter,
                Sort::Received => cfi_index::Sort::Received,
            },
            ..self.filters(staff)
        }
    }
}

with_filters! {
    /// `/matrix` and `/facets/{field}`: the passages counted.
    pub struct FilterParams {}
}

impl FilterParams {
    /// The passages these filters cover.
    pub fn request(&self, staff: bool) -> SearchRequest {
        self.filters(staff)
    }
}

with_filters! {
    /// `/export`: the passages exported, and the format.
    pub struct ExportParams {
        /// The file's format (default `csv`).
        pub format: Option<ExportFormat>,
    }
}

impl ExportParams {
    /// The passages exported.
    pub fn request(&self, staff: bool) -> SearchRequest {
        self.filters(staff)
    }
}

/// `/submissions`: which submission files, which page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubmissionParams {
    /// Only this call (its id).
    #[param(inline)]
    pub call: Option<Text<200>>,
    /// Only this stakeholder category.
    #[param(inline)]
    pub category: Option<Text<200>>,
    /// Only submitters from this country.
    #[param(inline)]
    pub country: Option<Text<200>>,
    /// Only submissions' own files (`input`) or their annexes (`annex`).
    pub kind: Option<Kind>,
    /// Files to skip.
    #[param(inline)]
    pub offset: Option<Whole<0, 1_000_000>>,
    /// Files to return (default 100).
    #[param(inline)]
    pub limit: Option<Whole<1, 1000>>,
}

impl SubmissionParams {
    /// Whether a file matches the filters (case aside).
    pub fn matches(&self, s: &cfi_core::Submission) -> bool {
        let same = |want: &Option<Text<200>>, have: Option<&str>| {
            text(want).is_none_or(|w| have.is_some_and(|h| h.eq_ignore_ascii_case(&w)))
        };
        same(&self.call, Some(&s.call))
            && same(&self.category, Some(&s.category))
            && same(&self.country, s.country.as_deref())
            && self.kind.is_none_or(|k| k.as_str() == s.kind.as_str())
    }
}

/// The format of a question brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BriefFormat {
    /// Markdown, footnotes as `[^n]`.
    #[default]
    Md,
    /// A standalone HTML page, footnotes as endnotes.
    Html,
    /// A Word document with headings and footnotes.
    Docx,
    /// The brief as data.
    Json,
}

/// `/brief`: which question, of which call, for which category, in what format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BriefParams {
    /// The guiding question's number (a 400 names the call's questions when it has no such
    /// question).
    #[param(inline)]
    pub question: Whole<1, 1000>,
    /// The call (its id); needed only when the index holds several.
    #[param(inline)]
    pub call: Option<Text<200>>,
    /// Only this stakeholder category.
    #[param(inline)]
    pub category: Option<Text<200>>,
    /// `md` (default), `html`, `docx` or `json`.
    pub format: Option<BriefFormat>,
}

impl BriefParams {
    /// The brief asked for, by a caller who may or may not be staff.
    pub fn request(&self, staff: bool) -> crate::brief::BriefRequest {
        crate::brief::BriefRequest {
            question: u32::try_from(self.question.get()).unwrap_or(u32::MAX),
            call: text(&self.call),
            category: text(&self.category),
            include_confidential: staff,
            max_passages: None,
        }
    }
}

/// `/passages/{id}/similar`: how many.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// Passages to return (default 10).
    #[param(inline)]
    pub limit: Option<Whole<1, 100>>,
}
