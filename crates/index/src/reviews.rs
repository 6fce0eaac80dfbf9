//! Staff review of passages: which guiding questions a passage answers (overriding the
//! tagger), whether it is a key quote, and a note, with who reviewed it and when.
//!
//! Reviews live in `reviews.json` beside the index, keyed by the stable passage id, written
//! whole to a temporary file, synced and renamed, so a process killed at any moment leaves
//! the previous file or the new one. Every batch applies them to the passages it writes
//! ([`apply`]), so a review holds through any later ingest; a review whose passage an ingest
//! removed is kept and reported as orphaned until its passage comes back or staff let it go.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use cfi_core::{Passage, QuestionTag, TagSource};
use serde::{Deserialize, Serialize};

use crate::{Error, PassageIndex, PassageRecord, Result};

/// The file beside the index that holds the reviews.
pub const REVIEWS_FILE: &str = "reviews.json";

/// What a reviewer says about a passage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRequest {
    /// The guiding questions the passage answers, replacing the tagger's (an empty list:
    /// none); `None` leaves the questions as they stand (the tagger's, or staff's from an
    /// earlier review).
    pub questions: Option<Vec<u32>>,
    /// A key quote, to lead its questions' briefs.
    pub key: bool,
    /// A note for colleagues.
    pub note: String,
    /// Who reviewed it (the name given at sign-in); may be empty.
    pub by: String,
}

/// A review as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// The passage reviewed (its stable id).
    pub passage: String,
    /// The submission file it came from when reviewed.
    pub submission: String,
    /// The guiding questions staff say it answers; `None` keeps the tagger's.
    pub questions: Option<Vec<u32>>,
    /// A key quote.
    pub key: bool,
    /// A note for colleagues.
    pub note: String,
    /// Who reviewed it.
    pub by: String,
    /// When, in RFC 3339 (UTC).
    pub at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ReviewsFile {
    version: u32,
    reviews: Vec<Review>,
}

/// Applies a review to a passage: staff's questions replace the tagger's (tagged `staff`,
/// with full confidence), and the key-quote flag is set as staff left it.
pub fn apply(passage: &mut Passage, review: &Review) {
    if let Some(questions) = &review.questions {
        passage.questions = questions
            .iter()
            .map(|&number| QuestionTag {
                number,
                source: TagSource::Staff,
                confidence: 1.0,
            })
            .collect();
    }
    passage.key = review.key;
}

/// Every review in the index folder `dir`, by passage id; none where no review was made.
pub(crate) fn load(dir: &Path) -> Result<BTreeMap<String, Review>> {
    let path = dir.join(REVIEWS_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(reviews_error(&path, e.to_string())),
    };
    let file: ReviewsFile =
        serde_json::from_slice(&bytes).map_err(|e| reviews_error(&path, e.to_string()))?;
    Ok(file
        .reviews
        .into_iter()
        .map(|r| (r.passage.clone(), r))
        .collect())
}

