//! Relevance of cfi against a plain baseline, side by side on the same passages:
//! SQLite FTS5 (bm25, unicode61 remove_diacritics). Prints nDCG@10, recall@20 and MRR per
//! query and on average, and the ratio.
//!
//! `cargo run --release -p cfi-benches --bin relevance [-- fixtures/relevance.jsonl]`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use cfi_index::{PassageIndex, PassageRecord, SearchRequest};
use serde::Deserialize;

/// One judged query.
#[derive(Debug, Deserialize)]
struct Judged {
    id: String,
    q: String,
    #[serde(default)]
    question: Option<u32>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    /// Relevant passages: the file and a fragment of their text, so the judgments
    /// survive changes in how passages are cut.
    relevant: Vec<Relevant>,
}

#[derive(Debug, Deserialize)]
struct Relevant {
    file: String,
    contains: String,
}

fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Which judgment (if any) a hit satisfies.
fn judge(judged: &Judged, file: &str, text: &str) -> Option<usize> {
    let text = fold(text);
    judged
        .relevant
        .iter()
        .position(|r| r.file == file && text.contains(&fold(&r.contains)))
}

/// nDCG@10, recall@20 and reciprocal rank of a ranked list of (file, text).
fn score(judged: &Judged, ranked: &[(String, String)]) -> (f64, f64, f64) {
    let mut seen = vec![false; judged.relevant.len()];
    let mut dcg = 0.0;
    let mut rr = 0.0;
    let mut found20 = 0;
    for (rank, (file, text)) in ranked.iter().enumerate().take(20) {
        let Some(j) = judge(judged, file, text) else {
            continue;
        };
        if seen.get(j).copied().unwrap_or(true) {
            continue;
        }
        if let Some(s) = seen.get_mut(j) {
            *s = true;
        }
        found20 += 1;
        if rr == 0.0 {
            rr = 1.0 / (rank as f64 + 1.0);
        }
        if rank < 10 {
            dcg += 1.0 / (rank as f64 + 2.0).log2();
        }
    }
    let ideal: f64 = (0..judged.relevant.len().min(10))
        .map(|r| 1.0 / (r as f64 + 2.0).log2())
        .sum();
    let n = judged.relevant.len().max(1) as f64;
    (
        if ideal > 0.0 { dcg / ideal } else { 0.0 },
        f64::from(found20) / n,
        rr,
    )
}

fn ours(index: &PassageIndex, j: &Judged) -> anyhow::Result<Vec<(String, String)>> {
    let results = index.search(&SearchRequest {
        q: j.q.clone(),
        question: j.question,
        category: j.category.clone(),
        country: j.country.clone(),
        lang: j.lang.clone(),
        limit: 20,
        ..Default::default()
    })?;
    Ok(results
        .hits
        .into_iter()
        .map(|h| (h.record.submission.file, h.record.passage.text))
        .collect())
}

/// The baseline's query: the same words, FTS5 syntax (implicit AND, "phrases", NOT, OR).
fn fts_query(q: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = q.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let (phrase, tail) = after.split_once('"').unwrap_or((after, ""));
            parts.push(format!("\"{}\"", phrase.replace('"', "")));
            rest = tail.trim_start();
            continue;
        }
        let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        rest = tail.trim_start();
        if word == "OR" {
            parts.push("OR".into());
        } else if let Some(excluded) = word.strip_prefix('-') {
            parts.push(format!("NOT \"{}\"", excluded.replace('"', "")));
        } else if let Some(prefix) = word.strip_suffix('*') {
            parts.push(format!("\"{}\"*", prefix.replace('"', "")));
        } else if !word.contains(':') {
            parts.push(format!("\"{}\"", word.replace('"', "")));
        }
    }
    parts.join(" ")
}

fn baseline(db: &rusqlite::Connection, j: &Judged) -> anyhow::Result<Vec<(String, String)>> {
    let mut sql = String::from("SELECT file, text FROM p WHERE p MATCH ?1");
    if j.question.is_some() {
        sql.push_str(" AND questions LIKE ?2");
    }
    if j.category.is_some() {
        sql.push_str(" AND category = ?3");
    }
    if j.country.is_some() {
        sql.push_str(" AND country = ?4");
    }
    if j.lang.is_some() {
        sql.push_str(" AND lang = ?5");
    }
    sql.push_str(" ORDER BY bm25(p) LIMIT 20");
    let mut statement = db.prepare(&sql)?;
    let question = j.question.map(|n| format!("% {n} %")).unwrap_or_default();
    let q = fts_query(&j.q);
    let category = j.category.clone().unwrap_or_default();
    let country = j.country.clone().unwrap_or_default();
    let lang = j.lang.clone().unwrap_or_default();
    let values: [&dyn rusqlite::ToSql; 5] = [&q, &question, &category, &country, &lang];
    let used: Vec<(usize, &dyn rusqlite::ToSql)> = values
        .iter()
        .enumerate()
        .filter(|(i, _)| sql.contains(&format!("?{}", i + 1)))
        .map(|(i, v)| (i + 1, *v))
        .collect();
    for (i, v) in &used {
        statement.raw_bind_parameter(*i, v)?;
    }
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((row.get(0)?, row.get(1)?));
    }
    Ok(out)
}

