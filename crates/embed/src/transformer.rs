//! A sentence-embedding transformer the user gives (`cfi ingest --model DIR`): a BERT or
//! XLM-RoBERTa encoder in the Hugging Face layout, run on the CPU by our own forward pass
//! (`encoder.rs`) on candle's tensors (pure Rust, no download at build or run time).
//!
//! The folder holds what `sentence-transformers` or the Hub save:
//! - `config.json` (`model_type` "bert" or "xlm-roberta");
//! - `model.safetensors` (float32, float16 or bfloat16 weights);
//! - `tokenizer.json`;
//! - optionally `1_Pooling/config.json` (mean of the tokens, the default, or the first
//!   token) and `config_sentence_transformers.json`, whose `prompts` give the text put
//!   before a query and before a passage (e5's "query: " and "passage: ").

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use tokenizers::Tokenizer;

use crate::encoder::{self, Encoder, Family};
use crate::{Embedder, Error, Result, TextKind, fnv1a, normalize};

/// Tokens a passage is cut to when the model allows more: passages are a paragraph or
/// two, and attention costs the square of the length.
const MAX_TOKENS: usize = 512;

/// How token vectors become the text's vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pooling {
    /// The mean of the tokens' vectors (sentence-transformers' default, e5's).
    Mean,
    /// The first token's vector ([CLS]).
    First,
}

/// A transformer sentence-embedding model read from a folder.
pub struct TransformerModel {
    id: String,
    dim: usize,
    max_tokens: usize,
    encoder: Encoder,
    tokenizer: Tokenizer,
    pooling: Pooling,
    query_prompt: String,
    passage_prompt: String,
    floor: f32,
    source: PathBuf,
    /// candle's CPU kernels are reentrant, but one text at a time on a shared model
    /// keeps memory flat; ingest is the only caller that embeds many.
    lock: Mutex<()>,
}

impl std::fmt::Debug for TransformerModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformerModel")
            .field("id", &self.id)
            .field("dim", &self.dim)
            .field("pooling", &self.pooling)
            .finish()
    }
}

/// An error about `path`.
fn bad(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// Reads a file of the model's folder, naming it when it is missing.
fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => bad(
            path,
            "missing: a model folder holds config.json, model.safetensors and tokenizer.json",
        ),
        _ => bad(path, e),
    })
}

/// Reads a JSON file of the model's folder.
fn read_json(path: &Path) -> Result<serde_json::Value> {
    serde_json::from_slice(&read(path)?).map_err(|e| bad(path, format!("not JSON: {e}")))
}

impl TransformerModel {
    /// Loads the model in `dir`; every error names the file at fault.
    pub fn load(dir: &Path) -> Result<TransformerModel> {
        if !dir.is_dir() {
            return Err(bad(
                dir,
                "not a folder (a model folder holds config.json, model.safetensors and tokenizer.json)",
            ));
        }
        let config_path = dir.join("config.json");
        let config = read_json(&config_path)?;
        let weights_path = dir.join("model.safetensors");
        let weights = read(&weights_path)?;
        let tokenizer_path = dir.join("tokenizer.json");
        let tokenizer_bytes = read(&tokenizer_path)?;
        let mut tokenizer = Tokenizer::from_bytes(&tokenizer_bytes)
            .map_err(|e| bad(&tokenizer_path, format!("not a tokenizer: {e}")))?;
        // Padding is not needed (one text at a time); truncation is done here.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| bad(&tokenizer_path, e))?;

        let checksum = fnv1a(&weights) ^ fnv1a(&tokenizer_bytes).rotate_left(17);
        let device = Device::Cpu;
        // Half-precision weights are computed in float32 too: candle's CPU kernels for half
        // are slow, and the vectors end as int8 in the index anyway.
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
            .map_err(|e| bad(&weights_path, format!("not a safetensors file: {e}")))?;
        let model_type = config
            .get("model_type")
            .and_then(|t| t.as_str())
            .unwrap_or("bert")
            .to_string();
        let family = Family::of(&model_type).ok_or_else(|| {
            bad(
                &config_path,
                format!(
                    "model_type {model_type:?}: cfi runs \"bert\" and \"xlm-roberta\" encoders"
                ),
            )
        })?;
        let not_config = |e: &dyn std::fmt::Display| {
            bad(
                &config_path,
                format!("not a {} configuration: {e}", family.name()),
            )
        };
        let encoder_config: encoder::Config =
            serde_json::from_value(config).map_err(|e| not_config(&e))?;
        encoder_config.check().map_err(|e| not_config(&e))?;
        let dim = encoder_config.hidden_size;
        if dim == 0 || dim > 16_384 {
            return Err(bad(
                &config_path,
                format!("hidden_size {dim} is out of range"),
            ));
        }
        let encoder = Encoder::load(&vb, &encoder_config, family).map_err(|e| {
            bad(
                &weights_path,
                format!("does not hold the weights config.json describes: {e}"),
            )
        })?;
        // A tokenizer whose ids run past the embeddings would embed those texts as nothing.
        let tokens = tokenizer.get_vocab_size(true);
        if tokens > encoder_config.vocab_size {
            return Err(bad(
                &tokenizer_path,
                format!(
                    "holds {tokens} tokens, more than config.json's vocab_size {}",
                    encoder_config.vocab_size
                ),
            ));
        }
        let positions = encoder_config.max_position_embeddings;
        let max_tokens = match family {
            Family::Bert => positions,
            // Positions start after the padding id.
            Family::XlmRoberta => {
                positions.saturating_sub((encoder_config.pad_id(family) as usize).saturating_add(1))
            }
        }
        .min(MAX_TOKENS);
        if max_tokens < 2 {
            return Err(bad(&config_path, "max_position_embeddings is too small"));
        }

        let pooling = pooling(dir)?;
        let (query_prompt, passage_prompt) = prompts(dir)?;
        // Named by what it is, not where it is: the same model moved or copied elsewhere
        // searches the indexes built with it.
        let mut model = TransformerModel {
            id: format!("{model_type}-{dim}/{:08x}", checksum as u32),
            dim,
            max_tokens,
            encoder,
            tokenizer,
            pooling,
            query_prompt,
            passage_prompt,
            floor: 0.0,
            source: crate::absolute(dir),
            lock: Mutex::new(()),
        };
        // A model that finds everything alike (an untrained one) would otherwise bring in
        // nothing by meaning at all.
        model.floor = model.unrelated_similarity().min(0.9);
        Ok(model)
    }

