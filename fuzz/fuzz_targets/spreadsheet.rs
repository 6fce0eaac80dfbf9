//! The spreadsheet readers (xlsx, ods, xls through calamine; csv by hand), through
//! `extract_bytes` as ingest calls it. The first bytes pick the format: a zip is an `.xlsx` (or
//! an `.ods`, told from its mimetype), an OLE2 file an `.xls`; a leading 0xFF byte makes the rest
//! the parts of an xlsx, 0xFE of an ods (see `cfi_fuzz::zip_parts`); anything else is a `.csv`.
#![no_main]

const XLSX_PARTS: [&str; 7] = [
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "[Content_Types].xml",
    "_rels/.rels",
];
const ODS_PARTS: [&str; 3] = ["mimetype", "content.xml", "META-INF/manifest.xml"];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0xff, rest)) => {
            cfi_fuzz::extract("fuzz.xlsx", &cfi_fuzz::zip_parts(rest, &XLSX_PARTS));
        }
        Some((0xfe, rest)) => {
            let mut parts = b"application/vnd.oasis.opendocument.spreadsheet".to_vec();
            parts.extend_from_slice(cfi_fuzz::PART_SEPARATOR);
            parts.extend_from_slice(rest);
            cfi_fuzz::extract("fuzz.ods", &cfi_fuzz::zip_parts(&parts, &ODS_PARTS));
        }
        _ if data.starts_with(b"PK") => cfi_fuzz::extract("fuzz.xlsx", data),
        _ if data.starts_with(b"\xd0\xcf\x11\xe0") => cfi_fuzz::extract("fuzz.xls", data),
        _ => cfi_fuzz::extract("fuzz.csv", data),
    }
});
