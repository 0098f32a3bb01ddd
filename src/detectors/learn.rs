//! Learning a detector: L2-regularised logistic regression over sparse
//! rows, fitted with L-BFGS, and the threshold that turns its probability
//! into a decision.
//!
//! Hand-written because it is small and must be exact about two things a
//! general crate does not promise: sparse rows (a few hundred columns of
//! 2^18 per utterance), and the same bytes from the same data. Every sum
//! runs over fixed chunks of rows in a fixed order, whatever the number of
//! threads, so the result does not depend on the machine.
//!
//! The objective for one label is the mean weighted log-loss plus
//! `l2 / 2 · ‖w − w₀‖²`, where `w₀` is zero or, when a team's labels adapt
//! a shipped model, that model's weights: what the team's few examples do
//! not speak to stays as it was. The bias is not regularised.

use super::Label;
use super::features::Sparse;
use super::model::{LabelModel, Model, Threshold};
use crate::speakers::Role;
use rayon::prelude::*;
use std::collections::VecDeque;

/// Sparse rows, one per example.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    offsets: Vec<usize>,
    columns: Vec<u32>,
    values: Vec<f32>,
}

impl Rows {
    pub fn new() -> Self {
        Self {
            offsets: vec![0],
            columns: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, features: &Sparse) {
        for &(column, value) in features {
            self.columns.push(column);
            self.values.push(value);
        }
        self.offsets.push(self.columns.len());
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let range = self.offsets[i]..self.offsets[i + 1];
        (&self.columns[range.clone()], &self.values[range])
    }

    /// Non-zero entries in all rows.
    pub fn entries(&self) -> usize {
        self.columns.len()
    }
}

/// One row to learn from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub row: usize,
    pub holds: bool,
    /// How much the example counts (1 unless a corpus is weighted).
    pub weight: f32,
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub weights: Vec<f32>,
    pub bias: f32,
}

impl Fit {
    pub fn zero(columns: usize) -> Self {
        Self {
            weights: vec![0.0; columns],
            bias: 0.0,
        }
    }

    /// The probability that the label holds for `features`.
    pub fn probability(&self, features: &[(u32, f32)]) -> f64 {
        let mut z = f64::from(self.bias);
        for &(c, v) in features {
            z += f64::from(self.weights[c as usize]) * f64::from(v);
        }
        sigmoid(z)
    }
}

/// What to fit, and how hard to hold the weights back.
#[derive(Debug, Clone, Copy)]
pub struct Problem<'a> {
    pub rows: &'a Rows,
    pub targets: &'a [Target],
    pub columns: usize,
    /// The L2 penalty's strength, against the mean loss.
    pub l2: f64,
    /// The weights the penalty pulls toward (zero when `None`).
    pub prior: Option<&'a Fit>,
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// log(1 + e^x) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Rows per chunk of a pass: each chunk sums into its own gradient, and
/// the chunks are added in order, so the sum is the same on any machine.
const CHUNK_ROWS: usize = 8192;

/// A problem's rows with their columns renumbered to the ones some row
/// uses: L-BFGS works on these alone. A column no example uses has no
/// gradient but the penalty's, so its weight stays at the prior's.
struct Compact {
    /// The model's column of each compact one.
    columns: Vec<u32>,
    offsets: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    holds: Vec<bool>,
    weights: Vec<f64>,
}

impl Compact {
    fn of(problem: &Problem) -> Self {
        let mut place = vec![u32::MAX; problem.columns];
        let mut columns = Vec::new();
        for target in problem.targets {
            for &c in problem.rows.row(target.row).0 {
                if place[c as usize] == u32::MAX {
                    place[c as usize] = 0;
                }
            }
        }
        for (c, p) in place.iter_mut().enumerate() {
            if *p == 0 {
                *p = columns.len() as u32;
                columns.push(c as u32);
            }
        }
        let mut offsets = Vec::with_capacity(problem.targets.len() + 1);
        offsets.push(0);
        let mut indices = Vec::new();
        let mut values = Vec::new();
        for target in problem.targets {
            let (cols, vals) = problem.rows.row(target.row);
            indices.extend(cols.iter().map(|&c| place[c as usize]));
            values.extend_from_slice(vals);
            offsets.push(indices.len());
        }
        Self {
            columns,
            offsets,
            indices,
            values,
            holds: problem.targets.iter().map(|t| t.holds).collect(),
            weights: problem
                .targets
                .iter()
                .map(|t| f64::from(t.weight))
                .collect(),
        }
    }

