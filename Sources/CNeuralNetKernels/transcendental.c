// Element-wise functions built on a polynomial exp that vectorises (the C library's expf and
// erff are scalar calls): GELU and its derivative, and softmax over rows. The exp is accurate
// to about two units in the last place of a float over its whole range.
#include "CNeuralNetKernels.h"
#include "multiversion.h"
#include "transcendental.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Φ(x) = (1 + erf(x/√2)) / 2, erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
static inline float normal_cdf(float x, float gaussian) {
    float z = fabsf(x) * 0.70710678118654752f;
    float t = 1.0f / (1.0f + 0.3275911f * z);
    float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
    // e^{-z²} = e^{-x²/2}, the Gaussian already computed.
    float erf_abs = 1.0f - poly * gaussian;
    float erf = x < 0 ? -erf_abs : erf_abs;
    return 0.5f * (1.0f + erf);
}

NN_MULTIVERSIONED
void nn_exp(const float *restrict x, float *restrict y, long count) {
    for (long i = 0; i < count; i++) y[i] = nn_exp_approx(x[i]);
}

NN_MULTIVERSIONED
void nn_gelu(const float *restrict x, float *restrict y, long count) {
    for (long i = 0; i < count; i++) {
        float v = x[i];
        y[i] = v * normal_cdf(v, nn_exp_approx(-0.5f * v * v));
    }
}

NN_MULTIVERSIONED
void nn_gelu_backward(const float *restrict x, float *restrict dy, long count) {
    for (long i = 0; i < count; i++) {
        float v = x[i];
        float gaussian = nn_exp_approx(-0.5f * v * v);
        dy[i] *= normal_cdf(v, gaussian) + v * gaussian * 0.3989422804014327f;
    }
}

NN_MULTIVERSIONED
void nn_softmax_rows(float *x, long rows, long width, long row_stride, int logarithm) {
    for (long r = 0; r < rows; r++) {
        float *restrict row = x + r * row_stride;
        float largest = nn_lane_max(row, width);
        if (largest == -INFINITY) {
            // A fully masked row attends to nothing (its log-softmax stays -inf); a row of NaN
            // (which the maximum skips) stays NaN, so that NaN is never hidden.
            int has_nan = 0;
            for (long j = 0; j < width; j++) has_nan |= row[j] != row[j];
            if (has_nan) for (long j = 0; j < width; j++) row[j] = NAN;
            else if (!logarithm) for (long j = 0; j < width; j++) row[j] = 0.0f;
            continue;
        }
        if (logarithm) {
            float total = 0.0f;
            for (long j = 0; j < width; j++) total += nn_exp_approx(row[j] - largest);
            float shift = largest + logf(total);
            for (long j = 0; j < width; j++) row[j] -= shift;
        } else {
            for (long j = 0; j < width; j++) row[j] = nn_exp_approx(row[j] - largest);
            float scale = 1.0f / nn_lane_sum(row, width);
            for (long j = 0; j < width; j++) row[j] *= scale;
        }
    }
}

NN_MULTIVERSIONED
void nn_softmax_rows_backward(const float *restrict y, float *restrict dy, long rows, long width, long row_stride) {
    for (long r = 0; r < rows; r++) {
        const float *restrict p = y + r * row_stride;
        float *restrict g = dy + r * row_stride;
        float dot = nn_lane_dot(g, p, width);
        for (long j = 0; j < width; j++) g[j] = p[j] * (g[j] - dot);
    }
}

NN_MULTIVERSIONED
void nn_dropout(const uint16_t *restrict random, const float *x, float *y, long count, uint32_t threshold,
                float scale) {
    for (long i = 0; i < count; i++) y[i] = (uint32_t)random[i] < threshold ? x[i] * scale : 0.0f;
}
