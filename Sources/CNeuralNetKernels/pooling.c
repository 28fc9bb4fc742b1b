#include "CNeuralNetPooling.h"
#include "multiversion.h"

// Channels are innermost in memory, so each window cell updates all channels with one
// contiguous, vectorisable pass.
NN_MULTIVERSIONED
void nn_max_pool(const float *restrict input, long first_image, long end_image, long height, long width, long channels,
                 long pool_height, long pool_width, long stride_height, long stride_width,
                 long pad_top, long pad_left, long output_height, long output_width,
                 float *restrict output, int *restrict argmax) {
    for (long b = first_image; b < end_image; b++) {
        const float *image = input + b * height * width * channels;
        long image_base = b * height * width * channels;
        for (long oy = 0; oy < output_height; oy++) {
            long y0 = oy * stride_height - pad_top, y1 = y0 + pool_height;
            if (y0 < 0) y0 = 0;
            if (y1 > height) y1 = height;
            for (long ox = 0; ox < output_width; ox++) {
                long x0 = ox * stride_width - pad_left, x1 = x0 + pool_width;
                if (x0 < 0) x0 = 0;
                if (x1 > width) x1 = width;
                float *best = output + ((b * output_height + oy) * output_width + ox) * channels;
                int *where = argmax + ((b * output_height + oy) * output_width + ox) * channels;
                const float *first = image + (y0 * width + x0) * channels;
                int first_index = (int)(image_base + (y0 * width + x0) * channels);
                for (long c = 0; c < channels; c++) {
                    best[c] = first[c];
                    where[c] = first_index + (int)c;
                }
                for (long y = y0; y < y1; y++) {
                    for (long x = x0; x < x1; x++) {
                        const float *cell = image + (y * width + x) * channels;
                        int cell_index = (int)(image_base + (y * width + x) * channels);
                        for (long c = 0; c < channels; c++) {
                            // A NaN wins over a number (and the first NaN stays), as in PyTorch.
                            int larger = cell[c] > best[c] || (cell[c] != cell[c] && best[c] == best[c]);
                            best[c] = larger ? cell[c] : best[c];
                            where[c] = larger ? cell_index + (int)c : where[c];
                        }
                    }
                }
            }
        }
    }
}
