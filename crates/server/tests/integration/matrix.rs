//! The framework matrix (`/export?format=matrix`) as staff open it in a spreadsheet: read
//! back with calamine.

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use super::*;

const CALL: &str = "id = \"demo\"\ntitle = \"Children in the Digital Environment\"\nmandate = \"SR\"\nlanguages = [\"en\", \"es\"]\ncategories = [\"States\", \"CSOs\", \"Academia\"]\n[[questions]]\nnumber = 1\nshort = \"How technology facilitates abuse\"\ntext.en = \"How is technology used?\"\n[[questions]]\nnumber = 3\nshort = \"Gaps\"\ntext.en = \"What gaps remain?\"\n[[questions]]\nnumber = 7\nshort = \"AI and encryption\"\ntext.en = \"What about encryption?\"\n";

/// A public input from `submitter`, in English.
fn input(id: &str, submitter: &str, category: &str, country: Option<&str>) -> Submission {
    Submission {
        id: id.into(),
        call: "demo".into(),
        submitter: submitter.into(),
        category: category.into(),
        country: country.map(Into::into),
        kind: Kind::Input,
        annex_of: None,
        version_of: None,
        file: format!("files/{id}.pdf"),
        language: Some("en".into()),
        confidential: false,
        received: None,
    }
}

/// Chile (States) with an annex, Kenya (States) with a second version repeating its
/// passage, a CSO, a confidential academic, and a trade union (a category the call does not
/// list) whose passage answers no question.
fn files() -> [Submission; 7] {
    [
        input("chile", "Chile", "States", Some("Chile")),
        Submission {
            kind: Kind::Annex,
            annex_of: Some("chile".into()),
            ..input("chile-annex", "Chile", "States", Some("Chile"))
        },
        input("kenya", "Kenya", "States", Some("Kenya")),
        Submission {
            version_of: Some("kenya".into()),
            ..input("kenya-pdf", "Kenya", "States", Some("Kenya"))
        },
        input("alliance", "Child Safety Alliance", "CSOs", None),
        Submission {
            confidential: true,
            ..input("hidden", "Lighthouse Institute", "Academia", None)
        },
        input("union", "Teachers Union", "Trade unions", None),
    ]
}

/// A passage: (file, ordinal, page, questions, text, the passage it repeats).
type PassageRow = (
    &'static str,
    u32,
    u32,
    &'static [u32],
    &'static str,
    Option<&'static str>,
);

const PASSAGES: [PassageRow; 8] = [
    (
        "chile",
        1,
        4,
        &[1],
        "Children are groomed on gaming platforms. Offenders move to private chats within hours.",
        None,
    ),
    (
        "chile",
        2,
        6,
        &[3, 7],
        "Prosecutors lack training on electronic evidence.",
        None,
    ),
    (
        "chile-annex",
        1,
        2,
        &[1],
        "Reports of grooming doubled between 2021 and 2023.",
        None,
    ),
    (
        "kenya",
        1,
        3,
        &[7],
        "Encryption must not block the detection of abuse.",
        None,
    ),
    (
        "kenya-pdf",
        1,
        5,
        &[7],
        "Encryption must not block the detection of abuse.",
        Some("kenya-1"),
    ),
    (
        "alliance",
        1,
        9,
        &[7],
        "End-to-end encryption hides abuse material? Platforms say no.",
        None,
    ),
    (
        "hidden",
        1,
        2,
        &[1, 7],
        "The Lighthouse pilot scanned encrypted traffic.",
        None,
    ),
    ("union", 1, 1, &[], "Teachers ask for training.", None),
];

fn matrix_corpus(max_export_rows: usize) -> (tempfile::TempDir, axum::Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = open_index(dir.path());
    let mut batch = index.batch().expect("batch");
    batch.put_call(cfi_core::Call::parse(std::path::Path::new("call.toml"), CALL).expect("call"));
    for submission in files() {
        let id = submission.id.clone();
        let passages: Vec<Passage> = PASSAGES
            .iter()
            .filter(|p| p.0 == id)
            .map(|&(file, ordinal, page, questions, text, duplicate_of)| {
                // The fields the matrix does not read take their defaults.
                serde_json::from_value(serde_json::json!({
                    "id": format!("{file}-{ordinal}"),
                    "ordinal": ordinal,
                    "text": text,
                    "heading": null,
                    "page": page,
                    "pageEnd": null,
                    "pageLabel": null,
                    "paragraph": ordinal,
                    "language": "en",
                    "duplicateOf": duplicate_of,
                    "questions": questions
                        .iter()
                        .map(|n| serde_json::json!({"number": n, "source": "heading", "confidence": 1.0}))
                        .collect::<Vec<_>>(),
                }))
                .expect("passage")
            })
            .collect();
        let info = SubmissionInfo {
            submission,
            path: dir.path().join(format!("files/{id}.pdf")),
            pages: Some(9),
            passages: u32::try_from(passages.len()).expect("few"),
            languages: vec!["en".into()],
            problems: vec![],
        };
        batch.put_submission(info, &passages).expect("put");
    }
    batch.commit().expect("commit");
    let state = cfi_server::AppState::new(index)
        .with_staff_token(cfi_server::StaffToken::from_secret(STAFF))
        .with_max_export_rows(max_export_rows);
    (dir, cfi_server::app(state))
}

/// A sheet as text: its name and its rows of cells.
type Sheet = (String, Vec<Vec<String>>);

