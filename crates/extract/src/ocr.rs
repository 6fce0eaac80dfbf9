//! OCR of scanned PDF pages: `pdftoppm` renders the page, `tesseract` reads the image.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::limits::MAX_TOOL_TIME;
use crate::tools::{RunError, run};
use crate::{Block, BlockKind, Extractor};

/// Resolution pages are rendered at for OCR, in dots per inch.
const OCR_DPI: f64 = 200.0;
/// Longest side of a rendered page in pixels: a poster-sized page is scaled down to it.
const MAX_OCR_PIXELS: f64 = 5000.0;

/// The languages OCR tries when none are chosen: the working languages most submissions to
/// a call are written in (English, Spanish, French), as tesseract codes.
pub fn default_ocr_languages() -> Vec<String> {
    ocr_languages(&["en", "es", "fr"])
}

/// Tesseract codes for ISO 639-1 codes ("es" -> "spa"); three-letter and tesseract codes
/// ("spa", "chi_sim") pass as they are, others are dropped. Order is kept, repeats removed.
pub fn ocr_languages(codes: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in codes {
        let code = code.trim().to_ascii_lowercase();
        let mapped = match code.as_str() {
            "en" => "eng",
            "es" => "spa",
            "fr" => "fra",
            "ru" => "rus",
            "ar" => "ara",
            "zh" => "chi_sim",
            "pt" => "por",
            "de" => "deu",
            "it" => "ita",
            "nl" => "nld",
            "uk" => "ukr",
            "tr" => "tur",
            "fa" => "fas",
            "hi" => "hin",
            "ja" => "jpn",
            "ko" => "kor",
            "id" => "ind",
            "sw" => "swa",
            "pl" => "pol",
            "el" => "ell",
            "he" => "heb",
            other
                if other.len() >= 3
                    && other.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
            {
                other
            }
            _ => continue,
        };
        if !out.iter().any(|l| l == mapped) {
            out.push(mapped.to_string());
        }
    }
    out
}

/// A page to read by OCR.
pub(crate) struct ScannedPage {
    /// 1-based.
    pub(crate) number: u32,
    /// Longest side of the displayed page in points.
    pub(crate) longest_side: f64,
}

/// What OCR made of the scanned pages.
pub(crate) struct OcrResult {
    /// Blocks of the pages read, by page.
    pub(crate) pages: Vec<(u32, Vec<Block>)>,
    /// Pages that could not be read.
    pub(crate) unread: Vec<u32>,
}

/// Reads `pages` of the PDF in `bytes` by OCR; without the programs every page is unread.
pub(crate) fn read_pages(bytes: &[u8], pages: &[ScannedPage], extractor: &Extractor) -> OcrResult {
    let mut result = OcrResult {
        pages: Vec::new(),
        unread: Vec::new(),
    };
    let all_unread = || pages.iter().map(|p| p.number).collect::<Vec<_>>();
    let (Some(tesseract), Some(pdftoppm)) = (&extractor.tools.tesseract, &extractor.tools.pdftoppm)
    else {
        result.unread = all_unread();
        return result;
    };
    let Some(dir) = tempfile::tempdir().ok() else {
        result.unread = all_unread();
        return result;
    };
    let pdf = dir.path().join("scan.pdf");
    if std::fs::write(&pdf, bytes).is_err() {
        result.unread = all_unread();
        return result;
    }
    let languages = installed(tesseract, &extractor.languages);
    let deadline = Instant::now() + extractor.ocr_budget;
    for page in pages {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            result.unread.push(page.number);
            continue;
        }
        let timeout = left.min(MAX_TOOL_TIME);
        let image = dir.path().join(format!("page-{}", page.number));
        let read = render(
            pdftoppm,
            &pdf,
            page,
            &image,
            extractor.options.password.as_deref(),
            timeout,
        )
        .and_then(|png| {
            let left = deadline.saturating_duration_since(Instant::now());
            recognise(tesseract, &png, &languages, left.min(MAX_TOOL_TIME))
        });
        match read {
            Ok(text) => {
                let blocks = text_blocks(&text)
                    .into_iter()
                    .map(|text| {
                        let mut block = Block::new(BlockKind::Paragraph, text);
                        block.page = Some(page.number);
                        block.ocr = true;
                        block
                    })
                    .collect();
                result.pages.push((page.number, blocks));
            }
            Err(_) => result.unread.push(page.number),
        }
        let _ = std::fs::remove_file(image.with_extension("png"));
    }
    result
}

