import Foundation

/// Multi-head scaled dot-product self-attention (Vaswani et al., 2017) over a sequence
/// `[batch, time, width]`:
///
/// ```
/// q, k, v = split(x · Wqkv + bqkv)              each [batch, heads, time, dimensions / heads]
/// a = softmax(q · kᵀ / √(dimensions / heads) + mask)       [batch, heads, time, time]
/// y = concat_heads(dropout(a) · v) · Wout + bout           [batch, time, width]
/// ```
///
/// `causal` hides later positions from each query (a language model); a padding mask
/// `[batch, time]` (1 for a token, 0 for padding) hides padded keys. A query that can see no key
/// at all gets zeros, not NaN. `qkvWeight` is `[width, 3 · dimensions]` (queries, keys, values
/// side by side) and `outputWeight` `[dimensions, width]`.
///
/// In a graph model it takes one input (the sequence) or two (the sequence and its padding
/// mask, an `Input(shape: [time])`).
public final class MultiHeadAttention: MergeLayer {
    /// The number of heads.
    public let heads: Int
    /// The width of the queries, keys and values over all heads.
    public let dimensions: Int
    /// The fraction of attention weights dropped in training.
    public let dropout: Float
    /// Whether each position attends only to itself and earlier ones.
    public let causal: Bool
    /// `[width, 3 · dimensions]`.
    public let qkvWeight: Parameter
    /// `[3 · dimensions]`.
    public let qkvBias: Parameter
    /// `[dimensions, width]`.
    public let outputWeight: Parameter
    /// `[width]`.
    public let outputBias: Parameter
    private let leaves: [ParameterLeaves]
    private var generator: SeededGenerator?

    /// Attention with `heads` heads over `dimensions` features in all (a multiple of `heads`).
    public init(heads: Int, dimensions: Int, dropout: Float = 0, causal: Bool = false) {
        self.heads = heads
        self.dimensions = dimensions
        self.dropout = dropout
        self.causal = causal
        qkvWeight = Parameter(.zeros([0, placeholderSize(dimensions, times: 3)]))
        qkvBias = Parameter(.zeros([0]))
        outputWeight = Parameter(.zeros([placeholderSize(dimensions), 0]))
        outputBias = Parameter(.zeros([0]))
        leaves = [qkvWeight, qkvBias, outputWeight, outputBias].map(ParameterLeaves.init)
    }

    /// The sequences' width once built.
    public var width: Int? { outputBias.count > 0 ? outputBias.count : nil }

    public func build(inputShapes: [[Int]], generator: inout SeededGenerator) throws -> [Int] {
        guard let shape = inputShapes.first, shape.count == 2, inputShapes.count <= 2 else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "a sequence [time, features] per sample (and optionally a padding mask [time])",
                actual: inputShapes.first ?? [])
        }
        if inputShapes.count == 2, inputShapes[1] != [shape[0]] {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "a padding mask [\(shape[0])] per sample", actual: inputShapes[1])
        }
        if self.generator == nil { self.generator = generator.split() }
        if let width {
            guard width == shape[1] else {
                throw NeuralNetError.shapeMismatch(layer: description, expected: "[time, \(width)] per sample", actual: shape)
            }
            return shape
        }
        let width = shape[1]
        try Parameter.checkRoom(for: [[width, 3 * dimensions], [dimensions, width]], layer: description)
        qkvWeight.value = Initializer.glorotUniform.tensor(shape: [width, 3 * dimensions], fanIn: width, fanOut: dimensions, using: &generator)
        qkvBias.value = .zeros([3 * dimensions])
        outputWeight.value = Initializer.glorotUniform.tensor(shape: [dimensions, width], fanIn: dimensions, fanOut: width, using: &generator)
        outputBias.value = .zeros([width])
        return shape
    }

    public func forward(_ inputs: [Variable], mode: Mode) throws -> Variable {
        var own = generator ?? SeededGenerator(seed: 0)
        // Inference draws nothing and writes nothing, so several threads may predict at once.
        defer { if mode == .training { generator = own } }
        return try attend(inputs[0], paddingMask: inputs.count > 1 ? inputs[1].value : nil, mode: mode, generator: &own)
    }

    public func forward(_ input: Variable, mode: Mode, generator: inout SeededGenerator) throws -> Variable {
        try attend(input, paddingMask: nil, mode: mode, generator: &generator)
    }

    /// Self-attention over `input` `[batch, time, width]`, with an optional `paddingMask`
    /// `[batch, time]` (1 for a token, 0 for padding), drawing dropout masks from `generator`.
    public func attend(
        _ input: Variable, paddingMask: Tensor? = nil, mode: Mode, generator: inout SeededGenerator
    ) throws -> Variable {
        guard let width, input.shape.count == 3, input.shape[2] == width else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[batch, time, \(width ?? 0)]", actual: input.shape)
        }
        let (batch, time) = (input.shape[0], input.shape[1])
        if let paddingMask, paddingMask.shape != [batch, time] {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "a padding mask [\(batch), \(time)]", actual: paddingMask.shape)
        }
        let (qkvWeight, qkvBias, outputWeight, outputBias) = (leaves[0].leaf(), leaves[1].leaf(), leaves[2].leaf(), leaves[3].leaf())
        let projected = input.reshaped(to: [batch * time, width]).affine(weight: qkvWeight, bias: qkvBias, activation: .linear)
            .reshaped(to: [batch, time, 3 * dimensions])
        let active = mode == .training && dropout > 0
        let context = projected.attention(
            heads: heads, causal: causal, paddingMask: paddingMask, dropout: active ? dropout : 0,
            dropoutSeed: active ? generator.next() : 0)
        return context.reshaped(to: [batch * time, dimensions]).affine(weight: outputWeight, bias: outputBias, activation: .linear)
            .reshaped(to: [batch, time, width])
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("qkvWeight", qkvWeight), ("qkvBias", qkvBias), ("outputWeight", outputWeight), ("outputBias", outputBias)]
    }

    public var description: String { "MultiHeadAttention(heads: \(heads), dimensions: \(dimensions)\(causal ? ", causal" : ""))" }
}

extension MultiHeadAttention: SpecifiableLayer {
    public static var typeName: String { "MultiHeadAttention" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let heads = try arguments.int("heads"), dimensions = try arguments.int("dimensions")
        let dropout = try arguments.float("dropout", default: 0), causal = try arguments.bool("causal", default: false)
        self.init(heads: heads, dimensions: dimensions, dropout: dropout, causal: causal)
    }

    public var arguments: [String: JSONValue] {
        ["heads": .number(Double(heads)), "dimensions": .number(Double(dimensions)), "dropout": .number(Double(dropout)),
         "causal": .bool(causal)]
    }
}

extension MultiHeadAttention: ArgumentChecked {
    public var argumentProblem: String? {
        guard heads > 0 else { return "heads must be positive, got \(heads)" }
        guard dimensions > 0 && dimensions % heads == 0 && placeholderSize(dimensions, times: 3) > 0 else {
            return "dimensions must be a positive multiple of heads (\(heads)), got \(dimensions); such as \(max(heads, 1) * 16)"
        }
        guard dropout >= 0 && dropout < 1 else { return "dropout must be in [0, 1), got \(dropout)" }
        return nil
    }
}
