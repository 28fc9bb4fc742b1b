/// Makes hostile variants of valid files: the mutations a coverage-guided fuzzer tries first
/// (bit flips, boundary integers written over length fields, cuts, repeats, splices), plus, for
/// text, numbers and names swapped for edge cases and deep nesting. Deterministic for a seed,
/// so a failing input can be made again from its number.
public struct Mutator {
    private var state: UInt64
    /// Valid inputs that mutations start from.
    public let corpus: [[UInt8]]
    /// Whether the inputs are text (JSON), which adds token-level mutations.
    public let isText: Bool
    /// The longest input made; longer results are cut, so no input costs unbounded time.
    public let maximumLength: Int
    /// Whether inputs are safetensors files: half the mutations then edit the JSON header as
    /// text and fix its length, so they reach the code behind the header check.
    public let isSafeTensors: Bool

    /// A mutator of `corpus` drawing from `seed`.
    public init(corpus: [[UInt8]], isText: Bool, isSafeTensors: Bool = false, seed: UInt64, maximumLength: Int = 1 << 18) {
        // A target's corpus is made by its own code, never read from a user: an empty one is
        // a mistake in the target.
        if corpus.isEmpty { fatalError("Mutator: a fuzz target needs at least one valid input, got none") }
        self.corpus = corpus
        self.isText = isText
        self.state = seed &+ 0x9E37_79B9_7F4A_7C15
        self.maximumLength = maximumLength
        self.isSafeTensors = isSafeTensors
    }

    /// The next input: a corpus entry with one to four mutations applied.
    public mutating func next() -> [UInt8] {
        var bytes = corpus[below(corpus.count)]
        if isSafeTensors && below(2) == 0, let edited = mutatingHeader(of: bytes) { return edited }
        for _ in 0...below(4) { mutate(&bytes) }
        if bytes.count > maximumLength { bytes.removeLast(bytes.count - maximumLength) }
        return bytes
    }

    private static let boundaryIntegers: [UInt64] = [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE,
    ]

    private static let textTokens: [String] = [
        "-1", "0", "1", "-0", "3e8", "1e308", "-1e308", "1e-320", "9223372036854775807", "-9223372036854775808",
        "18446744073709551616", "2147483648", "0.5", "1.5", "NaN", "null", "true", "\"\"", "[]", "{}", "[-1]", "[0]",
        "[1e9,1e9]", "\"relu\"", "\"typo\"", "\"Dense\"", "\"Conv2D\"", "\"LSTM\"", "\"Add\"", "\"Concatenate\"",
        "\"MultiHeadAttention\"", "\"Embedding\"", "\"adam\"", "\"sgd\"", "\"mse\"",
    ]

    private mutating func mutate(_ bytes: inout [UInt8]) {
        if bytes.isEmpty { bytes = [UInt8(truncatingIfNeeded: random())]; return }
        // Text stays parseable more often when most mutations swap whole tokens.
        let choice = isText && below(4) != 0 ? [10, 11, 12, 10, 11, 10, 11, 10][below(8)] : below(isText ? 13 : 12)
        switch choice {
        case 0:  // flip a bit
            bytes[below(bytes.count)] ^= 1 << UInt8(below(8))
        case 1:  // a random byte
            bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: random())
        case 2, 3:  // a boundary integer over 1, 2, 4 or 8 bytes, either byte order
            let width = [1, 2, 4, 8][below(4)]
            let value = Self.boundaryIntegers[below(Self.boundaryIntegers.count)]
            let at = below(bytes.count)
            let bigEndian = below(2) == 0
            for index in 0..<width where at + index < bytes.count {
                let shift = UInt64(bigEndian ? width - 1 - index : index) * 8
                bytes[at + index] = UInt8(truncatingIfNeeded: value >> shift)
            }
        case 4:  // cut the end
            bytes.removeLast(below(bytes.count) + 1)
        case 5:  // remove a range
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(16)))
        case 6:  // repeat a range
            let start = below(bytes.count)
            let piece = bytes[start..<min(bytes.count, start + 1 + below(64))]
            bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
        case 7:  // insert random bytes
            let count = 1 + below(8)
            bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: random()) }, at: below(bytes.count + 1))
        case 8:  // splice with another valid input
            let other = corpus[below(corpus.count)]
            let cut = below(bytes.count)
            bytes = Array(bytes[..<cut]) + other[min(cut, other.count)...]
        case 9:  // a byte set to a boundary value
            bytes[below(bytes.count)] = [0, 0xFF, 0x7F, 0x80, 0x01][below(5)]
        case 10, 11:  // a number or quoted word replaced by an edge case
            replaceToken(in: &bytes)
        default:  // deep nesting
            let depth = 1 + below(5000)
            let open: UInt8 = below(2) == 0 ? UInt8(ascii: "[") : UInt8(ascii: "{")
            bytes.insert(contentsOf: [UInt8](repeating: open, count: depth), at: below(bytes.count + 1))
        }
    }

    /// `bytes` with its safetensors header mutated as text and its length field rewritten, or
    /// nil if `bytes` has no readable header.
    private mutating func mutatingHeader(of bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 8 else { return nil }
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length > 0, length <= bytes.count - 8 else { return nil }
        var header = Array(bytes[8..<(8 + length)])
        for _ in 0...below(3) { replaceToken(in: &header) }
        var result = withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init)
        result += header
        result += bytes[(8 + length)...]
        return result
    }

    private mutating func replaceToken(in bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let start = below(bytes.count)
        func isTokenByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e")
        }
        var begin = start
        if bytes[start] == UInt8(ascii: "\"") {
            guard let close = bytes[(start + 1)...].firstIndex(of: UInt8(ascii: "\"")) else { return }
            bytes.replaceSubrange(begin...close, with: Array(Self.textTokens[below(Self.textTokens.count)].utf8))
            return
        }
        guard isTokenByte(bytes[start]) else { return }
        while begin > 0 && isTokenByte(bytes[begin - 1]) { begin -= 1 }
        var end = start
        while end + 1 < bytes.count && isTokenByte(bytes[end + 1]) { end += 1 }
        bytes.replaceSubrange(begin...end, with: Array(Self.textTokens[below(Self.textTokens.count)].utf8))
    }

    private mutating func random() -> UInt64 {
        // SplitMix64: small, fast and good enough to spread mutations.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(random() % UInt64(bound)) }
}
