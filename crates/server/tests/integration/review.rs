//! Staff review over HTTP: only with the staff token; staff's tags show as `staff` in
//! every answer, also after the server restarts; key quotes are a filter; bad reviews get
//! 400 or 404 naming the cause.

use super::*;

async fn post_review(app: &axum::Router, id: &str, body: &str, staff: bool) -> (StatusCode, Value) {
    let mut request = Request::post(format!("/api/v1/passages/{id}/review"))
        .header("content-type", "application/json")
        .header("x-reviewer", "Ana%20Ru%C3%ADz");
    if staff {
        request = request.header("authorization", format!("Bearer {STAFF}"));
    }
    send(
        app,
        request.body(Body::from(body.to_string())).expect("request"),
    )
    .await
}

#[tokio::test]
async fn a_review_needs_the_token_and_its_tags_outlive_a_restart() {
    let corpus = corpus();
    let app = &corpus.app;
    let body = r#"{"questions": [2], "key": true, "note": "Lead quote for Q2"}"#;
    let (status, json) = post_review(app, "alliance-1", body, false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
    assert_eq!(json["error"]["code"], "unauthorized");
    let (status, _) = get(app, "/api/v1/reviews").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Shown in a search first (what a search read is kept for the next one)...
    let (_, json) = get(app, "/api/v1/search?q=&semantic=0&limit=100").await;
    let shown = |json: &Value| {
        json["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["passageId"] == "alliance-1")
            .map(|h| h["questions"][0]["source"].clone())
    };
    let before = shown(&json);
    assert!(
        before.is_some() && before != Some(Value::from("staff")),
        "{json}"
    );
    let (status, json) = post_review(app, "alliance-1", body, true).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // ...and the same search shows the review at once.
    let (_, after) = get(app, "/api/v1/search?q=&semantic=0&limit=100").await;
    assert_eq!(shown(&after), Some(Value::from("staff")), "{after}");
    assert_eq!(json["review"]["by"], "Ana Ruíz");
    assert_eq!(json["passage"]["questions"][0]["source"], "staff");
    assert_eq!(json["passage"]["key"], true);

    // Filters follow staff: the passage answers 2 now, not 7, and is a key quote.
    let (_, json) = get(app, "/api/v1/search?q=&question=2&semantic=0").await;
    let ids: Vec<&str> = json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["passageId"].as_str())
        .collect();
    assert!(ids.contains(&"alliance-1"), "{ids:?}");
    let (_, json) = get(app, "/api/v1/search?q=key:true&semantic=0").await;
    assert_eq!(json["hits"].as_array().map(Vec::len), Some(1), "{json}");
    let (_, json) = get(app, "/api/v1/search?key=true&semantic=0").await;
    assert_eq!(json["hits"][0]["passageId"], "alliance-1");

    // A new server over the same folder shows the same.
    let index = open_index(corpus.dir.path());
    let restarted = cfi_server::app(
        cfi_server::AppState::new(index)
            .with_staff_token(cfi_server::StaffToken::from_secret(STAFF)),
    );
    let (status, json) = get_as_staff(&restarted, "/api/v1/passages/alliance-1").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["passage"]["questions"][0]["source"], "staff", "{json}");
    let (status, json) = get_as_staff(&restarted, "/api/v1/reviews").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["total"], 1);
    assert_eq!(json["results"][0]["note"], "Lead quote for Q2");
    assert_eq!(json["results"][0]["by"], "Ana Ruíz");
    assert_eq!(json["results"][0]["orphaned"], false);
}

#[tokio::test]
async fn bad_reviews_are_refused_naming_the_cause() {
    let corpus = corpus();
    let app = &corpus.app;
    let (status, json) = post_review(app, "alliance-1", r#"{"questions": [5]}"#, true).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    let message = json["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("no question 5") && message.contains("2, 7"),
        "{message}"
    );
    let (status, json) = post_review(app, "nobody-1", r#"{"key": true}"#, true).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    for body in [
        r#"{"questions": "2"}"#,
        r#"{"colour": "red"}"#,
        "[1]",
        "not json",
    ] {
        let (status, json) = post_review(app, "alliance-1", body, true).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {json}");
    }
    let (_, json) = get_as_staff(app, "/api/v1/reviews").await;
    assert_eq!(json["total"], 0, "{json}");
    // 2.0 is the whole number 2, as JSON Schema has it.
    let (status, json) = post_review(app, "alliance-1", r#"{"questions": [2.0]}"#, true).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
