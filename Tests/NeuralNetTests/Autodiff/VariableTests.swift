import Foundation
import Testing
@testable import NeuralNet

/// Every differentiable operation against finite differences, and the tape's memory behaviour.
struct VariableTests {
    let a = randomTensor([3, 4], seed: 1)
    let b = randomTensor([3, 4], seed: 2)
    let row = randomTensor([4], seed: 3)
    let positive = randomTensor([3, 4], in: 0.5..<2, seed: 4)

    @Test func arithmetic() {
        expectGradientsMatch([a, b]) { $0[0] + $0[1] }
        expectGradientsMatch([a, b]) { $0[0] - $0[1] }
        expectGradientsMatch([a, b]) { $0[0] * $0[1] }
        expectGradientsMatch([a, positive]) { $0[0] / $0[1] }
        expectGradientsMatch([a]) { -$0[0] }
        expectGradientsMatch([a]) { ($0[0] * 3 + 1) / 2 - 0.5 }
        expectGradientsMatch([a]) { 1 - $0[0] }
    }

    @Test func broadcastingArithmetic() {
        expectGradientsMatch([a, row]) { $0[0] + $0[1] }
        expectGradientsMatch([row, a]) { $0[0] - $0[1] }
        expectGradientsMatch([a, row]) { $0[0] * $0[1] }
        expectGradientsMatch([a, randomTensor([3, 1], in: 0.5..<2)]) { $0[0] / $0[1] }
    }

    @Test func mathAndReductions() {
        expectGradientsMatch([a]) { $0[0].exp() }
        expectGradientsMatch([positive]) { $0[0].log() }
        expectGradientsMatch([positive]) { $0[0].squareRoot() }
        expectGradientsMatch([a]) { $0[0].squared() }
        expectGradientsMatch([positive]) { (-$0[0]).abs() }
        expectGradientsMatch([a]) { $0[0].sum() }
        expectGradientsMatch([a]) { $0[0].mean() }
        expectGradientsMatch([a]) { $0[0].sum(alongAxis: 0) }
        expectGradientsMatch([a]) { $0[0].mean(alongAxis: 1, keepingDimension: true) }
    }

    @Test func shapesAndProducts() {
        let c = randomTensor([4, 5], seed: 5)
        expectGradientsMatch([a, c]) { $0[0].matmul($0[1]) }
        expectGradientsMatch([a]) { $0[0].transposed() }
        expectGradientsMatch([a]) { $0[0].reshaped(to: [2, 6]) }
    }

    @Test func aVariableUsedTwiceAccumulatesBothPaths() {
        let x = Variable(Tensor([2, 3]), requiresGradient: true)
        (x * x + x).sum().backward()
        #expect(x.gradient == Tensor([5, 7]))
    }

    @Test func parametersReceiveGradientsAndConstantsDoNot() {
        let weight = Parameter(Tensor([[1, 2], [3, 4]]))
        let input = Variable(Tensor([[1, 1]]))
        let output = input.matmul(Variable(weight)).sum()
        output.backward()
        #expect(weight.gradient == Tensor([[1, 1], [1, 1]]))
        #expect(input.gradient == nil)
        #expect(!input.requiresGradient)
    }

    @Test func constantsBuildNoGraph() {
        let x = Variable(Tensor([1, 2]))
        let y = (x * x).exp()
        #expect(!y.requiresGradient)
    }

    @Test func aNodeReachedByPathsOfDifferentLengthsRunsAfterAllOfThem() {
        // `h` feeds the loss directly and through two more nodes; it must wait for both.
        // Inputs are listed short path first, the order a depth-first walk gets wrong.
        let x = Variable(Tensor([0.5, -1]), requiresGradient: true)
        let h = x.tanh()
        let loss = (h + h.squared().exp()).sum()
        loss.backward()
        let t = Tensor([0.5, -1]).map { Foundation.tanh($0) }
        let expected = t.map { 1 + 2 * $0 * Foundation.exp($0 * $0) } * t.map { 1 - $0 * $0 }
        for (got, want) in zip(x.gradient!.scalars, expected.scalars) { #expect(abs(got - want) < 1e-5) }
        expectGradientsMatch([a]) { ($0[0] + $0[0].tanh().squared().exp() + $0[0].tanh()).sum() }
    }

    @Test func theGraphIsFreedAfterBackward() {
        let weight = Parameter(randomTensor([4, 3]))
        weak var hidden: Variable?
        weak var leaf: Variable?
        let loss: Variable
        do {
            let w = Variable(weight)
            let h = Variable(randomTensor([2, 4])).matmul(w).tanh()
            hidden = h
            leaf = w
            loss = h.squared().mean()
        }
        #expect(hidden != nil)
        loss.backward()
        // The caller still holds the loss, but the tape has let go of everything behind it.
        #expect(hidden == nil)
        #expect(leaf == nil)
        #expect(weight.gradient != nil)
    }

    @Test func theFusedAffineNodeFreesItsInputsAfterBackward() {
        let weight = Parameter(randomTensor([4, 3]))
        weak var input: Variable?
        weak var hidden: Variable?
        let loss: Variable
        do {
            let x = Variable(randomTensor([2, 4]), requiresGradient: true)
            let h = x.affine(weight: Variable(weight), bias: nil, activation: .tanh)
            (input, hidden) = (x, h)
            loss = h.mean()
        }
        #expect(input != nil && hidden != nil)
        loss.backward()
        #expect(input == nil && hidden == nil)
        #expect(weight.gradient?.shape == [4, 3])
    }
}

struct RecordingTests {
    @Test func inferenceModeRecordsNoGraph() throws {
        let layer = Dense(3, 2, activation: .tanh)
        let x = randomTensor([4, 3])
        let recorded = try layer(Variable(x), mode: .training)
        #expect(recorded.requiresGradient)
        let constant = try Variable.withoutRecording { try layer(Variable(x), mode: .inference) }
        #expect(!constant.requiresGradient)
        #expect(constant.value == recorded.value)
        // Inference mode records nothing, not even for a leaf that asks for its gradient...
        let input = Variable(x, requiresGradient: true)
        let inferred = try layer(input, mode: .inference)
        #expect(!inferred.requiresGradient)
        // ...while withoutRecording only turns the parameters into constants.
        let explicit = try Variable.withoutRecording { try layer(input, mode: .training) }
        explicit.sum().backward()
        #expect(input.gradient?.shape == [4, 3])
        #expect(layer.weight.gradient == nil)
    }
}
