use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use calamine::{Data, DataType, Reader};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::csv_file::read_csv;
use crate::{Call, Error, Result};

/// Whether a file is a submission's main input or an annex to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The submission itself.
    Input,
    /// Supporting material attached to an input.
    Annex,
}

impl Kind {
    /// The word used in manifests and facets.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Annex => "annex",
        }
    }
}

/// One row of a manifest: a file and who sent it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestEntry {
    /// Row number in the manifest (the header is row 1).
    pub row: usize,
    /// Submission id, derived from the file name (see [`submission_id`]); a file whose name
    /// gives the id of an earlier row's file (the same input as DOCX and PDF) adds its
    /// extension, so every file keeps an id of its own.
    pub id: String,
    /// The file as the manifest names it, relative to the manifest.
    pub file: String,
    /// The file on disk.
    #[serde(skip)]
    pub path: PathBuf,
    /// Who sent it.
    pub submitter: String,
    /// Stakeholder category, spelled as in the call; empty for a file awaiting review (one
    /// the call page does not list), which is indexed with no category.
    pub category: String,
    /// The submitter's country, if any.
    pub country: Option<String>,
    /// Input or annex.
    pub kind: Kind,
    /// For an annex: the submission id of its input.
    pub annex_of: Option<String>,
    /// For the second and later inputs of one submitter in one category (the same
    /// submission in another format or language): the id of the first one's file.
    pub version_of: Option<String>,
    /// Declared language (ISO 639-1), if any.
    pub language: Option<String>,
    /// Whether the submitter asked for confidentiality.
    pub confidential: bool,
    /// Date received, if known.
    pub received: Option<NaiveDate>,
    /// Password to open an encrypted file.
    #[serde(skip)]
    pub password: Option<String>,
}

/// A call folder: `call.toml`, a manifest, and the files it names.
#[derive(Debug)]
pub struct CallFolder {
    /// The folder.
    pub root: PathBuf,
    /// The call definition.
    pub call: Call,
    /// The manifest file found.
    pub manifest: PathBuf,
    /// The valid rows, in manifest order.
    pub entries: Vec<ManifestEntry>,
    /// Rows left out, each with the reason (file, row, column).
    pub problems: Vec<Error>,
}

const MANIFEST_NAMES: [&str; 4] = [
    "manifest.xlsx",
    "manifest.ods",
    "manifest.xls",
    "manifest.csv",
];
const COLUMNS: [&str; 10] = [
    "file",
    "submitter",
    "category",
    "country",
    "kind",
    "annex_of",
    "language",
    "confidential",
    "received",
    "password",
];
const REQUIRED: [&str; 3] = ["file", "submitter", "category"];

impl CallFolder {
    /// Opens a call folder. Fails when `call.toml` or the manifest as a whole is unusable;
    /// bad rows are left out and listed in [`CallFolder::problems`].
    pub fn open(root: &Path) -> Result<CallFolder> {
        let call = Call::load(&root.join("call.toml"))?;
        let manifest = MANIFEST_NAMES
            .iter()
            .map(|n| root.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| Error::ManifestFile {
                path: root.to_path_buf(),
                message: format!("no manifest found (one of {})", MANIFEST_NAMES.join(", ")),
            })?;
        let bytes = std::fs::read(&manifest).map_err(|source| Error::Io {
            path: manifest.clone(),
            source,
        })?;
        let (entries, problems) = read_manifest(&call, &manifest, &bytes)?;
        Ok(CallFolder {
            root: root.to_path_buf(),
            call,
            manifest,
            entries,
            problems,
        })
    }
}

/// The submission id of a file: its name without extension, lowercased, accents dropped,
/// runs of other characters turned into `-`. Letters of other scripts are kept
/// ("Вклад.pdf" -> "вклад"), so every name gives an id.
pub fn submission_id(file: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    };
    let mut id = String::new();
    // A Latin letter loses its accent ("ó" -> "o"); other scripts keep theirs ("й").
    let unaccented = stem.nfc().map(|c| {
        let mut base = std::iter::once(c).nfd();
        match base.next() {
            Some(b) if b.is_ascii() => b,
            _ => c,
        }
    });
    for c in unaccented.flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

