// Whole epochs of compiled training's steps (see CNeuralNetDenseChain.h): a batch's rows
// gathered, and plain gradient descent over blocks of epochs in one call, one-row steps of a
// narrow chain in registers (dense_chain_narrow.c), the others through `nn_dense_chain_step`.
#include "CNeuralNetKernels.h"
#include "dense_chain_loops.h"
#include "dense_chain_narrow.h"
#include <math.h>

// Each epoch's loss is summed as the eager loop sums it (`RunningTotals`): no fused multiply-add.
#pragma clang fp contract(off)

void nn_dense_chain_gather(const float *x, const float *y, const long *order, long count, long width, long outputs,
                           float *inputs, float *targets, const float **batch_x, const float **batch_y) {
    if (count == 1) {
        *batch_x = x + order[0] * width;
        *batch_y = y + order[0] * outputs;
        return;
    }
    SHORT_LOOP
    for (long r = 0; r < count; r++) {
        for (long i = 0; i < width; i++) inputs[r * width + i] = x[order[r] * width + i];
        for (long i = 0; i < outputs; i++) targets[r * outputs + i] = y[order[r] * outputs + i];
    }
    *batch_x = inputs;
    *batch_y = targets;
}

long nn_dense_chain_descend(const nn_dense_stage *full, const nn_dense_stage *last, long count, nn_dense_loss loss,
                            const float *x, const float *y, const long *order, long samples, long batch_size, long epochs,
                            float rate, float *inputs, float *targets, float *difference, const nn_dense_callbacks *callbacks,
                            double *epoch_losses, float *bad_loss) {
    long width = full[0].inputs, outputs = nn_dense_target_width(loss, full[count - 1].outputs);
    long batches = (samples + batch_size - 1) / batch_size;
    // Online training of a narrow chain with the squared error: its step in registers, chosen
    // once for all epochs.
    if (batch_size == 1 && loss == NN_DENSE_SQUARED_ERROR && narrow_chain_fits(full, count)) {
        return narrow_chain_descend(full, count, x, y, order, samples, epochs, rate, difference, epoch_losses, bad_loss);
    }
    SHORT_LOOP
    for (long e = 0; e < epochs; e++) {
        const long *rows = order + e * samples;
        double sum = 0.0;
        SHORT_LOOP
        for (long b = 0; b < batches; b++) {
            long start = b * batch_size, size = samples - start < batch_size ? samples - start : batch_size;
            const float *xs, *ys;
            nn_dense_chain_gather(x, y, rows + start, size, width, outputs, inputs, targets, &xs, &ys);
            float value = nn_dense_chain_step(size == batch_size ? full : last, count, loss, size, xs, ys, difference, 1, rate,
                                              callbacks);
            if (!isfinite(value)) {
                *bad_loss = value;
                return e * batches + b;
            }
            sum += (double)value * (double)size;
        }
        epoch_losses[e] = sum;
    }
    return -1;
}
