import NeuralNetKernels

/// Convolution and pooling on channels-last images `[batch, height, width, channels]`.
extension Variable {
    /// The 2-D convolution (cross-correlation, as in every framework) of `self`
    /// `[batch, height, width, channels]` with `kernel` `[kernelHeight, kernelWidth, channels, filters]`,
    /// plus `bias` `[filters]` and `activation`:
    /// `out[b, y, x, f] = act(Σ_{ky, kx, c} in[b, y·s + ky - pad, x·s + kx - pad, c] · kernel[ky, kx, c, f] + bias[f])`.
    ///
    /// Computed as im2col (the windows as rows of a patch matrix) then the fused
    /// `activation(patches · kernel + bias)`; the gradients flow back through the same two steps.
    ///
    /// - Precondition: the channels agree and some window fits (layers check this first).
    public func conv2d(
        kernel: Variable, bias: Variable? = nil, activation: Activation = .linear, strides: Size2D = 1, padding: Padding = .valid
    ) -> Variable {
        let kernelShape = kernel.shape
        precondition(shape.count == 4 && kernelShape.count == 4 && kernelShape[2] == shape[3],
                     "conv2d: input \(shape) and kernel \(kernelShape) do not fit ([b, h, w, c] and [kh, kw, c, f])")
        guard let g = ConvolutionGeometry.make(
            inputShape: shape, window: Size2D(kernelShape[0], kernelShape[1]), strides: strides, padding: padding)
        else { preconditionFailure("conv2d: a \(kernelShape[0])×\(kernelShape[1]) kernel does not fit input \(shape) with \(padding) padding") }
        let weights = kernel.reshaped(to: [g.patchSize, kernelShape[3]])
        let output: Variable
        if activation.hasDerivativeFromOutput {
            output = patches(g).affine(weight: weights, bias: bias, activation: activation)
        } else {
            var linear = patches(g).matmul(weights)
            if let bias { linear = linear + bias }
            output = activation.apply(linear)
        }
        return output.reshaped(to: [g.batch, g.outputHeight, g.outputWidth, kernelShape[3]])
    }

    /// The windows of `g` as rows of a `[patchCount, patchSize]` matrix (im2col); the pullback
    /// adds each row's gradient back onto its window (col2im).
    func patches(_ g: ConvolutionGeometry) -> Variable {
        let inputShape = shape
        var patches = Tensor(uninitializedDimensions: Dimensions(rows: g.patchCount, columns: g.patchSize))
        value.scalars.withUnsafeBufferPointer { x in
            patches.scalars.withUnsafeMutableBufferPointer { p in Convolution.im2col(x.baseAddress!, g, into: p.baseAddress!) }
        }
        return unary(patches) { upstream in
            var gradient = Tensor.zeros(inputShape)
            upstream.scalars.withUnsafeBufferPointer { p in
                gradient.scalars.withUnsafeMutableBufferPointer { x in Convolution.col2im(p.baseAddress!, g, addingInto: x.baseAddress!) }
            }
            return gradient
        }
    }

    /// The maximum of each `poolSize` window (per channel); the gradient goes to each window's maximum.
    public func maxPool2d(poolSize: Size2D, strides: Size2D, padding: Padding = .valid) -> Variable {
        let g = poolingGeometry(poolSize: poolSize, strides: strides, padding: padding)
        let inputShape = shape
        var output = Tensor.zeros([g.batch, g.outputHeight, g.outputWidth, g.channels])
        var argmax = [Int32](repeating: 0, count: output.count)
        value.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                argmax.withUnsafeMutableBufferPointer { a in Pooling.maxForward(x.baseAddress!, g, into: y.baseAddress!, argmax: a.baseAddress!) }
            }
        }
        return unary(output) { upstream in
            var gradient = Tensor.zeros(inputShape)
            upstream.scalars.withUnsafeBufferPointer { u in
                gradient.scalars.withUnsafeMutableBufferPointer { x in
                    argmax.withUnsafeBufferPointer { a in Pooling.maxBackward(u.baseAddress!, argmax: a.baseAddress!, g, addingInto: x.baseAddress!) }
                }
            }
            return gradient
        }
    }

    /// The mean of each `poolSize` window (per channel, over the cells inside the image); the
    /// gradient is shared evenly over each window.
    public func averagePool2d(poolSize: Size2D, strides: Size2D, padding: Padding = .valid) -> Variable {
        let g = poolingGeometry(poolSize: poolSize, strides: strides, padding: padding)
        let inputShape = shape
        var output = Tensor.zeros([g.batch, g.outputHeight, g.outputWidth, g.channels])
        value.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in Pooling.averageForward(x.baseAddress!, g, into: y.baseAddress!) }
        }
        return unary(output) { upstream in
            var gradient = Tensor.zeros(inputShape)
            upstream.scalars.withUnsafeBufferPointer { u in
                gradient.scalars.withUnsafeMutableBufferPointer { x in Pooling.averageBackward(u.baseAddress!, g, addingInto: x.baseAddress!) }
            }
            return gradient
        }
    }

    private func poolingGeometry(poolSize: Size2D, strides: Size2D, padding: Padding) -> ConvolutionGeometry {
        guard let g = ConvolutionGeometry.make(inputShape: shape, window: poolSize, strides: strides, padding: padding) else {
            preconditionFailure("pooling: a \(poolSize) window does not fit input \(shape) with \(padding) padding")
        }
        return g
    }
}
