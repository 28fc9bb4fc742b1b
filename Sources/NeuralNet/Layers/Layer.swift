/// Whether a forward pass is for training (dropout active, batch statistics, a graph recorded
/// for gradients) or inference (no graph).
public enum Mode: Sendable, Equatable {
    case training
    case inference
}

/// A building block of a model: a function of one input with named parameters.
///
/// A layer is built once for a per-sample input shape (the batch dimension excluded), which
/// creates its parameters and returns its per-sample output shape; later builds only check the
/// shape, so calling a layer never re-creates or reseeds it. From then on `forward` maps
/// `[batch] + inputShape` to `[batch] + outputShape`. Gradients come from the tape, so a layer
/// only writes its forward pass.
///
/// A layer made of layers lists them in `children`; its parameters are then named by path
/// (`"block.0.weight"`). A layer object used in several places is one set of parameters.
public protocol Layer: AnyObject, CustomStringConvertible {
    /// Prepares the layer for samples of `inputShape` and returns the shape of one output
    /// sample. Parameters are created on the first call, drawing from `generator`; later calls
    /// only check the shape. Throws `NeuralNetError.shapeMismatch` for an unusable input.
    func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int]

    /// The layer applied to a batch `[batch] + inputShape`.
    func forward(_ input: Variable, mode: Mode) throws -> Variable

    /// The layer applied to a batch, drawing any randomness (dropout masks) from `generator`:
    /// models call this form with their own generator, so a seeded `fit` is reproducible. The
    /// default ignores the generator and calls `forward(_:mode:)`.
    func forward(_ input: Variable, mode: Mode, generator: inout SeededGenerator) throws -> Variable

    /// The layer's own parameters by name (`"weight"`, `"bias"`), in a stable order; those of
    /// its children are found through `children`.
    var namedParameters: [(name: String, parameter: Parameter)] { get }

    /// The layers this layer is made of, by name (`"0"`, `"attention"`); empty for most.
    var children: [(name: String, layer: any Layer)] { get }

    /// The per-sample input shape the layer was given when made (`Dense(784, 256)`: `[784]`),
    /// so that a model starting with it knows its input shape; `nil` for most.
    var declaredInputShape: [Int]? { get }
}

extension Layer {
    /// No parameters, for layers without any.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// No children.
    public var children: [(name: String, layer: any Layer)] { [] }

    /// No declared input shape.
    public var declaredInputShape: [Int]? { nil }

    public func forward(_ input: Variable, mode: Mode, generator: inout SeededGenerator) throws -> Variable {
        try forward(input, mode: mode)
    }

    /// Every parameter of the layer and its children, named by path (`"weight"`,
    /// `"block.0.weight"`). A parameter reached twice (a child used in two places) is listed
    /// once, under the first path.
    public var parametersByPath: [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, parameter: Parameter)] = []
        collectParameters(prefix: "", seen: &seen, into: &result)
        return result
    }

    /// Adds this layer's parameters (then its children's) under `prefix` to `result`,
    /// skipping parameters already in `seen`.
    func collectParameters(
        prefix: String, seen: inout Set<ObjectIdentifier>, into result: inout [(name: String, parameter: Parameter)]
    ) {
        for (name, parameter) in namedParameters where seen.insert(ObjectIdentifier(parameter)).inserted {
            result.append((prefix + name, parameter))
        }
        for (name, child) in children {
            child.collectParameters(prefix: prefix + name + ".", seen: &seen, into: &result)
        }
    }

    /// Whether training updates the layer's parameters (its children's included). Set it to
    /// false to freeze the layer, as Keras's `layer.trainable = False`: the optimizer leaves
    /// its weights alone and `summary()` counts them as non-trainable. `fit` reads it when it
    /// starts. A layer without parameters is always trainable.
    public var isTrainable: Bool {
        get { parametersByPath.allSatisfy { $0.parameter.isTrainable || !$0.parameter.isLearned } }
        set { for (_, parameter) in parametersByPath { parameter.isFrozen = !newValue } }
    }

    /// The number of scalars in all parameters, the children's included, each counted once.
    public var parameterCount: Int { parametersByPath.reduce(0) { $0 + $1.parameter.count } }

    /// The layer applied to a batch, outside any model (inference mode by default).
    /// An unbuilt layer is built for `input`'s per-sample shape first, with seed 0; a built
    /// one is never rebuilt.
    public func callAsFunction(_ input: Tensor, mode: Mode = .inference) throws -> Tensor {
        try callAsFunction(Variable(input), mode: mode).value
    }

    /// The layer applied to a batch on the tape; builds the layer first if needed. In
    /// `.inference` mode no graph is recorded: the result is a constant.
    public func callAsFunction(_ input: Variable, mode: Mode = .inference) throws -> Variable {
        guard input.value.rank >= 1 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "a batch [batch, ...]", actual: input.shape)
        }
        var generator = SeededGenerator(seed: 0)
        try checkArgumentsDeep()
        _ = try build(inputShape: Array(input.shape.dropFirst()), generator: &generator)
        guard mode == .training else {
            return Variable(try Variable.withoutRecording { try forward(input, mode: mode).value })
        }
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
