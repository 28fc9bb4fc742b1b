/// A stack of layers, each feeding the next; the loss is chosen when the model is made.
///
/// ```swift
/// let net = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1))
/// net.add(Dense(2, 3))
/// net.add(Activation("tanh"))
///
/// let built = Sequential(loss: "mse") {
///     Dense(2, 8, activation: .relu)
///     Dense(8, 1, activation: .sigmoid)
/// }
/// ```
///
/// Parameters are named by layer index and field: `"0.weight"`, `"0.bias"`, `"2.weight"`. A
/// layer object placed twice is one set of parameters, named after its first place.
public final class Sequential: Network {
    // Set only by `init` and `add(_:)`, whose writes call nothing that reads it, so no
    // access can overlap another: the run-time exclusivity check on every step is skipped.
    /// The layers, in order.
    @exclusivity(unchecked) public private(set) var layers: [any Layer]
    /// The loss minimised by `fit`, fixed when the model is made.
    public let loss: Loss
    /// `[loss]`: a sequential model has one output.
    public let losses: [Loss]
    /// `[1]`.
    public let lossWeights: [Float] = [1]
    /// The update rule used by `fit`.
    public var optimizer: any Optimizer
    /// Measures reported beside the loss.
    public let metrics: [Metric]
    /// The characters of a character-level language model's ids, if it is one (saved with it).
    public var vocabulary: Vocabulary?
    /// Seeds initialisation, dropout and shuffling; `fit(seed:)` reseeds it.
    public var generator: SeededGenerator {
        get { generatorState }
        set { generatorState = newValue }
    }
    // The generator's storage. Outside code reaches it only through the plain get and set
    // above, and `forward` copies it in and out without calling anything in between, so no
    // two accesses overlap: the run-time checks (a thread-local look-up each, a tenth of a
    // small network's step) are skipped.
    @exclusivity(unchecked) private var generatorState: SeededGenerator
    /// The per-sample input shape, once given or built.
    public private(set) var inputShape: [Int]?
    /// `[inputShape]` once known: given when the model was made, built for data, or declared
    /// by the first layer (`Dense(2, 3)` takes `[2]`).
    public var inputShapes: [[Int]]? { (inputShape ?? layers.first?.declaredInputShape).map { [$0] } }
    /// The per-sample output shape of every layer, once built.
    public private(set) var outputShapes: [[Int]] = []

    /// The output shape of each layer, once built.
    public var layerOutputShapes: [[Int]] { outputShapes }
    private var built = false
    private var cachedParameters: [(name: String, parameter: Parameter)]?

    /// A model of `layers`.
    ///
    /// - Parameters:
    ///   - layers: the layers, in order; a layer object may appear more than once (shared).
    ///   - inputShape: the shape of one sample (batch excluded). When given, `summary()` shows
    ///     every output shape before training and `build()` can check the layers at once;
    ///     otherwise the model is built for the data at the first `fit`.
    ///   - loss: minimised by `fit`.
    ///   - optimizer: the update rule.
    ///   - metrics: reported beside the loss.
    ///   - seed: seeds initialisation and shuffling (`fit(seed:)` can reseed).
    public init(
        _ layers: [any Layer] = [], inputShape: [Int]? = nil, loss: Loss, optimizer: any Optimizer = Adam(),
        metrics: [Metric] = [], seed: UInt64 = 0
    ) {
        self.layers = layers
        self.inputShape = inputShape
        self.loss = loss
        self.losses = [loss]
        self.optimizer = optimizer
        self.metrics = metrics
        self.generatorState = SeededGenerator(seed: seed)
    }

    /// A model whose layers are written in a block: `if` and `for` work inside it.
    public convenience init(
        inputShape: [Int]? = nil, loss: Loss, optimizer: any Optimizer = Adam(), metrics: [Metric] = [],
        seed: UInt64 = 0, @LayerBuilder _ layers: () -> [any Layer]
    ) {
        self.init(layers(), inputShape: inputShape, loss: loss, optimizer: optimizer, metrics: metrics, seed: seed)
    }

