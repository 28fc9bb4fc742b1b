#include "microkernels.h"

#include <string.h>

// ---- Micro-kernels ---------------------------------------------------------------------

// Portable: the compiler vectorises the inner loop over NR for whatever the target offers.
#define PORTABLE_NR 16
static void kernel_portable(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate) {
    float tile[MR][PORTABLE_NR];
    memset(tile, 0, sizeof tile);
    for (long p = 0; p < k; p++) {
        for (int i = 0; i < MR; i++) {
            float ai = a[i * rs + p * cs];
            for (int j = 0; j < PORTABLE_NR; j++) tile[i][j] += ai * b[p * PORTABLE_NR + j];
        }
    }
    for (int i = 0; i < MR; i++) {
        for (int j = 0; j < PORTABLE_NR; j++) {
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + tile[i][j] : tile[i][j];
        }
    }
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// Asks for the MR x nr tile of C while the k loop runs: its rows lie ldc floats apart, which
// for a large power-of-two ldc puts them all in one set of the L1 cache, and an unprefetched
// read or write of the tile at the end stalls (gemm n = 2048: 223 -> 245 GFLOP/s on one core).
static inline void prefetch_tile(const float *c, long ldc, int nr) {
    for (int i = 0; i < MR; i++) {
        // Every cache line of the row, also when the row does not start on one.
        for (int j = 0; j < nr; j += 16) _mm_prefetch((const char *)(c + i * ldc + j), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + nr - 1), _MM_HINT_T0);
    }
}

#define AVX2_NR 16
__attribute__((target("avx2,fma")))
static void kernel_avx2(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate) {
    prefetch_tile(c, ldc, AVX2_NR);
    const float *a0 = a, *a1 = a + rs, *a2 = a + 2 * rs, *a3 = a + 3 * rs, *a4 = a + 4 * rs, *a5 = a + 5 * rs;
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    // Four steps a turn: the compiler walks A's six rows with one pointer, a chain of
    // additions as long as a step's multiply-adds; unrolled, the chain has slack (one thread:
    // AVX2 +1.5%, AVX-512 +1%).
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        __m256 ai;
        ai = _mm256_broadcast_ss(a0); c00 = _mm256_fmadd_ps(ai, b0, c00); c01 = _mm256_fmadd_ps(ai, b1, c01);
        ai = _mm256_broadcast_ss(a1); c10 = _mm256_fmadd_ps(ai, b0, c10); c11 = _mm256_fmadd_ps(ai, b1, c11);
        ai = _mm256_broadcast_ss(a2); c20 = _mm256_fmadd_ps(ai, b0, c20); c21 = _mm256_fmadd_ps(ai, b1, c21);
        ai = _mm256_broadcast_ss(a3); c30 = _mm256_fmadd_ps(ai, b0, c30); c31 = _mm256_fmadd_ps(ai, b1, c31);
        ai = _mm256_broadcast_ss(a4); c40 = _mm256_fmadd_ps(ai, b0, c40); c41 = _mm256_fmadd_ps(ai, b1, c41);
        ai = _mm256_broadcast_ss(a5); c50 = _mm256_fmadd_ps(ai, b0, c50); c51 = _mm256_fmadd_ps(ai, b1, c51);
        a0 += cs; a1 += cs; a2 += cs; a3 += cs; a4 += cs; a5 += cs;
        b += AVX2_NR;
    }
    __m256 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int i = 0; i < MR; i++) {
        float *row = c + i * ldc;
        if (accumulate) {
            rows[i][0] = _mm256_add_ps(rows[i][0], _mm256_loadu_ps(row));
            rows[i][1] = _mm256_add_ps(rows[i][1], _mm256_loadu_ps(row + 8));
        }
        _mm256_storeu_ps(row, rows[i][0]);
        _mm256_storeu_ps(row + 8, rows[i][1]);
    }
}

#define AVX512_NR 32
__attribute__((target("avx512f")))
static void kernel_avx512(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate) {
    prefetch_tile(c, ldc, AVX512_NR);
    const float *a0 = a, *a1 = a + rs, *a2 = a + 2 * rs, *a3 = a + 3 * rs, *a4 = a + 4 * rs, *a5 = a + 5 * rs;
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
    __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps(), c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
    __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    // Four steps a turn, as in the AVX2 kernel.
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        __m512 ai;
        ai = _mm512_set1_ps(*a0); c00 = _mm512_fmadd_ps(ai, b0, c00); c01 = _mm512_fmadd_ps(ai, b1, c01);
        ai = _mm512_set1_ps(*a1); c10 = _mm512_fmadd_ps(ai, b0, c10); c11 = _mm512_fmadd_ps(ai, b1, c11);
        ai = _mm512_set1_ps(*a2); c20 = _mm512_fmadd_ps(ai, b0, c20); c21 = _mm512_fmadd_ps(ai, b1, c21);
        ai = _mm512_set1_ps(*a3); c30 = _mm512_fmadd_ps(ai, b0, c30); c31 = _mm512_fmadd_ps(ai, b1, c31);
        ai = _mm512_set1_ps(*a4); c40 = _mm512_fmadd_ps(ai, b0, c40); c41 = _mm512_fmadd_ps(ai, b1, c41);
        ai = _mm512_set1_ps(*a5); c50 = _mm512_fmadd_ps(ai, b0, c50); c51 = _mm512_fmadd_ps(ai, b1, c51);
        a0 += cs; a1 += cs; a2 += cs; a3 += cs; a4 += cs; a5 += cs;
        b += AVX512_NR;
    }
    __m512 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int i = 0; i < MR; i++) {
        float *row = c + i * ldc;
        if (accumulate) {
            rows[i][0] = _mm512_add_ps(rows[i][0], _mm512_loadu_ps(row));
            rows[i][1] = _mm512_add_ps(rows[i][1], _mm512_loadu_ps(row + 16));
        }
        _mm512_storeu_ps(row, rows[i][0]);
        _mm512_storeu_ps(row + 16, rows[i][1]);
    }
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

void nn_select_micro_kernel(nn_kernel kernel, micro_kernel *function, int *nr) {
    if (kernel == NN_KERNEL_AUTOMATIC) kernel = nn_best_kernel();
#if defined(__x86_64__) || defined(__i386__)
    if (kernel == NN_KERNEL_AVX512) { *function = kernel_avx512; *nr = AVX512_NR; return; }
    if (kernel == NN_KERNEL_AVX2) { *function = kernel_avx2; *nr = AVX2_NR; return; }
#endif
    *function = kernel_portable;
    *nr = PORTABLE_NR;
}
