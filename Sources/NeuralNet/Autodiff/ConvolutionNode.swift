import NeuralNetKernels

/// The fused convolution `activation(patches · kernel + bias)` of `Variable.conv2d`, for the
/// activations whose derivative reads the output. The patch matrix is never held whole: the
/// forward pass and the kernel's gradient go a chunk of images at a time, each chunk's patches
/// made in a buffer that stays in a core's cache (`Convolution.forward`, `.kernelGradient`),
/// and the input's gradient an image at a time (`Convolution.inputGradient`). im2col runs
/// twice, but no pass streams a patch matrix of megabytes through memory.
final class ConvolutionNode: Variable {
    // Only this node's own methods touch these, and none calls out while writing one: see
    // `AffineNode`.
    @exclusivity(unchecked) private var input: Variable?
    @exclusivity(unchecked) private var kernel: Variable?
    @exclusivity(unchecked) private var bias: Variable?
    private let geometry: ConvolutionGeometry
    private let activation: Activation.Kind
    private let alpha: Float

    /// `input` `[batch, height, width, channels]`, `kernel` `[kh, kw, channels, filters]`,
    /// `bias` `[filters]`; `activation` must have a derivative that reads its output.
    init(input: Variable, kernel: Variable, bias: Variable?, activation: Activation, geometry g: ConvolutionGeometry) {
        check(activation.hasDerivativeFromOutput, "conv2d: \(activation) needs its input for its derivative")
        let filters = kernel.dimensions[3]
        check(bias.map { $0.dimensions == Dimensions(length: filters) } ?? true,
                     "conv2d: bias \(bias!.shape) does not fit \(filters) filters")
        var output = Tensor(uninitializedDimensions: Dimensions([g.batch, g.outputHeight, g.outputWidth, filters]))
        let (x, w, b) = (input.value, kernel.value, bias?.value)
        x.scalars.withUnsafeBufferPointer { x in
            w.scalars.withUnsafeBufferPointer { w in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    func run(_ bias: UnsafePointer<Float>?) {
                        Convolution.forward(
                            x.baseAddress!, kernel: w.baseAddress!, filters: filters, g, bias: bias,
                            relu: activation.kind == .relu, into: y.baseAddress!)
                    }
                    if let b { b.scalars.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                }
            }
        }
        output.applyActivation(activation)
        (self.geometry, self.activation, self.alpha) = (g, activation.kind, activation.alpha)
        super.init(value: output, inputs: input, kernel, bias)
        if isInterior { (self.input, self.kernel, self.bias) = (input, kernel, bias) }
    }

    override func runPullback(_ upstream: consuming Tensor?, into frontier: inout Frontier) {
        guard let input = input.take(), let kernel = kernel.take() else { return }
        let bias = bias.take()
        // The upstream gradient is this node's alone by now, so `∂z` takes its place.
        if var dz = upstream.take() {
            dz.multiplyByDerivative(of: activation, alpha: alpha, output: storedValue)
            let (x, w, g) = (input.value, kernel.value, geometry)
            let filters = w.dimensions[3]
            if let bias, bias.requiresGradient { bias.receive(dz.sumOfRows(reusing: bias.gradientStorage())) }
            if kernel.requiresGradient {
                var dw = Tensor(reusing: kernel.gradientStorage(), dimensions: w.dimensions)
                x.scalars.withUnsafeBufferPointer { x in
                    dz.scalars.withUnsafeBufferPointer { dz in
                        dw.scalars.withUnsafeMutableBufferPointer { dw in
                            Convolution.kernelGradient(x.baseAddress!, dz.baseAddress!, filters: filters, g, into: dw.baseAddress!)
                        }
                    }
                }
                kernel.receive(dw)
            }
            if input.requiresGradient {
                var dx = Tensor.zeros(x.dimensions)
                dz.scalars.withUnsafeBufferPointer { dz in
                    w.scalars.withUnsafeBufferPointer { w in
                        dx.scalars.withUnsafeMutableBufferPointer { dx in
                            Convolution.inputGradient(dz.baseAddress!, kernel: w.baseAddress!, filters: filters, g, addingInto: dx.baseAddress!)
                        }
                    }
                }
                input.receive(dx)
            }
        }
        Variable.enqueue(input, into: &frontier)
        Variable.enqueue(kernel, into: &frontier)
        Variable.enqueue(bias, into: &frontier)
    }
}
