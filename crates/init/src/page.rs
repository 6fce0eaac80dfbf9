//! A call page read: title, mandate, dates, guiding questions, and the inputs received,
//! entry by entry under their stakeholder categories.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::lines::{Line, PageLines, page_lines};
use crate::words::{self, fold};
use crate::{Error, Result};

/// Whether a page's link leads to a submission's input or to an annex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// The submission itself (in one format or language).
    Input,
    /// Supporting material.
    Annex,
}

/// One link of an entry: its text and, in an HTML page, where it points.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryLink {
    /// The link's text ("input", "annex-2"), or the entry's name when the name is the link.
    pub label: String,
    /// The address (HTML pages only).
    pub href: Option<String>,
    /// Input or annex, from the text.
    pub kind: LinkKind,
}

/// One entry of the inputs received: a submitter and the links to its files.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The submitter as the page names it.
    pub name: String,
    /// The category heading it sits under ("" before the first heading).
    pub category: String,
    /// Its links, in page order.
    pub links: Vec<EntryLink>,
}

/// What a call page says.
#[derive(Debug, Clone, Default)]
pub struct CallPage {
    /// The page file.
    pub path: PathBuf,
    /// Whether it was HTML (with links) or text.
    pub html: bool,
    /// The language of its questions (ISO 639-1), detected.
    pub language: Option<String>,
    /// The call's title, without "Call for input:".
    pub title: Option<String>,
    /// Who issued the call.
    pub mandate: Option<String>,
    /// When it was issued, where the page says.
    pub issued: Option<NaiveDate>,
    /// The deadline, where the page says.
    pub deadline: Option<NaiveDate>,
    /// The guiding questions: number and text, verbatim.
    pub questions: Vec<(u32, String)>,
    /// The category headings under "Inputs Received", in page order.
    pub categories: Vec<String>,
    /// The entries, in page order.
    pub entries: Vec<Entry>,
    /// Whether the page has an "Inputs Received" section.
    pub has_inputs: bool,
    /// Whether the page was read only up to the size cap.
    pub truncated: bool,
}

impl CallPage {
    /// Reads a saved call page (HTML or text).
    pub fn read(path: &Path) -> Result<CallPage> {
        let bytes = read_capped(path)?;
        let page = CallPage::parse(path, &bytes)?;
        Ok(page)
    }

    /// Reads a call page from its bytes; `path` names it in errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<CallPage> {
        let lines = page_lines(bytes);
        let questions = questions(&lines.lines);
        let inputs = inputs_start(&lines.lines);
        if questions.is_empty() {
            return Err(Error::NotACallPage {
                path: path.to_path_buf(),
                missing: if inputs.is_none() {
                    "no numbered guiding questions and no \"Inputs Received\" section".into()
                } else {
                    "no numbered guiding questions (a list 1., 2., 3. ...)".into()
                },
            });
        }
        let mut page = CallPage {
            path: path.to_path_buf(),
            html: lines.html,
            truncated: lines.truncated,
            title: title(&lines),
            mandate: field(&lines.lines, &words::ISSUED_BY).map(|(value, _)| value),
            deadline: field(&lines.lines, &words::DEADLINE).and_then(|(v, dt)| date(&v, dt)),
            issued: field(&lines.lines, &words::ISSUED).and_then(|(v, dt)| date(&v, dt)),
            questions,
            has_inputs: inputs.is_some(),
            ..CallPage::default()
        };
        let text: Vec<&str> = page.questions.iter().map(|(_, t)| t.as_str()).collect();
        page.language = cfi_ingest::LanguageDetector::default().detect(
            &text.join(" "),
            lines.lang.as_deref().map(|l| l.get(..2).unwrap_or(l)),
        );
        if let Some(start) = inputs {
            read_inputs(&mut page, &lines.lines[start..]);
        }
        Ok(page)
    }
}

