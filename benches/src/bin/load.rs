//! Load on `cfi serve` over loopback: C connections fire a fixed mixed set of requests
//! (words, phrases, prefixes, filters, facets, grouping by submission, the matrix, passages
//! and similar passages, lists) in turn for a fixed time; prints requests/s, p50/p99
//! latency and the answers that were not 2xx.
//!
//! With `--ingest CALL`, `cfi ingest CALL` runs into the served index while the load runs,
//! and the run fails if any request during it (and the reload after it) fails, or if the
//! server does not show the new call.
//!
//! ```sh
//! cargo build --release -p cfi -p cfi-benches
//! target/release/load --connections 16 --seconds 20
//! target/release/load --connections 16 --seconds 20 --ingest fixtures/calls/sr-sale-children-digital-2024
//! target/release/load --addr 127.0.0.1:8080 --seconds 10      # a server already running
//! target/release/load --write-queries /tmp/q.txt              # the same paths, for wrk (benches/http-load.lua)
//! target/release/load --floor --seconds 10                     # cfi and the floor server, searches only
//! ```
//!
//! With `--floor`, the floor server (`floor`, beside this binary: axum and bare tantivy on
//! the same passages, see its source) is started on the served index, and the mix's plain
//! searches (words, phrases, prefixes, OR/NOT, filters, facets, pages; not grouping or
//! sorting, which the floor does not do) load cfi and then the floor for the same time;
//! the ratio of their requests per second is printed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Http = Client<HttpConnector, Empty<Bytes>>;

struct Options {
    addr: Option<String>,
    index: Option<PathBuf>,
    cfi: Option<PathBuf>,
    connections: usize,
    seconds: u64,
    ingest: Option<PathBuf>,
    write_queries: Option<PathBuf>,
    floor: bool,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        addr: None,
        index: None,
        cfi: None,
        connections: 16,
        seconds: 20,
        ingest: None,
        write_queries: None,
        floor: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} takes a value"));
        match flag.as_str() {
            "--addr" => o.addr = Some(value()?),
            "--index" => o.index = Some(value()?.into()),
            "--cfi" => o.cfi = Some(value()?.into()),
            "--connections" | "-c" => o.connections = value()?.parse()?,
            "--seconds" | "-d" => o.seconds = value()?.parse()?,
            "--ingest" => o.ingest = Some(value()?.into()),
            "--write-queries" => o.write_queries = Some(value()?.into()),
            "--floor" => o.floor = true,
            "-h" | "--help" => {
                println!(
                    "load [--addr HOST:PORT] [--index DIR] [--cfi BIN] [--connections C] [--seconds S] [--ingest CALL] [--write-queries FILE] [--floor]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    ensure!(o.connections > 0, "--connections must be at least 1");
    ensure!(
        !(o.floor && o.ingest.is_some()),
        "--floor and --ingest are separate runs"
    );
    ensure!(
        o.ingest.is_none() || o.addr.is_none() || o.index.is_some(),
        "--ingest into a server started elsewhere needs its --index"
    );
    Ok(o)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `cfi` binary beside this one (`target/release/cfi`), or `--cfi`.
fn cfi_binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => std::env::current_exe()?
            .parent()
            .context("no folder for this binary")?
            .join("cfi"),
    };
    ensure!(
        path.is_file(),
        "{} not found: `cargo build --release -p cfi` first, or pass --cfi",
        path.display()
    );
    Ok(path)
}

/// A `cfi serve` this run started; killed when dropped.
struct Server {
    child: Child,
    _index: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn start_server(cfi: &Path, index: Option<&Path>) -> anyhow::Result<(Server, String, PathBuf)> {
    let (owned, dir) = match index {
        Some(d) => (None, d.to_path_buf()),
        None => {
            let t = tempfile::tempdir()?;
            let d = t.path().join("index");
            (Some(t), d)
        }
    };
    let addr = format!("127.0.0.1:{}", free_port()?);
    let demo = repo().join("fixtures/calls/sr-children-digital-2024");
    let child = spawn_quiet(
        cfi,
        &[
            "serve".as_ref(),
            "--addr".as_ref(),
            addr.as_ref(),
            "--index".as_ref(),
            dir.as_os_str(),
            "--demo".as_ref(),
            demo.as_os_str(),
        ],
    )?;
    Ok((
        Server {
            child,
            _index: owned,
        },
        addr,
        dir,
    ))
}

/// `binary` with `args`, its input and output discarded.
fn spawn_quiet(binary: &Path, args: &[&std::ffi::OsStr]) -> anyhow::Result<Child> {
    Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))
}

