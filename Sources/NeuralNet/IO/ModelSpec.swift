import Foundation

/// A whole model written as data: the layers, how they connect, and the training setup. It is
/// the format of `nn train --model FILE.json` and the architecture stored in saved models.
///
/// A sequential model lists its layers in order:
///
/// ```json
/// {"inputShape": [28, 28, 1], "loss": "sparse_categorical_crossentropy",
///  "optimizer": {"type": "adam", "learningRate": 0.001}, "metrics": ["accuracy"],
///  "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 128, "activation": "relu"},
///             {"type": "Dense", "units": 10}]}
/// ```
///
/// A graph model adds `graph`: the inputs' shapes, each call of a layer (by its index in
/// `layers`) on nodes numbered inputs first, then one per call in order, and the output nodes:
///
/// ```json
/// {"layers": [{"type": "Dense", "units": 4}, {"type": "Add"}],
///  "graph": {"inputs": [[4], [4]], "calls": [{"layer": 0, "inputs": [0]}, {"layer": 0, "inputs": [1]},
///                                          {"layer": 1, "inputs": [2, 3]}], "outputs": [4]},
///  "loss": "mse"}
/// ```
public struct ModelSpec: Codable, Equatable, Sendable {
    /// The shape of one sample of a sequential model, if known.
    public var inputShape: [Int]?
    /// A loss name for every output (see `Loss.validNames`).
    public var loss: String?
    /// One loss name per output, for a graph model whose outputs differ.
    public var losses: [String]?
    /// The weight of each output's loss (default 1 each).
    public var lossWeights: [Float]?
    /// The optimizer with its hyperparameters (a plain name takes the defaults).
    public var optimizer: OptimizerSpec?
    /// A learning rate that overrides the optimizer's own (command-line use; files of earlier
    /// versions stored it here).
    public var learningRate: Float?
    /// Metric names.
    public var metrics: [String]?
    /// The layers: in order for a sequential model, once each for a graph.
    public var layers: [LayerSpec]
    /// For a sequential model that places one layer object several times: the index in
    /// `layers` of each place, in order.
    public var sequence: [Int]?
    /// How a graph model's layers connect; `nil` for a sequential model.
    public var graph: GraphSpec?
    /// A character-level language model's vocabulary, if any.
    public var vocabulary: Vocabulary?

    /// A spec of `layers` with optional training setup.
    public init(
        layers: [LayerSpec], inputShape: [Int]? = nil, loss: String? = nil, optimizer: OptimizerSpec? = nil,
        learningRate: Float? = nil, metrics: [String]? = nil, losses: [String]? = nil, lossWeights: [Float]? = nil,
        sequence: [Int]? = nil, graph: GraphSpec? = nil
    ) {
        self.layers = layers
        self.inputShape = inputShape
        self.loss = loss
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.metrics = metrics
        self.losses = losses
        self.lossWeights = lossWeights
        self.sequence = sequence
        self.graph = graph
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
        try JSONValue.checkNesting(data, path: path)
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

/// The connections of a graph model (see `ModelSpec`).
public struct GraphSpec: Codable, Equatable, Sendable {
    /// A layer applied to some nodes.
    public struct Call: Codable, Equatable, Sendable {
        /// The index of the layer in `ModelSpec.layers`.
        public var layer: Int
        /// The nodes it is called on: inputs first, then one node per earlier call.
        public var inputs: [Int]

        /// A call of layer `layer` on nodes `inputs`.
        public init(layer: Int, inputs: [Int]) {
            self.layer = layer
            self.inputs = inputs
        }
    }

    /// The shape of one sample of each input.
    public var inputs: [[Int]]
    /// The calls, each after those its inputs come from.
    public var calls: [Call]
    /// The output nodes.
    public var outputs: [Int]

    /// A graph of `inputs`, `calls` and `outputs`.
    public init(inputs: [[Int]], calls: [Call], outputs: [Int]) {
        self.inputs = inputs
        self.calls = calls
        self.outputs = outputs
    }
}

extension ModelSpec {
    /// The losses, metrics and optimizer a spec names; unknown names give errors listing the
    /// valid ones. The loss defaults to `sparseSoftmaxCrossEntropy`, the optimizer to Adam.
    func trainingSetup(outputs: Int, registry: Registry) throws -> (losses: [Loss], optimizer: any Optimizer, metrics: [Metric]) {
        let names = losses ?? [loss ?? Loss.sparseSoftmaxCrossEntropy.name]
        guard names.count == 1 || names.count == outputs else {
            throw NeuralNetError.invalidArgument("model spec: \(names.count) losses for \(outputs) outputs; give one, or one per output")
        }
        var optimizerSpec = optimizer ?? OptimizerSpec(type: "adam")
        if let learningRate { optimizerSpec.arguments["learningRate"] = .number(Double(learningRate)) }
        return (try names.map { try Loss(named: $0, registry: registry) }, try optimizerSpec.makeOptimizer(registry: registry),
                try (metrics ?? []).map { try Metric(named: $0, registry: registry) })
    }

    /// The layers, made from their specs; errors name the layer's index.
    func makeLayers(registry: Registry) throws -> [any Layer] {
        try layers.enumerated().map { index, layer in
            do { return try layer.makeLayer(registry: registry) } catch let error as NeuralNetError {
                throw NeuralNetError.invalidArgument("layer \(index): \(error)")
            }
        }
    }
}
