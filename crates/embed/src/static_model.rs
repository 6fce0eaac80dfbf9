//! The shipped default: a static multilingual table distilled model2vec-style from
//! multilingual-e5-small (see `models/distill.py`). A text's vector is the weighted mean of
//! its pieces' vectors, normalised: no neural network runs at search or ingest time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::unigram::Unigram;
use crate::{Embedder, Error, Result, TextKind};

/// The default model's bytes, built by `models/distill.py` and committed. A `static`, not a
/// `const`: a const's value is copied into the crate's metadata (150 MB) and every dependent.
static DEFAULT_MODEL: &[u8] = include_bytes!("../../../models/e5-static.bin");

/// Words whose pieces are remembered (words repeat: a call has a few tens of thousands).
const WORD_CACHE: usize = 200_000;

/// A static embedding table with its tokenizer.
pub struct StaticModel {
    id: String,
    dim: usize,
    tokenizer: Unigram,
    /// `dim` int8 values per piece.
    vectors: Vec<i8>,
    /// Per piece: the scale of its int8 values times its weight (rare pieces weigh more).
    factors: Vec<f32>,
    cache: Mutex<HashMap<String, Vec<u32>>>,
    source: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for StaticModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticModel")
            .field("id", &self.id)
            .field("dim", &self.dim)
            .field("pieces", &self.factors.len())
            .finish()
    }
}

/// The model `cfi` ships, parsed once.
pub fn default_model() -> Result<Arc<StaticModel>> {
    static MODEL: OnceLock<std::result::Result<Arc<StaticModel>, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            StaticModel::from_bytes("e5-static", DEFAULT_MODEL)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| Error::Model {
            path: "the built-in model".into(),
            message,
        })
}

/// Reads little-endian values from a model file, naming it in errors.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    name: &'a str,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(Error::Model {
                path: self.name.into(),
                message: format!("truncated at byte {}", self.at),
            });
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_bits(self.u32()?))
    }
}

impl StaticModel {
    /// The same model, recorded as read from `path`.
    pub fn with_source(mut self, path: std::path::PathBuf) -> StaticModel {
        self.source = Some(path);
        self
    }

    /// Reads a model file (`models/distill.py`'s format); `name` names it in errors and in
    /// the model's id, with a checksum of its bytes.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<StaticModel> {
        let bad = |message: String| Error::Model {
            path: name.into(),
            message,
        };
        let mut r = Reader { bytes, at: 0, name };
        if r.take(4)? != b"CFIE" {
            return Err(bad("not a cfi embedding model (no CFIE header)".into()));
        }
        let version = r.u32()?;
        if version != 1 {
            return Err(bad(format!(
                "model format version {version}, this cfi reads 1"
            )));
        }
        let dim = r.u32()? as usize;
        let n = r.u32()? as usize;
        let n_norm = r.u32()? as usize;
        if dim == 0 || dim > 4096 || n == 0 || n > 2_000_000 {
            return Err(bad(format!("{n} pieces of {dim} dimensions is no model")));
        }
        let norm_bytes = r.u32()? as usize;
        let mut norm = Reader {
            bytes: r.take(norm_bytes)?,
            at: 0,
            name,
        };
        let mut normal = HashMap::new();
        for _ in 0..n_norm {
            let from = char::from_u32(norm.u32()?);
            let count = norm.take(1)?[0];
            let mut to = Vec::new();
            for _ in 0..count {
                to.extend(char::from_u32(norm.u32()?));
            }
            if let Some(from) = from {
                normal.insert(from, to);
            }
        }
        let mut pieces = Vec::with_capacity(n);
        let mut scores = Vec::with_capacity(n);
        let mut factors = Vec::with_capacity(n);
        let mut vectors = Vec::with_capacity(n * dim);
        for _ in 0..n {
            let len = r.u16()? as usize;
            let text = String::from_utf8_lossy(r.take(len)?).into_owned();
            let score = r.f32()?;
            let weight = r.f32()?;
            let scale = r.f32()?;
            pieces.push(text);
            scores.push(score);
            factors.push(if (weight * scale).is_finite() {
                weight * scale
            } else {
                0.0
            });
            vectors.extend(r.take(dim)?.iter().map(|&b| b as i8));
        }
        if r.at != bytes.len() {
            return Err(bad(format!(
                "{} bytes after the last piece",
                bytes.len() - r.at
            )));
        }
        let checksum = fnv1a(bytes);
        Ok(StaticModel {
            id: format!("{name}-{dim}/{checksum:08x}"),
            dim,
            tokenizer: Unigram::new(&pieces, scores, normal),
            vectors,
            factors,
            cache: Mutex::new(HashMap::new()),
            source: None,
        })
    }

    /// Reads a model file from disk.
    pub fn load(path: &std::path::Path) -> Result<StaticModel> {
        let bytes = std::fs::read(path).map_err(|e| Error::Model {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let name = path
            .file_stem()
            .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
        StaticModel::from_bytes(&name, &bytes).map_err(|e| match e {
            Error::Model { message, .. } => Error::Model {
                path: path.to_path_buf(),
                message,
            },
        })
    }

    /// A model from its parts, as `distill.py` would write it: for tests, which make a
    /// tiny one. `pieces` are (text, log-probability, weight, vector).
    pub fn from_parts(name: &str, pieces: &[(&str, f32, f32, Vec<f32>)]) -> Result<StaticModel> {
        let dim = pieces.first().map_or(0, |p| p.3.len());
        let mut bytes = b"CFIE".to_vec();
        for v in [1u32, dim as u32, pieces.len() as u32, 0, 0] {
            bytes.extend(v.to_le_bytes());
        }
        for (text, score, weight, vector) in pieces {
            let scale = vector
                .iter()
                .fold(0.0f32, |m, x| m.max(x.abs()))
                .max(f32::MIN_POSITIVE)
                / 127.0;
            bytes.extend((text.len() as u16).to_le_bytes());
            bytes.extend(text.as_bytes());
            for v in [*score, *weight, scale] {
                bytes.extend(v.to_le_bytes());
            }
            bytes.extend(
                vector
                    .iter()
                    .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8 as u8),
            );
        }
        StaticModel::from_bytes(name, &bytes)
    }

    fn pieces_of(&self, word: &str) -> Vec<u32> {
        if let Ok(cache) = self.cache.lock()
            && let Some(pieces) = cache.get(word)
        {
            return pieces.clone();
        }
        let pieces = self.tokenizer.segment(word);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= WORD_CACHE {
                cache.clear();
            }
            cache.insert(word.to_string(), pieces.clone());
        }
        pieces
    }
}

