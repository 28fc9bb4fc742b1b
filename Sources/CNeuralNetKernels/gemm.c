// A cache-blocked, packed, register-tiled matrix multiply in the style of BLIS/GotoBLAS:
// C is computed in NC-wide column panels; each KC-deep slice of op(B) is packed into NR-wide
// micro-panels, each MC-tall slice of op(A) into MR-tall micro-panels (the last rows of a block
// may go in MR_SHORT-tall ones), and a micro-kernel multiplies one such panel of A, KC deep,
// by one KC x NR micro-panel of B into a tile of C held in registers. Packing reads op(A) and
// op(B) through their transposes, so no transpose is ever materialised.
#include "CNeuralNetKernels.h"
#include "microkernels.h"
#include "multiversion.h"
#include "gemm_blocking.h"

#include <string.h>

long nn_sgemm_workspace_size(long m, long n, long k) {
    long kc = gemm_slice_depth(k);
    long mc = m < MC ? m : MC;
    long nc = n < NC ? n : NC;
    long packed_a = ((mc + MR - 1) / MR) * MR * kc;
    long packed_b = ((nc + NR_MAX - 1) / NR_MAX) * NR_MAX * kc;
    // Plus one MR x NR_MAX tile for the ragged edges, and slack to keep B aligned.
    return packed_a + packed_b + MR * NR_MAX + 32;
}

// Tiny products (a training step of a network with a handful of units): straight loops, since
// packing would cost more than the arithmetic.
static void tiny(int transpose_a, int transpose_b, long m, long n, long k, const float *a, long lda,
                 const float *b, long ldb, float *c, long ldc, int accumulate) {
    // Never contracted, so that compiled training's replay of these loops (dense_chain.c)
    // gives the same bits on every architecture.
#pragma clang fp contract(off)
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            float sum = 0.0f;
            for (long p = 0; p < k; p++) {
                float x = transpose_a ? a[p * lda + i] : a[i * lda + p];
                float y = transpose_b ? b[j * ldb + p] : b[p * ldb + j];
                sum += x * y;
            }
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
        }
    }
}

// The same sums as `tiny` for B not transposed and at least eight columns, eight columns at a
// time: each column's sum still runs over p in order from zero, uncontracted (the same bits),
// but the eight are independent, so they no longer wait on one another's additions (the last
// layer of one-sample inference, 1 × 128 × 10: 0.5 → 0.2 µs). A function of its own: folded
// into `tiny`, it made XOR's 1 × 2 × 3 products 30% slower.
static void tiny_wide(int transpose_a, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                      float *c, long ldc, int accumulate) {
#pragma clang fp contract(off)
    for (long i = 0; i < m; i++) {
        float *row = c + i * ldc;
        long j0 = 0;
        for (; j0 + 8 <= n; j0 += 8) {
            float sum[8] = {0};
            for (long p = 0; p < k; p++) {
                float x = transpose_a ? a[p * lda + i] : a[i * lda + p];
                for (int j = 0; j < 8; j++) sum[j] += x * b[p * ldb + j0 + j];
            }
            for (int j = 0; j < 8; j++) row[j0 + j] = accumulate ? row[j0 + j] + sum[j] : sum[j];
        }
        for (long j = j0; j < n; j++) {
            float sum = 0.0f;
            for (long p = 0; p < k; p++) sum += (transpose_a ? a[p * lda + i] : a[i * lda + p]) * b[p * ldb + j];
            row[j] = accumulate ? row[j] + sum : sum;
        }
    }
}

int nn_sgemm_needs_workspace(long m, long n, long k, int transpose_b) {
    return !(m * n * k <= NN_TINY_PRODUCT || (m <= 2 && !transpose_b));
}

void gemm_apply_epilogue(const nn_epilogue *epilogue, float *c, long ldc, long rows, long columns, long column0) {
    if (!epilogue || (!epilogue->bias && !epilogue->relu)) return;
    const float *bias = epilogue->bias ? epilogue->bias + column0 : 0;
    for (long i = 0; i < rows; i++) {
        float *row = c + i * ldc;
        if (bias) for (long j = 0; j < columns; j++) row[j] += bias[j];
        if (epilogue->relu) for (long j = 0; j < columns; j++) row[j] = nn_relu(row[j]);
    }
}

