//! Helpers for the integration tests: the wild corpus, text comparison, test documents.

use std::path::PathBuf;

use unicode_normalization::UnicodeNormalization;

mod skip;
pub use skip::skip_without;

/// `shared/wild` beside the repository, when it is there.
pub fn wild_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/wild"));
    dir.join("MANIFEST.tsv").is_file().then_some(dir)
}

/// NFKC, whitespace collapsed: the comparison the corpus README asks for (case kept).
pub fn normalise(text: &str) -> String {
    let folded: String = text.nfkc().collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One row of MANIFEST.tsv.
pub struct WildFile {
    pub file: String,
    pub special: String,
    pub expected_file: String,
}

pub fn manifest(dir: &std::path::Path) -> Vec<WildFile> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Some(WildFile {
                file: cols.first()?.to_string(),
                special: cols.get(6).copied().unwrap_or("").to_string(),
                expected_file: cols.get(7).copied().unwrap_or("").to_string(),
            })
        })
        .collect()
}

/// Passwords the `special` column names: quoted ones, the word after "pw", "four spaces".
pub fn passwords(special: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = special;
    while let Some(start) = rest.find('\'') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('\'') else { break };
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    let words: Vec<&str> = special.split_whitespace().collect();
    for pair in words.windows(2) {
        if pair[0] == "pw" {
            out.push(
                pair[1]
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_string(),
            );
        }
    }
    if special.contains("four spaces") {
        out.push("    ".into());
    }
    out
}