    /// Whether the layers have been built for an input shape.
    public var isBuilt: Bool { built }

    /// Appends a layer; it is built with the rest at the next `fit` or `build`.
    public func add(_ layer: any Layer) {
        layers.append(layer)
        built = false
        cachedParameters = nil
    }

    /// Builds the model for samples of `inputShape` (batch excluded) if not already built for
    /// it, and returns the per-sample output shape. Errors name the layer and the shapes.
    @discardableResult
    public func build(inputShape: [Int]) throws -> [Int] {
        if built, inputShape == self.inputShape, let last = outputShapes.last { return last }
        if built || self.inputShape != nil, let expected = self.inputShape, expected != inputShape {
            throw NeuralNetError.shapeMismatch(
                layer: "input of Sequential", expected: "samples of shape \(expected)", actual: inputShape,
                hint: "The model was built for \(expected); pass data of shape [samples] + \(expected)")
        }
        guard !layers.isEmpty else {
            throw NeuralNetError.invalidArgument("Sequential has no layers; add some with add(_:) or in its block")
        }
        try Self.checkSampleShape(inputShape, role: "input of Sequential")
        var shape = inputShape
        var shapes: [[Int]] = []
        for (index, layer) in layers.enumerated() {
            do {
                try layer.checkArgumentsDeep()
                shape = try layer.build(inputShape: shape, generator: &generator)
            } catch let error as NeuralNetError {
                throw error.inLayer("layer \(index),")
            }
            shapes.append(shape)
        }
        self.inputShape = inputShape
        outputShapes = shapes
        built = true
        // Made now, not on first use, so that concurrent predictions only read it.
        cachedParameters = parametersByPath(of: layers.enumerated().map { (String($0.offset), $0.element) })
        return shape
    }

    @discardableResult
    public func build(inputShapes: [[Int]]) throws -> [[Int]] {
        guard inputShapes.count == 1 else {
            throw NeuralNetError.invalidArgument(
                "Sequential takes one input, got \(inputShapes.count) (shapes \(inputShapes)); use Model(inputs:outputs:) for several")
        }
        return [try build(inputShape: inputShapes[0])]
    }

    /// The chain applied to a batch on the tape, dropout drawing from the model's generator.
    /// In `.inference` mode no graph is recorded.
    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        if mode == .inference, Variable.isRecording {
            return try Variable.withoutRecording { try forward(input, mode: mode) }
        }
        var generator = generatorState
        // Inference draws nothing and writes nothing, so several threads may predict at once.
        defer { if mode == .training { generatorState = generator } }
        var x = input
        for (index, layer) in layers.enumerated() {
            do {
                x = try layer.forward(x, mode: mode, generator: &generator)
            } catch let error as NeuralNetError {
                throw error.inLayer("layer \(index),")
            }
        }
        return x
    }

    public func forward(_ inputs: [Variable], mode: Mode) throws -> [Variable] {
        guard inputs.count == 1 else {
            throw NeuralNetError.invalidArgument("Sequential takes one input, got \(inputs.count)")
        }
        return [try forward(inputs[0], mode: mode)]
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        if let cachedParameters { return cachedParameters }
        let named = parametersByPath(of: layers.enumerated().map { (String($0.offset), $0.element) })
        // Layers keep their parameters from the build on, so the list is kept until the next
        // change of layers or build (`trainStep` asks for it every step).
        if built { cachedParameters = named }
        return named
    }

    /// The index of the first place of each layer: `firstPlace[i] == i` unless layer `i` is a
    /// layer object already placed earlier.
    var firstPlaces: [Int] {
        layers.indices.map { index in layers.firstIndex { $0 === layers[index] }! }
    }
}

extension Sequential: CustomStringConvertible {
    public var description: String {
        let body = layers.map { "    \($0)" }.joined(separator: "\n")
        return "Sequential(loss: \(loss.name)) {\n\(body)\n}"
    }
}
