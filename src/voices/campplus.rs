//! CAM++ (3D-Speaker; Wang et al., "CAM++: A Fast and Efficient Network for
//! Speaker Verification Using Context-Aware Masking", Interspeech 2023),
//! evaluated in inference mode: a 2-D convolutional front end over the
//! filterbank, a densely connected time-delay network whose layers mask
//! their output by the context of the segment and the clip, mean and
//! standard deviation over time, and a 192-dimensional projection.
//!
//! The forward pass is written here because it is a few layer kinds
//! (convolutions, batch norm, `ReLU`, sigmoid, pooling) and a runtime for
//! them (candle, tract, ort) would outweigh the rest of the project; the
//! arithmetic is `ndarray`'s matrix product (matrixmultiply's kernels,
//! picked at run time for the CPU). Batch norms that follow a convolution
//! are folded into it when the model is loaded.

use super::fbank::BINS;
use super::state_dict::{Malformed, Tensor};
use ndarray::{Array2, ArrayView2, Axis, Slice, linalg::general_mat_mul};
use std::collections::HashMap;

/// Length of a voice print.
pub const EMBEDDING: usize = 192;
const BN_EPS: f32 = 1e-5;
/// Frames over which each dense layer pools its segment context.
const SEGMENT: usize = 100;
/// Channels after the front end: 32 maps × 10 frequency rows.
const HEAD_CHANNELS: usize = 320;
const BLOCKS: [(usize, usize); 3] = [(12, 1), (24, 2), (16, 2)];
const GROWTH: usize = 32;
const BOTTLENECK: usize = 128;

/// A convolution as a matrix over its unfolded input, with the batch norm
/// that follows it folded in.
#[derive(Debug)]
struct Conv {
    /// `out × (in · kernel)`, kernel positions fastest.
    weight: Array2<f32>,
    bias: Vec<f32>,
    kernel: usize,
    stride: usize,
    dilation: usize,
}

/// An eval-mode batch norm standing alone (before a `ReLU` and a convolution).
#[derive(Debug)]
struct Affine {
    scale: Vec<f32>,
    shift: Vec<f32>,
}

#[derive(Debug)]
struct DenseLayer {
    input_norm: Affine,
    bottleneck: Conv,
    local: Conv,
    context_in: Conv,
    context_out: Conv,
}

#[derive(Debug)]
struct Transit {
    norm: Affine,
    linear: Conv,
}

#[derive(Debug)]
struct ResBlock {
    conv1: Conv,
    conv2: Conv,
    shortcut: Option<Conv>,
}

/// The network's weights, ready to run.
#[derive(Debug)]
pub struct CamPlus {
    head_in: Conv,
    head_blocks: Vec<ResBlock>,
    head_out: Conv,
    tdnn: Conv,
    blocks: Vec<(Vec<DenseLayer>, Transit)>,
    out_norm: Affine,
    dense: Conv,
    dense_mean: Vec<f32>,
    dense_scale: Vec<f32>,
}

struct Weights {
    tensors: HashMap<String, Tensor>,
}

impl Weights {
    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>, Malformed> {
        let tensor = self
            .tensors
            .remove(name)
            .ok_or_else(|| Malformed(format!("no tensor {name}: not the CAM++ model")))?;
        if tensor.shape != shape {
            return Err(Malformed(format!(
                "{name} has shape {:?}, expected {shape:?}: not the CAM++ model",
                tensor.shape
            )));
        }
        Ok(tensor.data)
    }

    fn affine(&mut self, prefix: &str, channels: usize) -> Result<Affine, Malformed> {
        let gamma = self.take(&format!("{prefix}.weight"), &[channels])?;
        let beta = self.take(&format!("{prefix}.bias"), &[channels])?;
        let (mean, scale) = self.statistics(prefix, channels)?;
        let scale: Vec<f32> = scale.iter().zip(&gamma).map(|(s, g)| s * g).collect();
        let shift = beta
            .iter()
            .zip(&mean)
            .zip(&scale)
            .map(|((b, m), s)| b - m * s)
            .collect();
        Ok(Affine { scale, shift })
    }

    /// Running mean and `1 / sqrt(var + eps)`.
    fn statistics(
        &mut self,
        prefix: &str,
        channels: usize,
    ) -> Result<(Vec<f32>, Vec<f32>), Malformed> {
        let mean = self.take(&format!("{prefix}.running_mean"), &[channels])?;
        let var = self.take(&format!("{prefix}.running_var"), &[channels])?;
        let scale = var.iter().map(|v| 1.0 / (v + BN_EPS).sqrt()).collect();
        Ok((mean, scale))
    }

