//! CTranslate2 Whisper → whisper.cpp's ggml model file.
//!
//! The two formats hold the same tensors under other names; CTranslate2 fuses
//! the self-attention q/k/v projections (and the cross-attention k/v) into one
//! matrix, which is split back by rows. Whisper's key projections have no
//! bias: CTranslate2 stores a zero one, which is checked and dropped. Types
//! follow what whisper.cpp's loader expects: matrices and convolution kernels
//! f16, everything 1-D plus the conv biases and positional embeddings f32.
//! With [`Weights::Q8_0`] the matrices are written 8-bit instead, the way
//! whisper.cpp's own `quantize` tool writes them (the convolution kernels
//! stay f16): half the memory traffic in the decoder, and the encoder's
//! matrix products run on integer kernels.

use super::ModelError;
use super::ct2::{Ct2Model, DType, Variable};
use super::{mel, vocab};
use half::f16;
use std::io::Write;
use std::path::Path;

pub(super) const GGML_MAGIC: u32 = 0x6767_6d6c;
/// The first special token: the text tokens come before it (50,256 in the
/// English-only vocabulary, 50,257 in the multilingual one), and
/// whisper.cpp adds the special ones itself.
const END_OF_TEXT: &str = "<|endoftext|>";
const SAMPLE_RATE: u32 = 16_000;
const N_FFT: usize = 400;

/// Header values of a ggml Whisper model, in the order the file stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HParams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    /// 1: weights are f16.
    pub ftype: i32,
}

impl HParams {
    fn fields(&self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }
}

/// How the model's matrices are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// As the source has them: the reference.
    F16,
    /// ggml's 8-bit blocks (32 weights and one f16 scale): faster on CPU;
    /// its effect on accuracy is measured in the README.
    Q8_0,
}

/// Element type of a written tensor (ggml's numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
}

/// Weights per `q8_0` block.
const Q8_0_BLOCK: usize = 32;
/// ggml's file `ftype` for "mostly `q8_0`", with its quantisation version (2)
/// in the thousands, as whisper.cpp's loader reads it.
const FTYPE_Q8_0: i32 = 2007;

/// One tensor ready to write: PyTorch-order shape, target type, f16 source.
#[derive(Debug)]
pub struct Tensor<'a> {
    pub name: String,
    pub shape: Vec<usize>,
    pub ttype: TensorType,
    source: &'a [u8],
}

/// The converted model, borrowing the CTranslate2 data until written.
#[derive(Debug)]
pub struct GgmlModel<'a> {
    pub hparams: HParams,
    pub mel_filters: Vec<f32>,
    pub tokens: Vec<Vec<u8>>,
    pub tensors: Vec<Tensor<'a>>,
}

struct Builder<'a> {
    ct2: &'a Ct2Model,
    origin: &'a Path,
    weights: Weights,
    tensors: Vec<Tensor<'a>>,
}

impl<'a> Builder<'a> {
    fn invalid(&self, reason: String) -> ModelError {
        ModelError::InvalidSource {
            path: self.origin.to_path_buf(),
            reason,
        }
    }

