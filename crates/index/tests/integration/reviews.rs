//! Staff review: tags set by staff override the tagger's in hits, filters and counts, key
//! quotes are found with `key:true`, and both hold through a reopened index and a re-ingest;
//! a review whose passage went away is reported, never lost.

use cfi_index::{Error, ReviewRequest};

use super::*;

fn review(questions: Option<Vec<u32>>, key: bool) -> ReviewRequest {
    ReviewRequest {
        questions,
        key,
        note: "  Quote this in the section on encryption. ".into(),
        by: "Ana".into(),
    }
}

fn tags(index: &PassageIndex, id: &str) -> Vec<(u32, TagSource)> {
    let record = index.passage(id, true).expect("read").expect("present");
    record
        .passage
        .questions
        .iter()
        .map(|t| (t.number, t.source))
        .collect()
}

fn alliance_passages() -> Vec<Passage> {
    vec![
        passage(
            "alliance",
            1,
            "en",
            &[7],
            "End-to-end encryption hides grooming and <script> abuse from detection tools.",
        ),
        passage(
            "alliance",
            2,
            "en",
            &[2],
            "States should fund hotlines and encrypted reporting channels, as Brazil does.",
        ),
    ]
}

fn reingest(index: &PassageIndex, passages: &[Passage]) {
    let mut batch = index.batch().expect("batch");
    let info = SubmissionInfo {
        submission: submission("alliance", "CSOs", None, false),
        path: "x".into(),
        pages: Some(2),
        passages: passages.len() as u32,
        languages: vec![],
        problems: vec![],
    };
    batch.put_submission(info, passages).expect("put");
    batch.commit().expect("commit");
}

#[test]
fn staff_tags_override_the_tagger_everywhere_and_hold_through_reopen_and_reingest() {
    let (dir, index) = build();
    let (stored, record) = index
        .review("alliance-1", review(Some(vec![3, 3]), true))
        .expect("review");
    assert_eq!(stored.questions, Some(vec![3]));
    assert_eq!(stored.note, "Quote this in the section on encryption.");
    assert_eq!(stored.by, "Ana");
    assert!(!stored.at.is_empty());
    assert!(record.passage.key);
    assert_eq!(tags(&index, "alliance-1"), vec![(3, TagSource::Staff)]);

    // Filters and counts follow staff's tags.
    let question = |n| SearchRequest {
        question: Some(n),
        ..q("")
    };
    assert!(search(&index, question(3)).contains(&"alliance-1".to_string()));
    assert!(!search(&index, question(7)).contains(&"alliance-1".to_string()));
    assert_eq!(
        search(&index, q("key:true")),
        vec!["alliance-1".to_string()]
    );
    assert!(!search(&index, q("key:false")).contains(&"alliance-1".to_string()));

    // A reopened index, and a re-ingest of the same passages, keep the review.
    drop(index);
    let index = PassageIndex::open(dir.path()).expect("reopen");
    assert_eq!(tags(&index, "alliance-1"), vec![(3, TagSource::Staff)]);
    reingest(&index, &alliance_passages());
    assert_eq!(tags(&index, "alliance-1"), vec![(3, TagSource::Staff)]);
    assert_eq!(
        search(&index, q("key:true")),
        vec!["alliance-1".to_string()]
    );
    assert!(index.orphaned_reviews().expect("orphans").is_empty());

    // A later review without questions keeps staff's, also through a re-ingest.
    let (again, _) = index
        .review("alliance-1", review(None, true))
        .expect("review");
    assert_eq!(again.questions, Some(vec![3]));
    reingest(&index, &alliance_passages());
    assert_eq!(tags(&index, "alliance-1"), vec![(3, TagSource::Staff)]);

    // Questions left as they were: only the key flag and the note change.
    index
        .review("alliance-2", review(None, false))
        .expect("review");
    assert_eq!(tags(&index, "alliance-2"), vec![(2, TagSource::Heading)]);

    // An ingest that drops the passage leaves its review, reported as orphaned.
    reingest(&index, &alliance_passages()[1..]);
    assert_eq!(
        index.orphaned_reviews().expect("orphans"),
        vec!["alliance-1".to_string()]
    );
    let listed = index.reviews().expect("list");
    assert_eq!(listed.len(), 2);
}

#[test]
fn a_missing_passage_or_question_is_refused_naming_it() {
    let (_dir, index) = build();
    let err = index
        .review("nobody-9", review(Some(vec![1]), false))
        .expect_err("no such passage");
    assert!(matches!(err, Error::NoSuchPassage { .. }), "{err}");
    assert!(err.to_string().contains("nobody-9"));
    assert!(index.reviews().expect("list").is_empty());
}

#[test]
fn concurrent_reviews_of_one_passage_leave_one_whole_review_that_the_index_agrees_with() {
    let (_dir, index) = build();
    std::thread::scope(|scope| {
        for n in 1..=4u32 {
            let index = &index;
            scope.spawn(move || {
                index
                    .review("chile-1", review(Some(vec![n]), n % 2 == 0))
                    .expect("review");
            });
        }
    });
    let listed = index.reviews().expect("the file reads whole");
    assert_eq!(listed.len(), 1);
    let last = &listed[0].review;
    let questions = last.questions.clone().expect("questions");
    assert_eq!(
        tags(&index, "chile-1"),
        questions
            .iter()
            .map(|&n| (n, TagSource::Staff))
            .collect::<Vec<_>>()
    );
    let record = index
        .passage("chile-1", true)
        .expect("read")
        .expect("present");
    assert_eq!(record.passage.key, last.key);
}

#[test]
fn a_review_follows_its_passage_when_the_heading_it_opens_moves_out_of_its_text() {
    let (dir, index) = build();
    // As cut before: the topical heading was the first line of the text, and in the id.
    let body = "Reports of livestreamed abuse rose sharply in the last two years.";
    let mut before = passage(
        "alliance",
        1,
        "en",
        &[],
        &format!("Trends in reports\n{body}"),
    );
    before.id = cfi_core::passage_id("alliance", 1, &before.text);
    before.heading = Some("Trends in reports".into());
    reingest(&index, &[before.clone(), alliance_passages()[1].clone()]);
    index
        .review(&before.id, review(Some(vec![1]), true))
        .expect("review");

    // As cut now: the heading stands above the text, and the id follows the text.
    let mut now = before.clone();
    now.text = body.into();
    now.opens_section = true;
    now.id = cfi_core::passage_id("alliance", 1, body);
    assert_ne!(now.id, before.id);
    assert_eq!(now.former_id().as_deref(), Some(before.id.as_str()));
    reingest(&index, &[now.clone(), alliance_passages()[1].clone()]);

    assert_eq!(tags(&index, &now.id), vec![(1, TagSource::Staff)]);
    assert!(index.orphaned_reviews().expect("orphans").is_empty());
    let listed = index.reviews().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].review.passage, now.id);
    // Kept in the file too, and the heading's words still find the passage.
    drop(index);
    let index = PassageIndex::open(dir.path()).expect("reopen");
    assert_eq!(tags(&index, &now.id), vec![(1, TagSource::Staff)]);
    assert_eq!(
        search(&index, q("\"trends in reports\"")),
        vec![now.id.clone()]
    );
}
