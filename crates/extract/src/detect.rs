//! Which reader a file needs: magic bytes first, the extension second.

use std::io::Cursor;
use std::path::Path;

use crate::{Error, Format, Result};

/// The reader for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Pdf,
    Docx,
    /// xlsx, xls or ods, read by calamine.
    Workbook,
    Csv,
    Text,
    /// OpenDocument text.
    Odt,
    Rtf,
    /// Legacy Word, converted by LibreOffice.
    Doc,
}

impl Kind {
    pub(crate) fn format(self) -> Format {
        match self {
            Kind::Pdf => Format::Pdf,
            Kind::Docx => Format::Docx,
            Kind::Workbook | Kind::Csv => Format::Spreadsheet,
            Kind::Text => Format::Text,
            Kind::Odt => Format::Odt,
            Kind::Rtf => Format::Rtf,
            Kind::Doc => Format::Doc,
        }
    }
}

/// The format `bytes` would be read as, or [`Error::Unsupported`] naming what they look like.
pub fn detect_format(path: &Path, bytes: &[u8]) -> Result<Format> {
    detect(path, bytes).map(Kind::format)
}

const OLE2: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

pub(crate) fn detect(path: &Path, bytes: &[u8]) -> Result<Kind> {
    let unsupported = |detected: &str| Error::Unsupported {
        path: path.to_path_buf(),
        detected: detected.to_string(),
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let head = bytes.get(..1024).unwrap_or(bytes);
    if find(head, b"%PDF-").is_some() {
        return Ok(Kind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes, &extension).map_err(|detected| unsupported(&detected));
    }
    if bytes.starts_with(OLE2) {
        // The main stream names the application.
        if ole_entry(bytes, "WordDocument") {
            return Ok(Kind::Doc);
        }
        if ole_entry(bytes, "Workbook") || ole_entry(bytes, "Book") {
            return Ok(Kind::Workbook);
        }
        if ole_entry(bytes, "PowerPoint Document") {
            return Err(unsupported("legacy PowerPoint presentation (.ppt)"));
        }
        if ole_entry(bytes, "EncryptedPackage") {
            return Err(Error::Encrypted {
                path: path.to_path_buf(),
            });
        }
        return Err(unsupported("OLE2 compound file"));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Ok(Kind::Rtf);
    }
    if let Some(kind) = binary_kind(bytes) {
        return Err(unsupported(kind));
    }
    match extension.as_str() {
        "csv" | "tsv" => return Ok(Kind::Csv),
        "txt" | "text" | "md" | "markdown" => return Ok(Kind::Text),
        "pdf" => return Err(unsupported("not a PDF (no %PDF header)")),
        "docx" | "xlsx" | "ods" | "odt" => return Err(unsupported("not a zip container")),
        _ => {}
    }
    if looks_like_text(bytes) {
        return Ok(Kind::Text);
    }
    Err(unsupported("unknown binary data"))
}

fn zip_kind(bytes: &[u8], extension: &str) -> std::result::Result<Kind, String> {
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // A damaged container: let the reader its extension names report the damage.
        return match extension {
            "docx" | "docm" | "dotx" => Ok(Kind::Docx),
            "odt" | "ott" => Ok(Kind::Odt),
            "xlsx" | "xlsm" | "ods" => Ok(Kind::Workbook),
            _ => Err("damaged zip archive".into()),
        };
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok())
        .map(|n| n.into_owned())
        .collect();
    let has = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    let has_prefix = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    if has("word/document.xml") || (has("[Content_Types].xml") && has_prefix("word/")) {
        return Ok(Kind::Docx);
    }
    if has_prefix("xl/") {
        return Ok(Kind::Workbook);
    }
    if has("mimetype") {
        let mut zip = zip;
        let mut mimetype = String::new();
        if let Ok(file) = zip.by_name("mimetype") {
            let _ =
                std::io::Read::read_to_string(&mut std::io::Read::take(file, 200), &mut mimetype);
        }
        return match mimetype.trim() {
            "application/vnd.oasis.opendocument.spreadsheet" => Ok(Kind::Workbook),
            "application/vnd.oasis.opendocument.text"
            | "application/vnd.oasis.opendocument.text-template" => Ok(Kind::Odt),
            "application/vnd.oasis.opendocument.presentation" => {
                Err("OpenDocument presentation (.odp)".into())
            }
            "application/epub+zip" => Err("EPUB book".into()),
            other => Err(format!("zip container of type {other}")),
        };
    }
    if has_prefix("ppt/") {
        return Err("PowerPoint presentation (.pptx)".into());
    }
    Err("zip archive".into())
}

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"II*\x00", "TIFF image"),
        (b"MM\x00*", "TIFF image"),
        (b"\x1f\x8b", "gzip archive"),
        (b"Rar!", "RAR archive"),
        (b"7z\xbc\xaf", "7-Zip archive"),
        (b"%!PS", "PostScript"),
        (b"RIFF", "RIFF media"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// Valid UTF-8 (or UTF-16 with a BOM) without NULs or many control characters.
fn looks_like_text(bytes: &[u8]) -> bool {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return true;
    }
    let sample = bytes.get(..64 * 1024).unwrap_or(bytes);
    let text = match std::str::from_utf8(sample) {
        Ok(text) => text,
        // The sample may end inside a character.
        Err(e) if e.valid_up_to() + 4 >= sample.len() => {
            std::str::from_utf8(sample.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default()
        }
        Err(_) => return false,
    };
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    !text.contains('\0') && controls * 100 <= text.len().max(1)
}

/// Whether an OLE2 compound file has a directory entry called `name`. Entries are 128-byte
/// records on 128-byte boundaries: the UTF-16LE name, then at byte 64 its size in bytes with
/// the terminating NUL. The same characters inside a stream (a Word document's text) are
/// almost never laid out like that.
fn ole_entry(bytes: &[u8], name: &str) -> bool {
    let needle = utf16le(name);
    let size = u16::try_from(needle.len() + 2).unwrap_or(0).to_le_bytes();
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|rest| find(rest, &needle)) {
        let at = from + found;
        if at % 128 == 0
            && bytes.get(at + needle.len()..at + needle.len() + 2) == Some(&[0, 0][..])
            && bytes.get(at + 64..at + 66) == Some(&size[..])
        {
            return true;
        }
        from = at + 1;
    }
    false
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_the_extension() {
        let kind = detect(Path::new("letter.docx"), b"%PDF-1.4\n...").ok();
        assert_eq!(kind, Some(Kind::Pdf));
    }

    #[test]
    fn images_are_unsupported_and_named() {
        let err = detect(Path::new("scan.pdf"), b"\x89PNG\r\n\x1a\n....").err();
        match err {
            Some(Error::Unsupported { detected, .. }) => assert_eq!(detected, "PNG image"),
            other => panic!("expected unsupported, got {other:?}"),
        }
    }

    #[test]
    fn legacy_word_and_rtf_are_recognised() {
        let entry = |name: &str| {
            let mut record = utf16le(name);
            record.resize(64, 0);
            record.extend(u16::try_from(name.len() * 2 + 2).unwrap_or(0).to_le_bytes());
            record.resize(128, 0);
            record
        };
        let mut bytes = OLE2.to_vec();
        bytes.resize(512, 0);
        // "Book" in the document's text does not make it a workbook.
        bytes.extend(utf16le("..Book.."));
        bytes.resize(1024, 0);
        bytes.extend(entry("Root Entry"));
        bytes.extend(entry("WordDocument"));
        assert_eq!(detect(Path::new("old.doc"), &bytes).ok(), Some(Kind::Doc));
        let mut xls = OLE2.to_vec();
        xls.resize(1024, 0);
        xls.extend(entry("Workbook"));
        assert_eq!(
            detect(Path::new("old.xls"), &xls).ok(),
            Some(Kind::Workbook)
        );
        assert_eq!(
            detect(Path::new("letter.txt"), b"{\\rtf1\\ansi hello}").ok(),
            Some(Kind::Rtf)
        );
    }

    #[test]
    fn text_without_extension_is_text() {
        assert_eq!(
            detect(Path::new("README"), b"hello\nworld\n").ok(),
            Some(Kind::Text)
        );
        assert_eq!(
            detect(Path::new("annex.csv"), b"a,b\n1,2\n").ok(),
            Some(Kind::Csv)
        );
    }
}
