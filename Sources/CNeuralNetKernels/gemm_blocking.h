// The blocking of the packed matrix multiply, shared by its single-threaded driver (gemm.c)
// and the driver whose threads share each packed block of B (gemm_parallel.c).
#ifndef CNEURALNET_GEMM_BLOCKING_H
#define CNEURALNET_GEMM_BLOCKING_H

#include "microkernels.h"

// Deepest slice of K (gemm_slice_depth): a KC x NR micro-panel of B (32 KB for AVX-512) stays
// in L1.
#define KC 256
// Rows of a packed block of A (MC x KC, 96 KB): stays in L2 while the panels of B pass.
#define MC 96
// Columns of a packed block of B (KC x NC, 2 MB): in L3, shared by the cores.
#define NC 2048

/// The depth of the slices of a K-deep product: K split evenly into as few slices as fit in KC
/// (the last at most `slices - 1` shallower). Both drivers slice by it, so they sum every element
/// alike. Inference's K = 784 goes as 4 x 196, not 3 x 256 + 16: the 16-deep slice cost a pass
/// over C and two waits of the threads for 2% of the multiply-adds (infer-1000, AVX2: 1% faster).
static inline long gemm_slice_depth(long k) {
    if (k <= KC) return k;
    long slices = (k + KC - 1) / KC;
    return (k + slices - 1) / slices;
}

/// One product and the micro-kernel chosen for it.
typedef struct {
    micro_kernels kernels;
    int transpose_a, transpose_b;
    long m, n, k;
    const float *a;
    long lda;
    const float *b;
    long ldb;
    float *c;
    long ldc;
    int accumulate;
    const nn_epilogue *epilogue;
} gemm_problem;

/// Packs op(A)[i0 ..< i0+mc, p0 ..< p0+kc] into micro-panels at `packed`, each as tall as
/// `micro_panel_height` says, the last zero-padded to its height (gemm.c reads an untransposed
/// A in place where it can, and packs only the rest).
void gemm_pack_a(int transpose, const float *a, long lda, long i0, long p0, long mc, long kc, float *packed);

/// Packs op(B)[p0 ..< p0+kc, j0 ..< j0+nc] into nr-wide micro-panels at `packed`, zero-padded
/// to a multiple of nr.
void gemm_pack_b(const gemm_problem *problem, long p0, long j0, long kc, long nc, float *packed);

/// Rows row_begin ..< row_end of C's columns j0 ..< j0+nc, for the slice p0 ..< p0+kc of K,
/// from that packed slice of B: packs MC rows of A at a time into `packed_a` (MC x KC floats),
/// uses `edge` (MR x NR_MAX floats) for ragged tiles, and applies the epilogue after the last
/// slice. Added to C unless this is the first slice of a product that does not accumulate.
void gemm_multiply_rows(const gemm_problem *problem, long row_begin, long row_end, long j0, long nc,
                        long p0, long kc, const float *packed_b, float *packed_a, float *edge);

/// The epilogue (bias, then ReLU) on rows x columns of C, whose first column is column
/// `column0` of the product.
void gemm_apply_epilogue(const nn_epilogue *epilogue, float *c, long ldc, long rows, long columns, long column0);

/// One or two rows of C times an untransposed B, single-threaded, epilogue included
/// (gemm_rows.c): summed as `nn_sgemm_rows_split` says, as the threads of `multiply` sum it.
void gemm_few_rows(nn_kernel kernel, int transpose_a, long m, long n, long k, const float *a, long lda,
                   const float *b, long ldb, float *c, long ldc, int accumulate, const nn_epilogue *epilogue);

#endif
