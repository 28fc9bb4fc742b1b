/// A graph model: layers called on symbolic nodes, from one or more `Input`s to one or more
/// outputs, as in Keras's functional API.
///
/// ```swift
/// let input = Input(shape: [28, 28, 1])
/// let flat = Flatten()(input)
/// let a = Dense(128, activation: .relu)(flat)
/// let b = Dense(128, activation: .relu)(a)
/// let output = Dense(10)(a + b)                        // a residual connection
/// let model = Model(inputs: input, outputs: output, loss: .sparseSoftmaxCrossEntropy)
/// ```
///
/// The model is built when made (its inputs' shapes are known), from `seed`. A graph that
/// cannot be built (a layer called on a node of the wrong shape, merged shapes that differ, an
/// output that depends on an input not declared) is reported by the first throwing use,
/// `build()`, `fit`, `evaluate` or `save`, naming the layers and shapes; `summary()` shows it.
///
/// Layers are numbered in the order they are first called; parameters are named by that
/// number (`"1.weight"`). A layer called several times is one set of parameters.
public final class Model: Network {
    /// The inputs, in the order `fit` and `predict` take their tensors.
    public let inputs: [Input]
    /// The outputs, in the order of `losses` and of `predict`'s results.
    public let outputs: [Node]
    /// Every layer, once each, in the order of their first call.
    public let layers: [any Layer]
    public let losses: [Loss]
    public let lossWeights: [Float]
    public var optimizer: any Optimizer
    public let metrics: [Metric]
    /// The characters of a character-level language model's ids, if it is one (saved with it).
    public var vocabulary: Vocabulary?
    public var generator: SeededGenerator {
        get { generatorState }
        set { generatorState = newValue }
    }
    // As in `Sequential`: reached from outside only through the plain get and set above, and
    // copied in and out by `forward` without overlapping accesses, so unchecked.
    @exclusivity(unchecked) private var generatorState: SeededGenerator
    /// The calls in the order they run, with the slot of every node and output.
    public let graph: Graph
    /// The per-sample shape of every node (inputs first, then each call), once built.
    public private(set) var nodeShapes: [[Int]] = []
    private(set) var problem: NeuralNetError?
    private var cachedParameters: [(name: String, parameter: Parameter)] = []
    /// For each call, its layer as a merge layer, or nil: found once, not cast every step.
    private let merges: [(any MergeLayer)?]

    /// A model from `inputs` to `outputs` with a loss per output (`losses`) or one `loss` for
    /// all, weighted by `lossWeights` (default: 1 each) in the total that `fit` minimises.
    public init(
        inputs: some NodeGroup, outputs: some NodeGroup, losses: [Loss], lossWeights: [Float]? = nil,
        optimizer: any Optimizer = Adam(), metrics: [Metric] = [], seed: UInt64 = 0
    ) {
        let graph = Graph(inputs: inputs.nodes, outputs: outputs.nodes)
        self.graph = graph
        self.inputs = graph.inputs
        self.outputs = outputs.nodes
        self.layers = graph.layers
        self.merges = graph.calls.map { graph.layers[$0.layer] as? any MergeLayer }
        self.losses = losses.count == 1 ? Array(repeating: losses[0], count: outputs.nodes.count) : losses
        self.lossWeights = lossWeights ?? Array(repeating: 1, count: self.losses.count)
        self.optimizer = optimizer
        self.metrics = metrics
        self.generatorState = SeededGenerator(seed: seed)
        problem = graph.problem ?? checkLosses()
        if problem == nil {
            do { try buildGraph() } catch let error as NeuralNetError { problem = error } catch {
                problem = .invalidArgument("\(error)")
            }
        }
    }

    /// A model whose outputs all use `loss`.
    public convenience init(
        inputs: some NodeGroup, outputs: some NodeGroup, loss: Loss, optimizer: any Optimizer = Adam(),
        metrics: [Metric] = [], seed: UInt64 = 0
    ) {
        self.init(inputs: inputs, outputs: outputs, losses: [loss], lossWeights: nil, optimizer: optimizer,
                  metrics: metrics, seed: seed)
    }

