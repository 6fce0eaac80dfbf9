//! The encoder of a BERT or XLM-RoBERTa sentence model, on candle's tensors and layers
//! (`candle-core`, `candle-nn`): what turns a batch of token ids into one vector per token.
//!
//! It reads the weights under the names the Hugging Face checkpoints use, and computes
//! what `BertModel` and `XLMRobertaModel` compute in `transformers` (and in
//! `candle-transformers`, which cfi used before and whose numbers the tests keep):
//! embeddings of the word, its position and its token type, added and normalised; then
//! layers of self-attention and a feed-forward network, each added back to its input and
//! normalised. Only what a sentence encoder needs is here: no cross-attention, no cache,
//! no pooler or language-model head, every token of type 0. It is ours rather than
//! candle-transformers' because that crate compiles every architecture it knows, a tenth
//! of the CPU time of cfi's first build, for the two used here.

use candle_core::{DType, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

/// The two kinds of encoder cfi runs; they differ in their positions and their defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// BERT (`model_type` "bert"): positions count from 0 at the first token.
    Bert,
    /// XLM-RoBERTa or RoBERTa (`model_type` "xlm-roberta" or "roberta"): positions count
    /// from the padding id + 1, and padding tokens sit at the padding id.
    XlmRoberta,
}

impl Family {
    /// The family `config.json`'s `model_type` names, if cfi runs it.
    pub(crate) fn of(model_type: &str) -> Option<Family> {
        match model_type {
            "bert" => Some(Family::Bert),
            "xlm-roberta" | "roberta" => Some(Family::XlmRoberta),
            _ => None,
        }
    }

    /// The family's name in error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Family::Bert => "BERT",
            Family::XlmRoberta => "XLM-RoBERTa",
        }
    }

    /// Where the encoder's weights may sit in `model.safetensors`, in the order tried:
    /// sentence-transformers saves them at the top; a checkpoint saved with a head
    /// (`BertForMaskedLM`, `XLMRobertaForMaskedLM`) puts them under "bert." or "roberta.".
    fn prefixes(self) -> [&'static str; 2] {
        match self {
            Family::Bert => ["", "bert"],
            Family::XlmRoberta => ["roberta", ""],
        }
    }
}

/// The function applied between the two dense layers of each layer's feed-forward
/// network (`hidden_act`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum Activation {
    /// "gelu": the exact GELU, x·Φ(x) with the error function, as BERT and XLM-RoBERTa
    /// were trained (transformers' `GELUActivation`, candle's `gelu_erf`).
    #[serde(rename = "gelu")]
    Gelu,
    /// "gelu_new", "gelu_pytorch_tanh", "gelu_fast": GELU approximated with tanh,
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (candle's `gelu`).
    #[serde(rename = "gelu_new", alias = "gelu_pytorch_tanh", alias = "gelu_fast")]
    GeluTanh,
    /// "relu": max(x, 0).
    #[serde(rename = "relu")]
    Relu,
}

impl Activation {
    /// The activation applied to every value of `xs`.
    fn forward(self, xs: &Tensor) -> Result<Tensor> {
        match self {
            Activation::Gelu => xs.gelu_erf(),
            Activation::GeluTanh => xs.gelu(),
            Activation::Relu => xs.relu(),
        }
    }
}

/// The fields of `config.json` the encoder's shape and arithmetic depend on. Fields
/// missing from the file take the defaults `transformers` gives them.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Config {
    /// Tokens the word embedding has a row for.
    pub(crate) vocab_size: usize,
    /// Values in each token's vector, and in the sentence vector made from them.
    pub(crate) hidden_size: usize,
    /// Encoder layers, applied one after the other.
    pub(crate) num_hidden_layers: usize,
    /// Attention heads per layer; each looks at `hidden_size / num_attention_heads` values.
    pub(crate) num_attention_heads: usize,
    /// Width of each layer's feed-forward network.
    pub(crate) intermediate_size: usize,
    /// The feed-forward network's activation.
    #[serde(default = "default_activation")]
    pub(crate) hidden_act: Activation,
    /// Rows of the position embedding: the longest input, plus the padding id + 1 for
    /// XLM-RoBERTa, whose positions start after it.
    #[serde(default = "default_positions")]
    pub(crate) max_position_embeddings: usize,
    /// Rows of the token type embedding (2 for BERT's sentence pairs, 1 for XLM-RoBERTa);
    /// only the first is used.
    #[serde(default = "default_token_types")]
    pub(crate) type_vocab_size: usize,
    /// Added to the variance in every layer normalisation.
    #[serde(default = "default_layer_norm_eps")]
    pub(crate) layer_norm_eps: f64,
    /// The padding token's id; `None` takes the family's default (0 for BERT, 1 for
    /// XLM-RoBERTa).
    #[serde(default)]
    pub(crate) pad_token_id: Option<u32>,
    /// How positions are encoded; only "absolute" (learned embeddings) is run.
    #[serde(default = "default_position_embedding_type")]
    pub(crate) position_embedding_type: String,
}

