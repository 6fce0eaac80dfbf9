//! One submission sent as several files, a file awaiting review, and what the last ingest
//! left out, as a client of the API sees them.

use super::*;

const SHARED: &str = "El cifrado de extremo a extremo y la detección de abusos.";

/// The corpus, with Spain's answer sent again as a public PDF (`spain-pdf`, the passage on
/// page 4 there) and as a confidential DOCX (`spain-docx`); a public file with no category
/// (`unsorted`); and what the ingest left out, an unlisted confidential letter among it.
fn with_versions(c: &Corpus) -> axum::Router {
    let index = open_index(c.dir.path());
    let mut batch = index.batch().expect("batch");
    let files = [
        ("spain-pdf", Some("spain"), "States", false, Some(4), SHARED),
        ("spain-docx", Some("spain"), "States", true, None, SHARED),
        (
            "unsorted",
            None,
            "",
            false,
            Some(1),
            "A letter about reporting channels.",
        ),
    ];
    for (id, version_of, category, confidential, page, text) in files {
        let submission = Submission {
            id: id.into(),
            call: "demo".into(),
            submitter: if version_of.is_some() {
                "spain submitter".into()
            } else {
                format!("{id} submitter")
            },
            category: category.into(),
            country: version_of.map(|_| "Spain".into()),
            kind: Kind::Input,
            annex_of: None,
            version_of: version_of.map(Into::into),
            file: format!("files/{id}.pdf"),
            language: Some("es".into()),
            confidential,
            received: None,
        };
        let passage = Passage {
            id: format!("{id}-1"),
            ordinal: 1,
            text: text.into(),
            heading: None,
            page,
            page_end: None,
            page_label: None,
            paragraph: 1,
            language: Some("es".into()),
            mentioned_countries: vec![],
            // Spain's passage in the corpus is `spain-0`.
            duplicate_of: version_of.map(|first| format!("{first}-0")),
            key: false,
            questions: vec![QuestionTag {
                number: 7,
                source: TagSource::Heading,
                confidence: 1.0,
            }],
            opens_section: false,
        };
        let info = SubmissionInfo {
            submission,
            path: c.dir.path().join(format!("files/{id}.pdf")),
            pages: Some(4),
            passages: 1,
            languages: vec!["es".into()],
            problems: vec![],
        };
        batch.put_submission(info, &[passage]).expect("put");
    }
    batch.put_problems(cfi_index::CallProblems {
        call: "demo".into(),
        manifest: vec![
            "/srv/calls/demo/manifest.csv: row 9, column `kind`: \"letter\" is not input or annex"
                .into(),
        ],
        missing_files: vec!["files/gone.pdf".into()],
        unlisted_files: vec!["files/secret-letter.pdf".into()],
    });
    batch.commit().expect("commit");
    cfi_server::app(
        cfi_server::AppState::new(index)
            .with_staff_token(cfi_server::StaffToken::from_secret(STAFF)),
    )
}

fn ids(values: &Value) -> Vec<&str> {
    values
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_hit_names_the_other_files_holding_its_passage() {
    let c = corpus();
    let app = with_versions(&c);
    let (status, body) = get(&app, "/api/v1/search?q=cifrado").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["estimatedTotalHits"], 1,
        "one hit for three files: {body}"
    );
    let hit = &body["hits"][0];
    assert_eq!(hit["passageId"], "spain-0");
    let versions = hit["versions"].as_array().expect("versions");
    assert_eq!(
        versions.len(),
        1,
        "the confidential DOCX is not named: {hit}"
    );
    assert_eq!(versions[0]["submissionId"], "spain-pdf");
    assert_eq!(versions[0]["file"], "files/spain-pdf.pdf");
    assert_eq!(versions[0]["passageId"], "spain-pdf-1");
    assert_eq!(versions[0]["page"], 4);
    assert_eq!(versions[0]["language"], "es");
    // Staff see both other files, and still one hit.
    let (_, staff) = get_as_staff(&app, "/api/v1/search?q=cifrado").await;
    assert_eq!(staff["estimatedTotalHits"], 1, "{staff}");
    let named: Vec<&str> = staff["hits"][0]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["submissionId"].as_str())
        .collect();
    assert_eq!(named, ["spain-docx", "spain-pdf"]);
    // A hit with no other file says so with an empty list.
    let (_, other) = get(&app, "/api/v1/search?q=recommendations").await;
    assert_eq!(other["hits"][0]["versions"], serde_json::json!([]));
}

