//! The framework matrix: what NVivo calls a framework matrix, cases × themes, here
//! submissions × guiding questions, as an Excel workbook staff turn into a report.
//!
//! One sheet per call. Rows are submissions (an annex or a later version counts as its
//! submission, as in the coverage matrix), grouped under a header row per stakeholder
//! category in the call's order; the columns are Submitter, Country, Language, then one per
//! guiding question. A cell holds, for every passage of that submission tagged with that
//! question, its first sentence and where it sits (`Children are groomed online. (p. 4)`),
//! passages apart by a blank line; an empty cell shows a grey dash. `cfi export --format
//! matrix` and `GET /api/v1/export?format=matrix` both write it through [`framework_matrix`].

use std::collections::{BTreeMap, BTreeSet, HashSet};

use cfi_core::citation::Place;
use cfi_core::{Call, Kind, Submission};
use cfi_index::{Catalog, PassageIndex, PassageRecord, SearchRequest};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

mod sentence;

use sentence::first_sentence;

/// Most characters (UTF-16 code units, as Excel counts them) a cell holds.
const MAX_CELL_CHARS: usize = 32_767;
/// What an empty cell shows, so that "nothing on this question" is seen, not guessed.
const EMPTY_CELL: &str = "—";
/// The group of files the call page does not list yet (no category), as the staff page
/// names it.
const AWAITING_REVIEW: &str = "Awaiting review";
/// Room kept at the end of a full cell for the note saying how many passages did not fit.
const NOTE_ROOM: usize = 40;
/// Longest sheet name Excel takes.
const MAX_SHEET_NAME: usize = 31;
/// The columns before the guiding questions.
const CASE_COLUMNS: [(&str, f64); 3] = [("Submitter", 30.0), ("Country", 14.0), ("Language", 10.0)];
/// Width of a guiding question's column, in characters.
const QUESTION_WIDTH: f64 = 55.0;
/// Height of a line of text in the default font (Calibri 11), in points.
const LINE_HEIGHT: f64 = 15.0;
/// Tallest row Excel takes, in points.
const MAX_ROW_HEIGHT: f64 = 409.0;

/// Why the matrix could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// The search failed (a query that cannot be parsed, an unreadable index).
    #[error(transparent)]
    Index(#[from] cfi_index::Error),
    /// The search covers more passages than the caller allows in one export.
    #[error("the matrix would hold {count} passages, more than the {max} one export may")]
    TooManyPassages {
        /// Passages the search covers.
        count: usize,
        /// Most passages allowed.
        max: usize,
    },
    /// The workbook could not be written.
    #[error("cannot write the matrix workbook: {0}")]
    Workbook(#[from] XlsxError),
}

/// The framework matrix of the passages `request` covers (its filters and its
/// `include_confidential`, as a search applies them), as the bytes of an `.xlsx` file; at
/// most `max_passages` passages, else [`MatrixError::TooManyPassages`].
///
/// A row is a submission with at least one passage the search covers. When the request
/// names a guiding question, the sheet has that question's column only.
pub fn framework_matrix(
    index: &PassageIndex,
    request: &SearchRequest,
    max_passages: usize,
) -> Result<Vec<u8>, MatrixError> {
    let records = index
        .all_hits_up_to(request, max_passages)?
        .map_err(|count| MatrixError::TooManyPassages {
            count,
            max: max_passages,
        })?;
    let catalog = index.catalog();
    Ok(workbook(&records, &catalog, request)?)
}

/// One sheet's content: a call, its question columns and its rows by category.
struct Sheet<'a> {
    call_id: &'a str,
    questions: Vec<(u32, String)>,
    groups: Vec<Group>,
}

/// A stakeholder category's rows, under a header row with its label.
struct Group {
    label: String,
    rows: Vec<Row>,
}

/// Where a category's rows come among the others: see [`category_order`].
type CategoryOrder = (u8, usize, String);

/// One submission's row.
struct Row {
    submitter: String,
    country: String,
    languages: String,
    /// Per question number, a piece of text per passage.
    cells: BTreeMap<u32, Vec<String>>,
}

