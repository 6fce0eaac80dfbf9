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
