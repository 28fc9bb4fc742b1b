/// A trained model's inference, safe to share between threads and tasks.
///
/// A `Network` is a class whose training changes it, so it is not `Sendable`. A predictor is a
/// copy of the model (same architecture and weights, taken when it is made) that offers only
/// inference, which writes no state: any number of threads may call it at once, while the
/// original goes on training.
///
/// ```swift
/// let predictor = try model.predictor()
/// try await withThrowingTaskGroup(of: Tensor.self) { group in
///     for batch in batches { group.addTask { try predictor.output(for: batch) } }
///     for try await output in group { use(output) }
/// }
/// ```
///
/// Calling `predict` or `output(for:)` on the model itself from several threads is also safe
/// while nothing trains it (the tests check both); the predictor makes that a type the
/// compiler can check.
public final class Predictor: @unchecked Sendable {
    // @unchecked: the model is a private copy that nothing else can reach, and the only calls
    // made on it are inference (`outputs(for:)`), which reads the model and writes no state;
    // several threads calling at once is tested in `ConcurrencyTests`.
    private let model: any Network

    /// A predictor of a copy of `network`, built, with the same weights. Throws if the model
    /// cannot be written as a spec (a custom layer type not registered in `registry`).
    public init(copying network: any Network, registry: Registry = .standard) throws {
        try network.build()
        let copy = try makeModel(spec: try network.spec(), registry: registry)
        try copy.loadWeights(network.namedParameters.map { ($0.name, $0.parameter.value) }, source: "the model copied")
        model = copy
    }

    /// The per-sample shape of each input.
    public var inputShapes: [[Int]] { model.inputShapes ?? [] }

    /// The output of a one-input, one-output model for `x` (`[samples, ...]`), in batches of
    /// `batchSize`; throws when `x` does not fit the model.
    public func output(for x: Tensor, batchSize: Int? = nil) throws -> Tensor {
        try model.output(for: x, batchSize: batchSize)
    }

    /// The model's outputs for one tensor per input; throws when they do not fit.
    public func outputs(for inputs: [Tensor], batchSize: Int? = nil) throws -> [Tensor] {
        try model.outputs(for: inputs, batchSize: batchSize)
    }
}

extension Network {
    /// A copy of this model for inference from several threads or tasks at once (see
    /// `Predictor`).
    public func predictor(registry: Registry = .standard) throws -> Predictor {
        try Predictor(copying: self, registry: registry)
    }
}
