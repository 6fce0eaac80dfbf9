//! Index behaviour a user notices: stemmed matches per language, filters, facet counts,
//! snippets, confidential passages kept out.

use cfi_core::{Kind, Passage, QuestionTag, Submission, TagSource};
use cfi_index::{PassageIndex, SearchRequest, SubmissionInfo};

#[path = "integration/reviews.rs"]
mod reviews;
#[path = "integration/semantic.rs"]
mod semantic;
#[path = "integration/versions.rs"]
mod versions;

fn submission(id: &str, category: &str, country: Option<&str>, confidential: bool) -> Submission {
    Submission {
        id: id.into(),
        call: "demo".into(),
        submitter: format!("Submitter {id}"),
        category: category.into(),
        country: country.map(Into::into),
        kind: Kind::Input,
        annex_of: None,
        version_of: None,
        file: format!("files/{id}.pdf"),
        language: None,
        confidential,
        received: None,
    }
}

fn passage(sub: &str, n: u32, lang: &str, questions: &[u32], text: &str) -> Passage {
    Passage {
        id: format!("{sub}-{n}"),
        ordinal: n,
        text: text.into(),
        heading: None,
        page: Some(n),
        page_end: None,
        page_label: None,
        paragraph: n,
        language: Some(lang.into()),
        duplicate_of: None,
        key: false,
        mentioned_countries: if text.contains("Brazil") {
            vec!["Brazil".into()]
        } else {
            vec![]
        },
        questions: questions
            .iter()
            .map(|&number| QuestionTag {
                number,
                source: TagSource::Heading,
                confidence: 1.0,
            })
            .collect(),
        opens_section: false,
    }
}

fn build() -> (tempfile::TempDir, PassageIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open(dir.path()).expect("open");
    let mut batch = index.batch().expect("batch");
    let docs = [
        (
            submission("chile", "States", Some("Chile"), false),
            vec![
                passage(
                    "chile",
                    1,
                    "es",
                    &[7],
                    "El cifrado de extremo a extremo dificulta la detección de material de abuso de los niños.",
                ),
                passage(
                    "chile",
                    2,
                    "es",
                    &[3],
                    "Las leyes vigentes no protegen a los ninos frente al grooming.",
                ),
            ],
        ),
        (
            submission("alliance", "CSOs", None, false),
            vec![
                passage(
                    "alliance",
                    1,
                    "en",
                    &[7],
                    "End-to-end encryption hides grooming and <script> abuse from detection tools.",
                ),
                passage(
                    "alliance",
                    2,
                    "en",
                    &[2],
                    "States should fund hotlines and encrypted reporting channels, as Brazil does.",
                ),
            ],
        ),
        (
            submission("secret", "CSOs", Some("France"), true),
            vec![passage(
                "secret",
                1,
                "fr",
                &[7],
                "Le chiffrement de bout en bout et le projet Lighthouse pilote.",
            )],
        ),
    ];
    for (sub, passages) in docs {
        let info = SubmissionInfo {
            submission: sub,
            path: "x".into(),
            pages: Some(2),
            passages: passages.len() as u32,
            languages: vec![],
            problems: vec![],
        };
        batch.put_submission(info, &passages).expect("put");
    }
    batch.commit().expect("commit");
    (dir, index)
}

fn search(index: &PassageIndex, request: SearchRequest) -> Vec<String> {
    let mut ids: Vec<String> = index
        .search(&request)
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.record.passage.id)
        .collect();
    ids.sort();
    ids
}

/// A search by words only: these tests are about words (`semantic.rs` searches by meaning).
fn q(text: &str) -> SearchRequest {
    SearchRequest {
        q: text.into(),
        semantic: 0.0,
        ..Default::default()
    }
}

#[test]
fn stems_each_language_and_folds_diacritics() {
    let (_dir, index) = build();
    assert_eq!(search(&index, q("encrypted")), ["alliance-1", "alliance-2"]);
    assert_eq!(search(&index, q("niños")), ["chile-1", "chile-2"]);
    assert_eq!(search(&index, q("ninos")), ["chile-1", "chile-2"]);
    assert_eq!(search(&index, q("detección")), ["chile-1"]);
    // Typed without its accents, a word still finds the other forms of the accented one:
    // accents are folded before the stemmer.
    assert_eq!(search(&index, q("detecciones")), ["chile-1"]);
    assert_eq!(search(&index, q("\"la deteccion\"")), ["chile-1"]);
}

