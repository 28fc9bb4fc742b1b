import Testing
@testable import NeuralNet

/// NaN is never hidden: the fused paths propagate it as the composed ones (and PyTorch) do, and
/// the clipped losses pass their gradient at the clipping bound.
struct NaNPropagationTests {
    @Test func fusedReLUKeepsNaNLikeTheComposedOne() throws {
        let layer = Dense(3, 2, activation: .relu)
        var generator = SeededGenerator(seed: 1)
        _ = try layer.build(inputShape: [3], generator: &generator)
        layer.weight.value.scalars[1] = .nan                  // unit 1 reads input 0 through a NaN
        let x = Tensor([[1, 2, 3], [-1, 0, 1]])
        let fused = try layer(x)
        let composed = (x.matmul(layer.weight.value) + layer.bias!.value).map { Swift.max($0, 0) }
        #expect(fused.scalars[1].isNaN && fused.scalars[3].isNaN)
        #expect(zip(fused.scalars, composed.scalars).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })

        let convolution = Conv2D(filters: 2, kernelSize: 2, activation: .relu)
        _ = try convolution.build(inputShape: [3, 3, 1], generator: &generator)
        var image = Tensor(repeating: -1, shape: [1, 3, 3, 1])
        image.scalars[0] = .nan
        let feature = try convolution(image)
        #expect(feature.scalars[0].isNaN && feature.scalars[1].isNaN)      // both filters see the NaN pixel
        #expect(!feature.scalars[2...].contains { $0.isNaN })
    }

    @Test func maxPoolingKeepsANaNAnywhereInItsWindow() throws {
        for position in 0..<4 {
            var image = Tensor([1, 5, 2, 3]).reshaped(to: [1, 2, 2, 1])
            image.scalars[position] = .nan
            let pooled = try MaxPool2D(2)(image)
            #expect(pooled.scalars[0].isNaN, "NaN at \(position)")
        }
    }

    @Test func clippedLossesPassTheirGradientAtTheBound() {
        let epsilon: Float = 1e-7
        let p = Variable(Tensor([[epsilon], [1 - epsilon]]), requiresGradient: true)
        binaryCrossEntropy(predicted: p, expected: Tensor([[1], [0]])).backward()
        #expect(p.gradient!.scalars.allSatisfy { $0 != 0 && $0.isFinite })
        let q = Variable(Tensor([[epsilon, 1 - epsilon]]), requiresGradient: true)
        categoricalCrossEntropy(predicted: q, expected: Tensor([[1, 0]])).backward()
        #expect(q.gradient!.scalars[0] < 0)
    }
}