    fn var(&self, name: &str) -> Result<&'a Variable, ModelError> {
        let var = self
            .ct2
            .get(name)
            .ok_or_else(|| self.invalid(format!("tensor {name} is missing")))?;
        if var.dtype != DType::F16 {
            return Err(self.invalid(format!(
                "tensor {name} is {:?}; only float16 models are supported",
                var.dtype
            )));
        }
        Ok(var)
    }

    fn push(&mut self, name: String, shape: Vec<usize>, source: &'a [u8]) {
        let keep_f32 = shape.len() == 1
            || name.ends_with("positional_embedding")
            || matches!(name.as_str(), "encoder.conv1.bias" | "encoder.conv2.bias");
        let quantize = self.weights == Weights::Q8_0
            && shape.len() == 2
            && shape[1].is_multiple_of(Q8_0_BLOCK);
        let ttype = if keep_f32 {
            TensorType::F32
        } else if quantize {
            TensorType::Q8_0
        } else {
            TensorType::F16
        };
        self.tensors.push(Tensor {
            name,
            shape,
            ttype,
            source,
        });
    }

    fn copy(&mut self, from: &str, to: String) -> Result<(), ModelError> {
        let var = self.var(from)?;
        self.push(to, var.shape.clone(), &var.data);
        Ok(())
    }

    fn layer_norm(&mut self, from: &str, to: &str) -> Result<(), ModelError> {
        self.copy(&format!("{from}/gamma"), format!("{to}.weight"))?;
        self.copy(&format!("{from}/beta"), format!("{to}.bias"))
    }

    fn linear(&mut self, from: &str, to: &str) -> Result<(), ModelError> {
        self.copy(&format!("{from}/weight"), format!("{to}.weight"))?;
        self.copy(&format!("{from}/bias"), format!("{to}.bias"))
    }

    /// Splits a row-fused projection into `targets`; a `None` bias target
    /// marks a key projection, whose (zero) bias ggml has no slot for.
    fn split(&mut self, from: &str, targets: &[(&str, bool)]) -> Result<(), ModelError> {
        let weight = self.var(&format!("{from}/weight"))?;
        let bias = self.var(&format!("{from}/bias"))?;
        let parts = targets.len();
        let rows = weight.shape[0] / parts;
        let cols = weight.shape[1];
        if weight.shape.len() != 2
            || rows * parts != weight.shape[0]
            || bias.shape[0] != rows * parts
        {
            return Err(self.invalid(format!(
                "{from}: shape {:?} does not split into {parts}",
                weight.shape
            )));
        }
        for (i, &(to, has_bias)) in targets.iter().enumerate() {
            let w = &weight.data[i * rows * cols * 2..(i + 1) * rows * cols * 2];
            let b = &bias.data[i * rows * 2..(i + 1) * rows * 2];
            self.push(format!("{to}.weight"), vec![rows, cols], w);
            if has_bias {
                self.push(format!("{to}.bias"), vec![rows], b);
            } else if b
                .chunks_exact(2)
                .any(|h| f16::from_le_bytes([h[0], h[1]]) != f16::ZERO)
            {
                return Err(self.invalid(format!(
                    "{from}: the key bias is not zero, and whisper.cpp has no key bias"
                )));
            }
        }
        Ok(())
    }

    /// Layers both stacks share: self-attention (fused q/k/v) and the MLP.
    fn attention_and_mlp(&mut self, from: &str, to: &str) -> Result<(), ModelError> {
        self.layer_norm(
            &format!("{from}/self_attention/layer_norm"),
            &format!("{to}.attn_ln"),
        )?;
        let (q, k, v) = (
            format!("{to}.attn.query"),
            format!("{to}.attn.key"),
            format!("{to}.attn.value"),
        );
        self.split(
            &format!("{from}/self_attention/linear_0"),
            &[(&q, true), (&k, false), (&v, true)],
        )?;
        self.linear(
            &format!("{from}/self_attention/linear_1"),
            &format!("{to}.attn.out"),
        )?;
        self.layer_norm(&format!("{from}/ffn/layer_norm"), &format!("{to}.mlp_ln"))?;
        self.linear(&format!("{from}/ffn/linear_0"), &format!("{to}.mlp.0"))?;
        self.linear(&format!("{from}/ffn/linear_1"), &format!("{to}.mlp.2"))
    }

    fn encoder_layer(&mut self, i: usize) -> Result<(), ModelError> {
        self.attention_and_mlp(
            &format!("encoder/layer_{i}"),
            &format!("encoder.blocks.{i}"),
        )
    }

    /// A decoder layer adds cross-attention, its k/v fused.
    fn decoder_layer(&mut self, i: usize) -> Result<(), ModelError> {
        let (from, to) = (format!("decoder/layer_{i}"), format!("decoder.blocks.{i}"));
        self.attention_and_mlp(&from, &to)?;
        self.layer_norm(
            &format!("{from}/attention/layer_norm"),
            &format!("{to}.cross_attn_ln"),
        )?;
        self.linear(
            &format!("{from}/attention/linear_0"),
            &format!("{to}.cross_attn.query"),
        )?;
        let (k, v) = (
            format!("{to}.cross_attn.key"),
            format!("{to}.cross_attn.value"),
        );
        self.split(
            &format!("{from}/attention/linear_1"),
            &[(&k, false), (&v, true)],
        )?;
        self.linear(
            &format!("{from}/attention/linear_2"),
            &format!("{to}.cross_attn.out"),
        )
    }

    fn count_layers(&self, prefix: &str) -> usize {
        let mut layers: Vec<&str> = self
            .ct2
            .variables
            .iter()
            .filter_map(|v| v.name.strip_prefix(prefix)?.strip_prefix("layer_"))
            .filter_map(|rest| rest.split_once('/').map(|(n, _)| n))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        layers.sort_unstable();
        layers.dedup();
        layers.len()
    }

    fn scalar(&self, name: &str) -> Result<i32, ModelError> {
        self.ct2
            .get(name)
            .and_then(Variable::scalar_int)
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| self.invalid(format!("integer {name} is missing")))
    }
}

