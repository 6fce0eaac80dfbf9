//! Prints the cosine of text pairs under the shipped model:
//! `cargo run -p cfi-embed --example similar -- "text a" "text b" ["text c" ...]` (each
//! against the first).

use cfi_embed::{Embedder, TextKind, default_model};

fn main() {
    let model = match default_model() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let texts: Vec<String> = std::env::args().skip(1).collect();
    let Some(first) = texts.first() else {
        eprintln!("usage: similar TEXT TEXT...");
        std::process::exit(2);
    };
    let skip: usize = std::env::var("SKIP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cut = |mut v: Vec<f32>| {
        for x in v.iter_mut().take(skip) {
            *x = 0.0;
        }
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
        v.iter().map(|x| x / n).collect::<Vec<f32>>()
    };
    let a = cut(model.embed(first, TextKind::Query));
    for other in &texts[1..] {
        let b = cut(model.embed(other, TextKind::Passage));
        let cos: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        println!("{cos:.3}  {other}");
    }
}
