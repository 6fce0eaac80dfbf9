//! A transformer model from a folder (`--model DIR`), on a tiny random BERT the test makes.

use cfi_embed::{Embedder, TextKind, TransformerModel, load_model, write_tiny_model};

const WORDS: &[&str] = &[
    "children",
    "online",
    "safety",
    "encryption",
    "hotline",
    "reports",
    "abuse",
    "material",
];

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn a_tiny_bert_embeds_texts_as_unit_vectors_the_same_way_every_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tiny");
    write_tiny_model(&path, WORDS).expect("write");
    let model = TransformerModel::load(&path).expect("load");
    assert_eq!(model.dim(), 32);
    assert!(model.id().starts_with("bert-32/"), "{}", model.id());
    let a = model.embed("Children report abuse to the hotline", TextKind::Passage);
    assert_eq!(a.len(), 32);
    let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    assert_eq!(
        a,
        model.embed("Children report abuse to the hotline", TextKind::Passage)
    );
    // Queries and passages get their prompts ("query: ", "passage: "): not the same vector.
    let q = model.embed("Children report abuse to the hotline", TextKind::Query);
    assert_ne!(a, q);
    assert!(cosine(&a, &q) > 0.5, "{}", cosine(&a, &q));
    // A text far longer than the model's 128 positions is cut, not refused.
    let long = "online safety and encryption ".repeat(200);
    let v = model.embed(&long, TextKind::Passage);
    assert!(v.iter().any(|x| *x != 0.0));
    assert!((0.0..=0.9).contains(&model.min_similarity()));

    // The same folder through load_model.
    let again = load_model(&path).expect("load_model");
    assert_eq!(again.id(), model.id());
    // The same words make the same model, wherever it is; other words another one.
    let same = dir.path().join("same");
    write_tiny_model(&same, WORDS).expect("write");
    assert_eq!(load_model(&same).expect("load").id(), model.id());
    let other = dir.path().join("other");
    write_tiny_model(&other, &WORDS[1..]).expect("write");
    assert_ne!(load_model(&other).expect("load").id(), model.id());
}

/// The error loading the tiny model at `path` once its config.json says `to` where it said
/// `from`.
fn error_with_config(path: &std::path::Path, from: &str, to: &str) -> String {
    write_tiny_model(path, WORDS).expect("write");
    let config = std::fs::read_to_string(path.join("config.json")).expect("read");
    assert!(config.contains(from), "{config}");
    std::fs::write(path.join("config.json"), config.replace(from, to)).expect("write");
    load_model(path).expect_err("refused").to_string()
}

#[test]
fn a_missing_or_corrupt_model_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = |path: &std::path::Path| load_model(path).expect_err("refused").to_string();

    let nothing = dir.path().join("nothing");
    let e = error(&nothing);
    assert!(e.contains("nothing") && e.contains("no such file"), "{e}");

    let path = dir.path().join("model");
    write_tiny_model(&path, WORDS).expect("write");
    std::fs::remove_file(path.join("tokenizer.json")).expect("rm");
    let e = error(&path);
    assert!(e.contains("tokenizer.json") && e.contains("missing"), "{e}");

    write_tiny_model(&path, WORDS).expect("write");
    std::fs::write(
        path.join("model.safetensors"),
        b"\x08\0\0\0\0\0\0\0{garbage",
    )
    .expect("write");
    let e = error(&path);
    assert!(e.contains("model.safetensors"), "{e}");

    write_tiny_model(&path, WORDS).expect("write");
    let weights = std::fs::read(path.join("model.safetensors")).expect("read");
    std::fs::write(
        path.join("model.safetensors"),
        &weights[..weights.len() / 2],
    )
    .expect("write");
    let e = error(&path);
    assert!(e.contains("model.safetensors"), "{e}");

    write_tiny_model(&path, WORDS).expect("write");
    std::fs::write(
        path.join("config.json"),
        r#"{"model_type": "gpt2", "hidden_size": 32}"#,
    )
    .expect("write");
    let e = error(&path);
    assert!(e.contains("config.json") && e.contains("gpt2"), "{e}");

    // Weights of another shape than config.json says.
    let e = error_with_config(&path, "\"hidden_size\":32", "\"hidden_size\":48");
    assert!(
        e.contains("model.safetensors") && e.contains("config.json"),
        "{e}"
    );

    // A configuration naming fewer layers than the weights hold.
    let e = error_with_config(&path, "\"num_hidden_layers\":2", "\"num_hidden_layers\":1");
    assert!(
        e.contains("model.safetensors") && e.contains("layers"),
        "{e}"
    );

    // A tokenizer with more tokens than the embeddings have rows.
    write_tiny_model(&path, WORDS).expect("write");
    let bigger = dir.path().join("bigger");
    let mut more = WORDS.to_vec();
    more.extend(["grooming", "platform", "livestream"]);
    write_tiny_model(&bigger, &more).expect("write");
    std::fs::copy(bigger.join("tokenizer.json"), path.join("tokenizer.json")).expect("copy");
    let e = error(&path);
    assert!(
        e.contains("tokenizer.json") && e.contains("vocab_size"),
        "{e}"
    );

    let file = dir.path().join("table.bin");
    std::fs::write(&file, b"not a model at all").expect("write");
    let e = error(&file);
    assert!(e.contains("table.bin") && e.contains("CFIE"), "{e}");
}

#[test]
fn the_shipped_table_loaded_from_its_file_is_the_default_model() {
    let file = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/e5-static.bin"
    ));
    let model = load_model(file).expect("load");
    let default = cfi_embed::default_embedder().expect("default");
    assert_eq!(model.id(), default.id());
}
