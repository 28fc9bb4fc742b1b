#include "microkernels.h"

#include <string.h>

// ---- Micro-kernels ---------------------------------------------------------------------
//
// Each instruction set has one tile body with the panel's height a parameter, inlined into a
// kernel for MR rows and one for MR_SHORT rows: with the height a constant each compiles to
// its own registers. Every element of a tile is summed in the same order whatever the height.

// Portable: the compiler vectorises the inner loop over NR for whatever the target offers.
#define PORTABLE_NR 16
static inline __attribute__((always_inline)) void portable_tile(int rows, long k, const float *a, long rs, long cs,
                                                                const float *b, float *c, long ldc, int accumulate,
                                                                const float *bias, int relu) {
    float tile[MR][PORTABLE_NR];
    memset(tile, 0, sizeof tile);
    for (long p = 0; p < k; p++) {
        for (int i = 0; i < rows; i++) {
            float ai = a[i * rs + p * cs];
            for (int j = 0; j < PORTABLE_NR; j++) tile[i][j] += ai * b[p * PORTABLE_NR + j];
        }
    }
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < PORTABLE_NR; j++) {
            float value = accumulate ? c[i * ldc + j] + tile[i][j] : tile[i][j];
            if (bias) value += bias[j];
            c[i * ldc + j] = relu ? nn_relu(value) : value;
        }
    }
}

static void kernel_portable(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate,
                            const float *bias, int relu) {
    portable_tile(MR, k, a, rs, cs, b, c, ldc, accumulate, bias, relu);
}

static void kernel_portable_short(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc,
                                  int accumulate, const float *bias, int relu) {
    portable_tile(MR_SHORT, k, a, rs, cs, b, c, ldc, accumulate, bias, relu);
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// Asks for the rows x nr tile of C while the k loop runs: its rows lie ldc floats apart, which
// for a large power-of-two ldc puts them all in one set of the L1 cache, and an unprefetched
// read or write of the tile at the end stalls (gemm n = 2048: 223 -> 245 GFLOP/s on one core).
static inline void prefetch_tile(const float *c, long ldc, int rows, int nr) {
    for (int i = 0; i < rows; i++) {
        // Every cache line of the row, also when the row does not start on one.
        for (int j = 0; j < nr; j += 16) _mm_prefetch((const char *)(c + i * ldc + j), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + nr - 1), _MM_HINT_T0);
    }
}

// Two vectors of B a step, one broadcast of A per row: 2 x rows accumulators (12 of the 16
// AVX2 registers for MR rows).
#define AVX2_NR 16
__attribute__((target("avx2,fma"), always_inline))
static inline void avx2_tile(int rows, long k, const float *a, long rs, long cs, const float *b, float *c, long ldc,
                             int accumulate, const float *bias, int relu) {
    prefetch_tile(c, ldc, rows, AVX2_NR);
    __m256 sums[MR][2];
    const float *row[MR];
    for (int i = 0; i < rows; i++) {
        sums[i][0] = _mm256_setzero_ps();
        sums[i][1] = _mm256_setzero_ps();
        row[i] = a + i * rs;
    }
    // Four steps a turn: the compiler walks A's rows with one pointer, a chain of additions as
    // long as a step's multiply-adds; unrolled, the chain has slack (one thread: AVX2 +1.5%,
    // AVX-512 +1%).
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        for (int i = 0; i < rows; i++) {
            __m256 ai = _mm256_broadcast_ss(row[i]);
            sums[i][0] = _mm256_fmadd_ps(ai, b0, sums[i][0]);
            sums[i][1] = _mm256_fmadd_ps(ai, b1, sums[i][1]);
            row[i] += cs;
        }
        b += AVX2_NR;
    }
    for (int i = 0; i < rows; i++) {
        float *out = c + i * ldc;
        if (accumulate) {
            sums[i][0] = _mm256_add_ps(sums[i][0], _mm256_loadu_ps(out));
            sums[i][1] = _mm256_add_ps(sums[i][1], _mm256_loadu_ps(out + 8));
        }
        if (bias) {
            sums[i][0] = _mm256_add_ps(sums[i][0], _mm256_loadu_ps(bias));
            sums[i][1] = _mm256_add_ps(sums[i][1], _mm256_loadu_ps(bias + 8));
        }
        if (relu) {
            // max(0, v) is `0 > v ? 0 : v`: nn_relu's z < 0 ? 0 : z, -0 and NaN included.
            sums[i][0] = _mm256_max_ps(_mm256_setzero_ps(), sums[i][0]);
            sums[i][1] = _mm256_max_ps(_mm256_setzero_ps(), sums[i][1]);
        }
        _mm256_storeu_ps(out, sums[i][0]);
        _mm256_storeu_ps(out + 8, sums[i][1]);
    }
}