/// A cell as read: text, or a date a spreadsheet stored as a date.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// Reads a manifest from its bytes, as [`CallFolder::open`] does: `path` names it in errors,
/// its extension chooses the reader (`.csv`, else a workbook whose first sheet is read), and the
/// files it names are looked up beside it. A CSV cell that a writer defused (`'=…`, see
/// [`crate::defuse_formula`]) reads as it was before. Returns the valid rows and, for each row
/// left out, the reason; fails only when the manifest as a whole is unusable.
pub fn read_manifest(
    call: &Call,
    path: &Path,
    bytes: &[u8],
) -> Result<(Vec<ManifestEntry>, Vec<Error>)> {
    let rows = read_rows(path, bytes)?;
    parse_manifest(call, path, rows)
}

fn read_rows(path: &Path, bytes: &[u8]) -> Result<Vec<Vec<Cell>>> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        let rows =
            read_csv(text.trim_start_matches('\u{feff}')).map_err(|e| Error::ManifestFile {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        return Ok(rows
            .into_iter()
            .map(|r| r.into_iter().map(Cell::Text).collect())
            .collect());
    }
    let fail = |message: String| Error::ManifestFile {
        path: path.to_path_buf(),
        message,
    };
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| fail(e.to_string()))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| fail("the workbook has no sheet".into()))?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| fail(format!("sheet {sheet:?}: {e}")))?;
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_of).collect())
        .collect())
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::DateTime(_) | Data::DateTimeIso(_) => match data.as_date() {
            Some(d) => Cell::Date(d),
            None => Cell::Text(data.to_string()),
        },
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            Cell::Text(format!("{}", *f as i64))
        }
        Data::Empty => Cell::Text(String::new()),
        other => Cell::Text(other.to_string()),
    }
}

