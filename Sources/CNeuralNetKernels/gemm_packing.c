// Packing for the blocked matrix multiply (gemm.c, gemm_parallel.c): slices of op(A) and op(B)
// copied into the micro-panels the micro-kernels read, each with unit stride. Packing only moves
// values, so however a panel is copied the product's bits are the same.
#include "gemm_blocking.h"
#include "multiversion.h"

#include <stdint.h>
#include <string.h>

// Rows of a transposed A packed together, and how far ahead their successors are asked for.
#define TRANSPOSED_ROWS 8
#define TRANSPOSED_AHEAD 32
// Rows at least this many floats apart (a 4 KB page) are asked for ahead: the prefetchers do
// not follow reads from page to page. Closer rows are left to them.
#define FAR_APART 1024
// Rows of an untransposed B far apart packed together, across every panel, and how many floats
// ahead along those rows their lines are asked for.
#define UNTRANSPOSED_ROWS 8
#define UNTRANSPOSED_AHEAD 256

// Asks for the lines of `count` floats from `start` into L2 (not L1, whose sets the rows in
// use fill), without waiting for them.
static inline void prefetch_run(const float *start, long count) {
    uintptr_t line = (uintptr_t)start & ~(uintptr_t)63, last = (uintptr_t)(start + count - 1) & ~(uintptr_t)63;
    for (; line <= last; line += 64) __builtin_prefetch((const void *)line, 0, 2);
}

// `height` rows of A, each read along p, interleaved into one panel.
static inline __attribute__((always_inline)) void pack_rows(const float *source, long lda, long kc, long height,
                                                            float *packed) {
    for (long p = 0; p < kc; p++) {
        for (long i = 0; i < height; i++) packed[p * height + i] = source[i * lda + p];
    }
}

void gemm_pack_a(int transpose, const float *a, long lda, long i0, long p0, long mc, long kc, float *packed) {
    if (transpose) {
        // op(A)(i, p) = A[p, i]: row p of A holds the block's mc values of that p, which go a
        // panel's height at a time into consecutive panels. Eight rows at a time, panel by
        // panel: a line of A serves two or three panels while it is in L1, and each panel is
        // written in a stretch (row by row, every row's values went to all sixteen panels,
        // whose lines compete for the same sets). The rows 32 ahead are asked for meanwhile
        // when rows lie on different pages (AVX2, two threads, an LSTM's 4096 x 64 x 1024
        // input gradient: 110-137 -> 164-175 GFLOP/s; the A-packing was 43% of it).
        for (long first = 0; first < kc; first += TRANSPOSED_ROWS) {
            long end = first + TRANSPOSED_ROWS < kc ? first + TRANSPOSED_ROWS : kc;
            long ahead_end = lda < FAR_APART ? 0 : end + TRANSPOSED_AHEAD < kc ? end + TRANSPOSED_AHEAD : kc;
            for (long p = first + TRANSPOSED_AHEAD; p < ahead_end; p++) prefetch_run(a + (p0 + p) * lda + i0, mc);
            for (long ir = 0, height; ir < mc; ir += height) {
                height = micro_panel_height(mc - ir);
                long rows = mc - ir < height ? mc - ir : height;
                for (long p = first; p < end; p++) {
                    const float *source = a + (p0 + p) * lda + i0 + ir;
                    float *target = packed + ir * kc + p * height;
                    // Two moves, not six.
                    if (rows == MR) {
                        memcpy(target, source, sizeof(float) * MR);
                    } else if (rows == MR_SHORT) {
                        memcpy(target, source, sizeof(float) * MR_SHORT);
                    } else {
                        for (long i = 0; i < height; i++) target[i] = i < rows ? source[i] : 0.0f;
                    }
                }
            }
        }
        return;
    }
    // op(A)(i, p) = A[i, p]: each panel's rows read along p. Full panels get loops of a
    // constant height (a block packed here serves every panel of B).
    for (long ir = 0, height; ir < mc; ir += height) {
        height = micro_panel_height(mc - ir);
        long rows = mc - ir < height ? mc - ir : height;
        const float *source = a + (i0 + ir) * lda + p0;
        if (rows == MR) {
            pack_rows(source, lda, kc, MR, packed);
        } else if (rows == MR_SHORT) {
            pack_rows(source, lda, kc, MR_SHORT, packed);
        } else {
            for (long p = 0; p < kc; p++) {
                for (long i = 0; i < height; i++) packed[p * height + i] = i < rows ? source[i * lda + p] : 0.0f;
            }
        }
        packed += height * kc;
    }
}

typedef float float8 __attribute__((ext_vector_type(8)));
typedef float float8_unaligned __attribute__((ext_vector_type(8), aligned(4)));

