//! `cfi`: ingest call folders, search them, export passages, serve the API.

use std::io::{BufWriter, StdoutLock, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use cfi_index::{PassageIndex, SearchRequest};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// PDF reading allocates a little for every glyph and word: mimalloc makes those cheap
/// (a 315-page PDF reads in 0.28 s with it, 0.43 s without).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The demo call bundled with the source tree, built by `cfi serve` into an empty index.
const DEMO_CALL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/calls/sr-children-digital-2024"
);

#[derive(Parser)]
#[command(
    name = "cfi",
    version,
    about = "Search the submissions sent to a UN call for input"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The model making passage and query vectors (search by meaning): a folder holding a
    /// BERT or XLM-RoBERTa sentence encoder (config.json, model.safetensors,
    /// tokenizer.json), or a file in cfi's static format. Default: the model built into
    /// cfi, or the one the index was built with (the index remembers where it was).
    #[arg(long, global = true, env = "CFI_MODEL", value_name = "PATH")]
    model: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Draft a call folder from the call's public page and a folder of downloaded files:
    /// writes DIR/call.toml and DIR/manifest.csv and prints what to review.
    Init(InitArgs),
    /// Read a call folder (call.toml + manifest + files) into the index.
    Ingest(IngestArgs),
    /// Search passages.
    Search(SearchArgs),
    /// Print the text of a file as the index reads it (pages separated by form feeds).
    Extract(ExtractArgs),
    /// Write every passage with its submission metadata and tags to stdout (or `--out`), or
    /// the framework matrix to an Excel workbook.
    Export(ExportArgs),
    /// Write a question brief: what each kind of stakeholder said on one guiding question,
    /// key passages in full with footnote citations, and who said nothing on it.
    Brief(BriefArgs),
    /// Measure: `cfi eval tagging <call-folder>` scores question tags against labels.jsonl.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Serve the API; builds the demo call first when the index folder is missing or empty.
    Serve(ServeArgs),
}

#[derive(Args)]
struct InitArgs {
    /// The call page saved from a browser (HTML, or text); repeat it for each language
    /// version of the page.
    #[arg(long = "page", required = true)]
    pages: Vec<PathBuf>,
    /// The folder holding the downloaded files (at any depth).
    dir: PathBuf,
    /// Replace a call.toml or manifest already in the folder.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct IngestArgs {
    /// The call folder.
    folder: PathBuf,
    /// The index folder.
    #[arg(long, default_value = "indexes/default")]
    index: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Files read at once (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
    /// Seconds a file may take before it is reported as timed out and left behind.
    #[arg(long, default_value_t = 900)]
    file_timeout: u64,
}

#[derive(Args)]
struct SearchArgs {
    /// The query.
    query: String,
    /// Only passages answering this guiding question.
    #[arg(long)]
    question: Option<u32>,
    /// Only this stakeholder category.
    #[arg(long)]
    category: Option<String>,
    /// Only submitters from this country.
    #[arg(long)]
    country: Option<String>,
    /// Only passages in this language (ISO 639-1).
    #[arg(long)]
    lang: Option<String>,
    /// Only `input` or `annex` files.
    #[arg(long)]
    kind: Option<String>,
    /// How much the ranking leans on meaning (across languages): 0 the words only, 1
    /// meaning only, between both.
    #[arg(long, value_name = "R", default_value_t = cfi_index::DEFAULT_SEMANTIC, value_parser = semantic_ratio, allow_negative_numbers = true)]
    semantic: f32,
    /// Hits to show.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Include confidential submissions (staff with access to the index folder).
    #[arg(long)]
    include_confidential: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// The index folder.
    #[arg(long, default_value = "indexes/default")]
    index: PathBuf,
}

#[derive(Args)]
struct ExtractArgs {
    /// The files (several are read in one run, each under a `==> file <==` line).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print blocks with page numbers as JSON.
    #[arg(long)]
    json: bool,
    /// Password of an encrypted PDF.
    #[arg(long)]
    password: Option<String>,
}

#[derive(Args)]
struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    format: ExportFormat,
    /// Write to this file instead of stdout (required for `matrix`, an Excel workbook).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Include confidential submissions.
    #[arg(long)]
    include_confidential: bool,
    /// The index folder.
    #[arg(long, default_value = "indexes/default")]
    index: PathBuf,
}

