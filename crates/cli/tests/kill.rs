//! `cfi ingest` killed with SIGKILL at seeded-random moments: after each kill the index
//! opens, searches, and holds exactly the previous commit or the new one, never a mix of
//! the two (segments of one commit with the catalog of another).
//!
//! `CFI_KILL_RUNS` (default 12) and `CFI_KILL_SEED` choose the runs, `CFI_KILL_BIN` another
//! `cfi` binary (a copy no concurrent build replaces); `benches/kill-test.sh` runs a few
//! hundred.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cfi_index::{PassageIndex, SearchRequest};

const CFI: &str = env!("CARGO_BIN_EXE_cfi");

fn demo_call() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/calls/sr-children-digital-2024")
}

/// What a user can observe of an index: which passages it holds, for which submission, and
/// how many passages the catalog says each submission has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct State {
    /// Passage id -> submission id.
    passages: BTreeMap<String, String>,
    /// Submission id -> passages, as the catalog has it.
    catalog: BTreeMap<String, u32>,
}

impl State {
    fn describe(&self) -> String {
        format!(
            "{} passages, {} submissions in the catalog",
            self.passages.len(),
            self.catalog.len()
        )
    }

    /// Passage ids of one submission.
    fn of(&self, submission: &str) -> Vec<&String> {
        self.passages
            .iter()
            .filter(|(_, s)| s.as_str() == submission)
            .map(|(p, _)| p)
            .collect()
    }
}

/// Opens the index as `cfi search` would, searches it, and reads its state; an error is a
/// failure of the test.
fn read_state(dir: &Path) -> Result<State, String> {
    let index = PassageIndex::open(dir).map_err(|e| format!("the index does not open: {e}"))?;
    index
        .search(&SearchRequest {
            q: "children online".into(),
            include_confidential: true,
            ..Default::default()
        })
        .map_err(|e| format!("the index does not search: {e}"))?;
    let records = index
        .all_hits(&SearchRequest {
            include_confidential: true,
            ..Default::default()
        })
        .map_err(|e| format!("the passages cannot be read: {e}"))?;
    let mut state = State::default();
    for r in records {
        state.passages.insert(r.passage.id, r.submission.id);
    }
    for s in &index.catalog().submissions {
        state.catalog.insert(s.submission.id.clone(), s.passages);
    }
    // The catalog and the segments come from one commit: every passage's submission is in
    // the catalog, and each submission holds as many passages as the catalog says.
    let mut counted: BTreeMap<&str, u32> = BTreeMap::new();
    for submission in state.passages.values() {
        *counted.entry(submission).or_default() += 1;
    }
    for (submission, n) in &counted {
        if state.catalog.get(*submission) != Some(n) {
            return Err(format!(
                "segments and catalog disagree: {n} passages of {submission} indexed, the catalog says {:?}",
                state.catalog.get(*submission)
            ));
        }
    }
    if u64::try_from(state.passages.len()).ok() != Some(index.passage_count()) {
        return Err("passage count and passages read differ".into());
    }
    Ok(state)
}

/// A copy of the demo call with its manifest as CSV, `edit` applied to the rows.
fn call_copy(to: &Path, edit: impl Fn(&mut Vec<cfi_core::ManifestEntry>)) -> PathBuf {
    let from = demo_call();
    std::fs::create_dir_all(to.join("files")).expect("mkdir");
    std::fs::copy(from.join("call.toml"), to.join("call.toml")).expect("copy call.toml");
    for entry in std::fs::read_dir(from.join("files")).expect("files") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join("files").join(entry.file_name())).expect("copy");
    }
    let folder = cfi_core::CallFolder::open(&from).expect("the demo call opens");
    let mut entries = folder.entries.clone();
    edit(&mut entries);
    let mut csv =
        b"file,submitter,category,country,kind,annex_of,language,confidential,received\n".to_vec();
    for e in &entries {
        let fields = [
            e.file.clone(),
            e.submitter.clone(),
            e.category.clone(),
            e.country.clone().unwrap_or_default(),
            e.kind.as_str().to_string(),
            e.annex_of.clone().unwrap_or_default(),
            e.language.clone().unwrap_or_default(),
            if e.confidential { "yes" } else { "no" }.to_string(),
            e.received.map(|d| d.to_string()).unwrap_or_default(),
        ];
        cfi_core::write_csv_row(&mut csv, &fields).expect("csv row");
    }
    std::fs::write(to.join("manifest.csv"), csv).expect("write manifest");
    to.to_path_buf()
}

