//! Golden files: what `cfi extract` reads from fixture documents produced by real office
//! software, reviewed by eye when it changes. Regenerate with `CFI_BLESS=1 cargo test -p cfi
//! --test golden` and read the diff before committing it.

use std::path::Path;
use std::process::Command;

const CFI: &str = env!("CARGO_BIN_EXE_cfi");

fn check(fixture: &str, golden: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root
        .join("../../fixtures/calls/sr-children-digital-2024/files")
        .join(fixture);
    let out = Command::new(CFI)
        .arg("extract")
        .arg(&file)
        .output()
        .expect("run cfi");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf8");
    let path = root.join("tests/golden").join(golden);
    if std::env::var("CFI_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &text).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with CFI_BLESS=1 to create it)",
            path.display()
        )
    });
    if text != want {
        let first = text
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(text.lines().count().min(want.lines().count()));
        panic!(
            "{fixture}: extraction changed from {} at line {}:\n  got:  {:?}\n  want: {:?}",
            path.display(),
            first + 1,
            text.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

#[test]
fn pdf_from_libreoffice_with_pages() {
    check("states-chile.pdf", "states-chile.pdf.txt");
}

#[test]
fn docx_with_headings_lists_and_footnotes() {
    check("states-colombia.docx", "states-colombia.docx.txt");
}

#[test]
fn docx_with_automatic_numbering_and_a_table() {
    check("states-malaysia.docx", "states-malaysia.docx.txt");
}
