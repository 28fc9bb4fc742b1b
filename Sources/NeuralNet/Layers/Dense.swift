/// A fully connected layer: `activation(input · weight + bias)`.
/// Input `[batch, inputSize]`, output `[batch, outputSize]`.
///
/// ```swift
/// Dense(784, 256, activation: .relu)   // sizes given
/// Dense(128, activation: "relu")       // input size inferred when the model is built
/// ```
public final class Dense: Layer {
    /// `[inputSize, outputSize]`; empty until the layer is built.
    public let weight: Parameter
    /// `[outputSize]`, or `nil` without bias.
    public let bias: Parameter?
    /// Applied to `input · weight + bias`.
    public let activation: Activation
    /// The number of output features (units).
    public let outputSize: Int
    // Written only by `build`, in plain assignments: the run-time exclusivity check that
    // every forward pass would pay is skipped.
    /// The number of input features, known once given or built.
    @exclusivity(unchecked) public private(set) var inputSize: Int?
    /// Draws the first weights; `nil` chooses from the activation (He for ReLU, Glorot otherwise).
    public let weightInitializer: Initializer
    /// Draws the first biases.
    public let biasInitializer: Initializer
    private let weightLeaves: ParameterLeaves
    private let biasLeaves: ParameterLeaves?

    /// A dense layer with `outputSize` units; `inputSize: nil` infers it at build time.
    public init(
        inputSize: Int?, outputSize: Int, activation: Activation = .linear, useBias: Bool = true,
        weightInitializer: Initializer? = nil, biasInitializer: Initializer = .zeros
    ) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        self.weightInitializer = weightInitializer ?? .defaultWeights(for: activation)
        self.biasInitializer = biasInitializer
        self.weight = Parameter(.zeros([0, placeholderSize(outputSize)]))
        self.bias = useBias ? Parameter(.zeros([0])) : nil
        self.weightLeaves = ParameterLeaves(weight)
        self.biasLeaves = bias.map(ParameterLeaves.init)
    }

    /// `Dense(inputSize, outputSize)`: both sizes given.
    public convenience init(
        _ inputSize: Int, _ outputSize: Int, activation: Activation = .linear, useBias: Bool = true,
        weightInitializer: Initializer? = nil
    ) {
        self.init(inputSize: inputSize, outputSize: outputSize, activation: activation, useBias: useBias,
                  weightInitializer: weightInitializer)
    }

    /// `Dense(units)`: the input size is inferred when the model is built.
    public convenience init(
        _ units: Int, activation: Activation = .linear, useBias: Bool = true, weightInitializer: Initializer? = nil
    ) {
        self.init(inputSize: nil, outputSize: units, activation: activation, useBias: useBias,
                  weightInitializer: weightInitializer)
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard let features = inputShape.last, features > 0 else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "a feature axis [..., features] per sample", actual: inputShape,
                hint: "Dense acts on the last axis of its input; give it samples with at least one feature")
        }
        if let inputSize, inputSize != features {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: inputShape.count == 1 ? "[\(inputSize)] per sample" : "[..., \(inputSize)] per sample",
                actual: inputShape,
                hint: "The previous layer produces \(features) features; use Dense(\(features), \(outputSize)) or Dense(\(outputSize)) to infer it")
        }
        if weight.value.count == 0 {
            let size = features
            try Parameter.checkRoom(for: [[size, outputSize]], layer: description)
            inputSize = size
            weight.value = weightInitializer.tensor(shape: [size, outputSize], fanIn: size, fanOut: outputSize, using: &generator)
            bias?.value = biasInitializer.tensor(shape: [outputSize], fanIn: size, fanOut: outputSize, using: &generator)
        }
        return inputShape.dropLast() + [outputSize]
    }

    /// `activation(input · weight + bias)` on the last axis: `[batch, ..., inputSize]` →
    /// `[batch, ..., outputSize]` (inputs of rank 3 or more go through the multiply as one
    /// `[rows, inputSize]` matrix).
    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        let dimensions = input.dimensions
        guard dimensions.rank >= 2, dimensions[dimensions.rank - 1] == inputSize else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "[batch, ..., \(inputSize.map(String.init) ?? "features")]", actual: input.shape,
                hint: nil)
        }
        if dimensions.rank > 2 {
            let shape = input.shape
            let rows = try forward(input.reshaped(to: [-1, shape[shape.count - 1]]), mode: mode)
            return rows.reshaped(to: shape.dropLast() + [outputSize])
        }
        let weight = weightLeaves.leaf()
        let bias = biasLeaves?.leaf()
        if activation.hasDerivativeFromOutput {
            return input.affine(weight: weight, bias: bias, activation: activation)
        }
        // The bias still joins in the multiply's epilogue; the activation (GELU, ...) follows.
        return input.affine(weight: weight, bias: bias, activation: .linear).activated(by: activation)
    }

    /// `[inputSize]` when the input size was given.
    public var declaredInputShape: [Int]? { inputSize.map { [$0] } }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var description: String {
        let input = inputSize.map(String.init) ?? "?"
        let suffix = activation.kind == .linear ? "" : ", \(activation)"
        return "Dense(\(input) → \(outputSize)\(suffix))"
    }
}

extension Dense: ArgumentChecked {
    public var argumentProblem: String? {
        guard outputSize > 0 else {
            return "units must be positive, got \(outputSize); give the number of outputs, such as Dense(10)"
        }
        guard (inputSize ?? 1) > 0 else {
            return "the input size must be positive, got \(inputSize ?? 0); leave it out to infer it"
        }
        if let problem = activation.argumentProblem { return problem }
        return nil
    }
}