/// Renders one page to `{image}.png`, grey, at [`OCR_DPI`] or smaller for very large pages.
fn render(
    pdftoppm: &Path,
    pdf: &Path,
    page: &ScannedPage,
    image: &Path,
    password: Option<&str>,
    timeout: Duration,
) -> Result<std::path::PathBuf, RunError> {
    let number = page.number.to_string();
    let mut command = Command::new(pdftoppm);
    command.args(["-f", &number, "-l", &number, "-gray", "-png", "-singlefile"]);
    if page.longest_side * OCR_DPI / 72.0 > MAX_OCR_PIXELS {
        command.args(["-scale-to", &format!("{MAX_OCR_PIXELS}")]);
    } else {
        command.args(["-r", &format!("{OCR_DPI}")]);
    }
    if let Some(password) = password {
        command.args(["-upw", password]);
    }
    command.arg(pdf).arg(image);
    run(command, timeout)?;
    Ok(image.with_extension("png"))
}

fn recognise(
    tesseract: &Path,
    png: &Path,
    languages: &[String],
    timeout: Duration,
) -> Result<String, RunError> {
    let mut command = Command::new(tesseract);
    command.arg(png).arg("stdout");
    if !languages.is_empty() {
        command.args(["-l", &languages.join("+")]);
    }
    // Pages are read one after another; tesseract's own threads only contend with the batch.
    command.env("OMP_THREAD_LIMIT", "1");
    let out = run(command, timeout)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The wanted languages tesseract has models for; English when it has none of them, nothing
/// (tesseract's default) when the list cannot be had.
fn installed(tesseract: &Path, wanted: &[String]) -> Vec<String> {
    let mut command = Command::new(tesseract);
    command.arg("--list-langs");
    let Ok(out) = run(command, Duration::from_secs(20)) else {
        return Vec::new();
    };
    let list = String::from_utf8_lossy(&out);
    let have: Vec<&str> = list
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let chosen: Vec<String> = wanted
        .iter()
        .filter(|w| have.contains(&w.as_str()))
        .cloned()
        .collect();
    if chosen.is_empty() && have.contains(&"eng") {
        return vec!["eng".into()];
    }
    chosen
}

/// Tesseract's text as paragraphs: blank lines part them, a word broken by a hyphen at a line
/// end is joined, and lines with no letter or digit (rules, specks) are dropped.
pub(crate) fn text_blocks(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        if current.chars().any(char::is_alphanumeric) {
            paragraphs.push(std::mem::take(current));
        } else {
            current.clear();
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line == "\u{c}" {
            flush(&mut current);
            continue;
        }
        if !line.chars().any(char::is_alphanumeric) {
            continue;
        }
        if current.is_empty() {
            current.push_str(line);
        } else if current.ends_with('-')
            && current
                .chars()
                .rev()
                .nth(1)
                .is_some_and(char::is_alphabetic)
            && line.chars().next().is_some_and(char::is_lowercase)
        {
            current.pop();
            current.push_str(line);
        } else {
            current.push(' ');
            current.push_str(line);
        }
    }
    flush(&mut current);
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_codes_map_to_tesseract_codes() {
        assert_eq!(
            ocr_languages(&["es", "EN", "spa", "ru"]),
            ["spa", "eng", "rus"]
        );
        assert_eq!(ocr_languages(&["chi_sim", "x", ""]), ["chi_sim"]);
        assert_eq!(default_ocr_languages(), ["eng", "spa", "fra"]);
    }

    #[test]
    fn ocr_text_becomes_paragraphs() {
        let text = "Derechos de los ni-\nños en el entorno\ndigital\n\n|\n— —\n\nSecond para-\nGraph\n\u{c}";
        assert_eq!(
            text_blocks(text),
            [
                "Derechos de los niños en el entorno digital",
                "Second para- Graph"
            ]
        );
    }
}