fn dim(shape: &[usize], i: usize) -> i32 {
    shape.get(i).map_or(0, |&d| d as i32)
}

/// Maps a parsed CTranslate2 Whisper model and its `vocabulary.txt` to ggml.
pub fn convert<'a>(
    ct2: &'a Ct2Model,
    vocabulary: &str,
    origin: &'a Path,
    weights: Weights,
) -> Result<GgmlModel<'a>, ModelError> {
    let mut b = Builder {
        ct2,
        origin,
        weights,
        tensors: Vec::new(),
    };
    if ct2.spec != "WhisperSpec" {
        return Err(b.invalid(format!("a {} model is not a Whisper model", ct2.spec)));
    }
    let (n_audio_layer, n_text_layer) = (b.count_layers("encoder/"), b.count_layers("decoder/"));

    b.copy(
        "encoder/position_encodings/encodings",
        "encoder.positional_embedding".into(),
    )?;
    for conv in ["conv1", "conv2"] {
        b.copy(
            &format!("encoder/{conv}/weight"),
            format!("encoder.{conv}.weight"),
        )?;
        let bias = b.var(&format!("encoder/{conv}/bias"))?;
        b.push(
            format!("encoder.{conv}.bias"),
            vec![bias.shape[0], 1],
            &bias.data,
        );
    }
    for i in 0..n_audio_layer {
        b.encoder_layer(i)?;
    }
    b.layer_norm("encoder/layer_norm", "encoder.ln_post")?;

    b.copy(
        "decoder/position_encodings/encodings",
        "decoder.positional_embedding".into(),
    )?;
    b.copy(
        "decoder/embeddings/weight",
        "decoder.token_embedding.weight".into(),
    )?;
    for i in 0..n_text_layer {
        b.decoder_layer(i)?;
    }
    b.layer_norm("decoder/layer_norm", "decoder.ln")?;

    let shape = |name: &str| b.var(name).map(|v| v.shape.clone());
    let audio_pos = shape("encoder/position_encodings/encodings")?;
    let text_pos = shape("decoder/position_encodings/encodings")?;
    let embeddings = shape("decoder/embeddings/weight")?;
    let conv1 = shape("encoder/conv1/weight")?;
    let hparams = HParams {
        n_vocab: dim(&embeddings, 0),
        n_audio_ctx: dim(&audio_pos, 0),
        n_audio_state: dim(&audio_pos, 1),
        n_audio_head: b.scalar("encoder/num_heads")?,
        n_audio_layer: n_audio_layer as i32,
        n_text_ctx: dim(&text_pos, 0),
        n_text_state: dim(&text_pos, 1),
        n_text_head: b.scalar("decoder/num_heads")?,
        n_text_layer: n_text_layer as i32,
        n_mels: dim(&conv1, 1),
        ftype: match weights {
            Weights::F16 => 1,
            Weights::Q8_0 => FTYPE_Q8_0,
        },
    };
    let text_tokens = vocabulary
        .split('\n')
        .position(|line| line == END_OF_TEXT)
        .ok_or_else(|| b.invalid(format!("vocabulary.txt has no {END_OF_TEXT} line")))?;
    let tokens = vocab::decode_tokens(vocabulary, text_tokens).map_err(|line| {
        b.invalid(format!(
            "vocabulary.txt line {line} is missing or not a GPT-2 byte-level token"
        ))
    })?;
    let mel_filters = mel::slaney_filters(SAMPLE_RATE, N_FFT, hparams.n_mels as usize);
    Ok(GgmlModel {
        hparams,
        mel_filters,
        tokens,
        tensors: b.tensors,
    })
}

