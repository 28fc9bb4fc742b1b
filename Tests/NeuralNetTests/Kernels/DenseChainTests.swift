import Foundation
import Testing
@testable import NeuralNetKernels

/// The compiled training step's kernel (`DenseChain`): its gradients against central finite
/// differences of its own loss, for every activation it computes itself (GELU after dropout and
/// under a loss other than the squared error too) and one called back and for every loss, and
/// its descent against the gradients it reports.
struct DenseChainTests {
    /// A chain 3 → 4 (`first`) → 2 (`second`), batch 2, with its data and its parameters in one
    /// array: the first weight `[3, 4]`, its bias, the second weight `[4, 2]`, its bias.
    struct Fixture {
        static let parts = [0..<12, 12..<16, 16..<24, 24..<26]
        // Fixed values: the test must not depend on a seed's luck.
        var parameters: [Float] = (0..<26).map { Float(($0 * 7) % 11) / 11 - 0.45 }
        let x: [Float] = [0.3, -0.7, 0.5, 0.9, 0.1, -0.4]
        let y: [Float]
        let chain: DenseChain

        init(first: DenseChain.Function, second: DenseChain.Function, loss: DenseChain.Loss = .squaredError,
             y: [Float] = [0.2, -0.5, 0.6, 0.1], dropout: DenseChain.Dropout? = nil) {
            self.y = y
            // The callbacks stand for the logistic function, its slope read from the output, or
            // (`.callbackWithInput`) computed from the input the stage keeps.
            chain = DenseChain(
                batch: 2,
                shapes: [DenseChain.Shape(inputs: 3, outputs: 4, function: first, hasBias: true, dropout: dropout),
                         DenseChain.Shape(inputs: 4, outputs: 2, function: second, hasBias: true)],
                loss: loss, context: nil, value: { _, _, z in 1 / (1 + Foundation.exp(-z)) }, slope: { _, _, y in y * (1 - y) },
                slopeAt: { _, _, z, _ in
                    let s = 1 / (1 + Foundation.exp(-z))                      // from the input this time
                    return s * (1 - s)
                })
            // Fixed draws, kept as they stay between steps: elements 1, 2, 5 and 7 of the eight
            // fall at or above a threshold of 0x8000 and are dropped.
            if let (draws, words) = chain.dropoutDraws(of: 0) {
                let pattern: [UInt16] = [0x1000, 0x9000, 0x8000, 0x7FFF, 0x0000, 0xFFFF, 0x4000, 0xC000]
                #expect(words == 2)
                for (index, draw) in pattern.enumerated() { draws.storeBytes(of: draw, toByteOffset: 2 * index, as: UInt16.self) }
            }
        }

        /// The loss, with the gradients (or the descent at `rate`) left as the kernel leaves them.
        mutating func loss(descendingAt rate: Float? = nil) -> Float {
            let (chain, x, y) = (self.chain, self.x, self.y)
            return parameters.withUnsafeMutableBufferPointer { p in
                let base = p.baseAddress!
                chain.setWeight(base, ofStage: 0)
                chain.setBias(base + 12, ofStage: 0)
                chain.setWeight(base + 16, ofStage: 1)
                chain.setBias(base + 24, ofStage: 1)
                defer { (0..<2).forEach { chain.setWeight(nil, ofStage: $0); chain.setBias(nil, ofStage: $0) } }
                return chain.step(x, y, descendingAt: rate)
            }
        }

        /// The gradient of each parameter, in `parameters`' order, from the last step that did
        /// not descend.
        func gradients() -> [Float] {
            let first = chain.gradients(of: 0), second = chain.gradients(of: 1)
            return Array(UnsafeBufferPointer(start: first.weight, count: 12)) + Array(UnsafeBufferPointer(start: first.bias!, count: 4))
                + Array(UnsafeBufferPointer(start: second.weight, count: 8)) + Array(UnsafeBufferPointer(start: second.bias!, count: 2))
        }
    }

    @Test(arguments: [(DenseChain.Function.tanh, DenseChain.Function.linear), (.relu, .tanh), (.callback, .callback), (.tanh, .relu),
                      (.callbackWithInput, .linear), (.tanh, .callbackWithInput), (.gelu, .linear), (.tanh, .gelu), (.gelu, .gelu)])
    func gradientsMatchFiniteDifferences(first: DenseChain.Function, second: DenseChain.Function) {
        var fixture = Fixture(first: first, second: second)
        _ = fixture.loss()
        Self.expectGradientsMatchFiniteDifferences(&fixture, "\(first)/\(second)")
    }

