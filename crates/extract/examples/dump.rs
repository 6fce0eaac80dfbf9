//! Prints the blocks of the files named on the command line, one per line with kind and page:
//! `cargo run -p cfi-extract --example dump -- submission.pdf [password]`.

use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: dump FILE [PASSWORD]");
        std::process::exit(2);
    };
    let options = cfi_extract::Options {
        password: args.next(),
    };
    match cfi_extract::extract_path(Path::new(&file), &options) {
        Ok(doc) => {
            println!(
                "# {} pages={:?} blocks={} needs_ocr={:?}",
                doc.format,
                doc.pages,
                doc.blocks.len(),
                doc.needs_ocr
            );
            for block in &doc.blocks {
                let page = block.page.map(|p| format!("p{p}")).unwrap_or_default();
                let label = block
                    .page_label
                    .as_deref()
                    .map(|l| format!(" [{l}]"))
                    .unwrap_or_default();
                let ocr = if block.ocr { " [ocr]" } else { "" };
                println!("{page}{label}{ocr} {:?}: {}", block.kind, block.text);
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