fn sqlite(records: &[PassageRecord]) -> anyhow::Result<rusqlite::Connection> {
    let db = rusqlite::Connection::open_in_memory()?;
    db.execute_batch(
        "CREATE VIRTUAL TABLE p USING fts5(text, file UNINDEXED, questions UNINDEXED, \
         category UNINDEXED, country UNINDEXED, lang UNINDEXED, \
         tokenize = 'unicode61 remove_diacritics 2')",
    )?;
    let mut insert = db.prepare("INSERT INTO p VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
    for r in records {
        let questions: String = r
            .passage
            .questions
            .iter()
            .map(|q| format!(" {} ", q.number))
            .collect();
        insert.execute(rusqlite::params![
            r.passage.text,
            r.submission.file,
            questions,
            r.submission.category,
            r.submission.country.clone().unwrap_or_default(),
            r.passage.language.clone().unwrap_or_default(),
        ])?;
    }
    drop(insert);
    Ok(db)
}

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let judgments: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("fixtures/relevance.jsonl"));
    let call = root.join("fixtures/calls/sr-children-digital-2024");
    let text = std::fs::read_to_string(&judgments)
        .with_context(|| format!("reading {}", judgments.display()))?;
    let queries: Vec<Judged> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("//"))
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .context("a judgment line is not valid")?;
    if queries.is_empty() {
        bail!("no judged queries in {}", judgments.display());
    }
    let dir = tempfile::tempdir()?;
    let index = PassageIndex::open(dir.path())?;
    cfi_ingest::ingest(&call, &index, &mut |_| {})?;
    let records = index.all_records(false)?;
    let db = sqlite(&records)?;
    println!(
        "{} passages, {} judged queries\n",
        records.len(),
        queries.len()
    );
    println!(
        "{:<5} {:<48} {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7}",
        "id", "query", "nDCG", "R@20", "RR", "nDCG", "R@20", "RR"
    );
    println!("{:<54} {:^23} | {:^23}", "", "cfi", "SQLite FTS5");
    let mut totals: BTreeMap<&str, [f64; 3]> = BTreeMap::new();
    let mut lost = Vec::new();
    for j in &queries {
        let a = score(j, &ours(&index, j)?);
        let b = score(j, &baseline(&db, j)?);
        let mut label = j.q.clone();
        for (name, value) in [
            ("question", j.question.map(|n| n.to_string())),
            ("category", j.category.clone()),
            ("country", j.country.clone()),
            ("lang", j.lang.clone()),
        ] {
            if let Some(v) = value {
                label.push_str(&format!(" [{name}={v}]"));
            }
        }
        let label: String = label.chars().take(48).collect();
        println!(
            "{:<5} {:<48} {:>7.3} {:>7.3} {:>7.3} | {:>7.3} {:>7.3} {:>7.3}",
            j.id, label, a.0, a.1, a.2, b.0, b.1, b.2
        );
        for (who, s) in [("cfi", a), ("fts5", b)] {
            let t = totals.entry(who).or_default();
            t[0] += s.0;
            t[1] += s.1;
            t[2] += s.2;
        }
        if a.1 == 0.0 && b.1 > 0.0 {
            lost.push(j.id.clone());
        }
    }
    let n = queries.len() as f64;
    let mean = |who: &str| {
        totals
            .get(who)
            .map_or([0.0; 3], |t| [t[0] / n, t[1] / n, t[2] / n])
    };
    let (a, b) = (mean("cfi"), mean("fts5"));
    println!(
        "\nmean  {:<48} {:>7.3} {:>7.3} {:>7.3} | {:>7.3} {:>7.3} {:>7.3}",
        "", a[0], a[1], a[2], b[0], b[1], b[2]
    );
    println!(
        "ratio nDCG@10 cfi / FTS5 = {:.2}",
        if b[0] > 0.0 {
            a[0] / b[0]
        } else {
            f64::INFINITY
        }
    );
    println!(
        "queries where cfi finds nothing relevant but FTS5 does: {}",
        if lost.is_empty() {
            "none".to_string()
        } else {
            lost.join(", ")
        }
    );
    Ok(())
}
