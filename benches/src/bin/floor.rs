//! The floor for `load`: an HTTP server doing a search the way the engine alone would, on
//! the passages of a cfi index. axum and tokio as `cfi serve` has them, and a bare tantivy
//! index in memory (one text field with tantivy's default tokenizer, no languages, no
//! stemming, no meaning, no versions, no confidentiality) answering
//! `GET /api/v1/search?q=&question=&category=&country=&lang=&kind=&limit=&offset=` with the
//! same shape as cfi's answer: hits (passage id, text, submitter, category, country, language,
//! page, questions, score, snippet with `<mark>`), `estimatedTotalHits` and
//! `facetDistribution` over the same six facets. Other parameters are ignored.
//!
//! ```text
//! target/release/floor --index indexes/default --addr 127.0.0.1:8090
//! ```
//! `load --floor` starts it beside `cfi serve` on the same index and loads both in turn.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Query as UrlQuery, State};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use cfi_benches::FACETS;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TEXT, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, TantivyDocument, Term};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Floor {
    index: Index,
    reader: IndexReader,
    text: Field,
    stored: Stored,
    facets: Vec<Field>,
}

struct Stored {
    id: Field,
    submitter: Field,
    category: Field,
    country: Field,
    language: Field,
    page: Field,
    questions: Field,
}

#[derive(Deserialize, Default)]
struct Params {
    q: Option<String>,
    question: Option<u32>,
    category: Option<String>,
    country: Option<String>,
    lang: Option<String>,
    kind: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Hit {
    passage_id: String,
    /// The passage's whole text, as cfi's hits carry it.
    text: String,
    submitter: String,
    category: String,
    country: String,
    language: String,
    page: String,
    questions: String,
    score: f32,
    snippet: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    hits: Vec<Hit>,
    estimated_total_hits: usize,
    offset: usize,
    limit: usize,
    facet_distribution: BTreeMap<String, BTreeMap<String, u64>>,
}

fn build(dir: &std::path::Path) -> anyhow::Result<Floor> {
    let cfi = cfi_index::PassageIndex::open(dir)
        .with_context(|| format!("opening the cfi index {}", dir.display()))?;
    let records = cfi.all_records(false)?;
    let mut schema = Schema::builder();
    let text = schema.add_text_field("text", TEXT | STORED);
    let stored = Stored {
        id: schema.add_text_field("id", STRING | STORED),
        submitter: schema.add_text_field("submitter", STORED),
        category: schema.add_text_field("category_name", STORED),
        country: schema.add_text_field("country_name", STORED),
        language: schema.add_text_field("language_name", STORED),
        page: schema.add_text_field("page", STORED),
        questions: schema.add_text_field("questions", STORED),
    };
    let facets: Vec<Field> = FACETS
        .iter()
        .map(|name| schema.add_facet_field(name, FacetOptions::default()))
        .collect();
    let index = Index::create_in_ram(schema.build());
    let mut writer: tantivy::IndexWriter = index.writer(64 * 1024 * 1024)?;
    for r in &records {
        let (p, s) = (&r.passage, &r.submission);
        let mut doc = TantivyDocument::default();
        doc.add_text(text, &p.text);
        let language = p.language.clone().unwrap_or_default();
        let questions: Vec<String> = p.questions.iter().map(|t| t.number.to_string()).collect();
        for (field, value) in [
            (stored.id, p.id.clone()),
            (stored.submitter, s.submitter.clone()),
            (stored.category, s.category.clone()),
            (stored.country, s.country.clone().unwrap_or_default()),
            (stored.language, language.clone()),
            (
                stored.page,
                p.page.map(|n| n.to_string()).unwrap_or_default(),
            ),
            (stored.questions, questions.join(",")),
        ] {
            doc.add_text(field, &value);
        }
        let mut values: Vec<(usize, String)> = vec![
            (1, s.category.clone()),
            (4, language),
            (5, s.kind.as_str().to_string()),
        ];
        values.extend(questions.into_iter().map(|q| (0, q)));
        values.extend(s.country.iter().map(|c| (2, c.clone())));
        values.extend(p.mentioned_countries.iter().map(|c| (3, c.clone())));
        for (i, value) in values.into_iter().filter(|(_, v)| !v.is_empty()) {
            if let Some(field) = facets.get(i) {
                doc.add_facet(*field, tantivy::schema::Facet::from_path([value.as_str()]));
            }
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let mut index = index;
    index.set_default_multithread_executor()?;
    let reader = index.reader()?;
    eprintln!("floor: {} passages from {}", records.len(), dir.display());
    Ok(Floor {
        index,
        reader,
        text,
        stored,
        facets,
    })
}

fn facet_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_facet(field, &tantivy::schema::Facet::from_path([value])),
        IndexRecordOption::Basic,
    ))
}