    /// The vector of `text`, or the error candle or the tokenizer gave.
    fn try_embed(&self, text: &str, kind: TextKind) -> std::result::Result<Vec<f32>, String> {
        let prompt = match kind {
            TextKind::Query => &self.query_prompt,
            TextKind::Passage => &self.passage_prompt,
        };
        let input = format!("{prompt}{text}");
        let encoding = self
            .tokenizer
            .encode(input.as_str(), true)
            .map_err(|e| e.to_string())?;
        let mut ids = encoding.get_ids().to_vec();
        if ids.len() > self.max_tokens {
            // Keep the closing special token ([SEP], </s>) where the template added one.
            let last = ids.last().copied();
            ids.truncate(self.max_tokens);
            if let (Some(last), Some(end)) = (last, ids.last_mut())
                && encoding.get_special_tokens_mask().last() == Some(&1)
            {
                *end = last;
            }
        }
        if ids.is_empty() {
            return Ok(vec![0.0; self.dim]);
        }
        let n = ids.len();
        let device = Device::Cpu;
        let err = |e: candle_core::Error| e.to_string();
        let input_ids = Tensor::new(ids.as_slice(), &device)
            .and_then(|t| t.unsqueeze(0))
            .map_err(err)?;
        let mask = input_ids.ones_like().map_err(err)?;
        let _one = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let hidden = self.encoder.forward(&input_ids, &mask).map_err(err)?;
        // hidden: (1, n, dim)
        let pooled = match self.pooling {
            Pooling::Mean => hidden.sum(1).and_then(|s| s / n as f64),
            Pooling::First => hidden.narrow(1, 0, 1).and_then(|t| t.squeeze(1)),
        }
        .and_then(|t| t.squeeze(0))
        .and_then(|t| t.to_dtype(DType::F32))
        .and_then(|t| t.to_vec1::<f32>())
        .map_err(err)?;
        let mut vector = pooled;
        if vector.len() != self.dim || vector.iter().any(|x| !x.is_finite()) {
            return Err(format!(
                "the model made a vector of {} values, {} expected, or not finite",
                vector.len(),
                self.dim
            ));
        }
        normalize(&mut vector);
        Ok(vector)
    }

