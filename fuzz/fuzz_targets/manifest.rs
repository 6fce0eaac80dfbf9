//! The call folder's manifest reader: csv, or a workbook (xlsx, ods, xls) when the bytes are a
//! zip or an OLE2 file, checked against the demo call, with the files it names looked up in the
//! demo call folder (so rows naming real files are read to the end).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let name = if data.starts_with(b"PK") || data.starts_with(b"\xd0\xcf\x11\xe0") {
        "manifest.xlsx"
    } else {
        "manifest.csv"
    };
    let path = cfi_fuzz::fixture_call_folder().join(name);
    if let Ok((entries, problems)) = cfi_core::read_manifest(cfi_fuzz::fixture_call(), &path, data)
    {
        for problem in problems {
            let _ = problem.to_string();
        }
        for entry in entries {
            let _ = cfi_core::submission_id(&entry.file);
        }
    }
});