#[derive(Args)]
struct BriefArgs {
    /// The guiding question's number.
    #[arg(long)]
    question: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BriefFormatArg::Md)]
    format: BriefFormatArg,
    /// Write to this file instead of stdout (required for `docx`).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Only this stakeholder category.
    #[arg(long)]
    category: Option<String>,
    /// The call (its id), when the index holds several.
    #[arg(long)]
    call: Option<String>,
    /// Include confidential submissions.
    #[arg(long)]
    include_confidential: bool,
    /// Where `cfi serve` answers, to make the passages' permalinks absolute.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base_url: String,
    /// The index folder.
    #[arg(long, default_value = "indexes/default")]
    index: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum BriefFormatArg {
    /// Markdown with footnotes.
    Md,
    /// A standalone HTML page.
    Html,
    /// A Word document with headings and footnotes.
    Docx,
    /// The brief as JSON (the API's shape).
    Json,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The index folder.
    #[arg(long, default_value = "indexes/default")]
    index: PathBuf,
    /// The call folder to build when the index is empty.
    #[arg(long, default_value = DEMO_CALL)]
    demo: PathBuf,
    /// A file holding the staff token, or its SHA-256 in hex (else `CFI_STAFF_TOKEN`).
    #[arg(long)]
    staff_token_file: Option<PathBuf>,
    /// Origins allowed to call the API from a browser (CORS is off by default).
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// Seconds a request may take before a 503.
    #[arg(long, default_value_t = 10)]
    request_timeout: u64,
    /// Public deployment: never write the index folder and refuse staff tokens, so
    /// confidential submissions cannot be reached at all.
    #[arg(long)]
    read_only: bool,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Guiding-question tags against the call's labels.jsonl: precision, recall, F1.
    Tagging(TaggingArgs),
}

#[derive(Args)]
struct TaggingArgs {
    /// The call folder (with labels.jsonl).
    folder: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// List every paragraph whose tags differ from its label.
    #[arg(long)]
    mismatches: bool,
    /// An index whose staff reviews to learn from: scores are shown without and with
    /// them, so you see how far the corrections moved the tagger.
    #[arg(long, value_name = "INDEX")]
    reviews: Option<PathBuf>,
    /// Leave out of the scores each labelled paragraph that is the topical heading opening
    /// a passage (not a heading that names a question). Such a heading stands above its
    /// passage and carries no tag, so by default it is scored as untagged; labellers differ
    /// on whether a heading takes its section's question or none. The count left out is
    /// reported.
    #[arg(long)]
    skip_topical_headings: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// The framework matrix: an Excel workbook, submissions × guiding questions (a sheet
    /// per call, each cell the first sentence and page of the submission's passages on the
    /// question); needs `--out`.
    Matrix,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tantivy=warn,lopdf=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        // The reader of stdout stopped reading (`cfi export | head`): it has what it
        // wanted, so this ends quietly, as ripgrep does.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            // Our errors already name their cause; print each cause once.
            let mut message = error.to_string();
            for cause in error.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message = format!("{message}: {cause}");
                }
            }
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the error comes from writing to a pipe whose reader has gone. Rust ignores
/// SIGPIPE, so the write fails with `BrokenPipe` instead of ending the process.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let model = cli.model.as_deref();
    match cli.command {
        Command::Init(args) => init(args),
        Command::Ingest(args) => ingest(args, model),
        Command::Search(args) => search(args, model),
        Command::Extract(args) => extract(args),
        Command::Export(args) => export(args, model),
        Command::Brief(args) => brief(args, model),
        Command::Eval {
            what: EvalCommand::Tagging(args),
        } => eval_tagging(args),
        Command::Serve(args) => serve(args, model),
    }
}

/// Stdout, locked once and buffered: commands print through it and pass its errors on,
/// so a closed pipe ends the command (see [`is_broken_pipe`]) instead of panicking.
fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// Writes `value` as indented JSON and a newline.
fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    // An I/O error inside serde_json's comes back out as itself.
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
    writeln!(out)
}

