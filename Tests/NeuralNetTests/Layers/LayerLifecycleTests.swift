import Testing
@testable import NeuralNet

/// A layer made of layers, as a user would write one: `x + dense2(dense1(x))`.
final class ResidualBlock: Layer {
    let inner: Dense
    let outer: Dense

    init(width: Int) {
        inner = Dense(width, activation: .tanh)
        outer = Dense(width)
    }

    var children: [(name: String, layer: any Layer)] { [("inner", inner), ("outer", outer)] }

    func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        try outer.build(inputShape: try inner.build(inputShape: inputShape, generator: &generator), generator: &generator)
    }

    func forward(_ input: Variable, mode: Mode) throws -> Variable {
        input + (try outer.forward(try inner.forward(input, mode: mode), mode: mode))
    }

    var description: String { "ResidualBlock(\(outer.outputSize))" }
}

struct LayerLifecycleTests {
    @Test func dropoutCalledDirectlyDrawsANewMaskEachCall() throws {
        let dropout = Dropout(0.5)
        let x = Tensor.ones([4, 50])
        let first = try dropout(x, mode: .training)
        let second = try dropout(x, mode: .training)
        #expect(first != second)
        #expect(first.scalars.contains(0) && second.scalars.contains(0))
    }

    @Test func aSeededFitWithDropoutIsReproducible() throws {
        func train() throws -> [Tensor] {
            let model = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1)) {
                Dense(3, 8, activation: .relu)
                Dropout(0.5)
                Dense(1)
            }
            try model.fit(randomTensor([16, 3]), randomTensor([16, 1], seed: 2), epochs: 3, batchSize: 4, seed: 5, progress: .silent)
            return model.namedParameters.map(\.parameter.value)
        }
        #expect(try train() == train())
    }

    @Test func dropoutInAModelDrawsFromTheModelsGenerator() throws {
        let model = Sequential([Dropout(0.5)], inputShape: [40], loss: .meanSquaredError, seed: 1)
        try model.build()
        let start = model.generator
        let x = Variable(Tensor.ones([2, 40]))
        let first = try model.forward(x, mode: .training).value
        let second = try model.forward(x, mode: .training).value
        #expect(first != second)
        model.generator = start
        #expect(try model.forward(x, mode: .training).value == first)
    }

    @Test func callingABuiltLayerNeverRebuildsIt() throws {
        let dense = Dense(3, activation: .tanh)
        let x = randomTensor([2, 4])
        let before = try dense(x)
        let weights = dense.weight.value
        _ = try dense(x)
        #expect(dense.weight.value == weights)
        #expect(try dense(x) == before)
        #expect(throws: NeuralNetError.self) { try dense(randomTensor([2, 5])) }
    }

    @Test func inferenceModeNeverRecords() throws {
        let dense = Dense(4, 2)
        let output = try dense(Variable(randomTensor([3, 4]), requiresGradient: true), mode: .inference)
        #expect(!output.requiresGradient)
        let model = Sequential([dense], loss: .meanSquaredError)
        let outputs = try Variable.withoutRecording { try model.forward([Variable(randomTensor([3, 4]))], mode: .inference) }
        #expect(!outputs[0].requiresGradient)
    }

    @Test func aLayerPlacedTwiceIsOneSetOfParameters() throws {
        let shared = Dense(4, 4, activation: .tanh)
        let model = Sequential([shared, shared, Dense(4, 1)], inputShape: [4], loss: .meanSquaredError)
        try model.build()
        #expect(model.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(model.parameterCount == 20 + 5)
        #expect(model.summary().contains("shared with 0"))
        #expect(model.summary().contains("Total parameters: 25"))
        // Saved once, and loaded back as one layer in two places.
        let path = try temporaryDirectory() + "/shared.safetensors"
        try model.save(to: path)
        let loaded = try Sequential.load(from: path)
        #expect(loaded.layers[0] === loaded.layers[1])
        #expect(loaded.parameterCount == 25)
        let x = randomTensor([5, 4])
        #expect(loaded.predict(x) == model.predict(x))
    }

    @Test func childrenAreNamedByPath() throws {
        let block = ResidualBlock(width: 3)
        let model = Sequential([Dense(2, 3), block, Dense(1)], inputShape: [2], loss: .meanSquaredError)
        try model.build()
        #expect(model.namedParameters.map(\.name) == [
            "0.weight", "0.bias", "1.inner.weight", "1.inner.bias", "1.outer.weight", "1.outer.bias", "2.weight", "2.bias",
        ])
        #expect(block.parameterCount == 2 * (9 + 3))
        // The block's gradient, through both children and the skip connection.
        let x = randomTensor([2, 3])
        expectGradientsMatch([x]) { (try? block.forward($0[0], mode: .training))! }
        let history = try model.fit(randomTensor([8, 2]), randomTensor([8, 1], seed: 3), epochs: 2, batchSize: 4, seed: 1, progress: .silent)
        let finite = history.loss.allSatisfy { $0.isFinite }
        #expect(finite)
    }
}
