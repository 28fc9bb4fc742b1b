// Single-precision matrix multiply kernels, written in C so that each instruction set
// (AVX-512, AVX2 with FMA, portable C) is compiled for its own functions and chosen at run
// time: the package needs no compiler flags and runs on any CPU of its architecture.
#ifndef CNEURALNET_KERNELS_H
#define CNEURALNET_KERNELS_H

#include "CNeuralNetConvolution.h"
#include "CNeuralNetDenseChain.h"
#include "CNeuralNetElementwise.h"
#include "CNeuralNetMath.h"
#include "CNeuralNetMemory.h"
#include "CNeuralNetPooling.h"
#include "CNeuralNetThreads.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Which micro-kernel `nn_sgemm` uses.
typedef enum {
    NN_KERNEL_AUTOMATIC = 0,  ///< the best the CPU supports
    NN_KERNEL_PORTABLE = 1,   ///< plain C, vectorised by the compiler for the baseline target
    NN_KERNEL_AVX2 = 2,       ///< AVX2 and FMA, 6x16 tiles
    NN_KERNEL_AVX512 = 3,     ///< AVX-512F, 6x32 tiles
} nn_kernel;

/// The kernel `NN_KERNEL_AUTOMATIC` resolves to on this CPU.
nn_kernel nn_best_kernel(void);

/// Work done on each finished tile of C while it is still in cache: `C[i, j] += bias[j]`
/// (when `bias` is not NULL), then `C = max(C, 0)` (when `relu` is non-zero).
typedef struct {
    const float *bias;
    int relu;
} nn_epilogue;

/// C = op(A) · op(B), or C += op(A) · op(B) when `accumulate` is non-zero, on row-major
/// matrices with leading dimensions: op(A) is m x k (A is k x m when `transpose_a`), op(B) is
/// k x n (B is n x k when `transpose_b`), C is m x n. Single-threaded; callers split C into
/// blocks of rows or columns to use several threads.
///
/// `workspace` must hold `nn_sgemm_workspace_size(m, n, k)` floats, aligned to 64 bytes.
/// `epilogue` may be NULL; its bias is indexed by the column of C.
void nn_sgemm(nn_kernel kernel, int transpose_a, int transpose_b, long m, long n, long k,
              const float *a, long lda, const float *b, long ldb, float *c, long ldc,
              int accumulate, float *workspace, const nn_epilogue *epilogue);

/// `nn_sgemm` without the shortcuts for tiny products and one or two rows: always the packed,
/// blocked path. Blocks of one product shared between threads use it, so that every element is
/// summed the same way whatever the number of threads.
void nn_sgemm_blocked(nn_kernel kernel, int transpose_a, int transpose_b, long m, long n, long k,
                      const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                      int accumulate, float *workspace, const nn_epilogue *epilogue);

/// `nn_sgemm_blocked` with C's rows split between up to `threads` threads of the pool
/// (`nn_parallel_for`), which pack each block of op(B) together and share the packed copy.
/// Every element of C is summed as `nn_sgemm_blocked` sums it. `workspace` must hold
/// `nn_sgemm_parallel_workspace_size(m, n, k, threads)` floats, aligned to 64 bytes.
void nn_sgemm_parallel(nn_kernel kernel, int transpose_a, int transpose_b, long m, long n, long k,
                       const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                       int accumulate, long threads, float *workspace, const nn_epilogue *epilogue);

/// The number of floats of workspace `nn_sgemm_parallel` needs for these sizes.
long nn_sgemm_parallel_workspace_size(long m, long n, long k, long threads);

/// Whether `nn_sgemm_blocked` with this kernel reads a transposed A in place (not packed) for a
/// C of `n` columns: when B has at most two of the kernel's panels.
int nn_sgemm_reads_transposed_a_in_place(nn_kernel kernel, long n);

/// Where the sum over K of a product of one or two rows times an untransposed B is split in
/// two halves, added at the end, or 0 when it is not: a function of the sizes only, so that two
/// threads, each summing one half, give the bits one thread gives.
long nn_sgemm_rows_split(long m, long n, long k);

/// `nn_sgemm` for m ≤ 2 rows and B not transposed, its sum over K split as
/// `nn_sgemm_rows_split` says: the halves on up to `threads` threads of the pool (the second
/// into `partial`, m x n floats), then added and the epilogue applied.
void nn_sgemm_rows_split_product(nn_kernel kernel, int transpose_a, long m, long n, long k, const float *a, long lda,
                                 const float *b, long ldb, float *c, long ldc, int accumulate, float *partial,
                                 long threads, const nn_epilogue *epilogue);

/// Products of at most this many multiply-adds are computed by plain loops.
#define NN_TINY_PRODUCT 4096

/// Whether `nn_sgemm` uses its workspace for these sizes (tiny products and one or two rows
/// times an untransposed B do not, and may be given NULL).
int nn_sgemm_needs_workspace(long m, long n, long k, int transpose_b);

/// The number of floats of workspace `nn_sgemm` needs for these sizes.
long nn_sgemm_workspace_size(long m, long n, long k);

/// The number of ways of the L1 data cache the multiply plans for (0: the CPU's, as the
/// system reports it). For tests and for trying another CPU's behaviour.
void nn_gemm_assume_l1_ways(int ways);

/// Whether the micro-kernel reads an untransposed A with leading dimension `lda` in place, for
/// slices `kc` deep and tiles `nr` wide, rather than packing it: not on an L1 data cache of
/// fewer than 12 ways where A's rows would crowd the same sets beside B's panel (see
/// gemm_cache.c). Results are the same bits either way.
int nn_gemm_reads_a_in_place(long lda, long kc, long nr);

/// The three gradients of `z = x · w + b` for products of at most `NN_TINY_PRODUCT`
/// multiply-adds, by plain loops in one call: `dx = dz · wᵀ` (m x k), `dw = xᵀ · dz` (k x n) and
/// `db = Σ_rows dz` (n), each skipped when its pointer is NULL; x is m x k, w is k x n, dz is
/// m x n, all row-major and dense. The results equal what `nn_sgemm` and `nn_sum_rows` give.
void nn_small_affine_backward(long m, long k, long n, const float *x, const float *w, const float *dz,
                              float *dx, float *dw, float *db);

#ifdef __cplusplus
}
#endif

#endif
