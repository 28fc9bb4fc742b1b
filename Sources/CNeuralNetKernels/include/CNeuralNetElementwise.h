// Element-wise loops compiled once per instruction set (AVX-512, AVX2, baseline) and chosen
// by the loader, so that they run at the CPU's full vector width without compiler flags.
#ifndef CNEURALNET_ELEMENTWISE_H
#define CNEURALNET_ELEMENTWISE_H

#ifdef __cplusplus
extern "C" {
#endif

/// One Adam step over `count` weights: m ← β₁m + (1-β₁)g, v ← β₂v + (1-β₂)g²,
/// w ← w - step · m / (√v + ε), with the bias corrections folded into `step` and `epsilon`.
void nn_adam_update(float *w, const float *g, float *m, float *v, long count,
                    float beta1, float beta2, float step, float epsilon);

/// dy[i] = x[i] > 0 ? dy[i] : 0, in place: the upstream gradient becomes ReLU's input gradient.
void nn_relu_backward(const float *x, float *dy, long count);

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

#ifdef __cplusplus
}
#endif

#endif
