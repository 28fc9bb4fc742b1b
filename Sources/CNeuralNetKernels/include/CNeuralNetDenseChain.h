// One training step of a small chain of dense layers in one call, for compiled training: the
// step's latency, not its arithmetic, sets the pace of a tiny network's training.
#ifndef CNEURALNET_DENSE_CHAIN_H
#define CNEURALNET_DENSE_CHAIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How a stage's activation is computed: the identity, ReLU (`z < 0 ? 0 : z` forward, the
/// gradient kept where the output is positive), tanh (`nn_tanhf`, `f' = nn_tanh_slope(y)`) and
/// softmax over each row of the last stage (`nn_softmax_rows`, its gradient
/// `nn_softmax_rows_backward`) and GELU over the stage's z once its rows are summed (`nn_gelu`,
/// its gradient `nn_gelu_backward`: the stage keeps z) here; any other kind through the chain's
/// callbacks, with f' from the output (`NN_DENSE_CALLBACK`) or from the input z and the output
/// (`NN_DENSE_CALLBACK_WITH_INPUT`: the stage keeps z).
typedef enum {
    NN_DENSE_LINEAR = 0,
    NN_DENSE_RELU = 1,
    NN_DENSE_TANH = 2,
    NN_DENSE_CALLBACK = 3,
    NN_DENSE_SOFTMAX = 4,
    NN_DENSE_CALLBACK_WITH_INPUT = 5,
    NN_DENSE_GELU = 6,
} nn_dense_activation;

/// The loss a step minimises, each computed as its eager function in `LossFunctions.swift`:
/// the mean squared and absolute errors, binary cross-entropy of probabilities and of logits
/// (sigmoid), softmax cross-entropy of logits against one-hot (or soft) labels or against
/// class indices (targets one float per row, a whole number below the last stage's width), and
/// categorical cross-entropy of probabilities (a softmax last stage's) against labels.
typedef enum {
    NN_DENSE_SQUARED_ERROR = 0,
    NN_DENSE_ABSOLUTE_ERROR = 1,
    NN_DENSE_BINARY_CROSS_ENTROPY = 2,
    NN_DENSE_SIGMOID_CROSS_ENTROPY = 3,
    NN_DENSE_SOFTMAX_CROSS_ENTROPY = 4,
    NN_DENSE_SPARSE_SOFTMAX_CROSS_ENTROPY = 5,
    NN_DENSE_CATEGORICAL_CROSS_ENTROPY = 6,
} nn_dense_loss;

/// The width of a target row for `loss` on a chain whose last stage has `outputs` outputs:
/// one class index for the sparse softmax cross-entropy, else `outputs`.
static inline long nn_dense_target_width(nn_dense_loss loss, long outputs) {
    return loss == NN_DENSE_SPARSE_SOFTMAX_CROSS_ENTROPY ? 1 : outputs;
}

/// One stage, `output = f(input · weight + bias)`: input `[batch, inputs]`, weight
/// `[inputs, outputs]`, bias `[outputs]` or NULL, all row-major; the buffers are the plan's.
typedef struct {
    long inputs, outputs;
    nn_dense_activation activation;
    float *weight, *bias;
    /// `[batch, outputs]`.
    float *output;
    /// `[batch, inputs]`: the gradient of the stage's input once the step has run (unused for
    /// the first stage).
    float *input_gradient;
    /// `[inputs, outputs]` and `[outputs]`: written when the step does not descend.
    float *weight_gradient, *bias_gradient;
    /// Dropout after the activation (not on the last stage), or NULL: `batch · outputs` 16-bit
    /// draws, set before each step. The next stage reads `dropped[i] = dropout_random[i] <
    /// dropout_threshold ? output[i] · dropout_scale : 0` (`nn_dropout`), and the gradient of
    /// the output is masked by the same rule.
    const uint16_t *dropout_random;
    uint32_t dropout_threshold;
    float dropout_scale;
    /// `[batch, outputs]`, with dropout.
    float *dropped;
    /// `[batch, outputs]`: z = input · W + b, for `NN_DENSE_CALLBACK_WITH_INPUT` and
    /// `NN_DENSE_GELU`; else NULL.
    float *pre_activation;
} nn_dense_stage;