/// Writes every review to `dir/reviews.json` durably: a temporary file, synced, renamed,
/// and the folder synced.
pub(crate) fn save(dir: &Path, reviews: &BTreeMap<String, Review>) -> Result<()> {
    let path = dir.join(REVIEWS_FILE);
    let file = ReviewsFile {
        version: 1,
        reviews: reviews.values().cloned().collect(),
    };
    let json = serde_json::to_vec_pretty(&file).map_err(|e| reviews_error(&path, e.to_string()))?;
    let tmp = dir.join(format!("{REVIEWS_FILE}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut out = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut out, &json)?;
        out.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        crate::catalog::sync_dir(dir)
    };
    write().map_err(|e| reviews_error(&path, e.to_string()))
}

fn reviews_error(path: &Path, message: String) -> Error {
    Error::Catalog {
        path: path.to_path_buf(),
        message,
    }
}

/// Now in RFC 3339, to the second, in UTC.
fn now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(seconds)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A stored review and whether its passage is still in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedReview {
    /// The review.
    pub review: Review,
    /// No passage of the index has its id any more (an ingest removed or changed it).
    pub orphaned: bool,
}

impl PassageIndex {
    /// Records a staff review of the passage `id` and applies it to the index at once (tags,
    /// the `key:true` filter, counts), last writer winning. Returns the review and the
    /// passage as it now reads. Fails with [`Error::NoSuchPassage`] for an id the index does
    /// not hold, [`Error::NoSuchQuestion`] for a question the passage's call does not ask,
    /// and an index error while another process (an ingest) writes the index.
    pub fn review(&self, id: &str, request: ReviewRequest) -> Result<(Review, PassageRecord)> {
        // One review at a time in this process; the index writer's lock keeps out other
        // processes, and is taken before the file is written, so a review is either in
        // both the file and the index, or in neither (or, killed between the two, in the
        // file, and applied by the next batch).
        let _one = self
            .review_lock
            .lock()
            .map_err(|_| reviews_error(&self.dir.join(REVIEWS_FILE), "a review failed".into()))?;
        let mut record = self
            .passage(id, true)?
            .ok_or_else(|| Error::NoSuchPassage { id: id.to_string() })?;
        let catalog = self.catalog();
        if let (Some(call), Some(questions)) = (
            catalog.call(&record.submission.call),
            request.questions.as_ref(),
        ) {
            let asked: Vec<u32> = call.questions.iter().map(|q| q.number).collect();
            if let Some(&number) = questions.iter().find(|n| !asked.contains(n)) {
                return Err(Error::NoSuchQuestion {
                    number,
                    call: call.id.clone(),
                    questions: asked,
                });
            }
        }
        // The batch reads the reviews file under the writer's lock: the reviews it holds
        // are the ones this review joins.
        let mut batch = self.batch()?;
        // No questions given: the questions stand as they are, staff's from an earlier
        // review included (else the next ingest would put the tagger's back).
        // Of those, the ones the call still asks (its call.toml may have changed since).
        let asked = |n: &u32| {
            catalog
                .call(&record.submission.call)
                .is_none_or(|call| call.questions.iter().any(|q| q.number == *n))
        };
        let mut questions = request.questions.or_else(|| {
            batch
                .reviews
                .get(id)
                .and_then(|r| r.questions.clone())
                .map(|earlier| earlier.into_iter().filter(asked).collect::<Vec<u32>>())
                .filter(|kept| !kept.is_empty())
        });
        if let Some(list) = &mut questions {
            list.sort_unstable();
            list.dedup();
        }
        let review = Review {
            passage: id.to_string(),
            submission: record.submission.id.clone(),
            questions,
            key: request.key,
            note: request.note.trim().to_string(),
            by: request.by.trim().to_string(),
            at: now(),
        };
        batch.reviews.insert(id.to_string(), review.clone());
        save(&self.dir, &batch.reviews)?;
        apply(&mut record.passage, &review);
        batch.put_passage(&record.submission, &record.passage)?;
        batch.commit()?;
        Ok((review, record))
    }

    /// Applies every review the index does not show yet (a process killed between writing
    /// the reviews file and committing the index), in one commit; returns how many.
    pub fn apply_pending_reviews(&self) -> Result<usize> {
        let _one = self
            .review_lock
            .lock()
            .map_err(|_| reviews_error(&self.dir.join(REVIEWS_FILE), "a review failed".into()))?;
        let mut pending = Vec::new();
        for review in load(&self.dir)?.into_values() {
            if let Some(mut record) = self.passage(&review.passage, true)? {
                let before = record.passage.clone();
                apply(&mut record.passage, &review);
                if record.passage != before {
                    pending.push(record);
                }
            }
        }
        if pending.is_empty() {
            return Ok(0);
        }
        let mut batch = self.batch()?;
        for record in &pending {
            batch.put_passage(&record.submission, &record.passage)?;
        }
        batch.commit()?;
        Ok(pending.len())
    }

    /// Every review, oldest first, each saying whether its passage is still indexed.
    pub fn reviews(&self) -> Result<Vec<ListedReview>> {
        let mut listed = Vec::new();
        for review in load(&self.dir)?.into_values() {
            let orphaned = self.passage(&review.passage, true)?.is_none();
            listed.push(ListedReview { review, orphaned });
        }
        listed.sort_by(|a, b| a.review.at.cmp(&b.review.at));
        Ok(listed)
    }

    /// What staff taught the tagger: the text of each reviewed passage still indexed, with
    /// the questions staff gave it (reviews that left the tagger's tags teach nothing).
    pub fn reviewed_examples(&self) -> Result<Vec<(String, Vec<u32>)>> {
        let mut examples = Vec::new();
        for review in load(&self.dir)?.into_values() {
            let Some(questions) = review.questions else {
                continue;
            };
            if let Some(record) = self.passage(&review.passage, true)? {
                examples.push((record.passage.text, questions));
            }
        }
        Ok(examples)
    }

    /// The reviews whose passage the index no longer holds (after an ingest changed or
    /// removed it), by passage id.
    pub fn orphaned_reviews(&self) -> Result<Vec<String>> {
        Ok(self
            .reviews()?
            .into_iter()
            .filter(|r| r.orphaned)
            .map(|r| r.review.passage)
            .collect())
    }

    /// The reviews file of this index.
    pub fn reviews_path(&self) -> PathBuf {
        self.dir.join(REVIEWS_FILE)
    }
}
