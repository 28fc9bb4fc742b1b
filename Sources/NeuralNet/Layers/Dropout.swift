/// Randomly zeroes a fraction `rate` of the inputs during training and scales the rest by
/// `1 / (1 - rate)`, so that inference (which passes inputs through) sees the same expected
/// values.
///
/// Inside a model the masks are drawn from the model's generator, so a seeded `fit` is
/// reproducible. Called on its own (`dropout(x, mode: .training)`), the layer draws from a
/// generator of its own, split once from the one it was first built with, so every call draws
/// a new mask.
public final class Dropout: Layer {
    /// The fraction of inputs dropped, in `[0, 1)`.
    public let rate: Float
    private var generator: SeededGenerator?

    /// A dropout layer dropping `rate` of its inputs in training.
    public init(_ rate: Float) {
        if !(rate >= 0 && rate < 1) { fatalError("Dropout rate must be in [0, 1), got \(rate)") }
        self.rate = rate
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        if self.generator == nil { self.generator = generator.split() }
        return inputShape
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        var own = generator ?? SeededGenerator(seed: 0)
        defer { generator = own }
        return try forward(input, mode: mode, generator: &own)
    }

    public func forward(_ input: Variable, mode: Mode, generator: inout SeededGenerator) throws -> Variable {
        guard mode == .training, rate > 0 else { return input }
        let keep = 1 - rate
        let scale = 1 / keep
        var mask = Tensor.zeros(input.shape)
        mask.scalars.withUnsafeMutableBufferPointer { mask in
            for i in 0..<mask.count where generator.nextUnitFloat() < keep { mask[i] = scale }
        }
        return input * Variable(mask)
    }

    public var description: String { "Dropout(\(rate))" }
}