    private func checkLosses() -> NeuralNetError? {
        if losses.count != outputs.count {
            return .invalidArgument("Model: \(outputs.count) outputs need one loss, or one loss each; got \(losses.count) losses")
        }
        if lossWeights.count != outputs.count || !lossWeights.allSatisfy({ $0.isFinite && $0 >= 0 }) {
            return .invalidArgument(
                "Model: lossWeights must be one finite number ≥ 0 per output (\(outputs.count)); got \(lossWeights)")
        }
        return nil
    }

    /// Whether the graph has been built.
    public var isBuilt: Bool { !nodeShapes.isEmpty }

    /// The output shape of each layer call (the inputs excluded), once built.
    public var layerOutputShapes: [[Int]] { Array(nodeShapes.dropFirst(inputs.count)) }

    public var inputShapes: [[Int]]? { inputs.map(\.shape) }

    /// The per-sample shape of each output.
    public var outputShapes: [[Int]] { graph.outputSlots.map { nodeShapes.isEmpty ? [] : nodeShapes[$0] } }

    /// Builds every layer in call order, checking each call's input shapes.
    private func buildGraph() throws {
        var shapes = inputs.map(\.shape)
        for (index, shape) in shapes.enumerated() { try Self.checkSampleShape(shape, role: "input \(index) of Model") }
        for (index, call) in graph.calls.enumerated() {
            let layer = layers[call.layer]
            let given = call.inputSlots.map { shapes[$0] }
            do {
                try layer.checkArgumentsDeep()
                if let merge = merges[index] {
                    shapes.append(try merge.build(inputShapes: given, generator: &generator))
                } else {
                    shapes.append(try layer.build(inputShape: given[0], generator: &generator))
                }
            } catch let error as NeuralNetError {
                throw error.inLayer("layer \(call.label) called on \(graph.describe(call.inputSlots)),")
            }
        }
        nodeShapes = shapes
        cachedParameters = parametersByPath(of: layers.enumerated().map { (String($0.offset), $0.element) })
    }

    @discardableResult
    public func build(inputShapes: [[Int]]) throws -> [[Int]] {
        if let problem { throw problem }
        let expected = inputs.map(\.shape)
        guard inputShapes == expected else {
            throw NeuralNetError.shapeMismatch(
                layer: "inputs of Model", expected: "samples of shapes \(expected)", actual: inputShapes.first ?? [],
                hint: "The model's inputs take \(expected) per sample; the data has \(inputShapes)")
        }
        return outputShapes
    }

    /// The graph applied to one batch per input, on the tape (no graph is recorded in
    /// `.inference` mode); one result per output.
    public func forward(_ inputValues: [Variable], mode: Mode) throws -> [Variable] {
        if let problem { throw problem }
        if mode == .inference, Variable.isRecording {
            return try Variable.withoutRecording { try forward(inputValues, mode: mode) }
        }
        guard inputValues.count == inputs.count else {
            throw NeuralNetError.invalidArgument("Model takes \(inputs.count) inputs, got \(inputValues.count)")
        }
        var generator = generatorState
        // Inference draws nothing and writes nothing, so several threads may predict at once.
        defer { if mode == .training { generatorState = generator } }
        var values = inputValues
        values.reserveCapacity(inputs.count + graph.calls.count)
        for (index, call) in graph.calls.enumerated() {
            let layer = layers[call.layer]
            do {
                if let merge = merges[index] {
                    values.append(try merge.forward(call.inputSlots.map { values[$0] }, mode: mode))
                } else {
                    values.append(try layer.forward(values[call.inputSlots[0]], mode: mode, generator: &generator))
                }
            } catch let error as NeuralNetError {
                throw error.inLayer("layer \(call.label),")
            }
        }
        return graph.outputSlots.map { values[$0] }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { cachedParameters }
}

extension Model: CustomStringConvertible {
    public var description: String {
        let body = graph.calls.map { "    \($0.label): \(layers[$0.layer]) ← \(graph.describe($0.inputSlots))" }
        return "Model(inputs: \(inputs.map(\.shape)), outputs: \(outputs.count)) {\n" + body.joined(separator: "\n") + "\n}"
    }
}