/// transformers' default `hidden_act`.
fn default_activation() -> Activation {
    Activation::Gelu
}

/// transformers' default `max_position_embeddings`.
fn default_positions() -> usize {
    512
}

/// transformers' default `type_vocab_size`.
fn default_token_types() -> usize {
    2
}

/// transformers' default `layer_norm_eps`.
fn default_layer_norm_eps() -> f64 {
    1e-12
}

/// transformers' default `position_embedding_type`.
fn default_position_embedding_type() -> String {
    "absolute".to_string()
}

impl Config {
    /// The padding token's id: the configured one, or the family's default.
    pub(crate) fn pad_id(&self, family: Family) -> u32 {
        self.pad_token_id.unwrap_or(match family {
            Family::Bert => 0,
            Family::XlmRoberta => 1,
        })
    }

    /// Why the encoder cannot be built as configured, if it cannot: said before any weight
    /// is read, so the error names `config.json` rather than the weights.
    pub(crate) fn check(&self) -> std::result::Result<(), String> {
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if self.position_embedding_type != "absolute" {
            return Err(format!(
                "position_embedding_type {:?}: cfi runs \"absolute\" positions only",
                self.position_embedding_type
            ));
        }
        if self.type_vocab_size == 0 {
            return Err("type_vocab_size is 0".to_string());
        }
        Ok(())
    }
}

/// The value added to the attention score of a padding token: the lowest float, as
/// transformers adds (`torch.finfo(float32).min`), so its weight after the softmax is 0.
const MASKED: f32 = f32::MIN;

/// A token's first vector: its word, position and type embeddings added, then normalised.
struct Embeddings {
    /// One row per token id (`word_embeddings`).
    words: Embedding,
    /// One row per position (`position_embeddings`).
    positions: Embedding,
    /// The row of token type 0 (of `token_type_embeddings`), added to every token.
    token_type: Tensor,
    /// The normalisation after the sum (`LayerNorm`).
    norm: LayerNorm,
}

impl Embeddings {
    /// Reads the embeddings under `vb` ("embeddings").
    fn load(vb: VarBuilder, config: &Config) -> Result<Embeddings> {
        let hidden = config.hidden_size;
        let words = candle_nn::embedding(config.vocab_size, hidden, vb.pp("word_embeddings"))?;
        let positions = candle_nn::embedding(
            config.max_position_embeddings,
            hidden,
            vb.pp("position_embeddings"),
        )?;
        let token_types = candle_nn::embedding(
            config.type_vocab_size,
            hidden,
            vb.pp("token_type_embeddings"),
        )?;
        let token_type = token_types.embeddings().get(0)?;
        let norm = candle_nn::layer_norm(hidden, config.layer_norm_eps, vb.pp("LayerNorm"))?;
        Ok(Embeddings {
            words,
            positions,
            token_type,
            norm,
        })
    }

    /// The first vectors of `input_ids` (batch, tokens) at `position_ids` (the same shape,
    /// or (tokens) for every text alike): (batch, tokens, hidden).
    fn forward(&self, input_ids: &Tensor, position_ids: &Tensor) -> Result<Tensor> {
        let words = self.words.forward(input_ids)?;
        let positions = self.positions.forward(position_ids)?;
        let sum = words
            .broadcast_add(&self.token_type)?
            .broadcast_add(&positions)?;
        self.norm.forward(&sum)
    }
}

/// One encoder layer (`encoder.layer.N`): self-attention, then a feed-forward network,
/// each added to its input and normalised.
struct Layer {
    /// Queries of the attention (`attention.self.query`).
    query: Linear,
    /// Keys of the attention (`attention.self.key`).
    key: Linear,
    /// Values of the attention (`attention.self.value`).
    value: Linear,
    /// The attention's heads mixed back into one vector (`attention.output.dense`).
    attention_out: Linear,
    /// The normalisation after the attention (`attention.output.LayerNorm`).
    attention_norm: LayerNorm,
    /// The feed-forward network's widening (`intermediate.dense`).
    intermediate: Linear,
    /// The activation between the feed-forward network's two dense layers.
    activation: Activation,
    /// The feed-forward network's narrowing (`output.dense`).
    output: Linear,
    /// The normalisation after the feed-forward network (`output.LayerNorm`).
    output_norm: LayerNorm,
    /// Attention heads.
    heads: usize,
    /// Values each head looks at.
    head_size: usize,
}

