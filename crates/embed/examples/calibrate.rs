//! How similar relevant and other passages are to judged queries under the shipped model:
//! `cargo run --release -p cfi-embed --example calibrate -- PASSAGES.jsonl JUDGMENTS.jsonl`
//! (passages as `cargo run -p cfi-benches --bin relevance -- --dump` writes them). Prints
//! percentiles of the cosine for the relevant passages and for all the others, to choose
//! the floor below which a passage is not brought in by meaning.

use cfi_embed::{Embedder, TextKind, default_model};

fn percentiles(mut v: Vec<f32>) -> String {
    v.sort_by(f32::total_cmp);
    let at = |p: f32| {
        v.get(((v.len() as f32 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    format!(
        "n={} p10 {:.3} p25 {:.3} p50 {:.3} p75 {:.3} p90 {:.3} p99 {:.3}",
        v.len(),
        at(0.1),
        at(0.25),
        at(0.5),
        at(0.75),
        at(0.9),
        at(0.99)
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(passages), Some(judgments)) = (args.first(), args.get(1)) else {
        eprintln!("usage: calibrate PASSAGES JUDGMENTS");
        std::process::exit(2);
    };
    let model = default_model().expect("model");
    let read = |path: &str| -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .expect("read")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let passages = read(passages);
    let vectors: Vec<Vec<f32>> = passages
        .iter()
        .map(|p| model.embed(p["text"].as_str().unwrap_or(""), TextKind::Passage))
        .collect();
    let (mut relevant, mut others) = (Vec::new(), Vec::new());
    for j in read(judgments) {
        let q = model.embed(j["q"].as_str().unwrap_or(""), TextKind::Query);
        for (p, v) in passages.iter().zip(&vectors) {
            let cos: f32 = q.iter().zip(v).map(|(a, b)| a * b).sum();
            let text = p["text"].as_str().unwrap_or("").to_lowercase();
            let hit = j["relevant"].as_array().is_some_and(|rs| {
                rs.iter().any(|r| {
                    r["file"] == p["file"]
                        && text.contains(&r["contains"].as_str().unwrap_or("").to_lowercase())
                })
            });
            if hit {
                relevant.push(cos)
            } else {
                others.push(cos)
            }
        }
    }
    println!("relevant: {}", percentiles(relevant));
    println!("others:   {}", percentiles(others));
}
