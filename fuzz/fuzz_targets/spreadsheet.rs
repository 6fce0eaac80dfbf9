//! The spreadsheet readers (xlsx, ods, xls through calamine, csv by hand). The first bytes
//! pick the extension the way a submitter's file would carry it: a zip is an `.xlsx` (or an
//! `.ods`, which the reader tells from its mimetype), an OLE2 file an `.xls`, the rest `.csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let name = if data.starts_with(b"PK") {
        "fuzz.xlsx"
    } else if data.starts_with(b"\xd0\xcf\x11\xe0") {
        "fuzz.xls"
    } else {
        "fuzz.csv"
    };
    cfi_fuzz::extract(name, data);
});