impl Layer {
    /// Reads one layer under `vb` ("encoder.layer.N").
    fn load(vb: VarBuilder, config: &Config) -> Result<Layer> {
        let hidden = config.hidden_size;
        let eps = config.layer_norm_eps;
        let attention = vb.pp("attention");
        let own = attention.pp("self");
        Ok(Layer {
            query: candle_nn::linear(hidden, hidden, own.pp("query"))?,
            key: candle_nn::linear(hidden, hidden, own.pp("key"))?,
            value: candle_nn::linear(hidden, hidden, own.pp("value"))?,
            attention_out: candle_nn::linear(hidden, hidden, attention.pp("output.dense"))?,
            attention_norm: candle_nn::layer_norm(hidden, eps, attention.pp("output.LayerNorm"))?,
            intermediate: candle_nn::linear(
                hidden,
                config.intermediate_size,
                vb.pp("intermediate.dense"),
            )?,
            activation: config.hidden_act,
            output: candle_nn::linear(config.intermediate_size, hidden, vb.pp("output.dense"))?,
            output_norm: candle_nn::layer_norm(hidden, eps, vb.pp("output.LayerNorm"))?,
            heads: config.num_attention_heads,
            head_size: hidden / config.num_attention_heads.max(1),
        })
    }

    /// (batch, tokens, hidden) split into heads: (batch, heads, tokens, head size).
    fn split_heads(&self, xs: &Tensor) -> Result<Tensor> {
        let (batch, tokens, _) = xs.dims3()?;
        xs.reshape((batch, tokens, self.heads, self.head_size))?
            .transpose(1, 2)?
            .contiguous()
    }

    /// The layer applied to `hidden` (batch, tokens, hidden), where `mask_bias`
    /// (batch, 1, 1, tokens) is added to the attention scores to hide padding.
    fn forward(&self, hidden: &Tensor, mask_bias: &Tensor) -> Result<Tensor> {
        let query = self.split_heads(&self.query.forward(hidden)?)?;
        let key = self.split_heads(&self.key.forward(hidden)?)?;
        let value = self.split_heads(&self.value.forward(hidden)?)?;
        let scores = (query.matmul(&key.t()?)? / (self.head_size as f64).sqrt())?;
        let weights = candle_nn::ops::softmax_last_dim(&scores.broadcast_add(mask_bias)?)?;
        let context = weights
            .matmul(&value)?
            .transpose(1, 2)?
            .contiguous()?
            .flatten_from(2)?;
        let attended = self
            .attention_norm
            .forward(&(self.attention_out.forward(&context)? + hidden)?)?;
        let widened = self
            .activation
            .forward(&self.intermediate.forward(&attended)?)?;
        self.output_norm
            .forward(&(self.output.forward(&widened)? + &attended)?)
    }
}

/// A BERT or XLM-RoBERTa encoder read from a checkpoint's weights.
pub(crate) struct Encoder {
    /// Which of the two, for its positions.
    family: Family,
    /// The padding token's id: XLM-RoBERTa's positions count from it.
    pad_id: u32,
    /// The tokens' first vectors.
    embeddings: Embeddings,
    /// The layers, in order.
    layers: Vec<Layer>,
}

impl Encoder {
    /// Reads the encoder `config` describes from `vb`, wherever the checkpoint put it (see
    /// [`Family::prefixes`]): under the prefix that holds the word embeddings, so that a
    /// checkpoint missing a later tensor is told which. When no place holds them, each is
    /// tried in turn (a `VarMap` makes its tensors as they are asked for), and the error
    /// is the one the weights at the top gave.
    pub(crate) fn load(vb: &VarBuilder, config: &Config, family: Family) -> Result<Encoder> {
        let places = family.prefixes().map(|prefix| {
            let at = if prefix.is_empty() {
                vb.clone()
            } else {
                vb.pp(prefix)
            };
            (prefix, at)
        });
        if let Some((_, at)) = places
            .iter()
            .find(|(_, at)| at.contains_tensor("embeddings.word_embeddings.weight"))
        {
            return Encoder::load_at(at, config, family);
        }
        let mut error = None;
        for (prefix, at) in places {
            match Encoder::load_at(&at, config, family) {
                Ok(encoder) => return Ok(encoder),
                Err(e) if prefix.is_empty() || error.is_none() => error = Some(e),
                Err(_) => {}
            }
        }
        Err(error.unwrap_or_else(|| candle_core::Error::Msg("no weights".to_string())))
    }

