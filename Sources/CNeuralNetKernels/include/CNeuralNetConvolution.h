// im2col and col2im for channels-last images, compiled once per instruction set.
#ifndef CNEURALNET_CONVOLUTION_H
#define CNEURALNET_CONVOLUTION_H

#ifdef __cplusplus
extern "C" {
#endif

/// Copies every window of `input` `[batch, height, width, channels]` into a row of `patches`
/// `[batch · output_height · output_width, kernel_height · kernel_width · channels]`, columns
/// ordered (ky, kx, channel); cells in the padding read as zero.
void nn_im2col(const float *input, long batch, long height, long width, long channels,
               long kernel_height, long kernel_width, long stride_height, long stride_width,
               long pad_top, long pad_left, long output_height, long output_width, float *patches);

/// The adjoint of `nn_im2col`: adds every row of `patches` back onto its window of `input`.
void nn_col2im(const float *patches, long batch, long height, long width, long channels,
               long kernel_height, long kernel_width, long stride_height, long stride_width,
               long pad_top, long pad_left, long output_height, long output_width, float *input);

#ifdef __cplusplus
}
#endif

#endif
