import Foundation

/// A fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// The library never uses a global generator: models own one seeded from their seed, and every
/// function that draws random numbers takes one as an `inout` argument. The same seed gives the
/// same sequence on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose sequence is fully determined by `seed` and `stream`: different streams
    /// of one seed are independent (a model initialises from stream 0 and shuffles from 1).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        words = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A new generator independent of this one, which advances this one by one step.
    public mutating func split() -> SeededGenerator { SeededGenerator(seed: next(), stream: 1) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(words.1 &* 5, 7) &* 9
        let t = words.1 << 17
        words.2 ^= words.0
        words.3 ^= words.1
        words.1 ^= words.2
        words.0 ^= words.3
        words.2 ^= t
        words.3 = rotate(words.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The generator's whole state, four words, for checkpoints: `SeededGenerator(state:)` of
    /// it continues the same sequence.
    public var state: [UInt64] { [words.0, words.1, words.2, words.3] }

    /// The generator with `state` (four words saved from `state`); nil for any other count.
    public init?(state words: [UInt64]) {
        guard words.count == 4 else { return nil }
        self.words = (words[0], words[1], words[2], words[3])
    }

    /// A uniform `Float` in `[0, 1)` built from the top 24 bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(nextUnitFloat(), .leastNormalMagnitude)
        let u2 = nextUnitFloat()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

extension Tensor {
    /// Uniform samples in `range` (lower bound included, upper excluded).
    public init(randomUniform shape: [Int], in range: Range<Float> = 0..<1, using generator: inout SeededGenerator) {
        let width = range.upperBound - range.lowerBound
        let scalars = (0..<shape.reduce(1, *)).map { _ in range.lowerBound + width * generator.nextUnitFloat() }
        self.init(shape: shape, scalars: scalars)
    }

    /// Normal samples with the given mean and standard deviation.
    public init(
        randomNormal shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
        using generator: inout SeededGenerator
    ) {
        let scalars = (0..<shape.reduce(1, *)).map { _ in mean + standardDeviation * generator.nextNormal() }
        self.init(shape: shape, scalars: scalars)
    }
}