    /// A bias-free convolution `name` of `shape` (out, in, kernel…), with
    /// the batch norm `norm` after it folded in, or a bias `name.bias`.
    fn conv(
        &mut self,
        name: &str,
        shape: &[usize],
        norm: Option<&str>,
        stride: usize,
        dilation: usize,
    ) -> Result<Conv, Malformed> {
        let out = shape[0];
        let per_out: usize = shape[1..].iter().product();
        let mut weight =
            Array2::from_shape_vec((out, per_out), self.take(&format!("{name}.weight"), shape)?)
                .map_err(|e| Malformed(format!("{name}: {e}")))?;
        let bias = match norm {
            Some(prefix) => {
                let norm = self.affine(prefix, out)?;
                for (mut row, s) in weight.axis_iter_mut(Axis(0)).zip(&norm.scale) {
                    row *= *s;
                }
                norm.shift
            }
            None => self.take(&format!("{name}.bias"), &[out])?,
        };
        Ok(Conv {
            weight,
            bias,
            kernel: shape[2..].iter().product(),
            stride,
            dilation,
        })
    }

    /// A convolution `name` of `shape` (out, in, kernel…) with neither bias
    /// nor batch norm.
    fn bare_conv(
        &mut self,
        name: &str,
        shape: &[usize],
        dilation: usize,
    ) -> Result<Conv, Malformed> {
        let per_out: usize = shape[1..].iter().product();
        let weight = Array2::from_shape_vec(
            (shape[0], per_out),
            self.take(&format!("{name}.weight"), shape)?,
        )
        .map_err(|e| Malformed(format!("{name}: {e}")))?;
        Ok(Conv {
            weight,
            bias: vec![0.0; shape[0]],
            kernel: shape[2..].iter().product(),
            stride: 1,
            dilation,
        })
    }
}

impl CamPlus {
    /// The network from the tensors of its state dict; every tensor's name
    /// and shape is checked.
    pub fn from_tensors(tensors: HashMap<String, Tensor>) -> Result<Self, Malformed> {
        let mut w = Weights { tensors };
        let head_in = w.conv("head.conv1", &[32, 1, 3, 3], Some("head.bn1"), 1, 1)?;
        let head_blocks = w.head_blocks()?;
        let head_out = w.conv("head.conv2", &[32, 32, 3, 3], Some("head.bn2"), 2, 1)?;
        let tdnn = w.conv(
            "xvector.tdnn.linear",
            &[128, HEAD_CHANNELS, 5],
            Some("xvector.tdnn.nonlinear.batchnorm"),
            2,
            1,
        )?;
        let mut channels = 128;
        let mut blocks = Vec::new();
        for (b, (layers, dilation)) in BLOCKS.iter().enumerate() {
            let dense = (0..*layers)
                .map(|l| w.dense_layer(b, l, channels + l * GROWTH, *dilation))
                .collect::<Result<Vec<_>, _>>()?;
            channels += layers * GROWTH;
            let p = format!("xvector.transit{}", b + 1);
            let transit = Transit {
                norm: w.affine(&format!("{p}.nonlinear.batchnorm"), channels)?,
                linear: w.bare_conv(&format!("{p}.linear"), &[channels / 2, channels, 1], 1)?,
            };
            channels /= 2;
            blocks.push((dense, transit));
        }
        let out_norm = w.affine("xvector.out_nonlinear.batchnorm", channels)?;
        let dense = w.bare_conv("xvector.dense.linear", &[EMBEDDING, channels * 2, 1], 1)?;
        let (dense_mean, dense_scale) =
            w.statistics("xvector.dense.nonlinear.batchnorm", EMBEDDING)?;
        Ok(Self {
            head_in,
            head_blocks,
            head_out,
            tdnn,
            blocks,
            out_norm,
            dense,
            dense_mean,
            dense_scale,
        })
    }

