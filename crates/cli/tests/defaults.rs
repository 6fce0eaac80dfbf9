//! What `cfi serve` does when nothing is said.

use std::process::Command;

#[test]
fn serve_listens_on_loopback_unless_told_otherwise() {
    let out = Command::new(env!("CARGO_BIN_EXE_cfi"))
        .args(["serve", "--help"])
        .output()
        .expect("run cfi");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("[default: 127.0.0.1:8080]"),
        "a server reachable from other machines is a choice made with --addr: {help}"
    );
}
