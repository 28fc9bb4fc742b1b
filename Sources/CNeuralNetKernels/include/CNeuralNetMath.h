// Scalar functions that Swift code inlines (static inline, so the importer compiles them into
// each caller), written without fused multiply-adds so that they give the same bits on every
// CPU and in every build.
#ifndef CNEURALNET_MATH_H
#define CNEURALNET_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/// tanh(x) for every float within 0.53 ulp of the exact value (checked against double-precision
/// tanh over all of them): t = c P(c^2) / Q(c^2) with c = x clamped to [-9.1, 9.1], P of degree
/// 5 and Q of degree 4, fitted to tanh(c) / c on [0, 9.1] for the least largest relative error
/// (7e-10, so |t| never rounds above 1); tanh rounds to ±1 from |x| = 9.02 on. Evaluated in
/// double: the float rounding of a rational function's terms would cost several ulp, the double
/// one nothing. No branch, no sign handling (the form is odd) and one division, so its latency
/// (a training step of a tiny network waits on it twice) is about two thirds of an exp-based
/// formula's, and a loop of it vectorises. NaN for NaN, ±0 for ±0.
static inline float nn_tanhf(float x) {
#pragma clang fp contract(off)
    double c = (double)x;
    // c², exact in double, is clamped by itself, so that the polynomials do not wait for c's
    // clamp. NaN stays NaN through both.
    double s = c * c;
    s = s > 9.1 * 9.1 ? 9.1 * 9.1 : s;
    c = c > 9.1 ? 9.1 : c;
    c = c < -9.1 ? -9.1 : c;
    double s2 = s * s, s4 = s2 * s2;
    // In pairs, so that the terms do not wait on one another.
    double p = (0.99999999856793986 + 0.13676257538491451 * s) + s2 * (0.0038637439155647106 + 2.7914945278761978e-05 * s)
             + s4 * (3.0362546526268022e-08 + -1.2038567413481966e-11 * s);
    double q = (1.0 + 0.47009589482723985 * s) + s2 * (0.027229064607692737 + 0.00039305482313221538 * s)
             + s4 * 1.2809023296235816e-06;
    return (float)(c * p / q);
}

/// tanh's derivative read from its output y = tanh(z): 1 - y², for the activation table and
/// compiled training's kernel alike (their results must agree to the bit).
static inline float nn_tanh_slope(float y) {
#pragma clang fp contract(off)
    return 1.0f - y * y;
}

/// ReLU as the fused layers compute it: `z < 0 ? 0 : z`, which keeps NaN (as max(z, 0)
/// composed from comparisons and PyTorch's do).
static inline float nn_relu(float z) { return z < 0.0f ? 0.0f : z; }

/// ReLU's gradient from its output y: g where y is positive, else 0.
static inline float nn_relu_gradient(float g, float y) { return y > 0.0f ? g : 0.0f; }

#endif
