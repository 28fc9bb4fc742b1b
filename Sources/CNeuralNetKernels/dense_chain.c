// A training step of a small dense chain in one call (see CNeuralNetDenseChain.h). Every sum
// starts from zero and runs in the order the eager step's kernels run it (`tiny` and
// `nn_small_affine_backward` in gemm.c); nothing is contracted into a fused multiply-add.
#include "CNeuralNetKernels.h"
#include "dense_chain_losses.h"
#include "dense_chain_loops.h"
#include <math.h>

#pragma clang fp contract(off)

// The activation of kind `kind`, a constant wherever these are inlined: each caller below
// switches on the stage's kind once and calls its loops with the kind fixed, so that every
// kind gets loops of its own (a switch per element, with the callback's call in the loop,
// made the XOR step half again slower).
static inline __attribute__((always_inline))
float activate(nn_dense_activation kind, long stage, const nn_dense_callbacks *callbacks, float z) {
    switch (kind) {
    case NN_DENSE_LINEAR: return z;
    case NN_DENSE_RELU: return nn_relu(z);
    case NN_DENSE_TANH: return nn_tanhf(z);
    case NN_DENSE_SOFTMAX: return z;  // normalised by rows once the stage's rows are done
    case NN_DENSE_GELU: return z;     // replaced from z once the stage's rows are done
    default: return callbacks->value(callbacks->context, stage, z);
    }
}

// `g · f'` at element i of stage s (`at`): f' read from its output y, or for
// `NN_DENSE_CALLBACK_WITH_INPUT` from its input z too.
static inline __attribute__((always_inline))
float slope(nn_dense_activation kind, long s, const nn_dense_callbacks *callbacks, float g, const nn_dense_stage *at, long i) {
    float y = at->output[i];
    switch (kind) {
    case NN_DENSE_LINEAR: return g;
    case NN_DENSE_RELU: return nn_relu_gradient(g, y);
    case NN_DENSE_TANH: return g * nn_tanh_slope(y);
    case NN_DENSE_SOFTMAX: return g;  // by rows afterwards (`apply_slope`)
    case NN_DENSE_GELU: return g;     // over the whole stage afterwards (`nn_gelu_backward`)
    case NN_DENSE_CALLBACK_WITH_INPUT: return g * callbacks->slope_at(callbacks->context, s, at->pre_activation[i], y);
    default: return g * callbacks->slope(callbacks->context, s, y);
    }
}

// Eight sums side by side, each still over its own index in order from zero: the same bits as
// one at a time, but eight chains of additions that do not wait on one another (and a vector
// of them). Layers narrower than eight (XOR's) keep the plain loops, which cost them less.
#define BLOCK 8

// sum[c] = Σ_t x[t · xs] · y[t · ys + c · cs] for t < count, each from zero in the order of t.
static inline __attribute__((always_inline))
void block_sums(long count, const float *restrict x, long xs, const float *restrict y, long ys, long cs, float sum[BLOCK]) {
    for (int c = 0; c < BLOCK; c++) sum[c] = 0.0f;
    SHORT_LOOP
    for (long t = 0; t < count; t++) {
        float v = x[t * xs];
        for (int c = 0; c < BLOCK; c++) sum[c] += v * y[t * ys + c * cs];
    }
}

// The multiplier of a plain sum: 1 · y is y, bit for bit.
static const float one = 1.0f;

// Calls `function(..., kind)` with the kind as a constant.
#define WITH_KIND(kind, function, ...)                                                  \
    switch (kind) {                                                                   \
    case NN_DENSE_LINEAR: function(__VA_ARGS__, NN_DENSE_LINEAR); break;              \
    case NN_DENSE_RELU: function(__VA_ARGS__, NN_DENSE_RELU); break;                  \
    case NN_DENSE_TANH: function(__VA_ARGS__, NN_DENSE_TANH); break;                  \
    case NN_DENSE_SOFTMAX: function(__VA_ARGS__, NN_DENSE_SOFTMAX); break;            \
    case NN_DENSE_CALLBACK_WITH_INPUT: function(__VA_ARGS__, NN_DENSE_CALLBACK_WITH_INPUT); break; \
    case NN_DENSE_GELU: function(__VA_ARGS__, NN_DENSE_GELU); break;                  \
    default: function(__VA_ARGS__, NN_DENSE_CALLBACK); break;                         \
    }

