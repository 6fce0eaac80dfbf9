//! The call page reader of `cfi init` (HTML or text, from anyone's browser).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(page) = cfi_init::CallPage::parse(std::path::Path::new("page.html"), data) {
        for entry in &page.entries {
            for link in &entry.links {
                if let Some(href) = &link.href {
                    let _ = cfi_init::matching::last_segment(href);
                }
            }
        }
    }
});