__attribute__((target("avx2,fma")))
static void kernel_avx2(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate,
                        const float *bias, int relu) {
    avx2_tile(MR, k, a, rs, cs, b, c, ldc, accumulate, bias, relu);
}

__attribute__((target("avx2,fma")))
static void kernel_avx2_short(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate,
                              const float *bias, int relu) {
    avx2_tile(MR_SHORT, k, a, rs, cs, b, c, ldc, accumulate, bias, relu);
}

// The same with 512-bit vectors: a tile twice as wide.
#define AVX512_NR 32
__attribute__((target("avx512f"), always_inline))
static inline void avx512_tile(int rows, long k, const float *a, long rs, long cs, const float *b, float *c, long ldc,
                               int accumulate, const float *bias, int relu) {
    prefetch_tile(c, ldc, rows, AVX512_NR);
    __m512 sums[MR][2];
    const float *row[MR];
    for (int i = 0; i < rows; i++) {
        sums[i][0] = _mm512_setzero_ps();
        sums[i][1] = _mm512_setzero_ps();
        row[i] = a + i * rs;
    }
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        for (int i = 0; i < rows; i++) {
            __m512 ai = _mm512_set1_ps(*row[i]);
            sums[i][0] = _mm512_fmadd_ps(ai, b0, sums[i][0]);
            sums[i][1] = _mm512_fmadd_ps(ai, b1, sums[i][1]);
            row[i] += cs;
        }
        b += AVX512_NR;
    }
    for (int i = 0; i < rows; i++) {
        float *out = c + i * ldc;
        if (accumulate) {
            sums[i][0] = _mm512_add_ps(sums[i][0], _mm512_loadu_ps(out));
            sums[i][1] = _mm512_add_ps(sums[i][1], _mm512_loadu_ps(out + 16));
        }
        if (bias) {
            sums[i][0] = _mm512_add_ps(sums[i][0], _mm512_loadu_ps(bias));
            sums[i][1] = _mm512_add_ps(sums[i][1], _mm512_loadu_ps(bias + 16));
        }
        if (relu) {
            sums[i][0] = _mm512_max_ps(_mm512_setzero_ps(), sums[i][0]);
            sums[i][1] = _mm512_max_ps(_mm512_setzero_ps(), sums[i][1]);
        }
        _mm512_storeu_ps(out, sums[i][0]);
        _mm512_storeu_ps(out + 16, sums[i][1]);
    }
}

__attribute__((target("avx512f")))
static void kernel_avx512(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate,
                          const float *bias, int relu) {
    avx512_tile(MR, k, a, rs, cs, b, c, ldc, accumulate, bias, relu);
}

__attribute__((target("avx512f")))
static void kernel_avx512_short(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc,
                                int accumulate, const float *bias, int relu) {
    avx512_tile(MR_SHORT, k, a, rs, cs, b, c, ldc, accumulate, bias, relu);
}
#endif

nn_kernel nn_best_kernel(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
#ifndef NN_MAX_ISA_AVX2  // see multiversion.h
    if (__builtin_cpu_supports("avx512f")) return NN_KERNEL_AVX512;
#endif
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return NN_KERNEL_AVX2;
#endif
    return NN_KERNEL_PORTABLE;
}

void nn_select_micro_kernel(nn_kernel kernel, micro_kernels *kernels) {
    if (kernel == NN_KERNEL_AUTOMATIC) kernel = nn_best_kernel();
#if defined(__x86_64__) || defined(__i386__)
    if (kernel == NN_KERNEL_AVX512) {
        *kernels = (micro_kernels){.tall = kernel_avx512, .low = kernel_avx512_short, .nr = AVX512_NR};
        return;
    }
    if (kernel == NN_KERNEL_AVX2) {
        *kernels = (micro_kernels){.tall = kernel_avx2, .low = kernel_avx2_short, .nr = AVX2_NR};
        return;
    }
#endif
    *kernels = (micro_kernels){.tall = kernel_portable, .low = kernel_portable_short, .nr = PORTABLE_NR};
}