// Whether a stage of kind `kind` keeps its z = input · W + b: f' needs it, or (GELU) f
// replaces it once the stage's rows are summed.
#define KEEPS_Z(kind) ((kind) == NN_DENSE_CALLBACK_WITH_INPUT || (kind) == NN_DENSE_GELU)

// Stage s's output = f(input · W + b), and z = input · W + b itself where f' needs it.
static inline __attribute__((always_inline))
void forward_stage(const nn_dense_stage *stage, long s, long batch, const float *input,
                   const nn_dense_callbacks *callbacks, nn_dense_activation kind) {
    long k = stage->inputs, n = stage->outputs;
    const float *restrict w = stage->weight, *restrict b = stage->bias;
    SHORT_LOOP
    for (long i = 0; i < batch; i++) {
        const float *restrict row = input + i * k;
        float *restrict out = stage->output + i * n;
        long j = 0;
        SHORT_LOOP
        for (; n >= BLOCK && j + BLOCK <= n; j += BLOCK) {
            float sum[BLOCK];
            block_sums(k, row, 1, w + j, n, 1, sum);
            if (b) for (int c = 0; c < BLOCK; c++) sum[c] += b[j + c];
            if (KEEPS_Z(kind)) for (int c = 0; c < BLOCK; c++) stage->pre_activation[i * n + j + c] = sum[c];
            SHORT_LOOP
            for (int c = 0; c < BLOCK; c++) out[j + c] = activate(kind, s, callbacks, sum[c]);
        }
        SHORT_LOOP
        for (; j < n; j++) {
            float sum = 0.0f;
            SHORT_LOOP
            for (long p = 0; p < k; p++) sum += row[p] * w[p * n + j];
            if (b) sum += b[j];
            if (KEEPS_Z(kind)) stage->pre_activation[i * n + j] = sum;
            out[j] = activate(kind, s, callbacks, sum);
        }
    }
}

// The mean squared error as the loss computes it, the sum of squared differences in order
// (returned; the loss is it over n), and its gradient, 2 / n times the difference, times the
// last stage's f' into `gradient`: in one loop, so that the gradient does not wait for a
// store and a load (it is only scratch if the loss turns out not to be finite).
static inline __attribute__((always_inline))
float squared_error(const nn_dense_stage *last, long s, long size, const float *restrict y, float *restrict gradient,
                    const nn_dense_callbacks *callbacks, nn_dense_activation kind) {
    float total = 0.0f, scale = 2.0f / (float)size;
    SHORT_LOOP
    for (long i = 0; i < size; i++) {
        float difference = last->output[i] - y[i];
        total = total + difference * difference;
        gradient[i] = slope(kind, s, callbacks, difference * scale, last, i);
    }
    return total;
}

// g ← g · f'(y) over the last stage's output, or softmax's gradient by rows, or GELU's over
// the whole stage: the loss's gradient becomes the stage's dz.
static inline __attribute__((always_inline))
void apply_slope(const nn_dense_stage *last, long s, long batch, float *restrict gradient,
                 const nn_dense_callbacks *callbacks, nn_dense_activation kind) {
    if (kind == NN_DENSE_LINEAR) return;
    long width = last->outputs;
    if (kind == NN_DENSE_SOFTMAX) {
        nn_softmax_rows_backward(last->output, gradient, batch, width, width);
        return;
    }
    if (kind == NN_DENSE_GELU) {
        nn_gelu_backward(last->pre_activation, gradient, batch * width);
        return;
    }
    SHORT_LOOP
    for (long i = 0; i < batch * width; i++) gradient[i] = slope(kind, s, callbacks, gradient[i], last, i);
}

