// The polynomial exp shared by the element-wise kernels, the functions built on it, and sums in
// lanes; inline, so that each multiversioned loop vectorises them for its own instruction set.
#ifndef CNEURALNET_TRANSCENDENTAL_H
#define CNEURALNET_TRANSCENDENTAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

// e^x: x = n ln 2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial, 2^n through the exponent
// bits. Inputs below -87.3 give 0 (x = -inf included) and above 88.7 give +inf.
static inline float nn_exp_approx(float x) {
    const float high = 88.72283935546875f, low = -87.33654022216797f;
    float clamped = x < low ? low : (x > high ? high : x);
    float n = floorf(clamped * 1.44269504088896341f + 0.5f);
    float r = clamped - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float result = p * scale;
    if (x < low) result = 0.0f;
    if (x > high) result = INFINITY;
    return result;
}

// σ(x) = 1 / (1 + e^{-x}): 0 and 1 at the extremes, never NaN.
static inline float nn_sigmoid_approx(float x) { return 1.0f / (1.0f + nn_exp_approx(-x)); }

// tanh(x) = 1 - 2 / (e^{2x} + 1): ±1 at the extremes, never NaN (absolute error about 1e-7).
static inline float nn_tanh_approx(float x) { return 1.0f - 2.0f / (nn_exp_approx(2.0f * x) + 1.0f); }

// Sum and maximum in 16 independent lanes: a float reduction written as one running value
// cannot be vectorised without reassociating it, which the compiler may not do on its own.
#define LANES 16
static inline float nn_lane_sum(const float *x, long n) {
    float acc[LANES] = {0};
    long j = 0;
    for (; j + LANES <= n; j += LANES) for (int l = 0; l < LANES; l++) acc[l] += x[j + l];
    float total = 0.0f;
    for (int l = 0; l < LANES; l++) total += acc[l];
    for (; j < n; j++) total += x[j];
    return total;
}

static inline float nn_lane_dot(const float *a, const float *b, long n) {
    float acc[LANES] = {0};
    long j = 0;
    for (; j + LANES <= n; j += LANES) for (int l = 0; l < LANES; l++) acc[l] += a[j + l] * b[j + l];
    float total = 0.0f;
    for (int l = 0; l < LANES; l++) total += acc[l];
    for (; j < n; j++) total += a[j] * b[j];
    return total;
}

static inline float nn_lane_max(const float *x, long n) {
    float acc[LANES];
    for (int l = 0; l < LANES; l++) acc[l] = -INFINITY;
    long j = 0;
    for (; j + LANES <= n; j += LANES) for (int l = 0; l < LANES; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
    float largest = -INFINITY;
    for (int l = 0; l < LANES; l++) largest = acc[l] > largest ? acc[l] : largest;
    for (; j < n; j++) largest = x[j] > largest ? x[j] : largest;
    return largest;
}

#endif
