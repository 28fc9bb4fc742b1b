/// Randomly zeroes a fraction `rate` of the inputs during training and scales the rest by
/// `1 / (1 - rate)`, so that inference (which passes inputs through) sees the same expected
/// values. Its generator is split from the model's when the layer is built.
public final class Dropout: Layer {
    /// The fraction of inputs dropped, in `[0, 1)`.
    public let rate: Float
    private var generator = SeededGenerator(seed: 0)

    /// A dropout layer dropping `rate` of its inputs in training.
    public init(_ rate: Float) {
        precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        self.generator = generator.split()
        return inputShape
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard mode == .training, rate > 0 else { return input }
        let keep = 1 - rate
        let scale = 1 / keep
        var mask = Tensor.zeros(input.shape)
        for i in 0..<mask.count where generator.nextUnitFloat() < keep { mask.scalars[i] = scale }
        return input * Variable(mask)
    }

    public var description: String { "Dropout(\(rate))" }
}
