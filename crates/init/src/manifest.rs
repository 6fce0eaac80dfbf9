//! The drafted `manifest.csv`: one row per file, in the columns the manifest reader
//! (`cfi_core::read_manifest`) takes, written as [`cfi_core::write_csv_row`] writes CSV, so the
//! reader gets back every name as the page gave it.

use crate::draft::Row;
use crate::page::LinkKind;

/// The columns of the drafted manifest: those the reader takes (`received` left for staff to
/// fill in), and `review`, what staff should check, which the reader ignores.
const COLUMNS: [&str; 10] = [
    "file",
    "submitter",
    "category",
    "country",
    "kind",
    "annex_of",
    "language",
    "confidential",
    "received",
    "review",
];

/// The text of `manifest.csv` for the draft's rows.
pub(crate) fn manifest_csv(rows: &[Row]) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = cfi_core::write_csv_row(&mut out, COLUMNS);
    for row in rows {
        let cells = [
            row.file.as_str(),
            &row.submitter,
            &row.category,
            row.country.as_deref().unwrap_or_default(),
            match row.kind {
                LinkKind::Input => "input",
                LinkKind::Annex => "annex",
            },
            row.annex_of.as_deref().unwrap_or_default(),
            row.language.as_deref().unwrap_or_default(),
            if row.confidential { "yes" } else { "no" },
            "",
            row.review.as_deref().unwrap_or_default(),
        ];
        let _ = cfi_core::write_csv_row(&mut out, cells);
    }
    // Every cell was a `str`, so the text is UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;

    const CALL: &str = r#"
id = "demo"
title = "A call"
mandate = "Special Rapporteur"
issued = 2024-02-15
deadline = 2024-04-30
languages = ["en"]
categories = ["States", "CSOs"]
[[questions]]
number = 1
short = "x"
text.en = "y"
"#;

    /// Files named as downloads may be: a comma, quotes, an accent, a formula character.
    const FILES: [&str; 3] = [
        "files/Réponse, v2.pdf",
        "files/\"Kids\" annex.docx",
        "files/=sum.xlsx",
    ];

    /// A name as a page may give it: commas, quotes, line breaks, apostrophes, formula
    /// characters, other scripts. Trimmed, as the reader trims every cell.
    fn name() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            prop::sample::select(vec![",", "\"", "\n", "\r\n", "'", "=", "+", "-", "@", " "])
                .prop_map(str::to_string),
            "[a-zA-Z]{1,6}",
            "\\PC{1,4}",
        ];
        prop::collection::vec(piece, 1..8)
            .prop_map(|pieces| pieces.concat().trim().to_string())
            .prop_filter("a name", |name| !name.is_empty())
    }

    fn row() -> impl Strategy<Value = (String, &'static str, Option<String>, bool, String)> {
        (
            name(),
            prop::sample::select(vec!["", "States", "CSOs"]),
            prop::option::of(name()),
            any::<bool>(),
            name(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// What the drafted manifest says of each file reads back the same through the
        /// manifest reader that ingest runs.
        #[test]
        fn the_drafted_manifest_reads_back_as_drafted(
            drafted in prop::collection::vec(row(), 1..=3),
            last_is_annex in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::create_dir(dir.path().join("files")).expect("mkdir");
            for file in FILES {
                std::fs::write(dir.path().join(file), b"x").expect("write");
            }
            let count = drafted.len();
            let rows: Vec<Row> = drafted
                .into_iter()
                .zip(FILES)
                .enumerate()
                .map(|(i, ((submitter, category, country, confidential, review), file))| {
                    let annex = last_is_annex && count > 1 && i == count - 1;
                    Row {
                        file: file.to_string(),
                        submitter,
                        category: category.to_string(),
                        country,
                        kind: if annex { LinkKind::Annex } else { LinkKind::Input },
                        annex_of: annex.then(|| FILES[0].to_string()),
                        language: confidential.then(|| "es".to_string()),
                        confidential,
                        confidence: 1.0,
                        review: Some(review),
                    }
                })
                .collect();
            let text = manifest_csv(&rows);
            let call = cfi_core::Call::parse(Path::new("call.toml"), CALL).expect("call");
            let (entries, problems) =
                cfi_core::read_manifest(&call, &dir.path().join("manifest.csv"), text.as_bytes())
                    .expect("a manifest");
            prop_assert!(problems.is_empty(), "{problems:?}\n{text}");
            prop_assert_eq!(entries.len(), rows.len(), "{}", text);
            for (i, (entry, row)) in entries.iter().zip(&rows).enumerate() {
                prop_assert_eq!(entry.row, i + 2);
                prop_assert_eq!(&entry.file, &row.file);
                prop_assert_eq!(&entry.submitter, &row.submitter, "{}", text);
                prop_assert_eq!(&entry.category, &row.category);
                prop_assert_eq!(&entry.country, &row.country, "{}", text);
                prop_assert_eq!(entry.kind == cfi_core::Kind::Annex, row.kind == LinkKind::Annex);
                let input = row
                    .annex_of
                    .as_ref()
                    .and_then(|file| entries.iter().find(|e| &e.file == file));
                prop_assert_eq!(entry.annex_of.as_ref(), input.map(|e| &e.id));
                prop_assert_eq!(&entry.language, &row.language);
                prop_assert_eq!(entry.confidential, row.confidential);
            }
        }
    }
}