fn search(floor: &Floor, params: &Params) -> anyhow::Result<Answer> {
    let searcher = floor.reader.searcher();
    let mut parser = QueryParser::for_index(&floor.index, vec![floor.text]);
    parser.set_conjunction_by_default();
    let words = params.q.as_deref().unwrap_or("").trim();
    let text_query: Box<dyn Query> = if words.is_empty() {
        Box::new(AllQuery)
    } else {
        parser.parse_query_lenient(words).0
    };
    let mut clauses = vec![(Occur::Must, text_query.box_clone())];
    let filters = [
        (0, params.question.map(|q| q.to_string())),
        (1, params.category.clone()),
        (2, params.country.clone()),
        (4, params.lang.clone()),
        (5, params.kind.clone()),
    ];
    for (i, value) in filters {
        if let (Some(value), Some(field)) = (value, floor.facets.get(i)) {
            clauses.push((Occur::Must, facet_term(*field, &value)));
        }
    }
    let query = BooleanQuery::new(clauses);
    let limit = params.limit.unwrap_or(20).clamp(1, 100);
    let offset = params.offset.unwrap_or(0);
    let collectors: Vec<FacetCollector> = FACETS
        .iter()
        .map(|name| {
            let mut c = FacetCollector::for_field(*name);
            c.add_facet("/");
            c
        })
        .collect();
    let [a, b, c, d, e, f] =
        <[FacetCollector; 6]>::try_from(collectors).map_err(|_| anyhow::anyhow!("six facets"))?;
    let (top, total, ((a, b, c), (d, e, f))) = searcher.search(
        &query,
        &(
            TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_score(),
            Count,
            ((a, b, c), (d, e, f)),
        ),
    )?;
    let mut facet_distribution = BTreeMap::new();
    for (name, counts) in FACETS.iter().zip([a, b, c, d, e, f]) {
        let values = counts
            .get("/")
            .map(|(facet, n)| {
                let name = facet
                    .to_path()
                    .last()
                    .map_or(String::new(), |s| s.to_string());
                (name, n)
            })
            .collect();
        facet_distribution.insert((*name).to_string(), values);
    }
    let snippets = SnippetGenerator::create(&searcher, &*text_query, floor.text)?;
    let field = |doc: &TantivyDocument, f: Field| {
        doc.get_first(f)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut hits = Vec::with_capacity(top.len());
    for (score, address) in top {
        let doc: TantivyDocument = searcher.doc(address)?;
        let s = &floor.stored;
        hits.push(Hit {
            passage_id: field(&doc, s.id),
            text: field(&doc, floor.text),
            submitter: field(&doc, s.submitter),
            category: field(&doc, s.category),
            country: field(&doc, s.country),
            language: field(&doc, s.language),
            page: field(&doc, s.page),
            questions: field(&doc, s.questions),
            score,
            snippet: snippets.snippet_from_doc(&doc).to_html(),
        });
    }
    Ok(Answer {
        hits,
        estimated_total_hits: total,
        offset,
        limit,
        facet_distribution,
    })
}

async fn search_route(
    State(floor): State<Arc<Floor>>,
    UrlQuery(params): UrlQuery<Params>,
) -> Response {
    let answer = tokio::task::spawn_blocking(move || search(&floor, &params)).await;
    match answer {
        Ok(Ok(answer)) => Json(answer).into_response(),
        Ok(Err(e)) => (axum::http::StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut index, mut addr) = (
        PathBuf::from("indexes/default"),
        "127.0.0.1:8090".to_string(),
    );
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} takes a value"));
        match flag.as_str() {
            "--index" => index = value()?.into(),
            "--addr" => addr = value()?,
            other => anyhow::bail!("unknown argument {other:?} (floor --index DIR --addr ADDR)"),
        }
    }
    let floor = Arc::new(build(&index)?);
    let app = axum::Router::new()
        .route("/api/v1/search", get(search_route))
        .route("/readyz", get(|| async { "ready" }))
        .with_state(floor);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}