// ---- The blocked loops -----------------------------------------------------------------

void nn_sgemm(nn_kernel kernel, int transpose_a, int transpose_b, long m, long n, long k,
              const float *a, long lda, const float *b, long ldb, float *c, long ldc,
              int accumulate, float *workspace, const nn_epilogue *epilogue) {
    if (m <= 0 || n <= 0) return;
    if (k > 0 && m * n * k <= NN_TINY_PRODUCT) {
        if (!transpose_b && n >= 8) tiny_wide(transpose_a, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        else tiny(transpose_a, transpose_b, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        gemm_apply_epilogue(epilogue, c, ldc, m, n, 0);
        return;
    }
    if (k > 0 && m <= 2 && !transpose_b) {
        gemm_few_rows(kernel, transpose_a, m, n, k, a, lda, b, ldb, c, ldc, accumulate, epilogue);
        return;
    }
    nn_sgemm_blocked(kernel, transpose_a, transpose_b, m, n, k, a, lda, b, ldb, c, ldc, accumulate, workspace, epilogue);
}

void nn_sgemm_blocked(nn_kernel kernel, int transpose_a, int transpose_b, long m, long n, long k,
                      const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                      int accumulate, float *workspace, const nn_epilogue *epilogue) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (!accumulate) for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(float) * n);
        gemm_apply_epilogue(epilogue, c, ldc, m, n, 0);
        return;
    }
    gemm_problem problem = {
        .transpose_a = transpose_a, .transpose_b = transpose_b, .m = m, .n = n, .k = k,
        .a = a, .lda = lda, .b = b, .ldb = ldb, .c = c, .ldc = ldc,
        .accumulate = accumulate, .epilogue = epilogue,
    };
    nn_select_micro_kernel(kernel, &problem.kernels);
    long kc_max = gemm_slice_depth(k);
    long mc_max = m < MC ? m : MC;
    float *packed_a = workspace;
    long packed_a_size = ((mc_max + MR - 1) / MR) * MR * kc_max;
    float *packed_b = workspace + ((packed_a_size + 15) & ~15L);
    long nc_max = n < NC ? n : NC;
    float *edge = packed_b + ((nc_max + NR_MAX - 1) / NR_MAX) * NR_MAX * kc_max;
    for (long j0 = 0; j0 < n; j0 += NC) {
        long nc = n - j0 < NC ? n - j0 : NC;
        for (long p0 = 0; p0 < k; p0 += kc_max) {
            long kc = k - p0 < kc_max ? k - p0 : kc_max;
            gemm_pack_b(&problem, p0, j0, kc, nc, packed_b);
            gemm_multiply_rows(&problem, 0, m, j0, nc, p0, kc, packed_b, packed_a, edge);
        }
    }
}

// A transposed A is read across rows, a cache line per k, and is packed unless B has so few
// panels (nr columns each) that each panel of A would be used only once or twice.
static int transposed_a_in_place(long n, long nr) { return n <= 2 * nr; }

int nn_sgemm_reads_transposed_a_in_place(nn_kernel kernel, long n) {
    micro_kernels kernels;
    nn_select_micro_kernel(kernel, &kernels);
    return transposed_a_in_place(n, kernels.nr);
}

