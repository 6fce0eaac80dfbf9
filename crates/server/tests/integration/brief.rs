//! The question brief over HTTP: every public submitter on the question named with a
//! citation, confidential ones only for staff, key quotes first, "no input" listed, and
//! the errors a mistyped question gets.

use super::*;

async fn get_text(app: &axum::Router, uri: &str, staff: bool) -> (StatusCode, String, String) {
    let mut request = Request::get(uri);
    if staff {
        request = request.header("authorization", format!("Bearer {STAFF}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        content_type,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn a_brief_cites_each_submitter_on_the_question_and_lists_the_others() {
    let corpus = corpus();
    let app = &corpus.app;
    let (status, content_type, md) = get_text(app, "/api/v1/brief?question=7", false).await;
    assert_eq!(status, StatusCode::OK, "{md}");
    assert!(content_type.starts_with("text/markdown"), "{content_type}");
    assert!(md.starts_with("# Question 7: AI and encryption"), "{md}");
    for submitter in ["spain submitter", "alliance submitter"] {
        assert!(
            md.contains(&format!("### {submitter}")),
            "{submitter} missing:\n{md}"
        );
        assert!(
            md.contains(&format!(
                "{submitter}, submission to the call for input (\"Children in the Digital Environment\"), 2024, p. 3."
            )),
            "no citation for {submitter}:\n{md}"
        );
    }
    // alliance2 answered question 2 only.
    let no_input = md
        .split("## No input on this question from:")
        .nth(1)
        .expect("section");
    assert!(no_input.contains("alliance submitter (CSOs)"), "{no_input}");
    // The confidential submission is nowhere without the token, also not as "no input".
    assert!(!md.contains("hidden") && !md.contains("Lighthouse"), "{md}");
    let (_, _, staff_md) = get_text(app, "/api/v1/brief?question=7", true).await;
    assert!(
        staff_md.contains("### hidden submitter, Norway (confidential)"),
        "{staff_md}"
    );

    // Every passage of it says so wherever it stands (its sections, key quotes, "may also").
    let (_, _, staff_json) = get_text(app, "/api/v1/brief?question=7&format=json", true).await;
    let staff_json: Value = serde_json::from_str(&staff_json).expect("json");
    fn passages<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(map) => {
                if map.contains_key("passageId") {
                    out.push(v);
                }
                map.values().for_each(|x| passages(x, out));
            }
            Value::Array(items) => items.iter().for_each(|x| passages(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    passages(&staff_json, &mut all);
    let hidden: Vec<&&Value> = all
        .iter()
        .filter(|p| p["submitter"] == "hidden submitter")
        .collect();
    assert!(!hidden.is_empty(), "{staff_json}");
    assert!(
        hidden.iter().all(|p| p["confidential"] == true),
        "{staff_json}"
    );
    assert!(
        all.iter()
            .filter(|p| p["submitter"] != "hidden submitter")
            .all(|p| p["confidential"] == false)
    );

    let (status, json) = get(app, "/api/v1/brief?question=7&format=json").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["counts"][0]["category"], "States");
    assert_eq!(json["counts"][0]["submissions"], 1);
    let (_, html_type, html) = get_text(app, "/api/v1/brief?question=7&format=html", false).await;
    assert!(html_type.starts_with("text/html"));
    assert!(html.contains("<h3>spain submitter, Spain</h3>"), "{html}");
    let (status, docx_type, _) = get_text(app, "/api/v1/brief?question=7&format=docx", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_type.contains("wordprocessingml"), "{docx_type}");
}

#[tokio::test]
async fn key_quotes_lead_the_brief() {
    let corpus = corpus();
    let app = &corpus.app;
    let request = Request::post("/api/v1/passages/spain-0/review")
        .header("authorization", format!("Bearer {STAFF}"))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"key": true}"#))
        .expect("request");
    let (status, json) = send(app, request).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (_, json) = get(app, "/api/v1/brief?question=7&format=json").await;
    assert_eq!(json["keyQuotes"][0]["passageId"], "spain-0", "{json}");
    let (_, _, md) = get_text(app, "/api/v1/brief?question=7", false).await;
    let key = md.find("## Key quotes").expect("key quotes");
    assert!(key < md.find("## States").expect("states"), "{md}");
}

#[tokio::test]
async fn a_question_the_call_does_not_ask_is_not_found_naming_its_questions() {
    let corpus = corpus();
    for uri in [
        "/api/v1/brief?question=0",
        "/api/v1/brief",
        "/api/v1/brief?question=7&format=pdf",
    ] {
        let (status, json) = get(&corpus.app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {json}");
    }
    for uri in [
        "/api/v1/brief?question=5",
        "/api/v1/brief?question=7&call=nope",
    ] {
        let (status, json) = get(&corpus.app, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {json}");
    }
    let (_, json) = get(&corpus.app, "/api/v1/brief?question=5").await;
    let message = json["error"]["message"].as_str().expect("message");
    assert!(message.contains("2, 7"), "{message}");
}

#[tokio::test]
async fn an_untagged_submission_that_reads_like_the_answers_is_offered_for_review() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = open_index(dir.path());
    let mut batch = index.batch().expect("batch");
    batch.put_call(
        cfi_core::Call::parse(
            std::path::Path::new("call.toml"),
            "id = \"demo\"\ntitle = \"T\"\nmandate = \"SR\"\nlanguages = [\"en\"]\ncategories = [\"CSOs\"]\n[[questions]]\nnumber = 7\nshort = \"Encryption\"\ntext.en = \"What about encryption?\"\n",
        )
        .expect("call"),
    );
    let encryption = "End-to-end encryption on messaging services hides the sharing of abuse material from the detection tools that providers run, and reports to hotlines fall.";
    let rows = [
        ("a", Some(7), encryption),
        (
            "b",
            Some(7),
            "Encryption on messaging services hides abuse material from detection tools, so providers send fewer reports to hotlines each year.",
        ),
        (
            "c",
            Some(7),
            "Detection tools that providers run cannot see material shared on messaging services with end-to-end encryption, and reports fall.",
        ),
        (
            "d",
            None,
            "Messaging services with end-to-end encryption hide abuse material from the detection tools providers run; reports to hotlines fall every year.",
        ),
        (
            "e",
            None,
            "Our youth panel met twelve times this year and wrote a charter on consultation with schools, parents and local councils.",
        ),
    ];
    for (id, question, text) in rows {
        let submission = Submission {
            id: id.into(),
            call: "demo".into(),
            submitter: format!("Submitter {id}"),
            category: "CSOs".into(),
            country: None,
            kind: Kind::Input,
            annex_of: None,
            version_of: None,
            file: format!("files/{id}.pdf"),
            language: Some("en".into()),
            confidential: false,
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
            language: Some("en".into()),
            mentioned_countries: vec![],
            duplicate_of: None,
            key: false,
            questions: question
                .map(|number| QuestionTag {
                    number,
                    source: TagSource::Classifier,
                    confidence: 0.8,
                })
                .into_iter()
                .collect(),
            opens_section: false,
        };
        let info = SubmissionInfo {
            submission,
            path: dir.path().join("x"),
            pages: Some(1),
            passages: 1,
            languages: vec!["en".into()],
            problems: vec![],
        };
        batch.put_submission(info, &[passage]).expect("put");
    }
    batch.commit().expect("commit");
    let app = cfi_server::app(cfi_server::AppState::new(index));
    let (status, json) = get(&app, "/api/v1/brief?question=7&format=json").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["possible"][0]["submitter"], "Submitter d", "{json}");
    assert_eq!(json["possible"][0]["source"], "untagged");
    let silent: Vec<&str> = json["noInput"]
        .as_array()
        .expect("no input")
        .iter()
        .filter_map(|n| n["submitter"].as_str())
        .collect();
    assert_eq!(silent, ["Submitter e"], "{json}");
    let (_, _, md) = get_text(&app, "/api/v1/brief?question=7", false).await;
    assert!(md.contains("## May also address this question"), "{md}");
}

#[tokio::test]
async fn a_call_larger_than_the_export_limit_still_gives_a_question_within_it() {
    let (_, q7) = get(&corpus().app, "/api/v1/search?question=7&semantic=0").await;
    let (_, stats) = get(&corpus().app, "/api/v1/stats").await;
    let within = q7["estimatedTotalHits"].as_u64().expect("hits") as usize;
    assert!(stats["passages"].as_u64().expect("passages") as usize > within);
    let c = corpus_with(|state| state.with_max_export_rows(within));
    let (status, json) = get(&c.app, "/api/v1/brief?question=7&format=json").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[tokio::test]
async fn a_brief_past_the_export_limit_is_refused_with_the_way_out() {
    let c = corpus_with(|state| state.with_max_export_rows(1));
    let (status, json) = get(&c.app, "/api/v1/brief?question=7").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cfi brief")),
        "{json}"
    );
}
