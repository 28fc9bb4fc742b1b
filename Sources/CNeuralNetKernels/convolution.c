#include "CNeuralNetConvolution.h"
#include "multiversion.h"

// Windows copy runs of `kernel_width · channels` floats, often only a few (3 for a 3x3 kernel
// over one channel), so these loops must stay loops (NN_NO_LIBRARY_CALLS).

NN_MULTIVERSIONED NN_NO_LIBRARY_CALLS
void nn_im2col(const float *restrict input, long batch, long height, long width, long channels,
               long kernel_height, long kernel_width, long stride_height, long stride_width,
               long pad_top, long pad_left, long output_height, long output_width, float *restrict patches) {
    long run = kernel_width * channels;
    float *row = patches;
    for (long b = 0; b < batch; b++) {
        const float *image = input + b * height * width * channels;
        for (long oy = 0; oy < output_height; oy++) {
            for (long ox = 0; ox < output_width; ox++) {
                long x0 = ox * stride_width - pad_left;
                int inside = x0 >= 0 && x0 + kernel_width <= width;
                for (long ky = 0; ky < kernel_height; ky++) {
                    long y = oy * stride_height - pad_top + ky;
                    float *target = row + ky * run;
                    if (y < 0 || y >= height) {
                        for (long i = 0; i < run; i++) target[i] = 0.0f;
                    } else if (inside) {
                        const float *source = image + (y * width + x0) * channels;
                        for (long i = 0; i < run; i++) target[i] = source[i];
                    } else {
                        for (long kx = 0; kx < kernel_width; kx++) {
                            long x = x0 + kx;
                            const float *source = image + (y * width + x) * channels;
                            int valid = x >= 0 && x < width;
                            for (long c = 0; c < channels; c++) target[kx * channels + c] = valid ? source[c] : 0.0f;
                        }
                    }
                }
                row += kernel_height * run;
            }
        }
    }
}

NN_MULTIVERSIONED NN_NO_LIBRARY_CALLS
void nn_col2im(const float *restrict patches, long batch, long height, long width, long channels,
               long kernel_height, long kernel_width, long stride_height, long stride_width,
               long pad_top, long pad_left, long output_height, long output_width, float *restrict input) {
    long run = kernel_width * channels;
    const float *row = patches;
    for (long b = 0; b < batch; b++) {
        float *image = input + b * height * width * channels;
        for (long oy = 0; oy < output_height; oy++) {
            for (long ox = 0; ox < output_width; ox++) {
                long x0 = ox * stride_width - pad_left;
                int inside = x0 >= 0 && x0 + kernel_width <= width;
                for (long ky = 0; ky < kernel_height; ky++) {
                    long y = oy * stride_height - pad_top + ky;
                    if (y < 0 || y >= height) continue;
                    const float *source = row + ky * run;
                    if (inside) {
                        float *target = image + (y * width + x0) * channels;
                        for (long i = 0; i < run; i++) target[i] += source[i];
                    } else {
                        for (long kx = 0; kx < kernel_width; kx++) {
                            long x = x0 + kx;
                            if (x < 0 || x >= width) continue;
                            float *target = image + (y * width + x) * channels;
                            for (long c = 0; c < channels; c++) target[c] += source[kx * channels + c];
                        }
                    }
                }
                row += kernel_height * run;
            }
        }
    }
}