/// Asks for the matrix (as staff or not); the status, headers and workbook read back.
async fn matrix(
    app: &axum::Router,
    uri: &str,
    staff: bool,
) -> (StatusCode, axum::http::HeaderMap, Vec<Sheet>) {
    let mut request = Request::get(uri);
    if staff {
        request = request.header("authorization", format!("Bearer {STAFF}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    if status != StatusCode::OK {
        return (status, headers, Vec::new());
    }
    (status, headers, read_sheets(&bytes))
}

fn read_sheets(bytes: &[u8]) -> Vec<Sheet> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|row| row.iter().map(ToString::to_string).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

/// The row whose first cell is `first`.
fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c == first))
        .unwrap_or_else(|| panic!("no row {first:?} in {rows:?}"))
}

#[tokio::test]
async fn the_matrix_has_a_row_per_submission_under_its_category_and_a_column_per_question() {
    let (_dir, app) = matrix_corpus(1000);
    let (status, headers, sheets) = matrix(&app, "/api/v1/export?format=matrix", false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"cfi-matrix.xlsx\""
    );
    assert_eq!(sheets.len(), 1, "one sheet per call");
    let (name, rows) = &sheets[0];
    assert_eq!(name, "demo", "the sheet is named after the call");
    assert_eq!(
        rows[0],
        [
            "Submitter",
            "Country",
            "Language",
            "Q1 How technology facilitates abuse",
            "Q3 Gaps",
            "Q7 AI and encryption"
        ]
    );
    // Category header rows in the call's order, then a category the call does not list;
    // each submission once, an annex and a second version inside their submission's row.
    let first_column: Vec<&str> = rows.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(
        first_column,
        [
            "States",
            "Chile",
            "Kenya",
            "CSOs",
            "Child Safety Alliance",
            "Trade unions",
            "Teachers Union"
        ]
    );
    let chile = row(rows, "Chile");
    assert_eq!(chile[1], "Chile");
    assert_eq!(chile[2], "en");
    assert_eq!(
        chile[3],
        "Children are groomed on gaming platforms. (p. 4)\n\nReports of grooming doubled between 2021 and 2023. (p. 2)",
        "the first sentence of each passage, its page, the annex after the input"
    );
    assert_eq!(
        chile[4],
        "Prosecutors lack training on electronic evidence. (p. 6)"
    );
    assert_eq!(
        chile[5],
        "Prosecutors lack training on electronic evidence. (p. 6)"
    );
    let kenya = row(rows, "Kenya");
    assert_eq!(
        kenya[5], "Encryption must not block the detection of abuse. (p. 3)",
        "the second version's copy is folded into the first"
    );
    assert_eq!(kenya[3], "—", "an empty cell shows a dash");
    assert_eq!(
        row(rows, "Child Safety Alliance")[5],
        "End-to-end encryption hides abuse material? (p. 9)"
    );
    assert_eq!(
        &row(rows, "Teachers Union")[3..],
        ["—", "—", "—"],
        "a submission answering no question is a row of dashes"
    );
}

#[tokio::test]
async fn confidential_submissions_are_in_the_matrix_only_with_the_staff_token() {
    let (_dir, app) = matrix_corpus(1000);
    let (_, _, sheets) = matrix(&app, "/api/v1/export?format=matrix", false).await;
    let everything = format!("{sheets:?}");
    assert!(
        !everything.contains("Lighthouse") && !everything.contains("Academia"),
        "{everything}"
    );
    let (status, _, sheets) = matrix(&app, "/api/v1/export?format=matrix", true).await;
    assert_eq!(status, StatusCode::OK);
    let rows = &sheets[0].1;
    let first_column: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let academia = first_column.iter().position(|c| *c == "Academia");
    assert_eq!(
        academia.map(|at| first_column[at + 1]),
        Some("Lighthouse Institute"),
        "{first_column:?}"
    );
    let hidden = row(rows, "Lighthouse Institute");
    assert_eq!(
        hidden[3],
        "The Lighthouse pilot scanned encrypted traffic. (p. 2)"
    );
    // A wrong token is refused, never answered as anonymous.
    let request = Request::get("/api/v1/export?format=matrix")
        .header("authorization", "Bearer wrong")
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_matrix_takes_the_search_filters_and_the_export_bound() {
    let (_dir, app) = matrix_corpus(1000);
    let (_, _, sheets) = matrix(&app, "/api/v1/export?format=matrix&question=7", false).await;
    let rows = &sheets[0].1;
    assert_eq!(
        rows[0],
        ["Submitter", "Country", "Language", "Q7 AI and encryption"],
        "a question asked for is the only column"
    );
    assert!(
        !rows.iter().any(|r| r[0] == "Teachers Union"),
        "no passage on question 7: no row"
    );
    let (_, _, sheets) = matrix(&app, "/api/v1/export?format=matrix&q=grooming", false).await;
    let chile = row(&sheets[0].1, "Chile");
    assert_eq!(
        chile[4], "—",
        "the query applies to the passages: {chile:?}"
    );
    let (_, _, sheets) = matrix(&app, "/api/v1/export?format=matrix&category=csos", false).await;
    let first_column: Vec<&str> = sheets[0].1.iter().skip(1).map(|r| r[0].as_str()).collect();
    assert_eq!(first_column, ["CSOs", "Child Safety Alliance"]);

    let (_dir, app) = matrix_corpus(2);
    let (status, body) = get(&app, "/api/v1/export?format=matrix").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "too_large");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("6 passages") && message.contains("cfi export"),
        "the same answer as the other exports: {message}"
    );
    let (status, _) = get(&app, "/api/v1/export?format=matrix&question=3").await;
    assert_eq!(status, StatusCode::OK, "a narrower matrix fits");
}
