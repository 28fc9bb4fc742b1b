// One or two rows of C (inference on one sample): C[i, :] (+)= Σ_p op(A)(i, p) · B[p, :] for B
// not transposed. Each row of B is read once and streamed through, which beats packing B when
// C has so few rows. A block of columns of C stays in registers while p runs, so each
// multiply-add costs one load of B and nothing else.
//
// A large product's sum over K is split in two halves, added at the end: two threads then each
// stream one contiguous half of B's rows, where halves of its columns would have them read
// every row's half, a short run per row. A thread's share of a 784-256 layer, from L2: 2.3 µs
// against 3.7-4.2 µs by columns with AVX-512; 3.6 against 3.8-4.9 with AVX2 (the higher
// figures when B is not 64-byte aligned, as Swift arrays are not). The split depends on the
// sizes only, so one thread sums the same halves and gets the same bits.
#include "CNeuralNetKernels.h"
#include "CNeuralNetThreads.h"
#include "gemm_blocking.h"
#include "multiversion.h"

// Rows of B each block of columns takes before the next block, when a row has several: a
// chunk of B's rows is then read in one stretch of memory, which its prefetchers follow.
#define ROWS_PER_CHUNK 16
// Columns computed at a time by the single-threaded path (its partial sums live on the stack).
#define COLUMN_GROUP 512

// Columns j of `row` (width of them, a constant after inlining) over p0 ..< p1, starting from
// the values in `row` or from zero. The sum over p runs in order, so a column gets the same bits
// whichever block holds it.
static inline __attribute__((always_inline)) void block(int width, int transpose_a, long i, long p0, long p1,
                                                        const float *a, long lda, const float *restrict b, long ldb,
                                                        float *restrict row, int from_row) {
    float sum[256];
    for (int j = 0; j < width; j++) sum[j] = from_row ? row[j] : 0.0f;
    for (long p = p0; p < p1; p++) {
        float scale = transpose_a ? a[p * lda + i] : a[i * lda + p];
        const float *restrict source = b + p * ldb;
        for (int j = 0; j < width; j++) sum[j] += scale * source[j];
    }
    for (int j = 0; j < width; j++) row[j] = sum[j];
}

// Blocks are sixteen vectors wide with AVX-512 (256 columns: all of a 784-256 layer's row in
// one run; it has 32 registers), eight with AVX2 (64 columns; it has 16), then narrower ones for
// what is left, and a loop that keeps C in memory for the last few columns.
NN_MULTIVERSIONED
static void rows_range(int wide, int transpose_a, long m, long n, long p0, long p1, const float *a, long lda,
                       const float *restrict b, long ldb, float *restrict c, long ldc, int accumulate) {
    if (p1 <= p0) {
        // An empty range of K adds nothing.
        if (!accumulate) for (long i = 0; i < m; i++) for (long j = 0; j < n; j++) c[i * ldc + j] = 0.0f;
        return;
    }
    long widest = wide ? 256 : 64;
    long depth = n > widest ? ROWS_PER_CHUNK : p1 - p0;
    for (long i = 0; i < m; i++) {
        float *restrict row = c + i * ldc;
        for (long q0 = p0; q0 < p1; q0 += depth) {
            long q1 = q0 + depth < p1 ? q0 + depth : p1;
            int from_row = accumulate || q0 > p0;
            long j0 = 0;
            if (wide) {
                for (; j0 + 256 <= n; j0 += 256) block(256, transpose_a, i, q0, q1, a, lda, b + j0, ldb, row + j0, from_row);
                if (j0 + 128 <= n) {
                    block(128, transpose_a, i, q0, q1, a, lda, b + j0, ldb, row + j0, from_row);
                    j0 += 128;
                }
            }
            for (; j0 + 64 <= n; j0 += 64) block(64, transpose_a, i, q0, q1, a, lda, b + j0, ldb, row + j0, from_row);
            if (j0 + 32 <= n) {
                block(32, transpose_a, i, q0, q1, a, lda, b + j0, ldb, row + j0, from_row);
                j0 += 32;
            }
            if (j0 + 16 <= n) {
                block(16, transpose_a, i, q0, q1, a, lda, b + j0, ldb, row + j0, from_row);
                j0 += 16;
            }
            if (j0 == n) continue;
            if (!from_row) for (long j = j0; j < n; j++) row[j] = 0.0f;
            for (long p = q0; p < q1; p++) {
                float scale = transpose_a ? a[p * lda + i] : a[i * lda + p];
                const float *restrict source = b + p * ldb;
                for (long j = j0; j < n; j++) row[j] += scale * source[j];
            }
        }
    }
}

