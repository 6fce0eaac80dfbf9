//! Exports: every passage a search covers, one flat row each, as CSV, an Excel workbook or
//! JSON Lines. `cfi export` writes the same rows ([`ExportRow`], [`EXPORT_COLUMNS`]), so a
//! spreadsheet made either way has the same columns. `format=matrix` answers the framework
//! matrix instead (`matrix_export.rs`).

use std::io::Write;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use cfi_index::{Catalog, PassageRecord, SearchRequest};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Access;
use crate::matrix_export::{MatrixError, framework_matrix};
use crate::model::{ErrorBody, QuestionTagBody, citation};
use crate::params::{ExportFormat, ExportParams, Query};
use crate::{ApiError, AppState};

/// The columns of an export, in order: the JSON names of [`ExportRow`]'s fields.
pub const EXPORT_COLUMNS: [&str; 18] = [
    "passageId",
    "submissionId",
    "call",
    "submitter",
    "category",
    "country",
    "kind",
    "file",
    "page",
    "paragraph",
    "language",
    "questions",
    "mentionedCountries",
    "citation",
    "permalink",
    "confidential",
    "heading",
    "text",
];

/// One exported passage, flat, as spreadsheets and scripts want it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportRow {
    /// Stable passage id.
    pub passage_id: String,
    /// The submission file it comes from.
    pub submission_id: String,
    /// Call id.
    pub call: String,
    /// Who sent it.
    pub submitter: String,
    /// Stakeholder category; empty for a file awaiting review.
    pub category: String,
    /// The submitter's country.
    pub country: Option<String>,
    /// `input` or `annex`.
    pub kind: String,
    /// The file as the manifest names it.
    pub file: String,
    /// The file's pages, `4` or `3–4` ([`cfi_core::citation::page_range`]), or empty for
    /// formats without pages.
    pub page: String,
    /// Paragraph number of its first block.
    pub paragraph: u32,
    /// ISO 639-1.
    pub language: Option<String>,
    /// Guiding questions it answers (in CSV: `7 (heading 1.00); 2 (classifier 0.41)`).
    pub questions: Vec<QuestionTagBody>,
    /// Countries it talks about (in CSV: `;`-separated).
    pub mentioned_countries: Vec<String>,
    /// The citation, ready to paste:
    /// `Submitter, submission to the call for input ("Title"), 2024, pp. 3–4.`
    pub citation: String,
    /// Stable link to this passage on the staff page.
    pub permalink: String,
    /// Whether the submission was sent in confidence (only staff exports hold these).
    pub confidential: bool,
    /// The heading it sits under (a heading naming a question is also the first line of
    /// the text; a topical heading is not).
    pub heading: Option<String>,
    /// The full text.
    pub text: String,
}

impl ExportRow {
    /// The row of one passage.
    pub fn new(record: &PassageRecord, catalog: &Catalog) -> ExportRow {
        let (p, s) = (&record.passage, &record.submission);
        ExportRow {
            passage_id: p.id.clone(),
            submission_id: s.id.clone(),
            call: s.call.clone(),
            submitter: s.submitter.clone(),
            category: s.category.clone(),
            country: s.country.clone(),
            kind: s.kind.as_str().to_string(),
            file: s.file.clone(),
            page: p
                .page
                .map(|first| cfi_core::citation::page_range(first, p.page_end))
                .unwrap_or_default(),
            paragraph: p.paragraph,
            language: p.language.clone(),
            questions: p.questions.iter().map(QuestionTagBody::from).collect(),
            mentioned_countries: p.mentioned_countries.clone(),
            citation: citation(record, catalog),
            permalink: format!("/?view=passage&id={}", p.id),
            confidential: s.confidential,
            heading: p.heading.clone(),
            text: p.text.clone(),
        }
    }

