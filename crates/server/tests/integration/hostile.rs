//! Strangers' input: limits, random query strings, paths that try to leave the call
//! folder, and what error bodies may say.

use super::*;
use proptest::prelude::*;

/// Sends `request` and checks what must hold whatever was sent: no 5xx but a 503, every
/// error in the usual body, and nothing of the server's disk or internals in it.
async fn holds(c: &Corpus, request: Request<Body>) -> Result<(StatusCode, Value), String> {
    let uri = request.uri().to_string();
    let (status, body) = send(&c.app, request).await;
    if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
        return Err(format!("{uri}: {status} {body}"));
    }
    if !status.is_success() {
        let shaped = body["error"]["code"].is_string() && body["error"]["message"].is_string();
        if !shaped {
            return Err(format!("{uri}: {status} without the error body: {body}"));
        }
    }
    let text = body.to_string();
    let dir = c.dir.path().display().to_string();
    // A 404 may repeat the id sent, so a path the caller sent may come back; no other.
    let sent = String::from_utf8_lossy(&decode(&uri)).contains(&dir);
    for leak in [
        dir.as_str(),
        "panicked",
        ".rs:",
        "stack backtrace",
        "TOP SECRET",
    ] {
        if text.contains(leak) && !(sent && leak == dir) {
            return Err(format!("{uri}: the answer carries {leak:?}: {text}"));
        }
    }
    Ok((status, body))
}

fn get_request(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(h)) => {
                out.push(h);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Every byte but the unreserved ones percent-encoded.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn query_size_terms_and_offset_have_limits_answered_with_400() {
    let c = corpus();
    let words: Vec<String> = (0..33).map(|i| format!("w{i}")).collect();
    let long = "a".repeat(1001);
    let cases = [
        (format!("q={}", words.join("+")), "invalid_query", "32"),
        (format!("q={long}"), "invalid_query", "1000"),
        ("offset=10001".to_string(), "invalid_parameter", "offset"),
        (
            "offset=99999999999999999999999".into(),
            "invalid_parameter",
            "offset",
        ),
        ("limit=101".into(), "invalid_parameter", "limit"),
        ("limit=0".into(), "invalid_parameter", "limit"),
    ];
    for (query, code, says) in cases {
        let uri = format!("/api/v1/search?{query}");
        let (status, body) = holds(&c, get_request(&uri)).await.expect("holds");
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], code, "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{query}: {message}");
    }
    // At the limits, and with prefixes and a long phrase: an answer.
    let at_limit: Vec<String> = (0..32).map(|i| format!("w{i}")).collect();
    let prefixes: Vec<String> = (b'a'..=b'z')
        .map(|b| format!("{}*", char::from(b)))
        .collect();
    let phrase = format!("%22{}%22", vec!["encryption"; 80].join("+"));
    for query in [
        format!("q={}", at_limit.join("+")),
        format!("q={}", prefixes.join("+OR+")),
        format!("q={phrase}"),
        "q=e*".into(),
        "offset=10000".into(),
        "offset=10000&group=submission".into(),
        "offset=10000&sort=submitter".into(),
    ] {
        let uri = format!("/api/v1/search?{query}");
        let (status, body) = holds(&c, get_request(&uri)).await.expect("holds");
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
    }
}

