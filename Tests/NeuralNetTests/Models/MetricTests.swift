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

    /// Accuracy is counted position by position without arrays (a compiled step scores every
    /// batch); it must agree with the class rules that evaluation uses (`trueClasses`,
    /// `predictedClasses`): ties and NaN in scores and one-hot rows, a sequence's positions
    /// with an ignored label, binary probabilities and logits.
    @Test func accuracyAgreesWithTheClassRules() {
        var generator = SeededGenerator(seed: 12)
        func reference(_ output: Tensor, _ targets: Tensor, _ loss: Loss) -> Double {
            let classes = Metric.classCount(of: output)
            let truth = Metric.trueClasses(targets: targets, classes: classes, loss: loss)
            let predicted = Metric.predictedClasses(output: output, loss: loss)
            let counted = truth.indices.filter { truth[$0] != loss.ignoredIndex }
            return Double(counted.filter { predicted[$0] == truth[$0] }.count) * (Double(output.dimensions[0]) / Double(max(counted.count, 1)))
        }
        // Scores drawn from a few values, so that ties are common; one NaN.
        func scores(_ shape: [Int]) -> Tensor {
            var values = (0..<shape.reduce(1, *)).map { _ in Float(Int.random(in: 0...3, using: &generator)) / 4 }
            values[1] = .nan
            return Tensor(shape: shape, scalars: values)
        }
        for _ in 0..<20 {
            let sequence = scores([3, 4, 5])
            let labels = Tensor(shape: [3, 4], scalars: (0..<12).map { _ in Float(Int.random(in: 0..<5, using: &generator)) })
            for loss in [Loss.sparseSoftmaxCrossEntropy, .sparseSoftmaxCrossEntropy(ignoring: 2)] {
                #expect(Metric.accuracy.correctCount(output: sequence, targets: labels, loss: loss) == reference(sequence, labels, loss))
            }
            let (rows, oneHot) = (scores([6, 3]), scores([6, 3]))
            #expect(Metric.accuracy.correctCount(output: rows, targets: oneHot, loss: .softmaxCrossEntropy)
                == reference(rows, oneHot, .softmaxCrossEntropy))
            let (binary, truth) = (scores([6, 1]) - 0.3, scores([6, 1]))
            for loss in [Loss.binaryCrossEntropy, .sigmoidCrossEntropy] {
                #expect(Metric.accuracy.correctCount(output: binary, targets: truth, loss: loss) == reference(binary, truth, loss))
            }
        }
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

struct RegressionMetricTests {
    @Test func errorsAreMeansOverEveryElement() throws {
        // A model that outputs its input: the errors are those of x against y.
        let x = Tensor([[1, 2], [3, 4], [5, 6]]), y = Tensor([[1, 0], [3, 5], [2, 6]])
        let identity = Sequential([Flatten()], inputShape: [2], loss: .meanSquaredError,
                                  metrics: [.meanAbsoluteError, .meanSquaredError, .rootMeanSquaredError])
        let scores = try identity.evaluate(x, y, batchSize: 2)
        #expect(abs(scores["mean_absolute_error"]! - 6 / 6) < 1e-6)       // |0|+|2|+|0|+|1|+|3|+|0|
        #expect(abs(scores["mean_squared_error"]! - 14 / 6) < 1e-6)
        #expect(abs(scores["root_mean_squared_error"]! - (Float(14) / 6).squareRoot()) < 1e-6)
        #expect(try Metric(named: "mae") == .meanAbsoluteError)
        #expect(try Metric(named: "RMSE") == .rootMeanSquaredError)
        #expect(Metric.lowerIsBetter("val_mean_absolute_error") && !Metric.lowerIsBetter("val_accuracy"))
    }

    @Test func kerasHabitsCompile() throws {
        let x = randomTensor([20, 3]), y = randomTensor([20, 1], seed: 2)
        let model = Sequential(inputShape: [3], loss: .meanSquaredError, metrics: [.meanAbsoluteError]) {
            Dense(4, activation: .relu)
            Dense(1)
        }
        let history = try model.fit(x, y, epochs: 5, batchSize: 32, validationSplit: 0.2, progress: .silent)
        #expect(history["val_mean_absolute_error"].count == 5)
        model.layers[0].isTrainable = false
        #expect(throws: NeuralNetError.self) { try model.fit(x, y, validation: (x, y), validationSplit: 0.2, progress: .silent) }
        #expect(throws: NeuralNetError.self) { try model.fit(x, y, validationSplit: 1, progress: .silent) }
        // The held-out part is the last samples, before shuffling.
        let (train, held) = try Sequential.heldOut(0.25, of: try Dataset(inputs: x, labels: y), validation: nil)
        #expect(train.count == 15 && held!.inputs == x[15..<20])
    }
}

struct SetupWarningTests {
    @Test func aSoftmaxBeforeALogitsLossIsNamed() {
        let wrong = Sequential(inputShape: [3], loss: .sparseSoftmaxCrossEntropy) { Dense(4, activation: .softmax) }
        #expect(wrong.setupWarnings().first?.contains("ends in a softmax (Dense(? → 4, softmax)) but the loss sparseSoftmaxCrossEntropy expects logits") == true)
        let right = Sequential(inputShape: [3], loss: .categoricalCrossEntropy) { Dense(4, activation: .softmax) }
        #expect(right.setupWarnings().isEmpty)
        let input = Input(shape: [3])
        let graph = Model(inputs: input, outputs: [Activation(.softmax)(Dense(2)(input)), Dense(1)(input)],
                          losses: [.softmaxCrossEntropy, .meanSquaredError])
        #expect(graph.setupWarnings().count == 1 && graph.setupWarnings()[0].contains("output 0"))
    }
}
