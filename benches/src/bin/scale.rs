//! Writes a scale corpus: a call folder of N synthetic submissions (DOCX and PDF) re-combined
//! from the fixture calls' labelled paragraphs, deterministic from a seed.
//!
//! ```text
//! cargo run --release -p cfi-benches --bin scale -- 1000 /tmp/scale-1k [seed]
//! ```
//! Prints the files, PDF pages, text bytes and file bytes written, as JSON.

use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(out)) = (args.first(), args.get(1)) else {
        anyhow::bail!("usage: scale <submissions> <out-folder> [seed]");
    };
    let n: usize = n.parse()?;
    let seed: u64 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(42);
    let out = PathBuf::from(out);
    anyhow::ensure!(
        !out.join("manifest.csv").exists(),
        "{} already holds a call folder",
        out.display()
    );
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let corpus = cfi_benches::scale::Corpus::load(&fixtures)?;
    let written = cfi_benches::scale::write_call(&corpus, &out, n, seed)?;
    println!(
        "{{\"files\":{},\"pdfPages\":{},\"textBytes\":{},\"fileBytes\":{}}}",
        written.files, written.pdf_pages, written.text_bytes, written.file_bytes
    );
    Ok(())
}
