//! `cfi init` on the demo call's page fixtures (HTML, Spanish HTML, text) and on the real
//! call page in `../shared/call/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn page_dir() -> PathBuf {
    root().join("fixtures/calls/sr-children-digital-2024/page")
}

/// The cells of each CSV row by header name.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("csv")
}

/// The demo files copied under the names a user's downloads have (downloads.csv).
fn downloads() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = std::fs::read_to_string(page_dir().join("downloads.csv")).expect("downloads.csv");
    for row in csv_rows(&list) {
        let target = dir.path().join(&row["download"]);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(
            root()
                .join("fixtures/calls/sr-children-digital-2024")
                .join(&row["source"]),
            &target,
        )
        .expect("copy");
    }
    dir
}

const FIELDS: [&str; 8] = [
    "file",
    "submitter",
    "category",
    "country",
    "kind",
    "annex_of",
    "language",
    "confidential",
];

/// Rows of the written manifest that differ from the expected one, by file.
fn wrong_rows(dir: &Path) -> (usize, Vec<String>) {
    let expected = csv_rows(
        &std::fs::read_to_string(page_dir().join("expected-manifest.csv")).expect("expected"),
    );
    let got = csv_rows(&std::fs::read_to_string(dir.join("manifest.csv")).expect("manifest"));
    let got: BTreeMap<&str, &BTreeMap<String, String>> =
        got.iter().map(|r| (r["file"].as_str(), r)).collect();
    let mut wrong = Vec::new();
    for want in &expected {
        let Some(row) = got.get(want["file"].as_str()) else {
            wrong.push(format!("{}: no row", want["file"]));
            continue;
        };
        for field in FIELDS {
            if want[field] != row[field] {
                wrong.push(format!(
                    "{}: {field} {:?}, want {:?}",
                    want["file"], row[field], want[field]
                ));
            }
        }
    }
    assert_eq!(got.len(), expected.len(), "one row per file");
    (expected.len(), wrong)
}

#[test]
fn an_html_page_and_its_spanish_version_give_every_row_and_both_languages_questions() {
    let dir = downloads();
    let pages = [
        page_dir().join("call-page.html"),
        page_dir().join("call-page-es.html"),
    ];
    let draft = cfi_init::draft(&pages, dir.path()).expect("draft");
    draft.write(false).expect("write");
    let (_, wrong) = wrong_rows(dir.path());
    assert!(wrong.is_empty(), "{wrong:#?}");

    // call.toml is a valid call with the nine questions verbatim in both languages.
    let call = cfi_core::Call::load(&dir.path().join("call.toml")).expect("a valid call.toml");
    let demo =
        cfi_core::Call::load(&root().join("fixtures/calls/sr-children-digital-2024/call.toml"))
            .expect("demo call");
    assert_eq!(call.questions.len(), 9);
    for (ours, theirs) in call.questions.iter().zip(&demo.questions) {
        assert_eq!(ours.number, theirs.number);
        // The page keeps the real page's typographic apostrophes; call.toml straight ones.
        for language in ["en", "es"] {
            assert_eq!(
                ours.text[language].replace('’', "'"),
                theirs.text[language],
                "question {}",
                ours.number
            );
        }
        assert!(!ours.short.is_empty() && ours.short.split_whitespace().count() <= 6);
    }
    assert_eq!(call.title, demo.title);
    assert_eq!(call.categories, demo.categories);
    assert_eq!(call.deadline, demo.deadline);
    assert!(call.mandate.starts_with("Special Rapporteur on the sale"));
    for language in ["en", "es", "fr", "ru"] {
        assert!(
            call.languages.iter().any(|l| l == language),
            "{:?}",
            call.languages
        );
    }

    let report = draft.report();
    assert!(report.contains("email/ATT00001.pdf"), "{report}");
    assert!(
        report.contains("Northbridge Youth Online Safety Forum"),
        "an entry with no file is named: {report}"
    );
    assert!(report.contains("cfi ingest"), "{report}");
    // Never over a call folder already made.
    let again = cfi_init::draft(&pages, dir.path()).expect("draft");
    let err = again
        .write(false)
        .expect_err("call.toml exists")
        .to_string();
    assert!(err.contains("--force"), "{err}");
    again.write(true).expect("forced");
}

#[test]
fn a_text_page_matches_files_by_their_names_and_title_pages() {
    let dir = downloads();
    let draft = cfi_init::draft(&[page_dir().join("call-page.txt")], dir.path()).expect("draft");
    draft.write(false).expect("write");
    let (total, wrong) = wrong_rows(dir.path());
    let wrong_files: std::collections::BTreeSet<&str> =
        wrong.iter().filter_map(|w| w.split(": ").next()).collect();
    let right = total - wrong_files.len();
    assert!(
        right as f64 >= 0.9 * total as f64,
        "{right} of {total} rows right: {wrong:#?}"
    );
    // The two files the page does not list are named for review, confidential.
    let report = draft.report();
    for file in [
        "email/ATT00001.pdf",
        "email/Re_ UN SR call - our input (confidential).pdf",
    ] {
        assert!(report.contains(file), "{report}");
        let row = draft.rows.iter().find(|r| r.file == file).expect("a row");
        assert!(row.confidential && row.category.is_empty(), "{row:?}");
    }
}

