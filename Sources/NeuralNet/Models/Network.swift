/// A trainable model: layers that map one or more input batches to one or more outputs, with a
/// loss per output and an optimizer. `Sequential` (a chain) and `Model` (a graph) conform;
/// everything a model offers is written once on this protocol: the training loop (`fit`,
/// `evaluate`, `predict`), `summary()`, and persistence (`save`, `load`, `loadWeights`).
public protocol Network: AnyObject {
    /// The loss of each output, in the order of the outputs.
    var losses: [Loss] { get }
    /// The weight of each output's loss in the total that `fit` minimises.
    var lossWeights: [Float] { get }
    /// The update rule used by `fit`.
    var optimizer: any Optimizer { get set }
    /// Measures reported beside the loss (for each output of a model with several).
    var metrics: [Metric] { get }
    /// The source of randomness for initialisation, dropout and shuffling; seeded by `fit(seed:)`.
    var generator: SeededGenerator { get set }
    /// For a character-level language model, the characters its token ids stand for; saved
    /// with the model, and used by `generate(prompt:length:...)` when none is given.
    var vocabulary: Vocabulary? { get set }
    /// Every parameter with its path (`"0.weight"`), in a stable order; a layer used twice is
    /// listed once.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
    /// The per-sample shape of each input, once known (given when the model was made, or
    /// from the first data it was built for).
    var inputShapes: [[Int]]? { get }

    /// Builds the model for samples of `inputShapes` (batch excluded, one per input) if not
    /// already built for them, and returns the per-sample shape of each output. Errors name the
    /// layer and the shapes.
    @discardableResult
    func build(inputShapes: [[Int]]) throws -> [[Int]]

    /// The model applied to one batch per input, on the tape; one result per output.
    /// Randomness (dropout) is drawn from `generator`.
    func forward(_ inputs: [Variable], mode: Mode) throws -> [Variable]

    /// The model of one input and one output applied to a batch: the training loop's path
    /// for such models, which allocates no arrays. The default calls `forward(_:mode:)` with
    /// lists of one.
    func forward(_ input: Variable, mode: Mode) throws -> Variable

    /// The model as data: architecture, losses, optimizer and metrics. Throws for a layer or
    /// optimizer type that cannot be written (see `SpecifiableLayer`).
    func spec() throws -> ModelSpec

    /// The model a spec describes, with layer and optimizer types looked up in `registry`.
    init(spec: ModelSpec, registry: Registry, seed: UInt64) throws

    /// The rows of `summary()`: one per layer (or layer call).
    func summaryRows() -> [SummaryRow]

    /// The per-sample shape of every layer's output (of every call, for a graph), once built:
    /// what memory checks and batch sizes are computed from. The default reads `summaryRows()`.
    var layerOutputShapes: [[Int]] { get }
}

extension Network {
    public var layerOutputShapes: [[Int]] { summaryRows().compactMap(\.outputShape) }

    /// The number of values all layers output for one sample (saturating at `Int.max`).
    var outputValuesPerSample: Int {
        layerOutputShapes.reduce(0) { total, shape in
            let (sum, overflow) = total.addingReportingOverflow(Dimensions.elementCount(shape) ?? Int.max)
            return overflow ? Int.max : sum
        }
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        let outputs = try forward([input], mode: mode)
        guard outputs.count == 1 else {
            throw NeuralNetError.invalidArgument("\(Self.self) has \(outputs.count) outputs; call forward([inputs]) for all of them")
        }
        return outputs[0]
    }

    /// Whether the model takes one input and gives one output with an unweighted loss, the
    /// case the training loop runs without arrays.
    var isSingleInputAndOutput: Bool { inputShapes?.count == 1 && losses.count == 1 && lossWeights == [1] }

    /// The parameters the optimizer updates.
    public var trainableParameters: [Parameter] {
        namedParameters.map(\.parameter).filter(\.isTrainable)
    }

    /// The number of scalars in all parameters, each shared parameter counted once.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.count } }

    /// Builds the model for the input shapes it was given when made. Errors name the layer and
    /// the shapes, or say that the shapes are not known yet.
    @discardableResult
    public func build() throws -> [[Int]] {
        guard let inputShapes else {
            throw NeuralNetError.invalidArgument(
                "\(Self.self): the input shape is unknown; pass inputShape: when making the model, or call build(inputShape:) "
                    + "(build(inputShapes:) for several inputs)")
        }
        let shapes = try build(inputShapes: inputShapes)
        // The losses and the optimizer are part of the definition a build checks.
        try checkSetup()
        return shapes
    }

    /// The total of each output's weighted loss, and each output's own loss.
    func totalLoss(of outputs: [Variable], targets: [Tensor]) -> (total: Variable, each: [Variable]) {
        let each = zip(losses, zip(outputs, targets)).map { loss, pair in loss(predicted: pair.0, expected: pair.1) }
        // One output with weight 1, the common case, adds no node to the tape.
        if each.count == 1, lossWeights[0] == 1 { return (each[0], each) }
        var total = each[0] * lossWeights[0]
        for index in each.indices.dropFirst() { total = total + each[index] * lossWeights[index] }
        return (total, each)
    }
}

/// Parameters named by path, for models: each layer's under `prefix` (its index or name),
/// each parameter listed once however many times its layer is used.
func parametersByPath(of layers: [(prefix: String, layer: any Layer)]) -> [(name: String, parameter: Parameter)] {
    var seen = Set<ObjectIdentifier>()
    var result: [(name: String, parameter: Parameter)] = []
    for (prefix, layer) in layers { layer.collectParameters(prefix: prefix + ".", seen: &seen, into: &result) }
    return result
}
