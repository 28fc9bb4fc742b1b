// Pooling loops compiled once per instruction set and chosen by the loader.
#ifndef CNEURALNET_POOLING_H
#define CNEURALNET_POOLING_H

#ifdef __cplusplus
extern "C" {
#endif

/// Max pooling over channels-last images `[batch, height, width, channels]`: each output is the
/// largest input of its window (clipped to the image), and `argmax` receives that input's flat
/// index (the first one on ties, scanning rows then columns). Only images `first_image ..<
/// end_image` of the batch are pooled, so that threads can share a batch.
void nn_max_pool(const float *input, long first_image, long end_image, long height, long width, long channels,
                 long pool_height, long pool_width, long stride_height, long stride_width,
                 long pad_top, long pad_left, long output_height, long output_width,
                 float *output, int *argmax);

#ifdef __cplusplus
}
#endif

#endif
