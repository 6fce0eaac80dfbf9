//! Search by meaning over HTTP: `semantic` from 0 (words) to 1 (meaning), the passages it
//! brings in counted and filtered like the words' matches, confidential ones never shown
//! to an anonymous caller, and similar passages across languages.

use std::sync::Arc;

use cfi_embed::{Embedder, TextKind};

use super::*;

/// A model the test makes: "encryption" and "cifrado" are one concept, "hotlines" and
/// "denuncias" another; other words count for nothing.
#[derive(Debug)]
struct Concepts;

impl Embedder for Concepts {
    fn id(&self) -> &str {
        "concepts-4/test"
    }

    fn dim(&self) -> usize {
        4
    }

    fn embed(&self, text: &str, _kind: TextKind) -> Vec<f32> {
        let mut vector = vec![0.0; 4];
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let concept = match word.to_lowercase().as_str() {
                "encryption" | "cifrado" => 0,
                "hotlines" | "denuncias" => 1,
                _ => continue,
            };
            if let Some(x) = vector.get_mut(concept) {
                *x += 1.0;
            }
        }
        cfi_embed::normalize(&mut vector);
        vector
    }
}

/// An English and a Spanish passage on encryption, a public one on hotlines, and a
/// confidential English one on encryption.
fn meaning_corpus() -> (tempfile::TempDir, axum::Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open_with(dir.path(), Arc::new(Concepts)).expect("open");
    let mut batch = index.batch().expect("batch");
    let rows = [
        (
            "alliance",
            "CSOs",
            false,
            "en",
            "Encryption protects children online.",
        ),
        (
            "spain",
            "States",
            false,
            "es",
            "El cifrado y la detección de abusos.",
        ),
        (
            "helpline",
            "CSOs",
            false,
            "en",
            "Hotlines answer day and night.",
        ),
        (
            "hidden",
            "Academia",
            true,
            "en",
            "Encryption research in a pilot.",
        ),
    ];
    for (id, category, confidential, lang, text) in rows {
        let submission = Submission {
            id: id.into(),
            call: "demo".into(),
            submitter: format!("{id} submitter"),
            category: category.into(),
            country: None,
            kind: Kind::Input,
            annex_of: None,
            version_of: None,
            file: format!("files/{id}.pdf"),
            language: Some(lang.into()),
            confidential,
            received: None,
        };
        let passage = Passage {
            id: format!("{id}-1"),
            ordinal: 1,
            text: text.into(),
            heading: None,
            page: Some(1),
            page_end: None,
            page_label: None,
            paragraph: 1,
            language: Some(lang.into()),
            mentioned_countries: vec![],
            duplicate_of: None,
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
            path: dir.path().join(format!("{id}.pdf")),
            pages: Some(1),
            passages: 1,
            languages: vec![lang.into()],
            problems: vec![],
        };
        batch.put_submission(info, &[passage]).expect("put");
    }
    batch.commit().expect("commit");
    let app = cfi_server::app(
        cfi_server::AppState::new(index)
            .with_staff_token(cfi_server::StaffToken::from_secret(STAFF)),
    );
    (dir, app)
}

fn ids(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["passageId"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn meaning_finds_the_passage_in_another_language() {
    let (_dir, app) = meaning_corpus();
    let (status, words) = get(&app, "/api/v1/search?q=cifrado&semantic=0").await;
    assert_eq!(status, StatusCode::OK, "{words}");
    assert_eq!(ids(&words), ["spain-1"]);
    assert_eq!(words["semanticHitCount"], 0);
    let (_, both) = get(&app, "/api/v1/search?q=cifrado&semantic=1").await;
    assert_eq!(ids(&both), ["spain-1", "alliance-1"]);
    assert_eq!(both["estimatedTotalHits"], 2);
    assert_eq!(both["semanticHitCount"], 1);
    assert_eq!(both["facetDistribution"]["language"]["en"], 1, "{both}");
    let english = &both["hits"][1];
    assert_eq!(english["snippet"], "Encryption protects children online.");
    // The same as a JSON body, `semantic` a number.
    let request = Request::post("/api/v1/search")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"q": "cifrado", "semantic": 1}"#))
        .expect("request");
    let (status, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), ["spain-1", "alliance-1"]);
    // Filters apply to what meaning brings in.
    let (_, states) = get(&app, "/api/v1/search?q=cifrado&semantic=1&category=CSOs").await;
    assert_eq!(ids(&states), ["alliance-1"]);
}

#[tokio::test]
async fn anonymous_callers_never_get_a_confidential_passage_by_meaning() {
    let (_dir, app) = meaning_corpus();
    for uri in [
        "/api/v1/search?q=cifrado&semantic=1",
        "/api/v1/search?q=cifrado&semantic=0.5",
        "/api/v1/search?q=cifrado&semantic=1&group=submission",
        "/api/v1/search?q=cifrado&semantic=1&sort=submitter",
    ] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert!(
            !ids(&body).contains(&"hidden-1".to_string()),
            "{uri}: {body}"
        );
        assert_eq!(body["estimatedTotalHits"], 2, "{uri}: {body}");
        assert!(body["facetDistribution"]["category"]["Academia"].is_null());
    }
    let (_, matrix) = get(&app, "/api/v1/matrix?q=cifrado&semantic=1").await;
    assert!(!matrix.to_string().contains("Academia"), "{matrix}");
    let (_, similar) = get(&app, "/api/v1/passages/spain-1/similar").await;
    assert!(!similar.to_string().contains("hidden"), "{similar}");
    let (_, staff) = get_as_staff(&app, "/api/v1/search?q=cifrado&semantic=1").await;
    assert!(ids(&staff).contains(&"hidden-1".to_string()), "{staff}");
}

#[tokio::test]
async fn similar_passages_are_found_across_languages() {
    let (_dir, app) = meaning_corpus();
    let (status, body) = get(&app, "/api/v1/passages/spain-1/similar").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found: Vec<&str> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|h| h["passageId"].as_str())
        .collect();
    assert_eq!(found, ["alliance-1"], "the English passage on encryption");
}

#[tokio::test]
async fn semantic_outside_zero_to_one_is_a_400() {
    let c = corpus();
    for uri in [
        "/api/v1/search?q=encryption&semantic=1.5",
        "/api/v1/search?q=encryption&semantic=-0.1",
        "/api/v1/search?q=encryption&semantic=words",
        "/api/v1/search?q=encryption&semantic=NaN",
        "/api/v1/matrix?q=encryption&semantic=2",
        "/api/v1/export?q=encryption&semantic=-1",
    ] {
        let (status, body) = get(&c.app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["error"]["code"], "invalid_parameter", "{uri}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("semantic"), "{uri}: {message}");
    }
    let request = Request::post("/api/v1/search")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"q": "encryption", "semantic": 3}"#))
        .expect("request");
    let (status, body) = send(&c.app, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The edges are fine.
    for uri in [
        "/api/v1/search?q=encryption&semantic=0",
        "/api/v1/search?q=encryption&semantic=1",
    ] {
        assert_eq!(get(&c.app, uri).await.0, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn the_openapi_description_gives_the_default_semantic() {
    let c = corpus();
    let (_, spec) = get(&c.app, "/api/v1/openapi.json").await;
    let parameters = spec["paths"]["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    let semantic = parameters
        .iter()
        .find(|p| p["name"] == "semantic")
        .expect("semantic is documented");
    let description = semantic["description"].as_str().unwrap_or_default();
    assert!(
        description.contains(&format!("(default {})", cfi_index::DEFAULT_SEMANTIC)),
        "the description names DEFAULT_SEMANTIC: {description}"
    );
}
