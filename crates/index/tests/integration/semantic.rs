//! Search by meaning: a passage that shares no word with the query is found when the
//! model puts them close, under the same filters, access rules and folding as words.

use std::sync::Arc;

use cfi_embed::{Embedder, TextKind};
use cfi_index::Error;

use super::*;

/// A model the test makes: a few concepts, each named by a word in English and one in
/// Spanish; a text's vector is the sum of its concepts. Words it does not know count for
/// nothing.
#[derive(Debug)]
struct Concepts {
    id: String,
    dim: usize,
}

impl Concepts {
    fn model() -> Arc<dyn Embedder> {
        Arc::new(Concepts {
            id: "concepts-8/test".into(),
            dim: 8,
        })
    }
}

impl Embedder for Concepts {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, text: &str, _kind: TextKind) -> Vec<f32> {
        let mut vector = vec![0.0; self.dim];
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let concept = match word.to_lowercase().as_str() {
                "encryption" | "cifrado" => 0,
                "hotlines" | "denuncias" => 1,
                "grooming" | "acoso" => 2,
                _ => continue,
            };
            if let Some(x) = vector.get_mut(concept) {
                *x += 1.0;
            }
        }
        cfi_embed::normalize(&mut vector);
        vector
    }
}

fn put(index: &PassageIndex, sub: Submission, passages: &[Passage]) {
    let info = SubmissionInfo {
        submission: sub,
        path: "x".into(),
        pages: None,
        passages: u32::try_from(passages.len()).expect("few"),
        languages: vec![],
        problems: vec![],
    };
    let mut batch = index.batch().expect("batch");
    batch.put_submission(info, passages).expect("put");
    batch.commit().expect("commit");
}

/// English, Spanish and confidential passages about encryption, hotlines and grooming.
fn build_concepts() -> (tempfile::TempDir, PassageIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open_with(dir.path(), Concepts::model()).expect("open");
    put(
        &index,
        submission("alliance", "CSOs", None, false),
        &[
            passage(
                "alliance",
                1,
                "en",
                &[7],
                "Platforms must answer quickly when a report arrives, by day or by night, whatever its language and whoever sends it: a parent, a teacher, a social worker or a child. Platforms must also say how long they took to answer each one. Encryption protects the privacy of children.",
            ),
            passage(
                "alliance",
                2,
                "en",
                &[3],
                "Hotlines take reports day and night.",
            ),
        ],
    );
    put(
        &index,
        submission("chile", "States", Some("Chile"), false),
        &[passage(
            "chile",
            1,
            "es",
            &[7],
            "El cifrado protege la privacidad de los menores.",
        )],
    );
    put(
        &index,
        submission("hidden", "Academia", Some("Norway"), true),
        &[passage(
            "hidden",
            1,
            "en",
            &[7],
            "Encryption research in a pilot that must stay confidential.",
        )],
    );
    (dir, index)
}

fn meaning(text: &str, semantic: f32) -> SearchRequest {
    SearchRequest {
        q: text.into(),
        semantic,
        ..Default::default()
    }
}

fn ids(results: &cfi_index::SearchResults) -> Vec<&str> {
    results
        .hits
        .iter()
        .map(|h| h.record.passage.id.as_str())
        .collect()
}

#[test]
fn meaning_finds_a_passage_in_another_language_that_shares_no_word_with_the_query() {
    let (_dir, index) = build_concepts();
    let words = index.search(&meaning("cifrado", 0.0)).expect("search");
    assert_eq!(ids(&words), ["chile-1"]);
    let both = index.search(&meaning("cifrado", 1.0)).expect("search");
    assert_eq!(ids(&both), ["chile-1", "alliance-1"]);
    assert_eq!(
        both.total, 2,
        "the words' match and the passage found by meaning"
    );
    // No word of the query is in the English passage, longer than a snippet: its snippet
    // is its sentence closest in meaning, not its first one.
    let snippet = &both.hits[1].snippet.text;
    assert!(both.hits[1].snippet.marks.is_empty(), "{snippet}");
    assert!(
        snippet.starts_with("… Encryption protects"),
        "the closest sentence: {snippet}"
    );
    // Hybrid: the passage with the word and its meaning first, the other after.
    let hybrid = index.search(&meaning("cifrado", 0.5)).expect("search");
    assert_eq!(ids(&hybrid), ["chile-1", "alliance-1"]);
    assert!(
        hybrid.hits[0]
            .snippet
            .html(true)
            .contains("<mark>cifrado</mark>")
    );
    assert_eq!(
        hybrid.hits[0].snippet.marked("[", "]", str::to_string),
        hybrid.hits[0]
            .snippet
            .html(true)
            .replace("<mark>", "[")
            .replace("</mark>", "]"),
        "the same words marked in a terminal as on the page"
    );
}

