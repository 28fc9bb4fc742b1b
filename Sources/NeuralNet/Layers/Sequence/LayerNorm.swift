import NeuralNetKernels

/// Layer normalisation (Ba et al., 2016) over the last axis of each position:
/// `y = γ ⊙ (x - μ) / √(σ² + ε) + β`, with `μ` and `σ²` the mean and (biased) variance of the
/// position's features. `γ` (`gamma`, PyTorch's `weight`) starts at ones and `β` (`beta`,
/// PyTorch's `bias`) at zeros. Training and inference compute the same thing.
///
/// The forward pass and its gradient are one fused node: with `x̂ = (x - μ)/σ` and
/// `ĝ = g ⊙ γ`, `∂/∂x = (ĝ - mean(ĝ) - x̂ · mean(ĝ ⊙ x̂)) / σ`, `∂/∂γ = Σ g ⊙ x̂`, `∂/∂β = Σ g`.
public final class LayerNorm: Layer {
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// The scale γ, `[features]`.
    public let gamma: Parameter
    /// The shift β, `[features]`.
    public let beta: Parameter
    private let gammaLeaves: ParameterLeaves
    private let betaLeaves: ParameterLeaves

    /// Layer normalisation with PyTorch's default `epsilon`.
    public init(epsilon: Float = 1e-5) {
        self.epsilon = epsilon
        gamma = Parameter(.zeros([0]))
        beta = Parameter(.zeros([0]))
        gammaLeaves = ParameterLeaves(gamma)
        betaLeaves = ParameterLeaves(beta)
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard let last = inputShape.last, last > 0 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "samples with a feature axis", actual: inputShape)
        }
        if gamma.count == 0 {
            gamma.value = .ones([last])
            beta.value = .zeros([last])
        } else if gamma.count != last {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "\(gamma.count) features on the last axis", actual: inputShape)
        }
        return inputShape
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard input.shape.count >= 2, input.shape.last == gamma.count else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[batch, ..., \(gamma.count)]", actual: input.shape)
        }
        return LayerNorm.normalize(input, gamma: gammaLeaves.leaf(), beta: betaLeaves.leaf(), epsilon: epsilon)
    }

    /// The fused normalisation of `x` over its last axis, on the tape (see `Normalization`).
    static func normalize(_ x: Variable, gamma: Variable, beta: Variable, epsilon: Float) -> Variable {
        let input = x.value, scale = gamma.value
        let width = scale.count
        let rows = input.count / width
        let forward = Normalization.layerNorm(input.scalars, gamma: scale.scalars, beta: beta.value.scalars, rows: rows, width: width,
                                              epsilon: epsilon)
        let output = Tensor(shape: input.shape, scalars: forward.output)
        let needX = x.requiresGradient
        return Variable(output, inputs: [x, gamma, beta]) { upstream in
            let (dx, dGamma, dBeta) = Normalization.layerNormBackward(
                upstream.scalars, normalized: forward.normalized, gamma: scale.scalars, inverseDeviation: forward.inverseDeviation,
                rows: rows, width: width, inputGradient: needX)
            return [dx.map { Tensor(shape: input.shape, scalars: $0) }, Tensor(dGamma), Tensor(dBeta)]
        }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("gamma", gamma), ("beta", beta)] }

    public var description: String { gamma.count > 0 ? "LayerNorm(\(gamma.count))" : "LayerNorm()" }
}

extension LayerNorm: SpecifiableLayer {
    public static var typeName: String { "LayerNorm" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let epsilon = try arguments.float("epsilon", default: 1e-5)
        self.init(epsilon: epsilon)
    }

    public var arguments: [String: JSONValue] { ["epsilon": .number(Double(epsilon))] }
}

extension LayerNorm: ArgumentChecked {
    public var argumentProblem: String? {
        guard epsilon > 0 && epsilon.isFinite else {
            return "epsilon must be positive, got \(epsilon); PyTorch's default is 1e-5"
        }
        return nil
    }
}