/// The activations of callback stages: `value(context, stage, z) = f(z)`; `slope(context,
/// stage, y) = f'` read from the output `y = f(z)` (`NN_DENSE_CALLBACK`), or `slope_at(context,
/// stage, z, y) = f'(z)` (`NN_DENSE_CALLBACK_WITH_INPUT`).
typedef struct {
    const void *context;
    float (*value)(const void *context, long stage, float z);
    float (*slope)(const void *context, long stage, float y);
    float (*slope_at)(const void *context, long stage, float z, float y);
} nn_dense_callbacks;

/// One step on `batch` rows `x` `[batch, stages[0].inputs]` with targets `y` (`batch` rows of
/// `nn_dense_target_width(loss, outputs)`) and `loss`: forward, loss, and when the loss is
/// finite, backward; `difference` holds `2 · batch · outputs` floats of scratch. Each sum
/// runs in the order of the eager step's kernels (`nn_sgemm` for tiny products, its epilogue,
/// `nn_small_affine_backward`), so the results are bit-identical to it. With `descend`
/// non-zero each parameter then takes the plain gradient step `w -= rate · g` as soon as
/// nothing needs its old value (the gradient buffers are not written); otherwise the gradients
/// are left in the stages' buffers. Returns the loss (a NaN or infinity leaves the parameters
/// and gradients untouched).
float nn_dense_chain_step(const nn_dense_stage *stages, long count, nn_dense_loss loss, long batch, const float *x,
                          const float *y, float *difference, int descend, float rate, const nn_dense_callbacks *callbacks);

/// A batch's rows `order[0 ..< count]` of `x` `[*, width]` and `y` `[*, outputs]` (`outputs`
/// being the target width, see `nn_dense_target_width`): one row is
/// read in place (`*batch_x`, `*batch_y` point into `x` and `y`), more are gathered into
/// `inputs` and `targets` (each `count` rows), which the two pointers then point at.
void nn_dense_chain_gather(const float *x, const float *y, const long *order, long count, long width, long outputs,
                           float *inputs, float *targets, const float **batch_x, const float **batch_y);

/// Whole epochs of plain gradient descent (`w -= rate · g` after each step, as
/// `nn_dense_chain_step` with `descend`), for compiled training with nothing to call between
/// steps, minimising `loss`, on stages without dropout (whose draws change every step). Epoch
/// e visits the rows `order[e · samples ..< (e + 1) · samples]` of `x` `[*, full[0].inputs]`
/// and `y` (rows of `nn_dense_target_width`) in batches of `batch_size` on `full` (whose
/// batch it is), the last `samples % batch_size` rows (if any) on `last`, whose
/// stages point at the same parameters. A batch of one row is read in place; larger ones are
/// gathered into `inputs` and `targets` (each `batch_size` rows). `difference` is scratch for
/// twice `batch_size` rows of outputs. `epoch_losses[e]` receives Σ loss · rows over epoch e's
/// batches, summed in double in order. Returns -1 when every loss was finite; else the index,
/// counted from the first batch of the first epoch, of the batch whose loss was not (its loss
/// in `*bad_loss`), with the parameters as the batch before left them.
long nn_dense_chain_descend(const nn_dense_stage *full, const nn_dense_stage *last, long count, nn_dense_loss loss,
                            const float *x, const float *y, const long *order, long samples, long batch_size, long epochs,
                            float rate, float *inputs, float *targets, float *difference, const nn_dense_callbacks *callbacks,
                            double *epoch_losses, float *bad_loss);

#ifdef __cplusplus
}
#endif

#endif