#[test]
fn a_query_the_model_does_not_know_is_searched_by_its_words() {
    let (_dir, index) = build_concepts();
    let results = index.search(&meaning("privacy", 1.0)).expect("search");
    assert_eq!(ids(&results), ["alliance-1"]);
    assert_eq!(results.total, 1);
}

#[test]
fn filters_apply_to_the_passages_found_by_meaning() {
    let (_dir, index) = build_concepts();
    let only = |request: SearchRequest| -> Vec<String> {
        let results = index.search(&request).expect("search");
        ids(&results).into_iter().map(str::to_string).collect()
    };
    let base = meaning("cifrado", 1.0);
    assert_eq!(
        only(SearchRequest {
            category: Some("CSOs".into()),
            ..base.clone()
        }),
        ["alliance-1"]
    );
    assert_eq!(
        only(SearchRequest {
            lang: Some("en".into()),
            ..base.clone()
        }),
        ["alliance-1"]
    );
    assert_eq!(
        only(SearchRequest {
            question: Some(3),
            ..base.clone()
        }),
        Vec::<String>::new()
    );
    // Inline filters and excluded words too.
    assert_eq!(only(meaning("cifrado country:Chile", 1.0)), ["chile-1"]);
    assert_eq!(only(meaning("cifrado -privacy", 1.0)), ["chile-1"]);
    // A facet under a filter counts as if it were off, the passages found by meaning too.
    let results = index
        .search(&SearchRequest {
            category: Some("CSOs".into()),
            ..base
        })
        .expect("search");
    let categories = &results.facets["category"];
    assert_eq!(categories.get("CSOs"), Some(&1));
    assert_eq!(categories.get("States"), Some(&1));
}

#[test]
fn an_anonymous_caller_never_gets_a_confidential_passage_by_meaning() {
    let (_dir, index) = build_concepts();
    for semantic in [0.5, 1.0] {
        let results = index.search(&meaning("cifrado", semantic)).expect("search");
        assert!(!ids(&results).contains(&"hidden-1"), "{:?}", ids(&results));
        assert_eq!(results.total, 2);
        assert!(!results.facets["category"].contains_key("Academia"));
        let export = index
            .all_hits(&meaning("cifrado", semantic))
            .expect("export");
        assert_eq!(export.len(), 2);
        let matrix = index.matrix(&meaning("cifrado", semantic)).expect("matrix");
        assert!(
            matrix
                .cells
                .values()
                .all(|row| !row.contains_key("Academia"))
        );
    }
    let similar = index.similar("chile-1", 10, false).expect("similar");
    assert!(similar.iter().all(|(_, r)| r.submission.id != "hidden"));
    // Staff see it.
    let staff = index
        .search(&SearchRequest {
            include_confidential: true,
            ..meaning("cifrado", 1.0)
        })
        .expect("search");
    assert!(ids(&staff).contains(&"hidden-1"));
    assert_eq!(staff.total, 3);
}

#[test]
fn more_like_this_finds_the_same_idea_in_another_language() {
    let (_dir, index) = build_concepts();
    let similar = index.similar("chile-1", 10, false).expect("similar");
    let found: Vec<&str> = similar.iter().map(|(_, r)| r.passage.id.as_str()).collect();
    assert_eq!(found, ["alliance-1"]);
    assert!(similar[0].0 > 0.99, "same concept: {}", similar[0].0);
}

#[test]
fn a_later_version_repeating_a_passage_is_found_once_by_meaning() {
    let (_dir, index) = build_concepts();
    let mut pdf = submission("chile-pdf", "States", Some("Chile"), false);
    pdf.version_of = Some("chile".into());
    let mut same = passage(
        "chile-pdf",
        1,
        "es",
        &[7],
        "El cifrado protege la privacidad de los menores.",
    );
    same.duplicate_of = Some("chile-1".into());
    put(&index, pdf, &[same]);
    let results = index.search(&meaning("encryption", 1.0)).expect("search");
    assert!(
        !ids(&results).contains(&"chile-pdf-1"),
        "{:?}",
        ids(&results)
    );
    assert_eq!(results.total, 2);
    let chile = results
        .hits
        .iter()
        .find(|h| h.record.passage.id == "chile-1")
        .expect("chile");
    assert_eq!(chile.versions.len(), 1, "it names the other file");
}