    fn rows(&self) -> usize {
        self.holds.len()
    }
}

impl Problem<'_> {
    /// The objective at `params` (the compact columns' weights, then the
    /// bias) and its gradient; `prior` holds the prior's compact weights.
    /// `partials` are scratch gradients, one per chunk of rows. The pass
    /// over the rows reads the weights and sums each chunk's gradient in
    /// single precision, which keeps both in the core's cache (twice as fast
    /// as double precision on the shipped model's data); the chunks, the
    /// loss and everything L-BFGS does are summed in double precision.
    fn evaluate(
        &self,
        compact: &Compact,
        prior: &[f64],
        params: &[f64],
        gradient: &mut [f64],
        partials: &mut [(f64, Vec<f32>)],
    ) -> f64 {
        let n = compact.columns.len();
        let single: Vec<f32> = params.iter().map(|&p| p as f32).collect();
        let total_weight: f64 = compact.weights.iter().sum();
        let scale = if total_weight > 0.0 {
            1.0 / total_weight
        } else {
            0.0
        };
        partials
            .par_iter_mut()
            .enumerate()
            .for_each(|(chunk, (loss, grad))| {
                grad.fill(0.0);
                *loss = 0.0;
                let rows = chunk * CHUNK_ROWS..((chunk + 1) * CHUNK_ROWS).min(compact.rows());
                for r in rows {
                    let range = compact.offsets[r]..compact.offsets[r + 1];
                    let cols = &compact.indices[range.clone()];
                    let vals = &compact.values[range];
                    let mut z = 0.0f32;
                    for (&c, &v) in cols.iter().zip(vals) {
                        z += single[c as usize] * v;
                    }
                    let z = params[n] + f64::from(z);
                    let weight = compact.weights[r];
                    let (sign, truth) = if compact.holds[r] {
                        (1.0, 1.0)
                    } else {
                        (-1.0, 0.0)
                    };
                    *loss += weight * softplus(-sign * z);
                    let residual = weight * (sigmoid(z) - truth);
                    let single_residual = residual as f32;
                    for (&c, &v) in cols.iter().zip(vals) {
                        grad[c as usize] += single_residual * v;
                    }
                    grad[n] += single_residual;
                }
            });
        gradient.fill(0.0);
        let mut loss = 0.0;
        for (part_loss, part_grad) in partials.iter() {
            loss += part_loss;
            for (g, &p) in gradient.iter_mut().zip(part_grad) {
                *g += f64::from(p);
            }
        }
        loss *= scale;
        for g in gradient.iter_mut() {
            *g *= scale;
        }
        let mut penalty = 0.0;
        for i in 0..n {
            let d = params[i] - prior[i];
            penalty += d * d;
            gradient[i] += self.l2 * d;
        }
        loss + 0.5 * self.l2 * penalty
    }
}

/// How long L-BFGS runs.
#[derive(Debug, Clone, Copy)]
pub struct Stopping {
    pub max_iterations: usize,
    /// Stop when the objective falls by less than this, relatively, in an
    /// iteration.
    pub tolerance: f64,
}