/// The workbook of `records` (all the passages the search covers, in index order).
fn workbook(
    records: &[PassageRecord],
    catalog: &Catalog,
    request: &SearchRequest,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let formats = Formats::new();
    let mut taken = HashSet::new();
    for sheet in sheets(records, catalog, request) {
        let worksheet = book.add_worksheet();
        worksheet.set_name(sheet_name(sheet.call_id, &mut taken))?;
        write_sheet(worksheet, &sheet, &formats)?;
    }
    if book.worksheets().is_empty() {
        // No call at all: a workbook still has a sheet, with the header row.
        let worksheet = book.add_worksheet();
        let empty = Sheet {
            call_id: "",
            questions: Vec::new(),
            groups: Vec::new(),
        };
        write_sheet(worksheet, &empty, &formats)?;
    }
    book.save_to_buffer()
}

/// The sheets: the catalog's calls (only the one the request names, if it names one), in
/// its order, then any call the passages name that the catalog does not.
fn sheets<'a>(
    records: &'a [PassageRecord],
    catalog: &'a Catalog,
    request: &SearchRequest,
) -> Vec<Sheet<'a>> {
    let mut by_call: BTreeMap<&str, Vec<&PassageRecord>> = BTreeMap::new();
    for record in records {
        by_call
            .entry(record.submission.call.as_str())
            .or_default()
            .push(record);
    }
    let wanted = request.call.as_deref().map(str::trim);
    let mut sheets: Vec<Sheet<'a>> = catalog
        .calls
        .iter()
        .filter(|call| wanted.is_none_or(|w| w == call.id))
        .map(|call| {
            let records = by_call.remove(call.id.as_str()).unwrap_or_default();
            sheet(&call.id, Some(call), &records, catalog, request)
        })
        .collect();
    for (call_id, records) in by_call {
        sheets.push(sheet(call_id, None, &records, catalog, request));
    }
    sheets
}

/// One call's sheet from its passages.
fn sheet<'a>(
    call_id: &'a str,
    call: Option<&Call>,
    records: &[&PassageRecord],
    catalog: &Catalog,
    request: &SearchRequest,
) -> Sheet<'a> {
    let questions: Vec<(u32, String)> = call
        .map(|c| c.questions.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|q| request.question.is_none_or(|n| n == q.number))
        .map(|q| (q.number, question_header(q.number, &q.short)))
        .collect();
    let columns: BTreeSet<u32> = questions.iter().map(|(n, _)| *n).collect();
    // A later version's copy of a passage shown here is folded into it.
    let shown: HashSet<&str> = records.iter().map(|r| r.passage.id.as_str()).collect();
    let mut by_submission: BTreeMap<&str, Vec<&PassageRecord>> = BTreeMap::new();
    for record in records {
        by_submission
            .entry(record.submission.key())
            .or_default()
            .push(record);
    }
    let mut groups: BTreeMap<CategoryOrder, Group> = BTreeMap::new();
    for (key, files) in by_submission {
        let Some((category, row)) = row(key, files, call, &columns, &shown, catalog, request)
        else {
            continue;
        };
        let (order, label) = category;
        groups
            .entry(order)
            .or_insert_with(|| Group {
                label,
                rows: Vec::new(),
            })
            .rows
            .push(row);
    }
    let groups = groups
        .into_values()
        .map(|mut group| {
            group
                .rows
                .sort_by_cached_key(|r| r.submitter.to_lowercase());
            group
        })
        .collect();
    Sheet {
        call_id,
        questions,
        groups,
    }
}

/// One submission's row from the passages of its files, with the category it goes under.
fn row(
    key: &str,
    mut files: Vec<&PassageRecord>,
    call: Option<&Call>,
    columns: &BTreeSet<u32>,
    shown: &HashSet<&str>,
    catalog: &Catalog,
    request: &SearchRequest,
) -> Option<((CategoryOrder, String), Row)> {
    files.sort_by_key(|r| {
        (
            file_rank(&r.submission),
            &r.submission.id,
            r.passage.ordinal,
        )
    });
    let lead = lead_submission(key, files.first()?, catalog, request.include_confidential);
    let row = Row {
        submitter: lead.submitter.clone(),
        country: lead.country.clone().unwrap_or_default(),
        languages: languages(key, &files, catalog, request.include_confidential),
        cells: cells(&files, columns, shown),
    };
    Some((category_order(&lead.category, call), row))
}