fn floats(f16_bytes: &[u8]) -> impl Iterator<Item = f32> + '_ {
    f16_bytes
        .chunks_exact(2)
        .map(|h| f16::from_le_bytes([h[0], h[1]]).to_f32())
}

/// ggml's `q8_0` blocks, computed as its reference quantiser does (scale =
/// largest magnitude / 127, values rounded half away from zero), so the file
/// is the one whisper.cpp's `quantize` would write.
fn quantize_q8_0(weights: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(weights.len() / Q8_0_BLOCK * (2 + Q8_0_BLOCK));
    for block in weights.chunks(Q8_0_BLOCK) {
        let largest = block.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let scale = largest / 127.0;
        let inverse = if scale == 0.0 { 0.0 } else { 1.0 / scale };
        out.extend_from_slice(&f16::from_f32(scale).to_le_bytes());
        out.extend(block.iter().map(|w| (w * inverse).round() as i8 as u8));
    }
    out
}

impl GgmlModel<'_> {
    /// Writes the model in whisper.cpp's format (as `convert-pt-to-ggml.py`
    /// lays it out: dims innermost first, then name, then data).
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let i32le = |out: &mut dyn Write, v: i32| out.write_all(&v.to_le_bytes());
        out.write_all(&GGML_MAGIC.to_le_bytes())?;
        for field in self.hparams.fields() {
            i32le(out, field)?;
        }
        let n_mels = self.hparams.n_mels;
        i32le(out, n_mels)?;
        i32le(
            out,
            (self.mel_filters.len() / n_mels.max(1) as usize) as i32,
        )?;
        for v in &self.mel_filters {
            out.write_all(&v.to_le_bytes())?;
        }
        i32le(out, self.tokens.len() as i32)?;
        for token in &self.tokens {
            i32le(out, token.len() as i32)?;
            out.write_all(token)?;
        }
        for tensor in &self.tensors {
            i32le(out, tensor.shape.len() as i32)?;
            i32le(out, tensor.name.len() as i32)?;
            i32le(out, tensor.ttype as i32)?;
            for &d in tensor.shape.iter().rev() {
                i32le(out, d as i32)?;
            }
            out.write_all(tensor.name.as_bytes())?;
            match tensor.ttype {
                TensorType::F16 => out.write_all(tensor.source)?,
                TensorType::F32 => {
                    let widened: Vec<u8> =
                        floats(tensor.source).flat_map(f32::to_le_bytes).collect();
                    out.write_all(&widened)?;
                }
                TensorType::Q8_0 => {
                    let weights: Vec<f32> = floats(tensor.source).collect();
                    out.write_all(&quantize_q8_0(&weights))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q8_0_blocks_hold_a_scale_and_rounded_weights() {
        let mut weights = vec![0.0f32; 64];
        weights[0] = 1.27;
        weights[1] = -0.635;
        weights[2] = 0.005;
        let bytes = quantize_q8_0(&weights);
        assert_eq!(bytes.len(), 2 * 34);
        let scale = f16::from_le_bytes([bytes[0], bytes[1]]).to_f32();
        assert!((scale - 0.01).abs() < 1e-5, "{scale}");
        let quantized: Vec<i8> = bytes[2..5].iter().map(|&b| b as i8).collect();
        // 1.27 / 0.01 = 127; -63.5 rounds away from zero to -64; 0.5 to 1.
        assert_eq!(quantized, [127, -64, 1]);
        // An all-zero block has scale 0 and zero weights, not NaN.
        assert!(bytes[34..].iter().all(|&b| b == 0));
    }
}