// Eight rows of B, eight values of p from each, transposed in registers: B[j, p + q] goes to
// target[q * nr + j]. The shuffles are written once; each clone's compiler picks the
// instructions (AVX: unpacks, shuffles and lane permutes; SSE: halves).
static inline void transpose_8x8(const float *source, long ldb, float *target, long nr) {
    float8 rows[8], pairs[8], quads[8];
    for (int j = 0; j < 8; j++) rows[j] = *(const float8_unaligned *)(source + j * ldb);
    for (int j = 0; j < 8; j += 2) {
        pairs[j] = __builtin_shufflevector(rows[j], rows[j + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        pairs[j + 1] = __builtin_shufflevector(rows[j], rows[j + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int h = 0; h < 8; h += 4) {
        quads[h] = __builtin_shufflevector(pairs[h], pairs[h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        quads[h + 1] = __builtin_shufflevector(pairs[h], pairs[h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        quads[h + 2] = __builtin_shufflevector(pairs[h + 1], pairs[h + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        quads[h + 3] = __builtin_shufflevector(pairs[h + 1], pairs[h + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int q = 0; q < 4; q++) {
        *(float8_unaligned *)(target + q * nr) = __builtin_shufflevector(quads[q], quads[q + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        *(float8_unaligned *)(target + (q + 4) * nr) =
            __builtin_shufflevector(quads[q], quads[q + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

// A full panel of op(B) = Bᵀ (nr a multiple of 8): nr rows of B, each read along p, in 8 x 8
// blocks (element by element this packing was a fifth of a wide MLP's backward pass).
NN_MULTIVERSIONED
static void pack_transposed_panel(const float *b, long ldb, long kc, long nr, float *packed) {
    long p = 0;
    for (; p + 8 <= kc; p += 8) {
        for (long j = 0; j < nr; j += 8) transpose_8x8(b + j * ldb + p, ldb, packed + p * nr + j, nr);
    }
    for (; p < kc; p++) {
        for (long j = 0; j < nr; j++) packed[p * nr + j] = b[j * ldb + p];
    }
}

// `rows` rows of a panel of op(B) = B, nr values each (zeros past `columns`). The copy's size is
// a constant for the kernels' widths, so it is inlined (a call to memcpy for every 64 bytes
// cost 7% of an AVX2 multiply with 64 rows).
static inline void pack_untransposed_rows(const float *b, long ldb, long rows, long nr, long columns, float *packed) {
    for (long p = 0; p < rows; p++, packed += nr) {
        const float *source = b + p * ldb;
        if (columns == 16 && nr == 16) {
            memcpy(packed, source, sizeof(float) * 16);
        } else if (columns == 32 && nr == 32) {
            memcpy(packed, source, sizeof(float) * 32);
        } else {
            for (long j = 0; j < nr; j++) packed[j] = j < columns ? source[j] : 0.0f;
        }
    }
}

// The panels of op(B) = B for columns 0 ..< nc of `b`. Rows on different pages (ldb of at least
// FAR_APART) go eight at a time across all the panels, each row read along its length while its
// lines are in L1, and asked for 1 KB ahead; panel by panel, each panel read its kc rows a line
// each ldb floats apart, every line on another page and, for a power-of-two ldb, in the same
// set of L1. Products with a few rows and a large B, whose packing is a large part of them,
// gain most (two threads: 64 x 2048 x 2048 with B from memory 10-11% faster, from cache 13%;
// 32 x 2048 x 2048 from cache 20%). Closer rows stay panel by panel, whose writes are one
// sequential stream (eight rows at a time, 64 x 784 x 256 was 2 to 9% slower).
static void pack_untransposed(const float *b, long ldb, long kc, long nc, long nr, float *packed) {
    if (ldb < FAR_APART) {
        for (long jr = 0; jr < nc; jr += nr, packed += nr * kc) {
            pack_untransposed_rows(b + jr, ldb, kc, nr, nc - jr < nr ? nc - jr : nr, packed);
        }
        return;
    }
    for (long first = 0; first < kc; first += UNTRANSPOSED_ROWS) {
        long rows = kc - first < UNTRANSPOSED_ROWS ? kc - first : UNTRANSPOSED_ROWS;
        const float *source = b + first * ldb;
        for (long jr = 0; jr < nc; jr += nr) {
            if (jr + UNTRANSPOSED_AHEAD < nc) {
                for (long p = 0; p < rows; p++) {
                    for (long j = 0; j < nr; j += 16) __builtin_prefetch(source + p * ldb + jr + UNTRANSPOSED_AHEAD + j, 0, 3);
                }
            }
            long columns = nc - jr < nr ? nc - jr : nr;
            pack_untransposed_rows(source + jr, ldb, rows, nr, columns, packed + jr * kc + first * nr);
        }
    }
}

void gemm_pack_b(const gemm_problem *problem, long p0, long j0, long kc, long nc, float *packed) {
    const float *b = problem->b;
    long ldb = problem->ldb, nr = problem->kernels.nr;
    if (!problem->transpose_b) {
        pack_untransposed(b + p0 * ldb + j0, ldb, kc, nc, nr, packed);
        return;
    }
    for (long jr = 0; jr < nc; jr += nr, packed += nr * kc) {
        long columns = nc - jr < nr ? nc - jr : nr;
        if (columns == nr && nr % 8 == 0) {
            // The next panel's rows of B meanwhile: each is a run of kc floats, and its rows
            // lie ldb apart (a wide MLP's x · Wᵀ with W not in cache, AVX2, two threads: 5 to 15%
            // faster, mean of 200 calls).
            if (ldb >= FAR_APART && jr + 2 * nr <= nc) {
                for (long j = 0; j < nr; j++) prefetch_run(b + (j0 + jr + nr + j) * ldb + p0, kc);
            }
            pack_transposed_panel(b + (j0 + jr) * ldb + p0, ldb, kc, nr, packed);
        } else {
            // A ragged edge of op(B) = Bᵀ: each of its rows of B read along p, then zeros.
            for (long j = 0; j < nr; j++) {
                if (j >= columns) {
                    for (long p = 0; p < kc; p++) packed[p * nr + j] = 0.0f;
                    continue;
                }
                const float *source = b + (j0 + jr + j) * ldb + p0;
                for (long p = 0; p < kc; p++) packed[p * nr + j] = source[p];
            }
        }
    }
}