impl Default for Stopping {
    fn default() -> Self {
        Self {
            max_iterations: 300,
            // Measured on the shipped model's data: 1e-7 gave the same
            // thresholds and figures in a third more time.
            tolerance: 1e-6,
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One pair of L-BFGS history: the step taken, the change of gradient it
/// brought, and one over their dot product.
type Curvature = (Vec<f64>, Vec<f64>, f64);

/// Fits the problem with L-BFGS (ten pairs of history, backtracking line
/// search on the Armijo condition), starting from `start` or the prior.
pub fn fit(problem: &Problem, start: Option<&Fit>, stopping: Stopping) -> Fit {
    const HISTORY: usize = 10;
    let active = Compact::of(problem);
    let size = active.columns.len() + 1;
    let prior: Vec<f64> = active
        .columns
        .iter()
        .map(|&c| weight_at(problem.prior, c))
        .collect();
    let mut point = starting_point(&active, start.or(problem.prior));
    let mut partials: Vec<(f64, Vec<f32>)> = (0..active.rows().div_ceil(CHUNK_ROWS))
        .map(|_| (0.0, vec![0.0; size]))
        .collect();
    let mut evaluate = |point: &[f64], gradient: &mut [f64]| {
        problem.evaluate(&active, &prior, point, gradient, &mut partials)
    };
    let mut gradient = vec![0.0; size];
    let mut loss = evaluate(&point, &mut gradient);
    let mut history: VecDeque<Curvature> = VecDeque::new();
    let mut next_point = vec![0.0; size];
    let mut next_gradient = vec![0.0; size];
    for iteration in 0..stopping.max_iterations {
        let mut direction = descent(&history, &gradient);
        let mut slope = dot(&gradient, &direction);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from
            // the gradient.
            history.clear();
            direction = gradient.iter().map(|v| -v).collect();
            slope = dot(&gradient, &direction);
        }
        if slope.abs() < 1e-20 {
            break;
        }
        let mut step = if iteration == 0 {
            1.0 / dot(&gradient, &gradient).sqrt().max(1.0)
        } else {
            1.0
        };
        let mut next_loss;
        let mut tries = 0;
        loop {
            for ((next, at), towards) in next_point.iter_mut().zip(&point).zip(&direction) {
                *next = at + step * towards;
            }
            next_loss = evaluate(&next_point, &mut next_gradient);
            if next_loss <= loss + 1e-4 * step * slope || tries >= 40 {
                break;
            }
            step *= 0.5;
            tries += 1;
        }
        if next_loss > loss {
            break;
        }
        let moved: Vec<f64> = next_point.iter().zip(&point).map(|(a, b)| a - b).collect();
        let turned: Vec<f64> = next_gradient
            .iter()
            .zip(&gradient)
            .map(|(a, b)| a - b)
            .collect();
        let curvature = dot(&moved, &turned);
        if curvature > 1e-12 {
            if history.len() == HISTORY {
                history.pop_front();
            }
            history.push_back((moved, turned, 1.0 / curvature));
        }
        let decrease = (loss - next_loss) / loss.abs().max(1e-12);
        std::mem::swap(&mut point, &mut next_point);
        std::mem::swap(&mut gradient, &mut next_gradient);
        loss = next_loss;
        if decrease < stopping.tolerance {
            break;
        }
    }
    let mut weights: Vec<f32> = match problem.prior {
        Some(prior) => prior.weights.clone(),
        None => vec![0.0; problem.columns],
    };
    for (&c, &w) in active.columns.iter().zip(&point) {
        weights[c as usize] = w as f32;
    }
    Fit {
        weights,
        bias: point[size - 1] as f32,
    }
}

fn weight_at(fit: Option<&Fit>, column: u32) -> f64 {
    fit.map_or(0.0, |f| f64::from(f.weights[column as usize]))
}

/// The active columns' weights in `from`, then the bias. With nothing to
/// start from, the bias starts at the base rate's log odds: the weights
/// then only have to explain what differs from it.
fn starting_point(active: &Compact, from: Option<&Fit>) -> Vec<f64> {
    let total: f64 = active.weights.iter().sum();
    let held: f64 = active
        .weights
        .iter()
        .zip(&active.holds)
        .filter(|(_, holds)| **holds)
        .map(|(weight, _)| weight)
        .sum();
    let base_rate = (held / total).clamp(1e-6, 1.0 - 1e-6);
    active
        .columns
        .iter()
        .map(|&c| weight_at(from, c))
        .chain([from.map_or((base_rate / (1.0 - base_rate)).ln(), |f| f64::from(f.bias))])
        .collect()
}

/// The two-loop recursion: minus the inverse Hessian that the history
/// approximates, times the gradient.
fn descent(history: &VecDeque<Curvature>, gradient: &[f64]) -> Vec<f64> {
    let mut direction: Vec<f64> = gradient.iter().map(|v| -v).collect();
    let mut alphas = Vec::with_capacity(history.len());
    for (moved, turned, rho) in history.iter().rev() {
        let alpha = rho * dot(moved, &direction);
        for (d, t) in direction.iter_mut().zip(turned) {
            *d -= alpha * t;
        }
        alphas.push(alpha);
    }
    if let Some((moved, turned, _)) = history.back() {
        let gamma = dot(moved, turned) / dot(turned, turned);
        for d in &mut direction {
            *d *= gamma;
        }
    }
    for ((moved, turned, rho), alpha) in history.iter().zip(alphas.iter().rev()) {
        let beta = rho * dot(turned, &direction);
        for (d, m) in direction.iter_mut().zip(moved) {
            *d += (alpha - beta) * m;
        }
    }
    direction
}

/// A threshold and what it gives on the examples it was chosen on.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OperatingPoint {
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// The threshold with the best F1 among those whose precision is at least
/// `min_precision`; the best F1 overall when none reaches it. `scored` is
/// (probability, truth, weight): precision and recall count each example
/// by its weight. The threshold sits halfway between the lowest
/// probability taken and the next one below, so that a probability a hair
/// under a training example's is judged the same way.
pub fn choose_threshold(scored: &[(f64, bool, f32)], min_precision: f64) -> OperatingPoint {
    let mut sorted: Vec<(f64, bool, f32)> = scored.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives: f64 = sorted.iter().filter(|s| s.1).map(|s| f64::from(s.2)).sum();
    let mut best: Option<(bool, OperatingPoint)> = None;
    let (mut tp, mut fp) = (0.0, 0.0);
    for (i, &(p, truth, weight)) in sorted.iter().enumerate() {
        if truth {
            tp += f64::from(weight);
        } else {
            fp += f64::from(weight);
        }
        // Only where the probability changes: ties are taken together.
        if sorted
            .get(i + 1)
            .is_some_and(|next| next.0.total_cmp(&p).is_eq())
        {
            continue;
        }
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let recall = if positives > 0.0 { tp / positives } else { 0.0 };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        let below = sorted.get(i + 1).map_or(0.0, |next| next.0);
        let point = OperatingPoint {
            threshold: f64::midpoint(p, below),
            precision,
            recall,
            f1,
        };
        let meets = precision >= min_precision;
        let better = match &best {
            None => true,
            Some((best_meets, b)) => (meets && !best_meets) || (meets == *best_meets && f1 > b.f1),
        };
        if better {
            best = Some((meets, point));
        }
    }
    best.map_or(
        OperatingPoint {
            threshold: 0.5,
            precision: 0.0,
            recall: 0.0,
            f1: 0.0,
        },
        |(_, point)| point,
    )
}

/// An example to learn from: its row of features, the conversation it
/// belongs to (cross-validation never splits one), whether it may measure
/// (examples someone wrote to teach are learned from in every fold, never
/// held out: they would flatter the figures and bend the thresholds), and
/// per [`Label`] whether it holds, where it is judged, and how much it
/// counts (an example of weight 0 is left out).
#[derive(Debug, Clone)]
pub struct Labelled {
    pub row: usize,
    pub conversation: u64,
    pub validates: bool,
    /// Its speaker's role: thresholds are chosen apart for speech with
    /// roles and without, and the model decides only for roles it saw.
    pub role: Role,
    pub verdicts: [Option<bool>; Label::ALL.len()],
    pub weights: [f32; Label::ALL.len()],
}

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub l2: f64,
    /// Cross-validation folds (by conversation) for the thresholds.
    pub folds: usize,
    /// The precision each threshold aims for.
    pub min_precision: f64,
    /// A model whose weights the training pulls toward, and whose labels
    /// stand where the data has no positives.
    pub base: Option<&'a Model>,
    pub stopping: Stopping,
}

/// What training made of one label.
#[derive(Debug, Clone)]
pub enum Learned {
    /// Fitted, with its threshold and figures.
    Fitted(Fit, LabelModel),
    /// Not fitted, for the reason given; taken from the base model when it
    /// has the label.
    Skipped {
        reason: String,
        from_base: Option<(Fit, LabelModel)>,
    },
}

/// One example as one label sees it: its target, its fold when it
/// validates, and whether its speaker had a role.
#[derive(Debug, Clone, Copy)]
struct Judged {
    target: Target,
    fold: Option<usize>,
    role: Role,
}

/// Fits every label that the examples judge: thresholds from out-of-fold
/// probabilities (`options.folds` folds by conversation), then a fit on
/// everything. Labels and folds are fitted in parallel; the result does not
/// depend on how.
pub fn train(
    rows: &Rows,
    examples: &[Labelled],
    columns: usize,
    options: &Options,
) -> Vec<(Label, Learned)> {
    let folds = options.folds.max(1) as u64;
    Label::ALL
        .par_iter()
        .map(|&label| {
            let judged: Vec<Judged> = examples
                .iter()
                .filter(|e| e.weights[label as usize] > 0.0)
                .filter_map(|e| {
                    e.verdicts[label as usize].map(|holds| Judged {
                        target: Target {
                            row: e.row,
                            holds,
                            weight: e.weights[label as usize],
                        },
                        fold: e.validates.then_some((e.conversation % folds) as usize),
                        role: e.role,
                    })
                })
                .collect();
            (label, learn(label, &judged, rows, columns, options))
        })
        .collect()
}

impl Judged {
    fn has_role(&self) -> bool {
        self.role != Role::Other
    }
}

/// How many folds hold positives among the validating examples, of one
/// kind of speech (with roles or without) or of both.
fn positive_folds(judged: &[Judged], with_roles: Option<bool>) -> usize {
    let mut folds: Vec<usize> = judged
        .iter()
        .filter(|j| j.target.holds && with_roles.is_none_or(|k| j.has_role() == k))
        .filter_map(|j| j.fold)
        .collect();
    folds.sort_unstable();
    folds.dedup();
    folds.len()
}

/// A label left unfitted, with the base model's fit when it has one.
fn skipped(label: Label, reason: String, base: Option<&Model>) -> Learned {
    let from_base = base.and_then(|base| {
        let fit = base.fit(label)?;
        let meta = base
            .header
            .labels
            .iter()
            .find(|l| l.label == label.as_str())?;
        Some((
            fit,
            LabelModel {
                from_base: true,
                ..meta.clone()
            },
        ))
    });
    Learned::Skipped { reason, from_base }
}

fn learn(
    label: Label,
    judged: &[Judged],
    rows: &Rows,
    columns: usize,
    options: &Options,
) -> Learned {
    let positives = judged.iter().filter(|j| j.target.holds).count();
    // Examples written to teach only supplement labels that the data
    // itself judges: alone they would retrain a label nobody measured.
    if !judged.iter().any(|j| j.fold.is_some()) {
        return skipped(label, "the data does not label it".into(), options.base);
    }
    if positives == 0 {
        let reason = format!("none of its {} examples holds it", judged.len());
        return skipped(label, reason, options.base);
    }
    if positives == judged.len() {
        let reason = format!("all of its {} examples hold it", judged.len());
        return skipped(label, reason, options.base);
    }
    // Positives only among written examples teach phrasings but give no
    // threshold and no measure: the rules (or the base) serve better.
    if positive_folds(judged, None) == 0 {
        let reason = "none of the data's own examples holds it".to_string();
        return skipped(label, reason, options.base);
    }
    let prior = options.base.and_then(|b| b.fit(label));
    let fit_without = |held_out: Option<usize>| {
        let targets: Vec<Target> = judged
            .iter()
            .filter(|j| held_out.is_none() || j.fold != held_out)
            .map(|j| j.target)
            .collect();
        let problem = Problem {
            rows,
            targets: &targets,
            columns,
            l2: options.l2,
            prior: prior.as_ref(),
        };
        fit(&problem, None, options.stopping)
    };
    // Cross-validation needs positives among the validating examples of
    // at least two folds.
    let validates = options.folds >= 2 && positive_folds(judged, None) >= 2;
    let (full, fold_fits) = rayon::join(
        || fit_without(None),
        || -> Vec<Fit> {
            if validates {
                (0..options.folds)
                    .into_par_iter()
                    .map(|k| fit_without(Some(k)))
                    .collect()
            } else {
                Vec::new()
            }
        },
    );
    // Out-of-fold probabilities of the validating examples.
    let scored: Vec<(f64, Judged)> = judged
        .iter()
        .filter_map(|j| {
            let fold_fit = fold_fits.get(j.fold?)?;
            let (cols, vals) = rows.row(j.target.row);
            let features: Vec<(u32, f32)> =
                cols.iter().copied().zip(vals.iter().copied()).collect();
            Some((fold_fit.probability(&features), *j))
        })
        .collect();
    let (with_roles, without_roles) = thresholds(label, judged, &scored, options);
    let bias = full.bias;
    let mut roles: Vec<Role> = judged.iter().map(|j| j.role).collect();
    roles.sort_by_key(|r| *r as u8);
    roles.dedup();
    Learned::Fitted(
        full,
        LabelModel {
            label: label.as_str().to_string(),
            bias,
            with_roles,
            without_roles,
            roles,
            examples: judged.len(),
            positives,
            from_base: false,
        },
    )
}

/// The thresholds for speech with roles and without, from the out-of-fold
/// probabilities `scored`. Each kind of speech gets the threshold its own
/// examples support; one without positives in two folds takes the one
/// chosen on all, or the base model's, or 0.5.
fn thresholds(
    label: Label,
    judged: &[Judged],
    scored: &[(f64, Judged)],
    options: &Options,
) -> (Threshold, Threshold) {
    let base_label = options
        .base
        .and_then(|b| b.header.labels.iter().find(|l| l.label == label.as_str()));
    let choose = |with_roles: Option<bool>| -> Option<OperatingPoint> {
        let of_kind: Vec<(f64, bool, f32)> = scored
            .iter()
            .filter(|(_, j)| with_roles.is_none_or(|k| j.has_role() == k))
            .map(|(p, j)| (*p, j.target.holds, j.target.weight))
            .collect();
        (positive_folds(judged, with_roles) >= 2)
            .then(|| choose_threshold(&of_kind, options.min_precision))
    };
    let pooled = choose(None);
    let threshold = |with_roles: bool| -> Threshold {
        let own = choose(Some(with_roles));
        match own.or(pooled) {
            Some(point) => Threshold {
                threshold: point.threshold,
                cross_validated: own,
            },
            None => Threshold {
                threshold: base_label.map_or(0.5, |l| {
                    if with_roles {
                        l.with_roles.threshold
                    } else {
                        l.without_roles.threshold
                    }
                }),
                cross_validated: None,
            },
        }
    };
    (threshold(true), threshold(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows from lists of active columns, each worth 1.
    fn rows(list: &[&[u32]]) -> Rows {
        let mut rows = Rows::new();
        for cols in list {
            rows.push(&cols.iter().map(|&c| (c, 1.0)).collect());
        }
        rows
    }

    fn targets(holds: &[bool]) -> Vec<Target> {
        holds
            .iter()
            .enumerate()
            .map(|(row, &holds)| Target {
                row,
                holds,
                weight: 1.0,
            })
            .collect()
    }

    #[test]
    fn a_separable_toy_set_is_learned_exactly() {
        // Column 0 means yes, column 1 means no; column 2 is noise.
        let rows = rows(&[&[0], &[0, 2], &[1], &[1, 2], &[0], &[1]]);
        let targets = targets(&[true, true, false, false, true, false]);
        let problem = Problem {
            rows: &rows,
            targets: &targets,
            columns: 3,
            l2: 1e-4,
            prior: None,
        };
        let fit = fit(&problem, None, Stopping::default());
        for t in &targets {
            let (cols, vals) = rows.row(t.row);
            let features: Vec<(u32, f32)> =
                cols.iter().copied().zip(vals.iter().copied()).collect();
            let p = fit.probability(&features);
            assert_eq!(p >= 0.5, t.holds, "row {} p {p}", t.row);
            assert!(
                if t.holds { p > 0.95 } else { p < 0.05 },
                "row {} p {p}",
                t.row
            );
        }
        assert!(fit.weights[0] > 1.0 && fit.weights[1] < -1.0, "{fit:?}");
        assert!(fit.weights[2].abs() < 0.5, "noise stays small: {fit:?}");
    }

    #[test]
    fn regularisation_shrinks_weights_toward_the_prior() {
        let rows = rows(&[&[0], &[0], &[1], &[1], &[0, 1]]);
        let targets = targets(&[true, true, false, false, true]);
        let norm = |l2: f64, prior: Option<&Fit>| {
            let problem = Problem {
                rows: &rows,
                targets: &targets,
                columns: 2,
                l2,
                prior,
            };
            fit(&problem, None, Stopping::default())
        };
        let loose = norm(1e-3, None);
        let tight = norm(1.0, None);
        assert!(tight.weights[0].abs() < loose.weights[0].abs());
        assert!(tight.weights[1].abs() < loose.weights[1].abs());
        // A strong pull toward a prior keeps the weights near it.
        let prior = Fit {
            weights: vec![-2.0, 3.0],
            bias: 0.0,
        };
        let held = norm(100.0, Some(&prior));
        assert!((held.weights[0] + 2.0).abs() < 0.05, "{held:?}");
        assert!((held.weights[1] - 3.0).abs() < 0.05, "{held:?}");
    }

    #[test]
    fn the_same_data_gives_the_same_weights() {
        let list: Vec<Vec<u32>> = (0..20_000u32)
            .map(|i| vec![i % 7, 7 + i % 5, 12 + (i * 31) % 11])
            .collect();
        let refs: Vec<&[u32]> = list.iter().map(Vec::as_slice).collect();
        let rows = rows(&refs);
        let holds: Vec<bool> = (0..20_000u32).map(|i| (i % 7 + i % 5) % 3 == 0).collect();
        let targets = targets(&holds);
        let problem = Problem {
            rows: &rows,
            targets: &targets,
            columns: 23,
            l2: 1e-3,
            prior: None,
        };
        let first = fit(&problem, None, Stopping::default());
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| fit(&problem, None, Stopping::default()));
        assert_eq!(first, single, "one thread or many, the same bytes");
    }

    #[test]
    fn thresholds_favour_precision_then_f1() {
        // Probabilities and truths: the top three are right, then mixed.
        let scored: Vec<(f64, bool, f32)> = [
            (0.95, true),
            (0.9, true),
            (0.8, true),
            (0.7, false),
            (0.6, true),
            (0.5, false),
            (0.4, true),
            (0.3, false),
            (0.2, false),
        ]
        .into_iter()
        .map(|(p, t)| (p, t, 1.0))
        .collect();
        let strict = choose_threshold(&scored, 0.75);
        assert!(strict.precision >= 0.75);
        // Taking down to 0.6 gives 4/5 = 0.8 precision, recall 0.8: the best F1
        // of those at 0.75 or more.
        assert!((strict.precision - 0.8).abs() < 1e-12, "{strict:?}");
        assert!((strict.threshold - 0.55).abs() < 1e-12, "{strict:?}");
        let any = choose_threshold(&scored, 0.0);
        assert!(any.f1 >= strict.f1);
        // Nothing reaches the precision asked: the best F1 is taken.
        let none = choose_threshold(&[(0.9, false, 1.0), (0.8, true, 1.0)], 0.99);
        assert!((none.recall - 1.0).abs() < 1e-12, "{none:?}");
    }
}
