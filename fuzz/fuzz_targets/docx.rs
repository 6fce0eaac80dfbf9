//! The DOCX reader, through `extract_bytes` as ingest calls it. An input that is not a zip is
//! read as the parts of one (see `cfi_fuzz::zip_parts`): document, styles, numbering, footnotes,
//! endnotes, a header, the relationships.
#![no_main]

const PARTS: [&str; 8] = [
    "word/document.xml",
    "word/styles.xml",
    "word/numbering.xml",
    "word/footnotes.xml",
    "word/endnotes.xml",
    "word/header1.xml",
    "_rels/.rels",
    "[Content_Types].xml",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK") {
        cfi_fuzz::extract("fuzz.docx", data);
    } else {
        cfi_fuzz::extract("fuzz.docx", &cfi_fuzz::zip_parts(data, &PARTS));
    }
});