fn brief(args: BriefArgs, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        BriefFormatArg::Md => cfi_server::BriefFormat::Md,
        BriefFormatArg::Html => cfi_server::BriefFormat::Html,
        BriefFormatArg::Docx => cfi_server::BriefFormat::Docx,
        BriefFormatArg::Json => cfi_server::BriefFormat::Json,
    };
    if matches!(format, cfi_server::BriefFormat::Docx) && args.out.is_none() {
        bail!("a DOCX brief is a binary file: name it with --out FILE.docx");
    }
    let index = open_existing(&args.index, model)?;
    let request = cfi_server::brief::BriefRequest {
        question: args.question,
        call: args.call,
        category: args.category,
        include_confidential: args.include_confidential,
        max_passages: None,
    };
    let brief = cfi_server::brief::build(&index, &request)?;
    let bytes = cfi_server::brief::render(&brief, format, &args.base_url)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            let submissions: usize = brief.counts.iter().map(|c| c.submissions).sum();
            eprintln!(
                "question {}: {submissions} submissions, {} with no input; written to {}",
                brief.question,
                brief.no_input.len(),
                path.display()
            );
        }
        None => {
            let mut out = stdout();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    let draft = cfi_init::draft(&args.pages, &args.dir)?;
    draft.write(args.force)?;
    let mut out = stdout();
    write!(out, "{}", draft.report())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn ingest(args: IngestArgs, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let index = open_index(&args.index, model)?;
    let options = cfi_ingest::Options {
        jobs: args.jobs,
        file_timeout: std::time::Duration::from_secs(args.file_timeout),
    };
    let report = ingest_with_progress(&args.folder, &index, &options)?;
    let mut out = stdout();
    if args.json {
        write_json(&mut out, &report)?;
    } else {
        write_report(&mut out, &report)?;
    }
    out.flush()?;
    Ok(if report.indexed_files() == 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn search(args: SearchArgs, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let index = open_existing(&args.index, model)?;
    let request = SearchRequest {
        q: args.query,
        question: args.question,
        category: args.category,
        country: args.country,
        lang: args.lang,
        kind: args.kind,
        limit: args.limit,
        include_confidential: args.include_confidential,
        semantic: args.semantic,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let results = index.search(&request)?;
    let mut out = stdout();
    if args.json {
        // The API's `/search` answer, through the same type.
        let response = cfi_server::SearchResponse::new(
            results,
            &request,
            &index.catalog(),
            true,
            None,
            started.elapsed(),
        );
        write_json(&mut out, &response)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    match results.semantic_hits {
        0 => writeln!(out, "{} passages", results.total)?,
        n => writeln!(
            out,
            "{} passages ({} with the words, {n} close in meaning)",
            results.total,
            results.total.saturating_sub(n)
        )?,
    }
    for hit in &results.hits {
        let (p, s) = (&hit.record.passage, &hit.record.submission);
        let questions: Vec<String> = p
            .questions
            .iter()
            .map(|q| format!("Q{}", q.number))
            .collect();
        writeln!(
            out,
            "\n{} ({}{}) {} [{}] {}",
            s.submitter,
            s.category,
            s.country
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
            cfi_core::citation::Place::of(p),
            questions.join(" "),
            p.id
        )?;
        // The topical heading a passage sits under stands above it, as on the page.
        if let Some(heading) = p.heading.as_deref().map(str::trim)
            && !heading.is_empty()
            && !p.text.starts_with(heading)
        {
            writeln!(out, "  § {heading}")?;
        }
        writeln!(out, "  {}", hit.snippet.marked("[", "]", str::to_string))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn extract(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let options = cfi_extract::Options {
        password: args.password,
    };
    let several = args.files.len() > 1;
    let mut failed = false;
    let mut out = stdout();
    for file in &args.files {
        // One file's error does not stop the others; it is named on stderr.
        let doc = match cfi_extract::extract_path(file, &options) {
            Ok(doc) => doc,
            Err(e) if several => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if several {
            writeln!(out, "==> {} <==", file.display())?;
        }
        if args.json {
            write_json(&mut out, &doc)?;
        } else {
            write!(out, "{}", doc.to_plain_text())?;
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn export(args: ExportArgs, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    type WriteRow = fn(&cfi_server::ExportRow, &mut Box<dyn Write>) -> std::io::Result<()>;
    let write_row: WriteRow = match args.format {
        ExportFormat::Matrix => return export_matrix(args, model),
        ExportFormat::Jsonl => |row, out| row.write_jsonl(out),
        ExportFormat::Csv => |row, out| row.write_csv(out),
    };
    let index = open_existing(&args.index, model)?;
    let catalog = index.catalog();
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(stdout()),
    };
    // The rows and columns of the API's `/export`.
    if matches!(args.format, ExportFormat::Csv) {
        cfi_server::write_csv_header(&mut out)?;
    }
    for record in index.all_records(args.include_confidential)? {
        write_row(&cfi_server::ExportRow::new(&record, &catalog), &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the framework matrix (the API's `/export?format=matrix`) of every passage to the
/// `--out` file: a workbook is no text for a terminal or a pipe.
fn export_matrix(args: ExportArgs, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let Some(path) = &args.out else {
        bail!(
            "the framework matrix is an Excel workbook, not text for a terminal: write it to a file with `--out matrix.xlsx`"
        );
    };
    let index = open_existing(&args.index, model)?;
    let request = SearchRequest {
        include_confidential: args.include_confidential,
        ..SearchRequest::default()
    };
    // `cfi export` has no bound on its passages (the API's is MAX_EXPORT_ROWS).
    let workbook = cfi_server::framework_matrix(&index, &request, usize::MAX)?;
    std::fs::write(path, workbook).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn eval_tagging(args: TaggingArgs) -> anyhow::Result<ExitCode> {
    let headings = if args.skip_topical_headings {
        cfi_ingest::Headings::Skipped
    } else {
        cfi_ingest::Headings::Scored
    };
    let Some(reviews) = &args.reviews else {
        let report = cfi_ingest::evaluate_tagging_with(&args.folder, &[], headings)?;
        let mut out = stdout();
        if args.json {
            write_json(&mut out, &report)?;
        } else {
            write_tagging(&mut out, &report, args.mismatches)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    };
    let corrections = open_existing(reviews, None)?.reviewed_examples()?;
    let before = cfi_ingest::evaluate_tagging_with(&args.folder, &[], headings)?;
    let after = cfi_ingest::evaluate_tagging_with(&args.folder, &corrections, headings)?;
    let mut out = stdout();
    if args.json {
        write_json(
            &mut out,
            &serde_json::json!({"corrections": corrections.len(), "before": before, "after": after}),
        )?;
    } else {
        write_tagging(&mut out, &after, args.mismatches)?;
        writeln!(
            out,
            "\nlearned from {} staff corrections (micro-F1 before -> after):",
            corrections.len()
        )?;
        for (name, b, a) in [
            ("structured", &before.structured, &after.structured),
            ("unstructured", &before.unstructured, &after.unstructured),
        ] {
            writeln!(out, "  {name:<13} {:.3} -> {:.3}", b.micro().2, a.micro().2)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let ServeArgs {
        addr,
        index,
        demo,
        staff_token_file,
        cors_origins,
        request_timeout,
        read_only,
    } = args;
    let staff_token = match staff_token_file {
        Some(path) => Some(cfi_server::StaffToken::from_file_contents(
            &std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
        )),
        None => std::env::var("CFI_STAFF_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(|t| cfi_server::StaffToken::from_secret(&t)),
    };
    let empty = std::fs::read_dir(&index)
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(true);
    if read_only && empty {
        bail!(
            "{} holds no index, and --read-only never builds one: run `cfi ingest` first",
            index.display()
        );
    }
    let opened = open_index(&index, model)?;
    if empty {
        eprintln!(
            "{} is empty: building the demo call from {}",
            index.display(),
            demo.display()
        );
        let report = ingest_with_progress(&demo, &opened, &cfi_ingest::Options::default())
            .with_context(|| format!("building the demo index from {}", demo.display()))?;
        eprintln!(
            "indexed {} passages from {} files",
            report.passages(),
            report.indexed_files()
        );
    }
    if !read_only {
        // A review written to its file by a process killed before the index took it.
        let applied = opened.apply_pending_reviews()?;
        if applied > 0 {
            eprintln!("applied {applied} staff reviews the index did not show yet");
        }
    }
    let mut state = cfi_server::AppState::new(opened)
        .with_cors_origins(cors_origins)
        .with_request_timeout(std::time::Duration::from_secs(request_timeout));
    match (staff_token, read_only) {
        (Some(_), true) => eprintln!("--read-only: the staff token is ignored"),
        (Some(token), false) => state = state.with_staff_token(token),
        (None, _) => {}
    }
    listen(addr, state)?;
    Ok(ExitCode::SUCCESS)
}

/// `--semantic`: a number from 0 to 1.
fn semantic_ratio(value: &str) -> Result<f32, String> {
    match value.trim().parse::<f32>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "must be a number from 0 (words only) to 1 (meaning only), got {value:?}"
        )),
    }
}

/// Opens (or creates) the index in `dir` with the model given, or else the one it records.
fn open_index(dir: &Path, model: Option<&Path>) -> anyhow::Result<PassageIndex> {
    Ok(match model {
        Some(path) => PassageIndex::open_with(dir, cfi_embed::load_model(path)?)?,
        None => PassageIndex::open(dir)?,
    })
}

fn open_existing(dir: &Path, model: Option<&Path>) -> anyhow::Result<PassageIndex> {
    if !dir.join("meta.json").is_file() {
        bail!(
            "{} holds no index: run `cfi ingest <call-folder> --index {}` first",
            dir.display(),
            dir.display()
        );
    }
    open_index(dir, model)
}

/// Runs an ingest with a progress bar on stderr: files done, pages and passages per second,
/// and the time left.
fn ingest_with_progress(
    folder: &Path,
    index: &PassageIndex,
    options: &cfi_ingest::Options,
) -> anyhow::Result<cfi_ingest::Report> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{bar:30}] {pos}/{len} files {per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let (mut pages, mut passages) = (0u64, 0usize);
    let report = cfi_ingest::ingest_with(folder, index, options, &mut |event| match event {
        cfi_ingest::Progress::Start(n) => bar.set_length(n as u64),
        cfi_ingest::Progress::Done(file) => {
            pages += u64::from(file.pages.unwrap_or(0));
            passages += file.passages;
            let seconds = started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!(
                "| {:.0} pages/s {:.0} passages/s",
                pages as f64 / seconds,
                passages as f64 / seconds
            ));
            bar.inc(1);
        }
        cfi_ingest::Progress::Commit => bar.set_message("committing"),
    })?;
    bar.finish_and_clear();
    Ok(report)
}

fn write_report(out: &mut impl Write, report: &cfi_ingest::Report) -> std::io::Result<()> {
    writeln!(out, "call {}", report.call)?;
    for problem in &report.manifest_problems {
        writeln!(out, "  manifest: {problem}")?;
    }
    for f in &report.files {
        match &f.error {
            None => writeln!(
                out,
                "  ok     {:<50} {:>4} passages {:>4} pages  {}",
                f.file,
                f.passages,
                f.pages.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
                f.languages.join(",")
            )?,
            Some(e) => writeln!(out, "  error  {:<50} {e}", f.file)?,
        }
        for w in &f.warnings {
            writeln!(out, "         {:<50} {w}", "")?;
        }
    }
    for id in &report.removed {
        writeln!(out, "  removed {id} (no longer in the manifest)")?;
    }
    for file in &report.unlisted_files {
        writeln!(out, "  not in the manifest: {file} (add a row to index it)")?;
    }
    for id in &report.orphaned_reviews {
        writeln!(
            out,
            "  review of passage {id} kept: the passage is no longer in the index (the file changed or left the manifest)"
        )?;
    }
    writeln!(
        out,
        "{} passages from {} of {} files",
        report.passages(),
        report.indexed_files(),
        report.files.len()
    )
}

fn write_tagging(
    out: &mut impl Write,
    report: &cfi_ingest::TaggingReport,
    mismatches: bool,
) -> std::io::Result<()> {
    for (name, group) in [
        (
            "structured documents (question headings found)",
            &report.structured,
        ),
        (
            "unstructured documents (classifier only)",
            &report.unstructured,
        ),
    ] {
        let (p, r, f) = group.micro();
        writeln!(
            out,
            "\n{name}: {} documents, {} labelled paragraphs aligned, {} not found in any passage",
            group.documents, group.aligned, group.unaligned
        )?;
        if group.headings_skipped > 0 {
            writeln!(
                out,
                "  {} topical headings opening a passage left out (--skip-topical-headings)",
                group.headings_skipped
            )?;
        }
        writeln!(out, "  question  precision  recall     F1   (tp/fp/fn)")?;
        for (q, c) in &group.per_question {
            let (p, r, f) = c.scores();
            writeln!(
                out,
                "  {q:>8}  {p:>9.3}  {r:>6.3}  {f:>5.3}   ({}/{}/{})",
                c.true_positives, c.false_positives, c.false_negatives
            )?;
        }
        writeln!(out, "  micro     {p:>9.3}  {r:>6.3}  {f:>5.3}")?;
        writeln!(out, "  macro F1  {:>24.3}", group.macro_f1())?;
        writeln!(
            out,
            "  confusion (labelled -> tagged: paragraphs; 0 = none):"
        )?;
        for (want, row) in &group.confusion {
            let cells: Vec<String> = row.iter().map(|(got, n)| format!("{got}:{n}")).collect();
            writeln!(out, "    {want} -> {}", cells.join(" "))?;
        }
        if mismatches {
            writeln!(out, "  mismatches (labelled vs tagged):")?;
            for (file, text, want, got) in &group.mismatches {
                writeln!(out, "    {file}: {want:?} vs {got:?}: {text}")?;
            }
        }
    }
    for (title, column, groups) in [
        (
            "by structure (headed: question headings decide every tag; mixed: headings and the classifier; essay: the classifier alone)",
            "structure",
            &report.by_structure,
        ),
        (
            "by structure as labelled (the call folder's structure.csv)",
            "structure",
            &report.by_labelled_structure,
        ),
        (
            "by language of the document",
            "language",
            &report.by_language,
        ),
        ("by stakeholder category", "category", &report.by_category),
    ] {
        if groups.is_empty() {
            continue;
        }
        writeln!(out, "\n{title}:")?;
        writeln!(
            out,
            "  {column:<30} documents  structured  paragraphs  precision  recall     F1"
        )?;
        for (name, scores) in groups {
            let (p, r, f) = scores.counts.scores();
            writeln!(
                out,
                "  {name:<30} {:>9}  {:>10}  {:>10}  {p:>9.3}  {r:>6.3}  {f:>5.3}",
                scores.documents, scores.structured, scores.aligned
            )?;
        }
    }
    writeln!(
        out,
        "\nreliability of the classifier's tags (does a confidence read as a probability?):"
    )?;
    writeln!(out, "  confidence   tags  right  share right")?;
    for bin in &report.reliability {
        let share = if bin.tags > 0 {
            format!("{:.2}", f64::from(bin.correct) / f64::from(bin.tags))
        } else {
            "-".to_string()
        };
        writeln!(
            out,
            "  {:.1}-{:.1}  {:>7}  {:>5}  {share:>11}",
            bin.from, bin.to, bin.tags, bin.correct
        )?;
    }
    for e in &report.unreadable {
        writeln!(out, "unreadable: {e}")?;
    }
    Ok(())
}

fn listen(addr: SocketAddr, state: cfi_server::AppState) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "serving {} passages on http://{addr}/  (try: curl 'http://{addr}/api/v1/search?q=encryption&question=7')",
            state.index().passage_count()
        );
        let reloader = cfi_server::spawn_reloader(&state, std::time::Duration::from_secs(1));
        axum::serve(listener, cfi_server::app(state))
            .with_graceful_shutdown(shutdown())
            .await?;
        reloader.abort();
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM, so requests in flight finish.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    eprintln!("shutting down");
}
