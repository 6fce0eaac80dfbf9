//! Prints what `cfi init` reads from a call page: `cargo run -p cfi-init --example page -- PAGE`.

fn main() {
    for path in std::env::args().skip(1) {
        match cfi_init::CallPage::read(std::path::Path::new(&path)) {
            Ok(page) => {
                println!(
                    "{path}: {:?} / {:?} / {:?} / {:?}",
                    page.title, page.mandate, page.issued, page.deadline
                );
                for (n, q) in &page.questions {
                    println!("  Q{n}: {q}");
                }
                for e in &page.entries {
                    let links: Vec<String> = e
                        .links
                        .iter()
                        .map(|l| {
                            format!(
                                "{} [{:?}] {}",
                                l.label,
                                l.kind,
                                l.href.as_deref().unwrap_or("-")
                            )
                        })
                        .collect();
                    println!("  [{}] {} :: {}", e.category, e.name, links.join(" | "));
                }
            }
            Err(e) => println!("{e}"),
        }
    }
}
