/// Learned position vectors added to a sequence: `[batch, time, d]` becomes
/// `x + table[0..<time]`, with `table` `[maxLength, d]` (GPT-2's `wpe`). A sequence longer than
/// `maxLength` is an error.
public final class PositionEmbedding: Layer {
    /// The longest sequence the table covers.
    public let maxLength: Int
    /// The vectors, `[maxLength, d]`, initialised from `N(0, 0.02²)` as GPT-2 does.
    public let table: Parameter
    private let tableLeaves: ParameterLeaves

    /// Position vectors for sequences of up to `maxLength` steps; their width is the input's.
    public init(maxLength: Int) {
        self.maxLength = maxLength
        table = Parameter(.zeros([0]))
        tableLeaves = ParameterLeaves(table)
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard inputShape.count == 2 else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "sequences [time, features] per sample", actual: inputShape,
                hint: "Put it after an Embedding, whose output is [time, dimensions]")
        }
        try checkLength(inputShape[0])
        if table.count == 0 {
            try Parameter.checkRoom(for: [[maxLength, inputShape[1]]], layer: description)
            table.value = Initializer.normal(mean: 0, standardDeviation: 0.02)
                .tensor(shape: [maxLength, inputShape[1]], fanIn: maxLength, fanOut: inputShape[1], using: &generator)
        } else if table.value.shape[1] != inputShape[1] {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "[time, \(table.value.shape[1])] per sample", actual: inputShape)
        }
        return inputShape
    }

    private func checkLength(_ time: Int) throws {
        guard time <= maxLength else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "at most \(maxLength) steps", actual: [time],
                hint: "Cut the sequence to \(maxLength) steps (the model's context), or make the table longer")
        }
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard input.shape.count == 3, input.shape[2] == table.value.shape.last else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[batch, time, \(table.value.shape.last ?? 0)]", actual: input.shape)
        }
        let time = input.shape[1]
        try checkLength(time)
        let positions = time == maxLength ? tableLeaves.leaf() : tableLeaves.leaf().sliced(0..<time, alongAxis: 0)
        return input + positions
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { [("table", table)] }

    public var description: String { "PositionEmbedding(\(maxLength))" }
}

extension PositionEmbedding: SpecifiableLayer {
    public static var typeName: String { "PositionEmbedding" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let maxLength = try arguments.int("maxLength")
        self.init(maxLength: maxLength)
    }

    public var arguments: [String: JSONValue] { ["maxLength": .number(Double(maxLength))] }
}

extension PositionEmbedding: ArgumentChecked {
    public var argumentProblem: String? {
        guard maxLength > 0 else {
            return "maxLength must be positive, got \(maxLength); give the longest sequence, such as the context"
        }
        return nil
    }
}
