/// Joins its inputs along one axis: inputs `[batch, 16]` and `[batch, 8]` with `axis: -1` give
/// `[batch, 24]`. The axis counts the batch axis as 0 (as in Keras); negative values count from
/// the end. Every other axis must match.
public final class Concatenate: MergeLayer {
    /// The axis joined along, batch axis included; `-1` is the last.
    public let axis: Int

    /// A concatenation along `axis` (default: the last).
    public init(axis: Int = -1) {
        self.axis = axis
    }

    /// The axis within one sample (batch excluded) for samples of `rank` axes, or an error.
    private func sampleAxis(rank: Int) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis - 1
        guard resolved >= 0 && resolved < rank else {
            throw NeuralNetError.invalidArgument(
                "\(description): axis \(axis) is out of range for samples of \(rank) axes (batch excluded)")
        }
        return resolved
    }

    public func build(inputShapes: [[Int]], generator: inout SeededGenerator) throws -> [Int] {
        guard let first = inputShapes.first else {
            throw NeuralNetError.invalidArgument("\(description): needs at least one input")
        }
        let joined = try sampleAxis(rank: first.count)
        guard inputShapes.allSatisfy({ Tensor.fitForJoining(first, $0, axis: joined) }) else {
            let shapes = inputShapes.map { "\($0)" }.joined(separator: " and ")
            throw NeuralNetError.invalidArgument(
                "\(description): the inputs must agree on every axis but axis \(axis), got \(shapes)")
        }
        var shape = first
        shape[joined] = inputShapes.reduce(0) { $0 + $1[joined] }
        return shape
    }

    public func forward(_ inputs: [Variable], mode: Mode) throws -> Variable {
        var generator = SeededGenerator(seed: 0)
        _ = try build(inputShapes: inputs.map { Array($0.shape.dropFirst()) }, generator: &generator)
        guard Set(inputs.map { $0.shape[0] }).count == 1 else {
            throw NeuralNetError.invalidArgument("\(description): the inputs have different batch sizes: \(inputs.map(\.shape))")
        }
        return Variable.concatenated(inputs, alongAxis: try sampleAxis(rank: inputs[0].shape.count - 1) + 1)
    }

    public var description: String { "Concatenate(axis: \(axis))" }
}

extension Concatenate: ArgumentChecked {
    public var argumentProblem: String? {
        guard axis != 0 else {
            return "it cannot join along the batch axis 0; use an axis of the samples (1, 2, ... or -1)"
        }
        return nil
    }
}