#[tokio::test]
async fn oversized_targets_and_headers_get_414_and_431_with_the_error_body() {
    let c = corpus();
    let long = format!(
        "/api/v1/search?q=a&category={}",
        "x".repeat(cfi_server::MAX_URI_BYTES)
    );
    let (status, body) = holds(&c, get_request(&long)).await.expect("holds");
    assert_eq!(status, StatusCode::URI_TOO_LONG, "{body}");
    assert_eq!(body["error"]["code"], "too_large");

    let mut many = Request::get("/api/v1/search?q=encryption");
    for i in 0..100 {
        many = many.header(format!("x-filler-{i}"), "1");
    }
    let (status, body) = holds(&c, many.body(Body::empty()).expect("request"))
        .await
        .expect("holds");
    assert_eq!(
        status,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "{body}"
    );

    let big = Request::get("/api/v1/search?q=encryption")
        .header("x-filler", "y".repeat(20 * 1024))
        .body(Body::empty())
        .expect("request");
    let (status, body) = holds(&c, big).await.expect("holds");
    assert_eq!(
        status,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "{body}"
    );
    assert_eq!(body["error"]["code"], "too_large");

    // Within the limits: an ordinary browser's headers.
    let ordinary = Request::get("/api/v1/search?q=encryption")
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        )
        .header("accept", "application/json")
        .header("accept-language", "en-GB,en;q=0.8,es;q=0.5,fr;q=0.3")
        .header("cookie", "a=".to_string() + &"c".repeat(4000))
        .body(Body::empty())
        .expect("request");
    let (status, _) = holds(&c, ordinary).await.expect("holds");
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn errors_made_below_the_handlers_use_the_error_body() {
    let c = corpus();
    let delete = Request::delete("/api/v1/search")
        .body(Body::empty())
        .expect("request");
    let (status, body) = holds(&c, delete).await.expect("holds");
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(body["error"]["code"], "method_not_allowed");

    let huge = Request::post("/api/v1/search")
        .header("content-type", "application/json")
        .body(Body::from(format!(
            "{{\"q\": \"{}\"}}",
            "a".repeat(100_000)
        )))
        .expect("request");
    let (status, body) = holds(&c, huge).await.expect("holds");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "too_large");

    let beyond = Request::get("/api/v1/submissions/spain/file")
        .header("range", "bytes=100000-200000")
        .body(Body::empty())
        .expect("request");
    let response = c.app.clone().oneshot(beyond).await.expect("response");
    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert!(response.headers().contains_key("content-range"));
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(body["error"]["code"], "invalid_range");

    for uri in ["/api/v1/submissions/%FF%FE", "/api/v1/facets/%C3%28"] {
        let (status, body) = holds(&c, get_request(uri)).await.expect("holds");
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
}

#[tokio::test]
async fn path_parameters_never_reach_files_outside_the_call() {
    let c = corpus();
    // Things a traversal would find: a file beside the index, the index's own files.
    std::fs::write(c.dir.path().join("secret.txt"), "TOP SECRET").expect("write");
    let secret = c.dir.path().join("secret.txt").display().to_string();
    let uris = [
        "/api/v1/submissions/..%2F..%2F..%2F..%2Fetc%2Fpasswd/file".to_string(),
        "/api/v1/submissions/..%2Fsecret.txt/file".into(),
        "/api/v1/submissions/..%2F..%2Fsecret.txt".into(),
        format!("/api/v1/submissions/{}/file", encode(secret.as_bytes())),
        "/api/v1/submissions/%2Fetc%2Fpasswd/file".into(),
        "/api/v1/submissions/spain%00/file".into(),
        "/api/v1/submissions/spain%00..%2F..%2Fsecret.txt/file".into(),
        "/api/v1/submissions/%00/file".into(),
        "/api/v1/submissions/spain/file/..%2F..%2Fsecret.txt".into(),
        "/api/v1/submissions/spain/..%2F..%2Fsecret.txt".into(),
        "/api/v1/submissions/./file".into(),
        "/api/v1/facets/..%2F..%2Fsecret.txt".into(),
        "/api/v1/facets/%2Fetc%2Fpasswd".into(),
        "/api/v1/facets/meta.json".into(),
        "/api/v1/facets/category%00".into(),
        "/api/v1/passages/..%2Fmeta.json".into(),
        "/api/v1/passages/%2Fetc%2Fpasswd/similar".into(),
        "/api/v1/calls/..%2F..".into(),
        "/assets/..%2F..%2Fsecret.txt".into(),
        "/assets/../secret.txt".into(),
        "/assets/".into(),
        "/assets".into(),
        "/files/".into(),
        "/api/v1/".into(),
        "/secret.txt".into(),
        "/meta.json".into(),
        "//etc/passwd".into(),
    ];
    for uri in &uris {
        let Ok(request) = Request::get(uri.as_str()).body(Body::empty()) else {
            continue;
        };
        let (status, body) = holds(&c, request).await.expect("holds");
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{uri}: {status} {body}"
        );
    }
    // And the one file that may be served still is.
    let (status, _) = holds(&c, get_request("/api/v1/submissions/spain/file"))
        .await
        .expect("holds");
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn problems_name_the_file_as_the_manifest_does() {
    let c = corpus();
    for uri in ["/api/v1/submissions/spain", "/api/v1/submissions?call=demo"] {
        let (status, body) = holds(&c, get_request(uri)).await.expect("holds");
        assert_eq!(status, StatusCode::OK, "{body}");
        let text = body.to_string();
        assert!(text.contains("files/spain.pdf: needs OCR"), "{uri}: {text}");
    }
}

