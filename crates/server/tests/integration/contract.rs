//! The OpenAPI document and the handlers agree: every bound and every enum value it
//! documents is the one a route enforces, and what it leaves out is refused.

use super::*;

/// Each query parameter the served document bounds: at its bounds an answer, one past them
/// a 400 naming it; each enum value it lists is taken.
#[tokio::test]
async fn documented_bounds_and_values_are_the_enforced_ones() {
    let c = corpus();
    let (_, spec) = get(&c.app, "/api/v1/openapi.json").await;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let Some(parameters) = item["get"]["parameters"].as_array() else {
            continue;
        };
        let route = path
            .replace("{id}", "alliance-1")
            .replace("{field}", "country")
            .replace("alliance-1/file", "alliance/file");
        let route =
            if path.starts_with("/api/v1/submissions/") || path.starts_with("/api/v1/calls/") {
                route
                    .replace("alliance-1", "alliance")
                    .replace("/calls/alliance", "/calls/demo")
            } else {
                route
            };
        // A brief needs a question the call asks, of a call the index holds (others are
        // missing, 404, as a passage that does not exist): both are looked up, not bounded.
        let brief = path == "/api/v1/brief";
        let required = if brief { "question=7&" } else { "" };
        for p in parameters.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().expect("name");
            if brief && matches!(name, "question" | "call") {
                continue;
            }
            let schema = resolve(&spec, &p["schema"]);
            let mut cases: Vec<(String, bool)> = Vec::new();
            if let (Some(min), Some(max)) = (schema["minimum"].as_f64(), schema["maximum"].as_f64())
            {
                cases.push((min.to_string(), true));
                cases.push((max.to_string(), true));
                cases.push(((max + 1.0).to_string(), false));
                cases.push(((min - 1.0).to_string(), false));
                cases.push((String::new(), false));
            }
            if let Some(values) = schema["enum"].as_array() {
                for v in values {
                    cases.push((v.as_str().expect("text").to_string(), true));
                }
                cases.push(("nonsense".into(), false));
            }
            if let Some(max) = schema["maxLength"].as_u64().filter(|_| name != "q") {
                cases.push(("é".repeat(max as usize), true));
                cases.push(("é".repeat(max as usize + 1), false));
            }
            for (value, ok) in cases {
                let uri = format!("{route}?{required}{name}={}", value.replace('é', "%C3%A9"));
                let (status, body) = get(&c.app, &uri).await;
                checked += 1;
                if ok {
                    assert!(status.is_success(), "{uri}: {status} {body}");
                } else {
                    assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
                    let message = body["error"]["message"].as_str().unwrap_or_default();
                    assert!(message.contains(&format!("`{name}`")), "{uri}: {message}");
                }
            }
        }
        // A parameter the document does not list is refused.
        let (status, body) = get(&c.app, &format!("{route}?colour=red")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route}: {body}");
    }
    assert!(checked > 50, "{checked} cases");
}

/// A `$ref` to a component schema, followed.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).expect("ref"),
        None => schema,
    }
}

#[tokio::test]
async fn every_facet_the_document_lists_answers_and_others_are_404() {
    let c = corpus();
    let (_, spec) = get(&c.app, "/api/v1/openapi.json").await;
    let fields = spec["components"]["schemas"]["FacetField"]["enum"]
        .as_array()
        .expect("FacetField is an enum");
    assert_eq!(fields.len(), 8);
    for field in fields {
        let uri = format!("/api/v1/facets/{}", field.as_str().expect("text"));
        let (status, body) = get(&c.app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    let (status, body) = get(&c.app, "/api/v1/facets/colour").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`submitter`"),
        "names the facets: {message}"
    );
}

#[tokio::test]
async fn the_json_body_is_typed_as_documented() {
    let c = corpus();
    let post = |body: &'static str| {
        Request::post("/api/v1/search")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .expect("request")
    };
    for (body, ok, says) in [
        (
            r#"{"q": "encryption", "limit": 5.0, "kind": "input"}"#,
            true,
            "",
        ),
        (
            r#"{"q": null, "facets": ["category"], "highlight": false}"#,
            true,
            "",
        ),
        (
            r#"{"limit": "5"}"#,
            false,
            "`limit` must be a whole number from 1 to 100",
        ),
        (r#"{"limit": {}}"#, false, "`limit`"),
        (r#"{"facets": "category"}"#, false, "`facets`"),
        (
            r#"{"question": 0}"#,
            false,
            "`question` must be a whole number from 1 to 1000, got 0",
        ),
        (r#"{"colour": "red"}"#, false, "unknown parameter `colour`"),
    ] {
        let (status, answer) = send(&c.app, post(body)).await;
        if ok {
            assert_eq!(status, StatusCode::OK, "{body}: {answer}");
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
            let message = answer["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(says), "{body}: {message}");
        }
    }
    // In a query string, a parameter once.
    let (status, answer) = get(&c.app, "/api/v1/search?limit=1&limit=2").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`limit` is given more than once")),
        "{answer}"
    );
    let (_, answer) = send(&c.app, post(r#"{"facets": ["category"]}"#)).await;
    let counted: Vec<&String> = answer["facetDistribution"]
        .as_object()
        .expect("facets")
        .keys()
        .collect();
    assert_eq!(counted, ["category"], "{answer}");
}

#[tokio::test]
async fn exports_in_every_format_have_the_cli_columns() {
    let c = corpus();
    for (format, content_type) in [
        ("csv", "text/csv; charset=utf-8"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("jsonl", "application/x-ndjson"),
    ] {
        let response = c
            .app
            .clone()
            .oneshot(
                Request::get(format!("/api/v1/export?format={format}&q=encryption"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        assert_eq!(response.headers()["content-type"], content_type);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        match format {
            "csv" => assert_eq!(
                text.trim_start_matches('\u{feff}').lines().next(),
                Some(cfi_server::EXPORT_COLUMNS.join(",").as_str())
            ),
            "jsonl" => {
                let row: Value =
                    serde_json::from_str(text.lines().next().expect("a row")).expect("json");
                for column in cfi_server::EXPORT_COLUMNS {
                    assert!(row.get(column).is_some(), "{column}: {row}");
                }
            }
            _ => assert!(bytes.starts_with(b"PK")),
        }
    }
}
