/// A table of learned vectors looked up by token id: `[batch, time]` ids (whole numbers stored
/// as floats) become `[batch, time, dimensions]`, the rows of `table` `[vocabularySize,
/// dimensions]` (Keras's `Embedding`, PyTorch's `nn.Embedding`, whose `weight` it loads as
/// `table`). The gradient adds into the rows that were looked up.
public final class Embedding: Layer {
    /// How many token ids there are: ids run over `0..<vocabularySize`.
    public let vocabularySize: Int
    /// The length of each vector.
    public let dimensions: Int
    /// The vectors, `[vocabularySize, dimensions]`, initialised from `U(-0.05, 0.05)` as Keras
    /// does (PyTorch's `N(0, 1)` makes the token vectors drown the small position vectors and
    /// block outputs of a pre-norm transformer at first; it trained measurably slower here).
    public let table: Parameter
    private let tableLeaves: ParameterLeaves

    /// An embedding of `vocabularySize` ids into vectors of `dimensions`.
    public init(vocabularySize: Int, dimensions: Int) {
        self.vocabularySize = vocabularySize
        self.dimensions = dimensions
        table = Parameter(.zeros([0, placeholderSize(dimensions)]))
        tableLeaves = ParameterLeaves(table)
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        if table.count == 0 {
            try Parameter.checkRoom(for: [[vocabularySize, dimensions]], layer: description)
            table.value = Initializer.uniform(-0.05..<0.05)
                .tensor(shape: [vocabularySize, dimensions], fanIn: vocabularySize, fanOut: dimensions, using: &generator)
        }
        return inputShape + [dimensions]
    }

    /// The vectors of `input`'s ids; an id that is not a whole number in `0..<vocabularySize`
    /// is an error naming it and its position.
    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        let ids = input.value
        if let bad = ids.scalars.firstIndex(where: { !($0 >= 0 && $0 < Float(vocabularySize) && $0 == $0.rounded()) }) {
            throw NeuralNetError.invalidData(
                "\(description): token id \(ids.scalars[bad]) at position \(bad) of an input of shape \(ids.shape) "
                    + "is not in 0..<\(vocabularySize); encode the text with the model's vocabulary, or make the embedding larger")
        }
        return tableLeaves.leaf().gathering(ids)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("table", table)] }

    public var description: String { "Embedding(\(vocabularySize) → \(dimensions))" }
}

extension Embedding: SpecifiableLayer {
    public static var typeName: String { "Embedding" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let vocabulary = try arguments.int("vocabularySize"), dimensions = try arguments.int("dimensions")
        self.init(vocabularySize: vocabulary, dimensions: dimensions)
    }

    public var arguments: [String: JSONValue] {
        ["vocabularySize": .number(Double(vocabularySize)), "dimensions": .number(Double(dimensions))]
    }
}

extension Embedding: ArgumentChecked {
    public var argumentProblem: String? {
        guard vocabularySize > 0 else {
            return "vocabularySize must be positive, got \(vocabularySize); it is the number of token ids"
        }
        guard dimensions > 0 else { return "dimensions must be positive, got \(dimensions); such as 64" }
        return nil
    }
}
