// Epochs of one-row descent through a chain of narrow dense layers (see dense_chain.c), with
// every value of a step in registers. The general step keeps each stage's outputs and
// gradients in the stages' buffers, so that every stage waits on a store and a load of the
// last; here loops of a constant bound (NARROW) with the sizes as conditions unroll into
// straight code on local arrays. The arithmetic, and its order, is the general step's: the
// same bits, which the buffers receive too. The XOR network's step (2-3-1 tanh), C harness:
// 72 → 54 ns; when every stage has the same kind it is a constant, and no activation is chosen
// per element (an experiment with both stages written out reached 47 ns).
#include "dense_chain_narrow.h"

#include <math.h>

#pragma clang fp contract(off)

#define NARROW 4
// Every loop of the step unrolled, so that its arrays become registers.
#define UNROLLED _Pragma("clang loop unroll(full)")
#define MAX_STAGES 3

static inline __attribute__((always_inline)) float value(nn_dense_activation kind, float z) {
    switch (kind) {
    case NN_DENSE_LINEAR: return z;
    case NN_DENSE_RELU: return nn_relu(z);
    default: return nn_tanhf(z);
    }
}

static inline __attribute__((always_inline)) float slope(nn_dense_activation kind, float g, float y) {
    switch (kind) {
    case NN_DENSE_LINEAR: return g;
    case NN_DENSE_RELU: return nn_relu_gradient(g, y);
    default: return g * nn_tanh_slope(y);
    }
}

// A chain's sizes and pointers, read once: the step's stores into the buffers could otherwise
// overwrite the stage descriptions, as far as the compiler knows, and each would be read again.
typedef struct {
    long k[MAX_STAGES], n[MAX_STAGES];
    float *w[MAX_STAGES], *b[MAX_STAGES], *output[MAX_STAGES], *input_gradient[MAX_STAGES];
    nn_dense_activation kind[MAX_STAGES];
} narrow_chain;

static inline __attribute__((always_inline)) narrow_chain describe(const nn_dense_stage *stages, int count) {
    narrow_chain chain = {{0}};
    for (int s = 0; s < count; s++) {
        chain.k[s] = stages[s].inputs, chain.n[s] = stages[s].outputs;
        chain.w[s] = stages[s].weight, chain.b[s] = stages[s].bias;
        chain.output[s] = stages[s].output, chain.input_gradient[s] = stages[s].input_gradient;
        chain.kind[s] = stages[s].activation;
    }
    return chain;
}

// Stage s's kind: `uniform` when every stage has it (a constant after inlining), else its own.
#define KIND(s) (uniform >= 0 ? (nn_dense_activation)uniform : chain->kind[s])

// `count` and `uniform` are constants wherever this is inlined.
static inline __attribute__((always_inline))
float narrow_step(const narrow_chain *chain, int count, int uniform, const float *x, const float *y, float *difference,
                  float rate) {
    // a[s] is stage s's input (a[0] the row, a[s + 1] stage s's output).
    float a[MAX_STAGES + 1][NARROW] = {{0}}, dz[NARROW] = {0};
    UNROLLED
    for (int p = 0; p < NARROW; p++) if (p < chain->k[0]) a[0][p] = x[p];
    UNROLLED
    for (int s = 0; s < count; s++) {
        long k = chain->k[s], n = chain->n[s];
        const float *w = chain->w[s], *b = chain->b[s];
        UNROLLED
        for (int j = 0; j < NARROW; j++) {
            if (j >= n) continue;
            float sum = 0.0f;
            UNROLLED
            for (int p = 0; p < NARROW; p++) if (p < k) sum += a[s][p] * w[p * n + j];
            if (b) sum += b[j];
            a[s + 1][j] = value(KIND(s), sum);
            chain->output[s][j] = a[s + 1][j];
        }
    }
    long size = chain->n[count - 1];
    float total = 0.0f, scale = 2.0f / (float)size;
    UNROLLED
    for (int i = 0; i < NARROW; i++) {
        if (i >= size) continue;
        float gap = a[count][i] - y[i];
        total = total + gap * gap;
        dz[i] = slope(KIND(count - 1), gap * scale, a[count][i]);
        difference[i] = dz[i];
    }
    float loss = total / (float)size;
    if (!isfinite(loss)) return loss;
    UNROLLED
    for (int s = count - 1; s >= 0; s--) {
        long k = chain->k[s], n = chain->n[s];
        float *w = chain->w[s], *b = chain->b[s];
        // The previous stage's dz, from this stage's weights before they move.
        float previous[NARROW] = {0};
        if (s > 0) {
            UNROLLED
            for (int p = 0; p < NARROW; p++) {
                if (p >= k) continue;
                float sum = 0.0f;
                UNROLLED
                for (int j = 0; j < NARROW; j++) if (j < n) sum += dz[j] * w[p * n + j];
                previous[p] = slope(KIND(s - 1), sum, a[s][p]);
                chain->input_gradient[s][p] = previous[p];
            }
        }
        UNROLLED
        for (int p = 0; p < NARROW; p++) {
            if (p >= k) continue;
            UNROLLED
            for (int j = 0; j < NARROW; j++) {
                if (j >= n) continue;
                float sum = 0.0f;
                sum += a[s][p] * dz[j];
                w[p * n + j] -= rate * sum;
            }
        }
        if (b) {
            UNROLLED
            for (int j = 0; j < NARROW; j++) {
                if (j >= n) continue;
                float sum = 0.0f;
                sum += dz[j];
                b[j] -= rate * sum;
            }
        }
        UNROLLED
        for (int p = 0; p < NARROW; p++) dz[p] = previous[p];
    }
    return loss;
}