    /// The voice print of one clip's mean-normalised filterbank frames
    /// (at least one).
    pub fn embed(&self, features: &[[f32; BINS]]) -> Vec<f32> {
        let frames = features.len();
        // (1 map, 80 rows, T columns)
        let mut maps = Array2::from_shape_fn((BINS, frames), |(h, t)| features[t][h]);
        let mut rows = BINS;
        maps = conv2d(&self.head_in, &maps, 1, rows).0;
        maps.mapv_inplace(relu);
        for block in &self.head_blocks {
            let (mut out, out_rows) = conv2d(&block.conv1, &maps, 32, rows);
            out.mapv_inplace(relu);
            let (mut out, _) = conv2d(&block.conv2, &out, 32, out_rows);
            match &block.shortcut {
                Some(shortcut) => out += &conv2d(shortcut, &maps, 32, rows).0,
                None => out += &maps,
            }
            out.mapv_inplace(relu);
            maps = out;
            rows = out_rows;
        }
        let (mut x, _) = conv2d(&self.head_out, &maps, 32, rows);
        x.mapv_inplace(relu);
        // (32 · 10, T): channel c, row h is channel c·10 + h, as laid out.
        let mut x = conv1d(&self.tdnn, &x);
        x.mapv_inplace(relu);
        for (layers, transit) in &self.blocks {
            let time = x.ncols();
            let width = x.nrows() + layers.len() * GROWTH;
            let mut all = Array2::zeros((width, time));
            let mut filled = x.nrows();
            all.slice_axis_mut(Axis(0), Slice::from(..filled))
                .assign(&x);
            for layer in layers {
                let out = layer.forward(all.slice_axis(Axis(0), Slice::from(..filled)));
                all.slice_axis_mut(Axis(0), Slice::from(filled..filled + GROWTH))
                    .assign(&out);
                filled += GROWTH;
            }
            let normed = normalise_relu(&transit.norm, all.view());
            x = conv1d(&transit.linear, &normed);
        }
        let x = normalise_relu(&self.out_norm, x.view());
        let stats = mean_and_std(&x);
        let projected = self.dense.weight.dot(&ndarray::Array1::from(stats));
        projected
            .iter()
            .zip(&self.dense_mean)
            .zip(&self.dense_scale)
            .map(|((v, m), s)| (v - m) * s)
            .collect()
    }
}

impl Weights {
    /// The front end's four residual blocks: the first of each pair halves
    /// the frequency rows.
    fn head_blocks(&mut self) -> Result<Vec<ResBlock>, Malformed> {
        let w = self;
        let mut head_blocks = Vec::new();
        for layer in ["head.layer1", "head.layer2"] {
            for (i, stride) in [(0, 2), (1, 1)] {
                let p = format!("{layer}.{i}");
                head_blocks.push(ResBlock {
                    conv1: w.conv(
                        &format!("{p}.conv1"),
                        &[32, 32, 3, 3],
                        Some(&format!("{p}.bn1")),
                        stride,
                        1,
                    )?,
                    conv2: w.conv(
                        &format!("{p}.conv2"),
                        &[32, 32, 3, 3],
                        Some(&format!("{p}.bn2")),
                        1,
                        1,
                    )?,
                    shortcut: if stride == 1 {
                        None
                    } else {
                        Some(w.conv(
                            &format!("{p}.shortcut.0"),
                            &[32, 32, 1, 1],
                            Some(&format!("{p}.shortcut.1")),
                            stride,
                            1,
                        )?)
                    },
                });
            }
        }
        Ok(head_blocks)
    }

    /// Layer `l` of dense block `b` (both from 0), reading `input` channels.
    fn dense_layer(
        &mut self,
        b: usize,
        l: usize,
        input: usize,
        dilation: usize,
    ) -> Result<DenseLayer, Malformed> {
        let p = format!("xvector.block{}.tdnnd{}", b + 1, l + 1);
        Ok(DenseLayer {
            input_norm: self.affine(&format!("{p}.nonlinear1.batchnorm"), input)?,
            bottleneck: self.conv(
                &format!("{p}.linear1"),
                &[BOTTLENECK, input, 1],
                Some(&format!("{p}.nonlinear2.batchnorm")),
                1,
                1,
            )?,
            local: self.bare_conv(
                &format!("{p}.cam_layer.linear_local"),
                &[GROWTH, BOTTLENECK, 3],
                dilation,
            )?,
            context_in: self.conv(
                &format!("{p}.cam_layer.linear1"),
                &[BOTTLENECK / 2, BOTTLENECK, 1],
                None,
                1,
                1,
            )?,
            context_out: self.conv(
                &format!("{p}.cam_layer.linear2"),
                &[GROWTH, BOTTLENECK / 2, 1],
                None,
                1,
                1,
            )?,
        })
    }
}

impl DenseLayer {
    fn forward(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let normed = normalise_relu(&self.input_norm, x);
        let mut hidden = conv1d(&self.bottleneck, &normed);
        hidden.mapv_inplace(relu);
        let local = conv1d(&self.local, &hidden);
        // The context each frame is masked by: the clip's mean plus its
        // segment's, one column per segment.
        let time = hidden.ncols();
        let segments = time.div_ceil(SEGMENT);
        let clip_mean = hidden.mean_axis(Axis(1)).expect("a clip has frames");
        let mut context = Array2::zeros((hidden.nrows(), segments));
        for (seg, mut column) in context.axis_iter_mut(Axis(1)).enumerate() {
            let span = hidden.slice_axis(
                Axis(1),
                Slice::from(seg * SEGMENT..((seg + 1) * SEGMENT).min(time)),
            );
            let seg_mean = span.mean_axis(Axis(1)).expect("a segment has frames");
            column.assign(&(&clip_mean + &seg_mean));
        }
        let mut gate = conv1d(&self.context_in, &context);
        gate.mapv_inplace(relu);
        let mut gate = conv1d(&self.context_out, &gate);
        gate.mapv_inplace(|v| 1.0 / (1.0 + (-v).exp()));
        let mut out = local;
        for ((c, t), v) in out.indexed_iter_mut() {
            *v *= gate[[c, t / SEGMENT]];
        }
        out
    }
}