impl Embedder for StaticModel {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    /// Measured on the demo call's 203 passages and 55 judged queries
    /// (`examples/calibrate.rs`): relevant passages score a median of 0.27 (a tenth below
    /// 0.12), the others 0.14; at 0.15 a query about nothing the call holds brings in
    /// nothing, and four relevant passages in five stay within reach.
    fn source(&self) -> Option<&std::path::Path> {
        self.source.as_deref()
    }

    fn min_similarity(&self) -> f32 {
        0.15
    }

    fn embed(&self, text: &str, _kind: TextKind) -> Vec<f32> {
        let mut sum = vec![0.0f32; self.dim];
        for word in self.tokenizer.words(text) {
            for piece in self.pieces_of(&word) {
                let piece = piece as usize;
                let factor = self.factors.get(piece).copied().unwrap_or(0.0);
                let Some(row) = self.vectors.get(piece * self.dim..(piece + 1) * self.dim) else {
                    continue;
                };
                for (s, &v) in sum.iter_mut().zip(row) {
                    *s += factor * f32::from(v);
                }
            }
        }
        let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for s in &mut sum {
                *s /= norm;
            }
        }
        sum
    }
}

/// FNV-1a over the model's bytes: its id changes whenever its weights do.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> StaticModel {
        StaticModel::from_parts(
            "tiny",
            &[
                ("▁encryption", -9.0, 1.0, vec![1.0, 0.0, 0.0]),
                ("▁cifrado", -9.0, 1.0, vec![0.9, 0.1, 0.0]),
                ("▁grooming", -9.0, 1.0, vec![0.0, 1.0, 0.0]),
                ("▁the", -2.0, 0.1, vec![0.0, 0.0, 1.0]),
            ],
        )
        .expect("a tiny model")
    }

    #[test]
    fn texts_that_share_no_word_meet_through_the_table() {
        let m = tiny();
        let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let en = m.embed("the encryption", TextKind::Query);
        let es = m.embed("cifrado", TextKind::Passage);
        let other = m.embed("grooming", TextKind::Passage);
        assert!(cos(&en, &es) > 0.9, "{en:?} {es:?}");
        assert!(cos(&en, &other) < 0.2);
        assert_eq!(
            m.embed("日本", TextKind::Query),
            vec![0.0; 3],
            "nothing known: zeros"
        );
        assert!(m.id().starts_with("tiny-3/"));
    }

    #[test]
    fn a_broken_model_file_is_refused_with_its_name() {
        for bytes in [&b"nope"[..], b"CFIE\x01\0\0\0", b""] {
            let err = StaticModel::from_bytes("broken.bin", bytes)
                .expect_err("broken")
                .to_string();
            assert!(err.contains("broken.bin"), "{err}");
        }
    }

    #[test]
    fn the_shipped_model_reads_and_places_translations_near_each_other() {
        let m = default_model().expect("the built-in model");
        assert_eq!(m.dim(), 256);
        let cos = |a: &str, b: &str| {
            let (a, b) = (m.embed(a, TextKind::Query), m.embed(b, TextKind::Passage));
            a.iter().zip(&b).map(|(x, y)| x * y).sum::<f32>()
        };
        let query = "end-to-end encryption";
        // Across languages: the Spanish for it, against Spanish about something else.
        let spanish = cos(query, "cifrado de extremo a extremo");
        let unrelated = cos(query, "menús escolares y resultados de fútbol");
        assert!(spanish > unrelated + 0.1, "{spanish} vs {unrelated}");
        // In other words: a paraphrase, against English about something else.
        let paraphrase = cos(query, "the police need lawful access to encrypted messages");
        let other = cos(query, "school lunch menus and football results");
        assert!(paraphrase > other + 0.1, "{paraphrase} vs {other}");
    }
}