fn read_capped(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut bytes = Vec::new();
    file.take(crate::lines::MAX_PAGE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(bytes)
}

/// The title: the page's first level-1 heading, else its `<title>`, else (text) the last
/// line of some words before the first field label or question.
fn title(lines: &PageLines) -> Option<String> {
    let heading = lines
        .lines
        .iter()
        .find(|l| l.heading == 1)
        .map(|l| l.text.clone());
    let from_text = || {
        let end = lines
            .lines
            .iter()
            .position(|l| {
                label_value(&l.text, &words::ISSUED_BY).is_some() || item(&l.text).is_some()
            })
            .unwrap_or(lines.lines.len());
        lines.lines[..end]
            .iter()
            .rev()
            .find(|l| (4..=60).contains(&l.text.split_whitespace().count()))
            .map(|l| l.text.clone())
    };
    let title = heading
        .or_else(|| {
            lines.title.as_ref().map(|t| {
                // "Call for input: X | OHCHR": the site's name goes.
                t.rsplit_once(" | ")
                    .map_or(t.as_str(), |(a, _)| a)
                    .to_string()
            })
        })
        .or_else(from_text)?;
    Some(strip_call_prefix(&title))
}

/// "Call for input: X" -> "X", in the site's languages.
fn strip_call_prefix(title: &str) -> String {
    const PREFIX_WORDS: [&str; 10] = [
        "call",
        "calls",
        "input",
        "inputs",
        "convocatoria",
        "llamado",
        "appel",
        "contributions",
        "questionnaire",
        "призыв",
    ];
    if let Some((head, rest)) = title.split_once(':') {
        let head_words = words::tokens(head);
        if head_words.len() <= 6
            && head_words
                .iter()
                .any(|w| PREFIX_WORDS.contains(&w.as_str()))
            && !rest.trim().is_empty()
        {
            return rest.trim().to_string();
        }
    }
    title.trim().to_string()
}

/// The value after a label on the same line ("Deadline: 30 April 2024"), `Some("")` for a
/// line that is the label alone.
fn label_value(line: &str, labels: &[&str]) -> Option<String> {
    let folded = fold(line);
    labels.iter().find_map(|label| {
        let rest = folded.strip_prefix(label)?;
        if !(rest.is_empty() || rest.starts_with(':') || rest.starts_with(' ')) {
            return None;
        }
        let rest = rest.trim_start_matches(':').trim();
        // The same number of characters from the end of the unfolded line.
        let kept = line
            .chars()
            .rev()
            .take(rest.chars().count())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>();
        Some(kept.trim().to_string())
    })
}

/// A labelled field: its value (the rest of the label's line, or the next line) and the
/// machine-readable date of the line holding it.
fn field(lines: &[Line], labels: &[&str]) -> Option<(String, Option<String>)> {
    lines.iter().enumerate().find_map(|(i, line)| {
        if line.text.split_whitespace().count() > 12 {
            return None;
        }
        // "Issued by" is not the date of issue.
        if labels != words::ISSUED_BY.as_slice()
            && label_value(&line.text, &words::ISSUED_BY).is_some()
        {
            return None;
        }
        let value = label_value(&line.text, labels)?;
        if !value.is_empty() {
            return Some((value, line.datetime.clone()));
        }
        let next = lines.iter().skip(i + 1).find(|l| !l.text.is_empty())?;
        Some((next.text.clone(), next.datetime.clone()))
    })
}

/// A date as pages write it: "30 April 2024", "April 30, 2024", "30 de abril de 2024",
/// "2024-04-30", "30/04/2024", or the line's machine-readable date.
pub fn date(text: &str, datetime: Option<String>) -> Option<NaiveDate> {
    if let Some(d) = datetime
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok())
    {
        return Some(d);
    }
    let words = words::tokens(text);
    let numbers: Vec<u32> = words.iter().filter_map(|w| w.parse().ok()).collect();
    let month = words.iter().find_map(|w| {
        words::MONTHS
            .iter()
            .position(|names| names.contains(&w.as_str()))
            .map(|m| m as u32 + 1)
    });
    let year = numbers
        .iter()
        .copied()
        .find(|n| (1990..=2100).contains(n))?;
    let (month, day) = match month {
        Some(m) => (m, numbers.iter().copied().find(|n| (1..=31).contains(n))?),
        None => {
            // 2024-04-30, or 30/04/2024 (day first, as UN pages write).
            let rest: Vec<u32> = numbers.iter().copied().filter(|&n| n != year).collect();
            let (a, b) = (*rest.first()?, *rest.get(1)?);
            if numbers.first() == Some(&year) {
                (a, b)
            } else {
                (b, a)
            }
        }
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// A numbered list item: "3. Text", "3) Text", "(3) Text".
fn item(line: &str) -> Option<(u32, String)> {
    let line = line
        .trim()
        .trim_start_matches(['*', '•', '·', '-', '–'])
        .trim_start();
    // "Question 3:", "Pregunta 3.", "Q3)", "Вопрос 3" before the number.
    let line = QUESTION_WORDS
        .iter()
        .find_map(|word| {
            let head = line.get(..word.len())?;
            (fold(head) == *word).then(|| line[word.len()..].trim_start())
        })
        .map(|rest| {
            rest.trim_start_matches(['n', 'N', '°', 'º', 'o', '.', '#'])
                .trim_start()
        })
        .unwrap_or(line);
    let line = line.strip_prefix('(').unwrap_or(line);
    let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    let rest = &line[digits.len()..];
    let rest = rest
        .strip_prefix('.')
        .or_else(|| rest.strip_prefix(')'))
        .or_else(|| rest.strip_prefix(':'))
        .or_else(|| rest.strip_prefix(" -"))
        .or_else(|| rest.strip_prefix(" –"))?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let text = rest.trim();
    (text.split_whitespace().count() >= 3)
        .then(|| (digits.parse().ok(), text.to_string()))
        .and_then(|(n, t)| Some((n?, t)))
}

/// Words a page may write before a question's number, folded.
const QUESTION_WORDS: [&str; 6] = ["question", "pregunta", "cuestion", "вопрос", "q", "سؤال"];

/// The guiding questions: the longest run of items numbered 1, 2, 3 ... (blank lines
/// between them allowed; a wrapped item's continuation joined to it).
fn questions(lines: &[Line]) -> Vec<(u32, String)> {
    let mut best: Vec<(u32, String)> = Vec::new();
    let mut run: Vec<(u32, String)> = Vec::new();
    for line in lines {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        match item(text) {
            Some((n, question)) if n as usize == run.len() + 1 => run.push((n, question)),
            Some((1, question)) => {
                if run.len() > best.len() {
                    best = std::mem::take(&mut run);
                }
                run = vec![(1, question)];
            }
            _ => {
                // A continuation of a wrapped item: it did not end its sentence and this
                // line goes on in lower case.
                let continues = run.last().is_some_and(|(_, q)| {
                    !q.ends_with(['.', '?', '!', ':', ';']) && text.starts_with(char::is_lowercase)
                });
                if continues {
                    if let Some((_, q)) = run.last_mut() {
                        q.push(' ');
                        q.push_str(text);
                    }
                    continue;
                }
                if run.len() > best.len() {
                    best = std::mem::take(&mut run);
                }
                run.clear();
            }
        }
    }
    if run.len() > best.len() {
        best = run;
    }
    if best.len() < 2 { Vec::new() } else { best }
}

/// The line after the (last of consecutive) "Inputs Received" headings.
fn inputs_start(lines: &[Line]) -> Option<usize> {
    let is_heading = |l: &Line| {
        let folded = fold(l.text.trim_end_matches(':'));
        words::INPUTS_RECEIVED.contains(&folded.as_str())
    };
    let first = lines.iter().position(is_heading)?;
    let mut end = first + 1;
    while lines
        .get(end)
        .is_some_and(|l| l.text.is_empty() || is_heading(l))
    {
        end += 1;
    }
    Some(end)
}

fn read_inputs(page: &mut CallPage, lines: &[Line]) {
    let mut category = String::new();
    // The heading level categories sit at: a more important heading after them ends the
    // inputs ("Related" under the page's h2 after categories under h3).
    let mut category_level: Option<u8> = None;
    for line in lines {
        // List bullets of a page saved as text.
        let text = line
            .text
            .trim()
            .trim_start_matches(['*', '•', '·', '◦', '▪'])
            .trim();
        if text.is_empty() {
            continue;
        }
        let folded = fold(text);
        let ends = words::PAGE_END.iter().any(|end| folded.starts_with(end))
            || words::FOOTER_START
                .iter()
                .any(|start| folded.starts_with(start))
            || folded.starts_with('©')
            || folded.starts_with("copyright")
            || (line.links.is_empty()
                && words::AFTER_INPUTS.contains(&folded.trim_end_matches(':')));
        let outranks = line.heading > 0
            && line.heading < 7
            && category_level.is_some_and(|level| line.heading < level)
            && !words::is_category(text);
        if ends || outranks {
            break;
        }
        let heading_like = line.heading > 0 && line.links.is_empty();
        // A text page has no headings: a short line made of the words categories are
        // named with ("Défenseurs des droits de l'enfant") is one.
        let text_heading =
            !page.html && words::is_category_like(text) && split_labels(text).is_none();
        if line.links.is_empty()
            && (words::is_category(text)
                || text_heading
                || (heading_like && text.split_whitespace().count() <= 8))
        {
            category = text.trim_end_matches(':').trim().to_string();
            if !page.categories.contains(&category) {
                page.categories.push(category.clone());
            }
            if line.heading > 0 && line.heading < 7 {
                category_level.get_or_insert(line.heading);
            }
            continue;
        }
        // A table's header row saved as text ("Submitter: Documents").
        if line.links.is_empty()
            && text
                .rsplit_once(':')
                .is_some_and(|(_, right)| words::is_column_header(right))
        {
            continue;
        }
        // A sentence of an HTML page with no link is a note about the list, not an entry.
        let prose = page.html
            && line.links.is_empty()
            && text.ends_with('.')
            && text.split_whitespace().count() >= 6;
        if prose {
            continue;
        }
        if let Some(entry) = entry(line, text, page.html, &category) {
            page.entries.push(entry);
        }
    }
    // Before the first category heading of a page that has them, a line without a link is
    // an introduction.
    if !page.categories.is_empty() {
        page.entries
            .retain(|e| !e.category.is_empty() || e.links.iter().any(|l| l.href.is_some()));
    }
}

/// One entry line: "Name", "Name: input | annex-1", or in HTML the same with links.
fn entry(line: &Line, text: &str, html: bool, category: &str) -> Option<Entry> {
    // Link offsets count from the start of the line's text, before any bullet.
    let shift =
        line.text.len() - line.text.trim_start().len() + (line.text.trim().len() - text.len());
    let links: Vec<&crate::lines::Link> = line
        .links
        .iter()
        .filter(|l| !l.href.starts_with('#') && !l.href.starts_with("mailto:"))
        .collect();
    let kind = |label: &str| {
        if words::is_annex_label(label) {
            LinkKind::Annex
        } else {
            LinkKind::Input
        }
    };
    if html && !links.is_empty() {
        let first = links.first()?;
        let name = clean_name(text.get(..first.start.saturating_sub(shift)).unwrap_or(""));
        let mut out: Vec<EntryLink> = links
            .iter()
            .map(|l| EntryLink {
                label: l.text.clone(),
                href: Some(l.href.clone()),
                kind: kind(&l.text),
            })
            .collect();
        let name = if name.is_empty() {
            // The name is the first link: it leads to the input.
            if let Some(link) = out.first_mut() {
                link.kind = LinkKind::Input;
            }
            first.text.clone()
        } else {
            name
        };
        return Some(Entry {
            name,
            category: category.to_string(),
            links: out,
        });
    }
    let (name, labels) = match split_labels(text) {
        Some((name, labels)) => (name, labels),
        None => (clean_name(text), vec![String::new()]),
    };
    if name.is_empty() {
        return None;
    }
    let links = labels
        .into_iter()
        .map(|label| EntryLink {
            kind: kind(&label),
            label: if label.is_empty() {
                name.clone()
            } else {
                label
            },
            href: None,
        })
        .collect();
    Some(Entry {
        name,
        category: category.to_string(),
        links,
    })
}

/// An entry written out with its link texts: "Name: input | annex-1", "Name – Contribution
/// | Annexe 1", "Name (contribution, annexe)". The name and the texts, when every text after
/// the (last such) separator is a link's text.
fn split_labels(text: &str) -> Option<(String, Vec<String>)> {
    let all_labels =
        |parts: &[String]| !parts.is_empty() && parts.iter().all(|p| words::is_link_label(p));
    let mut splits: Vec<(usize, usize)> = Vec::new();
    for separator in [":", " – ", " — ", " - "] {
        splits.extend(text.match_indices(separator).map(|(i, s)| (i, s.len())));
    }
    splits.sort_unstable();
    let by_separator = splits.into_iter().rev().find_map(|(at, len)| {
        let rest = text.get(at + len..)?;
        let parts = split_top_level(rest, &['|']);
        let parts = if parts.len() == 1 {
            split_top_level(rest, &[','])
        } else {
            parts
        };
        all_labels(&parts).then(|| (clean_name(&text[..at]), parts))
    });
    // Else the links in square brackets after the name: "Chile [Input] [Annex I]".
    let by_brackets = || {
        let mut rest = text.trim_end();
        let mut labels = Vec::new();
        while let Some(inner) = rest.strip_suffix(']') {
            let open = inner.rfind('[')?;
            labels.push(inner[open + 1..].trim().to_string());
            rest = inner[..open].trim_end();
        }
        labels.reverse();
        all_labels(&labels).then(|| (clean_name(rest), labels))
    };
    // Else a closing bracket group listing the links.
    by_separator.or_else(by_brackets).or_else(|| {
        let open = trailing_group(text)?;
        let inner = &text[open + 1..text.len() - 1];
        let parts = split_top_level(inner, &[',', '|', ';']);
        all_labels(&parts).then(|| (clean_name(&text[..open]), parts))
    })
}

/// Where the bracket group closing the text opens, if the text ends with one.
fn trailing_group(text: &str) -> Option<usize> {
    if !text.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits on any of `separators` outside brackets; pieces trimmed, empty ones dropped.
fn split_top_level(text: &str, separators: &[char]) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 && separators.contains(&c) => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn clean_name(text: &str) -> String {
    text.trim()
        .trim_end_matches([':', '-', '–', '—', '|', ','])
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> CallPage {
        CallPage::parse(Path::new("page.txt"), text.as_bytes()).expect("a call page")
    }

    #[test]
    fn a_text_page_gives_its_questions_categories_and_entries() {
        let page = parse(
            "Skip to main content\ncall for input | Special Procedures\n\n\
             Call for input: Children and the Digital World\n\nIssued by\n\n\
             Special Rapporteur on things\n\nDeadline\n\n30 April 2024\n\n\
             questions:\n  1. What is the first question here?\n  2. What is the second \n\
             question here?\n\nInputs Received\n\nInputs Received\nStates\n\n\
             Albania: input | annex\n\nChile\n\nCSOs\n\nECPAT: input | annex-1 | annex-2\n\n\
             University of Essex - Dr Francis Rees\n\nVIEW THIS PAGE IN:\n\nEspañol\n",
        );
        assert_eq!(
            page.title.as_deref(),
            Some("Children and the Digital World")
        );
        assert_eq!(
            page.mandate.as_deref(),
            Some("Special Rapporteur on things")
        );
        assert_eq!(
            page.deadline.map(|d| d.to_string()).as_deref(),
            Some("2024-04-30")
        );
        assert_eq!(page.issued, None);
        assert_eq!(
            page.questions,
            [
                (1, "What is the first question here?".to_string()),
                (2, "What is the second question here?".to_string())
            ]
        );
        assert_eq!(page.categories, ["States", "CSOs"]);
        let names: Vec<&str> = page.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Albania",
                "Chile",
                "ECPAT",
                "University of Essex - Dr Francis Rees"
            ]
        );
        let kinds: Vec<LinkKind> = page.entries[2].links.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, [LinkKind::Input, LinkKind::Annex, LinkKind::Annex]);
        assert_eq!(page.entries[1].links.len(), 1);
        assert_eq!(page.entries[3].category, "CSOs");
    }

    #[test]
    fn dates_in_the_forms_pages_write_them() {
        for (text, want) in [
            ("30 April 2024", "2024-04-30"),
            ("April 30, 2024", "2024-04-30"),
            ("30 de abril de 2024", "2024-04-30"),
            ("15 février 2024", "2024-02-15"),
            ("2024-04-30", "2024-04-30"),
            ("30/04/2024", "2024-04-30"),
        ] {
            assert_eq!(
                date(text, None).map(|d| d.to_string()).as_deref(),
                Some(want),
                "{text}"
            );
        }
        assert_eq!(date("Closed", None), None);
    }

    #[test]
    fn a_page_that_is_not_a_call_page_says_what_is_missing() {
        let err = CallPage::parse(
            Path::new("news.html"),
            b"<html><body><p>News of the day</p></body></html>",
        )
        .expect_err("not a call page")
        .to_string();
        assert!(err.contains("news.html"), "{err}");
        assert!(err.contains("no numbered guiding questions"), "{err}");
        assert!(err.contains("Inputs Received"), "{err}");
    }
}
