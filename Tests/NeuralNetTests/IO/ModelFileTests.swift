import Foundation
import Testing
@testable import NeuralNet

struct ModelFileTests {
    @Test func aGraphWithTwoInputsTwoOutputsAndASharedLayerRoundTrips() throws {
        let left = Input(shape: [5]), right = Input(shape: [5])
        let encoder = Dense(6, activation: .tanh)
        let joined = Concatenate()([encoder(left), encoder(right)])
        let same = Dense(1, activation: .sigmoid)(Dropout(0.2)(joined))
        let difference = Dense(2)(encoder(left) - encoder(right))
        let model = Model(inputs: [left, right], outputs: [same, difference],
                          losses: [.binaryCrossEntropy, .meanSquaredError], lossWeights: [1, 0.25],
                          optimizer: SGD(learningRate: 0.05, momentum: 0.8, nesterov: true, clipNorm: 2), metrics: [.accuracy])
        let x = [randomTensor([8, 5], seed: 1), randomTensor([8, 5], seed: 2)]
        try model.fit(x, [Tensor(shape: [8, 1], scalars: (0..<8).map { Float($0 % 2) }), randomTensor([8, 2])],
                      epochs: 2, batchSize: 4, seed: 1, progress: .silent)
        let url = URL(fileURLWithPath: try temporaryDirectory() + "/twin.safetensors")
        try model.save(to: url)
        let loaded = try Model.load(from: url)
        #expect(loaded.predict(x) == model.predict(x))
        #expect(loaded.parameterCount == model.parameterCount)
        #expect(loaded.namedParameters.map(\.name) == model.namedParameters.map(\.name))
        #expect(loaded.losses == [.binaryCrossEntropy, .meanSquaredError])
        #expect(loaded.lossWeights == [1, 0.25])
        #expect(loaded.metrics == [.accuracy])
        let encoders = loaded.layers.compactMap { $0 as? Dense }.filter { $0.activation == .tanh }
        #expect(encoders.count == 1)
        let sgd = try #require(loaded.optimizer as? SGD)
        #expect(sgd.learningRate == 0.05 && sgd.momentum == 0.8 && sgd.nesterov && sgd.clipNorm == 2)
        #expect(try loadModel(from: url.path) is Model)
    }

    @Test func everyOptimizerHyperparameterRoundTrips() throws {
        let optimizers: [any Optimizer] = [
            SGD(learningRate: 0.3, momentum: 0.5, nesterov: true, weightDecay: 0.01, clipNorm: 1.5),
            Adam(learningRate: 0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1, clipNorm: 3),
            AdamW(learningRate: 0.004, beta1: 0.85, beta2: 0.95, epsilon: 1e-5, weightDecay: 0.2),
            RMSProp(learningRate: 0.01, rho: 0.7, epsilon: 1e-4, weightDecay: 0.3),
            Adagrad(learningRate: 0.05, epsilon: 1e-8, clipNorm: 0.5),
        ]
        for optimizer in optimizers {
            let spec = try OptimizerSpec.of(optimizer)
            let json = try JSONEncoder().encode(spec)
            let again = try JSONDecoder().decode(OptimizerSpec.self, from: json).makeOptimizer()
            #expect(type(of: again) == type(of: optimizer))
            #expect(try OptimizerSpec.of(again) == spec)
        }
    }

    @Test func unknownTypesAreErrorsThatSayHowToRegisterThem() throws {
        let spec = try ModelSpec.decode(Data(#"{"inputShape": [2], "layers": [{"type": "Dense", "units": 1}], "optimizer": "lamb"}"#.utf8))
        #expect {
            try Sequential(spec: spec)
        } throws: { "\($0)".contains("unknown optimizer type 'lamb'") && "\($0)".contains("register") }
        let custom = Sequential([ResidualBlock(width: 2)], inputShape: [2], loss: .meanSquaredError)
        #expect {
            try custom.save(to: try temporaryDirectory() + "/custom.safetensors")
        } throws: { "\($0)".contains("ResidualBlock") && "\($0)".contains("SpecifiableLayer") }
    }

    @Test func aRegisteredCustomLayerLoads() throws {
        let model = Sequential([Dense(3, 2), Scale(factor: 3)], inputShape: [3], loss: .meanSquaredError)
        try model.build()
        let path = try temporaryDirectory() + "/scaled.safetensors"
        try model.save(to: path)
        #expect(throws: NeuralNetError.self) { try Sequential.load(from: path) }
        var registry = Registry.standard
        registry.register(Scale.self)
        let loaded = try Sequential.load(from: path, registry: registry)
        let x = randomTensor([2, 3])
        #expect(loaded.predict(x) == model.predict(x))
        #expect((loaded.layers[1] as? Scale)?.factor == 3)
    }

    /// A model saved by the version before graph models (Conv2D, Dense, Dropout, SGD with
    /// Nesterov momentum, whose extra settings that version did not save).
    @Test func filesSavedByTheFirstSequentialFormatStillLoad() throws {
        let url = try #require(Bundle.module.url(forResource: "sequential-v1", withExtension: "safetensors", subdirectory: "Fixtures"))
        let model = try Sequential.load(from: url)
        #expect(model.layers.map(\.description) == ["Conv2D(1 → 2, 1×2, relu)", "Flatten()", "Dense(8 → 4, tanh)", "Dropout(0.25)", "Dense(4 → 3)"])
        #expect((model.optimizer as? SGD)?.learningRate == 0.05)
        let x = Tensor(shape: [2, 2, 3, 1], scalars: (0..<12).map { Float($0) / 12 })
        #expect(isClose(model.predict(x), Tensor(shape: [2, 3], scalars: expectedFixtureOutput), tolerance: 1e-6))
        #expect(try Model.load(from: url).predict(x) == model.predict(x))
    }
}

/// A custom layer that multiplies by a constant, saved through `SpecifiableLayer`.
final class Scale: SpecifiableLayer {
    let factor: Float
    init(factor: Float) { self.factor = factor }
    static var typeName: String { "Scale" }
    convenience init(arguments: inout SpecArguments) throws { self.init(factor: try arguments.float("factor")) }
    var arguments: [String: JSONValue] { ["factor": .number(Double(factor))] }
    func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] { inputShape }
    func forward(_ input: Variable, mode: Mode) throws -> Variable { input * factor }
    var description: String { "Scale(\(factor))" }
}

/// What the fixture's model printed for its input when the version before graph models saved it.
let expectedFixtureOutput: [Float] = [0.165916, -0.72802556, -0.026110858, 0.86863863, -1.0249556, 0.7106776]