    /// How similar texts on unrelated subjects are under this model: the 90th percentile
    /// of the cosine between queries and passages of a few sentences chosen to share no
    /// subject (in four languages). Models differ widely (e5's unrelated pairs score 0.7),
    /// so the floor below which meaning brings nothing in is read off the model itself.
    fn unrelated_similarity(&self) -> f32 {
        const UNRELATED: [&str; 8] = [
            "The recipe needs two cups of flour and a pinch of salt.",
            "The comet will be visible from the northern hemisphere next spring.",
            "El equipo ganó el partido de fútbol en el último minuto.",
            "Les tomates poussent mieux au soleil, arrosées le soir.",
            "Поезд отправляется с третьей платформы в семь часов.",
            "The violin was built in the eighteenth century from maple wood.",
            "La marea baja deja al descubierto las rocas del puerto.",
            "Le moteur de la tondeuse refuse de démarrer par temps humide.",
        ];
        let queries: Vec<Vec<f32>> = UNRELATED
            .iter()
            .map(|t| self.embed(t, TextKind::Query))
            .collect();
        let passages: Vec<Vec<f32>> = UNRELATED
            .iter()
            .map(|t| self.embed(t, TextKind::Passage))
            .collect();
        let mut cosines: Vec<f32> = Vec::new();
        for (i, q) in queries.iter().enumerate() {
            for (j, p) in passages.iter().enumerate() {
                if i != j {
                    cosines.push(q.iter().zip(p).map(|(a, b)| a * b).sum());
                }
            }
        }
        cosines.sort_by(f32::total_cmp);
        let at = (cosines.len() as f32 * 0.9) as usize;
        cosines
            .get(at.min(cosines.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
            .max(0.0)
    }
}

impl Embedder for TransformerModel {
    fn id(&self) -> &str {
        &self.id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, text: &str, kind: TextKind) -> Vec<f32> {
        match self.try_embed(text, kind) {
            Ok(v) => v,
            Err(message) => {
                warn_once(&self.id, &message);
                vec![0.0; self.dim]
            }
        }
    }

    fn min_similarity(&self) -> f32 {
        self.floor
    }

    fn source(&self) -> Option<&Path> {
        Some(&self.source)
    }
}

/// A text the model could not embed is left without a vector (found by its words only);
/// the reason goes to standard error once per distinct message.
fn warn_once(model: &str, message: &str) {
    static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|p| p.into_inner());
    if said.len() < 16 && !said.iter().any(|m| m == message) {
        said.push(message.to_string());
        eprintln!("model {model}: a text was left without a vector: {message}");
    }
}

/// The pooling `1_Pooling/config.json` asks for; mean where there is none.
fn pooling(dir: &Path) -> Result<Pooling> {
    let path = dir.join("1_Pooling").join("config.json");
    if !path.is_file() {
        return Ok(Pooling::Mean);
    }
    let config = read_json(&path)?;
    let on = |key: &str| config.get(key).and_then(serde_json::Value::as_bool) == Some(true);
    if on("pooling_mode_mean_tokens") {
        Ok(Pooling::Mean)
    } else if on("pooling_mode_cls_token") {
        Ok(Pooling::First)
    } else {
        Err(bad(
            &path,
            "cfi pools by the mean of the tokens or by the first token; this asks for neither",
        ))
    }
}

/// The query and passage prompts of `config_sentence_transformers.json`, or none.
fn prompts(dir: &Path) -> Result<(String, String)> {
    let path: PathBuf = dir.join("config_sentence_transformers.json");
    if !path.is_file() {
        return Ok((String::new(), String::new()));
    }
    let config = read_json(&path)?;
    let prompt = |keys: &[&str]| -> String {
        keys.iter()
            .find_map(|k| config.get("prompts")?.get(*k)?.as_str())
            .unwrap_or("")
            .to_string()
    };
    Ok((
        prompt(&["query"]),
        prompt(&["passage", "document", "corpus"]),
    ))
}

/// Writes a tiny BERT with random weights into `dir` (config.json, model.safetensors,
/// tokenizer.json, 1_Pooling/config.json and e5-style prompts), whose tokenizer knows
/// `words` (lower-cased): tests and examples exercise [`TransformerModel`] with it, as no
/// real model is downloaded. It knows no meaning (it is close to a bag of words: texts that
/// share words are close), but the same words always make the same model.
pub fn write_tiny_model(dir: &Path, words: &[&str]) -> Result<()> {
    write_tiny_encoder(dir, words, Family::Bert)
}

/// Writes a tiny encoder of `family` with random weights into `dir`, as
/// [`write_tiny_model`] does for BERT. The XLM-RoBERTa one has that family's layout: its
/// special tokens `<s>`, `<pad>`, `</s>`, `<unk>` (so padding is id 1 and positions start
/// at 2), one token type, and its weights under "roberta.".
pub(crate) fn write_tiny_encoder(dir: &Path, words: &[&str], family: Family) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| bad(dir, e);
    std::fs::create_dir_all(dir.join("1_Pooling")).map_err(|e| fail(&e))?;
    // In id order: (padding, unknown, first, last) for BERT, (first, padding, last,
    // unknown) for XLM-RoBERTa.
    let specials = match family {
        Family::Bert => ["[PAD]", "[UNK]", "[CLS]", "[SEP]"],
        Family::XlmRoberta => ["<s>", "<pad>", "</s>", "<unk>"],
    };
    let (pad, unk, cls, sep) = match family {
        Family::Bert => (0, 1, 2, 3),
        Family::XlmRoberta => (1, 3, 0, 2),
    };
    let mut vocab = serde_json::Map::new();
    for token in specials {
        vocab.insert(token.into(), vocab.len().into());
    }
    // The prompts' words too, so that a query and a passage of the same text differ.
    for word in ["query", "passage", ":"].iter().chain(words) {
        let word = word.to_lowercase();
        if !vocab.contains_key(&word) {
            vocab.insert(word, vocab.len().into());
        }
    }
    let hidden = 32;
    // 128 usable positions either way; the fields transformers writes that cfi does not
    // read are there too, as a real model's config.json has them.
    let (model_type, positions, token_types, eps) = match family {
        Family::Bert => ("bert", 128, 2, 1e-12),
        Family::XlmRoberta => ("xlm-roberta", 128 + pad + 1, 1, 1e-5),
    };
    let config = serde_json::json!({
        "model_type": model_type,
        "vocab_size": vocab.len(),
        "hidden_size": hidden,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": positions,
        "position_embedding_type": "absolute",
        "type_vocab_size": token_types,
        "initializer_range": 0.02,
        "layer_norm_eps": eps,
        "pad_token_id": pad
    });
    let added: Vec<serde_json::Value> = specials
        .iter()
        .enumerate()
        .map(|(id, t)| {
            serde_json::json!({
                "id": id, "content": t, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": true
            })
        })
        .collect();
    let tokenizer = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": [specials[sep], sep],
                           "cls": [specials[cls], cls]},
        "decoder": null,
        "model": {"type": "WordPiece", "unk_token": specials[unk], "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab}
    });
    let write = |name: &str, value: &serde_json::Value| {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).map_err(|e| bad(&path, e))
    };
    write("config.json", &config)?;
    write("tokenizer.json", &tokenizer)?;
    write(
        "1_Pooling/config.json",
        &serde_json::json!({"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": true}),
    )?;
    write(
        "config_sentence_transformers.json",
        &serde_json::json!({"prompts": {"query": "query: ", "passage": "passage: "}}),
    )?;
    // The model asks for every tensor it needs; the map makes each at random.
    let varmap = candle_nn::VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let config: encoder::Config = serde_json::from_value(config).map_err(|e| fail(&e))?;
    Encoder::load(&vb, &config, family).map_err(|e| fail(&e))?;
    // candle draws the weights from an unseeded generator: they are drawn again here from
    // one seeded by each tensor's name, so the same words give the same model every time
    // (layer norms keep their ones and zeros).
    {
        let vars = varmap
            .data()
            .lock()
            .map_err(|_| fail(&"the weights' lock"))?;
        for (name, var) in vars.iter() {
            if name.contains("LayerNorm") {
                continue;
            }
            // The words' vectors dominate, everything else is small: the model stays close
            // to a bag of words, so texts sharing words come out close.
            let scale = if name.contains("word_embeddings") {
                1.0
            } else {
                0.05
            };
            let shape = var.shape().clone();
            let mut state = fnv1a(name.as_bytes()) | 1;
            let values: Vec<f32> = (0..shape.elem_count())
                .map(|_| {
                    // xorshift64*, to a uniform value in [-0.5, 0.5).
                    state ^= state >> 12;
                    state ^= state << 25;
                    state ^= state >> 27;
                    let bits = state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
                    (bits as f32 / (1u64 << 24) as f32 - 0.5) * scale
                })
                .collect();
            let tensor = Tensor::from_vec(values, shape, &Device::Cpu).map_err(|e| fail(&e))?;
            var.set(&tensor).map_err(|e| fail(&e))?;
        }
    }
    let path = dir.join("model.safetensors");
    varmap.save(&path).map_err(|e| bad(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_xlm_roberta_with_its_weights_under_roberta_embeds_texts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let words = ["children", "online", "safety", "encryption", "hotline"];
        write_tiny_encoder(dir.path(), &words, Family::XlmRoberta).expect("write");
        let model = TransformerModel::load(dir.path()).expect("load");
        assert!(model.id().starts_with("xlm-roberta-32/"), "{}", model.id());
        // 130 positions, the first two taken by the padding id and the one before it.
        assert_eq!(model.max_tokens, 128);
        let a = model.embed("Children online safety", TextKind::Passage);
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
        // Cut to the 128 positions the model has, not refused.
        let long = model.embed(&"online safety ".repeat(200), TextKind::Passage);
        assert!(long.iter().any(|x| *x != 0.0));
    }
}