/// A question's column header: `Q3 Gaps in implementation`.
fn question_header(number: u32, short: &str) -> String {
    match short.trim() {
        "" => format!("Q{number}"),
        short => format!("Q{number} {short}"),
    }
}

/// Where a file's passages come in its submission's cells: the submission's own file,
/// then its later versions, then its annexes.
fn file_rank(submission: &Submission) -> u8 {
    match (submission.kind, submission.key() == submission.id) {
        (Kind::Input, true) => 0,
        (Kind::Input, false) => 1,
        (Kind::Annex, _) => 2,
    }
}

/// Whose name, country and category the row shows: the submission's own file as the
/// catalog has it when the caller may see it, else the first file its passages come from.
fn lead_submission<'a>(
    key: &str,
    first: &'a PassageRecord,
    catalog: &'a Catalog,
    include_confidential: bool,
) -> &'a Submission {
    catalog
        .submissions
        .iter()
        .map(|info| &info.submission)
        .find(|s| s.call == first.submission.call && s.id == key)
        .filter(|s| include_confidential || !s.confidential)
        .unwrap_or(&first.submission)
}

/// The languages of the submission's own files (itself and its later versions, not its
/// annexes) as the catalog has them: declared, else read off the passages at ingest; the
/// languages of the passages shown when the catalog has none.
fn languages(
    key: &str,
    files: &[&PassageRecord],
    catalog: &Catalog,
    include_confidential: bool,
) -> String {
    let Some(call) = files.first().map(|r| r.submission.call.as_str()) else {
        return String::new();
    };
    let mut found: Vec<&str> = catalog
        .submissions
        .iter()
        .filter(|info| {
            let s = &info.submission;
            s.call == call
                && s.key() == key
                && s.kind == Kind::Input
                && (include_confidential || !s.confidential)
        })
        .flat_map(|info| match &info.submission.language {
            Some(declared) => vec![declared.as_str()],
            None => info.languages.iter().map(String::as_str).collect(),
        })
        .collect();
    if found.is_empty() {
        found = files
            .iter()
            .filter_map(|r| r.passage.language.as_deref())
            .collect();
    }
    let mut distinct: Vec<&str> = Vec::new();
    for language in found {
        if !language.is_empty() && !distinct.contains(&language) {
            distinct.push(language);
        }
    }
    distinct.join(", ")
}

/// Each question column's pieces: the first sentence and place of every passage tagged
/// with it, a later version's copy of a shown passage left out.
fn cells(
    files: &[&PassageRecord],
    columns: &BTreeSet<u32>,
    shown: &HashSet<&str>,
) -> BTreeMap<u32, Vec<String>> {
    let mut cells: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for record in files {
        let p = &record.passage;
        if p.duplicate_of.as_deref().is_some_and(|d| shown.contains(d)) {
            continue;
        }
        let numbers: BTreeSet<u32> = p.questions.iter().map(|q| q.number).collect();
        for number in numbers.intersection(columns) {
            let piece = format!(
                "{} ({})",
                first_sentence(&p.text, p.heading.as_deref()),
                Place::of(p)
            );
            cells.entry(*number).or_default().push(piece);
        }
    }
    cells
}

/// Where a category's rows come, and the label of its header row: the call's categories
/// in its order, then others A to Z (without regard to case), then the files awaiting
/// review.
fn category_order(category: &str, call: Option<&Call>) -> (CategoryOrder, String) {
    let category = category.trim();
    if category.is_empty() {
        return ((2, 0, String::new()), AWAITING_REVIEW.to_string());
    }
    let listed = call.and_then(|c| {
        c.categories
            .iter()
            .enumerate()
            .find(|(_, known)| known.eq_ignore_ascii_case(category))
    });
    match listed {
        Some((at, name)) => ((0, at, String::new()), name.clone()),
        None => ((1, 0, category.to_lowercase()), category.to_string()),
    }
}