/// The floor server beside this binary, on `index`; killed when dropped.
fn start_floor(index: &Path) -> anyhow::Result<(Server, String)> {
    let binary = std::env::current_exe()?
        .parent()
        .context("no folder for this binary")?
        .join("floor");
    ensure!(
        binary.is_file(),
        "{} not found: `cargo build --release -p cfi-benches` first",
        binary.display()
    );
    let addr = format!("127.0.0.1:{}", free_port()?);
    let child = spawn_quiet(
        &binary,
        &[
            "--index".as_ref(),
            index.as_os_str(),
            "--addr".as_ref(),
            addr.as_ref(),
        ],
    )?;
    Ok((
        Server {
            child,
            _index: None,
        },
        addr,
    ))
}

/// The paths of the mix the floor answers too: plain searches.
fn plain_searches(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| {
            p.starts_with("/api/v1/search?") && !p.contains("group=") && !p.contains("sort=")
        })
        .cloned()
        .collect()
}

/// `connections` clients firing `paths` in turn at `base` for `duration`, each path
/// answered once first.
async fn load_for(
    client: &Http,
    base: &str,
    paths: &[String],
    connections: usize,
    duration: Duration,
    server: Option<u32>,
) -> anyhow::Result<Summary> {
    warm_up(client, base, paths).await?;
    let cpu_before = server.and_then(cpu_time);
    let start = Instant::now();
    let samples = fire(client, base, paths, connections, start, start + duration).await?;
    let all: Vec<&Sample> = samples.iter().collect();
    let mut summary = summarize(&all, start.elapsed());
    summary.cpu = cpu_before
        .zip(server.and_then(cpu_time))
        .map(|(before, after)| after.saturating_sub(before));
    Ok(summary)
}

/// The CPU time a process has used so far, user and system (Linux: `/proc/PID/stat`, in
/// the kernel's fixed 100 ticks a second); `None` elsewhere.
///
/// On two cores the load client competes with the server, so requests per second move by
/// a third from run to run; the server's CPU time per request does not, and it is what a
/// server under load pays.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name (which may hold spaces), from the third on.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let total = ticks(11)? + ticks(12)?;
    Some(Duration::from_millis(total * 10))
}

/// Every path once, each answered 200.
async fn warm_up(client: &Http, base: &str, paths: &[String]) -> anyhow::Result<()> {
    for path in paths {
        let (status, _) = get(client, &format!("{base}{path}")).await?;
        ensure!(status == 200, "{base}{path} answered {status}");
    }
    Ok(())
}

/// `connections` clients firing `paths` in turn at `base` from `start` until `until`: every
/// request answered.
async fn fire(
    client: &Http,
    base: &str,
    paths: &[String],
    connections: usize,
    start: Instant,
    until: Instant,
) -> anyhow::Result<Vec<Sample>> {
    let (base, paths) = (Arc::new(base.to_string()), Arc::new(paths.to_vec()));
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            tokio::spawn(worker(
                client.clone(),
                Arc::clone(&base),
                Arc::clone(&paths),
                Arc::clone(&next),
                start,
                until,
            ))
        })
        .collect();
    let mut samples = Vec::new();
    for w in workers {
        samples.extend(w.await?);
    }
    Ok(samples)
}

