/// Batch normalisation (Ioffe & Szegedy, 2015) over the last axis (channels or features):
/// `y = γ · (x - μ) / √(σ² + ε) + β`.
///
/// In training, `μ` and `σ²` are the batch's mean and (biased) variance over every axis but the
/// last, and the running statistics move towards them:
/// `running ← momentum · running + (1 - momentum) · batch`. In inference the running statistics
/// are used. `γ` and `β` are trained; the running statistics are saved but not trained.
public final class BatchNorm: Layer {
    /// The scale γ, `[features]`.
    public let gamma: Parameter
    /// The shift β, `[features]`.
    public let beta: Parameter
    /// The running mean, `[features]` (not trained).
    public let runningMean: Parameter
    /// The running variance, `[features]` (not trained).
    public let runningVariance: Parameter
    /// How much of the running statistics each batch keeps.
    public let momentum: Float
    /// Added to the variance before the square root.
    public let epsilon: Float
    private let gammaLeaves: ParameterLeaves
    private let betaLeaves: ParameterLeaves

    /// The defaults are Keras's.
    public init(momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(.zeros([0]))
        beta = Parameter(.zeros([0]))
        runningMean = Parameter(.zeros([0]), trainable: false)
        runningVariance = Parameter(.zeros([0]), trainable: false)
        gammaLeaves = ParameterLeaves(gamma)
        betaLeaves = ParameterLeaves(beta)
    }

    /// The number of features normalised, once built.
    public var features: Int? { gamma.count > 0 ? gamma.count : nil }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard let last = inputShape.last else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "samples with at least one axis", actual: inputShape)
        }
        if let features, features != last {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "\(features) features on the last axis", actual: inputShape)
        }
        if features == nil {
            gamma.value = .ones([last])
            beta.value = .zeros([last])
            runningMean.value = .zeros([last])
            runningVariance.value = .ones([last])
        }
        return inputShape
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard input.shape.count >= 2, input.shape.last == features else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "[batch, ..., \(features.map(String.init) ?? "features")]", actual: input.shape)
        }
        let shape = input.shape
        let rows = input.reshaped(to: [-1, shape.last!])
        let normalized: Variable
        if mode == .training {
            let mean = rows.mean(alongAxis: 0)
            let centered = rows - mean
            let variance = centered.squared().mean(alongAxis: 0)
            normalized = centered / (variance + epsilon).squareRoot()
            let keep = momentum
            runningMean.value = runningMean.value * keep + mean.value * (1 - keep)
            runningVariance.value = runningVariance.value * keep + variance.value * (1 - keep)
        } else {
            let scale = (runningVariance.value + epsilon).map { 1 / $0.squareRoot() }
            normalized = (rows - Variable(runningMean.value)) * Variable(scale)
        }
        return (normalized * gammaLeaves.leaf() + betaLeaves.leaf()).reshaped(to: shape)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("gamma", gamma), ("beta", beta), ("runningMean", runningMean), ("runningVariance", runningVariance)]
    }

    public var description: String { "BatchNorm(\(features.map(String.init) ?? "?"))" }
}

extension BatchNorm: ArgumentChecked {
    public var argumentProblem: String? {
        guard momentum >= 0 && momentum <= 1 else {
            return "momentum must be in [0, 1], got \(momentum); Keras's default is 0.99"
        }
        guard epsilon > 0 && epsilon.isFinite else {
            return "epsilon must be positive, got \(epsilon); Keras's default is 0.001"
        }
        return nil
    }
}
