// Layer normalisation over the last axis, forward and backward, for a block of rows. Each row's
// mean and variance come from 16-lane sums (see transcendental.h) so the loops vectorise.
#include "CNeuralNetKernels.h"
#include "multiversion.h"
#include "transcendental.h"

#include <math.h>

static inline __attribute__((always_inline))
void norm_row(const float *restrict x, const float *restrict gamma, const float *restrict beta, float *restrict y,
              float *restrict normalized, float *restrict inverse, long width, float epsilon) {
    float mean = nn_lane_sum(x, width) / (float)width;
    for (long j = 0; j < width; j++) normalized[j] = x[j] - mean;
    float variance = nn_lane_dot(normalized, normalized, width);
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
    float mean_scaled = nn_lane_sum(scaled, width) / (float)width;
    float mean_dot = nn_lane_dot(scaled, normalized, width) / (float)width;
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