#[test]
fn the_real_call_page_gives_its_questions_categories_and_entries() {
    let seed = root().join("../shared/call/call-for-input-2024.txt");
    if !seed.is_file() {
        println!("SKIPPED: {} is absent", seed.display());
        return;
    }
    let page = cfi_init::CallPage::read(&seed).expect("the real page reads");
    let text = std::fs::read_to_string(&seed).expect("read");
    assert_eq!(page.questions.len(), 9);
    for (n, question) in &page.questions {
        assert!(
            text.contains(&format!("{n}. {question}")),
            "question {n} is verbatim: {question}"
        );
    }
    assert_eq!(
        page.title.as_deref(),
        Some(
            "Existing and Emerging Sexually Exploitative Practices against Children in the Digital Environment"
        )
    );
    assert_eq!(
        page.mandate.as_deref(),
        Some("Special Rapporteur on the sale and sexual exploitation of children")
    );
    let per_category: Vec<(String, usize, usize)> = page
        .categories
        .iter()
        .map(|c| {
            let entries: Vec<&cfi_init::Entry> =
                page.entries.iter().filter(|e| &e.category == c).collect();
            (
                c.clone(),
                entries.len(),
                entries.iter().map(|e| e.links.len()).sum(),
            )
        })
        .collect();
    let want: Vec<(String, usize, usize)> = [
        ("States", 14, 15),
        ("NHRIs", 2, 2),
        ("UN entities", 4, 4),
        ("Regional mechanism", 2, 2),
        ("National mechanism", 2, 2),
        ("Children's Commissioners", 4, 6),
        ("CSOs", 24, 36),
        ("Academia", 10, 10),
        ("Private sector", 1, 1),
        ("Other stakeholders", 2, 2),
    ]
    .iter()
    .map(|(c, e, l)| (c.to_string(), *e, *l))
    .collect();
    assert_eq!(per_category, want);
    let sweden = page
        .entries
        .iter()
        .find(|e| e.name == "ECPAT Sweden")
        .expect("ECPAT Sweden");
    assert_eq!(sweden.links.len(), 10);
    assert_eq!(
        sweden
            .links
            .iter()
            .filter(|l| l.kind == cfi_init::LinkKind::Annex)
            .count(),
        9
    );
}

#[test]
fn a_page_that_is_no_call_page_is_refused_with_what_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("news.html");
    std::fs::write(
        &page,
        "<html><body><h1>News</h1><p>Nothing here.</p></body></html>",
    )
    .expect("write");
    let err = cfi_init::draft(&[page], dir.path())
        .expect_err("not a call page")
        .to_string();
    assert!(err.contains("news.html"), "{err}");
    assert!(err.contains("no numbered guiding questions"), "{err}");
}

#[test]
fn a_zip_of_annexes_is_unpacked_and_its_files_are_the_entry_s_annexes() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = root().join("fixtures/calls/sr-children-digital-2024/files");
    std::fs::copy(
        demo.join("states-chile.pdf"),
        dir.path().join("Chile input.pdf"),
    )
    .expect("copy");
    let mut zip = zip::ZipWriter::new(
        std::fs::File::create(dir.path().join("Chile annexes.zip")).expect("create"),
    );
    for (name, source) in [
        ("Annex 1.pdf", "states-chile-annex-1.pdf"),
        ("../../escape.pdf", "states-chile-annex-1.pdf"),
        ("sub/Annex 2.xlsx", "states-malaysia-annex-statistics.xlsx"),
    ] {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        zip.write_all(&std::fs::read(demo.join(source)).expect("read"))
            .expect("write");
    }
    zip.finish().expect("finish");
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<html><body><h1>Call for input: A test call</h1><ol><li>What is the first question?</li>\
         <li>What is the second question?</li></ol><h2>Inputs Received</h2><h3>States</h3>\
         <p>Chile: <a href='https://x.org/Chile%20input.pdf'>input</a> | \
         <a href='https://x.org/Chile%20annexes.zip'>annexes</a></p></body></html>",
    )
    .expect("write");
    let draft = cfi_init::draft(&[page], dir.path()).expect("draft");
    let rows: Vec<(&str, cfi_init::LinkKind, Option<&str>)> = draft
        .rows
        .iter()
        .map(|r| (r.file.as_str(), r.kind, r.annex_of.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Chile input.pdf", cfi_init::LinkKind::Input, None),
            (
                "Chile annexes/Annex 1.pdf",
                cfi_init::LinkKind::Annex,
                Some("Chile input.pdf")
            ),
            (
                "Chile annexes/sub/Annex 2.xlsx",
                cfi_init::LinkKind::Annex,
                Some("Chile input.pdf")
            ),
        ]
    );
    assert!(!dir.path().join("escape.pdf").exists());
    assert!(
        draft.report().contains("leaves the archive's folder"),
        "{}",
        draft.report()
    );
}