#[test]
fn vectors_follow_their_passages_through_merges_and_replacements() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open_with(dir.path(), Concepts::model()).expect("open");
    // Many small commits: tantivy merges their segments; some submissions are replaced.
    for round in 0..3 {
        for i in 0..8 {
            let id = format!("s{i}");
            let text = match (i + round) % 3 {
                0 => "encryption",
                1 => "hotlines",
                _ => "grooming",
            };
            put(
                &index,
                submission(&id, "CSOs", None, false),
                &[passage(&id, 1, "en", &[1], text)],
            );
        }
    }
    for (query, concept) in [("cifrado", "encryption"), ("acoso", "grooming")] {
        let results = index.search(&meaning(query, 1.0)).expect("search");
        assert!(!results.hits.is_empty());
        for hit in &results.hits {
            assert_eq!(hit.record.passage.text, concept, "{query}");
        }
    }
    let reopened = PassageIndex::open_with(dir.path(), Concepts::model()).expect("reopen");
    let results = reopened.search(&meaning("denuncias", 1.0)).expect("search");
    assert!(
        results
            .hits
            .iter()
            .all(|h| h.record.passage.text == "hotlines")
    );
    // The last round left s2 and s5 on hotlines.
    assert_eq!(results.total, 2);
    // One vectors file per segment: the 24 commits' segments were merged on the way.
    let segments = std::fs::read_dir(dir.path())
        .expect("read")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "vec"))
        .count();
    assert!(segments < 8, "{segments} segments");
}

#[test]
fn another_model_or_dimension_is_refused_naming_both() {
    let (dir, index) = build_concepts();
    drop(index);
    for other in [
        Arc::new(cfi_embed::HashingEmbedder::new(8)) as Arc<dyn Embedder>,
        Arc::new(Concepts {
            id: "concepts-8/test".into(),
            dim: 16,
        }),
    ] {
        let error =
            PassageIndex::open_with(dir.path(), Arc::clone(&other)).expect_err("another model");
        let message = error.to_string();
        assert!(matches!(error, Error::OtherModel { .. }), "{message}");
        assert!(
            message.contains("concepts-8/test (8 dimensions)"),
            "{message}"
        );
        assert!(
            message.contains(&format!("{} ({} dimensions)", other.id(), other.dim())),
            "{message}"
        );
    }
    // The same model still opens it.
    PassageIndex::open_with(dir.path(), Concepts::model()).expect("same model");
}

#[test]
fn an_index_from_before_vectors_says_to_ingest_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An index whose schema has no vectors, as earlier versions wrote it.
    let mut schema = tantivy::schema::Schema::builder();
    schema.add_text_field("passage_id", tantivy::schema::STRING);
    tantivy::Index::create_in_dir(dir.path(), schema.build()).expect("old index");
    let error = PassageIndex::open(dir.path()).expect_err("refused");
    assert!(matches!(error, Error::NoVectors { .. }), "{error}");
    assert!(error.to_string().contains("cfi ingest"), "{error}");
}

#[test]
fn semantic_outside_zero_to_one_is_refused() {
    let (_dir, index) = build_concepts();
    for semantic in [-0.1, 1.5, f32::NAN] {
        let error = index
            .search(&meaning("cifrado", semantic))
            .expect_err("out of range");
        assert!(matches!(error, Error::Parameter { .. }), "{error}");
        assert!(error.to_string().contains("semantic"), "{error}");
    }
}

/// A model the test makes whose vectors spread out like a real model's: each word a
/// pseudo-random direction, "encryption" and "cifrado" the same one.
#[derive(Debug)]
struct Scattered;

impl Embedder for Scattered {
    fn id(&self) -> &str {
        "scattered-64/test"
    }

    fn dim(&self) -> usize {
        64
    }

    fn embed(&self, text: &str, _kind: TextKind) -> Vec<f32> {
        let mut vector = vec![0.0f32; 64];
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let word = word.to_lowercase();
            let word = if word == "cifrado" {
                "encryption"
            } else {
                &word
            };
            let mut state = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
            for x in vector.iter_mut() {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                *x += ((z >> 11) as f32 / (1u64 << 53) as f32) - 0.5;
            }
        }
        cfi_embed::normalize(&mut vector);
        vector
    }
}

#[test]
fn among_thousands_of_passages_the_closest_are_still_found_under_the_filters() {
    closest_found_under_filters(false);
}

/// As above, with the segment's passages grouped by meaning (as a segment of a large
/// index is) and only the closest groups read.
#[test]
fn in_a_segment_grouped_by_meaning_the_closest_are_still_found_under_the_filters() {
    closest_found_under_filters(true);
}

