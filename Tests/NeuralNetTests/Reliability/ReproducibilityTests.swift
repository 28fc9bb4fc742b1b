import Foundation
import Testing
@testable import NeuralNet

/// The same seed gives bit-identical weights and reports, run after run and on any number of
/// threads: every parallel kernel splits its work so that each value is computed the same way
/// whoever computes it, and randomness comes from seeded generators, not from the schedule.
struct ReproducibilityTests {
    /// One training run: the final weights and each epoch's logs.
    static func train(_ makeModel: () -> Sequential, data: Dataset, threads: Int) throws -> (weights: [Tensor], history: [[String: Float]]) {
        try ComputeThreads.$count.withValue(threads) {
            let model = makeModel()
            let history = try model.fit(data, epochs: 2, batchSize: 64, validationSplit: 0.25, seed: 7, progress: .silent)
            return (model.namedParameters.map(\.parameter.value), history.epochs)
        }
    }

    static func data(_ shape: [Int], classes: Int) throws -> Dataset {
        var generator = SeededGenerator(seed: 11)
        let count = shape.reduce(1, *)
        let x = Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: 0...1, using: &generator) })
        let y = Tensor(shape: [shape[0]], scalars: (0..<shape[0]).map { Float($0 % classes) })
        return try Dataset(inputs: x, labels: y)
    }

    // Sizes chosen so that the products are split between threads (at least 2²⁰ multiply-adds).
    static func mlp() -> Sequential {
        Sequential([Dense(256, activation: .relu), Dropout(0.2), Dense(128, activation: .relu), Dense(10)],
                   loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(), metrics: [.accuracy], seed: 3)
    }

    static func cnn() -> Sequential {
        Sequential([Conv2D(filters: 8, kernelSize: 3, padding: .same, activation: .relu), BatchNorm(), MaxPool2D(2),
                    Conv2D(filters: 8, kernelSize: 3, activation: .relu), Flatten(), Dropout(0.1), Dense(4)],
                   loss: .sparseSoftmaxCrossEntropy, optimizer: SGD(learningRate: 0.05, momentum: 0.9), metrics: [.accuracy], seed: 3)
    }

    @Test(arguments: ["mlp", "cnn"])
    func theSameSeedGivesBitIdenticalWeightsAndReportsOnAnyThreadCount(model: String) throws {
        let (make, data) = model == "mlp" ? (Self.mlp, try Self.data([256, 256], classes: 10)) : (Self.cnn, try Self.data([128, 12, 12, 1], classes: 4))
        let reference = try Self.train(make, data: data, threads: 1)
        for threads in [1, 2, 3] {
            let run = try Self.train(make, data: data, threads: threads)
            #expect(run.weights.count == reference.weights.count)
            for (a, b) in zip(run.weights, reference.weights) {
                // Bit patterns, so that even NaN or -0 would have to match.
                #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "\(model) on \(threads) threads")
            }
            #expect(run.history == reference.history, "\(model) on \(threads) threads")
        }
        // And a different seed really changes them: the comparison can fail.
        let other = try ComputeThreads.$count.withValue(2) {
            let m = make()
            try m.fit(data, epochs: 2, batchSize: 64, validationSplit: 0.25, seed: 8, progress: .silent)
            return m.namedParameters.map(\.parameter.value)
        }
        #expect(other != reference.weights)
    }
}

extension ReproducibilityTests {
    @Test func oneSamplePredictionsAreTheSameOnAnyThreadCount() throws {
        // A 784-256 layer on one sample: two threads each sum one half of K.
        let model = Sequential([Dense(256, activation: .relu), Dense(130), Dense(10)], inputShape: [784], loss: .meanSquaredError)
        try model.build()
        let x = randomTensor([1, 784], seed: 9)
        let one = try ComputeThreads.$count.withValue(1) { try model.output(for: x) }
        for threads in [2, 3] {
            let many = try ComputeThreads.$count.withValue(threads) { try model.output(for: x) }
            #expect(many.scalars.map(\.bitPattern) == one.scalars.map(\.bitPattern), "\(threads) threads")
        }
        // Two samples go through the same one-or-two-row path: the first row is the same.
        let pair = Tensor(shape: [2, 784], scalars: x.scalars + x.scalars)
        let two = try ComputeThreads.$count.withValue(2) { try model.output(for: pair) }
        #expect(two.scalars.prefix(10).map(\.bitPattern) == one.scalars.map(\.bitPattern))
    }
}
