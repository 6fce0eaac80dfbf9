//! Tests that need a system tool skip, and say so, where it is absent, but never on CI,
//! which installs every tool they need (.ci/run). Other crates' tests include this file
//! (`#[path = "../../extract/tests/common/skip.rs"]`), so every skip reads the same.

/// Says that a test is skipped because a system tool is absent, and returns; on CI
/// (`CI=true`) fails instead.
pub fn skip_without(tool: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{tool} is needed on CI (.ci/run installs it)"
    );
    eprintln!("SKIPPED: {tool} not installed");
}
