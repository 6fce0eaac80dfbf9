//! The rtf reader, through `extract_bytes` as ingest calls it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cfi_fuzz::extract("fuzz.rtf", data));