/// No place for index work: a search waits out its budget and gets the usual 503, and the
/// lookups that need no search still answer.
#[tokio::test]
async fn index_work_has_a_bounded_number_of_places() {
    let c = corpus_with(|s| {
        s.with_max_index_work(0)
            .with_request_timeout(std::time::Duration::from_millis(50))
    });
    for uri in ["/api/v1/search?q=encryption", "/api/v1/export?format=csv"] {
        let (status, body) = holds(&c, get_request(uri)).await.expect("holds");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}: {body}");
        assert_eq!(body["error"]["code"], "unavailable");
    }
    let (status, _) = holds(&c, get_request("/api/v1/submissions/spain"))
        .await
        .expect("holds");
    assert_eq!(status, StatusCode::OK);
}

const ROUTES_TAKING_QUERIES: [&str; 5] = [
    "/api/v1/search",
    "/api/v1/matrix",
    "/api/v1/facets/country",
    "/api/v1/export",
    "/api/v1/submissions",
];

/// What a stranger may put after the `?`.
fn query_strings() -> impl Strategy<Value = String> {
    let names = prop::sample::select(
        search_parameter_names()
            .into_iter()
            .chain(["format", "bogus", "", "q[]"])
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        // A query of any characters, encoded as a browser would.
        any::<String>().prop_map(|q| format!("q={}", encode(q.as_bytes()))),
        // Any bytes, encoded: invalid UTF-8, NULs, control characters.
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| format!("q={}", encode(&b))),
        // Raw printable text: stray `%`, `&`, `=`, `+`, quotes.
        // (what a URI cannot hold raw is encoded, `%` itself is not).
        "[ -~]{0,300}".prop_map(|s| {
            s.chars()
                .map(|c| match c {
                    ' ' | '"' | '#' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => {
                        format!("%{:02X}", u32::from(c))
                    }
                    c => c.to_string(),
                })
                .collect::<String>()
        }),
        // Known and unknown parameters with any values.
        prop::collection::vec((names, any::<String>()), 0..6).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| format!("{k}={}", encode(v.as_bytes())))
                .collect::<Vec<_>>()
                .join("&")
        }),
        // Query-language text, where the parser's corners are.
        "[a-z\"*():\\- ]{0,80}|(OR |-|\"|[a-z]+\\*|question:[0-9a-z]* |lang:[a-z]* ){0,40}"
            .prop_map(|q| format!("q={}", encode(q.as_bytes()))),
    ]
}

fn search_parameter_names() -> Vec<&'static str> {
    vec![
        "q",
        "question",
        "call",
        "category",
        "country",
        "mentioned",
        "lang",
        "kind",
        "submitter",
        "offset",
        "limit",
        "facets",
        "highlight",
        "group",
        "sort",
    ]
}

