//! Search at scale, side by side in one run: cfi in-process, cfi over HTTP (loopback), a
//! bare tantivy searcher (the floor: the engine alone), and SQLite FTS5 (with GROUP BY for
//! the facet counts), on the same generated passages and the same 200 queries.
//!
//! ```text
//! [CFI_SEMANTIC=0] cargo run --release -p cfi-benches --bin compare -- [passages] [cache-folder]
//! ```
//! Indexes are built once into the cache folder (default `target/scale-search`) and reused.
//! Every engine answers each query with the top 10 hits, 10 snippets and facet counts, and
//! a facet filter where the query has one.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use cfi_benches::FACETS;
use cfi_benches::scale::{Corpus, Rng};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::Facet;
use tantivy::schema::{FacetOptions, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, TantivyDocument, Term};

const SEED: u64 = 7;

/// How much cfi's searches lean on meaning: `CFI_SEMANTIC` (0 words only, 1 meaning only),
/// else the default the API uses.
fn semantic() -> f32 {
    std::env::var("CFI_SEMANTIC")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cfi_index::DEFAULT_SEMANTIC)
}

/// The allocator `cfi serve` runs with, so in-process figures match the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One benchmark query: words (with quotes for a phrase) and an optional question filter.
#[derive(Debug, Clone)]
struct BenchQuery {
    words: Vec<String>,
    phrase: bool,
    question: Option<u32>,
}

impl BenchQuery {
    fn cfi(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.words.join(" "))
        } else {
            self.words.join(" ")
        }
    }

    fn fts5(&self) -> String {
        if self.phrase {
            format!("\"{}\"", self.words.join(" "))
        } else {
            self.words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" AND ")
        }
    }
}

/// 200 queries from the corpus's own English words: 40% one word, 25% two words, 15%
/// phrases, 20% with a question filter.
fn queries(corpus: &Corpus) -> Vec<BenchQuery> {
    let mut rng = Rng::new(SEED);
    let mut texts = Vec::new();
    for q in 1..=9 {
        for _ in 0..20 {
            texts.push(corpus.paragraph(&mut rng, "en", q));
        }
    }
    let stop = [
        "about", "after", "their", "there", "these", "those", "which", "where", "while", "would",
        "should", "could", "other", "being", "under", "within", "without", "between",
    ];
    let words_of = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() >= 5 && w.is_ascii())
            .map(str::to_lowercase)
            .filter(|w| !stop.contains(&w.as_str()))
            .collect()
    };
    let mut out = Vec::new();
    while out.len() < 200 {
        let text = rng.pick(&texts).cloned().unwrap_or_default();
        let words = words_of(&text);
        if words.len() < 3 {
            continue;
        }
        let roll = rng.below(100);
        let at = rng.below(words.len() - 1);
        let query = match roll {
            0..40 => BenchQuery {
                words: vec![words[at].clone()],
                phrase: false,
                question: None,
            },
            40..65 => BenchQuery {
                words: vec![words[at].clone(), words[rng.below(words.len())].clone()],
                phrase: false,
                question: None,
            },
            65..80 => {
                // Two words that follow each other in the text.
                let all: Vec<String> = text
                    .split_whitespace()
                    .map(|w| {
                        w.trim_matches(|c: char| !c.is_alphanumeric())
                            .to_lowercase()
                    })
                    .filter(|w| w.is_ascii() && w.len() > 3)
                    .collect();
                if all.len() < 2 {
                    continue;
                }
                let i = rng.below(all.len() - 1);
                BenchQuery {
                    words: vec![all[i].clone(), all[i + 1].clone()],
                    phrase: true,
                    question: None,
                }
            }
            _ => BenchQuery {
                words: vec![words[at].clone()],
                phrase: false,
                question: Some(1 + u32::try_from(rng.below(9)).unwrap_or(0)),
            },
        };
        out.push(query);
    }
    out
}

