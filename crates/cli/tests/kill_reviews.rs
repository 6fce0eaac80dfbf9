//! `cfi serve` killed with SIGKILL while staff review passages: after each kill the server
//! starts again on the same index, every review it acknowledged is there (or the one sent
//! after it, which the kill may have caught written but not yet answered), and the
//! passages read with the reviewed tags.
//!
//! `CFI_KILL_RUNS` (default 4) and `CFI_KILL_SEED` choose the runs.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

mod common;

const CFI: &str = env!("CARGO_BIN_EXE_cfi");
const TOKEN: &str = "kill-reviews-staff-token";

fn demo_call() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/calls/sr-children-digital-2024")
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// One HTTP/1.0 request with the staff token; the status and body, or None when the server
/// is gone (killed mid-answer).
fn request(addr: &str, method: &str, path: &str, body: Option<&str>) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nX-Reviewer: Kill%20Test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn serve(index: &Path) -> common::Served {
    common::serve(CFI, index, Some(TOKEN))
}

/// A tiny seeded generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn a_server_killed_while_staff_review_keeps_every_review_it_acknowledged() {
    let runs = env_number("CFI_KILL_RUNS", 4);
    let mut rng = Rng(env_number("CFI_KILL_SEED", 0x5eed_5eed).max(1));
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let out = Command::new(CFI)
        .arg("ingest")
        .arg(demo_call())
        .arg("--index")
        .arg(&index)
        .output()
        .expect("cfi ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Passages to review, and the questions each may be given.
    let server = serve(&index);
    let (status, body) = request(
        &server.addr,
        "GET",
        "/api/v1/search?q=children&limit=8",
        None,
    )
    .expect("search");
    assert_eq!(status, 200, "{body}");
    let ids: Vec<String> = json(&body)["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["passageId"].as_str().map(str::to_string))
        .collect();
    assert!(ids.len() >= 4, "{body}");
    drop(server);

    // Per passage: the last review acknowledged, and the one sent after it (unanswered).
    type Sent = BTreeMap<String, (Option<String>, Option<String>)>;
    let sent: Arc<Mutex<Sent>> = Arc::default();
    let mut acknowledged_in_all = 0;
    for run in 0..runs {
        let server = serve(&index);
        let addr = server.addr.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let reviewer = {
            let (ids, sent, stop) = (ids.clone(), Arc::clone(&sent), Arc::clone(&stop));
            let answered = Arc::clone(&answered);
            let seed = rng.below(u64::MAX);
            std::thread::spawn(move || {
                let mut rng = Rng(seed.max(1));
                let mut acknowledged = 0;
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let id = &ids[rng.below(ids.len() as u64) as usize];
                    let note = format!("run {run} review {i}");
                    let question = 1 + rng.below(9);
                    if let Ok(mut s) = sent.lock() {
                        s.entry(id.clone()).or_default().1 = Some(note.clone());
                    }
                    let body = format!(
                        "{{\"questions\":[{question}],\"key\":{},\"note\":\"{note}\"}}",
                        i % 2 == 0
                    );
                    let path = format!("/api/v1/passages/{id}/review");
                    match request(&addr, "POST", &path, Some(&body)) {
                        Some((200, _)) => {
                            acknowledged += 1;
                            answered.fetch_add(1, Ordering::Relaxed);
                            if let Ok(mut s) = sent.lock() {
                                let entry = s.entry(id.clone()).or_default();
                                *entry = (Some(note), None);
                            }
                        }
                        Some((status, answer)) => {
                            panic!("review answered {status}: {answer}")
                        }
                        None => break,
                    }
                }
                acknowledged
            })
        };
        // Killed at a random moment once the first review is answered (however slow the
        // machine), so that every run has acknowledged reviews to check.
        let waited = std::time::Instant::now();
        while answered.load(Ordering::Relaxed) == 0 && waited.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(rng.below(500)));
        drop(server); // SIGKILL
        stop.store(true, Ordering::Relaxed);
        let acknowledged = reviewer.join().expect("the reviewer thread");
        eprintln!("run {run}: {acknowledged} reviews acknowledged before the kill");
        acknowledged_in_all += acknowledged;

        // Started again: every review acknowledged is there, and the passage reads with it.
        let server = serve(&index);
        let (status, body) =
            request(&server.addr, "GET", "/api/v1/reviews", None).expect("reviews");
        assert_eq!(status, 200, "run {run}: {body}");
        let listed = json(&body);
        let notes: BTreeMap<String, (String, Value)> = listed["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|r| {
                Some((
                    r["passageId"].as_str()?.to_string(),
                    (r["note"].as_str()?.to_string(), r["questions"].clone()),
                ))
            })
            .collect();
        let sent_now = sent.lock().expect("sent").clone();
        for (id, (acked, in_flight)) in &sent_now {
            let Some((note, questions)) = notes.get(id) else {
                assert!(
                    acked.is_none(),
                    "run {run}: the review of {id} ({acked:?}) is lost"
                );
                continue;
            };
            assert!(
                Some(note) == acked.as_ref() || Some(note) == in_flight.as_ref(),
                "run {run}: {id} has the review {note:?}, not the last acknowledged {acked:?} or the one after it {in_flight:?}"
            );
            // The passage reads with the reviewed questions, as staff's.
            let (status, passage) =
                request(&server.addr, "GET", &format!("/api/v1/passages/{id}"), None)
                    .expect("passage");
            assert_eq!(status, 200, "{passage}");
            let passage = json(&passage);
            let tags = &passage["passage"]["questions"];
            let given: Vec<u64> = questions
                .as_array()
                .map(|q| q.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default();
            let read: Vec<u64> = tags
                .as_array()
                .map(|t| t.iter().filter_map(|t| t["number"].as_u64()).collect())
                .unwrap_or_default();
            assert_eq!(read, given, "run {run}: {id} reads {tags}");
        }
        // What was unanswered is now settled one way or the other.
        if let Ok(mut s) = sent.lock() {
            for (id, entry) in s.iter_mut() {
                if let Some((note, _)) = notes.get(id) {
                    *entry = (Some(note.clone()), None);
                }
            }
        }
    }
    assert!(
        acknowledged_in_all > 0,
        "no review was acknowledged before a kill: the test tested nothing"
    );
}
