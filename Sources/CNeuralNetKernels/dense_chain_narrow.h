// Epochs of one-row descent through a narrow chain, kept in registers (dense_chain_narrow.c).
#ifndef CNEURALNET_DENSE_CHAIN_NARROW_H
#define CNEURALNET_DENSE_CHAIN_NARROW_H

#include "CNeuralNetKernels.h"
#include "CNeuralNetDenseChain.h"

/// Whether `narrow_chain_descend` takes this chain: one to three stages, none wider than four
/// inputs or outputs, and every activation computed element by element in the kernel (no
/// callbacks, no softmax).
int narrow_chain_fits(const nn_dense_stage *stages, long count);

/// `nn_dense_chain_descend` with batches of one row, on a chain that `narrow_chain_fits`.
long narrow_chain_descend(const nn_dense_stage *stages, long count, const float *x, const float *y, const long *order,
                          long samples, long epochs, float rate, float *difference, double *epoch_losses, float *bad_loss);

#endif