/// Median and 99th percentile of durations, in milliseconds.
fn percentiles(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let at = |p: f64| {
        let i = ((times.len() as f64 - 1.0) * p).round() as usize;
        times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let mean =
        times.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / times.len().max(1) as f64;
    (at(0.5), at(0.99), mean)
}

/// Whether `CFI_FIRST_SIGHT=1` asks for each query measured the first time an engine sees it.
fn first_sight() -> bool {
    std::env::var_os("CFI_FIRST_SIGHT").is_some()
}

/// Runs every query twice (a warm-up pass, then the measured one) and keeps the second
/// pass's times; `hits` counts what the engine found, to check the engines agree. With
/// `CFI_FIRST_SIGHT=1` there is no warm-up pass: each query is measured the first time the
/// engine sees it (what cfi keeps per query, such as its vector, does not help then).
fn measure(
    queries: &[BenchQuery],
    mut run: impl FnMut(&BenchQuery) -> anyhow::Result<usize>,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    if !first_sight() {
        for q in queries {
            run(q)?;
        }
    }
    let mut times = Vec::with_capacity(queries.len());
    let mut total = 0;
    for q in queries {
        let start = Instant::now();
        total += run(q)?;
        times.push(start.elapsed());
    }
    Ok((times, total))
}

/// The bare tantivy index: one English-stemmed text field, the same six facets, nothing else.
struct Bare {
    index: Index,
    reader: IndexReader,
    text: tantivy::schema::Field,
    question: tantivy::schema::Field,
}

impl Bare {
    fn schema() -> (Schema, tantivy::schema::Field, Vec<tantivy::schema::Field>) {
        let mut builder = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let text = builder.add_text_field(
            "text",
            TextOptions::default()
                .set_indexing_options(indexing)
                .set_stored(),
        );
        let facets = FACETS
            .iter()
            .map(|name| builder.add_facet_field(name, FacetOptions::default()))
            .collect();
        (builder.build(), text, facets)
    }

    fn open_or_build(dir: &Path, corpus: &Corpus, n: usize) -> anyhow::Result<Bare> {
        let (schema, text, facets) = Bare::schema();
        let fresh = !dir.join("meta.json").exists();
        std::fs::create_dir_all(dir)?;
        let index = if fresh {
            Index::create_in_dir(dir, schema)?
        } else {
            Index::open_in_dir(dir)?
        };
        if fresh {
            let mut writer: tantivy::IndexWriter = index.writer(256 * 1024 * 1024)?;
            cfi_benches::scale::passages(corpus, n, SEED, &mut |info, list| {
                for p in list {
                    let mut document = TantivyDocument::default();
                    document.add_text(text, &p.text);
                    let submission = &info.submission;
                    let mut values: Vec<(usize, String)> = vec![
                        (1, submission.category.clone()),
                        (4, p.language.clone().unwrap_or_else(|| "en".into())),
                        (5, submission.kind.as_str().to_string()),
                    ];
                    values.extend(p.questions.iter().map(|t| (0, t.number.to_string())));
                    values.extend(submission.country.iter().map(|c| (2, c.clone())));
                    values.extend(p.mentioned_countries.iter().map(|c| (3, c.clone())));
                    for (i, value) in values {
                        if let Some(field) = facets.get(i) {
                            document.add_facet(*field, Facet::from_path([value.as_str()]));
                        }
                    }
                    writer.add_document(document)?;
                }
                Ok(())
            })?;
            writer.commit()?;
            writer.wait_merging_threads()?;
        }
        // The same executor cfi gives its index: segments searched on all cores.
        let mut index = index;
        index.set_default_multithread_executor()?;
        let reader = index.reader()?;
        Ok(Bare {
            index,
            reader,
            text,
            question: facets[0],
        })
    }

    fn search(&self, q: &BenchQuery) -> anyhow::Result<usize> {
        let searcher = self.reader.searcher();
        let mut parser = QueryParser::for_index(&self.index, vec![self.text]);
        parser.set_conjunction_by_default();
        let text_query = parser.parse_query(&q.cfi())?;
        let query: Box<dyn Query> = match q.question {
            Some(n) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, text_query.box_clone()),
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_facet(
                            self.question,
                            &tantivy::schema::Facet::from(&format!("/{n}")),
                        ),
                        IndexRecordOption::Basic,
                    )),
                ),
            ])),
            None => text_query.box_clone(),
        };
        let mut facets = Vec::new();
        for field in ["question", "category", "language"] {
            let mut collector = FacetCollector::for_field(field);
            collector.add_facet("/");
            facets.push(collector);
        }
        let [a, b, c] =
            <[FacetCollector; 3]>::try_from(facets).map_err(|_| anyhow::anyhow!("three facets"))?;
        let (top, count, facet_counts) = searcher.search(
            &*query,
            &(TopDocs::with_limit(10).order_by_score(), Count, (a, b, c)),
        )?;
        std::hint::black_box(facet_counts);
        let snippets = SnippetGenerator::create(&searcher, &*text_query, self.text)?;
        for (_, address) in &top {
            let document: TantivyDocument = searcher.doc(*address)?;
            let snippet = snippets.snippet_from_doc(&document);
            std::hint::black_box(snippet.to_html());
        }
        Ok(count)
    }
}

