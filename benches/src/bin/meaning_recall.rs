//! What grouping a large index's passages by meaning costs in results: the same searches
//! by meaning with the groups (the default) and with every allowed passage's sketch
//! compared, on the index `compare` builds; prints recall@10 of the grouped search against
//! the exhaustive one, how close in meaning its ten are (the mean cosine of the ten found
//! to the query, as a share of the exhaustive ten's: generated passages share sentences, so
//! many passages tie and recall alone undersells), and the p50 time of each.
//!
//! ```text
//! cargo run --release -p cfi-benches --bin meaning_recall -- [passages] [cache-folder]
//! ```
//! The index must exist (`compare -- N` builds it into the same cache folder).

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use cfi_benches::scale::{Corpus, Rng};
use cfi_embed::TextKind;
use cfi_index::{PassageIndex, SearchRequest};

/// The ten passages a search found: id and text.
type Found = Vec<(String, String)>;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let (n, cache) = cfi_benches::scale_arguments(1_000_000)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = cache.join(format!("cfi-{n}"));
    anyhow::ensure!(
        dir.join("meta.json").exists(),
        "no index at {}: run `compare -- {n}` first",
        dir.display()
    );
    let index = PassageIndex::open(&dir).context("opening the index")?;
    let corpus = Corpus::load(&root.join("fixtures"))?;
    // 200 queries: the first words of generated paragraphs in the corpus's languages, a
    // question filter on every fifth.
    let mut rng = Rng::new(11);
    let queries: Vec<SearchRequest> = (0..200)
        .map(|i| {
            let language = corpus.language(&mut rng);
            let question = 1 + (i % 9) as u32;
            let text = corpus.paragraph(&mut rng, &language, question);
            let words: Vec<&str> = text.split_whitespace().take(3 + i % 8).collect();
            SearchRequest {
                q: words.join(" "),
                question: (i % 5 == 0).then_some(question),
                limit: 10,
                semantic: 1.0,
                ..SearchRequest::default()
            }
        })
        .collect();
    let run = |exhaustive: bool| -> anyhow::Result<(Vec<Found>, Vec<f64>)> {
        index.compare_every_sketch(exhaustive);
        let mut found = Vec::new();
        let mut times = Vec::new();
        for q in &queries {
            let started = Instant::now();
            let results = index.search(q)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            found.push(
                results
                    .hits
                    .iter()
                    .map(|h| (h.record.passage.id.clone(), h.record.passage.text.clone()))
                    .collect(),
            );
        }
        times.sort_by(f64::total_cmp);
        Ok((found, times))
    };
    // Warm both (the groups are made on the first search), then measure.
    run(false)?;
    run(true)?;
    let (exact, exact_times) = run(true)?;
    let (grouped, grouped_times) = run(false)?;
    let embedder = index.embedder();
    let mean_cosine = |q: &str, hits: &Found| -> f64 {
        let query = embedder.embed(q, TextKind::Query);
        let sum: f32 = hits
            .iter()
            .map(|(_, text)| {
                let v = embedder.embed(text, TextKind::Passage);
                v.iter().zip(&query).map(|(a, b)| a * b).sum::<f32>()
            })
            .sum();
        f64::from(sum) / hits.len().max(1) as f64
    };
    let (mut recall, mut counted, mut closeness) = (0.0, 0usize, 0.0);
    for ((e, g), q) in exact.iter().zip(&grouped).zip(&queries) {
        if e.is_empty() {
            continue;
        }
        let exact_cosine = mean_cosine(&q.q, e);
        if exact_cosine > 0.0 {
            closeness += mean_cosine(&q.q, g) / exact_cosine;
        }
        let hit = e
            .iter()
            .filter(|(id, _)| g.iter().any(|(x, _)| x == id))
            .count();
        recall += hit as f64 / e.len() as f64;
        counted += 1;
    }
    let p50 = |t: &[f64]| t.get(t.len() / 2).copied().unwrap_or(0.0);
    println!(
        "{n} passages, {} queries by meaning (semantic 1, top 10, a question filter on every fifth)",
        queries.len()
    );
    println!(
        "recall@10 of the grouped search against every sketch compared: {:.3} over {counted} queries",
        recall / counted.max(1) as f64
    );
    println!(
        "mean cosine of the grouped ten as a share of the exhaustive ten's: {:.4}",
        closeness / counted.max(1) as f64
    );
    println!(
        "p50: grouped {:.2} ms, every sketch {:.2} ms",
        p50(&grouped_times),
        p50(&exact_times)
    );
    Ok(())
}
