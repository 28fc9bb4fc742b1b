// The element-wise parts of one LSTM or GRU step over a span of a step's state, in place,
// vectorised through the polynomial exp of transcendental.h. Gate blocks are laid out as
// PyTorch's: LSTM [i | f | g | o], GRU [r | z | n], each block `stride` floats after the last,
// so that threads can each take a span of every block. A span goes through a function whose
// pointers are `restrict` parameters: the compiler trusts those (not `restrict` locals), so it
// vectorises without run-time overlap checks.
#include "CNeuralNetKernels.h"
#include "multiversion.h"
#include "transcendental.h"

static inline __attribute__((always_inline))
void lstm_forward_row(float *restrict i, float *restrict f, float *restrict g, float *restrict o, const float *restrict c_prev,
                      float *restrict c, float *restrict h, float *restrict tanh_c, long units) {
    for (long j = 0; j < units; j++) {
        float ig = nn_sigmoid_approx(i[j]), fg = nn_sigmoid_approx(f[j]);
        float gg = nn_tanh_approx(g[j]), og = nn_sigmoid_approx(o[j]);
        i[j] = ig; f[j] = fg; g[j] = gg; o[j] = og;
        float cell = fg * c_prev[j] + ig * gg;
        float squashed = nn_tanh_approx(cell);
        c[j] = cell;
        tanh_c[j] = squashed;
        h[j] = og * squashed;
    }
}

NN_MULTIVERSIONED
void nn_lstm_forward_step(float *gates, long stride, const float *c_prev, float *c, float *h, float *tanh_c, long count) {
    lstm_forward_row(gates, gates + stride, gates + 2 * stride, gates + 3 * stride, c_prev, c, h, tanh_c, count);
}

static inline __attribute__((always_inline))
void lstm_backward_row(const float *restrict i, const float *restrict f, const float *restrict g, const float *restrict o,
                       const float *restrict c_prev, const float *restrict tanh_c, const float *restrict dh, float *restrict dc,
                       float *restrict di, float *restrict df, float *restrict dg, float *restrict dout, long units) {
    for (long j = 0; j < units; j++) {
        float squashed = tanh_c[j];
        float d_cell = dc[j] + dh[j] * o[j] * (1.0f - squashed * squashed);
        di[j] = d_cell * g[j] * i[j] * (1.0f - i[j]);
        df[j] = d_cell * c_prev[j] * f[j] * (1.0f - f[j]);
        dg[j] = d_cell * i[j] * (1.0f - g[j] * g[j]);
        dout[j] = dh[j] * squashed * o[j] * (1.0f - o[j]);
        dc[j] = d_cell * f[j];
    }
}

NN_MULTIVERSIONED
void nn_lstm_backward_step(const float *gates, long stride, const float *c_prev, const float *tanh_c, const float *dh,
                           float *dc, float *dgates, long count) {
    lstm_backward_row(gates, gates + stride, gates + 2 * stride, gates + 3 * stride, c_prev, tanh_c, dh, dc, dgates,
                      dgates + stride, dgates + 2 * stride, dgates + 3 * stride, count);
}

static inline __attribute__((always_inline))
void gru_forward_row(float *restrict reset, float *restrict update, float *restrict candidate, const float *restrict p_reset,
                     const float *restrict p_update, const float *restrict p_candidate, const float *restrict h_prev,
                     float *restrict h, long units) {
    for (long j = 0; j < units; j++) {
        float r = nn_sigmoid_approx(reset[j] + p_reset[j]);
        float z = nn_sigmoid_approx(update[j] + p_update[j]);
        float n = nn_tanh_approx(candidate[j] + r * p_candidate[j]);
        reset[j] = r; update[j] = z; candidate[j] = n;
        h[j] = (1.0f - z) * n + z * h_prev[j];
    }
}

NN_MULTIVERSIONED
void nn_gru_forward_step(float *input_part, const float *hidden_part, long stride, const float *h_prev, float *h, long count) {
    gru_forward_row(input_part, input_part + stride, input_part + 2 * stride, hidden_part, hidden_part + stride,
                    hidden_part + 2 * stride, h_prev, h, count);
}

static inline __attribute__((always_inline))
void gru_backward_row(const float *restrict reset, const float *restrict update, const float *restrict candidate,
                      const float *restrict p_candidate, const float *restrict h_prev, const float *restrict dh,
                      float *restrict d_reset, float *restrict d_update, float *restrict d_candidate,
                      float *restrict dp_reset, float *restrict dp_update, float *restrict dp_candidate,
                      float *restrict dh_prev, long units) {
    for (long j = 0; j < units; j++) {
        float r = reset[j], z = update[j], n = candidate[j];
        float dn = dh[j] * (1.0f - z) * (1.0f - n * n);
        float dz = dh[j] * (h_prev[j] - n) * z * (1.0f - z);
        float dr = dn * p_candidate[j] * r * (1.0f - r);
        d_reset[j] = dr; d_update[j] = dz; d_candidate[j] = dn;
        dp_reset[j] = dr; dp_update[j] = dz; dp_candidate[j] = dn * r;
        dh_prev[j] = dh[j] * z;
    }
}

NN_MULTIVERSIONED
void nn_gru_backward_step(const float *gates, const float *hidden_part, long stride, const float *h_prev, const float *dh,
                          float *d_input, float *d_hidden, float *dh_prev, long count) {
    gru_backward_row(gates, gates + stride, gates + 2 * stride, hidden_part + 2 * stride, h_prev, dh, d_input,
                     d_input + stride, d_input + 2 * stride, d_hidden, d_hidden + stride, d_hidden + 2 * stride, dh_prev,
                     count);
}

// ---- A step's columns of the whole sequence's matrices -----------------------------------

// The forward pass reads step t's columns of the input projection, a short run in each of
// thousands of rows, each row in a page of its own: unrequested, every run waits for memory
// (the copy was 3% of an LSTM step and kept the second thread idle). Asking for the next
// step's runs before this step multiplies lets them arrive during the multiply.
static inline void prefetch_runs(const float *first, long stride, long rows, long width, int write) {
    for (long r = 0; r < rows; r++) {
        const float *run = first + r * stride;
        for (long j = 0; j < width; j += 16) {
            if (write) __builtin_prefetch(run + j, 1); else __builtin_prefetch(run + j, 0);
        }
        if (width % 16 && write) __builtin_prefetch(run + width - 1, 1);
        if (width % 16 && !write) __builtin_prefetch(run + width - 1, 0);
    }
}

NN_MULTIVERSIONED
void nn_gather_step(const float *source, long stride, const float *bias, float *restrict target, long rows, long width,
                    long next) {
    for (long r = 0; r < rows; r++) {
        const float *restrict run = source + r * stride;
        float b = bias ? bias[r] : 0.0f;
        for (long j = 0; j < width; j++) target[r * width + j] = run[j] + b;
    }
    if (next) prefetch_runs(source + next, stride, rows, width, 0);
}

NN_MULTIVERSIONED
void nn_scatter_step(const float *restrict source, float *target, long stride, long rows, long width, long next) {
    for (long r = 0; r < rows; r++) {
        float *restrict run = target + r * stride;
        for (long j = 0; j < width; j++) run[j] = source[r * width + j];
    }
    if (next) prefetch_runs(target + next, stride, rows, width, 1);
}
