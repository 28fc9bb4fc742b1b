// Layer normalisation over the last axis, forward and backward, for a block of rows. Each row's
// mean and variance come from 16-lane sums (see transcendental.c) so the loops vectorise.
#include "CNeuralNetKernels.h"
#include "multiversion.h"

#include <math.h>

#define LANES 16

static inline __attribute__((always_inline)) float row_sum(const float *restrict x, long n) {
    float acc[LANES] = {0};
    long j = 0;
    for (; j + LANES <= n; j += LANES) for (int l = 0; l < LANES; l++) acc[l] += x[j + l];
    float total = 0.0f;
    for (int l = 0; l < LANES; l++) total += acc[l];
    for (; j < n; j++) total += x[j];
    return total;
}

static inline __attribute__((always_inline))
void norm_row(const float *restrict x, const float *restrict gamma, const float *restrict beta, float *restrict y,
              float *restrict normalized, float *restrict inverse, long width, float epsilon) {
    float mean = row_sum(x, width) / (float)width;
    for (long j = 0; j < width; j++) normalized[j] = x[j] - mean;
    float acc[LANES] = {0};
    long j = 0;
    for (; j + LANES <= width; j += LANES) for (int l = 0; l < LANES; l++) acc[l] += normalized[j + l] * normalized[j + l];
    float variance = 0.0f;
    for (int l = 0; l < LANES; l++) variance += acc[l];
    for (; j < width; j++) variance += normalized[j] * normalized[j];
    float scale = 1.0f / sqrtf(variance / (float)width + epsilon);
    *inverse = scale;
    for (long k = 0; k < width; k++) {
        normalized[k] *= scale;
        y[k] = normalized[k] * gamma[k] + beta[k];
    }
}

NN_MULTIVERSIONED
void nn_layer_norm(const float *x, const float *gamma, const float *beta, float *y, float *normalized, float *inverse_deviation,
                   long rows, long width, float epsilon) {
    for (long r = 0; r < rows; r++) {
        norm_row(x + r * width, gamma, beta, y + r * width, normalized + r * width, inverse_deviation + r, width, epsilon);
    }
}

static inline __attribute__((always_inline))
void norm_backward_row(const float *restrict g, const float *restrict normalized, const float *restrict gamma, float inverse,
                       float *restrict dx, float *restrict dgamma, float *restrict dbeta, float *restrict scaled, long width) {
    for (long j = 0; j < width; j++) {
        scaled[j] = g[j] * gamma[j];
        dgamma[j] += g[j] * normalized[j];
        dbeta[j] += g[j];
    }
    float mean_scaled = row_sum(scaled, width) / (float)width;
    float acc[LANES] = {0};
    long j = 0;
    for (; j + LANES <= width; j += LANES) for (int l = 0; l < LANES; l++) acc[l] += scaled[j + l] * normalized[j + l];
    float dot = 0.0f;
    for (int l = 0; l < LANES; l++) dot += acc[l];
    for (; j < width; j++) dot += scaled[j] * normalized[j];
    float mean_dot = dot / (float)width;
    if (dx) for (long k = 0; k < width; k++) dx[k] = (scaled[k] - mean_scaled - normalized[k] * mean_dot) * inverse;
}

NN_MULTIVERSIONED
void nn_layer_norm_backward(const float *g, const float *normalized, const float *gamma, const float *inverse_deviation,
                            float *dx, float *dgamma, float *dbeta, float *scratch, long rows, long width) {
    for (long r = 0; r < rows; r++) {
        norm_backward_row(g + r * width, normalized + r * width, gamma, inverse_deviation[r], dx ? dx + r * width : 0,
                          dgamma, dbeta, scratch, width);
    }
}
