import NeuralNetKernels

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
        self.rate = rate
    }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        if self.generator == nil { self.generator = generator.split() }
        return inputShape
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        var own = generator ?? SeededGenerator(seed: 0)
        // Inference draws nothing and writes nothing, so several threads may predict at once.
        defer { if mode == .training { generator = own } }
        return try forward(input, mode: mode, generator: &own)
    }

    public func forward(_ input: Variable, mode: Mode, generator: inout SeededGenerator) throws -> Variable {
        guard mode == .training, rate > 0 else { return input }
        let mask = Dropout.Mask(count: input.value.count, rate: rate, generator: &generator)
        return input.unary(mask.apply(to: input.value)) { upstream in mask.apply(to: upstream) }
    }

    /// A dropout mask as 16-bit uniform draws (four from each 64-bit draw of the generator, low
    /// bits first): an element is kept, scaled by `1 / (1 - rate)`, when its draw is below
    /// `(1 - rate) · 2¹⁶`. Two bytes per element, applied by a vectorised kernel.
    struct Mask {
        let draws: [UInt64]
        let count: Int
        let threshold: UInt32
        let scale: Float

        init(count: Int, rate: Float, generator: inout SeededGenerator) {
            let words = (count + 3) / 4
            draws = [UInt64](unsafeUninitializedCapacity: words) { buffer, initialized in
                for i in 0..<words { buffer[i] = generator.next() }
                initialized = words
            }
            self.count = count
            threshold = Self.threshold(rate: rate)
            scale = Self.scale(rate: rate)
        }

        /// The bound a 16-bit draw must be under for its element to be kept: `(1 - rate) · 2¹⁶`.
        static func threshold(rate: Float) -> UInt32 { UInt32((Double(1 - rate) * 65_536).rounded()) }

        /// What a kept element is multiplied by: `1 / (1 - rate)`.
        static func scale(rate: Float) -> Float { 1 / (1 - rate) }

        /// `x ⊙ mask` into `y` (which may be `x`).
        func apply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
            draws.withUnsafeBytes { bytes in
                Elementwise.dropout(random: bytes.bindMemory(to: UInt16.self).baseAddress!, x, into: y, count: count,
                                    threshold: threshold, scale: scale)
            }
        }

        /// `x ⊙ mask`.
        func apply(to x: Tensor) -> Tensor {
            var y = Tensor(uninitializedDimensions: x.dimensions)
            x.scalars.withUnsafeBufferPointer { x in
                y.scalars.withUnsafeMutableBufferPointer { y in apply(x.baseAddress!, into: y.baseAddress!) }
            }
            return y
        }
    }

    public var description: String { "Dropout(\(rate))" }
}

extension Dropout: ArgumentChecked {
    public var argumentProblem: String? {
        guard rate >= 0 && rate < 1 else {
            return "the rate must be in [0, 1), got \(rate); it is the fraction of inputs dropped, such as 0.5"
        }
        return nil
    }
}