#[tokio::test]
async fn a_submission_lists_its_versions_beside_its_annexes() {
    let c = corpus();
    let app = with_versions(&c);
    let (status, spain) = get(&app, "/api/v1/submissions/spain").await;
    assert_eq!(status, StatusCode::OK, "{spain}");
    assert_eq!(ids(&spain["versions"]), ["spain-pdf"], "{spain}");
    assert!(spain["versionOf"].is_null());
    let (_, staff) = get_as_staff(&app, "/api/v1/submissions/spain").await;
    assert_eq!(ids(&staff["versions"]), ["spain-pdf", "spain-docx"]);
    let (_, pdf) = get(&app, "/api/v1/submissions/spain-pdf").await;
    assert_eq!(pdf["versionOf"], "spain");
    assert_eq!(ids(&pdf["versions"]), ["spain"]);
    // The list carries the link too, and the file awaiting review has no category.
    let (_, list) = get(&app, "/api/v1/submissions").await;
    let entry = |id: &str| {
        list["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|s| s["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(entry("spain-pdf")["versionOf"], "spain");
    assert!(entry("spain")["versionOf"].is_null());
    assert_eq!(entry("unsorted")["category"], "");
    // Reading the later file shows its passage, though searches show it under Spain's.
    let (status, passage) = get(&app, "/api/v1/passages/spain-pdf-1").await;
    assert_eq!(status, StatusCode::OK, "{passage}");
    assert_eq!(passage["passage"]["text"], SHARED);
}

#[tokio::test]
async fn counts_take_each_submission_once() {
    let c = corpus();
    let app = with_versions(&c);
    // spain (+ spain-pdf), alliance, alliance2, unsorted: four submissions in five files;
    // the PDF's passage is Spain's, so four passages.
    let (_, call) = get(&app, "/api/v1/calls/demo").await;
    assert_eq!(call["submissions"], 4, "{call}");
    assert_eq!(call["files"], 5, "{call}");
    assert_eq!(call["passages"], 4, "{call}");
    let (_, calls) = get(&app, "/api/v1/calls").await;
    assert_eq!(calls["results"][0]["submissions"], 4, "{calls}");
    let (_, stats) = get(&app, "/api/v1/stats").await;
    assert_eq!(
        (&stats["submissions"], &stats["files"], &stats["passages"]),
        (&Value::from(4), &Value::from(5), &Value::from(4)),
        "{stats}"
    );
    // Spain's passage and the unsorted letter's; not the PDF's copy.
    assert_eq!(stats["languages"]["es"], 2, "{stats}");
    // Staff add the confidential submission and the DOCX file, not another Spain.
    let (_, staff) = get_as_staff(&app, "/api/v1/stats").await;
    assert_eq!(
        (&staff["submissions"], &staff["files"], &staff["passages"]),
        (&Value::from(5), &Value::from(7), &Value::from(5)),
        "{staff}"
    );
    let (_, matrix) = get(&app, "/api/v1/matrix").await;
    assert_eq!(
        matrix["cells"]["7"]["States"],
        serde_json::json!({"passages": 1, "submissions": 1}),
        "{matrix}"
    );
    assert!(
        !matrix["cells"]["7"]
            .as_object()
            .expect("row")
            .contains_key(""),
        "a file awaiting review has no column: {matrix}"
    );
    let (_, facets) = get(&app, "/api/v1/search").await;
    let categories = &facets["facetDistribution"]["category"];
    assert_eq!(categories["States"], 1, "{facets}");
    assert!(
        !categories.as_object().expect("values").contains_key(""),
        "{facets}"
    );
    assert_eq!(facets["estimatedTotalHits"], 4, "{facets}");
}

#[tokio::test]
async fn what_the_ingest_left_out_is_counted_for_all_and_named_for_staff() {
    let c = corpus();
    let app = with_versions(&c);
    let (_, call) = get(&app, "/api/v1/calls/demo").await;
    let problems = &call["problems"];
    assert_eq!(problems["manifest"]["count"], 1, "{call}");
    assert_eq!(problems["missingFiles"]["count"], 1, "{call}");
    assert_eq!(problems["unlistedFiles"]["count"], 1, "{call}");
    assert!(problems["unlistedFiles"]["items"].is_null(), "{call}");
    let (_, staff) = get_as_staff(&app, "/api/v1/calls/demo").await;
    let problems = &staff["problems"];
    assert_eq!(
        ids(&problems["unlistedFiles"]["items"]),
        ["files/secret-letter.pdf"]
    );
    assert_eq!(ids(&problems["missingFiles"]["items"]), ["files/gone.pdf"]);
    // Where the call folder sits on the server is not said, even to staff.
    let row = problems["manifest"]["items"][0].as_str().expect("a row");
    assert!(
        row.starts_with("manifest.csv: row 9") && !row.contains("/srv"),
        "{row}"
    );
}

#[tokio::test]
async fn anonymous_callers_never_see_a_confidential_version_nor_unlisted_file_names() {
    let c = corpus();
    let app = with_versions(&c);
    for uri in [
        "/api/v1/search?q=cifrado",
        "/api/v1/search?q=cifrado&group=submission",
        "/api/v1/submissions",
        "/api/v1/submissions/spain",
        "/api/v1/submissions/spain-pdf",
        "/api/v1/passages/spain-0",
        "/api/v1/passages/spain-0/similar",
        "/api/v1/calls",
        "/api/v1/calls/demo",
        "/api/v1/export?format=jsonl&q=cifrado",
    ] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        let text = body.to_string();
        assert!(
            !text.contains("spain-docx") && !text.contains("secret-letter"),
            "{uri}: {text}"
        );
    }
    let (status, _) = get(&app, "/api/v1/submissions/spain-docx").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_new_fields_match_the_openapi_schemas() {
    let c = corpus();
    let app = with_versions(&c);
    let (_, spec) = get(&app, "/api/v1/openapi.json").await;
    for (uri, schema) in [
        ("/api/v1/search?q=cifrado", "SearchResponse"),
        ("/api/v1/submissions/spain", "SubmissionBody"),
        ("/api/v1/submissions", "SubmissionList"),
        ("/api/v1/calls/demo", "CallBody"),
        ("/api/v1/stats", "StatsBody"),
    ] {
        for staff in [false, true] {
            let (_, body) = if staff {
                get_as_staff(&app, uri).await
            } else {
                get(&app, uri).await
            };
            let errors = schema_errors(&spec, schema, &body);
            assert!(errors.is_empty(), "{uri}: {errors:?}\n{body}");
        }
    }
}
