import Testing
@testable import NeuralNet

/// Softmax, log-softmax, sigmoid and the cross-entropies stay finite and have the right
/// gradient at logits of ±1e4, where a naive `exp` overflows. Steps of 0.25 are exact at that
/// magnitude (a Float there is spaced by 2⁻¹⁰), so finite differences stay meaningful.
struct StabilityTests {
    static let logits = Tensor([[1e4, 1e4 - 1, -1e4], [-1e4, -1e4 + 0.5, -1e4 + 2], [1e4, -1e4, 0]])

    @Test func softmaxAndLogSoftmaxAtTenThousand() {
        let probabilities = Variable(Self.logits).softmax().value
        #expect(probabilities.scalars.allSatisfy { $0.isFinite })
        #expect(abs(probabilities.scalars[0] - 0.7310586) < 1e-5)                    // e / (e + 1)
        let logs = Variable(Self.logits).logSoftmax().value
        #expect(logs.scalars.allSatisfy { $0.isFinite })
        #expect(abs(logs.scalars[5] - -0.3063) < 1e-3)                             // −log(1 + e⁻² + e⁻¹·⁵)
        #expect(logs.scalars[6] == 0 && abs(logs.scalars[7] - -2e4) < 1)           // −2e4, not −∞
        expectGradientsMatch([Self.logits], step: 0.25, absoluteTolerance: 1e-3, relativeTolerance: 2e-2) { $0[0].softmax() }
        expectGradientsMatch([Self.logits], step: 0.25, absoluteTolerance: 1e-3, relativeTolerance: 2e-2) { $0[0].logSoftmax() }
        expectGradientsMatch([Self.logits.transposed()], step: 0.25, absoluteTolerance: 1e-3, relativeTolerance: 2e-2) {
            $0[0].softmax(alongAxis: 0)
        }
    }

    @Test func sigmoidAtTenThousand() {
        let x = Tensor([[1e4, -1e4, 0.5, -0.5]])
        let y = Variable(x).sigmoid().value
        #expect(y.scalars == [1, 0, y.scalars[2], y.scalars[3]] && y.scalars.allSatisfy { $0.isFinite })
        expectGradientsMatch([x], step: 0.25, absoluteTolerance: 1e-3, relativeTolerance: 3e-2) { $0[0].sigmoid() }
    }

    @Test func crossEntropiesOfLogitsAtTenThousand() {
        let labels = Tensor([0, 2, 1])
        let oneHot = Tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
        for (name, loss) in [("sparse", { (z: Variable) in sparseSoftmaxCrossEntropy(logits: z, labels: labels) }),
                             ("softmax", { (z: Variable) in softmaxCrossEntropy(logits: z, labels: oneHot) })] {
            let value = loss(Variable(Self.logits)).value.scalar
            #expect(value.isFinite, "\(name)")
            // log(1 + e⁻¹), log(1 + e⁻² + e⁻¹·⁵), and 2e4 for the confidently wrong third row.
            #expect(abs(value - (0.3132617 + 0.3063 + 2e4) / 3) < 0.01, "\(name)")
            expectGradientsMatch([Self.logits], step: 0.25, absoluteTolerance: 1e-3, relativeTolerance: 2e-2) { loss($0[0]) }
        }
        let binaryLogits = Tensor([[1e4], [-1e4], [1e4], [-1e4]])
        let binaryLabels = Tensor([[1], [0], [0], [1]])
        #expect(sigmoidCrossEntropy(logits: Variable(binaryLogits), labels: binaryLabels).value.scalar == 5e3)
        expectGradientsMatch([binaryLogits], step: 0.25, absoluteTolerance: 1e-3, relativeTolerance: 2e-2) {
            sigmoidCrossEntropy(logits: $0[0], labels: binaryLabels)
        }
    }

    @Test func crossEntropiesOfProbabilitiesAtZeroAndOne() {
        // Probabilities of exactly 0 and 1 are clipped: finite losses and gradients.
        let p = Variable(Tensor([[1], [0], [0], [1]]), requiresGradient: true)
        let loss = binaryCrossEntropy(predicted: p, expected: Tensor([[1], [0], [1], [0]]))
        loss.backward()
        #expect(loss.value.scalar.isFinite && p.gradient!.scalars.allSatisfy { $0.isFinite })
        let q = Variable(Tensor([[1, 0, 0], [0, 1, 0]]), requiresGradient: true)
        let categorical = categoricalCrossEntropy(predicted: q, expected: Tensor([[0, 0, 1], [0, 1, 0]]))
        categorical.backward()
        #expect(categorical.value.scalar.isFinite && q.gradient!.scalars.allSatisfy { $0.isFinite })
    }
}
