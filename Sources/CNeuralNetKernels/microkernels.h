// The register-tiled micro-kernels of the matrix multiply, one per instruction set.
#ifndef CNEURALNET_MICROKERNELS_H
#define CNEURALNET_MICROKERNELS_H

#include "CNeuralNetKernels.h"

/// Rows of a micro-tile (and of a packed panel of A).
#define MR 6
/// The widest micro-tile (AVX-512); packed panels of B are this wide or narrower.
#define NR_MAX 32

// A micro-kernel multiplies an MR x k slice of A, element (i, p) at a[i * rs + p * cs] (a packed
// panel has rs = 1, cs = MR; an unpacked one its own strides), by a packed k x NR panel of B.
typedef void (*micro_kernel)(long k, const float *a, long rs, long cs, const float *b, float *c, long ldc, int accumulate);

/// The micro-kernel for `kernel` and its tile width.
void nn_select_micro_kernel(nn_kernel kernel, micro_kernel *function, int *nr);

#endif
