//! Shared helpers for cfi's benchmarks: a synthetic multilingual corpus of passages,
//! generated deterministically so runs compare.
//!
//! ```no_run
//! let dir = tempfile::tempdir()?;
//! let index = cfi_benches::synthetic_index(dir.path(), 2_000)?;
//! assert!(index.passage_count() >= 2_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod scale;

/// The six facets cfi's API counts for every search (the keys of `facetDistribution`),
/// counted by the engines the benchmarks set beside it too.
pub const FACETS: [&str; 6] = cfi_index::COUNTED;

/// The arguments of the search benchmarks: `[passages] [cache-folder]`, the passages
/// defaulting to `default` and the folder to `target/scale-search` (where `compare` builds
/// the indexes the others reuse).
pub fn scale_arguments(default: usize) -> anyhow::Result<(usize, std::path::PathBuf)> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .first()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(default);
    let cache = args
        .get(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/scale-search")
        });
    Ok((n, cache))
}

use std::path::Path;

use cfi_core::{Kind, Passage, QuestionTag, Submission, TagSource};
use cfi_index::{PassageIndex, SubmissionInfo};

const EN: &[&str] = &[
    "children",
    "online",
    "abuse",
    "exploitation",
    "encryption",
    "end-to-end",
    "platforms",
    "grooming",
    "detection",
    "law",
    "enforcement",
    "reporting",
    "hotlines",
    "safety",
    "design",
    "States",
    "industry",
    "providers",
    "risk",
    "assessment",
    "material",
    "sexual",
    "livestreaming",
    "generative",
    "artificial",
    "intelligence",
    "deepfake",
    "age",
    "verification",
    "cooperation",
    "jurisdictions",
    "evidence",
    "the",
    "of",
    "and",
    "to",
    "in",
    "for",
    "with",
    "on",
    "by",
    "their",
    "should",
    "must",
    "national",
    "strategy",
];
const ES: &[&str] = &[
    "niños",
    "niñas",
    "en",
    "línea",
    "abuso",
    "explotación",
    "cifrado",
    "extremo",
    "plataformas",
    "detección",
    "ley",
    "denuncia",
    "seguridad",
    "diseño",
    "Estados",
    "industria",
    "proveedores",
    "riesgo",
    "material",
    "sexual",
    "inteligencia",
    "artificial",
    "generativa",
    "cooperación",
    "pruebas",
    "de",
    "la",
    "el",
    "los",
    "las",
    "y",
    "para",
    "con",
    "por",
    "su",
    "deben",
    "estrategia",
    "nacional",
];
const FR: &[&str] = &[
    "enfants",
    "en",
    "ligne",
    "abus",
    "exploitation",
    "chiffrement",
    "bout",
    "plateformes",
    "détection",
    "loi",
    "signalement",
    "sécurité",
    "conception",
    "États",
    "industrie",
    "fournisseurs",
    "risque",
    "matériel",
    "sexuels",
    "intelligence",
    "artificielle",
    "générative",
    "coopération",
    "preuves",
    "de",
    "la",
    "le",
    "les",
    "et",
    "pour",
    "avec",
    "par",
    "leur",
    "doivent",
    "stratégie",
    "nationale",
];
const CATEGORIES: &[&str] = &[
    "States",
    "NHRIs",
    "UN entities",
    "CSOs",
    "Academia",
    "Private sector",
];
const COUNTRIES: &[&str] = &[
    "Chile", "Spain", "France", "Estonia", "Malaysia", "Qatar", "Colombia",
];

/// A small deterministic generator (xorshift), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        let i = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        items.get(i).copied().unwrap_or("")
    }
}

/// Builds an index of about `passages` synthetic passages (English, Spanish, French in
/// 3:1:1), 40 passages per submission, in `dir`.
pub fn synthetic_index(dir: &Path, passages: usize) -> Result<PassageIndex, cfi_index::Error> {
    let index = PassageIndex::open(dir)?;
    let mut batch = index.batch()?;
    let mut rng = Rng(0x05ee_dcf1);
    let per_submission = 40;
    for s in 0..passages.div_ceil(per_submission) {
        let (lang, words) = match s % 5 {
            3 => ("es", ES),
            4 => ("fr", FR),
            _ => ("en", EN),
        };
        let submission = Submission {
            id: format!("synthetic-{s}"),
            call: "bench".into(),
            submitter: format!("Synthetic submitter {s}"),
            category: rng.pick(CATEGORIES).to_string(),
            country: Some(rng.pick(COUNTRIES).to_string()),
            kind: Kind::Input,
            annex_of: None,
            version_of: None,
            file: format!("files/synthetic-{s}.pdf"),
            language: Some(lang.into()),
            confidential: s % 17 == 0,
            received: None,
        };
        let mut list = Vec::with_capacity(per_submission);
        for p in 0..per_submission {
            let length = 40 + usize::try_from(rng.next() % 120).unwrap_or(0);
            let text: Vec<&str> = (0..length).map(|_| rng.pick(words)).collect();
            let ordinal = u32::try_from(p + 1).unwrap_or(u32::MAX);
            list.push(Passage {
                id: format!("synthetic-{s}-{ordinal:03}"),
                ordinal,
                text: text.join(" "),
                heading: None,
                page: Some(ordinal / 4 + 1),
                page_end: None,
                page_label: None,
                paragraph: ordinal,
                language: Some(lang.into()),
                questions: vec![QuestionTag {
                    number: u32::try_from(rng.next() % 9 + 1).unwrap_or(1),
                    source: TagSource::Heading,
                    confidence: 1.0,
                }],
                mentioned_countries: vec![rng.pick(COUNTRIES).to_string()],
                duplicate_of: None,
                key: false,
                opens_section: false,
            });
        }
        let info = SubmissionInfo {
            submission,
            path: dir.join("none"),
            pages: Some(10),
            passages: u32::try_from(list.len()).unwrap_or(u32::MAX),
            languages: vec![lang.into()],
            problems: vec![],
        };
        batch.put_submission(info, &list)?;
    }
    batch.commit()?;
    Ok(index)
}
