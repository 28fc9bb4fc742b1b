import ArgumentParser
import NeuralNet

/// The networks `--model` names. Benchmarks compare them with other libraries, so a preset never
/// changes shape silently.
enum Preset: String, CaseIterable {
    /// Flatten, Dense 784-256 ReLU, Dense 256-128 ReLU, Dense 128-10: 235,146 parameters.
    case mlp
    /// Conv 3×3×32 ReLU, max pool 2, conv 3×3×64 ReLU, max pool 2, Dense 1600-128 ReLU,
    /// Dense 128-10: 225,034 parameters.
    case cnn
    /// LeNet-5 (LeCun et al., 1998) for 28×28 inputs: conv 5×5×6 (same) tanh, average pool 2,
    /// conv 5×5×16 tanh, average pool 2, Dense 400-120 tanh, Dense 120-84 tanh, Dense 84-10:
    /// 61,706 parameters.
    case lenet
    /// A character-level LSTM language model over windows of 128 characters: Embedding 64,
    /// LSTM 256 (every step), LSTM 256 (every step), Dense to the vocabulary.
    case charlstm
    /// A character-level transformer (a small GPT) over 128 characters: Embedding 128, learned
    /// positions, 4 pre-norm causal blocks of 4 heads (dropout 0.1), LayerNorm, Dense to the
    /// vocabulary.
    case chargpt

    /// Whether the preset models text (trained on characters, not images).
    var isText: Bool { self == .charlstm || self == .chargpt }

    /// The context of the text presets, in characters.
    static let textContext = 128

    /// The optimizer a preset trains with unless the command line names one.
    var defaultOptimizer: OptimizerSpec {
        switch self {
        case .mlp, .cnn, .lenet: OptimizerSpec(type: "adam")
        case .charlstm: OptimizerSpec(type: "adam", arguments: ["learningRate": .number(2e-3), "clipNorm": .number(1)])
        case .chargpt:
            OptimizerSpec(type: "adamw", arguments: ["learningRate": .number(3e-3), "weightDecay": .number(0.01), "clipNorm": .number(1)])
        }
    }

    /// The model of a text preset for a vocabulary of `vocabularySize` characters; `dropout`
    /// replaces the transformer's 0.1 (benchmarks use 0).
    func model(optimizer: any Optimizer, seed: UInt64, vocabularySize: Int, dropout: Float = 0.1) -> Sequential {
        let context = Preset.textContext
        switch self {
        case .charlstm:
            return Sequential(inputShape: [context], loss: .sparseSoftmaxCrossEntropy, optimizer: optimizer,
                              metrics: [.accuracy], seed: seed) {
                Embedding(vocabularySize: vocabularySize, dimensions: 64)
                LSTM(units: 256, returnSequences: true)
                LSTM(units: 256, returnSequences: true)
                Dense(vocabularySize)
            }
        case .chargpt:
            return Sequential(inputShape: [context], loss: .sparseSoftmaxCrossEntropy, optimizer: optimizer,
                              metrics: [.accuracy], seed: seed) {
                Embedding(vocabularySize: vocabularySize, dimensions: 128)
                PositionEmbedding(maxLength: context)
                for _ in 0..<4 { TransformerBlock(heads: 4, dimensions: 128, dropout: dropout, causal: true) }
                LayerNorm()
                Dense(vocabularySize)
            }
        case .mlp, .cnn, .lenet:
            return model(optimizer: optimizer, seed: seed)
        }
    }

    func model(optimizer: any Optimizer, seed: UInt64) -> Sequential {
        switch self {
        // The embedded corpus's vocabulary, for summaries without a text.
        case .charlstm, .chargpt:
            model(optimizer: optimizer, seed: seed, vocabularySize: (try? TextDataset.shakespeare(context: 1).vocabulary.count) ?? 76)
        case .mlp:
            Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy, optimizer: optimizer,
                       metrics: [.accuracy], seed: seed) {
                Flatten()
                Dense(784, 256, activation: .relu)
                Dense(256, 128, activation: .relu)
                Dense(128, 10)
            }
        case .cnn:
            Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy, optimizer: optimizer,
                       metrics: [.accuracy], seed: seed) {
                Conv2D(filters: 32, kernelSize: 3, activation: .relu)
                MaxPool2D(2)
                Conv2D(filters: 64, kernelSize: 3, activation: .relu)
                MaxPool2D(2)
                Flatten()
                Dense(128, activation: .relu)
                Dense(10)
            }
        case .lenet:
            Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy, optimizer: optimizer,
                       metrics: [.accuracy], seed: seed) {
                Conv2D(filters: 6, kernelSize: 5, padding: .same, activation: .tanh)
                AvgPool2D(2)
                Conv2D(filters: 16, kernelSize: 5, activation: .tanh)
                AvgPool2D(2)
                Flatten()
                Dense(120, activation: .tanh)
                Dense(84, activation: .tanh)
                Dense(10)
            }
        }
    }
}

/// `--model NAME|FILE.json`: a preset, or an architecture file.
struct ModelChoice {
    let argument: String

    /// The preset named, if the argument names one.
    var preset: Preset? { Preset(rawValue: argument.lowercased()) }

    /// The optimizer: the one given on the command line, else the preset's own.
    func optimizer(named name: String?, learningRate: Float?) throws -> any Optimizer {
        var spec = name.map { OptimizerSpec(type: $0) } ?? preset?.defaultOptimizer ?? OptimizerSpec(type: "adam")
        if let learningRate { spec.arguments["learningRate"] = .number(Double(learningRate)) }
        return try spec.makeOptimizer()
    }

    /// The model, with the optimizer given on the command line (a file's own optimizer otherwise).
    func makeModel(optimizer: String?, learningRate: Float?, seed: UInt64) throws -> any Network {
        if let preset {
            return preset.model(optimizer: try self.optimizer(named: optimizer, learningRate: learningRate), seed: seed)
        }
        guard argument.hasSuffix(".json") else {
            throw ValidationError(
                "unknown model '\(argument)'; expected one of: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")), or a FILE.json")
        }
        var spec = try ModelSpec.read(from: argument)
        if let optimizer { spec.optimizer = OptimizerSpec(type: optimizer) }
        if let learningRate { spec.learningRate = learningRate }
        if spec.inputShape == nil, spec.graph == nil { spec.inputShape = [28, 28, 1] }
        if spec.metrics == nil { spec.metrics = ["accuracy"] }
        return try NeuralNet.makeModel(spec: spec, seed: seed)
    }
}
