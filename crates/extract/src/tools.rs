//! External programs the readers call: `pdftoppm` and `tesseract` for scanned pages, LibreOffice's
//! `soffice` for legacy Word files. Each run has a time limit, after which the program and
//! everything it started are killed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Where the external programs are; `None` where one is not installed.
///
/// [`Tools::from_path`] looks them up on `PATH`; [`Tools::default`] has none, so scanned pages
/// are reported in [`Document::needs_ocr`](crate::Document::needs_ocr) and .doc files are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tools {
    /// The OCR engine (Debian package tesseract-ocr).
    pub tesseract: Option<PathBuf>,
    /// Renders PDF pages to images for OCR (Debian package poppler-utils).
    pub pdftoppm: Option<PathBuf>,
    /// LibreOffice, converts .doc to .docx (Debian package libreoffice-writer).
    pub soffice: Option<PathBuf>,
}

impl Tools {
    /// The programs found on `PATH`.
    pub fn from_path() -> Tools {
        Tools {
            tesseract: find_program("tesseract"),
            pdftoppm: find_program("pdftoppm"),
            soffice: find_program("soffice").or_else(|| find_program("libreoffice")),
        }
    }
}

/// The first executable file called `name` in a directory of `PATH`.
pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Why a program run gave no result.
#[derive(Debug)]
pub(crate) enum RunError {
    /// It could not be started.
    Start(std::io::Error),
    /// It was still running when its time was up, and was killed.
    TimedOut(Duration),
    /// It exited with an error.
    Failed { status: ExitStatus, stderr: String },
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Start(e) => write!(f, "could not start: {e}"),
            RunError::TimedOut(limit) => {
                write!(f, "still running after {} s", limit.as_secs_f64())
            }
            RunError::Failed { status, stderr } => {
                let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
                write!(f, "{status}")?;
                if let Some(line) = last {
                    write!(f, ": {}", line.trim())?;
                }
                Ok(())
            }
        }
    }
}

/// Most output kept from one run (an OCR'd page is a few kB).
const MAX_OUTPUT: u64 = 16 * 1000 * 1000;

/// Runs `command` without input and returns its standard output, killing it (and what it
/// started) once `timeout` has passed.
pub(crate) fn run(mut command: Command, timeout: Duration) -> Result<Vec<u8>, RunError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        // Its own process group, so that a timeout kills the helpers it forks as well.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(RunError::Start)?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // Both pipes are drained while the program runs, so that it never blocks on a full pipe.
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stdout {
            let _ = pipe.take(MAX_OUTPUT).read_to_end(&mut bytes);
        }
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = stderr {
            let _ = pipe.take(64 * 1024).read_to_end(&mut bytes);
        }
        bytes
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(RunError::TimedOut(timeout));
            }
            Err(e) => {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(RunError::Start(e));
            }
        }
    };
    // Helpers left behind would hold the pipes open.
    kill_group(&mut child);
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        return Err(RunError::Failed {
            status,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        });
    }
    Ok(stdout)
}

/// Kills the child's process group (the child leads it), or the child alone where groups are
/// not available.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let killed = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if killed {
            return;
        }
    }
    let _ = child.kill();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_program_every_unix_has() {
        if cfg!(unix) {
            assert!(find_program("sh").is_some());
        }
        assert!(find_program("no-such-program-cfi").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn output_and_failure_are_reported() {
        let mut ok = Command::new("sh");
        ok.args(["-c", "echo hello"]);
        assert_eq!(
            run(ok, Duration::from_secs(10)).ok().as_deref(),
            Some(&b"hello\n"[..])
        );
        let mut failing = Command::new("sh");
        failing.args(["-c", "echo broken page >&2; exit 3"]);
        match run(failing, Duration::from_secs(10)) {
            Err(e @ RunError::Failed { .. }) => assert!(e.to_string().contains("broken page")),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_program_over_its_time_is_killed_with_its_children() {
        let mut slow = Command::new("sh");
        // The child sleep holds stdout open: the run must still return.
        slow.args(["-c", "sleep 30 & sleep 30"]);
        let started = Instant::now();
        let result = run(slow, Duration::from_millis(200));
        assert!(matches!(result, Err(RunError::TimedOut(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}