/// The SQLite FTS5 table of the same passages.
fn fts5(path: &Path, corpus: &Corpus, n: usize) -> anyhow::Result<rusqlite::Connection> {
    let fresh = !path.exists();
    let db = rusqlite::Connection::open(path)?;
    if fresh {
        db.execute_batch(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
             CREATE VIRTUAL TABLE p USING fts5(text, question UNINDEXED, category UNINDEXED,
             language UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2');
             BEGIN;",
        )?;
        {
            let mut insert = db.prepare(
                "INSERT INTO p (text, question, category, language) VALUES (?1, ?2, ?3, ?4)",
            )?;
            cfi_benches::scale::passages(corpus, n, SEED, &mut |info, list| {
                for p in list {
                    let q = p.questions.first().map_or(0, |t| t.number);
                    insert.execute(rusqlite::params![
                        p.text,
                        q,
                        info.submission.category,
                        p.language.as_deref().unwrap_or("en")
                    ])?;
                }
                Ok(())
            })?;
        }
        db.execute_batch("COMMIT; INSERT INTO p(p) VALUES('optimize');")?;
    }
    Ok(db)
}

fn fts5_search(db: &rusqlite::Connection, q: &BenchQuery) -> anyhow::Result<usize> {
    let filter = if q.question.is_some() {
        " AND question = ?2"
    } else {
        ""
    };
    let question = q.question.unwrap_or(0);
    let top = format!(
        "SELECT rowid, snippet(p, 0, '<mark>', '</mark>', '…', 16) FROM p WHERE p MATCH ?1{filter} ORDER BY rank LIMIT 10"
    );
    let mut statement = db.prepare_cached(&top)?;
    let params: Vec<Box<dyn rusqlite::ToSql>> = if q.question.is_some() {
        vec![Box::new(q.fts5()), Box::new(question)]
    } else {
        vec![Box::new(q.fts5())]
    };
    let refs: Vec<&dyn rusqlite::ToSql> = params.iter().map(|b| &**b).collect();
    let mut rows = statement.query(refs.as_slice())?;
    while let Some(row) = rows.next()? {
        std::hint::black_box(row.get::<_, String>(1)?);
    }
    let mut total = 0usize;
    for column in ["question", "category", "language"] {
        let sql =
            format!("SELECT {column}, count(*) FROM p WHERE p MATCH ?1{filter} GROUP BY {column}");
        let mut statement = db.prepare_cached(&sql)?;
        let mut rows = statement.query(refs.as_slice())?;
        let mut sum = 0usize;
        while let Some(row) = rows.next()? {
            sum += usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0);
        }
        if column == "question" {
            total = sum;
        }
    }
    Ok(total)
}

