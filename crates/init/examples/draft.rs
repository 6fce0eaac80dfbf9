//! `cfi init` without the rest of cfi: `cargo run -p cfi-init --example draft -- PAGE... DIR`
//! (writes DIR/call.toml and DIR/manifest.csv, replacing them, and prints the report).

fn main() {
    let mut args: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let Some(dir) = args.pop() else {
        eprintln!("usage: draft PAGE... DIR");
        std::process::exit(2);
    };
    match cfi_init::draft(&args, &dir).and_then(|d| d.write(true).map(|()| d)) {
        Ok(draft) => print!("{}", draft.report()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