fn parse_manifest(
    call: &Call,
    path: &Path,
    rows: Vec<Vec<Cell>>,
) -> Result<(Vec<ManifestEntry>, Vec<Error>)> {
    let mut rows = rows.into_iter();
    let header: Vec<String> = rows
        .next()
        .unwrap_or_default()
        .iter()
        .map(|c| c.text().to_lowercase().replace([' ', '-'], "_"))
        .collect();
    let mut columns = BTreeMap::new();
    for (i, name) in header.iter().enumerate() {
        if COLUMNS.contains(&name.as_str()) && columns.insert(name.clone(), i).is_some() {
            return Err(Error::ManifestFile {
                path: path.to_path_buf(),
                message: format!("column `{name}` appears twice in the header"),
            });
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !columns.contains_key(**c)) {
        return Err(Error::ManifestFile {
            path: path.to_path_buf(),
            message: format!(
                "the header has no `{missing}` column (found: {})",
                header.join(", ")
            ),
        });
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut entries: Vec<ManifestEntry> = Vec::new();
    let mut problems = Vec::new();
    let mut files = Files::default();
    let mut annex_targets = Vec::new();
    for (i, cells) in rows.enumerate() {
        let row = i + 2;
        let get = |name: &str| -> Option<&Cell> { columns.get(name).and_then(|&c| cells.get(c)) };
        let text = |name: &str| get(name).map(Cell::text).filter(|s| !s.is_empty());
        if cells.iter().all(|c| c.text().is_empty()) {
            continue;
        }
        let bad = |column: &str, message: String| Error::Manifest {
            path: path.to_path_buf(),
            row,
            column: column.to_string(),
            message,
        };
        match parse_row(call, base, row, &text, get, &bad, &mut files) {
            Ok((entry, annex_of)) => {
                if let Some(target) = annex_of {
                    annex_targets.push((entries.len(), target));
                }
                entries.push(entry);
            }
            Err(e) => problems.push(e),
        }
    }
    // `annex_of` names the `file` (or submission id) of an input in the same manifest.
    let inputs: BTreeMap<String, String> = entries
        .iter()
        .filter(|e| e.kind == Kind::Input)
        .flat_map(|e| [(e.file.clone(), e.id.clone()), (e.id.clone(), e.id.clone())])
        .collect();
    let mut orphans = BTreeSet::new();
    for (index, target) in annex_targets {
        let Some(entry) = entries.get_mut(index) else {
            continue;
        };
        match inputs.get(target.trim_start_matches("./")) {
            Some(id) => entry.annex_of = Some(id.clone()),
            None => {
                problems.push(Error::Manifest {
                    path: path.to_path_buf(),
                    row: entry.row,
                    column: "annex_of".into(),
                    message: format!("{target:?} names no input in this manifest"),
                });
                orphans.insert(index);
            }
        }
    }
    let mut entries: Vec<ManifestEntry> = entries
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !orphans.contains(i))
        .map(|(_, e)| e)
        .collect();
    link_versions(&mut entries);
    Ok((entries, problems))
}

/// The files a manifest has named so far, and the ids they took.
#[derive(Default)]
struct Files {
    paths: BTreeSet<String>,
    ids: BTreeSet<String>,
}

impl Files {
    /// The id of a newly named file: its name's id, or, when an earlier file took that one
    /// (`chile.docx` then `chile.pdf`), the id with the extension and if need be a number,
    /// so earlier files keep their ids when a version is added.
    fn id_for(&mut self, file: &str) -> String {
        let base = submission_id(file);
        let extension = file
            .rsplit(['/', '\\'])
            .next()
            .and_then(|name| name.rsplit_once('.'))
            .map(|(_, ext)| submission_id(ext))
            .filter(|ext| !ext.is_empty());
        let mut candidates = std::iter::once(base.clone())
            .chain(extension.map(|ext| format!("{base}-{ext}")))
            .chain((2..).map(|n| format!("{base}-{n}")));
        let id = candidates
            .find(|id| !self.ids.contains(id))
            .unwrap_or_default();
        self.ids.insert(id.clone());
        id
    }
}

/// Inputs from one submitter in one category are versions of one submission (the same
/// answer sent as DOCX and PDF, or in two languages): the first in manifest order is the
/// submission, the later ones name it in `version_of`.
fn link_versions(entries: &mut [ManifestEntry]) {
    let key = |e: &ManifestEntry| {
        let submitter: String = e
            .submitter
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        (submitter, e.category.to_lowercase())
    };
    let mut first: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut primary: BTreeMap<String, String> = BTreeMap::new();
    for entry in entries.iter_mut().filter(|e| e.kind == Kind::Input) {
        match first.get(&key(entry)) {
            Some(id) => {
                entry.version_of = Some(id.clone());
                primary.insert(entry.id.clone(), id.clone());
            }
            None => {
                first.insert(key(entry), entry.id.clone());
            }
        }
    }
    // An annex of a later version belongs to the submission.
    for entry in entries.iter_mut() {
        if let Some(id) = entry.annex_of.as_ref().and_then(|a| primary.get(a)) {
            entry.annex_of = Some(id.clone());
        }
    }
}

type RowResult = std::result::Result<(ManifestEntry, Option<String>), Error>;

fn parse_row<'a>(
    call: &Call,
    base: &Path,
    row: usize,
    text: &dyn Fn(&str) -> Option<String>,
    get: impl Fn(&str) -> Option<&'a Cell>,
    bad: &dyn Fn(&str, String) -> Error,
    files: &mut Files,
) -> RowResult {
    let file = text("file").ok_or_else(|| bad("file", "is empty".into()))?;
    let file = file.trim_start_matches("./").replace('\\', "/");
    if file.starts_with('/') || file.split('/').any(|part| part == "..") {
        return Err(bad(
            "file",
            format!("{file:?} must be a path inside the call folder"),
        ));
    }
    if submission_id(&file).is_empty() {
        return Err(bad(
            "file",
            format!("{file:?} gives no usable submission id"),
        ));
    }
    if files.paths.contains(&file) {
        return Err(bad("file", format!("{file:?} is listed twice")));
    }
    let path = base.join(&file);
    if !path.is_file() {
        return Err(match bad("file", String::new()) {
            Error::Manifest { path, row, .. } => Error::MissingFile { path, row, file },
            other => other,
        });
    }
    files.paths.insert(file.clone());
    let id = files.id_for(&file);
    let submitter = text("submitter").ok_or_else(|| bad("submitter", "is empty".into()))?;
    let category_text = text("category").unwrap_or_default();
    let category = if category_text.is_empty() {
        // A file awaiting review: indexed, filed under no category.
        ""
    } else {
        call.category(&category_text).ok_or_else(|| {
            bad(
                "category",
                format!(
                    "unknown category {category_text:?} (the call has: {})",
                    call.categories.join(", ")
                ),
            )
        })?
    }
    .to_string();
    let kind = match text("kind").map(|k| k.to_lowercase()).as_deref() {
        None | Some("input") => Kind::Input,
        Some("annex") => Kind::Annex,
        Some(other) => return Err(bad("kind", format!("{other:?} is not `input` or `annex`"))),
    };
    let annex_of = text("annex_of");
    match (kind, &annex_of) {
        (Kind::Annex, None) => {
            return Err(bad("annex_of", "an annex must name its input".into()));
        }
        (Kind::Input, Some(target)) => {
            return Err(bad(
                "annex_of",
                format!("{target:?} given but `kind` is input"),
            ));
        }
        _ => {}
    }
    let confidential = match text("confidential").map(|c| c.to_lowercase()).as_deref() {
        None | Some("no" | "n" | "false" | "0") => false,
        Some("yes" | "y" | "true" | "1") => true,
        Some(other) => {
            return Err(bad("confidential", format!("{other:?} is not yes or no")));
        }
    };
    let received = match get("received") {
        Some(Cell::Date(d)) => Some(*d),
        Some(Cell::Text(t)) if t.trim().is_empty() => None,
        Some(Cell::Text(t)) => Some(
            parse_date(t.trim())
                .ok_or_else(|| bad("received", format!("{t:?} is not a date (use YYYY-MM-DD)")))?,
        ),
        None => None,
    };
    let language = match text("language") {
        Some(l) if l.len() == 2 && l.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(l.to_lowercase())
        }
        Some(l) => {
            return Err(bad(
                "language",
                format!("{l:?} is not a two-letter ISO 639-1 code"),
            ));
        }
        None => None,
    };
    let entry = ManifestEntry {
        row,
        id,
        file,
        path,
        submitter,
        category,
        country: text("country"),
        kind,
        annex_of: None,
        version_of: None,
        language,
        confidential,
        received,
        password: text("password"),
    };
    Ok((entry, annex_of))
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: &str = r#"
id = "demo"
title = "A call"
mandate = "Special Rapporteur"
issued = 2024-02-15
deadline = 2024-04-30
languages = ["en"]
categories = ["States", "CSOs"]
[[questions]]
number = 1
short = "x"
text.en = "y"
"#;

    fn folder(manifest: &str) -> (tempfile::TempDir, Result<CallFolder>) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("call.toml"), CALL).expect("write");
        std::fs::create_dir(dir.path().join("files")).expect("mkdir");
        for f in ["a.pdf", "b.docx", "c.xlsx", "a.docx", "a b.pdf"] {
            std::fs::write(dir.path().join("files").join(f), b"x").expect("write");
        }
        std::fs::write(dir.path().join("manifest.csv"), manifest).expect("write");
        let opened = CallFolder::open(dir.path());
        (dir, opened)
    }

    const HEADER: &str =
        "File,Submitter,Category,Country,Kind,Annex_of,Language,Confidential,Received\n";

    #[test]
    fn reads_a_good_manifest() {
        let (_dir, f) = folder(&format!(
            "{HEADER}files/a.pdf,Chile,States,Chile,input,,es,no,2024-04-01\n\
             files/c.xlsx,Chile,states,Chile,annex,files/a.pdf,,,\n\
             \"files/b.docx\",\"Alliance, Inc.\",CSOs,,input,,en,yes,2024-04-02\n"
        ));
        let f = f.expect("opens");
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.entries.len(), 3);
        assert_eq!(f.entries[0].id, "a");
        assert_eq!(f.entries[1].annex_of.as_deref(), Some("a"));
        assert_eq!(f.entries[1].category, "States");
        assert_eq!(f.entries[2].submitter, "Alliance, Inc.");
        assert!(f.entries[2].confidential);
        assert_eq!(
            f.entries[0].received.map(|d| d.to_string()).as_deref(),
            Some("2024-04-01")
        );
    }

    fn problem(row: &str) -> String {
        let (_dir, f) = folder(&format!(
            "{HEADER}files/a.pdf,Chile,States,Chile,input,,,no,\n{row}\n"
        ));
        let f = f.expect("opens");
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        f.problems[0].to_string()
    }

    #[test]
    fn each_kind_of_bad_row_names_file_row_and_column() {
        let cases = [
            (
                "files/b.docx,X,Companies,,input,,,no,",
                "category",
                "unknown category \"Companies\"",
            ),
            ("files/zz.pdf,X,CSOs,,input,,,no,", "file", "does not exist"),
            ("files/a.pdf,X,CSOs,,input,,,no,", "file", "listed twice"),
            (
                "files/c.xlsx,X,CSOs,,annex,files/nothing.pdf,,no,",
                "annex_of",
                "names no input",
            ),
            (
                "files/b.docx,X,CSOs,,input,,,no,31/12/2024",
                "received",
                "is not a date",
            ),
            (
                "files/b.docx,X,CSOs,,input,,,maybe,",
                "confidential",
                "is not yes or no",
            ),
            (
                "files/b.docx,X,CSOs,,report,,,no,",
                "kind",
                "not `input` or `annex`",
            ),
            (
                "files/b.docx,X,CSOs,,input,,english,no,",
                "language",
                "ISO 639-1",
            ),
        ];
        for (row, column, message) in cases {
            let msg = problem(row);
            assert!(msg.contains("manifest.csv: row 3"), "{msg}");
            assert!(msg.contains(&format!("column `{column}`")), "{msg}");
            assert!(msg.contains(message), "{msg}");
        }
    }

    #[test]
    fn missing_required_column_fails_the_manifest() {
        let (_dir, f) = folder("file,submitter\nfiles/a.pdf,X\n");
        let msg = f.expect_err("no category").to_string();
        assert!(msg.contains("no `category` column"), "{msg}");
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        // A byte-order mark, CRLF, a blank line, and a quoted line break inside one row.
        let (_dir, f) = folder(
            "\u{feff}File,Submitter,Category,Kind\r\n\r\n\
             files/a.pdf,\"Alliance,\r\n\"\"Kids\"\" Inc.\",CSOs,input\r\n\
             files/b.docx,X,CSOs,letter\r\n",
        );
        let f = f.expect("opens");
        assert_eq!(f.entries.len(), 1, "{:?}", f.problems);
        assert_eq!(f.entries[0].row, 3);
        assert_eq!(f.entries[0].submitter, "Alliance,\r\n\"Kids\" Inc.");
        let msg = f
            .problems
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(msg.contains("manifest.csv: row 4, column `kind`"), "{msg}");
    }

    #[test]
    fn a_defused_cell_reads_as_written_before_defusing() {
        let (_dir, f) = folder(&format!(
            "{HEADER}files/a.pdf,'=HYPERLINK(1),CSOs,,input,,,no,\n"
        ));
        let f = f.expect("opens");
        assert_eq!(f.entries[0].submitter, "=HYPERLINK(1)");
    }

    #[test]
    fn one_input_in_two_formats_is_two_files_of_one_submission() {
        let (_dir, f) = folder(&format!(
            "{HEADER}files/a.docx,Chile,States,Chile,input,,es,no,\n\
             files/a.pdf,Chile,States,Chile,input,,es,no,\n\
             files/a b.pdf,Chile,States,Chile,input,,en,no,\n\
             files/c.xlsx,Chile,States,Chile,annex,files/a.pdf,,,\n\
             files/b.docx,Chile,CSOs,,input,,,no,\n"
        ));
        let f = f.expect("opens");
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let ids: Vec<&str> = f.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "a-pdf", "a-b", "c", "b"]);
        let versions: Vec<Option<&str>> =
            f.entries.iter().map(|e| e.version_of.as_deref()).collect();
        // Another category is another submitter; the annex of a version is the submission's.
        assert_eq!(versions, [None, Some("a"), Some("a"), None, None]);
        assert_eq!(f.entries[3].annex_of.as_deref(), Some("a"));
    }

    #[test]
    fn a_row_awaiting_review_has_no_category() {
        let (_dir, f) = folder(&format!("{HEADER}files/a.pdf,Someone,,,input,,,yes,\n"));
        let f = f.expect("opens");
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.entries[0].category, "");
    }

    #[test]
    fn ids_come_from_file_names() {
        assert_eq!(
            submission_id("files/States – Chile (v2).PDF"),
            "states-chile-v2"
        );
        assert_eq!(submission_id("a.b.docx"), "a-b");
        assert_eq!(submission_id("Contribución (1).docx"), "contribucion-1");
        assert_eq!(
            submission_id("Вклад ОФ «Светлый берег».pdf"),
            "вклад-оф-светлый-берег"
        );
    }
}