int narrow_chain_fits(const nn_dense_stage *stages, long count) {
    if (count < 1 || count > MAX_STAGES) return 0;
    for (long s = 0; s < count; s++) {
        if (stages[s].inputs > NARROW || stages[s].outputs > NARROW) return 0;
        // The kinds with code of their own in registers (`value`, `slope` above).
        nn_dense_activation kind = stages[s].activation;
        if (kind != NN_DENSE_LINEAR && kind != NN_DENSE_RELU && kind != NN_DENSE_TANH) return 0;
        if (stages[s].dropout_random) return 0;
    }
    return 1;
}

// Epochs of one-row steps (see `nn_dense_chain_descend`), the step inlined.
static inline __attribute__((always_inline))
long narrow_descend(const nn_dense_stage *stages, int count, int uniform, const float *x, const float *y, const long *order,
                    long samples, long epochs, float rate, float *difference, double *epoch_losses, float *bad_loss) {
    narrow_chain chain = describe(stages, count);
    long width = chain.k[0], outputs = chain.n[count - 1];
    for (long e = 0; e < epochs; e++) {
        const long *rows = order + e * samples;
        double sum = 0.0;
        for (long b = 0; b < samples; b++) {
            float loss = narrow_step(&chain, count, uniform, x + rows[b] * width, y + rows[b] * outputs, difference, rate);
            if (!isfinite(loss)) {
                *bad_loss = loss;
                return e * samples + b;
            }
            sum += (double)loss * 1.0;  // Σ loss · rows, as the general loop sums it
        }
        epoch_losses[e] = sum;
    }
    return -1;
}

// The kind every stage shares, or -1 when they differ.
static int uniform_kind(const nn_dense_stage *stages, long count) {
    for (long s = 1; s < count; s++) if (stages[s].activation != stages[0].activation) return -1;
    return stages[0].activation;
}

long narrow_chain_descend(const nn_dense_stage *stages, long count, const float *x, const float *y, const long *order,
                          long samples, long epochs, float rate, float *difference, double *epoch_losses, float *bad_loss) {
    // One instantiation per stage count and shared kind (-1: each stage's own, read per
    // element); a single stage always has one kind.
#define DESCEND(count, uniform) \
    narrow_descend(stages, count, uniform, x, y, order, samples, epochs, rate, difference, epoch_losses, bad_loss)
    switch ((uniform_kind(stages, count) + 1) * 4 + (int)count) {
    case 2: return DESCEND(2, -1);
    case 3: return DESCEND(3, -1);
    case 5: return DESCEND(1, NN_DENSE_LINEAR);
    case 6: return DESCEND(2, NN_DENSE_LINEAR);
    case 7: return DESCEND(3, NN_DENSE_LINEAR);
    case 9: return DESCEND(1, NN_DENSE_RELU);
    case 10: return DESCEND(2, NN_DENSE_RELU);
    case 11: return DESCEND(3, NN_DENSE_RELU);
    case 13: return DESCEND(1, NN_DENSE_TANH);
    case 14: return DESCEND(2, NN_DENSE_TANH);
    default: return DESCEND(3, NN_DENSE_TANH);
    }
#undef DESCEND
}
