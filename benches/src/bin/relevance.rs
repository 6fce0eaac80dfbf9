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

fn ours(index: &PassageIndex, j: &Judged, semantic: f32) -> anyhow::Result<Vec<(String, String)>> {
    let results = index.search(&SearchRequest {
        q: j.q.clone(),
        question: j.question,
        category: j.category.clone(),
        country: j.country.clone(),
        lang: j.lang.clone(),
        limit: 20,
        semantic,
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

/// The call folder with its `[[glossary]]` tables left out, as a new user's call.toml has
/// none: the measure of search by meaning without hand-made equivalents.
fn without_glossary(call: &Path, into: &Path) -> anyhow::Result<PathBuf> {
    let copy = into.join("call");
    std::fs::create_dir_all(copy.join("files"))?;
    for entry in std::fs::read_dir(call.join("files"))? {
        let entry = entry?;
        std::fs::copy(entry.path(), copy.join("files").join(entry.file_name()))?;
    }
    for name in ["manifest.xlsx", "labels.jsonl"] {
        if call.join(name).is_file() {
            std::fs::copy(call.join(name), copy.join(name))?;
        }
    }
    let toml = std::fs::read_to_string(call.join("call.toml"))?;
    let mut kept = String::new();
    let mut in_glossary = false;
    for line in toml.lines() {
        if line.trim_start().starts_with("[[") || line.trim_start().starts_with('[') {
            in_glossary = line.trim_start().starts_with("[[glossary]]");
        }
        if !in_glossary {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    std::fs::write(copy.join("call.toml"), kept)?;
    Ok(copy)
}

/// The modes compared: words only, hybrid at the default, meaning only.
const MODES: [(&str, f32); 3] = [
    ("words", 0.0),
    ("hybrid", cfi_index::DEFAULT_SEMANTIC),
    ("meaning", 1.0),
];

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut args = std::env::args().skip(1);
    let mut judgments = root.join("fixtures/relevance.jsonl");
    let mut glossary = true;
    let mut dump: Option<PathBuf> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--no-glossary" => glossary = false,
            "--dump" => dump = args.next().map(PathBuf::from),
            other => judgments = PathBuf::from(other),
        }
    }
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
    let call = if glossary {
        call
    } else {
        without_glossary(&call, dir.path())?
    };
    let index_dir = dir.path().join("index");
    let index = PassageIndex::open(&index_dir)?;
    cfi_ingest::ingest(&call, &index, &mut |_| {})?;
    let records = index.all_records(false)?;
    if let Some(path) = &dump {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for r in &records {
            let questions: Vec<u32> = r.passage.questions.iter().map(|q| q.number).collect();
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({
                    "file": r.submission.file, "text": r.passage.text, "questions": questions,
                    "category": r.submission.category, "country": r.submission.country,
                    "lang": r.passage.language,
                }),
            )?;
            out.write_all(b"\n")?;
        }
    }
    let db = sqlite(&records)?;
    println!(
        "{} passages, {} judged queries, glossary {}\n",
        records.len(),
        queries.len(),
        if glossary { "on" } else { "off" }
    );
    println!(
        "{:<5} {:<44} {:>7} {:>7} {:>7} | {:>7}   (nDCG@10)",
        "id", "query", "words", "hybrid", "meaning", "FTS5"
    );
    // Totals per mode: nDCG, recall, RR, for all queries and for the meaning set (m*).
    let mut totals: BTreeMap<String, [f64; 3]> = BTreeMap::new();
    let mut lost: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for j in &queries {
        let b = score(j, &baseline(&db, j)?);
        let mut row = Vec::new();
        let meaning_set = j.id.starts_with('m');
        for (mode, semantic) in MODES {
            let a = score(j, &ours(&index, j, semantic)?);
            row.push(a.0);
            for key in [mode.to_string(), format!("{mode} (by meaning)")] {
                if key.ends_with("(by meaning)") && !meaning_set {
                    continue;
                }
                let t = totals.entry(key).or_default();
                t[0] += a.0;
                t[1] += a.1;
                t[2] += a.2;
            }
            if a.1 == 0.0 && b.1 > 0.0 {
                lost.entry(mode).or_default().push(j.id.clone());
            }
        }
        for key in ["FTS5".to_string(), "FTS5 (by meaning)".to_string()] {
            if key.ends_with("(by meaning)") && !meaning_set {
                continue;
            }
            let t = totals.entry(key).or_default();
            t[0] += b.0;
            t[1] += b.1;
            t[2] += b.2;
        }
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
        let label: String = label.chars().take(44).collect();
        println!(
            "{:<5} {:<44} {:>7.3} {:>7.3} {:>7.3} | {:>7.3}",
            j.id, label, row[0], row[1], row[2], b.0
        );
    }
    let all = queries.len() as f64;
    let by_meaning = queries
        .iter()
        .filter(|j| j.id.starts_with('m'))
        .count()
        .max(1) as f64;
    println!(
        "\n{:<22} {:>8} {:>8} {:>8} {:>10}",
        "", "nDCG@10", "R@20", "MRR", "nDCG/FTS5"
    );
    let fts = |key: &str, n: f64| totals.get(key).map_or(0.0, |t| t[0] / n);
    for (suffix, n) in [("", all), (" (by meaning)", by_meaning)] {
        for name in ["words", "hybrid", "meaning", "FTS5"] {
            let key = format!("{name}{suffix}");
            let t = totals.get(&key).copied().unwrap_or_default();
            let base = fts(&format!("FTS5{suffix}"), n);
            println!(
                "{:<22} {:>8.3} {:>8.3} {:>8.3} {:>10.2}",
                key,
                t[0] / n,
                t[1] / n,
                t[2] / n,
                if base > 0.0 {
                    t[0] / n / base
                } else {
                    f64::INFINITY
                }
            );
        }
    }
    for (mode, _) in MODES {
        let ids = lost
            .get(mode)
            .map(|v| v.join(", "))
            .unwrap_or_else(|| "none".into());
        println!("{mode}: queries where cfi finds nothing relevant but FTS5 does: {ids}");
    }
    Ok(())
}