// The gradient g of element i of a stage's output masked by its dropout, as `nn_dropout`
// masks the eager gradient (the forward pass's draws and rule); g itself without dropout.
static inline __attribute__((always_inline))
float masked(const nn_dense_stage *stage, long i, float g) {
    if (!stage->dropout_random) return g;
    return (uint32_t)stage->dropout_random[i] < stage->dropout_threshold ? g * stage->dropout_scale : 0.0f;
}

// What the stage after s reads: its output, or that output after dropout.
static inline const float *passed_on(const nn_dense_stage *stage) {
    return stage->dropout_random ? stage->dropped : stage->output;
}

// The previous stage's dz = f'(its output) ⊙ mask ⊙ (dz · Wᵀ), with stage s's W as it was.
static inline __attribute__((always_inline))
void propagate(const nn_dense_stage *stage, const nn_dense_stage *previous, long s, long batch,
               const float *restrict upstream, const nn_dense_callbacks *callbacks, nn_dense_activation kind) {
    long k = stage->inputs, n = stage->outputs;
    const float *restrict w = stage->weight;
    SHORT_LOOP
    for (long i = 0; i < batch; i++) {
        long p = 0;
        SHORT_LOOP
        for (; k >= BLOCK && p + BLOCK <= k; p += BLOCK) {
            float sum[BLOCK];
            block_sums(n, upstream + i * n, 1, w + p * n, 1, n, sum);
            SHORT_LOOP
            for (int r = 0; r < BLOCK; r++) {
                long at = i * k + p + r;
                stage->input_gradient[at] = slope(kind, s - 1, callbacks, masked(previous, at, sum[r]), previous, at);
            }
        }
        SHORT_LOOP
        for (; p < k; p++) {
            float sum = 0.0f;
            SHORT_LOOP
            for (long j = 0; j < n; j++) sum += upstream[i * n + j] * w[p * n + j];
            long at = i * k + p;
            stage->input_gradient[at] = slope(kind, s - 1, callbacks, masked(previous, at, sum), previous, at);
        }
    }
}

// Stage s's dW = inputᵀ · dz and db = Σ_rows dz, into its buffers or its descent.
static inline __attribute__((always_inline))
void parameter_gradients(const nn_dense_stage *stage, long batch, const float *restrict input, const float *restrict dz,
                         int descend, float rate) {
    long k = stage->inputs, n = stage->outputs;
    float *restrict w = stage->weight, *restrict b = stage->bias;
    SHORT_LOOP
    for (long p = 0; p < k; p++) {
        long j = 0;
        SHORT_LOOP
        for (; n >= BLOCK && j + BLOCK <= n; j += BLOCK) {
            float sum[BLOCK];
            block_sums(batch, input + p, k, dz + j, n, 1, sum);
            if (descend) for (int c = 0; c < BLOCK; c++) w[p * n + j + c] -= rate * sum[c];
            else for (int c = 0; c < BLOCK; c++) stage->weight_gradient[p * n + j + c] = sum[c];
        }
        SHORT_LOOP
        for (; j < n; j++) {
            float sum = 0.0f;
            SHORT_LOOP
            for (long i = 0; i < batch; i++) sum += input[i * k + p] * dz[i * n + j];
            if (descend) w[p * n + j] -= rate * sum;
            else stage->weight_gradient[p * n + j] = sum;
        }
    }
    if (!b) return;
    long j = 0;
    SHORT_LOOP
    for (; n >= BLOCK && j + BLOCK <= n; j += BLOCK) {
        float sum[BLOCK];
        block_sums(batch, &one, 0, dz + j, n, 1, sum);
        if (descend) for (int c = 0; c < BLOCK; c++) b[j + c] -= rate * sum[c];
        else for (int c = 0; c < BLOCK; c++) stage->bias_gradient[j + c] = sum[c];
    }
    SHORT_LOOP
    for (; j < n; j++) {
        float sum = 0.0f;
        SHORT_LOOP
        for (long i = 0; i < batch; i++) sum += dz[i * n + j];
        if (descend) b[j] -= rate * sum;
        else stage->bias_gradient[j] = sum;
    }
}

