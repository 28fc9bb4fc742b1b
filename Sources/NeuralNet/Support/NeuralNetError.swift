import Foundation

/// The errors that a user's data, names or files can cause. Each message names where it
/// happened, what was expected, what was found, and how to fix it.
public enum NeuralNetError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A tensor of the wrong shape reached `layer` (a description such as `"layer 2, Dense(3 → 1)"`).
    case shapeMismatch(layer: String, expected: String, actual: [Int], hint: String? = nil)
    /// A name (of an activation, loss, optimizer, ...) that is not one of `validNames`.
    case unknownName(kind: String, name: String, validNames: [String])
    /// An argument outside its valid range, with what was wrong.
    case invalidArgument(String)
    /// Training or evaluation data that cannot be used (empty, mismatched counts, wrong labels).
    case invalidData(String)
    /// A file that is missing, truncated or not in the expected format.
    case invalidFile(path: String, reason: String)
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float)

    public var description: String {
        switch self {
        case let .shapeMismatch(layer, expected, actual, hint):
            let base = "\(layer): expected \(expected), got shape \(actual)"
            return hint.map { "\(base). \($0)" } ?? base
        case let .unknownName(kind, name, validNames):
            return "unknown \(kind) '\(name)'; expected one of: \(validNames.joined(separator: ", "))"
        case let .invalidArgument(message), let .invalidData(message):
            return message
        case let .invalidFile(path, reason):
            return "\(path): \(reason)"
        case let .nonFiniteLoss(epoch, batch, value):
            return "the loss became \(value.isNaN ? "NaN" : "\(value)") at epoch \(epoch), batch \(batch); "
                + "lower the learning rate, clip gradients, or check the data for NaN values"
        }
    }

    public var errorDescription: String? { description }

    /// The same error with `context` put in front of the layer it names (or of the message,
    /// for an invalid argument such as merged shapes that differ).
    func inLayer(_ context: String) -> NeuralNetError {
        switch self {
        case let .shapeMismatch(layer, expected, actual, hint):
            .shapeMismatch(layer: "\(context) \(layer)", expected: expected, actual: actual, hint: hint)
        case let .invalidArgument(message): .invalidArgument("\(context) \(message)")
        default: self
        }
    }
}

/// Looks names up the way the whole library does: case, `_`, `-` and spaces are ignored, so
/// `"leaky_relu"`, `"leakyRelu"` and `"LeakyReLU"` are one name.
enum NameTable {
    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " })
    }

    /// The value for `name` in `table` (keys already normalised), or an error listing `validNames`.
    static func lookUp<Value>(
        _ name: String, kind: String, in table: [String: Value], validNames: [String]
    ) throws -> Value {
        guard let value = table[normalized(name)] else {
            throw NeuralNetError.unknownName(kind: kind, name: name, validNames: validNames)
        }
        return value
    }
}