    /// The row's cells as text, in the order of [`EXPORT_COLUMNS`].
    pub fn cells(&self) -> [String; 18] {
        let questions: Vec<String> = self
            .questions
            .iter()
            .map(|q| format!("{} ({} {:.2})", q.number, q.source, q.confidence))
            .collect();
        [
            self.passage_id.clone(),
            self.submission_id.clone(),
            self.call.clone(),
            self.submitter.clone(),
            self.category.clone(),
            self.country.clone().unwrap_or_default(),
            self.kind.clone(),
            self.file.clone(),
            self.page.clone(),
            self.paragraph.to_string(),
            self.language.clone().unwrap_or_default(),
            questions.join("; "),
            self.mentioned_countries.join("; "),
            self.citation.clone(),
            self.permalink.clone(),
            self.confidential.to_string(),
            self.heading.clone().unwrap_or_default(),
            self.text.clone(),
        ]
    }

    /// Writes the row as one CSV record (quoted where needed, formulas defused, CRLF: see
    /// [`cfi_core::write_csv_row`]).
    pub fn write_csv(&self, out: &mut impl Write) -> std::io::Result<()> {
        cfi_core::write_csv_row(out, self.cells())
    }

    /// Writes the row as one line of JSON Lines.
    pub fn write_jsonl(&self, out: &mut impl Write) -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

/// Writes the CSV header record.
pub fn write_csv_header(out: &mut impl Write) -> std::io::Result<()> {
    cfi_core::write_csv_row(out, EXPORT_COLUMNS)
}

impl ExportFormat {
    fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx | ExportFormat::Matrix => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Jsonl => "application/x-ndjson",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "cfi-export.csv",
            ExportFormat::Xlsx => "cfi-export.xlsx",
            ExportFormat::Jsonl => "cfi-export.jsonl",
            ExportFormat::Matrix => "cfi-matrix.xlsx",
        }
    }
}

/// The answer to an export larger than one download may hold.
fn too_many(count: usize, max: usize) -> ApiError {
    ApiError::too_large(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the export would hold {count} passages, more than the {max} one download may: narrow the query, or run `cfi export` on the server"
        ),
    )
}