long nn_sgemm_rows_split(long m, long n, long k) {
    return m <= 2 && m * n * k >= (1L << 17) && k >= 64 ? k / 2 : 0;
}

static void rows(nn_kernel kernel, int transpose_a, long m, long n, long p0, long p1, const float *a, long lda,
                 const float *b, long ldb, float *c, long ldc, int accumulate) {
    if (kernel == NN_KERNEL_AUTOMATIC) kernel = nn_best_kernel();
    rows_range(kernel == NN_KERNEL_AVX512, transpose_a, m, n, p0, p1, a, lda, b, ldb, c, ldc, accumulate);
}

// The two halves of a split sum: the first into C, the second into `partial`.
typedef struct {
    nn_kernel kernel;
    int transpose_a, accumulate;
    long m, n, k, half, lda, ldb, ldc;
    const float *a, *b;
    float *c, *partial;
} split_job;

static void half_of(void *context, long part) {
    const split_job *job = context;
    if (part == 0) {
        rows(job->kernel, job->transpose_a, job->m, job->n, 0, job->half, job->a, job->lda, job->b, job->ldb, job->c,
             job->ldc, job->accumulate);
    } else {
        rows(job->kernel, job->transpose_a, job->m, job->n, job->half, job->k, job->a, job->lda, job->b, job->ldb,
             job->partial, job->n, 0);
    }
}

// The product with its sum split at `half` (0: not split).
static void split_product(nn_kernel kernel, int transpose_a, long m, long n, long k, long half, const float *a, long lda,
                          const float *b, long ldb, float *c, long ldc, int accumulate, float *partial, long threads) {
    if (half == 0) {
        rows(kernel, transpose_a, m, n, 0, k, a, lda, b, ldb, c, ldc, accumulate);
        return;
    }
    split_job job = {.kernel = kernel, .transpose_a = transpose_a, .accumulate = accumulate, .m = m, .n = n, .k = k,
                     .half = half, .lda = lda, .ldb = ldb, .ldc = ldc, .a = a, .b = b, .c = c, .partial = partial};
    nn_parallel_for(2, threads, half_of, &job);
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) c[i * ldc + j] += partial[i * n + j];
    }
}

void nn_sgemm_rows_split_product(nn_kernel kernel, int transpose_a, long m, long n, long k, const float *a, long lda,
                                 const float *b, long ldb, float *c, long ldc, int accumulate, float *partial,
                                 long threads, const nn_epilogue *epilogue) {
    split_product(kernel, transpose_a, m, n, k, nn_sgemm_rows_split(m, n, k), a, lda, b, ldb, c, ldc, accumulate, partial,
                  threads);
    gemm_apply_epilogue(epilogue, c, ldc, m, n, 0);
}

void gemm_few_rows(nn_kernel kernel, int transpose_a, long m, long n, long k, const float *a, long lda,
                   const float *b, long ldb, float *c, long ldc, int accumulate, const nn_epilogue *epilogue) {
    // With no workspace, the second halves go through the stack a group of columns at a time;
    // the split is the whole product's. An unsplit sum needs no buffer: one pass.
    long half = nn_sgemm_rows_split(m, n, k);
    long group = half ? COLUMN_GROUP : n;
    float partial[2 * COLUMN_GROUP];
    for (long j0 = 0; j0 < n; j0 += group) {
        long width = n - j0 < group ? n - j0 : group;
        split_product(kernel, transpose_a, m, width, k, half, a, lda, b + j0, ldb, c + j0, ldc, accumulate, partial, 1);
    }
    gemm_apply_epilogue(epilogue, c, ldc, m, n, 0);
}
