import Foundation
import Testing
@testable import NeuralNet

/// Losses and metrics written by the user: closures usable in `fit`, `evaluate` and model files.
struct CustomLossTests {
    /// log(cosh(d)) written with tape operations, so the tape derives its gradient.
    static let logCosh = Loss(name: "log_cosh") { predicted, expected in
        let difference = predicted - Variable(expected)
        return ((difference.exp() + (-1 * difference).exp()) * 0.5).log()
    }

    /// The fraction of outputs within 0.5 of their target.
    static let withinHalf = Metric.custom("within_half") { output, targets in
        Double(zip(output.scalars, targets.scalars).filter { abs($0 - $1) <= 0.5 }.count) / Double(max(output.count, 1))
    }

    @Test func aCustomLossIsAveragedAndGradientChecked() {
        let target = randomTensor([4, 2], seed: 3)
        expectGradientsMatch([randomTensor([4, 2], seed: 2)]) { CustomLossTests.logCosh(predicted: $0[0], expected: target) }
        let predicted = Tensor([[0, 1]]), expected = Tensor([[1, 1]])
        let value = CustomLossTests.logCosh(predicted: Variable(predicted), expected: expected).value
        #expect(value.count == 1)
        #expect(abs(value.scalar - Float(log(cosh(1.0))) / 2) < 1e-6)
    }

    @Test func aCustomLossTrainsAndEvaluates() throws {
        let x = Tensor([[0], [1], [2], [3]]), y = Tensor([[1], [3], [5], [7]])
        let model = Sequential(inputShape: [1], loss: CustomLossTests.logCosh, optimizer: Adam(learningRate: 0.1),
                               metrics: [CustomLossTests.withinHalf, .meanAbsoluteError], seed: 1) { Dense(1) }
        let before = try model.evaluate(x, y)["loss"]!
        let history = try model.fit(x, y, epochs: 150, batchSize: 4, progress: .silent)
        let scores = try model.evaluate(x, y)
        #expect(scores["loss"]! < before / 10)
        #expect(history.epochs.last?["within_half"] == 1)
        #expect(scores["within_half"] == 1)
        #expect(scores["mean_absolute_error"]! < 0.5)
    }

    @Test func aCustomMetricIsTheMeanOverSamples() throws {
        let identity = Sequential([Flatten()], inputShape: [1], loss: .meanSquaredError, metrics: [CustomLossTests.withinHalf])
        let scores = try identity.evaluate(Tensor([[0], [0], [0]]), Tensor([[0], [1], [0.25]]), batchSize: 2)
        #expect(abs(scores["within_half"]! - 2 / 3) < 1e-6)
    }

    @Test func aSavedModelWithCustomLossAndMetricLoadsThroughTheRegistry() throws {
        let model = Sequential(inputShape: [1], loss: CustomLossTests.logCosh, metrics: [CustomLossTests.withinHalf]) { Dense(1) }
        try model.build()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custom-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(to: file)
        do {
            _ = try Sequential.load(from: file)
            Issue.record("a custom loss loaded without being registered")
        } catch {
            #expect("\(error)".contains("log_cosh"))
            #expect("\(error)".contains("registry.register"))
        }
        var registry = Registry.standard
        registry.register(CustomLossTests.logCosh)
        registry.register(CustomLossTests.withinHalf)
        let loaded = try Sequential.load(from: file, registry: registry)
        #expect(loaded.loss == CustomLossTests.logCosh)
        #expect(loaded.metrics == [CustomLossTests.withinHalf])
        #expect(loaded.loss != .meanSquaredError)
    }

    @Test func monitoringCallbacksFollowACustomMetricsDirection() throws {
        let falling = Metric.custom("spread", lowerIsBetter: true) { _, _ in 0 }
        var score = MonitoredScore(key: "val_spread")
        score.learnDirections(from: [falling])
        #expect(score.update(with: ["val_spread": 2]) == true)
        #expect(score.update(with: ["val_spread": 1]) == true)
        #expect(score.update(with: ["val_spread": 3]) == false)
        var rising = MonitoredScore(key: "val_within_half")
        rising.learnDirections(from: [CustomLossTests.withinHalf])
        #expect(rising.update(with: ["val_within_half": 0.5]) == true)
        #expect(rising.update(with: ["val_within_half": 0.25]) == false)
    }

    @Test func aCustomLossChecksTargetShapes() {
        #expect(throws: NeuralNetError.self) {
            try CustomLossTests.logCosh.validate(outputShape: [2], targets: Tensor([[1, 2, 3]]))
        }
        do {
            try Loss.meanSquaredError.validate(outputShape: [1], targets: Tensor([1, 2]))
            Issue.record("targets [2] were accepted for outputs [batch, 1]")
        } catch {
            #expect("\(error)".contains("reshaped(to: [2, 1])"))
            #expect(!"\(error)".contains("class indices"))
        }
    }
}