void gemm_multiply_rows(const gemm_problem *problem, long row_begin, long row_end, long j0, long nc,
                        long p0, long kc, const float *packed_b, float *packed_a, float *edge) {
    long nr = problem->kernels.nr, lda = problem->lda, ldc = problem->ldc;
    int transpose_a = problem->transpose_a;
    const float *a = problem->a;
    int add = problem->accumulate || p0 > 0;
    int last = p0 + kc == problem->k;
    // The last slice of K finishes the tiles: the kernel adds the bias and applies ReLU before
    // it stores them (a ragged tile's epilogue runs on C after the copy).
    const nn_epilogue *epilogue = last ? problem->epilogue : 0;
    const float *bias = epilogue ? epilogue->bias : 0;
    int relu = epilogue ? epilogue->relu : 0;
    // The kernel reads an untransposed A where it is (its rows each read along k: sequential
    // streams the prefetchers follow) and only ragged edges are packed: packing
    // cost more than it saved (AVX-512, 2 threads: gemm 512 to 2048 1 to 2% faster unpacked,
    // inference of 1,000 samples 12%, an MLP epoch 3%), unless the L1 cache has too few ways
    // for A's rows beside B's panel (gemm_cache.c). A transposed A: `transposed_a_in_place`.
    int direct_a = transpose_a ? transposed_a_in_place(problem->n, nr) : nn_gemm_reads_a_in_place(lda, kc, nr);
    long rs = transpose_a ? 1 : lda, cs = transpose_a ? lda : 1;
    for (long i0 = row_begin; i0 < row_end; i0 += MC) {
        long mc = row_end - i0 < MC ? row_end - i0 : MC;
        if (!direct_a) {
            gemm_pack_a(transpose_a, a, lda, i0, p0, mc, kc, packed_a);
        } else {
            // Read in place, a block can still end in a panel with fewer rows than its height:
            // that one is packed, once for all the panels of B.
            long ragged = mc;
            for (long ir = 0, height; ir < mc; ir += height) {
                height = micro_panel_height(mc - ir);
                if (mc - ir < height) ragged = ir;
            }
            if (ragged < mc) gemm_pack_a(transpose_a, a, lda, i0 + ragged, p0, mc - ragged, kc, packed_a);
        }
        for (long jr = 0; jr < nc; jr += nr) {
            long columns = nc - jr < nr ? nc - jr : nr;
            const float *panel_b = packed_b + jr * kc;
            for (long ir = 0, height; ir < mc; ir += height) {
                height = micro_panel_height(mc - ir);
                long rows = mc - ir < height ? mc - ir : height;
                micro_kernel function = height == MR ? problem->kernels.tall : problem->kernels.low;
                // Packed panels follow each other, each `height` floats a step of k.
                const float *panel_a = packed_a + ir * kc;
                long panel_rs = 1, panel_cs = height;
                if (direct_a && rows == height) {
                    panel_a = a + (i0 + ir) * rs + p0 * cs;
                    panel_rs = rs;
                    panel_cs = cs;
                } else if (direct_a) {
                    panel_a = packed_a;
                }
                float *tile = problem->c + (i0 + ir) * ldc + j0 + jr;
                if (rows == height && columns == nr) {
                    function(kc, panel_a, panel_rs, panel_cs, panel_b, tile, ldc, add, bias ? bias + j0 + jr : 0, relu);
                } else {
                    // A ragged edge: compute the full tile aside, then add or copy the part inside C.
                    function(kc, panel_a, panel_rs, panel_cs, panel_b, edge, nr, 0, 0, 0);
                    for (long i = 0; i < rows; i++) {
                        for (long j = 0; j < columns; j++) {
                            float value = edge[i * nr + j];
                            tile[i * ldc + j] = add ? tile[i * ldc + j] + value : value;
                        }
                    }
                    gemm_apply_epilogue(epilogue, tile, ldc, rows, columns, j0 + jr);
                }
            }
        }
    }
}

void nn_small_affine_backward(long m, long k, long n, const float *x, const float *w, const float *dz,
                              float *dx, float *dw, float *db) {
    // Each sum runs in the same order as `tiny` and `nn_sum_rows` would run it, uncontracted.
#pragma clang fp contract(off)
    if (dx) {
        for (long i = 0; i < m; i++) {
            for (long p = 0; p < k; p++) {
                float sum = 0.0f;
                for (long j = 0; j < n; j++) sum += dz[i * n + j] * w[p * n + j];
                dx[i * k + p] = sum;
            }
        }
    }
    if (dw) {
        for (long p = 0; p < k; p++) {
            for (long j = 0; j < n; j++) {
                float sum = 0.0f;
                for (long i = 0; i < m; i++) sum += x[i * k + p] * dz[i * n + j];
                dw[p * n + j] = sum;
            }
        }
    }
    if (db) {
        for (long j = 0; j < n; j++) {
            float sum = 0.0f;
            for (long i = 0; i < m; i++) sum += dz[i * n + j];
            db[j] = sum;
        }
    }
}
