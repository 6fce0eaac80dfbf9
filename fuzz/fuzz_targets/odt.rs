//! The ODT reader, through `extract_bytes` as ingest calls it. An input that is not a zip is
//! read as the parts of one (see `cfi_fuzz::zip_parts`): content, styles, meta, after the
//! mimetype that makes it an ODT.
#![no_main]

const PARTS: [&str; 4] = ["mimetype", "content.xml", "styles.xml", "meta.xml"];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK") {
        cfi_fuzz::extract("fuzz.odt", data);
    } else {
        let mut parts = b"application/vnd.oasis.opendocument.text".to_vec();
        parts.extend_from_slice(cfi_fuzz::PART_SEPARATOR);
        parts.extend_from_slice(data);
        cfi_fuzz::extract("fuzz.odt", &cfi_fuzz::zip_parts(&parts, &PARTS));
    }
});