static inline __attribute__((always_inline))
float chain_step(const nn_dense_stage *stages, long count, nn_dense_loss loss_kind, long batch, const float *x,
                 const float *y, float *difference, int descend, float rate, const nn_dense_callbacks *callbacks) {
    const float *input = x;
    SHORT_LOOP
    for (long s = 0; s < count; s++) {
        WITH_KIND(stages[s].activation, forward_stage, &stages[s], s, batch, input, callbacks)
        if (stages[s].activation == NN_DENSE_SOFTMAX) {
            nn_softmax_rows(stages[s].output, batch, stages[s].outputs, stages[s].outputs, 0);
        }
        if (stages[s].activation == NN_DENSE_GELU) {
            nn_gelu(stages[s].pre_activation, stages[s].output, batch * stages[s].outputs);
        }
        if (stages[s].dropout_random) {
            nn_dropout(stages[s].dropout_random, stages[s].output, stages[s].dropped, batch * stages[s].outputs,
                       stages[s].dropout_threshold, stages[s].dropout_scale);
        }
        input = passed_on(&stages[s]);
    }
    const nn_dense_stage *last = &stages[count - 1];
    long size = batch * last->outputs;
    float loss;
    if (loss_kind == NN_DENSE_SQUARED_ERROR) {
        float total = 0.0f;
        WITH_KIND(last->activation, total = squared_error, last, count - 1, size, y, difference, callbacks)
        loss = total / (float)size;
        if (!isfinite(loss)) return loss;
        // The squared error's gradient took every elementwise slope; softmax's goes by rows,
        // GELU's over the whole stage.
        if (last->activation == NN_DENSE_SOFTMAX || last->activation == NN_DENSE_GELU) {
            apply_slope(last, count - 1, batch, difference, callbacks, last->activation);
        }
    } else {
        loss = dense_chain_loss(loss_kind, last->output, batch, last->outputs, y, difference, difference + size);
        if (!isfinite(loss)) return loss;
        WITH_KIND(last->activation, apply_slope, last, count - 1, batch, difference, callbacks)
    }
    const float *upstream = difference;
    SHORT_LOOP
    for (long s = count - 1; s >= 0; s--) {
        if (s > 0) WITH_KIND(stages[s - 1].activation, propagate, &stages[s], &stages[s - 1], s, batch, upstream, callbacks)
        if (s > 0 && stages[s - 1].activation == NN_DENSE_GELU) {
            // The masked dz · Wᵀ times GELU'(z), over the whole stage as eagerly.
            nn_gelu_backward(stages[s - 1].pre_activation, stages[s].input_gradient, batch * stages[s].inputs);
        }
        parameter_gradients(&stages[s], batch, s > 0 ? passed_on(&stages[s - 1]) : x, upstream, descend, rate);
        upstream = stages[s].input_gradient;
    }
    return loss;
}

float nn_dense_chain_step(const nn_dense_stage *stages, long count, nn_dense_loss loss, long batch, const float *x,
                          const float *y, float *difference, int descend, float rate, const nn_dense_callbacks *callbacks) {
    // One row (online training) and descent compiled on their own: the row loops and the
    // choice of where gradients go vanish.
    if (batch == 1 && descend) return chain_step(stages, count, loss, 1, x, y, difference, 1, rate, callbacks);
    if (batch == 1) return chain_step(stages, count, loss, 1, x, y, difference, 0, rate, callbacks);
    if (descend) return chain_step(stages, count, loss, batch, x, y, difference, 1, rate, callbacks);
    return chain_step(stages, count, loss, batch, x, y, difference, 0, rate, callbacks);
}
