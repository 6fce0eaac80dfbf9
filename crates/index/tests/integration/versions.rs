//! One submission sent as two files (the same answer as DOCX and PDF): what it shares with
//! its first version is one hit naming both files, and it counts as one submission.

use super::*;

const SHARED: &str =
    "El cifrado de extremo a extremo dificulta la detección de material de abuso de los niños.";

/// Chile's answer again as `chile-pdf`: its first passage word for word (on page 4 there),
/// its second reworded.
fn put_chile_pdf(index: &PassageIndex, confidential: bool) {
    let mut pdf = submission("chile-pdf", "States", Some("Chile"), confidential);
    pdf.version_of = Some("chile".into());
    let mut same = passage("chile-pdf", 1, "es", &[7], SHARED);
    same.duplicate_of = Some("chile-1".into());
    same.page = Some(4);
    let reworded = passage(
        "chile-pdf",
        2,
        "es",
        &[3],
        "Las leyes en vigor no protegen a los niños del grooming en línea.",
    );
    let info = SubmissionInfo {
        submission: pdf,
        path: "x".into(),
        pages: Some(4),
        passages: 2,
        languages: vec![],
        problems: vec![],
    };
    let mut batch = index.batch().expect("batch");
    batch.put_submission(info, &[same, reworded]).expect("put");
    batch.commit().expect("commit");
}

/// Passages of this file a search shows the caller, from the catalog.
fn shown(index: &PassageIndex, id: &str, include_confidential: bool) -> Option<u32> {
    index
        .catalog()
        .shown_passages(include_confidential)
        .into_iter()
        .find(|(s, _)| s.submission.id == id)
        .map(|(_, n)| n)
}

#[test]
fn a_passage_sent_twice_is_one_hit_that_names_the_other_file() {
    let (_dir, index) = build();
    put_chile_pdf(&index, false);
    let results = index.search(&q("cifrado")).expect("search");
    let ids: Vec<&str> = results
        .hits
        .iter()
        .map(|h| h.record.passage.id.as_str())
        .collect();
    assert_eq!(ids, ["chile-1"], "the PDF's copy is not a hit of its own");
    assert_eq!(results.total, 1);
    let versions = &results.hits[0].versions;
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(versions[0].submission, "chile-pdf");
    assert_eq!(versions[0].file, "files/chile-pdf.pdf");
    assert_eq!(versions[0].passage, "chile-pdf-1");
    assert_eq!(versions[0].page, Some(4));
    assert_eq!(versions[0].language.as_deref(), Some("es"));
    // The reworded passage is a hit of its own, and names no other file.
    let grooming = index.search(&q("grooming")).expect("search");
    let reworded = grooming
        .hits
        .iter()
        .find(|h| h.record.passage.id == "chile-pdf-2")
        .expect("the reworded passage is found");
    assert!(reworded.versions.is_empty());
}

#[test]
fn counts_take_a_submission_sent_twice_once() {
    let (_dir, index) = build();
    put_chile_pdf(&index, false);
    // Four public passages before; the PDF adds only its reworded one.
    let all = index.search(&q("")).expect("search");
    assert_eq!(all.total, 5);
    assert_eq!(all.facets["category"]["States"], 3);
    assert_eq!(all.facets["question"]["7"], 2, "{:?}", all.facets);
    assert_eq!(
        index
            .facet_values("submitter", &q(""))
            .expect("facet")
            .expect("a facet")["Submitter chile-pdf"],
        1
    );
    let m = index.matrix(&q("")).expect("matrix");
    let cell = |question: &str| {
        let c = &m.cells[question]["States"];
        (c.passages, c.submissions)
    };
    assert_eq!(cell("7"), (1, 1), "the shared passage once");
    assert_eq!(cell("3"), (2, 1), "two passages, one submission");
    // One group per submission, its later version's passages among the others.
    let grouped = index
        .search(&SearchRequest {
            group_by_submission: true,
            ..Default::default()
        })
        .expect("search");
    assert_eq!(grouped.total, 2);
    // The export holds the shared passage once.
    let exported: Vec<String> = index
        .all_records(false)
        .expect("export")
        .into_iter()
        .map(|r| r.passage.id)
        .collect();
    assert!(
        !exported.contains(&"chile-pdf-1".to_string()),
        "{exported:?}"
    );
    assert_eq!(exported.len(), 5);
    assert_eq!(shown(&index, "chile-pdf", false), Some(1));
    // Similar passages come from other submissions, not from Chile's other file.
    let similar = index.similar("chile-2", 10, false).expect("similar");
    assert!(
        similar.iter().all(|(_, r)| r.submission.key() != "chile"),
        "{similar:?}"
    );
}

