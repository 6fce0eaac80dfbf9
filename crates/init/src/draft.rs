//! The draft call folder: pages and files read, matched, and written as `call.toml` and
//! `manifest.csv`, with the report staff review.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cfi_ingest::{Gazetteer, LanguageDetector};

use crate::manifest::manifest_csv;
use crate::matching::{FileInfo, How, Matches, match_files};
use crate::page::{CallPage, LinkKind};
use crate::words::{self, fold};
use crate::{Error, Result};

/// One manifest row of the draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The file, relative to the folder.
    pub file: String,
    /// Who sent it, as the page names the entry (empty for a file the page does not list).
    pub submitter: String,
    /// The category heading the entry sits under (empty: awaiting review).
    pub category: String,
    /// The submitter's country, for States and where the name carries one.
    pub country: Option<String>,
    /// Input or annex.
    pub kind: LinkKind,
    /// For an annex: the file of its entry's first input.
    pub annex_of: Option<String>,
    /// The file's language, detected.
    pub language: Option<String>,
    /// Suggested for files the page does not list: confidential inputs never are.
    pub confidential: bool,
    /// 0..=1: how sure the match of file to entry is.
    pub confidence: f32,
    /// What staff should check, if anything.
    pub review: Option<String>,
}

/// A zip archive of the folder unpacked beside it.
#[derive(Debug, Clone)]
pub struct Unpacking {
    /// The archive, relative to the folder.
    pub archive: String,
    /// How many files it held.
    pub files: usize,
    /// Entries left out, with the reason.
    pub skipped: Vec<String>,
}

/// Everything `cfi init` found, ready to write.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The downloads folder.
    pub dir: PathBuf,
    /// The pages read, in the order given.
    pub pages: Vec<CallPage>,
    /// The files found.
    pub files: Vec<FileInfo>,
    /// The manifest rows, in page order, files the page does not list last.
    pub rows: Vec<Row>,
    /// Entries (submitter, category, link text, file named) that no file answers.
    pub missing: Vec<(String, String, String, Option<String>)>,
    /// Archives unpacked.
    pub unpacked: Vec<Unpacking>,
    /// Archives that could not be unpacked, with the cause.
    pub unpack_errors: Vec<String>,
    /// The text of `call.toml`.
    pub call_toml: String,
    /// The text of `manifest.csv`.
    pub manifest_csv: String,
}

