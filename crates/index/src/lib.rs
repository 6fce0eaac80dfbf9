//! The passage index: a tantivy index on disk with one full-text field per language,
//! facets for the filters staff use, and a catalog of calls and submissions beside it.
//!
//! ```no_run
//! use cfi_index::{PassageIndex, SearchRequest};
//! let index = PassageIndex::open(std::path::Path::new("indexes/default"))?;
//! let results = index.search(&SearchRequest { q: "encryption".into(), question: Some(7), ..Default::default() })?;
//! for hit in &results.hits {
//!     let place = cfi_core::citation::Place::of(&hit.record.passage);
//!     println!("{} {place}: {}", hit.record.submission.submitter, hit.snippet.text);
//! }
//! # Ok::<(), cfi_index::Error>(())
//! ```

mod assist;
mod browse;
mod cache;
mod catalog;
mod compile;
mod error;
mod facets;
mod group;
mod hidden;
mod hybrid;
mod matrix;
mod nearest;
mod partitions;
pub mod query;
mod reviews;
mod run;
mod schema;
mod search;
mod snippet;
mod vectors;
mod writer;

pub use browse::{Matrix, MatrixCell, WithVector};
pub use catalog::{CallProblems, Catalog, SubmissionInfo, VectorModel};
pub use error::{Error, Result};
pub use facets::EXACT_FACET_HITS;
pub use hybrid::{DEFAULT_SEMANTIC, MIN_SIMILARITY};
pub use reviews::{ListedReview, REVIEWS_FILE, Review, ReviewRequest, apply as apply_review};
pub use schema::{LANGUAGES, language_field_code};
pub use search::{
    COUNTED, FacetDistribution, Hit, MAX_LIMIT, PassageVersion, SearchRequest, SearchResults, Sort,
};
pub use snippet::{Snippet, escape as html_escape};
pub use writer::{Batch, PassageIndex, PassageRecord, recorded_model};