    /// Reads the encoder from "embeddings" and "encoder.layer.N" under `vb`.
    fn load_at(vb: &VarBuilder, config: &Config, family: Family) -> Result<Encoder> {
        let embeddings = Embeddings::load(vb.pp("embeddings"), config)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), config))
            .collect::<Result<Vec<_>>>()?;
        // Weights of more layers than the configuration names: running the first ones
        // only would give wrong vectors without a word.
        let next = format!(
            "encoder.layer.{}.output.dense.weight",
            config.num_hidden_layers
        );
        if vb.contains_tensor(&next) {
            candle_core::bail!(
                "the weights hold more layers than num_hidden_layers {}",
                config.num_hidden_layers
            );
        }
        Ok(Encoder {
            family,
            pad_id: config.pad_id(family),
            embeddings,
            layers,
        })
    }

    /// The last layer's vector of every token of `input_ids` (batch, tokens; u32), where
    /// `attention_mask` (the same shape) is 1 for a token and 0 for padding: (batch,
    /// tokens, hidden). A padded text's tokens come out as they do without the padding.
    pub(crate) fn forward(&self, input_ids: &Tensor, attention_mask: &Tensor) -> Result<Tensor> {
        let (batch, tokens) = input_ids.dims2()?;
        let device = input_ids.device();
        let position_ids = match self.family {
            Family::Bert => Tensor::arange(0, tokens as u32, device)?,
            Family::XlmRoberta => {
                let ids = input_ids.to_vec2::<u32>()?;
                Tensor::from_vec(
                    xlm_roberta_positions(&ids, self.pad_id),
                    (batch, tokens),
                    device,
                )?
            }
        };
        let mut hidden = self.embeddings.forward(input_ids, &position_ids)?;
        let dtype = hidden.dtype();
        // 0 where there is a token, the lowest float where there is padding.
        let mask_bias = ((attention_mask.to_dtype(DType::F32)?.affine(-1.0, 1.0)?
            * MASKED as f64)?
            .to_dtype(dtype)?)
        .reshape((batch, 1, 1, tokens))?;
        for layer in &self.layers {
            hidden = layer.forward(&hidden, &mask_bias)?;
        }
        Ok(hidden)
    }
}

