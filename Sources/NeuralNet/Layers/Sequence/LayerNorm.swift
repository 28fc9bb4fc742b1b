import Foundation

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
        guard epsilon > 0 else { fatalError("LayerNorm epsilon must be positive, got \(epsilon)") }
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

    /// The fused normalisation of `x` over its last axis, on the tape.
    static func normalize(_ x: Variable, gamma: Variable, beta: Variable, epsilon: Float) -> Variable {
        let input = x.value, scale = gamma.value, shift = beta.value
        let width = scale.count
        let rows = input.count / width
        var normalized = [Float].scalars(count: input.count, zeroed: false)
        var inverseDeviation = [Float](repeating: 0, count: rows)
        var output = Tensor(uninitializedDimensions: input.dimensions)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                for row in 0..<rows {
                    let base = row * width
                    var mean: Float = 0
                    for j in 0..<width { mean += x[base + j] }
                    mean /= Float(width)
                    var variance: Float = 0
                    for j in 0..<width {
                        let d = x[base + j] - mean
                        variance += d * d
                    }
                    let inverse = 1 / (variance / Float(width) + epsilon).squareRoot()
                    inverseDeviation[row] = inverse
                    for j in 0..<width {
                        let n = (x[base + j] - mean) * inverse
                        normalized[base + j] = n
                        y[base + j] = n * scale.scalars[j] + shift.scalars[j]
                    }
                }
            }
        }
        let (needX, needGamma, needBeta) = (x.requiresGradient, gamma.requiresGradient, beta.requiresGradient)
        return Variable(output, inputs: [x, gamma, beta]) { upstream in
            var dx = needX ? Tensor(uninitializedDimensions: input.dimensions) : nil
            var dGamma = [Float](repeating: 0, count: width), dBeta = [Float](repeating: 0, count: width)
            upstream.scalars.withUnsafeBufferPointer { g in
                for row in 0..<rows {
                    let base = row * width
                    var meanScaled: Float = 0, meanScaledNormalized: Float = 0
                    for j in 0..<width {
                        let scaled = g[base + j] * scale.scalars[j]
                        meanScaled += scaled
                        meanScaledNormalized += scaled * normalized[base + j]
                        dGamma[j] += g[base + j] * normalized[base + j]
                        dBeta[j] += g[base + j]
                    }
                    guard dx != nil else { continue }
                    meanScaled /= Float(width)
                    meanScaledNormalized /= Float(width)
                    let inverse = inverseDeviation[row]
                    for j in 0..<width {
                        let scaled = g[base + j] * scale.scalars[j]
                        dx!.scalars[base + j] = (scaled - meanScaled - normalized[base + j] * meanScaledNormalized) * inverse
                    }
                }
            }
            return [dx, needGamma ? Tensor(dGamma) : nil, needBeta ? Tensor(dBeta) : nil]
        }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("gamma", gamma), ("beta", beta)] }

    public var description: String { gamma.count > 0 ? "LayerNorm(\(gamma.count))" : "LayerNorm()" }
}

extension LayerNorm: SpecifiableLayer {
    public static var typeName: String { "LayerNorm" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let epsilon = try arguments.float("epsilon", default: 1e-5)
        guard epsilon > 0 else { throw NeuralNetError.invalidArgument("layer LayerNorm: epsilon must be positive, got \(epsilon)") }
        self.init(epsilon: epsilon)
    }

    public var arguments: [String: JSONValue] { ["epsilon": .number(Double(epsilon))] }
}
