/// A layer of several inputs, for graph models: `Add()([a, b])`, `Concatenate(axis: -1)([a, b])`.
///
/// A merge layer is also a `Layer` (its one-input form passes a list of one), so models store,
/// name and save it like any other; `Concatenate` of one input returns it, the element-wise
/// merges ask for two or more.
public protocol MergeLayer: Layer {
    /// Checks the per-sample shapes of the inputs and returns the shape of one output sample.
    func build(inputShapes: [[Int]], generator: inout SeededGenerator) throws -> [Int]

    /// The merge of one batch per input.
    func forward(_ inputs: [Variable], mode: Mode) throws -> Variable
}

extension MergeLayer {
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        try build(inputShapes: [inputShape], generator: &generator)
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable { try forward([input], mode: mode) }

    /// The merge of `inputs` (each `[batch, ...]`), outside any model.
    public func callAsFunction(_ inputs: [Tensor]) throws -> Tensor {
        var generator = SeededGenerator(seed: 0)
        try checkArgumentsDeep()
        _ = try build(inputShapes: inputs.map { Array($0.shape.dropFirst()) }, generator: &generator)
        return try Variable.withoutRecording { try forward(inputs.map { Variable($0) }, mode: .inference).value }
    }
}

/// A merge of inputs of one shape, element by element: `Add`, `Subtract`, `Multiply`, `Average`.
public protocol ElementwiseMerge: MergeLayer {
    /// The number of inputs taken: `nil` for two or more, `2` for `Subtract`.
    static var inputCount: Int? { get }
    /// The layer's name in descriptions and model files.
    static var typeName: String { get }
    /// The result for inputs of equal shapes, on the tape.
    func combine(_ inputs: [Variable]) -> Variable
}

extension ElementwiseMerge {
    public static var inputCount: Int? { nil }

    public func build(inputShapes: [[Int]], generator: inout SeededGenerator) throws -> [Int] {
        let expected = Self.inputCount.map { "\($0) inputs" } ?? "at least 2 inputs"
        guard inputShapes.count == Self.inputCount ?? max(inputShapes.count, 2) else {
            throw NeuralNetError.invalidArgument(
                "\(description): expected \(expected) of one shape, got \(inputShapes.count) (shapes \(inputShapes))")
        }
        guard let first = inputShapes.first, inputShapes.allSatisfy({ $0 == first }) else {
            let shapes = inputShapes.map { "\($0)" }.joined(separator: " and ")
            throw NeuralNetError.invalidArgument(
                "\(description): the inputs must have the same shape per sample, got \(shapes); "
                    + "add a Dense or Reshape layer so that they match")
        }
        return first
    }

    public func forward(_ inputs: [Variable], mode: Mode) throws -> Variable {
        // Equal whole shapes, the common case, are checked without building any array.
        guard let first = inputs.first, inputs.count == Self.inputCount ?? max(inputs.count, 2),
              inputs.allSatisfy({ $0.dimensions == first.dimensions }) else {
            var generator = SeededGenerator(seed: 0)
            _ = try build(inputShapes: inputs.map { Array($0.shape.dropFirst()) }, generator: &generator)
            throw NeuralNetError.invalidArgument("\(description): the inputs have different batch sizes: \(inputs.map(\.shape))")
        }
        return combine(inputs)
    }

    public var description: String { "\(Self.typeName)()" }
}

/// `a + b + ...`, element by element. `a + b` on graph nodes means `Add()([a, b])`.
public final class Add: ElementwiseMerge {
    /// A sum of two or more inputs of one shape.
    public init() {}
    public static var typeName: String { "Add" }
    public func combine(_ inputs: [Variable]) -> Variable { inputs.dropFirst().reduce(inputs[0], +) }
}

/// `a - b`, element by element. `a - b` on graph nodes means `Subtract()([a, b])`.
public final class Subtract: ElementwiseMerge {
    /// The difference of two inputs of one shape.
    public init() {}
    public static var typeName: String { "Subtract" }
    public static var inputCount: Int? { 2 }
    public func combine(_ inputs: [Variable]) -> Variable { inputs[0] - inputs[1] }
}

/// `a ⊙ b ⊙ ...`, element by element. `a * b` on graph nodes means `Multiply()([a, b])`.
public final class Multiply: ElementwiseMerge {
    /// A product of two or more inputs of one shape.
    public init() {}
    public static var typeName: String { "Multiply" }
    public func combine(_ inputs: [Variable]) -> Variable { inputs.dropFirst().reduce(inputs[0], *) }
}

/// `(a + b + ...) / n`, element by element.
public final class Average: ElementwiseMerge {
    /// The mean of two or more inputs of one shape.
    public init() {}
    public static var typeName: String { "Average" }
    public func combine(_ inputs: [Variable]) -> Variable {
        inputs.dropFirst().reduce(inputs[0], +) * (1 / Float(inputs.count))
    }
}