/// XLM-RoBERTa's position of each token of `ids`: the padding id + 1 for the first token
/// that is not padding, counting up over tokens that are not; padding sits at the padding
/// id (transformers' `create_position_ids_from_input_ids`).
fn xlm_roberta_positions(ids: &[Vec<u32>], pad_id: u32) -> Vec<u32> {
    let mut positions = Vec::with_capacity(ids.iter().map(Vec::len).sum());
    for row in ids {
        let mut count: u32 = 0;
        for &id in row {
            if id == pad_id {
                positions.push(pad_id);
            } else {
                count = count.saturating_add(1);
                positions.push(pad_id.saturating_add(count));
            }
        }
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// The words the tiny models' tokenizers know; the batches below use their ids.
    const WORDS: &[&str] = &["children", "online", "safety", "encryption", "hotline"];

    /// Texts of 5, 3, 40 and 12 tokens (first and last special tokens included) in
    /// `family`'s ids, padded to the longest, with their attention mask.
    fn batch(family: Family) -> (Tensor, Tensor) {
        let (first, last, pad) = match family {
            Family::Bert => (2u32, 3u32, 0u32),
            Family::XlmRoberta => (0, 2, 1),
        };
        // The tiny vocabularies hold 4 special tokens, then "query", "passage", ":" and WORDS.
        let words = |n: usize, step: usize| -> Vec<u32> {
            (0..n).map(|i| 4 + ((i * step + 1) % 8) as u32).collect()
        };
        let texts: Vec<Vec<u32>> = [words(3, 1), words(1, 3), words(38, 5), words(10, 3)]
            .into_iter()
            .map(|w| [vec![first], w, vec![last]].concat())
            .collect();
        let longest = texts.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = Vec::new();
        let mut mask = Vec::new();
        for text in &texts {
            for i in 0..longest {
                ids.push(text.get(i).copied().unwrap_or(pad));
                mask.push(u32::from(i < text.len()));
            }
        }
        let shape = (texts.len(), longest);
        (
            Tensor::from_vec(ids, shape, &Device::Cpu).expect("ids"),
            Tensor::from_vec(mask, shape, &Device::Cpu).expect("mask"),
        )
    }

    /// The mean of each text's token vectors, padding left out: (batch, hidden).
    fn mean_pool(hidden: &Tensor, mask: &Tensor) -> Vec<Vec<f32>> {
        let mask = mask.to_dtype(DType::F32).expect("mask");
        let sum = hidden
            .broadcast_mul(&mask.unsqueeze(2).expect("mask"))
            .and_then(|h| h.sum(1))
            .expect("sum");
        sum.broadcast_div(&mask.sum_keepdim(1).expect("count"))
            .and_then(|t| t.to_vec2::<f32>())
            .expect("mean")
    }

    /// A tiny `family` model as `write_tiny_encoder` makes it, its config.json and its
    /// weights, each weight passed through `edit` on its way (`None` leaves it out).
    fn tiny_edited(
        family: Family,
        edit: impl Fn(String, Tensor) -> Option<(String, Tensor)>,
    ) -> (Config, VarBuilder<'static>) {
        let dir = tempfile::tempdir().expect("tempdir");
        crate::transformer::write_tiny_encoder(dir.path(), WORDS, family).expect("write");
        let config = std::fs::read(dir.path().join("config.json")).expect("config");
        let weights = std::fs::read(dir.path().join("model.safetensors")).expect("weights");
        let tensors = candle_core::safetensors::load_buffer(&weights, &Device::Cpu)
            .expect("safetensors")
            .into_iter()
            .filter_map(|(name, t)| edit(name, t))
            .collect();
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
        (serde_json::from_slice(&config).expect("config"), vb)
    }

    /// A tiny `family` model with every weight but the layer norms' multiplied by `gain`.
    /// The tiny models keep their weights small, so that all but the word embeddings
    /// barely matter; a gain of 20 makes every step count (attention picks tokens, the
    /// activation bends), so that a difference in any step shows in the vectors.
    fn tiny(family: Family, gain: f64) -> (Config, VarBuilder<'static>) {
        tiny_edited(family, |name, t| {
            if name.contains("LayerNorm") {
                Some((name, t))
            } else {
                Some((name, (t * gain).expect("gain")))
            }
        })
    }

    /// Our encoder's mean-pooled vectors of [`batch`] under the tiny `family` model.
    fn ours(family: Family, gain: f64) -> Vec<Vec<f32>> {
        let (config, vb) = tiny(family, gain);
        let encoder = Encoder::load(&vb, &config, family).expect("load");
        let (ids, mask) = batch(family);
        mean_pool(&encoder.forward(&ids, &mask).expect("forward"), &mask)
    }

    #[test]
    fn the_encoder_is_read_at_the_top_or_under_its_family_prefix() {
        // The tiny BERT is written at the top, the tiny XLM-RoBERTa under "roberta.": each
        // is moved to the other place, as other checkpoints have it.
        let (ids, mask) = batch(Family::Bert);
        let (config, vb) = tiny_edited(Family::Bert, |name, t| Some((format!("bert.{name}"), t)));
        let encoder = Encoder::load(&vb, &config, Family::Bert).expect("load");
        let moved = mean_pool(&encoder.forward(&ids, &mask).expect("forward"), &mask);
        assert_eq!(moved, ours(Family::Bert, 1.0));

        let (ids, mask) = batch(Family::XlmRoberta);
        let (config, vb) = tiny_edited(Family::XlmRoberta, |name, t| {
            Some((
                name.strip_prefix("roberta.").unwrap_or(&name).to_string(),
                t,
            ))
        });
        let encoder = Encoder::load(&vb, &config, Family::XlmRoberta).expect("load");
        let moved = mean_pool(&encoder.forward(&ids, &mask).expect("forward"), &mask);
        assert_eq!(moved, ours(Family::XlmRoberta, 1.0));

        // A tensor missing is named where the checkpoint keeps its weights.
        let missing = "roberta.encoder.layer.1.output.dense.bias";
        let (config, vb) = tiny_edited(Family::XlmRoberta, |name, t| {
            (name != missing).then_some((name, t))
        });
        let error = Encoder::load(&vb, &config, Family::XlmRoberta)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains(missing), "{error}");
    }

    /// What candle-transformers 0.11.1 (`BertModel`, `XLMRobertaModel`), which cfi ran before
    /// this encoder, made of [`batch`] under each tiny model: the first six values of a
    /// text's mean-pooled vector, for (family, gain, text). Ours matched them bit for bit
    /// when they were recorded; they change if `write_tiny_encoder` draws other weights.
    const CANDLE_TRANSFORMERS: [(Family, f64, usize, [f32; 6]); 6] = [
        (
            Family::Bert,
            1.0,
            2,
            [
                0.21523218,
                -0.25742206,
                0.030417627,
                -0.40519887,
                0.22599141,
                -0.13390286,
            ],
        ),
        (
            Family::Bert,
            20.0,
            1,
            [
                0.24879654, -0.5914021, -1.3561172, 0.6164678, 1.4468287, -1.3396741,
            ],
        ),
        (
            Family::Bert,
            20.0,
            2,
            [
                -0.8247185,
                -0.6332375,
                -0.034951024,
                -0.9040268,
                1.4795572,
                -1.3993193,
            ],
        ),
        (
            Family::XlmRoberta,
            1.0,
            2,
            [
                0.013974908,
                -0.04670106,
                -0.15959863,
                -0.24797268,
                -0.12578571,
                -0.6127648,
            ],
        ),
        (
            Family::XlmRoberta,
            20.0,
            1,
            [
                0.88449955, -0.6245755, -1.8171787, 0.5638804, -0.5346197, -0.5235581,
            ],
        ),
        (
            Family::XlmRoberta,
            20.0,
            2,
            [
                0.5150656,
                -1.0198156,
                -0.71872294,
                -0.51802516,
                -0.87759197,
                -0.47093272,
            ],
        ),
    ];

    #[test]
    fn the_encoder_makes_the_vectors_candle_transformers_made() {
        for (family, gain, text, expected) in CANDLE_TRANSFORMERS {
            let pooled = ours(family, gain);
            let got = &pooled[text][..6];
            let worst = got
                .iter()
                .zip(expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(
                worst < 1e-5,
                "{family:?} x{gain} text {text}: {got:?}, expected {expected:?}"
            );
        }
    }

    #[test]
    fn a_text_padded_in_a_batch_gets_the_vector_it_gets_alone() {
        for family in [Family::Bert, Family::XlmRoberta] {
            let (config, vb) = tiny(family, 20.0);
            let encoder = Encoder::load(&vb, &config, family).expect("load");
            let (ids, mask) = batch(family);
            let together = mean_pool(&encoder.forward(&ids, &mask).expect("forward"), &mask);
            for (i, in_batch) in together.iter().enumerate() {
                let tokens = mask
                    .get(i)
                    .and_then(|m| m.sum_all())
                    .and_then(|n| n.to_scalar::<u32>())
                    .expect("length") as usize;
                let alone_ids = ids
                    .get(i)
                    .and_then(|t| t.narrow(0, 0, tokens))
                    .and_then(|t| t.unsqueeze(0))
                    .expect("ids");
                let alone_mask = alone_ids.ones_like().expect("mask");
                let alone = mean_pool(
                    &encoder.forward(&alone_ids, &alone_mask).expect("forward"),
                    &alone_mask,
                );
                let worst = alone[0]
                    .iter()
                    .zip(in_batch)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                assert!(worst < 1e-5, "{family:?} text {i}: {worst}");
            }
        }
    }

    #[test]
    fn xlm_roberta_positions_start_after_the_padding_id_and_skip_padding() {
        let ids = vec![vec![0, 7, 8, 2, 1, 1], vec![0, 9, 2, 1, 1, 1]];
        assert_eq!(
            xlm_roberta_positions(&ids, 1),
            vec![2, 3, 4, 5, 1, 1, 2, 3, 4, 1, 1, 1]
        );
    }

    #[test]
    fn the_hidden_act_names_transformers_writes_are_read() {
        let act = |name: &str| serde_json::from_value::<Activation>(serde_json::json!(name));
        assert_eq!(act("gelu").ok(), Some(Activation::Gelu));
        assert_eq!(act("gelu_new").ok(), Some(Activation::GeluTanh));
        assert_eq!(act("gelu_pytorch_tanh").ok(), Some(Activation::GeluTanh));
        assert_eq!(act("relu").ok(), Some(Activation::Relu));
        assert!(act("swish").is_err());
    }
}
