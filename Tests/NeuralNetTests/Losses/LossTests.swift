import Foundation
import Testing
@testable import NeuralNet

struct LossTests {
    let predicted = randomTensor([4, 3], seed: 21)
    let target = randomTensor([4, 3], seed: 22)
    let probabilities = randomTensor([4, 3], in: 0.05..<0.95, seed: 23)
    let binaryTargets = Tensor([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]])
    let oneHot = Tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])
    let indices = Tensor([0, 2, 1, 2])

    @Test func gradientsMatchFiniteDifferences() {
        expectGradientsMatch([predicted]) { meanSquaredError(predicted: $0[0], expected: target) }
        expectGradientsMatch([predicted]) { meanAbsoluteError(predicted: $0[0], expected: target) }
        expectGradientsMatch([probabilities]) { binaryCrossEntropy(predicted: $0[0], expected: binaryTargets) }
        expectGradientsMatch([probabilities]) { categoricalCrossEntropy(predicted: $0[0], expected: oneHot) }
        expectGradientsMatch([predicted]) { softmaxCrossEntropy(logits: $0[0], labels: oneHot) }
        expectGradientsMatch([predicted]) { softmaxCrossEntropy(logits: $0[0], labels: probabilities / 2) }
        expectGradientsMatch([predicted]) { sparseSoftmaxCrossEntropy(logits: $0[0], labels: indices) }
        expectGradientsMatch([predicted]) { sigmoidCrossEntropy(logits: $0[0], labels: binaryTargets) }
        expectGradientsMatch([predicted * 4]) { sigmoidCrossEntropy(logits: $0[0], labels: probabilities) * 2 }
    }

    @Test func sigmoidCrossEntropyFromLogitsIsStableAndKeepsItsGradient() throws {
        // The same value as binary cross-entropy of the sigmoid, where that is accurate.
        let logits = Variable(predicted * 3)
        let composed = binaryCrossEntropy(predicted: logits.sigmoid(), expected: binaryTargets).value.scalar
        #expect(abs(sigmoidCrossEntropy(logits: logits, labels: binaryTargets).value.scalar - composed) < 1e-5)
        // Confidently wrong logits of ±1e4: a finite loss of about |z| and a gradient of ±1/n.
        let extreme = Variable(Tensor([[1e4], [-1e4], [1e4], [-1e4]]), requiresGradient: true)
        let loss = sigmoidCrossEntropy(logits: extreme, labels: Tensor([[0], [1], [1], [0]]))
        #expect(abs(loss.value.scalar - 5e3) < 1)
        loss.backward()
        #expect(extreme.gradient == Tensor([[0.25], [-0.25], [0], [0]]))
        #expect(Loss.binaryCrossEntropy(fromLogits: true) == .sigmoidCrossEntropy)
        #expect(Loss.binaryCrossEntropy(fromLogits: false) == .binaryCrossEntropy)
        #expect(try Loss(named: "binary_crossentropy_from_logits") == .sigmoidCrossEntropy)
        #expect(try Loss(named: "sigmoidCrossEntropy") == .sigmoidCrossEntropy)
    }

    @Test func aLogitClassifierTrainsWithSigmoidCrossEntropy() throws {
        let x = randomTensor([32, 2], seed: 5)
        let y = Tensor(shape: [32, 1], scalars: (0..<32).map { x[$0, 0] + x[$0, 1] > 0 ? 1 : 0 })
        let model = Sequential([Dense(2, 1)], loss: .binaryCrossEntropy(fromLogits: true),
                               optimizer: SGD(learningRate: 0.5), metrics: [.accuracy])
        let history = try model.fit(x, y, epochs: 40, batchSize: 8, seed: 1, progress: .silent)
        #expect(history["accuracy"].last! > 0.9)
        #expect(try model.evaluate(x, y).confusionMatrix?.classes == 2)
    }

    @Test func aLossInsideALargerExpressionScalesItsGradient() {
        // The fused losses keep their gradient for an upstream of 1; any other upstream scales it.
        expectGradientsMatch([predicted]) { meanSquaredError(predicted: $0[0], expected: target) * 3 }
        expectGradientsMatch([predicted]) { softmaxCrossEntropy(logits: $0[0], labels: oneHot) * -0.5 }
        let x = Variable(Tensor([[1, 2]]), requiresGradient: true)
        (meanSquaredError(predicted: x, expected: Tensor([[0, 0]])) * 2).backward()
        #expect(x.gradient == Tensor([[2, 4]]))      // 2 · 2(x - 0) / 2
    }

    @Test func valuesMatchTheirDefinitions() {
        let p = Variable(Tensor([[1, 2], [3, 4]]))
        let y = Tensor([[1, 0], [3, 2]])
        #expect(meanSquaredError(predicted: p, expected: y).value.scalar == 2)       // (0 + 4 + 0 + 4) / 4
        #expect(meanAbsoluteError(predicted: p, expected: y).value.scalar == 1)
        let logits = Variable(Tensor([[2, 1, 0]]))
        let expected = -log(exp(Float(2)) / (exp(2) + exp(1) + exp(0)))
        #expect(abs(softmaxCrossEntropy(logits: logits, labels: Tensor([[1, 0, 0]])).value.scalar - expected) < 1e-6)
        #expect(abs(sparseSoftmaxCrossEntropy(logits: logits, labels: Tensor([0])).value.scalar - expected) < 1e-6)
    }

    @Test func softmaxCrossEntropyIsStableForHugeLogits() {
        let logits = Variable(Tensor([[1000, -1000]]), requiresGradient: true)
        let loss = softmaxCrossEntropy(logits: logits, labels: Tensor([[0, 1]]))
        #expect(loss.value.scalar == 2000)
        loss.backward()
        #expect(logits.gradient == Tensor([[1, -1]]))
    }

    @Test func saturatedProbabilitiesGiveFiniteLosses() {
        let loss = binaryCrossEntropy(predicted: Variable(Tensor([0, 1])), expected: Tensor([1, 0]))
        #expect(loss.value.scalar.isFinite)
    }

    @Test func namesIncludeKerasAndShortForms() throws {
        #expect(try Loss(named: "mse") == .meanSquaredError)
        #expect(try Loss(named: "mean_squared_error") == .meanSquaredError)
        #expect(try Loss(named: "sparse_categorical_crossentropy") == .sparseSoftmaxCrossEntropy)
        #expect(try Loss(named: "BCE") == .binaryCrossEntropy)
        let literal: Loss = "mae"
        #expect(literal == .meanAbsoluteError)
        #expect(throws: NeuralNetError.unknownName(kind: "loss", name: "mss", validNames: Loss.validNames)) {
            try Loss(named: "mss")
        }
    }

    @Test func targetsOfTheWrongShapeAreRejectedWithAHint() {
        #expect(throws: NeuralNetError.self) {
            try Loss.meanSquaredError.validate(outputShape: [1], targets: Tensor([[1, 2]]))
        }
        do {
            try Loss.softmaxCrossEntropy.validate(outputShape: [10], targets: Tensor([1, 2, 3]))
            Issue.record("class indices were accepted for one-hot softmax cross-entropy")
        } catch {
            #expect("\(error)".contains("sparseSoftmaxCrossEntropy"))
        }
        do {
            try Loss.sparseSoftmaxCrossEntropy.validate(outputShape: [3], targets: Tensor([0, 5]))
            Issue.record("label 5 was accepted for 3 classes")
        } catch {
            #expect("\(error)".contains("label 5.0 is not a class index in 0..<3"))
        }
    }
}
