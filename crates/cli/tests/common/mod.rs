//! What the CLI's integration tests share: a `cfi serve` started on an index, killed (by
//! SIGKILL) when dropped.
// Each test binary includes this module and uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `cfi serve`: where it listens, and what it said before.
pub struct Served {
    child: Child,
    /// `host:port`.
    pub addr: String,
    /// The lines it wrote to stderr before saying where it listens.
    pub said: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `binary serve` on `index`, on a free port, with `token` as the staff token if given;
/// returns once it says where it listens.
pub fn serve(binary: &str, index: &Path, token: Option<&str>) -> Served {
    let mut command = Command::new(binary);
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(index)
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    if let Some(token) = token {
        command.env("CFI_STAFF_TOKEN", token);
    }
    let mut child = command.spawn().expect("spawn cfi serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut said = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("cfi serve ended before listening")
            .expect("line");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap_or_default().to_string();
        }
        said.push(line);
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served { child, addr, said }
}
