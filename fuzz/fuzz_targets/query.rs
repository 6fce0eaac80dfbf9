//! The query parser, then the whole search (compiling the query for every language, the
//! glossary's equivalents, filters, facets, snippets, "did you mean") over a small index of
//! passages in five languages, built once per fuzzing process. The input's length picks the
//! request options, so the query text itself stays as typed.
#![no_main]

use std::sync::OnceLock;

use cfi_core::{Kind, Passage, QuestionTag, Submission, TagSource};
use cfi_index::{PassageIndex, SearchRequest, Sort, SubmissionInfo};

const PASSAGES: [(&str, &str, &str, Option<&str>, u32, &str); 8] = [
    (
        "chile",
        "States",
        "es",
        Some("Chile"),
        7,
        "El cifrado de extremo a extremo dificulta la detección de material de abuso sexual infantil (MASI) en Brasil.",
    ),
    (
        "chile",
        "States",
        "es",
        Some("Chile"),
        3,
        "Las leyes vigentes no protegen a los niños frente al grooming.",
    ),
    (
        "alliance",
        "CSOs",
        "en",
        None,
        7,
        "End-to-end encryption (E2EE) hides grooming and <script> abuse from detection tools.",
    ),
    (
        "alliance",
        "CSOs",
        "en",
        None,
        2,
        "States should fund hotlines and encrypted reporting channels, as Brazil does.",
    ),
    (
        "collectif",
        "CSOs",
        "fr",
        Some("France"),
        7,
        "Le chiffrement de bout en bout et les contenus pédocriminels : l'Allemagne hésite.",
    ),
    (
        "svetly",
        "CSOs",
        "ru",
        Some("Russia"),
        5,
        "Сквозное шифрование мешает выявлению материалов сексуального насилия над детьми.",
    ),
    (
        "orpel",
        "Regional mechanisms",
        "ar",
        None,
        1,
        "التشفير من طرف إلى طرف يعيق الكشف عن استغلال الأطفال عبر الإنترنت.",
    ),
    (
        "secret",
        "CSOs",
        "en",
        Some("Ireland"),
        9,
        "A confidential pilot of client-side scanning in Ireland's schools.",
    ),
];

fn index() -> &'static PassageIndex {
    static INDEX: OnceLock<(tempfile::TempDir, PassageIndex)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = PassageIndex::open(dir.path()).expect("open the index");
        let mut batch = index.batch().expect("batch");
        let call = cfi_fuzz::fixture_call();
        batch.put_call(call.clone());
        let mut ids: Vec<&str> = PASSAGES.iter().map(|p| p.0).collect();
        ids.dedup();
        for id in ids {
            let rows: Vec<_> = PASSAGES.iter().filter(|p| p.0 == id).collect();
            let Some(first) = rows.first() else { continue };
            let submission = Submission {
                id: id.into(),
                call: call.id.clone(),
                submitter: format!("Submitter {id}"),
                category: first.1.into(),
                country: first.3.map(Into::into),
                kind: if id == "orpel" {
                    Kind::Annex
                } else {
                    Kind::Input
                },
                annex_of: None,
                version_of: None,
                file: format!("files/{id}.pdf"),
                language: Some(first.2.into()),
                confidential: id == "secret",
                received: None,
            };
            let passages: Vec<Passage> = rows
                .iter()
                .zip(1..)
                .map(|(row, n)| Passage {
                    id: format!("{id}-{n}"),
                    ordinal: n,
                    text: row.5.into(),
                    heading: None,
                    opens_section: false,
                    page: Some(n),
                    page_end: None,
                    page_label: None,
                    paragraph: n,
                    language: Some(row.2.into()),
                    mentioned_countries: vec!["Brazil".into()],
                    duplicate_of: None,
                    key: false,
                    questions: vec![QuestionTag {
                        number: row.4,
                        source: TagSource::Heading,
                        confidence: 1.0,
                    }],
                })
                .collect();
            let info = SubmissionInfo {
                submission,
                path: format!("files/{id}.pdf").into(),
                pages: Some(2),
                passages: passages.len() as u32,
                languages: vec![first.2.into()],
                problems: vec![],
            };
            batch.put_submission(info, &passages).expect("put");
        }
        batch.commit().expect("commit");
        index.reload().expect("reload");
        (dir, index)
    });
    index
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let _ = cfi_index::query::parse(q);
    let flags = data.len();
    let request = SearchRequest {
        q: q.to_string(),
        question: (flags & 1 == 1).then_some(7),
        lang: (flags & 2 == 2).then(|| "es".to_string()),
        group_by_submission: flags & 4 == 4,
        sort: match (flags >> 3) % 3 {
            0 => Sort::Relevance,
            1 => Sort::Submitter,
            _ => Sort::Received,
        },
        include_confidential: flags & 32 == 32,
        offset: (flags >> 6) % 4,
        ..SearchRequest::default()
    };
    let _ = index().search(&request);
});
