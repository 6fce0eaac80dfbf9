//! Golden files: what `cfi extract` reads from every document of the demo call, produced
//! by real office software, reviewed by eye when it changes. Regenerate with
//! `CFI_BLESS=1 cargo test -p cfi --test golden` and read the diff before committing it.

use std::path::Path;
use std::process::Command;

const CFI: &str = env!("CARGO_BIN_EXE_cfi");

#[test]
fn every_fixture_document_reads_as_its_golden_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = root.join("../../fixtures/calls/sr-children-digital-2024/files");
    let golden = root.join("tests/golden");
    let bless = std::env::var("CFI_BLESS").as_deref() == Ok("1");
    let mut names: Vec<String> = std::fs::read_dir(&files)
        .expect("fixture files")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 28, "the demo call has its files: {names:?}");
    let mut changed = Vec::new();
    for name in &names {
        let out = Command::new(CFI)
            .arg("extract")
            .arg(files.join(name))
            .output()
            .expect("run cfi");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf8");
        let path = golden.join(format!("{name}.txt"));
        if bless {
            std::fs::write(&path, &text).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if text != want {
            let line = text
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(text.lines().count().min(want.lines().count()));
            changed.push(format!(
                "{name} from line {}: got {:?}, want {:?}",
                line + 1,
                text.lines().nth(line),
                want.lines().nth(line)
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "extraction changed (CFI_BLESS=1 to accept after reading the diff):\n{}",
        changed.join("\n")
    );
}
