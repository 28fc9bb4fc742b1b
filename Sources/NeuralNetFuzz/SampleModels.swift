import Foundation
import NeuralNet

extension FuzzTarget {
    /// Small models of every layer family, whose files and JSON seed the corpora.
    static func sampleModels() throws -> [any Network] {
        let mlp = Sequential([Dense(8, activation: .relu), Dropout(0.1), Dense(3)], inputShape: [4],
                             loss: .sparseSoftmaxCrossEntropy, optimizer: SGD(learningRate: 0.1, momentum: 0.9), metrics: [.accuracy])
        let cnn = Sequential([Conv2D(filters: 2, kernelSize: 3, padding: .same, activation: .relu), BatchNorm(), MaxPool2D(2),
                              Flatten(), Dense(2)], inputShape: [6, 6, 1], loss: .sparseSoftmaxCrossEntropy)
        let text = Sequential([Embedding(vocabularySize: 7, dimensions: 4), LSTM(units: 4, returnSequences: true),
                               TransformerBlock(heads: 2, dimensions: 4), Dense(7)],
                              inputShape: [5], loss: .sparseSoftmaxCrossEntropy)
        let a = Input(shape: [4]), b = Input(shape: [4])
        let shared = Dense(4, activation: .tanh)
        let joined = Concatenate(axis: -1)([shared(a), shared(b)])
        let graph = Model(inputs: [a, b], outputs: [Dense(1)(joined), Add()([shared(a), shared(b)])], losses: [.meanSquaredError, .meanSquaredError])
        let models: [any Network] = [mlp, cnn, text, graph]
        for model in models { try model.build() }
        return models
    }

    /// A new, empty directory of one corpus maker's own, which it removes when done. Each maker
    /// needs its own: the tests make several corpora at once, and one directory shared by
    /// process (`nn-fuzz-corpus-PID`) was removed by one maker while another still wrote to it.
    static func corpusDirectory(for name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("nn-fuzz-corpus-\(name)-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A saved model's bytes.
    static func savedModel(in scratch: URL) throws -> [UInt8] {
        let url = scratch.appendingPathComponent("m.safetensors")
        try sampleModels()[0].save(to: url)
        return Array(try Data(contentsOf: url))
    }

    /// Builds `model` and runs one sample of zeros through it, unless a sample is large (the
    /// library accepts large inputs; the fuzzer only keeps each run short).
    static func runOnce(_ model: any Network) throws {
        let shapes = try model.build()
        guard let inputShapes = model.inputShapes, inputShapes.allSatisfy({ $0.reduce(1, *) <= 4096 }),
              shapes.allSatisfy({ $0.reduce(1, *) <= 1 << 16 }), model.parameterCount <= 1 << 20 else { return }
        _ = try model.outputs(for: inputShapes.map { Tensor.zeros([1] + $0) })
    }

    static func checkpointModel() -> Sequential {
        Sequential([Dense(3, activation: .relu), Dense(2)], inputShape: [2], loss: .sparseSoftmaxCrossEntropy,
                   optimizer: Adam(learningRate: 0.01), seed: 1)
    }

    static let checkpointData: Dataset = {
        let x = Tensor(shape: [8, 2], scalars: (0..<16).map { Float($0 % 5) / 5 })
        let y = Tensor(shape: [8], scalars: (0..<8).map { Float($0 % 2) })
        do { return try Dataset(inputs: x, labels: y) } catch { fatalError("the checkpoint target's data: \(error)") }
    }()
}

extension FuzzTarget {
    /// `bytes` compressed by the system's gzip.
    static func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fuzz-gzip-\(getpid())")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(atPath: url.path + ".gz") }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-f", url.path]
        try gzip.run()
        gzip.waitUntilExit()
        return Array(try Data(contentsOf: URL(fileURLWithPath: url.path + ".gz")))
    }
}
