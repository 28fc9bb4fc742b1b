#include "CNeuralNetElementwise.h"
#include "CNeuralNetMath.h"
#include "multiversion.h"

#include <math.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif


// sqrtf may set errno, which stops the compiler from vectorising a loop that calls it; the
// element-wise builtin is the same instruction without errno.
#if __has_builtin(__builtin_elementwise_sqrt)
#define nn_sqrt(x) __builtin_elementwise_sqrt(x)
#else
#define nn_sqrt(x) sqrtf(x)
#endif

// One version for every instruction set: the four lanes fix the order, and any x86-64 vector holds them.
float nn_sum(const float *x, long count) {
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    long i = 0;
    for (; i + 4 <= count; i += 4) {
        s0 += x[i];
        s1 += x[i + 1];
        s2 += x[i + 2];
        s3 += x[i + 3];
    }
    for (; i < count; i++) s0 += x[i];
    return (s0 + s1) + (s2 + s3);
}

NN_MULTIVERSIONED
static void adam_loop(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long count,
                    float beta1, float beta2, float step, float epsilon) {
    float keep1 = 1.0f - beta1, keep2 = 1.0f - beta2;
    for (long i = 0; i < count; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + keep1 * gi;
        float vi = beta2 * v[i] + keep2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step * mi / (nn_sqrt(vi) + epsilon);
    }
}

void nn_adam_update_each(float *const *w, const float *const *g, float *const *m, float *const *v, const long *counts, long n,
                         float beta1, float beta2, float step, float epsilon) {
#if defined(__x86_64__)
    // Moments of weights whose gradients have died away decay into subnormal numbers, which x86
    // processes many times slower; flushing them to zero changes the update by less than 1e-38.
    unsigned int saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040);  // flush-to-zero and denormals-are-zero
#endif
    for (long i = 0; i < n; i++) adam_loop(w[i], g[i], m[i], v[i], counts[i], beta1, beta2, step, epsilon);
#if defined(__x86_64__)
    _mm_setcsr(saved);
#endif
}

void nn_adam_update(float *w, const float *g, float *m, float *v, long count,
                    float beta1, float beta2, float step, float epsilon) {
    nn_adam_update_each(&w, &g, &m, &v, &count, 1, beta1, beta2, step, epsilon);
}

NN_MULTIVERSIONED
void nn_relu_backward(const float *restrict x, float *restrict dy, long count) {
    for (long i = 0; i < count; i++) dy[i] = nn_relu_gradient(dy[i], x[i]);
}

NN_MULTIVERSIONED
void nn_sum_rows(const float *restrict x, float *restrict sum, long rows, long width, long row_stride) {
    // Bands of 64 columns summed in a local array: `sum` is written once per band, so two
    // threads summing neighbouring bands never write to the same cache line row after row.
    for (long j0 = 0; j0 < width; j0 += 64) {
        long columns = width - j0 < 64 ? width - j0 : 64;
        float band[64] = {0};
        for (long r = 0; r < rows; r++) {
            const float *in = x + r * row_stride + j0;
            for (long j = 0; j < columns; j++) band[j] += in[j];
        }
        for (long j = 0; j < columns; j++) sum[j0 + j] = band[j];
    }
}

NN_MULTIVERSIONED
void nn_gather_scaled_bytes(const uint8_t *restrict source, const long *restrict rows, long count, long width, float scale,
                            float *restrict target) {
    for (long r = 0; r < count; r++) {
        const uint8_t *restrict from = source + rows[r] * width;
        float *restrict to = target + r * width;
        for (long j = 0; j < width; j++) to[j] = (float)from[j] * scale;
    }
}