/// The pieces of one cell, a blank line apart, within Excel's [`MAX_CELL_CHARS`]: when they
/// do not all fit, as many as fit and `… and N more passages`.
fn cell_text(pieces: &[String]) -> String {
    let all = pieces.join("\n\n");
    if utf16_len(&all) <= MAX_CELL_CHARS {
        return all;
    }
    let mut text = String::new();
    let mut kept = 0;
    for piece in pieces {
        let separator = if text.is_empty() { "" } else { "\n\n" };
        if utf16_len(&text) + utf16_len(separator) + utf16_len(piece) > MAX_CELL_CHARS - NOTE_ROOM {
            break;
        }
        text.push_str(separator);
        text.push_str(piece);
        kept += 1;
    }
    let more = pieces.len() - kept;
    let noun = if more == 1 { "passage" } else { "passages" };
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&format!("… and {more} more {noun}"));
    text
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// A sheet name Excel takes for a call id, unlike any name already `taken`: its forbidden
/// characters replaced, at most 31 characters, no apostrophe at either end.
fn sheet_name(call_id: &str, taken: &mut HashSet<String>) -> String {
    let clean: String = call_id
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let clean = clean.trim().trim_matches('\'');
    let base = if clean.is_empty() { "call" } else { clean };
    for n in 1usize.. {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" ({n})")
        };
        let room = MAX_SHEET_NAME - suffix.len();
        let mut name = String::new();
        for c in base.chars() {
            if utf16_len(&name) + c.len_utf16() > room {
                break;
            }
            name.push(c);
        }
        let name = format!("{}{suffix}", name.trim_end_matches('\''));
        // Excel compares sheet names without regard to case.
        if taken.insert(name.to_lowercase()) {
            return name;
        }
    }
    base.to_string()
}

/// The formats a sheet uses.
struct Formats {
    header: Format,
    category: Format,
    text: Format,
    empty: Format,
}

impl Formats {
    fn new() -> Formats {
        let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        Formats {
            header: text
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border_bottom(FormatBorder::Thin),
            category: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xEDEDED))
                .set_align(FormatAlign::Top),
            empty: text.clone().set_font_color(Color::RGB(0xA6A6A6)),
            text,
        }
    }
}

/// Writes one sheet: the header row, then each category's header row and its rows.
fn write_sheet(
    worksheet: &mut Worksheet,
    sheet: &Sheet,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let widths: Vec<f64> = CASE_COLUMNS
        .iter()
        .map(|(_, chars)| *chars)
        .chain(sheet.questions.iter().map(|_| QUESTION_WIDTH))
        .collect();
    for (column, chars) in (0u16..).zip(&widths) {
        worksheet.set_column_width(column, *chars)?;
    }
    let headers: Vec<String> = CASE_COLUMNS
        .iter()
        .map(|(name, _)| name.to_string())
        .chain(sheet.questions.iter().map(|(_, header)| header.clone()))
        .collect();
    write_cells(worksheet, 0, &headers, &widths, |_, _| &formats.header)?;
    let mut row = 1u32;
    for Group { label, rows } in &sheet.groups {
        worksheet.write_string_with_format(row, 0, label, &formats.category)?;
        for column in (1u16..).take(widths.len().saturating_sub(1)) {
            worksheet.write_blank(row, column, &formats.category)?;
        }
        row += 1;
        for submission in rows {
            let cells = row_cells(submission, &sheet.questions);
            write_cells(worksheet, row, &cells, &widths, |column, text| {
                if column >= CASE_COLUMNS.len() && text == EMPTY_CELL {
                    &formats.empty
                } else {
                    &formats.text
                }
            })?;
            row += 1;
        }
    }
    worksheet.set_freeze_panes(1, 1)?;
    // Printed (or turned into PDF): across an A4 page at 60%, which holds the submitters
    // and two questions, the header row and the submitters on every page.
    worksheet.set_landscape();
    worksheet.set_paper_size(9);
    worksheet.set_print_scale(60);
    worksheet.set_repeat_rows(0, 0)?;
    worksheet.set_repeat_columns(0, 0)?;
    Ok(())
}