/// Answers over HTTP from cfi's own router on a loopback port, one request at a time.
fn http_times(
    index: cfi_index::PassageIndex,
    queries: &[BenchQuery],
) -> anyhow::Result<Vec<Duration>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = cfi_server::app(cfi_server::AppState::new(index));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client: hyper_util::client::legacy::Client<
            _,
            http_body_util::Empty<axum::body::Bytes>,
        > = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
        let mut times = Vec::new();
        // First sight: one pass, measured; else a warm-up pass, then the measured one.
        let passes = if first_sight() { 1 } else { 2 };
        for pass in 0..passes {
            for q in queries {
                let mut url = format!(
                    "http://{addr}/api/v1/search?limit=10&q={}",
                    encode(&q.cfi())
                );
                if let Some(n) = q.question {
                    url.push_str(&format!("&question={n}"));
                }
                url.push_str(&format!("&semantic={}", semantic()));
                let start = Instant::now();
                let response = client.get(url.parse()?).await?;
                let status = response.status();
                let body = http_body_util::BodyExt::collect(response.into_body()).await?;
                std::hint::black_box(body.to_bytes());
                anyhow::ensure!(status.is_success(), "HTTP {status} for {url}");
                if pass + 1 == passes {
                    times.push(start.elapsed());
                }
            }
        }
        Ok(times)
    })
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn folder_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        folder_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let (n, cache) = cfi_benches::scale_arguments(100_000)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::create_dir_all(&cache)?;
    let corpus = Corpus::load(&root.join("fixtures"))?;
    let queries = queries(&corpus);
    if let Some(path) = std::env::var_os("CFI_WRITE_QUERIES") {
        // The same queries as API paths, one per line, for an HTTP load generator.
        let lines: Vec<String> = queries
            .iter()
            .map(|q| {
                let mut url = format!("/api/v1/search?limit=10&q={}", encode(&q.cfi()));
                if let Some(n) = q.question {
                    url.push_str(&format!("&question={n}"));
                }
                url
            })
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n")?;
        return Ok(());
    }

    let started = Instant::now();
    let cfi = cfi_benches::scale::build_index(&corpus, &cache.join(format!("cfi-{n}")), n, SEED)
        .context("building the cfi index")?;
    eprintln!(
        "cfi index ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Some(rounds) = std::env::var_os("CFI_PROFILE") {
        // For a profiler: only cfi's searches, many times over (CFI_PROFILE=n rounds of
        // the queries; 10 when it is not a number).
        let rounds = rounds.to_str().and_then(|r| r.parse().ok()).unwrap_or(10);
        for _ in 0..rounds {
            for q in &queries {
                let request = cfi_index::SearchRequest {
                    q: q.cfi(),
                    question: q.question,
                    limit: 10,
                    semantic: semantic(),
                    ..cfi_index::SearchRequest::default()
                };
                std::hint::black_box(cfi.search(&request)?);
            }
        }
        return Ok(());
    }
    let started = Instant::now();
    let bare = Bare::open_or_build(&cache.join(format!("tantivy-{n}")), &corpus, n)?;
    eprintln!(
        "bare tantivy index ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let db = fts5(&cache.join(format!("fts5-{n}.sqlite")), &corpus, n)?;
    eprintln!(
        "FTS5 table ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (cfi_times, cfi_hits) = measure(&queries, |q| {
        let request = cfi_index::SearchRequest {
            q: q.cfi(),
            question: q.question,
            limit: 10,
            semantic: semantic(),
            ..cfi_index::SearchRequest::default()
        };
        Ok(cfi.search(&request)?.total)
    })?;
    let (bare_times, bare_hits) = measure(&queries, |q| bare.search(q))?;
    // CFI_SKIP_FTS5=1 leaves FTS5 out while iterating on cfi (its column reads "0").
    let (fts_times, fts_hits) = if std::env::var_os("CFI_SKIP_FTS5").is_some() {
        (vec![Duration::ZERO], 0)
    } else {
        measure(&queries, |q| fts5_search(&db, q))?
    };
    // At first sight, HTTP searches an index opened afresh: nothing the in-process run
    // kept (passages read, query vectors) helps it.
    let http = if first_sight() {
        http_times(
            cfi_index::PassageIndex::open(&cache.join(format!("cfi-{n}")))?,
            &queries,
        )?
    } else {
        http_times(cfi.clone(), &queries)?
    };

    // The other views staff open: the coverage matrix and hits grouped by submission.
    let some: Vec<BenchQuery> = queries.iter().take(20).cloned().collect();
    let (matrix_times, _) = measure(&some, |q| {
        let request = cfi_index::SearchRequest {
            q: q.cfi(),
            question: q.question,
            ..cfi_index::SearchRequest::default()
        };
        Ok(cfi.matrix(&request)?.cells.len())
    })?;
    let (group_times, _) = measure(&some, |q| {
        let request = cfi_index::SearchRequest {
            q: q.cfi(),
            question: q.question,
            limit: 10,
            group_by_submission: true,
            semantic: semantic(),
            ..cfi_index::SearchRequest::default()
        };
        Ok(cfi.search(&request)?.total)
    })?;

    let text_bytes: usize = {
        let mut sum = 0;
        cfi_benches::scale::passages(&corpus, n, SEED, &mut |_, list| {
            sum += list.iter().map(|p| p.text.len()).sum::<usize>();
            Ok(())
        })?;
        sum
    };
    let cfi_size = folder_size(&cache.join(format!("cfi-{n}")));
    println!(
        "search at {n} passages, {} queries (top 10 + facet counts + 10 snippets; a facet filter on 20%)",
        queries.len()
    );
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>12}",
        "engine", "p50 ms", "p99 ms", "mean ms", "hits (sum)"
    );
    let rows = [
        ("cfi (in-process)", percentiles(cfi_times), cfi_hits),
        ("cfi (HTTP, loopback)", percentiles(http), cfi_hits),
        ("bare tantivy", percentiles(bare_times), bare_hits),
        ("SQLite FTS5", percentiles(fts_times), fts_hits),
    ];
    for (name, (p50, p99, mean), hits) in &rows {
        println!("{name:<22} {p50:>9.2} {p99:>9.2} {mean:>9.2} {hits:>12}");
    }
    let (cfi_p, http_p, bare_p, fts_p) = (rows[0].1, rows[1].1, rows[2].1, rows[3].1);
    println!(
        "ratios: cfi/bare tantivy p50 {:.2}x p99 {:.2}x; FTS5/cfi p50 {:.1}x p99 {:.1}x; HTTP/in-process p50 {:.2}x",
        cfi_p.0 / bare_p.0.max(1e-9),
        cfi_p.1 / bare_p.1.max(1e-9),
        fts_p.0 / cfi_p.0.max(1e-9),
        fts_p.1 / cfi_p.1.max(1e-9),
        http_p.0 / cfi_p.0.max(1e-9),
    );
    let (matrix_p50, matrix_p99, _) = percentiles(matrix_times);
    let (group_p50, group_p99, _) = percentiles(group_times);
    println!(
        "cfi views on the first 20 queries: matrix p50 {matrix_p50:.1} ms p99 {matrix_p99:.1} ms; grouped by submission p50 {group_p50:.1} ms p99 {group_p99:.1} ms"
    );
    println!(
        "index size: cfi {:.1} MB for {:.1} MB of passage text ({:.2}x)",
        cfi_size as f64 / 1e6,
        text_bytes as f64 / 1e6,
        cfi_size as f64 / text_bytes.max(1) as f64
    );
    Ok(())
}