async fn get(client: &Http, url: &str) -> anyhow::Result<(u16, Bytes)> {
    let response = client.get(url.parse()?).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

async fn wait_ready(client: &Http, base: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if let Ok((200, _)) = get(client, &format!("{base}/readyz")).await {
            return Ok(());
        }
        ensure!(
            started.elapsed() < Duration::from_secs(300),
            "{base} did not get ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The fixed mix: what the staff page and API clients ask, with passage ids taken from the
/// index served.
async fn query_set(client: &Http, base: &str) -> anyhow::Result<Vec<String>> {
    let mut paths: Vec<String> = [
        "/api/v1/search?q=encryption",
        "/api/v1/search?q=grooming+livestream",
        "/api/v1/search?q=%22safety+by+design%22",
        "/api/v1/search?q=encrypt*",
        "/api/v1/search?q=grooming+OR+sextortion+-gaming",
        "/api/v1/search?q=hotlines&question=7",
        "/api/v1/search?q=children&category=CSOs&lang=en",
        "/api/v1/search?question=2&kind=input",
        "/api/v1/search?q=ninos",
        "/api/v1/search?q=end-to-end+encryption",
        "/api/v1/search?q=reporting&facets=category,country&highlight=false",
        "/api/v1/search?q=online&group=submission",
        "/api/v1/search?q=platforms&sort=submitter&limit=50",
        "/api/v1/search?q=children&offset=40",
        "/api/v1/matrix",
        "/api/v1/matrix?q=encryption",
        "/api/v1/facets/country",
        "/api/v1/submissions?category=States",
        "/api/v1/stats",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    let (status, body) = get(client, &format!("{base}/api/v1/search?q=children&limit=6")).await?;
    ensure!(status == 200, "the first search answered {status}");
    let found: serde_json::Value = serde_json::from_slice(&body)?;
    let ids: Vec<String> = found["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .filter_map(|h| h["passageId"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ensure!(!ids.is_empty(), "the index served holds no passages");
    for id in ids.iter().take(3) {
        paths.push(format!("/api/v1/passages/{id}"));
    }
    for id in ids.iter().skip(3).take(2) {
        paths.push(format!("/api/v1/passages/{id}/similar"));
    }
    Ok(paths)
}

/// One answered (or failed) request: when it started from the beginning of the load, how
/// long it took, and whether it was a 2xx.
#[derive(Clone, Copy)]
struct Sample {
    at: Duration,
    took: Duration,
    ok: bool,
    error: bool,
}

async fn worker(
    client: Http,
    base: Arc<String>,
    paths: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    start: Instant,
    until: Instant,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    while Instant::now() < until {
        let i = next.fetch_add(1, Ordering::Relaxed) % paths.len().max(1);
        let Some(path) = paths.get(i) else {
            break;
        };
        let began = Instant::now();
        let answer = get(&client, &format!("{base}{path}")).await;
        let took = began.elapsed();
        let (ok, error) = match answer {
            Ok((status, _)) => ((200..300).contains(&status), false),
            Err(_) => (false, true),
        };
        samples.push(Sample {
            at: began - start,
            took,
            ok,
            error,
        });
    }
    samples
}

struct Summary {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    non_2xx: usize,
    errors: usize,
    /// The server's CPU time over the run, where it can be read.
    cpu: Option<Duration>,
}

impl Summary {
    /// The server's CPU time per request, in microseconds.
    fn cpu_per_request(&self) -> Option<f64> {
        self.cpu
            .map(|cpu| cpu.as_secs_f64() * 1e6 / self.requests.max(1) as f64)
    }
}

fn summarize(samples: &[&Sample], over: Duration) -> Summary {
    let mut took: Vec<Duration> = samples.iter().map(|s| s.took).collect();
    took.sort_unstable();
    let at = |q: f64| {
        let i = ((took.len() as f64 - 1.0) * q).round() as usize;
        took.get(i).copied().unwrap_or_default()
    };
    Summary {
        requests: samples.len(),
        per_second: samples.len() as f64 / over.as_secs_f64().max(1e-9),
        p50: at(0.5),
        p99: at(0.99),
        max: took.last().copied().unwrap_or_default(),
        non_2xx: samples.iter().filter(|s| !s.ok && !s.error).count(),
        errors: samples.iter().filter(|s| s.error).count(),
        cpu: None,
    }
}

fn print(label: &str, s: &Summary) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label}: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, non-2xx {}, connection errors {}",
        s.requests,
        s.per_second,
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        s.non_2xx,
        s.errors
    );
    if let Some(us) = s.cpu_per_request() {
        println!("  server CPU {us:.0} us a request");
    }
}

/// `cfi ingest` into the served index, on a thread of its own: when it started and ended,
/// from the beginning of the load.
fn ingest_during(
    cfi: PathBuf,
    call: PathBuf,
    index: PathBuf,
    start: Instant,
    after: Duration,
) -> std::thread::JoinHandle<anyhow::Result<(Duration, Duration)>> {
    std::thread::spawn(move || {
        std::thread::sleep(after);
        let began = start.elapsed();
        let out = Command::new(&cfi)
            .arg("ingest")
            .arg(&call)
            .arg("--index")
            .arg(&index)
            .stdin(Stdio::null())
            .output()
            .context("running cfi ingest")?;
        ensure!(
            out.status.success(),
            "cfi ingest {} failed: {}",
            call.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok((began, start.elapsed()))
    })
}

fn call_id(call: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(call.join("call.toml"))
        .with_context(|| format!("reading {}/call.toml", call.display()))?;
    text.lines()
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "id").then(|| value.trim().trim_matches('"').to_string())
        })
        .context("call.toml has no id")
}