#[test]
fn random_query_strings_never_get_a_5xx_other_than_503() {
    let c = corpus();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let strategy = (
        prop::sample::select(ROUTES_TAKING_QUERIES.to_vec()),
        query_strings(),
    );
    runner
        .run(&strategy, |(route, query)| {
            let uri = format!("{route}?{query}");
            // What no HTTP server would pass on (hyper refuses it before any route).
            let Ok(request) = Request::get(uri.as_str()).body(Body::empty()) else {
                return Ok(());
            };
            runtime
                .block_on(holds(&c, request))
                .map_err(TestCaseError::fail)?;
            Ok(())
        })
        .expect("every random query string answered without a 5xx");
    // The same over POST: any JSON object of strings.
    let bodies = prop::collection::btree_map(
        prop::sample::select(search_parameter_names()),
        any::<String>(),
        0..6,
    );
    runner
        .run(&bodies, |pairs| {
            let request = Request::post("/api/v1/search")
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&pairs).expect("json")))
                .expect("request");
            runtime
                .block_on(holds(&c, request))
                .map_err(TestCaseError::fail)?;
            Ok(())
        })
        .expect("every random body answered without a 5xx");
}

#[cfg(unix)]
/// Adds submissions whose files are an HTML page and a link out of the call folder to the
/// corpus's index, and serves it again.
fn with_untrusted_files(c: &Corpus) -> (axum::Router, tempfile::TempDir) {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.pdf"), "TOP SECRET").expect("write");
    let files = c.dir.path().join("files");
    std::fs::write(
        files.join("page.html"),
        "<html><script src=\"/api/v1/submissions/x/file\"></script></html>",
    )
    .expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret.pdf"), files.join("link.pdf"))
        .expect("symlink");
    let index = open_index(c.dir.path());
    let mut batch = index.batch().expect("batch");
    for (id, file) in [("page", "files/page.html"), ("link", "files/link.pdf")] {
        let info = SubmissionInfo {
            submission: Submission {
                id: id.into(),
                call: "demo".into(),
                submitter: format!("{id} submitter"),
                category: "CSOs".into(),
                country: None,
                kind: Kind::Input,
                annex_of: None,
                version_of: None,
                file: file.into(),
                language: Some("en".into()),
                confidential: false,
                received: None,
            },
            path: c.dir.path().join(file),
            pages: None,
            passages: 0,
            languages: vec![],
            problems: vec![],
        };
        batch.put_submission(info, &[]).expect("put");
    }
    batch.commit().expect("commit");
    (cfi_server::app(cfi_server::AppState::new(index)), outside)
}

#[cfg(unix)]
#[tokio::test]
async fn submitted_files_never_run_in_the_page_nor_lead_out_of_the_call() {
    let c = corpus();
    let (app, _outside) = with_untrusted_files(&c);
    let response = app
        .clone()
        .oneshot(get_request("/api/v1/submissions/page/file"))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    let served = Corpus {
        dir: tempfile::tempdir().expect("tempdir"),
        app,
    };
    let (status, body) = holds(&served, get_request("/api/v1/submissions/link/file"))
        .await
        .expect("holds");
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // A PDF inside the call folder still opens in place.
    let response = served
        .app
        .clone()
        .oneshot(get_request("/api/v1/submissions/spain/file"))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("inline")
    );
}

#[tokio::test]
async fn security_headers_are_on_every_answer() {
    let c = corpus();
    let requests = [
        get_request("/"),
        get_request("/assets/app.js"),
        get_request("/api/v1/search?q=encryption"),
        get_request("/api/v1/search?question=x"),
        get_request("/api/v1/nothing"),
        get_request("/api/v1/submissions/spain/file"),
        get_request("/api/v1/export?format=csv"),
        Request::delete("/api/v1/search")
            .body(Body::empty())
            .expect("request"),
        Request::get(format!(
            "/api/v1/search?q={}",
            "a".repeat(cfi_server::MAX_URI_BYTES)
        ))
        .body(Body::empty())
        .expect("request"),
    ];
    for request in requests {
        let uri = request.uri().to_string();
        let response = c.app.clone().oneshot(request).await.expect("response");
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline")
                && !csp.contains("unsafe-eval"),
            "{uri}: {csp:?}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{uri}");
        assert!(headers.get("server").is_none(), "{uri}");
    }
}