/// Reads the pages and the folder and drafts the call folder (nothing is written yet).
pub fn draft(pages: &[PathBuf], dir: &Path) -> Result<Draft> {
    if !dir.is_dir() {
        return Err(Error::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    let pages: Vec<CallPage> = pages
        .iter()
        .map(|p| CallPage::read(p))
        .collect::<Result<_>>()?;
    let (unpacked, unpack_errors) = unpack_archives(dir);
    let page_files: BTreeSet<PathBuf> = pages
        .iter()
        .filter_map(|p| p.path.canonicalize().ok())
        .collect();
    let mut files = read_files(dir, &page_files);
    link_archives(&mut files);
    // Entries come from the first page given that lists them (a page in another language
    // may only point to this one: it must list at least half as many).
    let most = pages.iter().map(|p| p.entries.len()).max().unwrap_or(0);
    let listing = pages
        .iter()
        .position(|p| !p.entries.is_empty() && p.entries.len() * 2 >= most);
    let entries = listing
        .map(|i| pages[i].entries.clone())
        .unwrap_or_default();
    let matches = match_files(&entries, &files);
    let rows = rows(&entries, &files, &matches);
    let missing = matches
        .unanswered
        .iter()
        .filter_map(|&(e, l)| {
            let entry = entries.get(e)?;
            let link = entry.links.get(l)?;
            Some((
                entry.name.clone(),
                entry.category.clone(),
                link.label.clone(),
                link.href.as_deref().map(crate::matching::last_segment),
            ))
        })
        .collect();
    let categories = listing
        .map(|i| pages[i].categories.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| {
            words::CATEGORIES
                .iter()
                .filter_map(|names| names.first().map(|n| (*n).to_string()))
                .collect()
        });
    let call_toml = call_toml(&pages, &rows, &categories, dir);
    let manifest_csv = manifest_csv(&rows);
    Ok(Draft {
        dir: dir.to_path_buf(),
        pages,
        files,
        rows,
        missing,
        unpacked,
        unpack_errors,
        call_toml,
        manifest_csv,
    })
}

/// Unpacks every zip archive of the folder into a folder named after it, beside it.
fn unpack_archives(dir: &Path) -> (Vec<Unpacking>, Vec<String>) {
    let mut unpacked = Vec::new();
    let mut errors = Vec::new();
    for zip in cfi_extract::submission_files(dir) {
        if !zip
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
        {
            continue;
        }
        let into = zip.with_extension("");
        let rel = relative(dir, &zip);
        match cfi_extract::unpack_zip(&zip, &into) {
            Ok(result) => unpacked.push(Unpacking {
                archive: rel,
                files: result.files.len(),
                skipped: result.skipped,
            }),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (unpacked, errors)
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Characters of a file's text kept for matching and language detection.
const HEAD_TEXT: usize = 6000;

/// Every submission file of the folder with the beginning of its text and its language,
/// read on every core.
fn read_files(dir: &Path, pages: &BTreeSet<PathBuf>) -> Vec<FileInfo> {
    let paths: Vec<PathBuf> = cfi_extract::submission_files(dir)
        .into_iter()
        .filter(|p| !p.canonicalize().is_ok_and(|c| pages.contains(&c)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .max(1);
    let chunk = paths.len().div_ceil(threads).max(1);
    let detector = LanguageDetector::default();
    let read = |path: &PathBuf| -> FileInfo {
        let mut info = FileInfo {
            path: path.clone(),
            rel: relative(dir, path),
            ..FileInfo::default()
        };
        if info.rel.to_lowercase().ends_with(".zip") {
            return info;
        }
        // Only the first pages matter here: no OCR, a short budget.
        let extractor = cfi_extract::Extractor::new(&cfi_extract::Options::default())
            .time_budget(Duration::from_secs(20))
            .ocr_budget(Duration::ZERO);
        match extractor.extract_path(path) {
            Ok(doc) => {
                let mut head = String::new();
                for block in &doc.blocks {
                    if head.chars().count() >= HEAD_TEXT {
                        break;
                    }
                    head.push_str(&block.text);
                    head.push('\n');
                }
                info.language = detector.detect(&head, None);
                info.head = head;
            }
            Err(e) => info.error = Some(e.to_string()),
        }
        info
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(read).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Ties each archive to the files unpacked from it (the folder named after it).
fn link_archives(files: &mut [FileInfo]) {
    let archives: Vec<(usize, String)> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.rel.to_lowercase().ends_with(".zip"))
        .map(|(i, f)| (i, format!("{}/", &f.rel[..f.rel.len() - 4])))
        .collect();
    for (archive, folder) in archives {
        let members: Vec<usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.rel.starts_with(&folder))
            .map(|(i, _)| i)
            .collect();
        for &m in &members {
            if let Some(f) = files.get_mut(m) {
                f.archive = Some(archive);
            }
        }
        if let Some(f) = files.get_mut(archive) {
            f.members = members;
        }
    }
}

fn rows(entries: &[crate::Entry], files: &[FileInfo], matches: &Matches) -> Vec<Row> {
    let gazetteer = Gazetteer::default();
    let mut rows = Vec::new();
    // The first input file of each entry, which its annexes point to.
    let mut first_input: BTreeMap<usize, String> = BTreeMap::new();
    for a in &matches.assigned {
        if a.kind == LinkKind::Input {
            first_input
                .entry(a.entry)
                .or_insert_with(|| files[a.file].rel.clone());
        }
    }
    let mut listed = BTreeSet::new();
    for a in &matches.assigned {
        let (Some(entry), Some(file)) = (entries.get(a.entry), files.get(a.file)) else {
            continue;
        };
        listed.insert(a.file);
        let annex_of = match a.kind {
            LinkKind::Annex => first_input.get(&a.entry).cloned(),
            LinkKind::Input => None,
        };
        // An annex whose entry has no input file is filed as an input, for review.
        let (kind, review) = match (a.kind, &annex_of) {
            (LinkKind::Annex, None) => (
                LinkKind::Input,
                Some("an annex whose entry's input is not in the folder".to_string()),
            ),
            _ => (a.kind, a.review.clone()),
        };
        rows.push(Row {
            file: file.rel.clone(),
            submitter: entry.name.clone(),
            category: entry.category.clone(),
            country: country(&gazetteer, &entry.name, &entry.category),
            kind,
            annex_of,
            language: file.language.clone(),
            confidential: false,
            confidence: a.confidence,
            review: review.or_else(|| {
                (a.how == How::Evidence && a.confidence < 0.75)
                    .then(|| format!("matched by evidence (confidence {:.2})", a.confidence))
            }),
        });
    }
    for (i, file) in files.iter().enumerate() {
        if listed.contains(&i)
            || !file.members.is_empty()
            || file.rel.to_lowercase().ends_with(".zip")
        {
            continue;
        }
        // A second download of a listed file (the same bytes, "x (1).pdf") is that file's
        // entry's too.
        if let Some(copy) = identical_listed(file, files, &listed, &rows) {
            rows.push(copy);
            continue;
        }
        // The sender its letterhead names, else the file's name, stands in for the
        // submitter until staff name them.
        let stem = file.name().rsplit_once('.').map_or(file.name(), |(s, _)| s);
        let sender = words::letterhead(&file.head);
        rows.push(Row {
            file: file.rel.clone(),
            submitter: sender.clone().unwrap_or_else(|| stem.to_string()),
            category: String::new(),
            country: None,
            kind: LinkKind::Input,
            annex_of: None,
            language: file.language.clone(),
            confidential: true,
            confidence: 0.0,
            review: Some(match &file.error {
                Some(e) => format!("not on the call page, and unreadable: {e}"),
                None if sender.is_some() => "not on the call page (a confidential or late input?): the submitter is read from its letterhead, check it and choose the category".into(),
                None => "not on the call page (a confidential or late input?): name the submitter and choose the category".into(),
            }),
        });
    }
    rows
}

/// The row of a file the page lists whose bytes this file repeats, made this file's.
fn identical_listed(
    file: &FileInfo,
    files: &[FileInfo],
    listed: &BTreeSet<usize>,
    rows: &[Row],
) -> Option<Row> {
    let size = std::fs::metadata(&file.path).ok()?.len();
    let mut bytes: Option<Vec<u8>> = None;
    for &i in listed {
        let other = files.get(i)?;
        if std::fs::metadata(&other.path).ok()?.len() != size {
            continue;
        }
        let mine = match &bytes {
            Some(b) => b,
            None => bytes.insert(std::fs::read(&file.path).ok()?),
        };
        if std::fs::read(&other.path).ok().as_ref() == Some(mine) {
            let row = rows.iter().find(|r| r.file == other.rel)?;
            return Some(Row {
                file: file.rel.clone(),
                review: Some(format!(
                    "the same file as {}: a second download?",
                    other.rel
                )),
                ..row.clone()
            });
        }
    }
    None
}

/// The country of a submitter: a State's own, or the one its name carries ("(Kenya)").
fn country(gazetteer: &Gazetteer, name: &str, category: &str) -> Option<String> {
    let found = gazetteer.mentions(name);
    if words::usual_category(category) == Some("States") {
        return found.into_iter().next();
    }
    // A name naming two countries ("Ireland-UK partnership") carries none.
    (found.len() == 1)
        .then(|| found.into_iter().next())
        .flatten()
}

/// `"text"` as a TOML basic string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A call id from its title: lowercase ASCII letters and digits, `-` between words.
fn slug(title: &str) -> String {
    let mut id = String::new();
    for word in fold(title)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if id.len() + word.len() > 60 {
            break;
        }
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(word);
    }
    if id.is_empty() { "call".into() } else { id }
}

fn call_toml(pages: &[CallPage], rows: &[Row], categories: &[String], dir: &Path) -> String {
    let first = |get: &dyn Fn(&CallPage) -> Option<String>| pages.iter().find_map(get);
    let title = first(&|p| p.title.clone()).unwrap_or_else(|| {
        dir.file_name()
            .map_or_else(|| "call".to_string(), |n| n.to_string_lossy().to_string())
    });
    let mandate = first(&|p| p.mandate.clone()).unwrap_or_default();
    let issued = pages.iter().find_map(|p| p.issued);
    let deadline = pages.iter().find_map(|p| p.deadline);
    // Languages: the files' by how many files use them, then the pages'.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows {
        if let Some(l) = &row.language {
            *counts.entry(l.clone()).or_default() += 1;
        }
    }
    let mut languages: Vec<(String, usize)> = counts.into_iter().collect();
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut languages: Vec<String> = languages.into_iter().map(|(l, _)| l).collect();
    for page in pages {
        if let Some(l) = &page.language
            && !languages.contains(l)
        {
            languages.push(l.clone());
        }
    }
    // Each question's text in each page's language; the first page of a language wins.
    let mut texts: BTreeMap<u32, Vec<(String, String)>> = BTreeMap::new();
    let mut seen_languages = BTreeSet::new();
    for page in pages {
        let language = page.language.clone().unwrap_or_else(|| "en".into());
        if !seen_languages.insert(language.clone()) {
            continue;
        }
        for (n, text) in &page.questions {
            texts
                .entry(*n)
                .or_default()
                .push((language.clone(), text.clone()));
        }
    }
    let shorts = short_titles(&texts);
    let mut out = String::new();
    let sources: Vec<String> = pages.iter().map(|p| p.path.display().to_string()).collect();
    let _ = writeln!(
        out,
        "# Drafted by `cfi init` from {}: review it, then run `cfi ingest`.",
        sources.join(", ")
    );
    let _ = writeln!(out, "id = {}", quoted(&slug(&title)));
    let _ = writeln!(out, "title = {}", quoted(&title));
    let _ = writeln!(out, "mandate = {}", quoted(&mandate));
    match issued {
        Some(d) => {
            let _ = writeln!(out, "issued = {d}");
        }
        None => out.push_str("# issued = YYYY-MM-DD (the page gives no date of issue)\n"),
    }
    match deadline {
        Some(d) => {
            let _ = writeln!(out, "deadline = {d}");
        }
        None => out.push_str("# deadline = YYYY-MM-DD (the page gives no deadline)\n"),
    }
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| quoted(i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "languages = [{}]", list(&languages));
    let _ = writeln!(out, "categories = [{}]", list(categories));
    for (n, texts) in &texts {
        let _ = writeln!(out, "\n[[questions]]\nnumber = {n}");
        let _ = writeln!(
            out,
            "short = {}",
            quoted(shorts.get(n).map_or("", String::as_str))
        );
        for (language, text) in texts {
            let _ = writeln!(out, "text.{language} = {}", quoted(text));
        }
    }
    out
}

/// Words that ask rather than say what a question is about.
const ASKING: [&str; 60] = [
    "please",
    "provide",
    "information",
    "what",
    "which",
    "how",
    "are",
    "is",
    "there",
    "any",
    "would",
    "you",
    "could",
    "can",
    "be",
    "put",
    "place",
    "kind",
    "examples",
    "example",
    "other",
    "your",
    "do",
    "does",
    "exist",
    "that",
    "these",
    "those",
    "such",
    "their",
    "its",
    "describe",
    "share",
    "including",
    "le",
    "la",
    "les",
    "des",
    "el",
    "los",
    "las",
    "que",
    "cuales",
    "como",
    "quels",
    "quelles",
    "quel",
    "quelle",
    "comment",
    "sirvanse",
    "proporcionar",
    "informacion",
    "veuillez",
    "fournir",
    "informations",
    "existen",
    "hay",
    "existe",
    "il",
    "t",
];

/// A few words naming each question: its words less those that ask ("What are the") and
/// those most of the call's questions share, in the order the question gives them.
fn short_titles(texts: &BTreeMap<u32, Vec<(String, String)>>) -> BTreeMap<u32, String> {
    let text_of = |versions: &Vec<(String, String)>| {
        versions
            .iter()
            .find(|(l, _)| l == "en")
            .or(versions.first())
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let all: Vec<(u32, String)> = texts.iter().map(|(n, v)| (*n, text_of(v))).collect();
    let mut spread: BTreeMap<String, usize> = BTreeMap::new();
    for (_, text) in &all {
        for w in words::tokens(text).into_iter().collect::<BTreeSet<_>>() {
            *spread.entry(w).or_default() += 1;
        }
    }
    let common = (all.len() as f32 * 0.4).ceil().max(2.0) as usize;
    all.into_iter()
        .map(|(n, text)| {
            let kept: Vec<&str> = text
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .filter(|w| {
                    let f = fold(w);
                    w.chars().count() > 2
                        && !words::is_generic(&f)
                        && !ASKING.contains(&f.as_str())
                        && spread.get(&f).is_none_or(|&s| s < common)
                })
                .take(4)
                .collect();
            let mut short = kept.join(" ");
            if let Some(first) = short.get(..1) {
                short = first.to_uppercase() + &short[1..];
            }
            (n, short)
        })
        .collect()
}

impl Draft {
    /// Writes `call.toml` and `manifest.csv` into the folder; refuses to replace a call
    /// definition or a manifest already there unless `force`.
    pub fn write(&self, force: bool) -> Result<()> {
        let call = self.dir.join("call.toml");
        let manifest = self.dir.join("manifest.csv");
        if !force {
            let existing = std::iter::once(call.clone()).chain(
                [
                    "manifest.xlsx",
                    "manifest.ods",
                    "manifest.xls",
                    "manifest.csv",
                ]
                .iter()
                .map(|n| self.dir.join(n)),
            );
            if let Some(path) = existing.into_iter().find(|p| p.exists()) {
                return Err(Error::Exists { path });
            }
        }
        for (path, text) in [(&call, &self.call_toml), (&manifest, &self.manifest_csv)] {
            std::fs::write(path, text).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// The review report: what was read, what was matched how, what is missing or left
    /// over, and the command to run next.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for page in &self.pages {
            let _ = writeln!(
                out,
                "page {} ({}, {}): {} questions, {} categories, {} entries, {} links{}",
                page.path.display(),
                if page.html { "HTML" } else { "text" },
                page.language.as_deref().unwrap_or("language unknown"),
                page.questions.len(),
                page.categories.len(),
                page.entries.len(),
                page.entries.iter().map(|e| e.links.len()).sum::<usize>(),
                if page.truncated {
                    " (read up to its first 16 MB)"
                } else {
                    ""
                },
            );
            if !page.has_inputs {
                let _ = writeln!(
                    out,
                    "  no \"Inputs Received\" section: every file is listed for review"
                );
            }
        }
        for u in &self.unpacked {
            let _ = writeln!(out, "unpacked {}: {} files", u.archive, u.files);
            for s in &u.skipped {
                let _ = writeln!(out, "  left out: {s}");
            }
        }
        for e in &self.unpack_errors {
            let _ = writeln!(out, "could not unpack {e}");
        }
        let listed = self.rows.iter().filter(|r| !r.confidential).count();
        let _ = writeln!(
            out,
            "{} files: {} matched to the page's entries, {} not on the page",
            self.rows.len(),
            listed,
            self.rows.len() - listed
        );
        let review: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.review.is_some() && !r.confidential)
            .collect();
        if !review.is_empty() {
            let _ = writeln!(out, "\nto review ({}):", review.len());
            for r in review {
                let _ = writeln!(
                    out,
                    "  {} -> {} ({}): {}",
                    r.file,
                    r.submitter,
                    r.category,
                    r.review.as_deref().unwrap_or_default()
                );
            }
        }
        let unlisted: Vec<&Row> = self.rows.iter().filter(|r| r.confidential).collect();
        if !unlisted.is_empty() {
            let _ = writeln!(
                out,
                "\nin the folder but not on the page ({}): marked confidential, no category yet (cfi ingest indexes them for staff only); name their submitter and category:",
                unlisted.len()
            );
            for r in unlisted {
                let _ = writeln!(out, "  {} (submitter for now: {})", r.file, r.submitter);
            }
        }
        if !self.missing.is_empty() {
            let _ = writeln!(
                out,
                "\non the page but not in the folder ({}):",
                self.missing.len()
            );
            for (name, category, label, file) in &self.missing {
                let _ = writeln!(
                    out,
                    "  {name} ({category}): {label}{}",
                    file.as_ref()
                        .map(|f| format!(" -> {f}"))
                        .unwrap_or_default()
                );
            }
        }
        let unreadable: Vec<&FileInfo> = self.files.iter().filter(|f| f.error.is_some()).collect();
        if !unreadable.is_empty() {
            let _ = writeln!(
                out,
                "\nunreadable ({}): their language is unknown, and cfi ingest will report them:",
                unreadable.len()
            );
            for f in unreadable {
                let _ = writeln!(out, "  {}", f.error.as_deref().unwrap_or_default());
            }
        }
        let _ = writeln!(
            out,
            "\nwrote {} and {}\nnext: review them, then run\n  cfi ingest {}",
            self.dir.join("call.toml").display(),
            self.dir.join("manifest.csv").display(),
            self.dir.display()
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_slugs_of_titles() {
        assert_eq!(
            slug(
                "Existing and Emerging Sexually Exploitative Practices against Children in the Digital Environment"
            ),
            "existing-and-emerging-sexually-exploitative-practices-against"
        );
        assert_eq!(slug("Niños: ¿qué?"), "ninos-que");
        assert_eq!(slug("!!!"), "call");
    }

    #[test]
    fn short_titles_leave_out_asking_words_and_the_call_s_common_words() {
        let mut texts = BTreeMap::new();
        for (n, t) in [
            (
                1,
                "Please provide information on how technologies are used to facilitate the abuse of children.",
            ),
            (
                2,
                "What practical recommendations would you propose to prevent the abuse of children?",
            ),
            (
                3,
                "What are the remaining gaps in laws protecting children from abuse?",
            ),
        ] {
            texts.insert(n, vec![("en".to_string(), t.to_string())]);
        }
        let shorts = short_titles(&texts);
        assert_eq!(shorts[&1], "Technologies used facilitate");
        assert_eq!(shorts[&2], "Practical recommendations propose prevent");
        assert_eq!(shorts[&3], "Remaining gaps laws protecting");
    }
}