fn main() -> anyhow::Result<()> {
    let o = options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(o))
}

async fn run(o: Options) -> anyhow::Result<()> {
    let cfi = if o.addr.is_none() || o.ingest.is_some() {
        Some(cfi_binary(o.cfi.as_deref())?)
    } else {
        None
    };
    let (server, addr, index) = match (&o.addr, &cfi) {
        (Some(addr), _) => (None, addr.clone(), o.index.clone()),
        (None, Some(cfi)) => {
            let (server, addr, index) = start_server(cfi, o.index.as_deref())?;
            (Some(server), addr, Some(index))
        }
        (None, None) => bail!("no server to target"),
    };
    let base = Arc::new(format!("http://{addr}"));
    let client: Http = Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_max_idle_per_host(o.connections)
        .build_http();
    wait_ready(&client, &base).await?;
    let paths = query_set(&client, &base).await?;
    if let Some(file) = &o.write_queries {
        std::fs::write(file, paths.join("\n") + "\n")?;
        println!("{} paths written to {}", paths.len(), file.display());
        return Ok(());
    }
    if o.floor {
        let index = index.context("--floor needs the served index (--index)")?;
        let (floor_server, floor_addr) = start_floor(&index)?;
        let floor_base = format!("http://{floor_addr}");
        wait_ready(&client, &floor_base).await?;
        let searches = plain_searches(&paths);
        let duration = Duration::from_secs(o.seconds);
        println!(
            "load: {} connections for {} s each on cfi ({base}) and the floor ({floor_base}), {} searches in turn",
            o.connections,
            o.seconds,
            searches.len()
        );
        // The floor searches by words only: cfi does the same work with `semantic=0`, and
        // its default (hybrid: words and meaning) is measured beside it.
        let words: Vec<String> = searches.iter().map(|p| format!("{p}&semantic=0")).collect();
        let cfi_pid = server.as_ref().map(|s| s.child.id());
        let floor_pid = Some(floor_server.child.id());
        let cfi = load_for(&client, &base, &words, o.connections, duration, cfi_pid).await?;
        print("cfi, words only (semantic=0)", &cfi);
        let hybrid = load_for(&client, &base, &searches, o.connections, duration, cfi_pid).await?;
        print("cfi, hybrid (the default)", &hybrid);
        let floor = load_for(
            &client,
            &floor_base,
            &searches,
            o.connections,
            duration,
            floor_pid,
        )
        .await?;
        print("floor (axum + bare tantivy, words only)", &floor);
        println!(
            "cfi / floor requests per second: words only {:.2}x, hybrid {:.2}x",
            cfi.per_second / floor.per_second.max(1e-9),
            hybrid.per_second / floor.per_second.max(1e-9)
        );
        if let (Some(words), Some(hybrid), Some(floor)) = (
            cfi.cpu_per_request(),
            hybrid.cpu_per_request(),
            floor.cpu_per_request(),
        ) {
            // The same ratio, freed of the client's share of the two cores: the floor's
            // CPU a request over cfi's.
            println!(
                "floor / cfi server CPU a request: words only {:.2}x, hybrid {:.2}x",
                floor / words.max(1e-9),
                floor / hybrid.max(1e-9)
            );
        }
        ensure!(
            cfi.non_2xx
                + cfi.errors
                + hybrid.non_2xx
                + hybrid.errors
                + floor.non_2xx
                + floor.errors
                == 0,
            "some requests failed"
        );
        return Ok(());
    }
    let (_, stats) = get(&client, &format!("{base}/api/v1/stats")).await?;
    let stats: serde_json::Value = serde_json::from_slice(&stats)?;
    println!(
        "load: {} connections for {} s on {base} ({} passages), {} requests in turn{}",
        o.connections,
        o.seconds,
        stats["passages"],
        paths.len(),
        o.ingest
            .as_ref()
            .map(|c| format!(", with `cfi ingest {}` during the run", c.display()))
            .unwrap_or_default()
    );
    warm_up(&client, &base, &paths).await?;
    let duration = Duration::from_secs(o.seconds);
    let start = Instant::now();
    let until = start + duration;
    let ingest = match (&o.ingest, &cfi, &index) {
        (Some(call), Some(cfi), Some(index)) => Some((
            call_id(call)?,
            ingest_during(
                cfi.clone(),
                call.clone(),
                index.clone(),
                start,
                duration / 5,
            ),
        )),
        (Some(_), _, _) => bail!("--ingest needs the served index (--index)"),
        _ => None,
    };
    let samples = fire(&client, &base, &paths, o.connections, start, until).await?;
    let elapsed = start.elapsed();
    let all: Vec<&Sample> = samples.iter().collect();
    let whole = summarize(&all, elapsed);
    print("all", &whole);
    let mut failed = whole.non_2xx + whole.errors > 0;
    if let Some((id, handle)) = ingest {
        let (began, ended) = handle
            .join()
            .map_err(|_| anyhow::anyhow!("the ingest thread panicked"))??;
        // The server reloads within a second of the commit; count that second too.
        let window_end = ended + Duration::from_secs(2);
        let during: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.at >= began && s.at <= window_end)
            .collect();
        let span = window_end.min(elapsed).saturating_sub(began);
        let summary = summarize(&during, span);
        print(
            &format!(
                "during the ingest ({:.1} s) and 2 s after",
                (ended - began).as_secs_f64()
            ),
            &summary,
        );
        // It reloads within a second of the commit: give it a few.
        let mut shows = false;
        for _ in 0..50 {
            let (status, calls) = get(&client, &format!("{base}/api/v1/calls")).await?;
            shows = status == 200 && String::from_utf8_lossy(&calls).contains(&id);
            if shows {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!(
            "after the ingest the server {} call {id}",
            if shows { "shows" } else { "does NOT show" }
        );
        failed |= !shows || summary.non_2xx + summary.errors > 0 || summary.requests == 0;
    }
    ensure!(!failed, "some requests failed");
    Ok(())
}
