import Foundation
import Testing
@testable import NeuralNet

struct FreezingTests {
    @Test func aFrozenLayerKeepsItsWeightsAndCountsAsNonTrainable() throws {
        let model = Sequential(inputShape: [3], loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1)) {
            Dense(4, activation: .tanh)
            Dense(2)
        }
        try model.build()
        model.layers[0].isTrainable = false
        #expect(!model.layers[0].isTrainable && model.layers[1].isTrainable)
        let frozen = model.layers[0].parametersByPath.map(\.parameter.value)
        let before = model.layers[1].parametersByPath.map(\.parameter.value)
        try model.fit(randomTensor([8, 3]), randomTensor([8, 2], seed: 2), epochs: 2, batchSize: 4, progress: .silent)
        #expect(model.layers[0].parametersByPath.map(\.parameter.value) == frozen)
        #expect(model.layers[1].parametersByPath.map(\.parameter.value) != before)
        #expect(model.summary().contains("Trainable parameters: 10"))
        #expect(model.summary().contains("Non-trainable parameters: 16"))
        model.layers[0].isTrainable = true
        #expect(model.trainableParameters.count == 4)
    }

    @Test func batchNormStatisticsStayBuffers() {
        let norm = BatchNorm()
        var generator = SeededGenerator(seed: 0)
        _ = try? norm.build(inputShape: [3], generator: &generator)
        #expect(norm.isTrainable)
        norm.isTrainable = false
        #expect(!norm.gamma.isTrainable && !norm.isTrainable)
        norm.isTrainable = true
        #expect(norm.gamma.isTrainable && !norm.runningMean.isTrainable)
    }

    @Test func freezingBeforeTheFirstFitHoldsAndIsSaved() throws {
        let model = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), seed: 3) {
            Dense(4, activation: .tanh)
            Dense(2)
        }
        model.layers[0].isTrainable = false
        try model.fit(randomTensor([8, 3]), randomTensor([8, 2], seed: 2), epochs: 1, batchSize: 4, progress: .silent)
        let fresh = Sequential(loss: .meanSquaredError, seed: 3) { Dense(4, activation: .tanh); Dense(2) }
        try fresh.build(inputShape: [3])
        #expect(model.layers[0].parametersByPath.map(\.parameter.value) == fresh.layers[0].parametersByPath.map(\.parameter.value))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("frozen-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(to: file)
        let loaded = try Sequential.load(from: file)
        #expect(!loaded.layers[0].isTrainable && loaded.layers[1].isTrainable)
        #expect(try model.spec().layers[0].arguments["trainable"] == .bool(false))
        #expect(try model.spec().layers[1].arguments["trainable"] == nil)
    }
}