#[test]
fn each_filter_narrows_and_facets_count_the_whole_result() {
    let (_dir, index) = build();
    let all = index.search(&q("")).expect("search");
    assert_eq!(all.total, 4, "confidential passage excluded");
    assert_eq!(all.facets["question"]["7"], 2);
    assert_eq!(all.facets["category"]["States"], 2);
    assert_eq!(all.facets["category"]["CSOs"], 2);
    assert_eq!(all.facets["language"]["en"], 2);
    assert_eq!(all.facets["country"]["Chile"], 2);
    assert!(!all.facets["country"].contains_key("France"));

    let with = |f: fn(&mut SearchRequest)| {
        let mut r = q("");
        f(&mut r);
        search(&index, r)
    };
    assert_eq!(with(|r| r.question = Some(7)), ["alliance-1", "chile-1"]);
    // A facet under a filter still counts its other values; the others narrow.
    let mut r = q("");
    r.question = Some(7);
    let filtered = index.search(&r).expect("search");
    assert_eq!(filtered.total, 2);
    assert_eq!(filtered.facets["question"]["2"], 1, "{:?}", filtered.facets);
    assert_eq!(filtered.facets["category"]["States"], 1);
    assert_eq!(
        with(|r| r.category = Some("csos".into())),
        ["alliance-1", "alliance-2"]
    );
    assert_eq!(
        with(|r| r.country = Some("chile".into())),
        ["chile-1", "chile-2"]
    );
    assert_eq!(
        with(|r| r.lang = Some("en".into())),
        ["alliance-1", "alliance-2"]
    );
    assert_eq!(
        with(|r| r.kind = Some("annex".into())),
        Vec::<String>::new()
    );
    assert_eq!(with(|r| r.call = Some("demo".into())).len(), 4);
}

#[test]
fn confidential_passages_need_staff() {
    let (_dir, index) = build();
    assert!(search(&index, q("Lighthouse")).is_empty());
    let mut staff = q("Lighthouse");
    staff.include_confidential = true;
    assert_eq!(search(&index, staff), ["secret-1"]);
}

/// What a search leaves out is kept per segment between searches: a submission made
/// confidential (or public) by a later ingest is hidden (or shown) from the next search on.
#[test]
fn a_submission_made_confidential_is_hidden_from_the_next_search() {
    let (_dir, index) = build();
    let public = || search(&index, q("hotlines"));
    let staff = || {
        let mut r = q("hotlines");
        r.include_confidential = true;
        search(&index, r)
    };
    let put = |confidential: bool| {
        let mut batch = index.batch().expect("batch");
        let text = "States should fund hotlines and encrypted reporting channels, as Brazil does.";
        let info = SubmissionInfo {
            submission: submission("alliance", "CSOs", None, confidential),
            path: "x".into(),
            pages: Some(2),
            passages: 1,
            languages: vec![],
            problems: vec![],
        };
        batch
            .put_submission(info, &[passage("alliance", 2, "en", &[2], text)])
            .expect("put");
        batch.commit().expect("commit");
    };
    assert_eq!(public(), ["alliance-2"]);
    put(true);
    assert!(public().is_empty());
    assert_eq!(staff(), ["alliance-2"]);
    // Counts and the coverage matrix leave it out too.
    let results = index.search(&q("hotlines")).expect("search");
    assert_eq!(results.total, 0);
    put(false);
    assert_eq!(public(), ["alliance-2"]);
    put(true);
    assert!(public().is_empty());
}

#[test]
fn snippets_mark_stemmed_words_and_escape_html() {
    let (_dir, index) = build();
    let results = index.search(&q("encryption grooming")).expect("search");
    let hit = &results.hits[0];
    assert!(
        hit.snippet.html(true).contains("<mark>encryption</mark>"),
        "{}",
        hit.snippet.text
    );
    assert!(
        hit.snippet.html(true).contains("<mark>grooming</mark>"),
        "{}",
        hit.snippet.text
    );
    assert!(
        hit.snippet.html(true).contains("&lt;script&gt;"),
        "{}",
        hit.snippet.text
    );
    assert!(
        !hit.snippet.html(true).contains("<script>"),
        "{}",
        hit.snippet.text
    );
}

