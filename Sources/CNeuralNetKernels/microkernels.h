// The register-tiled micro-kernels of the matrix multiply, one per instruction set.
#ifndef CNEURALNET_MICROKERNELS_H
#define CNEURALNET_MICROKERNELS_H

#include "CNeuralNetKernels.h"

/// Rows of a micro-tile (and of a packed panel of A).
#define MR 6
/// Rows of the low micro-tiles that finish a block whose height is not a multiple of MR.
#define MR_SHORT 4
/// The widest micro-tile (AVX-512); packed panels of B are this wide or narrower.
#define NR_MAX 32

// A micro-kernel multiplies a rows x k slice of A, element (i, p) at a[i * rs + p * cs] (a packed
// panel has rs = 1 and cs = its height; an unpacked one its own strides), by a packed k x NR
// panel of B into its tile of C (added to C's values when `accumulate`), then (the last slice
// of K) adds `bias` (the tile's NR columns of it, or NULL) and applies ReLU (`relu`) before the
// tile is stored: the epilogue of `gemm_apply_epilogue`, in the same order, in registers.
typedef void (*micro_kernel)(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate,
                             const float *bias, int relu);

/// The micro-kernels of one instruction set: MR rows, MR_SHORT rows, and their tile width.
typedef struct {
    micro_kernel tall, low;
    int nr;
} micro_kernels;

/// The height of the next micro-panel of a block with `remaining` rows left: MR, except that
/// the last eight or four rows go as two or one panels of MR_SHORT, so that blocks of 32 or 64
/// rows (batches) need no ragged tile (m = 32: 6 x 6 rows computed for 32 before). A panel can
/// hold fewer rows than its height only at the block's end.
static inline long micro_panel_height(long remaining) {
    return remaining == 8 || remaining <= MR_SHORT ? MR_SHORT : MR;
}

/// The micro-kernels for `kernel`.
void nn_select_micro_kernel(nn_kernel kernel, micro_kernels *kernels);

#endif
