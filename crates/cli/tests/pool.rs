//! The ingest run's reader pool as a user meets it: any number of reader threads gives the
//! same index, and a file that never answers is cut off while the rest of the batch lands.

use std::path::{Path, PathBuf};
use std::process::Command;

const CFI: &str = env!("CARGO_BIN_EXE_cfi");

fn demo_call() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/calls/sr-children-digital-2024")
}

fn cfi(args: &[&str], path: Option<&str>) -> (bool, String, String) {
    let mut command = Command::new(CFI);
    command.args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let out = command.output().expect("run cfi");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every passage of an index as exported, sorted, so two indexes compare line by line.
fn export(index: &Path) -> Vec<String> {
    let (ok, out, err) = cfi(
        &[
            "export",
            "--index",
            &index.to_string_lossy(),
            "--format",
            "jsonl",
        ],
        None,
    );
    assert!(ok, "export failed: {err}");
    let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn one_reader_and_many_readers_build_the_same_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo_call();
    let mut exports = Vec::new();
    for jobs in ["1", "3"] {
        let index = dir.path().join(format!("jobs-{jobs}"));
        let (ok, out, err) = cfi(
            &[
                "ingest",
                &demo.to_string_lossy(),
                "--index",
                &index.to_string_lossy(),
                "--jobs",
                jobs,
            ],
            None,
        );
        assert!(ok, "ingest --jobs {jobs} failed: {out}\n{err}");
        assert!(out.contains("of 28 files"), "{out}");
        exports.push(export(&index));
    }
    assert!(exports[0].len() > 200, "{} passages", exports[0].len());
    assert_eq!(exports[0], exports[1]);
}

/// The first bytes of a legacy Word file: an OLE2 header and a `WordDocument` directory
/// entry, enough for the reader to hand the file to `soffice`.
fn legacy_word_header() -> Vec<u8> {
    let mut bytes = vec![0u8; 1024];
    bytes[..8].copy_from_slice(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1");
    let name: Vec<u8> = "WordDocument"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    bytes[512..512 + name.len()].copy_from_slice(&name);
    let size = u16::try_from(name.len() + 2)
        .expect("short name")
        .to_le_bytes();
    bytes[512 + 64..512 + 66].copy_from_slice(&size);
    bytes
}

#[test]
fn a_file_that_never_answers_is_cut_off_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A converter that hangs: the legacy .doc reader calls `soffice`, which here never ends.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let soffice = bin.join("soffice");
    std::fs::write(&soffice, "#!/bin/sh\nsleep 30\n").expect("write");
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(&soffice)
        .status()
        .expect("chmod");
    assert!(chmod.success());

    let call = dir.path().join("call");
    std::fs::create_dir_all(call.join("files")).expect("mkdir");
    std::fs::write(
        call.join("call.toml"),
        "id = \"tiny\"\ntitle = \"Tiny call\"\nmandate = \"SR\"\nissued = 2024-01-01\ndeadline = 2024-02-01\nlanguages = [\"en\"]\ncategories = [\"States\", \"CSOs\"]\n[[questions]]\nnumber = 1\nshort = \"Facilitation\"\ntext.en = \"How are technologies used to facilitate abuse?\"\n",
    )
    .expect("write");
    std::fs::write(call.join("files/stuck.doc"), legacy_word_header()).expect("write");
    std::fs::write(
        call.join("files/good.txt"),
        "SYNTHETIC TEST DOCUMENT\n\nQuestion 1\n\nOffenders use encrypted messaging apps and livestreaming platforms to contact children, and grooming often starts on gaming platforms before moving to private channels.\n",
    )
    .expect("write");
    std::fs::write(
        call.join("manifest.csv"),
        "file,submitter,category,country,kind,annex_of,language,confidential,received\n\
         files/stuck.doc,Stuck Org,CSOs,,input,,en,no,2024-01-10\n\
         files/good.txt,Good State,States,Chile,input,,en,no,2024-01-11\n",
    )
    .expect("write");

    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let index = dir.path().join("index");
    let started = std::time::Instant::now();
    let (ok, out, err) = cfi(
        &[
            "ingest",
            &call.to_string_lossy(),
            "--index",
            &index.to_string_lossy(),
            "--file-timeout",
            "2",
        ],
        Some(&path),
    );
    assert!(ok, "the good file should land: {out}\n{err}");
    assert!(
        out.contains("stuck.doc") && out.contains("time limit per file"),
        "{out}"
    );
    assert!(out.contains("from 1 of 2 files"), "{out}");
    // The message names the file as the manifest does, not where the folder sits.
    assert!(!out.contains(&call.display().to_string()), "{out}");
    // Not a timing assertion: only that the run did not wait for the 30 s converter.
    assert!(started.elapsed().as_secs() < 25, "{:?}", started.elapsed());
    let (ok, out, _) = cfi(
        &["search", "grooming", "--index", &index.to_string_lossy()],
        None,
    );
    assert!(ok && out.contains("Good State"), "{out}");
}

#[test]
fn extract_reads_several_files_in_one_run_and_names_the_one_it_cannot() {
    let demo = demo_call();
    let docx = demo.join("files/states-colombia.docx");
    let pdf = demo.join("files/states-chile.pdf");
    let missing = demo.join("files/not-there.pdf");
    let out = Command::new(CFI)
        .arg("extract")
        .args([&docx, &missing, &pdf])
        .output()
        .expect("run cfi");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "one file is missing: the run fails");
    assert!(stderr.contains("not-there.pdf"), "{stderr}");
    assert!(
        stdout.contains(&format!("==> {} <==", docx.display()))
            && stdout.contains(&format!("==> {} <==", pdf.display())),
        "{stdout}"
    );
    assert!(stdout.contains("SYNTHETIC TEST DOCUMENT"), "{stdout}");
}