impl From<MatrixError> for ApiError {
    fn from(error: MatrixError) -> ApiError {
        match error {
            MatrixError::Index(error) => ApiError::from(error),
            MatrixError::TooManyPassages { count, max } => too_many(count, max),
            MatrixError::Workbook(error) => ApiError::internal(error),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/export", tag = "search",
    params(ExportParams),
    responses(
        (status = 200, description = "Every passage the search covers, one row each (the columns of `ExportRow`), as an attachment; with `format=matrix`, the framework matrix (a sheet per call, a row per submission grouped by stakeholder category, a column per guiding question)",
            content(
                (String = "text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (ExportRow = "application/x-ndjson"),
            )),
        (status = 400, description = "A parameter is unknown or out of range, or the query cannot be parsed", body = ErrorBody),
        (status = 413, description = "More passages than one download may hold: narrow the query, or run `cfi export`", body = ErrorBody),
    ))]
pub(crate) async fn export(
    State(state): State<AppState>,
    access: Access,
    Query(params): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let format = params.format.unwrap_or_default();
    let request = params.request(access.staff);
    let bytes = match format {
        ExportFormat::Matrix => matrix(&state, request).await?,
        ExportFormat::Csv | ExportFormat::Xlsx | ExportFormat::Jsonl => {
            rows(&state, request, format).await?
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", format.file_name()),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The framework matrix of the passages the search covers, within the same bound as the
/// flat exports.
async fn matrix(state: &AppState, request: SearchRequest) -> Result<Vec<u8>, ApiError> {
    let index = state.index().clone();
    let max = state.max_export_rows();
    state
        .blocking(move || Ok(framework_matrix(&index, &request, max)))
        .await?
        .map_err(ApiError::from)
}

/// Every passage the search covers, one row each, in a flat format.
async fn rows(
    state: &AppState,
    request: SearchRequest,
    format: ExportFormat,
) -> Result<Vec<u8>, ApiError> {
    let index = state.index().clone();
    let max = state.max_export_rows();
    let records = state
        .blocking(move || index.all_hits_up_to(&request, max))
        .await?
        .map_err(|count| too_many(count, max))?;
    let catalog = state.index().catalog();
    tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let rows = records.iter().map(|r| ExportRow::new(r, &catalog));
        match format {
            ExportFormat::Xlsx => xlsx(rows),
            ExportFormat::Jsonl => {
                let mut out = Vec::new();
                for row in rows {
                    row.write_jsonl(&mut out).map_err(ApiError::internal)?;
                }
                Ok(out)
            }
            // Answered by `matrix`, never here.
            ExportFormat::Matrix => Err(ApiError::internal("the matrix is not a flat export")),
            ExportFormat::Csv => {
                // The byte-order mark tells Excel the file is UTF-8.
                let mut out = "\u{feff}".as_bytes().to_vec();
                write_csv_header(&mut out).map_err(ApiError::internal)?;
                for row in rows {
                    row.write_csv(&mut out).map_err(ApiError::internal)?;
                }
                Ok(out)
            }
        }
    })
    .await
    .map_err(ApiError::internal)?
}

fn xlsx(rows: impl Iterator<Item = ExportRow>) -> Result<Vec<u8>, ApiError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in (0u16..).zip(EXPORT_COLUMNS) {
        sheet
            .write_string_with_format(0, c, name, &bold)
            .map_err(ApiError::internal)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (c, value) in (0u16..).zip(row.cells()) {
            sheet
                .write_string(r, c, value)
                .map_err(ApiError::internal)?;
        }
    }
    book.save_to_buffer().map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CSV and XLSX columns are the JSON Lines keys, in the same order.
    #[test]
    fn columns_are_the_row_fields_in_order() {
        let row = ExportRow {
            passage_id: "p".into(),
            submission_id: "s".into(),
            call: "c".into(),
            submitter: "=HYPERLINK(\"x\")".into(),
            category: "CSOs".into(),
            country: None,
            kind: "input".into(),
            file: "f.pdf".into(),
            page: "3–4".into(),
            paragraph: 2,
            language: Some("en".into()),
            questions: vec![],
            mentioned_countries: vec!["Chile".into(), "Peru".into()],
            citation: "S, p. 3.".into(),
            permalink: "/?view=passage&id=p".into(),
            confidential: false,
            heading: Some("Access".into()),
            text: "a, \"b\"".into(),
        };
        // Serialised in field order: each column's key comes after the one before.
        let json = serde_json::to_string(&row).expect("json");
        let at: Vec<Option<usize>> = EXPORT_COLUMNS
            .iter()
            .map(|c| json.find(&format!("\"{c}\":")))
            .collect();
        assert!(at.iter().all(Option::is_some), "{json}");
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");
        let fields = serde_json::to_value(&row).expect("json");
        assert_eq!(
            fields.as_object().map(|o| o.len()),
            Some(EXPORT_COLUMNS.len())
        );
        let mut csv = Vec::new();
        row.write_csv(&mut csv).expect("csv");
        let csv = String::from_utf8(csv).expect("utf-8");
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "defused: {csv}");
        assert!(
            csv.contains("Chile; Peru") && csv.ends_with("\"a, \"\"b\"\"\"\r\n"),
            "{csv}"
        );
        // A CSV reader gets the row's cells back, the formula kept as text.
        let mut header = Vec::new();
        write_csv_header(&mut header).expect("csv");
        assert_eq!(
            header,
            format!("{}\r\n", EXPORT_COLUMNS.join(",")).as_bytes()
        );
        let read: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_bytes())
            .records()
            .collect::<Result<_, _>>()
            .expect("csv");
        let mut cells = row.cells();
        cells[3] = format!("'{}", cells[3]);
        assert_eq!(read.len(), 1);
        assert!(read[0].iter().eq(cells.iter()), "{:?}", read[0]);
    }
}
