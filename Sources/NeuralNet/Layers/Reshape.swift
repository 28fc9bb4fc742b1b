/// Gives each sample a new shape with the same number of values: `Reshape([28, 28, 1])` turns
/// `[batch, 784]` into `[batch, 28, 28, 1]`. One dimension may be `-1` (inferred).
public final class Reshape: Layer {
    /// The per-sample target shape, possibly with one `-1`.
    public let targetShape: [Int]

    /// A reshape to `targetShape` per sample.
    public init(_ targetShape: [Int]) {
        self.targetShape = targetShape
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        // Checked products: sizes from a model file may multiply past Int.max.
        let count = Dimensions.elementCount(inputShape) ?? -1
        let known = Dimensions.elementCount(targetShape.filter { $0 != -1 }) ?? -2
        let fits = known > 0 && (targetShape.contains(-1) ? count % known == 0 : count == known)
        guard fits else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "samples of \(known)\(targetShape.contains(-1) ? "·k" : "") values", actual: inputShape)
        }
        return targetShape.map { $0 == -1 ? count / known : $0 }
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard input.shape.count >= 1 else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "a batch", actual: input.shape)
        }
        var generator = SeededGenerator(seed: 0)
        let shape = try build(inputShape: Array(input.shape.dropFirst()), generator: &generator)
        return input.reshaped(to: [input.shape[0]] + shape)
    }

    public var description: String { "Reshape(\(targetShape))" }
}

extension Reshape: ArgumentChecked {
    public var argumentProblem: String? {
        let inferred = targetShape.filter { $0 == -1 }.count
        guard inferred <= 1, targetShape.allSatisfy({ ($0 > 0 && $0 <= Int32.max) || $0 == -1 }) else {
            return "the target shape takes positive sizes and at most one -1, got \(targetShape); such as Reshape([28, 28, 1])"
        }
        guard targetShape.count < Dimensions.maximumRank else {
            return "the target shape \(targetShape) has \(targetShape.count) axes; with the batch at most \(Dimensions.maximumRank) are supported"
        }
        return nil
    }
}
