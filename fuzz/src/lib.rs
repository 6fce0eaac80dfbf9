//! What the fuzz targets share: one extractor with no external programs and a short time
//! budget, and the fixture call the manifest and query targets read against.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use cfi_extract::{Extractor, Options, Tools};

/// Reading budget per input: far below libFuzzer's `-timeout=10`, so a reader that stops
/// checking its budget shows up as a timeout instead of hiding behind the limit.
pub const TIME_BUDGET: Duration = Duration::from_secs(3);

/// Reads `data` as a file called `name` (the extension is a hint, the bytes decide), as an
/// ingest run would, but without OCR or LibreOffice. Errors are fine; a panic aborts the run
/// (libfuzzer-sys's panic hook) even though `extract_bytes` would catch it.
pub fn extract(name: &str, data: &[u8]) {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    let extractor = EXTRACTOR.get_or_init(|| {
        Extractor::new(&Options::default())
            .tools(Tools::default())
            .time_budget(TIME_BUDGET)
            .ocr_budget(Duration::ZERO)
    });
    if let Ok(document) = extractor.extract_bytes(Path::new(name), data) {
        let _ = document.to_plain_text();
    }
}

/// Separates the parts of an input given as parts (see [`zip_parts`]); it cannot occur in
/// UTF-8 text.
pub const PART_SEPARATOR: &[u8] = b"\xff\xff";

/// A zip container built from `data` when `data` is not a zip itself: `data` split at
/// [`PART_SEPARATOR`] gives the contents of `names`, in order (missing parts are left out, extra
/// ones go to `extra-N.xml`). Random bytes seldom survive a zip's checksums and deflate
/// streams, so this is how the XML readers behind DOCX and ODT get mutated directly.
/// `fuzz/seed.sh` writes seeds in this form from real files.
pub fn zip_parts(data: &[u8], names: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    for (i, part) in split(data, PART_SEPARATOR).into_iter().enumerate() {
        let name = names
            .get(i)
            .map_or_else(|| format!("extra-{i}.xml"), |n| (*n).to_string());
        if zip.start_file(name, options).is_err() || zip.write_all(part).is_err() {
            break;
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn split<'a>(mut data: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(at) = data.windows(separator.len()).position(|w| w == separator) {
        parts.push(&data[..at]);
        data = &data[at + separator.len()..];
    }
    parts.push(data);
    parts
}

/// The demo call folder of the repository.
pub fn fixture_call_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/calls/sr-children-digital-2024")
}

/// The demo call, or a small built-in one when the fixtures are not there.
pub fn fixture_call() -> &'static cfi_core::Call {
    static CALL: OnceLock<cfi_core::Call> = OnceLock::new();
    CALL.get_or_init(|| {
        cfi_core::Call::load(&fixture_call_folder().join("call.toml")).unwrap_or_else(|_| {
            cfi_core::Call::parse(Path::new("call.toml"), BUILT_IN_CALL)
                .expect("the built-in call parses")
        })
    })
}

const BUILT_IN_CALL: &str = r#"
id = "demo"
title = "A call"
mandate = "Special Rapporteur"
issued = 2024-02-15
deadline = 2024-04-30
languages = ["en", "es"]
categories = ["States", "CSOs"]
[[questions]]
number = 7
short = "encryption"
text.en = "How does encryption affect detection?"
[[glossary]]
en = ["end-to-end encryption", "E2EE"]
es = "cifrado de extremo a extremo"
"#;
