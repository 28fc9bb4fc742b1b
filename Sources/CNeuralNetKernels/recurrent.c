// The element-wise parts of one LSTM or GRU step over a block of rows (batch entries), in
// place, vectorised through the polynomial exp of transcendental.c. Gate blocks are laid out
// as PyTorch's: LSTM [i | f | g | o], GRU [r | z | n], each `units` wide.
#include "CNeuralNetKernels.h"
#include "multiversion.h"
#include "transcendental.h"

NN_MULTIVERSIONED
void nn_lstm_forward_step(float *gates, const float *c_prev, float *c, float *h, float *tanh_c, long rows, long units) {
    for (long r = 0; r < rows; r++) {
        float *restrict i = gates + r * 4 * units, *restrict f = i + units, *restrict g = f + units, *restrict o = g + units;
        const float *restrict cp = c_prev + r * units;
        float *restrict cr = c + r * units, *restrict hr = h + r * units, *restrict tr = tanh_c + r * units;
        for (long j = 0; j < units; j++) {
            float ig = nn_sigmoid_approx(i[j]), fg = nn_sigmoid_approx(f[j]);
            float gg = nn_tanh_approx(g[j]), og = nn_sigmoid_approx(o[j]);
            i[j] = ig; f[j] = fg; g[j] = gg; o[j] = og;
            float cell = fg * cp[j] + ig * gg;
            float squashed = nn_tanh_approx(cell);
            cr[j] = cell;
            tr[j] = squashed;
            hr[j] = og * squashed;
        }
    }
}

NN_MULTIVERSIONED
void nn_lstm_backward_step(const float *gates, const float *c_prev, const float *tanh_c, const float *dh, float *dc,
                           float *dgates, long rows, long units) {
    for (long r = 0; r < rows; r++) {
        const float *restrict i = gates + r * 4 * units, *restrict f = i + units, *restrict g = f + units, *restrict o = g + units;
        const float *restrict cp = c_prev + r * units, *restrict tr = tanh_c + r * units, *restrict dhr = dh + r * units;
        float *restrict dcr = dc + r * units;
        float *restrict di = dgates + r * 4 * units, *restrict df = di + units, *restrict dg = df + units, *restrict dout = dg + units;
        for (long j = 0; j < units; j++) {
            float squashed = tr[j];
            float d_cell = dcr[j] + dhr[j] * o[j] * (1.0f - squashed * squashed);
            di[j] = d_cell * g[j] * i[j] * (1.0f - i[j]);
            df[j] = d_cell * cp[j] * f[j] * (1.0f - f[j]);
            dg[j] = d_cell * i[j] * (1.0f - g[j] * g[j]);
            dout[j] = dhr[j] * squashed * o[j] * (1.0f - o[j]);
            dcr[j] = d_cell * f[j];
        }
    }
}

NN_MULTIVERSIONED
void nn_gru_forward_step(float *input_part, const float *hidden_part, const float *h_prev, float *h, long rows, long units) {
    for (long r = 0; r < rows; r++) {
        float *restrict a = input_part + r * 3 * units;
        const float *restrict p = hidden_part + r * 3 * units, *restrict hp = h_prev + r * units;
        float *restrict hr = h + r * units;
        for (long j = 0; j < units; j++) {
            float reset = nn_sigmoid_approx(a[j] + p[j]);
            float update = nn_sigmoid_approx(a[units + j] + p[units + j]);
            float candidate = nn_tanh_approx(a[2 * units + j] + reset * p[2 * units + j]);
            a[j] = reset; a[units + j] = update; a[2 * units + j] = candidate;
            hr[j] = (1.0f - update) * candidate + update * hp[j];
        }
    }
}

NN_MULTIVERSIONED
void nn_gru_backward_step(const float *gates, const float *hidden_part, const float *h_prev, const float *dh,
                          float *d_input, float *d_hidden, float *dh_prev, long rows, long units) {
    for (long r = 0; r < rows; r++) {
        const float *restrict a = gates + r * 3 * units, *restrict p = hidden_part + r * 3 * units;
        const float *restrict hp = h_prev + r * units, *restrict d = dh + r * units;
        float *restrict di = d_input + r * 3 * units, *restrict dp = d_hidden + r * 3 * units, *restrict dprev = dh_prev + r * units;
        for (long j = 0; j < units; j++) {
            float reset = a[j], update = a[units + j], candidate = a[2 * units + j];
            float dn = d[j] * (1.0f - update) * (1.0f - candidate * candidate);
            float dz = d[j] * (hp[j] - candidate) * update * (1.0f - update);
            float dr = dn * p[2 * units + j] * reset * (1.0f - reset);
            di[j] = dr; di[units + j] = dz; di[2 * units + j] = dn;
            dp[j] = dr; dp[units + j] = dz; dp[2 * units + j] = dn * reset;
            dprev[j] = d[j] * update;
        }
    }
}
