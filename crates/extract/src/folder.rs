//! The files of a call folder: which of them are submissions, and zip archives of them
//! unpacked within the same caps as a DOCX container.

use std::path::{Component, Path, PathBuf};

use crate::archive::Archive;
use crate::limits::{
    MAX_ARCHIVE_ENTRIES, MAX_ARCHIVE_SIZE, MAX_FILE_SIZE, MAX_FOLDER_DEPTH, MAX_FOLDER_FILES,
    exceeded, file_size,
};
use crate::{Error, Format, Result};

/// Extensions of the files a submission may come as (zip archives of them included).
const SUBMISSION_EXTENSIONS: [&str; 16] = [
    "pdf", "docx", "docm", "doc", "odt", "rtf", "xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt",
    "md", "zip", "text",
];

/// The files under `dir`, at any depth, that may be submissions, sorted: every file with a
/// submission extension except the call folder's own `call.toml`, manifest, labels and
/// READMEs. Hidden files and folders and symbolic links are passed over (a link may point
/// outside the folder); the walk stops at [`MAX_FOLDER_DEPTH`] and [`MAX_FOLDER_FILES`].
pub fn submission_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut seen = 0usize;
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    while let Some((folder, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_FOLDER_FILES {
                break;
            }
            let name = entry.file_name().to_string_lossy().to_string();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if name.starts_with('.') || kind.is_symlink() {
                continue;
            }
            let path = entry.path();
            if kind.is_dir() {
                if depth < MAX_FOLDER_DEPTH {
                    stack.push((path, depth + 1));
                }
            } else if kind.is_file() && is_submission_name(&name, depth == 0) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn is_submission_name(name: &str, top: bool) -> bool {
    let lower = name.to_lowercase();
    let Some((stem, extension)) = lower.rsplit_once('.') else {
        return false;
    };
    if stem.is_empty() || !SUBMISSION_EXTENSIONS.contains(&extension) {
        return false;
    }
    // The call folder's own files (`labels.jsonl` and `structure.csv` are what `cfi eval
    // tagging` reads), and notes that travel with downloads.
    let own = (top && ["manifest", "call", "labels", "structure"].contains(&stem))
        || stem == "readme"
        || lower.starts_with("~$");
    !own
}

/// What [`unpack_zip`] wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unpacked {
    /// The files written (or already there, unchanged), in archive order.
    pub files: Vec<PathBuf>,
    /// Entries left out, each with the reason (a path leaving the folder, a cap).
    pub skipped: Vec<String>,
}

/// Unpacks the zip archive `zip` into the folder `into` (made if need be). Each entry is
/// held to the caps a DOCX container is held to (size, compression ratio), the archive to
/// [`MAX_ARCHIVE_ENTRIES`] and [`MAX_ARCHIVE_SIZE`]; an entry whose name would leave `into`
/// (`../x`, an absolute path) is skipped and named. An existing file is not overwritten.
pub fn unpack_zip(zip: &Path, into: &Path) -> Result<Unpacked> {
    let io = |source: std::io::Error| Error::Io {
        path: zip.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(zip).map_err(io)?.len();
    if size > MAX_FILE_SIZE {
        return Err(exceeded(zip, file_size(size)));
    }
    let bytes = std::fs::read(zip).map_err(io)?;
    let mut archive = Archive::open(zip, &bytes, Format::Zip)?;
    let names: Vec<String> = archive.names().to_vec();
    let files: Vec<&String> = names.iter().filter(|n| !n.ends_with('/')).collect();
    if files.len() > MAX_ARCHIVE_ENTRIES {
        return Err(exceeded(
            zip,
            format!(
                "the archive holds {} files, over the maximum of {MAX_ARCHIVE_ENTRIES}",
                files.len()
            ),
        ));
    }
    let mut unpacked = Unpacked::default();
    let mut total = 0u64;
    for name in files {
        let Some(relative) = enclosed(name) else {
            unpacked
                .skipped
                .push(format!("{name}: the path leaves the archive's folder"));
            continue;
        };
        let hidden = relative.components().any(|c| {
            c.as_os_str().to_string_lossy().starts_with('.') || c.as_os_str() == "__MACOSX"
        });
        if hidden {
            continue;
        }
        let Some(data) = archive.read(name)? else {
            continue;
        };
        total += data.len() as u64;
        if total > MAX_ARCHIVE_SIZE {
            return Err(exceeded(
                zip,
                format!("the archive unpacks to over {MAX_ARCHIVE_SIZE} bytes"),
            ));
        }
        let target = into.join(&relative);
        let unchanged = std::fs::read(&target).is_ok_and(|old| old == data);
        if !unchanged {
            if target.exists() {
                unpacked.skipped.push(format!(
                    "{name}: {} is already there and differs; it is left as it is",
                    target.display()
                ));
                continue;
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            std::fs::write(&target, &data).map_err(io)?;
        }
        unpacked.files.push(target);
    }
    Ok(unpacked)
}

/// The entry's path made of plain names only, or `None` when it is absolute or climbs out.
fn enclosed(name: &str) -> Option<PathBuf> {
    let name = name.replace('\\', "/");
    let path = Path::new(&name);
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut out);
        for (name, data) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("start");
            writer.write_all(data).expect("write");
        }
        writer.finish().expect("finish");
        out.into_inner()
    }

    #[test]
    fn an_archive_unpacks_inside_its_folder_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("annexes.zip");
        std::fs::write(
            &zip,
            zip_of(&[
                ("Annex 1 (statistics).pdf", b"%PDF-1.4 one"),
                ("sub/annex-2.docx", b"two"),
                ("../evil.txt", b"no"),
                ("/etc/evil.txt", b"no"),
                ("__MACOSX/._x.pdf", b"no"),
            ]),
        )
        .expect("write");
        let into = dir.path().join("annexes");
        let unpacked = unpack_zip(&zip, &into).expect("unpacks");
        assert_eq!(
            unpacked.files,
            [
                into.join("Annex 1 (statistics).pdf"),
                into.join("sub/annex-2.docx")
            ]
        );
        assert_eq!(unpacked.skipped.len(), 2, "{:?}", unpacked.skipped);
        assert!(!dir.path().join("evil.txt").exists());
        // Again: the same files, nothing overwritten or doubled.
        assert_eq!(unpack_zip(&zip, &into).expect("again").files.len(), 2);
    }

    #[test]
    fn a_broken_archive_names_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("broken.zip");
        std::fs::write(&zip, b"PK\x03\x04 not really").expect("write");
        let message = unpack_zip(&zip, &dir.path().join("out"))
            .expect_err("broken")
            .to_string();
        assert!(message.contains("broken.zip"), "{message}");
    }

    #[test]
    fn submission_files_leave_out_the_call_folder_s_own_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in [
            "call.toml",
            "manifest.csv",
            "labels.jsonl",
            "structure.csv",
            "README.md",
            "a.pdf",
            "x/y/Réponse (annexe).docx",
            "x/.hidden.pdf",
            "x/notes.html",
            "x/manifest.csv",
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, b"x").expect("write");
        }
        let found: Vec<String> = submission_files(dir.path())
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("inside")
                    .to_string_lossy()
                    .to_string()
            })
            .collect();
        assert_eq!(
            found,
            ["a.pdf", "x/manifest.csv", "x/y/Réponse (annexe).docx"]
        );
    }
}
