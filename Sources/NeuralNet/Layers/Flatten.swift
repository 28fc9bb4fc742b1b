/// Flattens each sample to one axis: `[batch, d1, d2, ...] → [batch, d1 · d2 · ...]`.
public final class Flatten: Layer {
    /// A flatten layer.
    public init() {}

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        [inputShape.reduce(1, *)]
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard input.shape.count >= 1 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "a batch [batch, ...]", actual: input.shape)
        }
        return input.reshaped(to: [input.shape[0], input.shape.dropFirst().reduce(1, *)])
    }

    public var description: String { "Flatten()" }
}