fn relu(v: f32) -> f32 {
    v.max(0.0)
}

fn normalise_relu(norm: &Affine, x: ArrayView2<f32>) -> Array2<f32> {
    let mut out = x.to_owned();
    for ((mut row, s), b) in out.axis_iter_mut(Axis(0)).zip(&norm.scale).zip(&norm.shift) {
        row.mapv_inplace(|v| relu(v * s + b));
    }
    out
}

/// A 1-D convolution over `x` (channels × time), padded to keep the length
/// at stride 1: unfold, then one matrix product.
fn conv1d(conv: &Conv, x: &Array2<f32>) -> Array2<f32> {
    let (channels, time) = x.dim();
    let pad = (conv.kernel - 1) / 2 * conv.dilation;
    let out_time = (time + 2 * pad - conv.dilation * (conv.kernel - 1) - 1) / conv.stride + 1;
    let mut out = Array2::from_shape_fn((conv.weight.nrows(), out_time), |(o, _)| conv.bias[o]);
    if conv.kernel == 1 && conv.stride == 1 {
        general_mat_mul(1.0, &conv.weight, x, 1.0, &mut out);
        return out;
    }
    let mut unfolded = Array2::zeros((channels * conv.kernel, out_time));
    for c in 0..channels {
        for k in 0..conv.kernel {
            let mut row = unfolded.row_mut(c * conv.kernel + k);
            for (t, v) in row.iter_mut().enumerate() {
                let at = (t * conv.stride + k * conv.dilation).checked_sub(pad);
                if let Some(at) = at.filter(|&a| a < time) {
                    *v = x[[c, at]];
                }
            }
        }
    }
    general_mat_mul(1.0, &conv.weight, &unfolded, 1.0, &mut out);
    out
}

/// A 2-D convolution (3×3 padded by one, or 1×1) over `maps` of `rows`
/// frequency rows each — stored `(maps · rows) × time` — striding along
/// frequency only. Returns the output and its row count.
fn conv2d(conv: &Conv, x: &Array2<f32>, maps: usize, rows: usize) -> (Array2<f32>, usize) {
    let time = x.ncols();
    let side = if conv.kernel == 9 { 3 } else { 1 };
    let pad = side / 2;
    let out_rows = (rows + 2 * pad - side) / conv.stride + 1;
    let mut unfolded = Array2::zeros((maps * side * side, out_rows * time));
    for m in 0..maps {
        for kh in 0..side {
            for kw in 0..side {
                let mut row = unfolded.row_mut((m * side + kh) * side + kw);
                for oh in 0..out_rows {
                    let Some(h) = (oh * conv.stride + kh)
                        .checked_sub(pad)
                        .filter(|&h| h < rows)
                    else {
                        continue;
                    };
                    let source = x.row(m * rows + h);
                    for t in 0..time {
                        if let Some(at) = (t + kw).checked_sub(pad).filter(|&a| a < time) {
                            row[oh * time + t] = source[at];
                        }
                    }
                }
            }
        }
    }
    let mut out = Array2::from_shape_fn((conv.weight.nrows(), out_rows * time), |(o, _)| {
        conv.bias[o]
    });
    general_mat_mul(1.0, &conv.weight, &unfolded, 1.0, &mut out);
    let out = out
        .into_shape_with_order((conv.weight.nrows() * out_rows, time))
        .expect("the product has maps × rows × time values");
    (out, out_rows)
}

/// Each channel's mean over time, then its (unbiased) standard deviation.
fn mean_and_std(x: &Array2<f32>) -> Vec<f32> {
    let n = x.ncols();
    let mut means = Vec::with_capacity(x.nrows());
    let mut stds = Vec::with_capacity(x.nrows());
    for row in x.rows() {
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        let var = if n > 1 {
            row.iter()
                .map(|&v| (f64::from(v) - mean).powi(2))
                .sum::<f64>()
                / (n - 1) as f64
        } else {
            1e-4
        };
        means.push(mean as f32);
        stds.push(var.sqrt() as f32);
    }
    means.extend(stds);
    means
}