/// A submission's cells, in the order of the columns.
fn row_cells(submission: &Row, questions: &[(u32, String)]) -> Vec<String> {
    let case = [
        submission.submitter.clone(),
        submission.country.clone(),
        submission.languages.clone(),
    ];
    let answers = questions
        .iter()
        .map(|(number, _)| match submission.cells.get(number) {
            Some(pieces) => cell_text(pieces),
            None => EMPTY_CELL.to_string(),
        });
    case.into_iter().chain(answers).collect()
}

/// Writes one row's cells, each in the format `format` gives its column and text, and makes the row
/// tall enough for its longest cell: spreadsheets do not all fit wrapped text on opening
/// a file (LibreOffice does not), so the height is set.
fn write_cells<'f>(
    worksheet: &mut Worksheet,
    row: u32,
    cells: &[String],
    widths: &[f64],
    format: impl Fn(usize, &str) -> &'f Format,
) -> Result<(), XlsxError> {
    for ((column, text), at) in (0u16..).zip(cells).zip(0usize..) {
        worksheet.write_string_with_format(row, column, text, format(at, text))?;
    }
    let lines = cells
        .iter()
        .zip(widths)
        .map(|(text, chars)| wrapped_lines(text, *chars))
        .max()
        .unwrap_or(1);
    worksheet.set_row_height(row, (lines as f64 * LINE_HEIGHT).min(MAX_ROW_HEIGHT))?;
    Ok(())
}

/// Lines a text takes wrapped in a column `chars` wide (a character of prose is narrower
/// than the digit a column's width counts, so this errs on the tall side).
fn wrapped_lines(text: &str, chars: f64) -> usize {
    let per_line = (chars.max(1.0)) as usize;
    text.split('\n')
        .map(|line| line.chars().count().div_ceil(per_line).max(1))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cell_says_how_many_passages_did_not_fit() {
        let piece = format!("{} (p. 4)", "x".repeat(290));
        let pieces = vec![piece; 200];
        let text = cell_text(&pieces);
        assert!(utf16_len(&text) <= MAX_CELL_CHARS);
        let kept = text.matches("(p. 4)").count();
        assert!(kept > 90 && kept < 200, "{kept}");
        assert!(
            text.ends_with(&format!("… and {} more passages", 200 - kept)),
            "{}",
            text.chars().rev().take(60).collect::<String>()
        );
        let few = cell_text(&["a (p. 1)".into(), "b (p. 2)".into()]);
        assert_eq!(few, "a (p. 1)\n\nb (p. 2)");
    }

    #[test]
    fn sheet_names_are_ones_excel_takes() {
        let mut taken = HashSet::new();
        let long = "sr-children-digital-environment-2024-second-round";
        let first = sheet_name(long, &mut taken);
        assert_eq!(first.chars().count(), 31);
        assert!(long.starts_with(&first));
        let again = sheet_name(long, &mut taken);
        assert!(
            again.ends_with(" (2)") && again.chars().count() <= 31,
            "{again}"
        );
        assert_eq!(sheet_name("a/b:c[d]*?\\", &mut taken), "a_b_c_d____");
        assert_eq!(sheet_name("'quoted'", &mut taken), "quoted");
        assert_eq!(sheet_name("", &mut taken), "call");
    }

    #[test]
    fn categories_follow_the_call_then_others_then_review() {
        let call = Call::parse(
            std::path::Path::new("call.toml"),
            "id = \"c\"\ntitle = \"T\"\nmandate = \"M\"\nlanguages = [\"en\"]\ncategories = [\"States\", \"CSOs\"]\nquestions = []\n",
        )
        .expect("call");
        let mut order = [
            category_order("", Some(&call)),
            category_order("Zoos", Some(&call)),
            category_order("csos", Some(&call)),
            category_order("Academia", Some(&call)),
            category_order("States", Some(&call)),
        ];
        order.sort();
        let labels: Vec<&str> = order.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(
            labels,
            ["States", "CSOs", "Academia", "Zoos", AWAITING_REVIEW]
        );
    }
}