#[test]
fn malformed_query_is_an_error_not_a_panic() {
    let (_dir, index) = build();
    for bad in ["question:seven", "key:maybe"] {
        let err = index.search(&q(bad)).expect_err(bad);
        assert!(err.to_string().starts_with("invalid query"), "{err}");
        assert!(err.to_string().contains("at character"), "{err}");
    }
    // What a user types by mistake is read as meant: an open quote runs to the end, a
    // dangling OR joins nothing.
    for typed in ["\"end-to-end encryption", "OR encryption", "encryption OR"] {
        let found = search(&index, q(typed));
        assert!(
            found.contains(&"alliance-1".to_string()),
            "{typed}: {found:?}"
        );
    }
}

#[test]
fn replacing_a_submission_does_not_duplicate_it() {
    let (_dir, index) = build();
    let mut batch = index.batch().expect("batch");
    let info = SubmissionInfo {
        submission: submission("chile", "States", Some("Chile"), false),
        path: "x".into(),
        pages: Some(1),
        passages: 1,
        languages: vec![],
        problems: vec![],
    };
    batch
        .put_submission(
            info,
            &[passage(
                "chile",
                1,
                "es",
                &[1],
                "Texto nuevo sobre cifrado.",
            )],
        )
        .expect("put");
    batch.commit().expect("commit");
    assert_eq!(search(&index, q("")).len(), 3);
    assert_eq!(index.catalog().submissions.len(), 3);
    let reopened = PassageIndex::open(index.dir()).expect("reopen");
    assert_eq!(reopened.catalog().submissions.len(), 3);
}

#[test]
fn grouping_keeps_the_best_passage_per_submission_and_counts_the_rest() {
    let (_dir, index) = build();
    let results = index
        .search(&SearchRequest {
            q: "".into(),
            group_by_submission: true,
            ..Default::default()
        })
        .expect("search");
    assert_eq!(results.total, 2);
    assert_eq!(results.hits.len(), 2);
    assert!(
        results.hits.iter().all(|h| h.others == 1),
        "each public submission has two passages"
    );
}

#[test]
fn query_operators_and_inline_filters() {
    let (_dir, index) = build();
    assert_eq!(search(&index, q("grooming")), ["alliance-1", "chile-2"]);
    assert_eq!(search(&index, q("grooming -hides")), ["chile-2"]);
    assert_eq!(
        search(&index, q("hotlines OR leyes")),
        ["alliance-2", "chile-2"]
    );
    assert_eq!(search(&index, q("\"extremo a extremo\"")), ["chile-1"]);
    assert_eq!(
        search(&index, q("\"extremo a niños\"")),
        Vec::<String>::new()
    );
    assert_eq!(search(&index, q("encrypt*")), ["alliance-1", "alliance-2"]);
    assert_eq!(search(&index, q("grooming lang:es")), ["chile-2"]);
    assert_eq!(
        search(&index, q("question:7 category:csos")),
        ["alliance-1"]
    );
    let mut both = q("country:Chile");
    both.country = Some("Spain".into());
    assert!(
        search(&index, both).is_empty(),
        "inline and URL filters both hold"
    );
}

#[test]
fn a_misspelt_query_falls_back_to_what_it_meant() {
    let (_dir, index) = build();
    let results = index.search(&q("fund hotlnies")).expect("search");
    assert_eq!(results.did_you_mean.as_deref(), Some("fund hotlines"));
    assert_eq!(results.total, 1);
    let exact = index.search(&q("hotlines")).expect("search");
    assert_eq!(exact.did_you_mean, None);
}

fn glossary_call() -> cfi_core::Call {
    let text = r#"
id = "demo"
title = "t"
mandate = "m"
issued = 2024-01-01
deadline = 2024-02-01
languages = ["en", "es"]
categories = ["States", "CSOs"]
[[questions]]
number = 7
short = "q"
text.en = "q"
[[glossary]]
en = "end-to-end encryption"
es = "cifrado de extremo a extremo"
fr = "chiffrement de bout en bout"
"#;
    cfi_core::Call::parse(std::path::Path::new("call.toml"), text).expect("call")
}

#[test]
fn glossary_equivalents_match_other_languages_a_little_below_the_original() {
    let (_dir, index) = build();
    let mut batch = index.batch().expect("batch");
    batch.put_call(glossary_call());
    batch.commit().expect("commit");
    let results = index.search(&q("end-to-end encryption")).expect("search");
    let ids: Vec<&str> = results
        .hits
        .iter()
        .map(|h| h.record.passage.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["alliance-1", "chile-1"],
        "English first, then the Spanish equivalent"
    );
    assert!(
        results.hits[1].score < results.hits[0].score
            && results.hits[1].score > 0.5 * results.hits[0].score,
        "a little below: {} vs {}",
        results.hits[1].score,
        results.hits[0].score
    );
    assert!(
        results.hits[1]
            .snippet
            .html(true)
            .contains("<mark>cifrado</mark>"),
        "{}",
        results.hits[1].snippet.text
    );
    let spanish = index
        .search(&q("\"cifrado de extremo a extremo\""))
        .expect("search");
    let ids: Vec<&str> = spanish
        .hits
        .iter()
        .map(|h| h.record.passage.id.as_str())
        .collect();
    assert_eq!(ids, ["chile-1", "alliance-1"], "and the other way round");
}

