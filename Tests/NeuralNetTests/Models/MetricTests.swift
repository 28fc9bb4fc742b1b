import Testing
@testable import NeuralNet

struct MetricTests {
    let logits = Tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.4, 0.35, 0.25]])
    let indices = Tensor([1, 1, 2, 2])

    @Test func accuracyWithClassIndicesOneHotAndBinaryTargets() {
        #expect(Metric.accuracy.correctCount(output: logits, targets: indices, loss: .sparseSoftmaxCrossEntropy) == 2)
        let oneHot = Tensor([[0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]])
        #expect(Metric.accuracy.correctCount(output: logits, targets: oneHot, loss: .softmaxCrossEntropy) == 2)
        let binary = Tensor([[0.9], [0.2], [0.6], [0.4]])
        #expect(Metric.accuracy.correctCount(output: binary, targets: Tensor([[1], [0], [0], [0]]), loss: .binaryCrossEntropy) == 3)
    }

    @Test func topKCountsTheTrueClassAmongTheLargest() {
        #expect(Metric.topKAccuracy(2).correctCount(output: logits, targets: indices, loss: .sparseSoftmaxCrossEntropy) == 3)
        #expect(Metric.topKAccuracy(3).correctCount(output: logits, targets: indices, loss: .sparseSoftmaxCrossEntropy) == 4)
    }

    @Test func namesRoundTrip() throws {
        #expect(try Metric(named: "acc") == .accuracy)
        #expect(try Metric(named: "top5") == .topKAccuracy(5))
        #expect(try Metric(named: "top_3_accuracy") == .topKAccuracy(3))
        #expect(Metric.topKAccuracy(5).name == "top5_accuracy")
        #expect(throws: NeuralNetError.self) { try Metric(named: "precision") }
        #expect(throws: NeuralNetError.self) { try Metric(named: "top0") }
    }

    @Test func evaluateGivesEveryScoreAndAConfusionMatrix() throws {
        let model = Sequential(loss: .sparseSoftmaxCrossEntropy, metrics: [.accuracy, .topKAccuracy(2)]) { Dense(3, 3) }
        try model.build(inputShape: [3])
        let dense = model.layers[0] as! Dense
        dense.weight.value = Tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        dense.bias!.value = .zeros([3])
        let scores = try model.evaluate(logits, indices, batchSize: 3)
        #expect(scores["accuracy"] == 0.5)
        #expect(scores["top2_accuracy"] == 0.75)
        #expect(scores["loss"]! > 0)
        let matrix = try #require(scores.confusionMatrix)
        #expect(matrix.counts == [[0, 0, 0], [1, 1, 0], [1, 0, 1]])
        #expect(matrix.accuracy == 0.5)
        #expect(matrix.recall(of: 1) == 0.5)
        #expect(matrix.precision(of: 0) == 0)
        #expect(matrix.description.contains("recall"))
    }
}
