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

    func model(optimizer: any Optimizer, seed: UInt64) -> Sequential {
        switch self {
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

    /// The model, with the optimizer given on the command line (a file's own optimizer otherwise).
    func makeModel(optimizer: String?, learningRate: Float?, seed: UInt64) throws -> any Network {
        if let preset = Preset(rawValue: argument.lowercased()) {
            var spec = OptimizerSpec(type: optimizer ?? "adam")
            if let learningRate { spec.arguments["learningRate"] = .number(Double(learningRate)) }
            return preset.model(optimizer: try spec.makeOptimizer(), seed: seed)
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
