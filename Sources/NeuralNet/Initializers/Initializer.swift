/// How a parameter's first value is drawn.
///
/// `fanIn` and `fanOut` are the numbers of inputs and outputs each unit sees (for a dense
/// weight `[inputSize, outputSize]`, exactly those). Never `rand - 0.5`: the variance must shrink
/// with the fan so that activations neither vanish nor explode through the layers.
public enum Initializer: Sendable, Equatable {
    /// Glorot/Xavier uniform: `U(-l, l)` with `l = √(6 / (fanIn + fanOut))`. Suits tanh, sigmoid, linear.
    case glorotUniform
    /// Glorot/Xavier normal: `N(0, 2 / (fanIn + fanOut))`.
    case glorotNormal
    /// He/Kaiming uniform: `U(-l, l)` with `l = √(6 / fanIn)`. Suits the ReLU family.
    case heUniform
    /// He/Kaiming normal: `N(0, 2 / fanIn)`.
    case heNormal
    /// LeCun normal: `N(0, 1 / fanIn)`. Suits SELU.
    case lecunNormal
    /// Every element `value` (`.zeros` is `.constant(0)`).
    case constant(Float)
    /// `U(range)`.
    case uniform(Range<Float>)
    /// `N(mean, standardDeviation²)`.
    case normal(mean: Float, standardDeviation: Float)

    /// All zeros: the default for biases.
    public static let zeros = Initializer.constant(0)
    /// All ones.
    public static let ones = Initializer.constant(1)

    /// A tensor of `shape` drawn from this distribution.
    public func tensor(shape: [Int], fanIn: Int, fanOut: Int, using generator: inout SeededGenerator) -> Tensor {
        let fanIn = Float(max(fanIn, 1)), fanOut = Float(max(fanOut, 1))
        switch self {
        case .glorotUniform:
            let limit = (6 / (fanIn + fanOut)).squareRoot()
            return Tensor(randomUniform: shape, in: -limit..<limit, using: &generator)
        case .glorotNormal:
            return Tensor(randomNormal: shape, standardDeviation: (2 / (fanIn + fanOut)).squareRoot(), using: &generator)
        case .heUniform:
            let limit = (6 / fanIn).squareRoot()
            return Tensor(randomUniform: shape, in: -limit..<limit, using: &generator)
        case .heNormal:
            return Tensor(randomNormal: shape, standardDeviation: (2 / fanIn).squareRoot(), using: &generator)
        case .lecunNormal:
            return Tensor(randomNormal: shape, standardDeviation: (1 / fanIn).squareRoot(), using: &generator)
        case .constant(let value):
            return Tensor(repeating: value, shape: shape)
        case .uniform(let range):
            return Tensor(randomUniform: shape, in: range, using: &generator)
        case .normal(let mean, let standardDeviation):
            return Tensor(randomNormal: shape, mean: mean, standardDeviation: standardDeviation, using: &generator)
        }
    }

    /// The usual initialiser for weights feeding `activation`: He for the ReLU family,
    /// LeCun for SELU, Glorot otherwise.
    public static func defaultWeights(for activation: Activation) -> Initializer {
        if activation.isReluFamily { return .heUniform }
        if activation.kind == .selu { return .lecunNormal }
        return .glorotUniform
    }
}
