import Dispatch
import Foundation
import Synchronization
import Testing
@testable import NeuralNet

/// A trained model answers `predict` from several threads at once with the same results as one
/// thread: inference writes no state (parameter leaves and the parameter list are made when the
/// model is built, dropout and attention draw nothing), and kernels called while the thread
/// pool is busy run on their caller's thread.
struct ConcurrencyTests {
    /// Models of every family with state that training changes: dropout, batch statistics,
    /// attention with dropout, recurrent cells, a graph with a shared layer.
    static func models() throws -> [(name: String, model: any Network, input: Tensor)] {
        var generator = SeededGenerator(seed: 3)
        func random(_ shape: [Int]) -> Tensor {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) })
        }
        let mlp = Sequential([Dense(16, activation: .relu), Dropout(0.5), Dense(4)], inputShape: [8], loss: .sparseSoftmaxCrossEntropy)
        let cnn = Sequential([Conv2D(filters: 3, kernelSize: 3, padding: .same, activation: .relu), BatchNorm(), MaxPool2D(2),
                              Reshape([-1]), Dense(3)], inputShape: [6, 6, 1], loss: .sparseSoftmaxCrossEntropy)
        let text = Sequential([Embedding(vocabularySize: 7, dimensions: 8), PositionEmbedding(maxLength: 5),
                               TransformerBlock(heads: 2, dimensions: 8, dropout: 0.2, causal: true),
                               LSTM(units: 4, returnSequences: true), Dense(7)], inputShape: [5], loss: .sparseSoftmaxCrossEntropy)
        let x = Input(shape: [8])
        let shared = Dense(8, activation: .tanh)
        let graph = Model(inputs: x, outputs: Dense(2)(Concatenate()([shared(x), Dropout(0.3)(shared(x))])), loss: .meanSquaredError)
        let tokens = Tensor(shape: [64, 5], scalars: (0..<320).map { Float($0 * 7 % 7) })
        let models: [(String, any Network, Tensor)] = [
            ("mlp", mlp, random([64, 8])), ("cnn", cnn, random([64, 6, 6, 1])), ("text", text, tokens), ("graph", graph, random([64, 8])),
        ]
        for (_, model, input) in models {
            // A little training first, so that every lazily made state exists as after `fit`.
            let labels = model.losses[0].takesClassIndices
                ? Tensor(shape: input.shape.count == 2 && model === text ? [64, 5] : [64], scalars: (0..<(model === text ? 320 : 64)).map { Float($0 % 3) })
                : random([64, 2])
            try model.fit(input, labels, epochs: 1, batchSize: 16, seed: 1, progress: .silent)
        }
        return models
    }

    @Test func predictionsFromEightThreadsMatchOneThread() throws {
        for (name, model, input) in try Self.models() {
            let expected = try model.output(for: input, batchSize: 16)
            let predictor = try model.predictor()
            let results = Mutex<[Int: Tensor]>([:])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                for _ in 0..<5 {
                    do {
                        let output = try predictor.output(for: input, batchSize: 16)
                        results.withLock { $0[index] = output }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty, "\(name)")
            let outputs = results.withLock { $0 }
            #expect(outputs.count == 8, "\(name)")
            #expect(outputs.values.allSatisfy { $0 == expected }, "\(name): a concurrent prediction differs")
        }
    }
}

extension ConcurrencyTests {
    @Test func theModelItselfMayPredictFromSeveralThreadsWhileNothingTrainsIt() throws {
        for (name, model, input) in try Self.models() {
            let expected = try model.output(for: input, batchSize: 16)
            // The model is not Sendable (training changes it); this test vouches for inference.
            nonisolated(unsafe) let shared = model
            let differing = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                for _ in 0..<4 where (try? shared.output(for: input, batchSize: 16)) != expected {
                    differing.withLock { $0 += 1 }
                }
            }
            #expect(differing.withLock { $0 } == 0, "\(name)")
        }
    }

    @Test func aPredictorKeepsTheWeightsItWasMadeWith() throws {
        let model = Sequential([Dense(3)], inputShape: [2], loss: .meanSquaredError)
        let predictor = try model.predictor()
        let before = try predictor.output(for: Tensor([[1, 2]]))
        try model.fit(Tensor([[1, 2]]), Tensor([[5, 5, 5]]), epochs: 3, progress: .silent)
        #expect(try predictor.output(for: Tensor([[1, 2]])) == before)
        #expect(try model.output(for: Tensor([[1, 2]])) != before)
    }
}