#[test]
fn reading_the_later_file_shows_every_passage_it_holds() {
    let (_dir, index) = build();
    put_chile_pdf(&index, false);
    let passages = index
        .submission_passages("chile-pdf", false)
        .expect("passages");
    let ids: Vec<&str> = passages.iter().map(|r| r.passage.id.as_str()).collect();
    assert_eq!(ids, ["chile-pdf-1", "chile-pdf-2"]);
    assert!(
        index
            .passage("chile-pdf-1", false)
            .expect("passage")
            .is_some()
    );
}

#[test]
fn a_confidential_version_is_named_to_staff_only() {
    let (_dir, index) = build();
    put_chile_pdf(&index, true);
    let anonymous = index.search(&q("cifrado")).expect("search");
    assert!(anonymous.hits[0].versions.is_empty());
    let staff = index
        .search(&SearchRequest {
            include_confidential: true,
            ..q("cifrado")
        })
        .expect("search");
    assert_eq!(staff.hits.len(), 1);
    assert_eq!(staff.hits[0].versions[0].submission, "chile-pdf");
}

#[test]
fn a_public_copy_of_a_confidential_first_version_still_shows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open(dir.path()).expect("open");
    let mut batch = index.batch().expect("batch");
    let first = submission("first", "States", None, true);
    let mut later = submission("later", "States", None, false);
    later.version_of = Some("first".into());
    let mut copy = passage("later", 1, "es", &[7], SHARED);
    copy.duplicate_of = Some("first-1".into());
    for (sub, passages) in [
        (first, vec![passage("first", 1, "es", &[7], SHARED)]),
        (later, vec![copy]),
    ] {
        let info = SubmissionInfo {
            submission: sub,
            path: "x".into(),
            pages: None,
            passages: 1,
            languages: vec![],
            problems: vec![],
        };
        batch.put_submission(info, &passages).expect("put");
    }
    batch.commit().expect("commit");
    // Anonymous callers cannot see the first file, so they find the passage in the later.
    assert_eq!(search(&index, q("cifrado")), ["later-1"]);
    let staff = SearchRequest {
        include_confidential: true,
        ..q("cifrado")
    };
    assert_eq!(search(&index, staff), ["first-1"]);
    assert_eq!(shown(&index, "later", false), Some(1));
    assert_eq!(shown(&index, "later", true), Some(0));
}

#[test]
fn a_nearly_identical_passage_of_another_file_is_a_version_not_another_submitter() {
    let (_dir, index) = build();
    // As a PDF reader might give it: a running footer left at the end, so not marked as
    // a duplicate at ingest.
    let mut odt = submission("chile-odt", "States", Some("Chile"), false);
    odt.version_of = Some("chile".into());
    let info = SubmissionInfo {
        submission: odt,
        path: "x".into(),
        pages: None,
        passages: 1,
        languages: vec![],
        problems: vec![],
    };
    let mut batch = index.batch().expect("batch");
    batch
        .put_submission(
            info,
            &[passage("chile-odt", 1, "es", &[7], &format!("{SHARED} 12"))],
        )
        .expect("put");
    batch.commit().expect("commit");
    let results = index.search(&q("cifrado")).expect("search");
    assert_eq!(results.hits.len(), 1, "{:?}", results.hits);
    let hit = &results.hits[0];
    assert!(hit.also_in.is_empty(), "{:?}", hit.also_in);
    let named: Vec<&str> = hit.versions.iter().map(|v| v.passage.as_str()).collect();
    assert_eq!(named, ["chile-odt-1"]);
}
