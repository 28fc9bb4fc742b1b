// Scalar functions that Swift code inlines (static inline, so the importer compiles them into
// each caller), written without fused multiply-adds so that they give the same bits on every
// CPU and in every build.
#ifndef CNEURALNET_MATH_H
#define CNEURALNET_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/// tanh(x) for every float within 1.95 ulp of the exact value (checked against
/// double-precision tanh over all of them); NaN for NaN, ±1 from |x| = 9.1 on, where tanh
/// rounds to ±1. Below |x| = 0.625 an odd polynomial; beyond, from u = e^{-2|x|} - 1 =
/// expm1(-2|x|): below |x| = 1, tanh|x| = -u / (2 + u), in which nothing cancels; above,
/// tanh|x| = 1 - 2v / (1 + v) with v = e^{-2|x|}, whose small second term carries the error.
/// Both from y = -2|x| = k ln2 + r, |r| ≤ ln2 / 2 (ln2 in two parts, so that k ln2 is exact
/// enough), and e^r - 1 from a polynomial.
static inline float nn_tanhf(float x) {
#pragma clang fp contract(off)
    float a = fabsf(x);
    if (a < 0.625f) {
        // Near zero an odd polynomial, fitted to |x| ≤ 0.625 (within 0.8 ulp), in pairs so that
        // the terms do not wait on one another: a third of the latency of the path below.
        float s = x * x, s2 = s * s, s4 = s2 * s2;
        float p = (-0.3333333f + 0.13333222f * s) + s2 * (-0.053948864f + 0.021712482f * s)
                + s4 * (-0.008207048f + 0.0021704913f * s);
        return copysignf(x + (x * s) * p, x);   // -0 + 0 would give +0
    }
    if (!(a < 9.1f)) return a == a ? copysignf(1.0f, x) : x;
    float y = -2.0f * a;
    // The nearest whole number by the 1.5 * 2^23 trick (|y log2 e| < 14), since rintf is a
    // library call on the baseline x86-64 target.
    float k = (y * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = (y - k * 0.693145751953125f) - k * 1.428606765330187e-6f;
    // e^r - 1 = r + r^2 Q(r), Q of degree 5 fitted to |r| ≤ ln2 / 2 (relative error of the
    // sum below 4e-9), in pairs so that the terms do not wait on one another.
    float r2 = r * r, r4 = r2 * r2;
    float q = (0.5f + 0.16666667f * r) + r2 * (0.041666355f + 0.0083333785f * r)
            + r4 * (0.0013940984f + 0.00019851596f * r);
    float m = r + r2 * q;
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;                           // 2^k
    memcpy(&scale, &bits, sizeof scale);
    float t;
    if (a < 1.0f) {
        float u = k == 0.0f ? m : scale * m + (scale - 1.0f);
        t = -u / (2.0f + u);
    } else {
        float v = scale * m + scale;
        t = 1.0f - 2.0f * v / (1.0f + v);
    }
    return copysignf(t, x);
}

#endif
