/// The symbols of a character-level model and their ids: the Unicode scalars of a text, sorted,
/// numbered from 0. `encode` turns text into ids and `decode` back; a symbol outside the
/// vocabulary is an error naming it.
public struct Vocabulary: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The symbols, in id order.
    public let symbols: [Unicode.Scalar]
    private let ids: [Unicode.Scalar: Int]

    /// The vocabulary of `text`: its distinct Unicode scalars in ascending order.
    public init(text: String) {
        self.init(orderedSymbols: Array(Set(text.unicodeScalars)).sorted { $0.value < $1.value })
    }

    /// A vocabulary of exactly `symbols` (each scalar of the string once), ids in that order.
    public init(symbols: String) throws {
        let scalars = Array(symbols.unicodeScalars)
        guard Set(scalars).count == scalars.count else {
            throw NeuralNetError.invalidData("Vocabulary: the symbols \(symbols.debugDescription) repeat a character")
        }
        self.init(orderedSymbols: scalars)
    }

    private init(orderedSymbols: [Unicode.Scalar]) {
        symbols = orderedSymbols
        ids = Dictionary(uniqueKeysWithValues: orderedSymbols.enumerated().map { ($1, $0) })
    }

    /// The number of symbols.
    public var count: Int { symbols.count }

    /// The id of each scalar of `text`; a scalar the vocabulary lacks is an error naming it.
    public func encode(_ text: String) throws -> [Int] {
        try text.unicodeScalars.map { scalar in
            guard let id = ids[scalar] else {
                throw NeuralNetError.invalidData(
                    "Vocabulary: \(String(scalar).debugDescription) (U+\(String(scalar.value, radix: 16, uppercase: true))) "
                        + "is not one of its \(count) characters; use only characters of the text the model was trained on")
            }
            return id
        }
    }

    /// The text of `ids`; ids outside `0..<count` are skipped.
    public func decode(_ ids: some Sequence<Int>) -> String {
        var text = String.UnicodeScalarView()
        for id in ids where id >= 0 && id < count { text.append(symbols[id]) }
        return String(text)
    }

    /// The symbols as one string, in id order (how model files store them).
    public var string: String { String(String.UnicodeScalarView(symbols)) }

    public var description: String { "Vocabulary(\(count) symbols: \(string.debugDescription))" }

    /// Decodes the symbols' string.
    public init(from decoder: any Decoder) throws {
        try self.init(symbols: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the symbols as one string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.symbols == b.symbols }
}
