import Foundation

/// A whole model written as data: the layers, the input shape and the training setup. It is the
/// format of `nn train --model FILE.json` and the architecture stored in saved models:
///
/// ```json
/// {"inputShape": [28, 28, 1], "loss": "sparse_categorical_crossentropy",
///  "optimizer": "adam", "learningRate": 0.001, "metrics": ["accuracy"],
///  "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 128, "activation": "relu"},
///             {"type": "Dense", "units": 10}]}
/// ```
public struct ModelSpec: Codable, Equatable, Sendable {
    /// The shape of one sample, if known.
    public var inputShape: [Int]?
    /// A loss name (see `Loss.validNames`).
    public var loss: String?
    /// An optimizer name (see `OptimizerName`).
    public var optimizer: String?
    /// The optimizer's learning rate.
    public var learningRate: Float?
    /// Metric names.
    public var metrics: [String]?
    /// The layers, in order.
    public var layers: [LayerSpec]

    /// A spec of `layers` with optional training setup.
    public init(
        layers: [LayerSpec], inputShape: [Int]? = nil, loss: String? = nil, optimizer: String? = nil,
        learningRate: Float? = nil, metrics: [String]? = nil
    ) {
        self.layers = layers
        self.inputShape = inputShape
        self.loss = loss
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.metrics = metrics
    }

    /// The spec in the JSON file at `path`; errors name the file and the faulty field.
    public static func read(from path: String) throws -> ModelSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NeuralNetError.invalidFile(path: path, reason: "the file cannot be read (missing or not permitted)")
        }
        return try decode(data, path: path)
    }

    /// The spec in JSON `data`; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "model JSON") throws -> ModelSpec {
        do {
            return try JSONDecoder().decode(ModelSpec.self, from: data)
        } catch let error as DecodingError {
            throw NeuralNetError.invalidFile(path: path, reason: describe(error))
        }
    }

    /// The spec as pretty-printed JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "not valid JSON at \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension Sequential {
    /// The model a spec describes; unknown names give errors listing the valid ones. The loss
    /// defaults to `sparseSoftmaxCrossEntropy`, the optimizer to Adam.
    public convenience init(spec: ModelSpec, seed: UInt64 = 0) throws {
        let loss = try spec.loss.map(Loss.init(named:)) ?? .sparseSoftmaxCrossEntropy
        let optimizer = try spec.optimizer.map(OptimizerName.init(named:)) ?? .adam
        let metrics = try (spec.metrics ?? []).map(Metric.init(named:))
        let layers = try spec.layers.enumerated().map { index, layer in
            do { return try layer.makeLayer() } catch let error as NeuralNetError {
                throw NeuralNetError.invalidArgument("layer \(index): \(error)")
            }
        }
        self.init(layers, inputShape: spec.inputShape, loss: loss, optimizer: optimizer.make(learningRate: spec.learningRate),
                  metrics: metrics, seed: seed)
    }

    /// This model as data (layers, input shape, loss, optimizer and metrics).
    public func spec() throws -> ModelSpec {
        let optimizerName = OptimizerName.allCases.first { "\(type(of: optimizer))".lowercased() == $0.rawValue }
        return ModelSpec(
            layers: try layers.map(LayerSpec.of), inputShape: inputShape, loss: loss.rawValue,
            optimizer: optimizerName?.rawValue, learningRate: optimizer.learningRate, metrics: metrics.map(\.name))
    }
}
