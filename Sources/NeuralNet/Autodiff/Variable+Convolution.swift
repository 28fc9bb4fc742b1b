import NeuralNetKernels

/// Convolution and pooling on channels-last images `[batch, height, width, channels]`.
extension Variable {
    /// The 2-D convolution (cross-correlation, as in every framework) of `self`
    /// `[batch, height, width, channels]` with `kernel` `[kernelHeight, kernelWidth, channels, filters]`,
    /// plus `bias` `[filters]` and `activation`:
    /// `out[b, y, x, f] = act(Σ_{ky, kx, c} in[b, y·s + ky - pad, x·s + kx - pad, c] · kernel[ky, kx, c, f] + bias[f])`.
    ///
    /// Computed as im2col (the windows as rows of a patch matrix) times the kernel. With an
    /// activation whose derivative reads its output (ReLU, tanh, sigmoid, linear, ...), one
    /// `ConvolutionNode` does it all a chunk of images at a time; other activations follow a
    /// patches node and a linear affine op.
    ///
    /// - Precondition: the channels agree and some window fits (layers check this first).
    public func conv2d(
        kernel: Variable, bias: Variable? = nil, activation: Activation = .linear, strides: Size2D = 1, padding: Padding = .valid
    ) -> Variable {
        let kernelShape = kernel.shape
        check(shape.count == 4 && kernelShape.count == 4 && kernelShape[2] == shape[3],
                     "conv2d: input \(shape) and kernel \(kernelShape) do not fit ([b, h, w, c] and [kh, kw, c, f])")
        guard let g = ConvolutionGeometry.make(
            inputShape: shape, window: Size2D(kernelShape[0], kernelShape[1]), strides: strides, padding: padding)
        else { fatalError("conv2d: a \(kernelShape[0])×\(kernelShape[1]) kernel does not fit input \(shape) with \(padding) padding") }
        if activation.hasDerivativeFromOutput {
            return ConvolutionNode(input: self, kernel: kernel, bias: bias, activation: activation, geometry: g)
        }
        let weights = kernel.reshaped(to: [g.patchSize, kernelShape[3]])
        let linear = patches(g).affine(weight: weights, bias: bias, activation: .linear)
        return linear.activated(by: activation).reshaped(to: [g.batch, g.outputHeight, g.outputWidth, kernelShape[3]])
    }

    /// The windows of `g` as rows of a `[patchCount, patchSize]` matrix (im2col); the pullback
    /// adds each row's gradient back onto its window (col2im).
    func patches(_ g: ConvolutionGeometry) -> Variable {
        var patches = Tensor(uninitializedDimensions: Dimensions(rows: g.patchCount, columns: g.patchSize))
        value.scalars.withUnsafeBufferPointer { x in
            patches.scalars.withUnsafeMutableBufferPointer { p in Convolution.im2col(x.baseAddress!, g, into: p.baseAddress!) }
        }
        return PatchesNode(patches, of: self, geometry: g)
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
            fatalError("pooling: a \(poolSize) window does not fit input \(shape) with \(padding) padding")
        }
        return g
    }
}

/// The node of `patches`: its pullback is col2im. When the patches feed an affine op (the
/// convolutions that `ConvolutionNode` does not fuse), their gradient `dz · Wᵀ` is never formed:
/// `receiveProduct` turns it into the input's gradient image by image
/// (`Convolution.inputGradient`), which saves writing and reading a matrix as large as the
/// patches themselves.
final class PatchesNode: Variable {
    // Only this node's own methods touch it, once; see `AffineNode`.
    @exclusivity(unchecked) private var input: Variable?
    private let geometry: ConvolutionGeometry

    init(_ patches: Tensor, of input: Variable, geometry: ConvolutionGeometry) {
        self.geometry = geometry
        super.init(value: patches, inputs: input)
        if isInterior { self.input = input }
    }

    override func receiveProduct(_ dz: Tensor, timesTransposeOf w: Tensor) {
        guard let input, input.requiresGradient else { return }
        check(
            dz.dimensions == Dimensions(rows: geometry.patchCount, columns: w.dimensions[1])
                && w.dimensions[0] == geometry.patchSize,
            "patches: gradient \(dz.shape) and kernel \(w.shape) do not fit \(shape)")
        var gradient = Tensor.zeros(input.dimensions)
        dz.scalars.withUnsafeBufferPointer { dz in
            w.scalars.withUnsafeBufferPointer { w in
                gradient.scalars.withUnsafeMutableBufferPointer { x in
                    Convolution.inputGradient(
                        dz.baseAddress!, kernel: w.baseAddress!, filters: w.count / geometry.patchSize, geometry,
                        addingInto: x.baseAddress!)
                }
            }
        }
        input.receive(gradient)
    }

    override func runPullback(_ upstream: consuming Tensor?, into frontier: inout Frontier) {
        guard let input = input.take() else { return }
        // A gradient arrives here only from consumers other than an affine op.
        if let upstream {
            var gradient = Tensor.zeros(input.dimensions)
            upstream.scalars.withUnsafeBufferPointer { p in
                gradient.scalars.withUnsafeMutableBufferPointer { x in
                    Convolution.col2im(p.baseAddress!, geometry, addingInto: x.baseAddress!)
                }
            }
            input.receive(gradient)
        }
        Variable.enqueue(input, into: &frontier)
    }
}
