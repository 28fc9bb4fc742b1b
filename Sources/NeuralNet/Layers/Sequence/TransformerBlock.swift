/// A pre-norm transformer block (GPT-2's arrangement), an ordinary layer made of layers:
///
/// ```
/// x = x + dropout(attention(norm1(x)))
/// x = x + dropout(feedForward2(gelu(feedForward1(norm2(x)))))
/// ```
///
/// on `[batch, time, dimensions]`, with a feed-forward width of `4 · dimensions` unless given.
/// Its parameters are named by path: `attention.qkvWeight`, `norm1.gamma`, `feedForward1.weight`.
public final class TransformerBlock: Layer {
    /// The number of attention heads.
    public let heads: Int
    /// The width of the sequence.
    public let dimensions: Int
    /// The hidden width of the feed-forward part.
    public let feedForwardWidth: Int
    /// The dropout rate after the attention and the feed-forward part (and on attention weights).
    public let dropout: Float
    /// Whether attention is causal.
    public let causal: Bool
    /// The normalisation before attention.
    public let norm1: LayerNorm
    /// The self-attention.
    public let attention: MultiHeadAttention
    /// The normalisation before the feed-forward part.
    public let norm2: LayerNorm
    /// `dimensions → feedForwardWidth`, GELU.
    public let feedForward1: Dense
    /// `feedForwardWidth → dimensions`.
    public let feedForward2: Dense
    private let residualDropout: Dropout

    /// A block of `heads` heads over sequences of width `dimensions`.
    public init(heads: Int, dimensions: Int, feedForwardWidth: Int? = nil, dropout: Float = 0, causal: Bool = false) {
        let hidden = feedForwardWidth ?? placeholderSize(dimensions, times: 4)
        self.heads = heads
        self.dimensions = dimensions
        self.feedForwardWidth = hidden
        self.dropout = dropout
        self.causal = causal
        norm1 = LayerNorm()
        attention = MultiHeadAttention(heads: heads, dimensions: dimensions, dropout: dropout, causal: causal)
        norm2 = LayerNorm()
        feedForward1 = Dense(dimensions, hidden, activation: .gelu)
        feedForward2 = Dense(hidden, dimensions)
        residualDropout = Dropout(dropout)
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard inputShape.count == 2, inputShape[1] == dimensions else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "[time, \(dimensions)] per sample", actual: inputShape,
                hint: "The block adds its result to its input, so the input's width must be its dimensions")
        }
        var shape = try norm1.build(inputShape: inputShape, generator: &generator)
        shape = try attention.build(inputShape: shape, generator: &generator)
        shape = try norm2.build(inputShape: shape, generator: &generator)
        shape = try feedForward1.build(inputShape: shape, generator: &generator)
        shape = try feedForward2.build(inputShape: shape, generator: &generator)
        _ = try residualDropout.build(inputShape: shape, generator: &generator)
        return inputShape
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        var generator = SeededGenerator(seed: 0)
        return try forward(input, mode: mode, generator: &generator)
    }

    public func forward(_ input: Variable, mode: Mode, generator: inout SeededGenerator) throws -> Variable {
        guard input.shape.count == 3, input.shape[2] == dimensions else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[batch, time, \(dimensions)]", actual: input.shape)
        }
        let attended = try attention.attend(try norm1.forward(input, mode: mode), mode: mode, generator: &generator)
        let x = input + (try residualDropout.forward(attended, mode: mode, generator: &generator))
        let hidden = try feedForward1.forward(try norm2.forward(x, mode: mode), mode: mode)
        let fed = try feedForward2.forward(hidden, mode: mode)
        return x + (try residualDropout.forward(fed, mode: mode, generator: &generator))
    }

    public var children: [(name: String, layer: any Layer)] {
        [("norm1", norm1), ("attention", attention), ("norm2", norm2), ("feedForward1", feedForward1), ("feedForward2", feedForward2)]
    }

    public var description: String { "TransformerBlock(heads: \(heads), dimensions: \(dimensions)\(causal ? ", causal" : ""))" }
}

extension TransformerBlock: SpecifiableLayer {
    public static var typeName: String { "TransformerBlock" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let heads = try arguments.int("heads"), dimensions = try arguments.int("dimensions")
        let hidden = try arguments.optionalInt("feedForwardWidth")
        let dropout = try arguments.float("dropout", default: 0), causal = try arguments.bool("causal", default: false)
        self.init(heads: heads, dimensions: dimensions, feedForwardWidth: hidden, dropout: dropout, causal: causal)
    }

    public var arguments: [String: JSONValue] {
        ["heads": .number(Double(heads)), "dimensions": .number(Double(dimensions)), "feedForwardWidth": .number(Double(feedForwardWidth)),
         "dropout": .number(Double(dropout)), "causal": .bool(causal)]
    }
}
