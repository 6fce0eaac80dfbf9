//! Index behaviour a user notices: stemmed matches per language, filters, facet counts,
//! snippets, confidential passages kept out.

use cfi_core::{Kind, Passage, QuestionTag, Submission, TagSource};
use cfi_index::{PassageIndex, SearchRequest, SubmissionInfo};

fn submission(id: &str, category: &str, country: Option<&str>, confidential: bool) -> Submission {
    Submission {
        id: id.into(),
        call: "demo".into(),
        submitter: format!("Submitter {id}"),
        category: category.into(),
        country: country.map(Into::into),
        kind: Kind::Input,
        annex_of: None,
        file: format!("files/{id}.pdf"),
        language: None,
        confidential,
        received: None,
    }
}

fn passage(sub: &str, n: u32, lang: &str, questions: &[u32], text: &str) -> Passage {
    Passage {
        id: format!("{sub}-{n}"),
        ordinal: n,
        text: text.into(),
        heading: None,
        page: Some(n),
        page_end: None,
        page_label: None,
        paragraph: n,
        language: Some(lang.into()),
        questions: questions
            .iter()
            .map(|&number| QuestionTag {
                number,
                source: TagSource::Heading,
                confidence: 1.0,
            })
            .collect(),
    }
}

fn build() -> (tempfile::TempDir, PassageIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open(dir.path()).expect("open");
    let mut batch = index.batch().expect("batch");
    let docs = [
        (
            submission("chile", "States", Some("Chile"), false),
            vec![
                passage(
                    "chile",
                    1,
                    "es",
                    &[7],
                    "El cifrado de extremo a extremo dificulta la detección de material de abuso de los niños.",
                ),
                passage(
                    "chile",
                    2,
                    "es",
                    &[3],
                    "Las leyes vigentes no protegen a los ninos frente al grooming.",
                ),
            ],
        ),
        (
            submission("alliance", "CSOs", None, false),
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
                    "States should fund hotlines and encrypted reporting channels.",
                ),
            ],
        ),
        (
            submission("secret", "CSOs", Some("France"), true),
            vec![passage(
                "secret",
                1,
                "fr",
                &[7],
                "Le chiffrement de bout en bout et le projet Lighthouse pilote.",
            )],
        ),
    ];
    for (sub, passages) in docs {
        let info = SubmissionInfo {
            submission: sub,
            path: "x".into(),
            pages: Some(2),
            passages: passages.len() as u32,
            languages: vec![],
            problems: vec![],
        };
        batch.put_submission(info, &passages).expect("put");
    }
    batch.commit().expect("commit");
    (dir, index)
}

fn search(index: &PassageIndex, request: SearchRequest) -> Vec<String> {
    let mut ids: Vec<String> = index
        .search(&request)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.record.passage.id)
        .collect();
    ids.sort();
    ids
}

fn q(text: &str) -> SearchRequest {
    SearchRequest {
        q: text.into(),
        ..Default::default()
    }
}

#[test]
fn stems_each_language_and_folds_diacritics() {
    let (_dir, index) = build();
    assert_eq!(search(&index, q("encrypted")), ["alliance-1", "alliance-2"]);
    assert_eq!(search(&index, q("niños")), ["chile-1", "chile-2"]);
    assert_eq!(search(&index, q("ninos")), ["chile-1", "chile-2"]);
    assert_eq!(search(&index, q("detección")), ["chile-1"]);
}

#[test]
fn each_filter_narrows_and_facets_count_the_whole_result() {
    let (_dir, index) = build();
    let all = index.search(&q("")).expect("search");
    assert_eq!(all.total, 4, "confidential passage excluded");
    assert_eq!(all.facets["question"]["7"], 2);
    assert_eq!(all.facets["category"]["States"], 2);
    assert_eq!(all.facets["category"]["CSOs"], 2);
    assert_eq!(all.facets["language"]["en"], 2);
    assert_eq!(all.facets["country"]["Chile"], 2);
    assert!(!all.facets["country"].contains_key("France"));

    let with = |f: fn(&mut SearchRequest)| {
        let mut r = q("");
        f(&mut r);
        search(&index, r)
    };
    assert_eq!(with(|r| r.question = Some(7)), ["alliance-1", "chile-1"]);
    assert_eq!(
        with(|r| r.category = Some("csos".into())),
        ["alliance-1", "alliance-2"]
    );
    assert_eq!(
        with(|r| r.country = Some("chile".into())),
        ["chile-1", "chile-2"]
    );
    assert_eq!(
        with(|r| r.lang = Some("en".into())),
        ["alliance-1", "alliance-2"]
    );
    assert_eq!(
        with(|r| r.kind = Some("annex".into())),
        Vec::<String>::new()
    );
    assert_eq!(with(|r| r.call = Some("demo".into())).len(), 4);
}

#[test]
fn confidential_passages_need_staff() {
    let (_dir, index) = build();
    assert!(search(&index, q("Lighthouse")).is_empty());
    let mut staff = q("Lighthouse");
    staff.include_confidential = true;
    assert_eq!(search(&index, staff), ["secret-1"]);
}

#[test]
fn snippets_mark_stemmed_words_and_escape_html() {
    let (_dir, index) = build();
    let results = index.search(&q("encryption grooming")).expect("search");
    let hit = &results.hits[0];
    assert!(
        hit.snippet.contains("<mark>encryption</mark>"),
        "{}",
        hit.snippet
    );
    assert!(
        hit.snippet.contains("<mark>grooming</mark>"),
        "{}",
        hit.snippet
    );
    assert!(hit.snippet.contains("&lt;script&gt;"), "{}", hit.snippet);
    assert!(!hit.snippet.contains("<script>"), "{}", hit.snippet);
}

#[test]
fn malformed_query_is_an_error_not_a_panic() {
    let (_dir, index) = build();
    let err = index.search(&q("nosuchfield:x")).expect_err("bad field");
    assert!(err.to_string().starts_with("invalid query"), "{err}");
}

#[test]
fn replacing_a_submission_does_not_duplicate_it() {
    let (_dir, index) = build();
    let mut batch = index.batch().expect("batch");
    let info = SubmissionInfo {
        submission: submission("chile", "States", Some("Chile"), false),
        path: "x".into(),
        pages: Some(1),
        passages: 1,
        languages: vec![],
        problems: vec![],
    };
    batch
        .put_submission(
            info,
            &[passage(
                "chile",
                1,
                "es",
                &[1],
                "Texto nuevo sobre cifrado.",
            )],
        )
        .expect("put");
    batch.commit().expect("commit");
    assert_eq!(search(&index, q("")).len(), 3);
    assert_eq!(index.catalog().submissions.len(), 3);
    let reopened = PassageIndex::open(index.dir()).expect("reopen");
    assert_eq!(reopened.catalog().submissions.len(), 3);
}

#[test]
fn grouping_keeps_the_best_passage_per_submission_and_counts_the_rest() {
    let (_dir, index) = build();
    let results = index
        .search(&SearchRequest {
            q: "".into(),
            group_by_submission: true,
            ..Default::default()
        })
        .expect("search");
    assert_eq!(results.total, 2);
    assert_eq!(results.hits.len(), 2);
    assert!(
        results.hits.iter().all(|h| h.others == 1),
        "each public submission has two passages"
    );
}
