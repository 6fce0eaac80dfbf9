//! The API as a client sees it, in-process with `oneshot`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cfi_core::{Kind, Passage, QuestionTag, Submission, TagSource};
use cfi_index::{PassageIndex, SubmissionInfo};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

#[path = "integration/brief.rs"]
mod brief;
#[path = "integration/contract.rs"]
mod contract;
#[path = "integration/hostile.rs"]
mod hostile;
#[path = "integration/matrix.rs"]
mod matrix;
#[path = "integration/review.rs"]
mod review;
#[path = "integration/semantic.rs"]
mod semantic;
#[path = "integration/versions.rs"]
mod versions;

struct Corpus {
    dir: tempfile::TempDir,
    app: axum::Router,
}

const STAFF: &str = "correct horse battery staple";

/// Two public submissions and a confidential one, all about encryption.
fn corpus() -> Corpus {
    corpus_with(|s| s)
}

/// The index in `dir`, searched with the plain hashing embedder: what these tests find
/// depends on their words, whatever model ships (`semantic.rs` brings its own).
fn open_index(dir: &std::path::Path) -> PassageIndex {
    let model = std::sync::Arc::new(cfi_embed::HashingEmbedder::new(256));
    PassageIndex::open_with(dir, model).expect("open")
}

fn corpus_with(configure: impl FnOnce(cfi_server::AppState) -> cfi_server::AppState) -> Corpus {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = open_index(dir.path());
    let mut batch = index.batch().expect("batch");
    batch.put_call(
        cfi_core::Call::parse(
            std::path::Path::new("call.toml"),
            "id = \"demo\"\ntitle = \"Children in the Digital Environment\"\nmandate = \"SR\"\nissued = 2024-02-01\ndeadline = 2024-04-30\nlanguages = [\"en\", \"es\"]\ncategories = [\"States\", \"CSOs\", \"Academia\"]\n[[questions]]\nnumber = 2\nshort = \"Recommendations\"\ntext.en = \"What do you recommend?\"\n[[questions]]\nnumber = 7\nshort = \"AI and encryption\"\ntext.en = \"What about encryption?\"\n",
        )
        .expect("call"),
    );
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).expect("mkdir");
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
            version_of: None,
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
            mentioned_countries: vec![],
            duplicate_of: None,
            key: false,
            questions: vec![QuestionTag {
                number: question,
                source: TagSource::Heading,
                confidence: 1.0,
            }],
            opens_section: false,
        };
        let path = files.join(format!("{id}.pdf"));
        std::fs::write(&path, format!("%PDF-1.4 file of {id}")).expect("write");
        // As catalogs written before ingest named files relatively had it.
        let problems = match id {
            "spain" => vec![format!(
                "{}: needs OCR (install tesseract-ocr), page 2",
                path.display()
            )],
            _ => vec![],
        };
        let info = SubmissionInfo {
            submission,
            path,
            pages: Some(4),
            passages: 1,
            languages: vec![lang.into()],
            problems,
        };
        batch
            .put_submission(info, std::slice::from_ref(&passage))
            .expect("put");
    }
    batch.commit().expect("commit");
    Corpus {
        dir,
        app: cfi_server::app(configure(
            cfi_server::AppState::new(index)
                .with_staff_token(cfi_server::StaffToken::from_secret(STAFF)),
        )),
    }
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    send(app, Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn get_as_staff(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let request = Request::get(uri)
        .header("authorization", format!("Bearer {STAFF}"))
        .body(Body::empty())
        .expect("request");
    send(app, request).await
}

async fn send(app: &axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.expect("response");
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
    assert_eq!(
        body["facetsEstimated"], false,
        "a small hit set is counted exactly"
    );
    assert!(body["didYouMean"].is_null());
    let (_, body) = get(&c.app, "/api/v1/search?q=encryptoin").await;
    assert_eq!(body["didYouMean"], "encryption", "{body}");
    assert!(body["processingTimeMs"].is_number());
    let (status, body) = get(
        &c.app,
        "/api/v1/search?q=encryption&facets=category,country",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counted: Vec<&String> = body["facetDistribution"]
        .as_object()
        .expect("facets")
        .keys()
        .collect();
    assert_eq!(
        counted,
        ["category", "country"],
        "only the facets asked for: {body}"
    );
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
        "/api/v1/search?q=question:seven",
        "/api/v1/search?q=key:maybe",
        // A list of facets names at least one, each as written.
        "/api/v1/search?facets=",
        "/api/v1/search?facets=category,",
        "/api/v1/search?facets=%20category",
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

/// Every route that can reveal a passage or a submission, as (anonymous, staff) callers.
const ROUTES: [&str; 11] = [
    "/api/v1/search?q=Lighthouse",
    "/api/v1/search?category=Academia",
    "/api/v1/calls",
    "/api/v1/calls/demo",
    "/api/v1/submissions",
    "/api/v1/submissions/hidden",
    "/api/v1/passages/hidden-3",
    "/api/v1/passages/alliance-1/similar",
    "/api/v1/matrix",
    "/api/v1/facets/category",
    "/api/v1/export?format=jsonl",
];

#[tokio::test]
async fn confidential_data_is_absent_for_anonymous_callers_on_every_route() {
    let c = corpus();
    for uri in ROUTES {
        let (status, body) = get(&c.app, uri).await;
        if status == StatusCode::NOT_FOUND {
            // The message may repeat the id the caller sent, nothing more.
            let message = body["error"]["message"].as_str().expect("message");
            assert!(
                !message.contains("Lighthouse") && !message.contains("Norway"),
                "{uri}: {body}"
            );
            continue;
        }
        let text = body.to_string();
        assert!(
            !text.contains("Lighthouse")
                && !text.contains("hidden")
                && !text.contains("Academia\":{"),
            "{uri}: {text}"
        );
        assert!(!text.contains("Norway"), "{uri}: {text}");
        assert!(
            status == StatusCode::OK || status == StatusCode::NOT_FOUND,
            "{uri}: {status}"
        );
    }
    // A confidential submission answers exactly like a missing one.
    let (s1, b1) = get(&c.app, "/api/v1/submissions/hidden").await;
    let (s2, b2) = get(&c.app, "/api/v1/submissions/hidden2").await;
    assert_eq!(
        (s1, b1["error"]["code"].clone()),
        (s2, b2["error"]["code"].clone())
    );
    let (status, _) = get(&c.app, "/api/v1/submissions/hidden/file").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, calls) = get(&c.app, "/api/v1/calls/demo").await;
    assert_eq!(calls["submissions"], 3, "{calls}");
    let (_, stats) = get(&c.app, "/api/v1/stats").await;
    assert_eq!(stats["passages"], 3, "{stats}");
}

#[tokio::test]
async fn staff_see_confidential_data_marked() {
    let c = corpus();
    let (status, body) = get_as_staff(&c.app, "/api/v1/search?q=Lighthouse").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["estimatedTotalHits"], 1);
    assert_eq!(body["hits"][0]["submission"]["confidential"], true);
    let (status, body) = get_as_staff(&c.app, "/api/v1/submissions/hidden").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["confidential"], true);
    let (_, body) = get_as_staff(&c.app, "/api/v1/passages/hidden-3").await;
    assert_eq!(body["passage"]["submission"]["id"], "hidden");
    let (_, body) = get_as_staff(&c.app, "/api/v1/matrix").await;
    assert_eq!(body["cells"]["7"]["Academia"]["passages"], 1, "{body}");
    let (_, body) = get_as_staff(&c.app, "/api/v1/calls/demo").await;
    assert_eq!(body["submissions"], 4);
    let (_, body) = get_as_staff(&c.app, "/api/v1/stats").await;
    assert_eq!(body["passages"], 4);
    let (status, body) = send(
        &c.app,
        Request::get("/api/v1/search")
            .header("authorization", "Bearer wrong")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn passages_come_with_context_citation_and_similar_ones() {
    let c = corpus();
    let (status, body) = get(&c.app, "/api/v1/passages/alliance-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["passage"]["citation"],
        "alliance submitter, submission to the call for input (\"Children in the Digital Environment\"), 2024, p. 3."
    );
    assert_eq!(body["passage"]["permalink"], "/?view=passage&id=alliance-1");
    assert!(body["before"].as_array().is_some() && body["after"].as_array().is_some());
    let (status, body) = get(&c.app, "/api/v1/passages/alliance-1/similar").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids: Vec<&str> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|h| h["submission"]["id"].as_str())
        .collect();
    assert!(
        !ids.contains(&"alliance"),
        "similar passages come from other submissions: {ids:?}"
    );
    let (status, _) = get(&c.app, "/api/v1/passages/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_matrix_facets_and_exports() {
    let c = corpus();
    let (_, body) = get(&c.app, "/api/v1/calls").await;
    assert_eq!(body["total"], 1);
    assert_eq!(
        body["results"][0]["questions"][1]["short"],
        "AI and encryption"
    );
    let (_, body) = get(&c.app, "/api/v1/submissions?category=CSOs").await;
    assert_eq!(body["total"], 2, "{body}");
    assert_eq!(
        body["results"][0]["fileUrl"],
        "/api/v1/submissions/alliance/file"
    );
    let (_, body) = get(&c.app, "/api/v1/matrix?q=encryption").await;
    assert_eq!(body["cells"]["7"]["CSOs"]["passages"], 1, "{body}");
    assert_eq!(body["cells"]["7"]["CSOs"]["submissions"], 1, "{body}");
    assert!(
        body["cells"].get("2").is_none(),
        "the query applies: {body}"
    );
    let (_, body) = get(&c.app, "/api/v1/facets/language").await;
    assert_eq!(body["values"]["en"], 2);
    let (status, _) = get(&c.app, "/api/v1/facets/colour").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let response = c
        .app
        .clone()
        .oneshot(
            Request::get("/api/v1/export?format=csv&question=7")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let csv = String::from_utf8_lossy(&bytes);
    assert_eq!(csv.lines().count(), 3, "header + 2 hits: {csv}");
    assert!(csv.contains("submission to the call for input"), "{csv}");
    let response = c
        .app
        .clone()
        .oneshot(
            Request::get("/api/v1/export?format=xlsx")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
}

#[tokio::test]
async fn files_stream_with_range_and_disposition() {
    let c = corpus();
    let request = Request::get("/api/v1/submissions/spain/file")
        .header("range", "bytes=0-3")
        .body(Body::empty())
        .expect("request");
    let response = c.app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("spain.pdf")
    );
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(&bytes[..], b"%PDF");
}

#[tokio::test]
async fn post_search_takes_the_same_parameters() {
    let c = corpus();
    let request = Request::post("/api/v1/search")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"q": "encryption", "question": 7, "limit": 5}"#,
        ))
        .expect("request");
    let (status, body) = send(&c.app, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["estimatedTotalHits"], 1);
    assert_eq!(body["limit"], 5);
    let request = Request::post("/api/v1/search")
        .body(Body::from("not json"))
        .expect("request");
    let (status, body) = send(&c.app, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_body");
}

#[tokio::test]
async fn openapi_builds_and_every_ref_resolves() {
    let c = corpus();
    let (status, spec) = get(&c.app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let mut refs = Vec::new();
    collect_refs(&spec, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let pointer = r.strip_prefix('#').expect("local ref");
        assert!(spec.pointer(pointer).is_some(), "unresolved $ref {r}");
    }
    for path in [
        "/api/v1/search",
        "/api/v1/submissions/{id}/file",
        "/api/v1/export",
        "/api/v1/matrix",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} documented");
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if let Some(s) = v.as_str().filter(|_| k == "$ref") {
                    out.push(s.to_string());
                }
                collect_refs(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn group_by_submission_and_sort() {
    let c = corpus();
    let (_, body) = get(&c.app, "/api/v1/search?sort=submitter").await;
    let names: Vec<&str> = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["submission"]["submitter"].as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    let (status, body) = get(&c.app, "/api/v1/search?group=submission").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["estimatedTotalHits"], 3, "{body}");
    let (status, _) = get(&c.app, "/api/v1/search?group=country").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cors_is_off_unless_an_origin_is_allowed() {
    let request = || {
        Request::get("/api/v1/stats")
            .header("origin", "https://mandate.example.org")
            .body(Body::empty())
            .expect("request")
    };
    let c = corpus();
    let response = c.app.clone().oneshot(request()).await.expect("response");
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let c = corpus_with(|s| s.with_cors_origins(vec!["https://mandate.example.org".into()]));
    let response = c.app.clone().oneshot(request()).await.expect("response");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://mandate.example.org"
    );
}

/// No request may run (zero places), so every request waits out its budget: the answer
/// is a 503 with the usual body, whatever the machine's speed.
#[tokio::test]
async fn requests_past_their_budget_get_503_with_the_error_body() {
    let c = corpus_with(|s| {
        s.with_max_in_flight(0)
            .with_request_timeout(std::time::Duration::from_millis(20))
    });
    let (status, body) = get(&c.app, "/api/v1/search?q=encryption").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "unavailable");
}

#[tokio::test]
async fn page_and_security_headers() {
    let c = corpus();
    let response = c
        .app
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let html = String::from_utf8_lossy(&bytes);
    assert!(html.contains("src=\"/assets/app.js\""), "{html}");
    assert!(!html.contains("<script>"), "no inline script");
    let mut total = bytes.len();
    for asset in ["/assets/app.js", "/assets/app.css"] {
        let response = c
            .app
            .clone()
            .oneshot(Request::get(asset).body(Body::empty()).expect("request"))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        total += response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .len();
    }
    assert!(
        total < 200 * 1024,
        "the page's own assets stay under 200 KB: {total}"
    );
    let response = c
        .app
        .clone()
        .oneshot(
            Request::get("/api/v1/stats")
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
}

/// Every documented response shape is what the server sends: each answer is validated
/// against its schema in the served OpenAPI document (a JSON Schema validator, not ours).
#[tokio::test]
async fn responses_match_the_openapi_schemas() {
    let c = corpus();
    let (_, spec) = get(&c.app, "/api/v1/openapi.json").await;
    let cases = [
        ("/api/v1/search?q=encryption", "SearchResponse"),
        (
            "/api/v1/search?group=submission&sort=submitter",
            "SearchResponse",
        ),
        ("/api/v1/calls", "CallList"),
        ("/api/v1/calls/demo", "CallBody"),
        ("/api/v1/submissions", "SubmissionList"),
        ("/api/v1/submissions/spain", "SubmissionBody"),
        ("/api/v1/passages/alliance-1", "PassageContext"),
        ("/api/v1/passages/alliance-1/similar", "SimilarList"),
        ("/api/v1/matrix", "MatrixBody"),
        ("/api/v1/facets/category", "FacetValues"),
        ("/api/v1/stats", "StatsBody"),
        ("/api/v1/search?question=x", "ErrorBody"),
        ("/api/v1/passages/none", "ErrorBody"),
    ];
    for (uri, schema) in cases {
        let (_, body) = get(&c.app, uri).await;
        let errors = schema_errors(&spec, schema, &body);
        assert!(
            errors.is_empty(),
            "{uri} does not match {schema}: {errors:?}\n{body}"
        );
    }
    // And the check can fail: an error body is not a search response.
    let (_, error) = get(&c.app, "/api/v1/search?question=x").await;
    let mut root = spec.clone();
    root["$ref"] = Value::String("#/components/schemas/SearchResponse".into());
    let validator = jsonschema::validator_for(&root).expect("schema");
    assert!(!validator.is_valid(&error));
}

/// Where `body` departs from the schema of that name in the served OpenAPI document.
fn schema_errors(spec: &Value, schema: &str, body: &Value) -> Vec<String> {
    let mut root = spec.clone();
    root["$ref"] = Value::String(format!("#/components/schemas/{schema}"));
    let validator = jsonschema::validator_for(&root).expect("the spec is a valid schema");
    validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The API's description is a contract with its consumers: a change to it shows up here
/// as a diff of `tests/openapi.json`, to be read before it is accepted
/// (`CFI_BLESS=1 cargo test -p cfi-server --test integration openapi_snapshot`).
#[tokio::test]
async fn openapi_snapshot() {
    let c = corpus();
    let (_, spec) = get(&c.app, "/api/v1/openapi.json").await;
    let text = serde_json::to_string_pretty(&spec).expect("json") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi.json");
    if std::env::var("CFI_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &text).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("tests/openapi.json (CFI_BLESS=1 creates it)");
    assert!(
        text == want,
        "openapi.json changed; review the diff and bless it with CFI_BLESS=1"
    );
}

#[tokio::test]
async fn an_export_larger_than_one_download_may_hold_is_refused_with_the_way_out() {
    let c = corpus_with(|s| s.with_max_export_rows(1));
    // Everything public is three passages: over the cap of one.
    let (status, body) = get(&c.app, "/api/v1/export?format=jsonl").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "too_large", "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("3 passages") && message.contains("cfi export"),
        "{message}"
    );
    // One passage is within the cap.
    let (status, _) = get(&c.app, "/api/v1/export?format=jsonl&q=recommendations").await;
    assert_eq!(status, StatusCode::OK);
}