fn ingest(call: &Path, index: &Path) -> Command {
    let cfi = std::env::var_os("CFI_KILL_BIN").map_or_else(|| PathBuf::from(CFI), PathBuf::from);
    let mut command = Command::new(cfi);
    command
        .arg("ingest")
        .arg(call)
        .arg("--index")
        .arg(index)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn ingest_to_end(call: &Path, index: &Path) -> Duration {
    let started = Instant::now();
    let out = ingest(call, index)
        .stderr(Stdio::piped())
        .output()
        .expect("run cfi ingest");
    assert!(
        out.status.success(),
        "cfi ingest {} failed: {}",
        call.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

/// When the newest catalog file was written.
fn newest_catalog(index: &Path) -> Option<std::time::SystemTime> {
    std::fs::read_dir(index)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("catalog"))
        .filter_map(|e| e.metadata().and_then(|m| m.modified()).ok())
        .max()
}

/// xorshift64*: the moments of the kills, the same for the same seed.
struct Moments(u64);

impl Moments {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A fraction in [lo, hi).
    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        lo + unit * (hi - lo)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

#[test]
fn an_ingest_killed_at_any_moment_leaves_the_previous_commit_or_the_new_one() {
    let runs = env_number("CFI_KILL_RUNS", 12);
    let seed = env_number("CFI_KILL_SEED", 0x00c0_ffee).max(1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();

    // Three versions of the call: as sent; a row taken out of the manifest; one file
    // replaced by another text.
    let demo = cfi_core::CallFolder::open(&demo_call()).expect("the demo call opens");
    let annexed: Vec<&str> = demo
        .entries
        .iter()
        .filter_map(|e| e.annex_of.as_deref())
        .collect();
    let inputs: Vec<&cfi_core::ManifestEntry> = demo
        .entries
        .iter()
        .filter(|e| e.annex_of.is_none() && !annexed.contains(&e.id.as_str()))
        .collect();
    let docx: Vec<&&cfi_core::ManifestEntry> = inputs
        .iter()
        .filter(|e| e.file.ends_with(".docx"))
        .collect();
    let (Some(removed), [donor, .., changed]) =
        (inputs.iter().find(|e| e.file.ends_with(".pdf")), &docx[..])
    else {
        panic!("the demo call has no plain PDF input and two DOCX ones");
    };
    let full = call_copy(&root.join("full"), |_| {});
    let removed_id = removed.id.clone();
    let without_row = call_copy(&root.join("without-row"), |rows| {
        rows.retain(|e| e.id != removed_id);
    });
    let changed_file = call_copy(&root.join("changed-file"), |_| {});
    std::fs::copy(
        changed_file.join(&donor.file),
        changed_file.join(&changed.file),
    )
    .expect("replace a file");

    // What each version gives when ingested to the end.
    let mut expected = Vec::new();
    for (name, call) in [
        ("full", &full),
        ("without-row", &without_row),
        ("changed-file", &changed_file),
    ] {
        let index = root.join(format!("clean-{name}"));
        ingest_to_end(call, &index);
        let state = read_state(&index).expect("a clean index reads");
        assert!(!state.passages.is_empty(), "{name}: nothing indexed");
        expected.push((name, call.clone(), state));
    }
    // How long a re-ingest takes, and when in it the commit starts (its catalog is
    // written just before).
    let calibration = root.join("clean-full");
    let started = std::time::SystemTime::now();
    let duration = ingest_to_end(&full, &calibration);
    let commit = newest_catalog(&calibration)
        .and_then(|t| t.duration_since(started).ok())
        .unwrap_or(duration)
        .min(duration);
    let [(_, _, s_full), (_, _, s_without), (_, _, s_changed)] = &expected[..] else {
        unreachable!()
    };
    assert!(s_without.of(&removed.id).is_empty());
    assert!(!s_full.of(&removed.id).is_empty());
    assert_ne!(s_full.of(&changed.id), s_changed.of(&changed.id));

    // The kills: half anywhere in a run, half around the commit.
    let index = root.join("killed");
    let mut moments = Moments(seed);
    let mut previous = State::default();
    let (mut killed, mut kept_previous, mut reached_new) = (0, 0, 0);
    let mut failures: Vec<String> = Vec::new();
    let around = commit.as_secs_f64() / duration.as_secs_f64().max(1e-3);
    for run in 0..runs {
        let which = usize::try_from(moments.next() % 3).unwrap_or(0);
        let (name, call, want) = &expected[which];
        let fraction = if run % 2 == 0 {
            moments.between(0.0, 1.05)
        } else {
            moments.between(around - 0.1, around + 0.15)
        };
        let delay = duration.mul_f64(fraction.max(0.0));
        let mut child = ingest(call, &index).spawn().expect("spawn cfi ingest");
        std::thread::sleep(delay);
        if child.try_wait().expect("wait").is_none() {
            killed += 1;
        }
        // SIGKILL: no destructor, no flush, no signal handler.
        child.kill().ok();
        child.wait().expect("reap");
        match read_state(&index) {
            Err(message) => failures.push(format!(
                "run {run} ({name}, killed at {delay:?}): {message}"
            )),
            Ok(state) if state == previous => kept_previous += 1,
            Ok(state) if state == *want => {
                reached_new += 1;
                previous = state;
            }
            Ok(state) => {
                failures.push(format!(
                    "run {run} ({name}, killed at {delay:?}): neither the previous commit ({}) nor the new one ({}): {}",
                    previous.describe(),
                    want.describe(),
                    state.describe()
                ));
                previous = state;
            }
        }
    }
    println!(
        "kill test: {runs} runs (seed {seed}; a run takes {duration:?}, its commit starts at {commit:?}), {killed} killed before the end, {kept_previous} left the previous commit, {reached_new} the new one, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Run to the end: what a clean ingest gives, and nothing left behind.
    ingest_to_end(&full, &index);
    let after = read_state(&index).expect("reads");
    assert_eq!(
        &after, s_full,
        "after the kills, an ingest to the end equals a clean one"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&index)
        .expect("read index folder")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.starts_with("catalog"))
        .collect();
    assert!(
        leftovers.len() <= 2 && leftovers.iter().all(|n| !n.ends_with(".tmp")),
        "catalogs of killed runs are cleaned up: {leftovers:?}"
    );
    ingest_to_end(&full, &index);
    assert_eq!(
        &read_state(&index).expect("reads"),
        s_full,
        "re-ingesting the unchanged call changes nothing"
    );

    // One file changed: only its submission's passages are replaced.
    ingest_to_end(&changed_file, &index);
    let now = read_state(&index).expect("reads");
    assert_eq!(&now, s_changed);
    for (submission, passages) in &s_full.catalog {
        if *submission == changed.id {
            assert_ne!(now.of(submission), s_full.of(submission));
            assert_eq!(
                now.catalog.get(submission),
                s_changed.catalog.get(submission)
            );
        } else {
            assert_eq!(now.of(submission), s_full.of(submission), "{submission}");
            assert_eq!(now.catalog.get(submission), Some(passages), "{submission}");
        }
    }
}