    /// The gradients of `fixture`'s last step against central differences of its loss.
    static func expectGradientsMatchFiniteDifferences(_ fixture: inout Fixture, _ label: String) {
        let analytic = fixture.gradients()
        let h: Float = 1e-3
        for index in analytic.indices {
            let saved = fixture.parameters[index]
            fixture.parameters[index] = saved + h
            let up = Double(fixture.loss())
            fixture.parameters[index] = saved - h
            let down = Double(fixture.loss())
            fixture.parameters[index] = saved
            let numeric = (up - down) / (2 * Double(h))
            #expect(abs(numeric - Double(analytic[index])) <= 2e-3 + 0.02 * abs(numeric),
                    "\(label): parameter \(index): \(analytic[index]) against \(numeric)")
        }
        #expect(analytic.contains { $0 != 0 }, "\(label)")                    // something to check
    }

    /// Each loss with the last activation it is used with; targets in [0, 1] for the binary
    /// ones, soft labels whose rows do not sum to one for the softmax cross-entropy, class
    /// indices for the sparse one; softmax's gradient by rows after the fused squared error too.
    static let losses: [(DenseChain.Loss, DenseChain.Function, [Float])] = [
        (.squaredError, .tanh, [0.2, -0.5, 0.6, 0.1]),
        (.absoluteError, .tanh, [0.2, -0.5, 0.6, 0.1]),
        (.binaryCrossEntropy, .callback, [0.2, 1, 0.6, 0]),
        (.sigmoidCrossEntropy, .linear, [0.2, 1, 0.6, 0]),
        (.softmaxCrossEntropy, .linear, [0.3, 0.9, 1, 0]),
        (.sparseSoftmaxCrossEntropy, .linear, [1, 0]),
        (.categoricalCrossEntropy, .softmax, [0.3, 0.9, 1, 0]),
        (.squaredError, .softmax, [0.2, 0.8, 0.6, 0.4]),
        (.absoluteError, .gelu, [0.2, -0.5, 0.6, 0.1]),
    ]

    @Test(arguments: losses.indices)
    func everyLossGradientMatchesFiniteDifferences(index: Int) {
        let (loss, last, y) = Self.losses[index]
        var fixture = Fixture(first: .tanh, second: last, loss: loss, y: y)
        #expect(fixture.chain.targetWidth == (loss == .sparseSoftmaxCrossEntropy ? 1 : 2))
        let value = fixture.loss()
        #expect(value.isFinite && value > 0, "\(loss)")
        Self.expectGradientsMatchFiniteDifferences(&fixture, "\(loss)")
    }

    /// Dropout after the first stage: the next stage reads the kept outputs scaled, the dropped
    /// ones as zero, and the gradients (masked the same way) match finite differences.
    @Test(arguments: [DenseChain.Function.tanh, .relu, .callback, .gelu])
    func dropoutGradientsMatchFiniteDifferences(first: DenseChain.Function) {
        var fixture = Fixture(first: first, second: .linear, dropout: DenseChain.Dropout(threshold: 0x8000, scale: 2))
        #expect(fixture.chain.hasDropout)
        _ = fixture.loss()
        Self.expectGradientsMatchFiniteDifferences(&fixture, "dropout after \(first)")
        // A dropped unit of the first stage feeds nothing on: its weights' gradients are zero
        // where its rows are dropped in both samples (unit 1: elements 1 and 5).
        let gradients = fixture.gradients()
        #expect((0..<3).allSatisfy { gradients[$0 * 4 + 1] == 0 } && gradients[12 + 1] == 0, "\(first)")
        #expect((0..<12).contains { $0 % 4 != 1 && gradients[$0] != 0 }, "\(first)")  // the others are kept
        // The same chain without dropout computes another loss.
        var plain = Fixture(first: first, second: .linear)
        #expect(plain.loss() != fixture.loss(), "\(first)")
    }

    @Test func descentIsTheGradientStep() {
        var fixture = Fixture(first: .tanh, second: .tanh)
        let before = fixture.parameters
        let loss = fixture.loss()
        let gradients = fixture.gradients()
        #expect(fixture.loss(descendingAt: 0.5) == loss)                       // the same forward
        for index in before.indices {
            #expect(fixture.parameters[index] == before[index] - 0.5 * gradients[index], "parameter \(index)")
        }
    }

    @Test func aNonFiniteLossLeavesTheWeights() {
        var fixture = Fixture(first: .tanh, second: .linear)
        fixture.parameters[24] = .infinity
        let before = fixture.parameters
        #expect(!fixture.loss(descendingAt: 0.1).isFinite)
        #expect(fixture.parameters.map(\.bitPattern) == before.map(\.bitPattern))
    }
}
