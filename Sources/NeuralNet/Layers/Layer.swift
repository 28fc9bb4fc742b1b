/// Whether a forward pass is for training (dropout active, batch statistics) or inference.
public enum Mode: Sendable, Equatable {
    case training
    case inference
}

/// A building block of a model: a function of one input with named parameters.
///
/// A layer is built once for a per-sample input shape (the batch dimension excluded), which
/// creates its parameters and returns its per-sample output shape; from then on `forward` maps
/// `[batch] + inputShape` to `[batch] + outputShape`. Gradients come from the tape, so a layer
/// only writes its forward pass.
public protocol Layer: AnyObject, CustomStringConvertible {
    /// Prepares the layer for samples of `inputShape` and returns the shape of one output
    /// sample. Parameters are created on the first call, drawing from `generator`; later calls
    /// only check the shape. Throws `NeuralNetError.shapeMismatch` for an unusable input.
    func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int]

    /// The layer applied to a batch.
    func forward(_ input: Variable, mode: Mode) throws -> Variable

    /// The layer's parameters by name (`"weight"`, `"bias"`), in a stable order.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
}

extension Layer {
    /// No parameters, for layers without any.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// The number of scalars in all parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.count } }

    /// The layer applied to a batch, outside any model (inference mode by default).
    /// An unbuilt layer is built for `input`'s per-sample shape first, with seed 0.
    public func callAsFunction(_ input: Tensor, mode: Mode = .inference) throws -> Tensor {
        try callAsFunction(Variable(input), mode: mode).value
    }

    /// The layer applied to a batch on the tape; builds the layer first if needed.
    public func callAsFunction(_ input: Variable, mode: Mode = .inference) throws -> Variable {
        var generator = SeededGenerator(seed: 0)
        guard input.value.rank >= 1 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "a batch [batch, ...]", actual: input.shape)
        }
        _ = try build(inputShape: Array(input.shape.dropFirst()), generator: &generator)
        return try forward(input, mode: mode)
    }
}

/// Builds a list of layers in a `Sequential { ... }` block; `if`, `if`/`else` and `for` work
/// inside it.
@resultBuilder
public enum LayerBuilder {
    /// One layer.
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    /// A list of layers, spliced in.
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    /// The block's layers in order.
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    /// The `if` branch.
    public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
    /// The `else` branch.
    public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
    /// A `for` loop's layers.
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
    /// An `if #available` branch.
    public static func buildLimitedAvailability(_ part: [any Layer]) -> [any Layer] { part }
}
