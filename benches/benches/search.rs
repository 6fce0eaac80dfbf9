//! Search latency on a synthetic corpus of 20,000 passages in three languages:
//! plain words, a phrase, a prefix, filters with facet counts, grouping, the matrix.

use cfi_index::SearchRequest;
use criterion::{Criterion, criterion_group, criterion_main};

fn search(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = cfi_benches::synthetic_index(dir.path(), 20_000).expect("index");
    let cases: [(&str, SearchRequest); 7] = [
        (
            "word",
            SearchRequest {
                q: "encryption".into(),
                ..Default::default()
            },
        ),
        (
            "two words",
            SearchRequest {
                q: "end-to-end encryption".into(),
                ..Default::default()
            },
        ),
        (
            "phrase",
            SearchRequest {
                q: "\"law enforcement\"".into(),
                ..Default::default()
            },
        ),
        (
            "prefix",
            SearchRequest {
                q: "explo*".into(),
                ..Default::default()
            },
        ),
        (
            "filters",
            SearchRequest {
                q: "detection".into(),
                question: Some(7),
                category: Some("CSOs".into()),
                ..Default::default()
            },
        ),
        (
            "group by submission",
            SearchRequest {
                q: "children".into(),
                group_by_submission: true,
                ..Default::default()
            },
        ),
        ("browse all", SearchRequest::default()),
    ];
    let mut group = c.benchmark_group("search_20k_passages");
    for (name, request) in &cases {
        group.bench_function(*name, |b| b.iter(|| index.search(request).expect("search")));
    }
    group.bench_function("matrix", |b| {
        b.iter(|| index.matrix(&SearchRequest::default()).expect("matrix"))
    });
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