#[test]
fn a_language_with_fewer_passages_is_scored_on_its_own_terms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open(dir.path()).expect("open");
    let mut batch = index.batch().expect("batch");
    // Twenty English passages, half of them on Chile; two Spanish ones, one on Chile.
    // Same lengths, same share naming Chile: the scores must be close. Scored with the
    // whole index's statistics instead, the Spanish passage would get about 0.7 of the
    // English one's score.
    let en: Vec<String> = (0..20)
        .map(|i| {
            let country = if i % 2 == 0 { "Chile" } else { "Norway" };
            format!(
                "{country} adopted a national plan against online abuse of children in year {i}"
            )
        })
        .collect();
    let es = [
        "Chile adoptó un plan nacional contra el abuso infantil en línea el año pasado",
        "Perú adoptó un plan nacional contra el abuso infantil en línea el año pasado",
    ];
    let mut passages = Vec::new();
    for (i, t) in en.iter().enumerate() {
        passages.push(passage(
            "en",
            u32::try_from(i).expect("small") + 1,
            "en",
            &[1],
            t,
        ));
    }
    let mut spanish = Vec::new();
    for (i, t) in es.iter().enumerate() {
        spanish.push(passage(
            "es",
            u32::try_from(i).expect("small") + 1,
            "es",
            &[1],
            t,
        ));
    }
    for (id, ps) in [("en", passages), ("es", spanish)] {
        let info = SubmissionInfo {
            submission: submission(id, "States", None, false),
            path: "x".into(),
            pages: None,
            passages: 0,
            languages: vec![],
            problems: vec![],
        };
        batch.put_submission(info, &ps).expect("put");
    }
    batch.commit().expect("commit");
    let results = index.search(&q("Chile")).expect("search");
    let score = |id: &str| {
        results
            .hits
            .iter()
            .find(|h| h.record.passage.id == id)
            .map(|h| h.score)
            .expect("hit")
    };
    let (english, spanish) = (score("en-1"), score("es-1"));
    assert_eq!(results.total, 11);
    let ratio = spanish / english;
    assert!((0.9..=1.1).contains(&ratio), "en {english} es {spanish}");
}

#[test]
fn passages_can_be_found_by_the_countries_they_mention() {
    let (_dir, index) = build();
    let mut r = q("");
    r.mentioned = Some("brazil".into());
    assert_eq!(search(&index, r), ["alliance-2"]);
    assert_eq!(search(&index, q("mentioned:Brazil")), ["alliance-2"]);
    let all = index.search(&q("")).expect("search");
    assert_eq!(all.facets["mentioned"]["Brazil"], 1);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever people paste into the search box, the answer is hits or a query error.
    #[test]
    fn any_query_string_gets_hits_or_a_query_error(q in "\\PC{0,60}|[a-z \"*():-]{0,40}") {
        static INDEX: std::sync::OnceLock<(tempfile::TempDir, PassageIndex)> = std::sync::OnceLock::new();
        let (_dir, index) = INDEX.get_or_init(build);
        match index.search(&SearchRequest { q, ..Default::default() }) {
            Ok(_) | Err(cfi_index::Error::Query { .. }) => {}
            Err(other) => proptest::prop_assert!(false, "{other}"),
        }
    }
}

#[test]
fn the_same_paragraph_from_several_submitters_is_one_hit_with_also_in() {
    let (_dir, index) = build();
    let shared = "Coalition statement: platforms must scan for known abuse material before encryption, and States must fund hotlines everywhere.";
    let mut batch = index.batch().expect("batch");
    for id in ["member-a", "member-b"] {
        let info = SubmissionInfo {
            submission: submission(id, "CSOs", None, false),
            path: "x".into(),
            pages: None,
            passages: 1,
            languages: vec![],
            problems: vec![],
        };
        batch
            .put_submission(info, &[passage(id, 1, "en", &[7], shared)])
            .expect("put");
    }
    batch.commit().expect("commit");
    let results = index.search(&q("coalition statement")).expect("search");
    assert_eq!(results.hits.len(), 1, "folded");
    assert_eq!(results.hits[0].also_in.len(), 1);
}

