import Testing
@testable import NeuralNet

/// The fused `activation(x · W + b)` against finite differences and against the composed ops.
struct AffineTests {
    static let fused = Activation.allCases.filter(\.hasDerivativeFromOutput) + [.leakyRelu(slope: 0.2), Activation(.elu, alpha: 0.5)]

    @Test(arguments: fused)
    func gradientsMatchFiniteDifferences(activation: Activation) {
        var x = randomTensor([5, 4], seed: 31)
        x = x.map { abs($0) < 0.05 ? $0 + 0.2 : $0 }
        let w = randomTensor([4, 3], seed: 32), b = randomTensor([3], seed: 33)
        expectGradientsMatch([x, w, b]) { $0[0].affine(weight: $0[1], bias: $0[2], activation: activation) }
        expectGradientsMatch([x, w]) { $0[0].affine(weight: $0[1], bias: nil, activation: activation) }
    }

    @Test(arguments: fused)
    func equalsTheComposedOperations(activation: Activation) {
        let x = Variable(randomTensor([6, 5], seed: 34)), w = Variable(randomTensor([5, 7], seed: 35))
        let b = Variable(randomTensor([7], seed: 36))
        let fused = x.affine(weight: w, bias: b, activation: activation).value
        let composed = activation.apply(x.matmul(w) + b).value
        #expect(isClose(fused, composed, tolerance: 1e-5))
    }

    @Test func convolutionWithBiasAndActivationMatchesFiniteDifferences() {
        let x = randomTensor([2, 5, 5, 2], seed: 37)
        let k = randomTensor([3, 3, 2, 3], seed: 38), b = randomTensor([3], seed: 39)
        expectGradientsMatch([x, k, b]) { $0[0].conv2d(kernel: $0[1], bias: $0[2], activation: .tanh, padding: .same) }
        expectGradientsMatch([x, k, b]) { $0[0].conv2d(kernel: $0[1], bias: $0[2], activation: .gelu, strides: 2) }
    }
}