fn closest_found_under_filters(grouped: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open_with(dir.path(), Arc::new(Scattered)).expect("open");
    // One segment, whatever the load: with two indexing threads, a busy machine may split
    // the passages so that a target sits alone among thousands of others in a grouped
    // segment, where the groups are not meant to find a lone outlier (1 run in 5 under the
    // whole suite).
    index.write_with_threads(1);
    if grouped {
        index.group_segments_from(4000);
    }
    let filler = [
        "platforms",
        "children",
        "reports",
        "schools",
        "parents",
        "police",
        "courts",
        "data",
        "online",
        "safety",
        "laws",
        "victims",
        "support",
        "training",
        "research",
        "services",
    ];
    let mut batch = index.batch().expect("batch");
    // 240 submissions of 80 passages: many more than a search by meaning scores exactly,
    // so it narrows them on their sketches first, within a cut read off a sample.
    for s in 0..240u32 {
        let id = format!("s{s}");
        let category = if s % 2 == 0 { "CSOs" } else { "States" };
        let passages: Vec<Passage> = (1..=80u32)
            .map(|n| {
                let words: Vec<&str> = (0..5u32)
                    .filter_map(|k| {
                        filler
                            .get(((s * 7 + n * 13 + k * 5) % 16) as usize)
                            .copied()
                    })
                    .collect();
                passage(&id, n, "en", &[1], &words.join(" "))
            })
            .collect();
        let info = SubmissionInfo {
            submission: submission(&id, category, None, s == 59),
            path: "x".into(),
            pages: None,
            passages: 80,
            languages: vec![],
            problems: vec![],
        };
        batch.put_submission(info, &passages).expect("put");
    }
    // The passages on encryption: two public ones from States, one confidential.
    for (id, confidential, text) in [
        ("target1", false, "Encryption everywhere"),
        ("target2", false, "Encryption matters"),
        ("target3", true, "Encryption research"),
    ] {
        let info = SubmissionInfo {
            submission: submission(id, "States", None, confidential),
            path: "x".into(),
            pages: None,
            passages: 1,
            languages: vec![],
            problems: vec![],
        };
        batch
            .put_submission(info, &[passage(id, 1, "en", &[2], text)])
            .expect("put");
    }
    batch.commit().expect("commit");
    if grouped {
        // Grouped ahead of the first search, as cfi serve does at start and after reloads.
        assert!(index.prepare_meaning().expect("prepare") > 0);
        assert!(index.grouped_segments() > 0);
    }
    let results = index
        .search(&SearchRequest {
            limit: 5,
            ..meaning("cifrado", 1.0)
        })
        .expect("search");
    assert_eq!(index.grouped_segments() > 0, grouped);
    let mut first: Vec<&str> = ids(&results).into_iter().take(2).collect();
    first.sort_unstable();
    assert_eq!(first, ["target1-1", "target2-1"], "{:?}", ids(&results));
    assert!(!ids(&results).contains(&"target3-1"));
    // Under a filter (and its facet counted without it, from the same pass).
    let csos = index
        .search(&SearchRequest {
            category: Some("CSOs".into()),
            limit: 5,
            ..meaning("cifrado", 1.0)
        })
        .expect("search");
    assert!(
        csos.hits
            .iter()
            .all(|h| h.record.submission.category == "CSOs")
    );
    assert!(
        csos.facets["category"]
            .get("States")
            .is_some_and(|n| *n >= 2)
    );
    // A filter that allows nearly all of them, and its facet counted without it: both
    // narrowed in one pass.
    let english = index
        .search(&SearchRequest {
            lang: Some("en".into()),
            limit: 5,
            ..meaning("cifrado", 1.0)
        })
        .expect("search");
    let mut first: Vec<&str> = ids(&english).into_iter().take(2).collect();
    first.sort_unstable();
    assert_eq!(first, ["target1-1", "target2-1"], "{:?}", ids(&english));
    assert_eq!(
        english.facets["language"].get("en"),
        Some(&(english.total as u64))
    );
    let staff = index
        .search(&SearchRequest {
            include_confidential: true,
            limit: 5,
            ..meaning("cifrado", 1.0)
        })
        .expect("search");
    assert!(ids(&staff).iter().take(3).any(|id| *id == "target3-1"));
}

/// Quotes ask for the words themselves: a quoted phrase keeps the search by meaning to the
/// passages that hold it, so nothing found by meaning alone comes before (or beside) them.
#[test]
fn a_quoted_phrase_keeps_the_search_by_meaning_to_passages_holding_it() {
    let (_dir, index) = build_concepts();
    // Unquoted, meaning brings in the English passage about encryption.
    let loose = index.search(&meaning("el cifrado", 0.5)).expect("search");
    assert_eq!(ids(&loose), ["chile-1", "alliance-1"]);
    assert_eq!(loose.semantic_hits, 1);
    for semantic in [0.5, 1.0] {
        let quoted = index
            .search(&meaning("\"el cifrado\"", semantic))
            .expect("search");
        assert_eq!(ids(&quoted), ["chile-1"], "semantic {semantic}");
        assert_eq!(quoted.total, 1);
        assert_eq!(quoted.semantic_hits, 0);
    }
    // A phrase offered as one alternative among words binds nothing: "hotlines" is in no
    // passage as "denuncias", and meaning still brings that passage in.
    let either = index
        .search(&meaning("\"el cifrado\" OR denuncias", 1.0))
        .expect("search");
    assert!(ids(&either).contains(&"alliance-2"), "{:?}", ids(&either));
}
