//! The API as a client sees it, in-process with `oneshot`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cfi_core::{Kind, Passage, QuestionTag, Submission, TagSource};
use cfi_index::{PassageIndex, SubmissionInfo};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

struct Corpus {
    _dir: tempfile::TempDir,
    app: axum::Router,
}

/// Two public submissions and a confidential one, all about encryption.
fn corpus() -> Corpus {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open(dir.path()).expect("open");
    let mut batch = index.batch().expect("batch");
    let rows = [
        (
            "spain",
            "States",
            Some("Spain"),
            false,
            "es",
            7,
            "El cifrado de extremo a extremo y la detección de abusos.",
        ),
        (
            "alliance",
            "CSOs",
            None,
            false,
            "en",
            7,
            "End-to-end encryption must not block the detection of abuse material.",
        ),
        (
            "alliance2",
            "CSOs",
            None,
            false,
            "en",
            2,
            "Recommendations: fund hotlines, require safety by design.",
        ),
        (
            "hidden",
            "Academia",
            Some("Norway"),
            true,
            "en",
            7,
            "Encryption research in the Project Lighthouse pilot.",
        ),
    ];
    for (i, (id, category, country, confidential, lang, question, text)) in
        rows.into_iter().enumerate()
    {
        let submission = Submission {
            id: id.into(),
            call: "demo".into(),
            submitter: format!("{} submitter", id.trim_end_matches('2')),
            category: category.into(),
            country: country.map(Into::into),
            kind: Kind::Input,
            annex_of: None,
            file: format!("files/{id}.pdf"),
            language: Some(lang.into()),
            confidential,
            received: None,
        };
        let passage = Passage {
            id: format!("{id}-{i}"),
            ordinal: 1,
            text: text.into(),
            heading: None,
            page: Some(3),
            page_end: None,
            page_label: None,
            paragraph: 5,
            language: Some(lang.into()),
            questions: vec![QuestionTag {
                number: question,
                source: TagSource::Heading,
                confidence: 1.0,
            }],
        };
        let info = SubmissionInfo {
            submission,
            path: "x".into(),
            pages: Some(4),
            passages: 1,
            languages: vec![lang.into()],
            problems: vec![],
        };
        batch
            .put_submission(info, std::slice::from_ref(&passage))
            .expect("put");
    }
    batch.commit().expect("commit");
    Corpus {
        _dir: dir,
        app: cfi_server::app(cfi_server::AppState::new(index)),
    }
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, json)
}

#[tokio::test]
async fn search_answers_hits_with_citation_fields_and_facets() {
    let c = corpus();
    let (status, body) = get(&c.app, "/api/v1/search?q=encryption&question=7").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hits = body["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 1, "{body}");
    let hit = &hits[0];
    assert_eq!(hit["submission"]["submitter"], "alliance submitter");
    assert_eq!(hit["submission"]["category"], "CSOs");
    assert_eq!(hit["page"], 3);
    assert_eq!(hit["paragraph"], 5);
    assert_eq!(hit["language"], "en");
    assert_eq!(hit["questions"][0]["number"], 7);
    assert_eq!(hit["questions"][0]["source"], "heading");
    assert!(
        hit["snippet"]
            .as_str()
            .expect("snippet")
            .contains("<mark>encryption</mark>"),
        "{hit}"
    );
    assert_eq!(body["estimatedTotalHits"], 1);
    assert_eq!(body["facetDistribution"]["question"]["7"], 1);
    assert!(body["processingTimeMs"].is_number());
}

#[tokio::test]
async fn each_filter_parameter_narrows_the_hits() {
    let c = corpus();
    let total = |uri: &'static str| {
        let app = c.app.clone();
        async move {
            get(&app, uri).await.1["estimatedTotalHits"]
                .as_u64()
                .expect("total")
        }
    };
    assert_eq!(total("/api/v1/search").await, 3);
    assert_eq!(total("/api/v1/search?category=States").await, 1);
    assert_eq!(total("/api/v1/search?country=Spain").await, 1);
    assert_eq!(total("/api/v1/search?lang=en").await, 2);
    assert_eq!(total("/api/v1/search?kind=input").await, 3);
    assert_eq!(total("/api/v1/search?question=2").await, 1);
    assert_eq!(total("/api/v1/search?q=cifrado&lang=es").await, 1);
}

#[tokio::test]
async fn bad_parameters_get_400_with_the_error_shape() {
    let c = corpus();
    for uri in [
        "/api/v1/search?question=seven",
        "/api/v1/search?question=0",
        "/api/v1/search?limit=1000",
        "/api/v1/search?offset=-1",
        "/api/v1/search?kind=report",
        "/api/v1/search?colour=red",
        "/api/v1/search?q=%ZZ",
        "/api/v1/search?q=nosuchfield:x",
        "/api/v1/search?q=%22unclosed",
    ] {
        let (status, body) = get(&c.app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(body["error"]["code"].is_string(), "{uri}: {body}");
        assert!(body["error"]["message"].is_string(), "{uri}: {body}");
    }
    let (status, body) = get(&c.app, "/api/v1/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn confidential_submissions_never_show() {
    let c = corpus();
    let (_, body) = get(&c.app, "/api/v1/search?q=Lighthouse").await;
    assert_eq!(body["estimatedTotalHits"], 0, "{body}");
    let (_, body) = get(&c.app, "/api/v1/search?category=Academia").await;
    assert_eq!(body["estimatedTotalHits"], 0, "{body}");
    let (_, body) = get(&c.app, "/api/v1/search").await;
    assert!(
        body["facetDistribution"]["category"]
            .get("Academia")
            .is_none(),
        "{body}"
    );
    assert!(
        body["facetDistribution"]["country"].get("Norway").is_none(),
        "{body}"
    );
    assert!(!body.to_string().contains("Lighthouse"));
}

#[tokio::test]
async fn healthz_answers() {
    let c = corpus();
    let (status, _) = get(&c.app, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
}
