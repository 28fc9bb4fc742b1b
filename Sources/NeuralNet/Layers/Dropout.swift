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
        var mask = Tensor(uninitializedDimensions: input.dimensions)
        mask.scalars.withUnsafeMutableBufferPointer { mask in
            Dropout.fillMask(mask.baseAddress!, count: mask.count, rate: rate, generator: &generator)
        }
        return input * Variable(mask)
    }

    /// Writes a dropout mask: each element `1 / (1 - rate)` with probability `1 - rate` (to
    /// 2⁻¹⁶), else 0. Each 64-bit draw decides four elements, 16 bits each, which keeps the
    /// generator off the critical path of large masks (attention weights).
    static func fillMask(_ mask: UnsafeMutablePointer<Float>, count: Int, rate: Float, generator: inout SeededGenerator) {
        let scale = 1 / (1 - rate)
        let threshold = UInt64((Double(1 - rate) * 65_536).rounded())
        var i = 0
        while i < count {
            var bits = generator.next()
            for lane in i..<Swift.min(i + 4, count) {
                mask[lane] = bits & 0xFFFF < threshold ? scale : 0
                bits >>= 16
            }
            i += 4
        }
    }

    public var description: String { "Dropout(\(rate))" }
}
