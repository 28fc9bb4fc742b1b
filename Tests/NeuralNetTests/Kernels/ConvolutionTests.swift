import Testing
@testable import NeuralNetKernels
@testable import NeuralNet

/// Convolution and pooling against naive loops written straight from their definitions.
struct ConvolutionTests {
    /// The seven-loop convolution: batch, output row, output column, filter, kernel row, kernel
    /// column, channel.
    func naiveConvolution(_ x: Tensor, _ k: Tensor, strides: Size2D, padding: Padding) -> Tensor {
        let g = ConvolutionGeometry.make(
            inputShape: x.shape, window: Size2D(k.shape[0], k.shape[1]), strides: strides, padding: padding)!
        var y = Tensor.zeros([g.batch, g.outputHeight, g.outputWidth, k.shape[3]])
        for b in 0..<g.batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for f in 0..<k.shape[3] {
                        var sum: Float = 0
                        for ky in 0..<k.shape[0] {
                            for kx in 0..<k.shape[1] {
                                for c in 0..<g.channels {
                                    let iy = oy * strides.height - g.padTop + ky, ix = ox * strides.width - g.padLeft + kx
                                    if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width { sum += x[b, iy, ix, c] * k[ky, kx, c, f] }
                                }
                            }
                        }
                        y[b, oy, ox, f] = sum
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: [
        (Size2D(3, 3), Size2D(1, 1), Padding.valid), (Size2D(3, 3), Size2D(1, 1), .same), (Size2D(2, 3), Size2D(2, 1), .valid),
        (Size2D(3, 2), Size2D(2, 2), .same), (Size2D(5, 5), Size2D(3, 2), .same), (Size2D(1, 1), Size2D(1, 1), .valid),
    ])
    func convolutionMatchesTheSevenLoopReference(kernelSize: Size2D, strides: Size2D, padding: Padding) {
        let x = randomTensor([2, 7, 6, 3], seed: 5)
        let k = randomTensor([kernelSize.height, kernelSize.width, 3, 4], seed: 6)
        let fast = Variable(x).conv2d(kernel: Variable(k), strides: strides, padding: padding).value
        #expect(isClose(fast, naiveConvolution(x, k, strides: strides, padding: padding), tolerance: 1e-5))
    }

    @Test(arguments: [(Size2D(1, 1), Padding.valid), (Size2D(2, 1), .same)])
    func convolutionGradientsMatchFiniteDifferences(strides: Size2D, padding: Padding) {
        let x = randomTensor([2, 5, 4, 2], seed: 7)
        let k = randomTensor([3, 2, 2, 3], seed: 8)
        expectGradientsMatch([x, k]) { $0[0].conv2d(kernel: $0[1], strides: strides, padding: padding) }
    }

    @Test(arguments: [(1, Activation.relu), (2, .relu), (2, .gelu)])
    func largeConvolutionsMatchTheComposedOps(threads: Int, activation: Activation) {
        // Images large enough that the fused node works in several chunks and two halves, and
        // that a GELU convolution's input gradient skips the patch-gradient matrix.
        let x = randomTensor([5, 30, 30, 8], seed: 11), k = randomTensor([3, 3, 8, 4], seed: 12)
        let b = randomTensor([4], seed: 13)
        let g = ConvolutionGeometry.make(inputShape: x.shape, window: 3, strides: 1, padding: .valid)!
        #expect(Convolution.imagesPerChunk(g) < 3)
        let weights = randomTensor([5, 28, 28, 4], seed: 14)
        func run(fused: Bool) -> [Tensor] {
            ComputeThreads.$count.withValue(threads) {
                let (xv, kv, bv) = (Variable(x, requiresGradient: true), Variable(k, requiresGradient: true),
                                    Variable(b, requiresGradient: true))
                let y = fused
                    ? xv.conv2d(kernel: kv, bias: bv, activation: activation)
                    : activation.apply(xv.patches(g).matmul(kv.reshaped(to: [72, 4])) + bv).reshaped(to: [5, 28, 28, 4])
                (y * Variable(weights)).sum().backward()
                return [y.value, xv.gradient!, kv.gradient!, bv.gradient!]
            }
        }
        for (chunked, composed) in zip(run(fused: true), run(fused: false)) {
            #expect(isClose(chunked, composed, tolerance: 1e-4))
        }
    }

    @Test func sameGeometryFollowsKeras() {
        let g = ConvolutionGeometry.make(inputShape: [1, 7, 8, 1], window: 3, strides: 2, padding: .same)!
        #expect((g.outputHeight, g.outputWidth) == (4, 4))
        #expect((g.padTop, g.padLeft) == (1, 0))     // height: 3 rows of padding in all, 1 on top
        #expect(ConvolutionGeometry.make(inputShape: [1, 2, 2, 1], window: 3, strides: 1, padding: .valid) == nil)
    }

    func naivePool(_ x: Tensor, size: Size2D, strides: Size2D, padding: Padding, average: Bool) -> Tensor {
        let g = ConvolutionGeometry.make(inputShape: x.shape, window: size, strides: strides, padding: padding)!
        var y = Tensor.zeros([g.batch, g.outputHeight, g.outputWidth, g.channels])
        for b in 0..<g.batch { for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth { for c in 0..<g.channels {
            var values: [Float] = []
            for ky in 0..<size.height { for kx in 0..<size.width {
                let iy = oy * strides.height - g.padTop + ky, ix = ox * strides.width - g.padLeft + kx
                if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width { values.append(x[b, iy, ix, c]) }
            } }
            y[b, oy, ox, c] = average ? values.reduce(0, +) / Float(values.count) : values.max()!
        } } } }
        return y
    }

    @Test(arguments: [(Size2D(2, 2), Size2D(2, 2), Padding.valid), (Size2D(3, 3), Size2D(2, 2), .same), (Size2D(2, 3), Size2D(1, 2), .valid)])
    func poolingMatchesNaiveLoops(size: Size2D, strides: Size2D, padding: Padding) {
        let x = randomTensor([2, 7, 5, 3], seed: 9)
        #expect(isClose(Variable(x).maxPool2d(poolSize: size, strides: strides, padding: padding).value,
                        naivePool(x, size: size, strides: strides, padding: padding, average: false)))
        #expect(isClose(Variable(x).averagePool2d(poolSize: size, strides: strides, padding: padding).value,
                        naivePool(x, size: size, strides: strides, padding: padding, average: true)))
    }

    @Test func poolingGradientsMatchFiniteDifferences() {
        // Distinct, well-separated values: max pooling has no ties for the differences to cross.
        let x = Tensor(shape: [1, 4, 5, 2], scalars: (0..<40).map { Float(($0 * 17) % 40) * 0.1 })
        expectGradientsMatch([x]) { $0[0].maxPool2d(poolSize: 2, strides: 2, padding: .same) }
        expectGradientsMatch([x]) { $0[0].averagePool2d(poolSize: 3, strides: 2, padding: .same) }
    }
}
