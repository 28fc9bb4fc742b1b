// The compiled step's losses other than the squared error (dense_chain_losses.c).
#ifndef CNEURALNET_DENSE_CHAIN_LOSSES_H
#define CNEURALNET_DENSE_CHAIN_LOSSES_H

#include "CNeuralNetDenseChain.h"

/// The loss `kind` of outputs `p` `[batch, width]` against targets `y` (`[batch, width]`, or
/// `[batch]` class indices for the sparse softmax cross-entropy), returned, and its gradient
/// with respect to `p` in `gradient` `[batch, width]`; `scratch` holds `batch · width` floats.
/// The arithmetic is the eager loss's (`LossFunctions.swift`), operation for operation.
float dense_chain_loss(nn_dense_loss kind, const float *p, long batch, long width, const float *y, float *gradient,
                       float *scratch);

#endif
