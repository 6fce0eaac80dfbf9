//! Passage and query vectors: the [`Embedder`] trait the index and the server use to
//! search by meaning, the model that ships with the binary ([`default_embedder`]), and a
//! plain hashing embedder for tests.
//!
//! ```
//! use cfi_embed::{TextKind, default_embedder};
//! let embedder = default_embedder()?;
//! let passage = embedder.embed("End-to-end encryption and the detection of abuse", TextKind::Passage);
//! let query = embedder.embed("encryption", TextKind::Query);
//! assert_eq!(passage.len(), embedder.dim());
//! let similarity: f32 = passage.iter().zip(&query).map(|(a, b)| a * b).sum();
//! assert!(similarity > 0.0);
//! # Ok::<(), cfi_embed::Error>(())
//! ```

#[cfg(feature = "transformer")]
mod encoder;
mod static_model;
#[cfg(feature = "transformer")]
mod transformer;
mod unigram;

use std::path::PathBuf;
use std::sync::Arc;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model file is missing, unreadable or not a model this crate reads.
    #[error("model {path}: {message}")]
    Model {
        /// The file (for the model built into the binary, the file it was built from).
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

pub use static_model::{StaticModel, default_model};
#[cfg(feature = "transformer")]
pub use transformer::{TransformerModel, write_tiny_model};

/// Whether a text is something searched for or something searched in. Models trained
/// on query-passage pairs (e5) embed the two differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextKind {
    /// What someone typed into the search box.
    Query,
    /// A passage of a submission (or a sentence of one).
    Passage,
}

/// Turns text into vectors whose dot product says how close two texts are in meaning.
pub trait Embedder: Send + Sync + std::fmt::Debug {
    /// The model and a checksum of its weights (`e5-static-256/3f2a9c1e`): an index
    /// records it, and refuses to be searched with vectors of another model.
    fn id(&self) -> &str;

    /// Dimensions of every vector this model makes.
    fn dim(&self) -> usize;

    /// The vector of `text`: [`Embedder::dim`] values, L2-normalised, or all zeros when the
    /// text holds nothing the model knows (no word, or only unknown ones).
    fn embed(&self, text: &str, kind: TextKind) -> Vec<f32>;
    /// The cosine below which a passage is not close in meaning to a query under this
    /// model: texts on unrelated subjects still score above zero with most models.
    fn min_similarity(&self) -> f32 {
        0.0
    }

    /// Where the model was loaded from (`--model PATH`), made absolute; `None` for the
    /// model built into the binary. An index records it, so that whoever opens the index
    /// later searches it with the same model without being told.
    fn source(&self) -> Option<&std::path::Path> {
        None
    }
}

/// The model cfi searches with unless told otherwise.
pub fn default_embedder() -> Result<Arc<dyn Embedder>> {
    let model: Arc<dyn Embedder> = default_model()?;
    Ok(model)
}

/// The model at `path`: a folder holding a transformer ([`TransformerModel`]: config.json,
/// model.safetensors, tokenizer.json), or a file in cfi's static format ([`StaticModel`],
/// as `models/distill.py` writes it). Errors name the file at fault.
pub fn load_model(path: &std::path::Path) -> Result<Arc<dyn Embedder>> {
    if path.is_dir() {
        #[cfg(feature = "transformer")]
        return Ok(Arc::new(TransformerModel::load(path)?));
        #[cfg(not(feature = "transformer"))]
        return Err(Error::Model {
            path: path.to_path_buf(),
            message: "a folder holds a transformer, and this build of cfi runs none (built without the `transformer` feature of cfi-embed)".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::Model {
        path: path.to_path_buf(),
        message: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or folder".into(),
            _ => e.to_string(),
        },
    })?;
    let model = StaticModel::from_bytes("static", &bytes).map_err(|e| match e {
        Error::Model { message, .. } => Error::Model {
            path: path.to_path_buf(),
            message,
        },
    })?;
    // The same table as the built-in one (same checksum) is the built-in one: the binary
    // has it, and indexes built with either are searched with the other.
    let checksum = |id: &str| id.rsplit('/').next().map(str::to_string);
    if let Ok(default) = default_model()
        && checksum(default.id()) == checksum(model.id())
    {
        return Ok(default);
    }
    Ok(Arc::new(model.with_source(absolute(path))))
}

/// `path` made absolute (canonical where it exists), for recording in an index.
fn absolute(path: &std::path::Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// Scales `vector` to unit length; an all-zero vector stays all zeros.
pub fn normalize(vector: &mut [f32]) {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        for x in vector.iter_mut() {
            *x /= norm;
        }
    }
}

/// Words hashed into dimensions (feature hashing, a sign from the hash too): texts
/// sharing words are close, texts sharing none are not. It knows no meaning and no
/// language; it exists so that tests exercise the plumbing without a model file.
#[derive(Debug, Clone)]
pub struct HashingEmbedder {
    dim: usize,
    id: String,
}

impl HashingEmbedder {
    /// A hashing embedder with `dim` dimensions (at least one).
    pub fn new(dim: usize) -> HashingEmbedder {
        let dim = dim.max(1);
        HashingEmbedder {
            dim,
            id: format!("hashing-{dim}/fnv1a"),
        }
    }
}

impl Embedder for HashingEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, text: &str, _kind: TextKind) -> Vec<f32> {
        let mut vector = vec![0.0f32; self.dim];
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let hash = fnv1a(word.to_lowercase().as_bytes());
            let at = usize::try_from(hash % self.dim as u64).unwrap_or(0);
            let sign = if hash >> 63 == 1 { -1.0 } else { 1.0 };
            if let Some(x) = vector.get_mut(at) {
                *x += sign;
            }
        }
        normalize(&mut vector);
        vector
    }
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms, unlike `DefaultHasher`, so
/// an index written by one build is searched the same way by the next.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn vectors_are_unit_length_or_zero() {
        let e = HashingEmbedder::new(64);
        let v = e.embed("Encryption, detection and hotlines", TextKind::Passage);
        assert_eq!(v.len(), 64);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-5);
        let empty = e.embed(" ,;. ", TextKind::Query);
        assert!(empty.iter().all(|x| *x == 0.0));
    }

    #[test]
    fn shared_words_are_close_and_case_does_not_matter() {
        let e = HashingEmbedder::new(256);
        let a = e.embed("encryption", TextKind::Query);
        let b = e.embed("Encryption of messages", TextKind::Passage);
        let c = e.embed("hotlines for children", TextKind::Passage);
        assert!(dot(&a, &b) > 0.5);
        assert!(dot(&a, &b) > dot(&a, &c));
    }

    #[test]
    fn the_id_names_the_dimensions() {
        assert_eq!(HashingEmbedder::new(32).id(), "hashing-32/fnv1a");
        assert_eq!(HashingEmbedder::new(0).dim(), 1);
    }
}
