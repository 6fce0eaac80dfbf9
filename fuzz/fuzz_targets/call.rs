//! The `call.toml` parser, and the lookups ingest makes on what it returns.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(call) = cfi_core::Call::parse(std::path::Path::new("call.toml"), text) else {
        return;
    };
    for name in &call.categories {
        let _ = call.category(&name.to_uppercase());
    }
    for question in &call.questions {
        let _ = call.question(question.number);
    }
    for entry in &call.glossary {
        let _ = entry.all().count();
    }
});
