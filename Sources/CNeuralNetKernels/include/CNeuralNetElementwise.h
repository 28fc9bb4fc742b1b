// Element-wise loops compiled once per instruction set (AVX-512, AVX2, baseline) and chosen
// by the loader, so that they run at the CPU's full vector width without compiler flags.
#ifndef CNEURALNET_ELEMENTWISE_H
#define CNEURALNET_ELEMENTWISE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One Adam step over `count` weights: m ← β₁m + (1-β₁)g, v ← β₂v + (1-β₂)g²,
/// w ← w - step · m / (√v + ε), with the bias corrections folded into `step` and `epsilon`.
void nn_adam_update(float *w, const float *g, float *m, float *v, long count,
                    float beta1, float beta2, float step, float epsilon);

/// `nn_adam_update` on each of `n` parameters (`w[i]`, `g[i]`, `m[i]`, `v[i]`, `counts[i]`
/// values), the same arithmetic in one call: a tiny network's step updates several small
/// parameters, and each call's setup costs more than its few elements.
void nn_adam_update_each(float *const *w, const float *const *g, float *const *m, float *const *v, const long *counts, long n,
                         float beta1, float beta2, float step, float epsilon);

/// dy[i] = x[i] > 0 ? dy[i] : 0, in place: the upstream gradient becomes ReLU's input gradient.
void nn_relu_backward(const float *x, float *dy, long count);

// target[r, j] = source[rows[r], j] · scale for `count` rows of `width` bytes: a batch of
// images kept as bytes, gathered and converted to floats in one pass.
void nn_gather_scaled_bytes(const uint8_t *source, const long *rows, long count, long width, float scale, float *target);

/// The sum of `count` scalars in four lanes (lane l takes x[i] for i ≡ l mod 4 while four remain;
/// the rest go to lane 0), added as (lane 0 + lane 1) + (lane 2 + lane 3): the order of every
/// whole-tensor sum, which the compiled training step must repeat to the bit.
float nn_sum(const float *x, long count);

/// sum[j] = Σ_r x[r, j] over `rows` rows of `width` scalars that start `row_stride` apart: the
/// gradient of a broadcast row (or of a band of its columns).
void nn_sum_rows(const float *x, float *sum, long rows, long width, long row_stride);

/// y[i] = e^{x[i]} by a polynomial that vectorises (about 2 ulp; 0 below -87.3, +inf above 88.7).
void nn_exp(const float *x, float *y, long count);

/// y[i] = x[i] · Φ(x[i]), the exact GELU with erf to 1.5e-7.
void nn_gelu(const float *x, float *y, long count);

/// dy[i] *= Φ(x[i]) + x[i] · φ(x[i]): the upstream gradient becomes GELU's input gradient.
void nn_gelu_backward(const float *x, float *dy, long count);

/// Softmax (or log-softmax when `logarithm`) in place over each of `rows` rows of `width`
/// scalars starting `row_stride` apart, shifted by the row's maximum; a row that is all -inf
/// becomes zeros (softmax) or stays -inf (log-softmax).
void nn_softmax_rows(float *x, long rows, long width, long row_stride, int logarithm);

/// dy ← y ⊙ (dy - Σ dy ⊙ y) per row: softmax's input gradient from its output `y`.
void nn_softmax_rows_backward(const float *y, float *dy, long rows, long width, long row_stride);

/// One LSTM step's element-wise part on `count` elements of its state. `gates` holds the
/// pre-activations i | f | g | o, each block `stride` floats after the last, and receives σ(i),
/// σ(f), tanh(g), σ(o); then c = f ⊙ c_prev + i ⊙ g, tanh_c = tanh(c), h = o ⊙ tanh_c (each
/// `count` long). A step of `n` elements is one call with stride n and count n, or several on
/// spans of it (each pointer offset by the span's start, the stride kept).
void nn_lstm_forward_step(float *gates, long stride, const float *c_prev, float *c, float *h, float *tanh_c, long count);

/// Its backward part: from the activated `gates`, `c_prev`, `tanh_c`, the hidden state's
/// gradient `dh` and the cell's `dc` (updated in place to the previous cell's), writes the
/// pre-activation gradients `dgates`, laid out as `gates`.
void nn_lstm_backward_step(const float *gates, long stride, const float *c_prev, const float *tanh_c, const float *dh,
                           float *dc, float *dgates, long count);

/// One GRU step's element-wise part on `count` elements of its state: `input_part` holds
/// x·W_ihᵀ + b_ih and receives r | z | n (blocks `stride` apart); `hidden_part` holds
/// h_prev·W_hhᵀ + b_hh, laid out alike; h = (1 - z) ⊙ n + z ⊙ h_prev.
void nn_gru_forward_step(float *input_part, const float *hidden_part, long stride, const float *h_prev, float *h, long count);

/// Its backward part: the gradients of the input and hidden projections (`d_input`,
/// `d_hidden`, laid out as `input_part`) and the direct part of the previous state's,
/// `dh_prev = dh ⊙ z`.
void nn_gru_backward_step(const float *gates, const float *hidden_part, long stride, const float *h_prev, const float *dh,
                          float *d_input, float *d_hidden, float *dh_prev, long count);

/// One step's columns of a sequence's [rows, stride] matrix, gathered dense:
/// target[r, j] = source[r · stride + j] + bias[r] (bias may be NULL) for `rows` x `width`.
/// When `next` is not 0, asks for the columns at source + next too (the next step's).
void nn_gather_step(const float *source, long stride, const float *bias, float *target, long rows, long width, long next);

/// The reverse: target[r · stride + j] = source[r, j]; when `next` is not 0, asks to write the
/// columns at target + next soon.
void nn_scatter_step(const float *source, float *target, long stride, long rows, long width, long next);

/// Layer normalisation of `rows` rows of `width`: normalized = (x - μ)/σ, y = normalized ⊙ γ + β,
/// inverse_deviation[r] = 1/σ with σ = √(variance + epsilon).
void nn_layer_norm(const float *x, const float *gamma, const float *beta, float *y, float *normalized, float *inverse_deviation,
                   long rows, long width, float epsilon);

/// Its gradient: dx (skipped when NULL) from the upstream `g`; adds Σ g ⊙ normalized into `dgamma`
/// and Σ g into `dbeta`. `scratch` holds `width` floats.
void nn_layer_norm_backward(const float *g, const float *normalized, const float *gamma, const float *inverse_deviation,
                            float *dx, float *dgamma, float *dbeta, float *scratch, long rows, long width);

/// Dropout: y[i] = random[i] < threshold ? x[i] · scale : 0, with `random` 16-bit uniform draws
/// (keep probability threshold / 65536).
void nn_dropout(const uint16_t *random, const float *x, float *y, long count, uint32_t threshold, float scale);

#ifdef __cplusplus
}
#endif

#endif