#[test]
fn stop_words_need_not_match_and_a_query_with_no_full_match_is_relaxed() {
    let (_dir, index) = build();
    // "of" and "the" are stop words: they do not have to be in the passage.
    assert_eq!(search(&index, q("detection of the abuse")), ["alliance-1"]);
    let all = index.search(&q("hotlines fund")).expect("search");
    assert!(!all.relaxed);
    let relaxed = index.search(&q("hotlines volcano")).expect("search");
    assert!(relaxed.relaxed, "no passage has both words");
    assert_eq!(relaxed.hits[0].record.passage.id, "alliance-2");
    let nothing = index.search(&q("volcano")).expect("search");
    assert_eq!(nothing.total, 0);
    assert!(!nothing.relaxed);
}

#[test]
fn each_language_matches_its_own_word_forms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = PassageIndex::open(dir.path()).expect("open");
    let mut batch = index.batch().expect("batch");
    let texts = [
        (
            "fr",
            "Les plateformes signalent des contenus chiffrés aux autorités.",
        ),
        (
            "ru",
            "Правоохранительные органы расследуют преступления против детей.",
        ),
        ("ar", "تعمل الحكومات على حماية الأطفال من الاستغلال."),
        (
            "pt",
            "As plataformas devem proteger as crianças contra a exploração.",
        ),
        (
            "de",
            "Die Behörden untersuchen Straftaten gegen Kinder im Internet.",
        ),
        (
            "it",
            "Le piattaforme devono proteggere i bambini dallo sfruttamento.",
        ),
    ];
    for (i, (lang, text)) in texts.iter().enumerate() {
        let id = format!("s-{lang}");
        let info = SubmissionInfo {
            submission: submission(&id, "States", None, false),
            path: "x".into(),
            pages: None,
            passages: 1,
            languages: vec![],
            problems: vec![],
        };
        let n = u32::try_from(i).expect("small") + 1;
        batch
            .put_submission(info, &[passage(&id, n, lang, &[1], text)])
            .expect("put");
    }
    batch.commit().expect("commit");
    // Another form of a word of each passage finds it.
    let cases = [
        ("signaler", "s-fr-1"),
        ("chiffré", "s-fr-1"),
        ("преступление", "s-ru-2"),
        ("детям", "s-ru-2"),
        ("الحكومة", "s-ar-3"),
        ("plataforma", "s-pt-4"),
        ("Behörde", "s-de-5"),
        ("piattaforma", "s-it-6"),
    ];
    for (word, id) in cases {
        assert_eq!(search(&index, q(word)), [id], "{word}");
    }
}

#[test]
fn the_matrix_counts_passages_and_submissions_by_hand() {
    let (_dir, index) = build();
    // An annex of Chile's with a question-7 passage: one more passage, not one more submission.
    let mut batch = index.batch().expect("batch");
    let mut annex = submission("chile-annex", "States", Some("Chile"), false);
    annex.kind = Kind::Annex;
    annex.annex_of = Some("chile".into());
    let info = SubmissionInfo {
        submission: annex,
        path: "x".into(),
        pages: None,
        passages: 1,
        languages: vec![],
        problems: vec![],
    };
    batch
        .put_submission(
            info,
            &[passage(
                "chile-annex",
                1,
                "es",
                &[7],
                "Anexo estadístico sobre cifrado.",
            )],
        )
        .expect("put");
    batch.commit().expect("commit");
    let m = index.matrix(&q("")).expect("matrix");
    let cell = |question: &str, category: &str| {
        m.cells
            .get(question)
            .and_then(|row| row.get(category))
            .map(|c| (c.passages, c.submissions))
    };
    assert_eq!(
        cell("7", "States"),
        Some((2, 1)),
        "passage + annex passage, one submission"
    );
    assert_eq!(cell("3", "States"), Some((1, 1)));
    assert_eq!(
        cell("7", "CSOs"),
        Some((1, 1)),
        "the confidential CSO passage is not counted"
    );
    assert_eq!(cell("2", "CSOs"), Some((1, 1)));
    assert_eq!(cell("1", "States"), None);
    let staff = index
        .matrix(&SearchRequest {
            include_confidential: true,
            ..Default::default()
        })
        .expect("matrix");
    assert_eq!(staff.cells["7"]["CSOs"].submissions, 2);
}
