// The losses of the compiled step other than the squared error (which dense_chain.c fuses with
// the last activation's slope). Each repeats its eager counterpart in LossFunctions.swift
// operation for operation: the same library functions (expf, logf, log1pf), Swift's min and
// max (which keep the first operand on a tie or a NaN), the four-lane `nn_sum` of
// `Tensor.sum`, and `nn_softmax_rows` for log-softmax, so that compiled training stays
// bit-identical to eager training.
#include "CNeuralNetKernels.h"
#include "dense_chain_losses.h"
#include <math.h>
#include <string.h>

#pragma clang fp contract(off)

static inline float swift_max(float x, float y) { return y >= x ? y : x; }
static inline float swift_min(float x, float y) { return y < x ? y : x; }

// `logistic` in Variable+Activations.swift.
static inline float logistic(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

// mean(|p - y|); ∂/∂p = sign(p - y) / n.
static float absolute_error(const float *p, const float *y, long size, float *restrict gradient, float *restrict terms) {
    float n = (float)size, scale = 1.0f / n;
    for (long i = 0; i < size; i++) {
        float difference = p[i] - y[i];
        terms[i] = fabsf(difference);
        gradient[i] = difference > 0.0f ? scale : (difference < 0.0f ? -scale : 0.0f);
    }
    return nn_sum(terms, size) / n;
}

// -mean(y log q + (1 - y) log(1 - q)), q = p clipped to [ε, 1 - ε]; ∂/∂p = (p - y) / (p(1 - p)) / n
// inside the clip and at its bounds, 0 beyond them.
static float binary_cross_entropy(const float *p, const float *y, long size, float *restrict gradient, float *restrict terms) {
    const float epsilon = 1e-7f;
    float n = (float)size, scale = 1.0f / n;
    for (long i = 0; i < size; i++) {
        float q = swift_min(swift_max(p[i], epsilon), 1.0f - epsilon);
        terms[i] = -(y[i] * logf(q) + (1.0f - y[i]) * logf(1.0f - q));
        gradient[i] = p[i] >= epsilon && p[i] <= 1.0f - epsilon ? scale * (p[i] - y[i]) / (p[i] * (1.0f - p[i])) : 0.0f;
    }
    return nn_sum(terms, size) / n;
}

// mean(max(z, 0) - z · y + log(1 + e^{-|z|})) of logits z; ∂/∂z = (σ(z) - y) / n.
static float sigmoid_cross_entropy(const float *z, const float *y, long size, float *restrict gradient, float *restrict terms) {
    float n = (float)size;
    for (long i = 0; i < size; i++) {
        terms[i] = swift_max(z[i], 0.0f) - z[i] * y[i] + log1pf(expf(-fabsf(z[i])));
        gradient[i] = (logistic(z[i]) - y[i]) / n;
    }
    return nn_sum(terms, size) / n;
}

// -mean over rows of Σ y · log max(p, ε) of probabilities p; ∂/∂p = -y / p / batch where p ≥ ε,
// 0 below.
static float categorical_cross_entropy(const float *p, long batch, long width, const float *y, float *restrict gradient,
                                       float *restrict terms) {
    const float epsilon = 1e-7f;
    long size = batch * width;
    float rows = (float)batch, scale = 1.0f / rows;
    for (long i = 0; i < size; i++) {
        terms[i] = -y[i] * logf(swift_max(p[i], epsilon));
        gradient[i] = p[i] >= epsilon ? -scale * y[i] / p[i] : 0.0f;
    }
    return nn_sum(terms, size) / rows;
}

// -mean over rows of Σ y · log softmax(z); ∂/∂z = (softmax(z) · Σ y - y) / batch.
static float softmax_cross_entropy(const float *z, long batch, long width, const float *y, float *restrict gradient,
                                   float *restrict log_p) {
    long size = batch * width;
    memcpy(log_p, z, (size_t)size * sizeof(float));
    nn_softmax_rows(log_p, batch, width, width, 1);
    for (long i = 0; i < size; i++) gradient[i] = y[i] * log_p[i];
    float loss = -nn_sum(gradient, size) / (float)batch;
    float rate = 1.0f / (float)batch;
    for (long r = 0; r < batch; r++) {
        float mass = nn_sum(y + r * width, width);
        for (long j = r * width; j < (r + 1) * width; j++) gradient[j] = (expf(log_p[j]) * mass - y[j]) * rate;
    }
    return loss;
}

// -mean over rows of log softmax(z)[label]; ∂/∂z = (softmax(z) - onehot(label)) / batch. The
// labels are whole numbers in floats, checked against the width before training.
static float sparse_softmax_cross_entropy(const float *z, long batch, long width, const float *labels,
                                          float *restrict gradient, float *restrict log_p) {
    long size = batch * width;
    memcpy(log_p, z, (size_t)size * sizeof(float));
    nn_softmax_rows(log_p, batch, width, width, 1);
    float scale = 1.0f / (float)batch, total = 0.0f;
    for (long r = 0; r < batch; r++) total -= log_p[r * width + (long)labels[r]];
    for (long i = 0; i < size; i++) gradient[i] = expf(log_p[i]);
    for (long r = 0; r < batch; r++) gradient[r * width + (long)labels[r]] -= 1.0f;
    for (long i = 0; i < size; i++) gradient[i] *= scale;
    return total * scale;
}

float dense_chain_loss(nn_dense_loss kind, const float *p, long batch, long width, const float *y, float *gradient,
                       float *scratch) {
    long size = batch * width;
    switch (kind) {
    case NN_DENSE_ABSOLUTE_ERROR: return absolute_error(p, y, size, gradient, scratch);
    case NN_DENSE_BINARY_CROSS_ENTROPY: return binary_cross_entropy(p, y, size, gradient, scratch);
    case NN_DENSE_SIGMOID_CROSS_ENTROPY: return sigmoid_cross_entropy(p, y, size, gradient, scratch);
    case NN_DENSE_SOFTMAX_CROSS_ENTROPY: return softmax_cross_entropy(p, batch, width, y, gradient, scratch);
    case NN_DENSE_SPARSE_SOFTMAX_CROSS_ENTROPY: return sparse_softmax_cross_entropy(p, batch, width, y, gradient, scratch);
    case NN_DENSE_CATEGORICAL_CROSS_ENTROPY: return categorical_cross_entropy(p, batch, width, y, gradient, scratch);
    case NN_DENSE_SQUARED_ERROR: break;
    }
    return NAN;  // the squared error is fused into dense_chain.c's step
}
