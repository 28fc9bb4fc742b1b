import Foundation

/// Reads a spec's arguments by name and type, remembering which were used so that unknown
/// ones are reported.
public struct SpecArguments {
    /// What the spec describes, for messages: `"layer"` or `"optimizer"`.
    public let kind: String
    /// The type named in the spec (`"Dense"`, `"adam"`).
    public let type: String
    /// The arguments by name.
    public let values: [String: JSONValue]
    private var used: Set<String> = []

    init(kind: String, type: String, values: [String: JSONValue]) {
        (self.kind, self.type, self.values) = (kind, type, values)
    }

    private func fail(_ key: String, _ expected: String) -> NeuralNetError {
        .invalidArgument("\(kind) \(type): argument '\(key)' must be \(expected), got \(values[key]!)")
    }

    /// An integer argument, or `defaultValue` when absent (required when `nil`).
    public mutating func int(_ key: String, default defaultValue: Int? = nil) throws -> Int {
        used.insert(key)
        guard let value = values[key] else {
            guard let defaultValue else { throw NeuralNetError.invalidArgument("\(kind) \(type): missing argument '\(key)'") }
            return defaultValue
        }
        guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e9 else { throw fail(key, "a whole number") }
        return Int(number)
    }

    /// An optional integer argument.
    public mutating func optionalInt(_ key: String) throws -> Int? {
        values[key] == nil || values[key] == .null ? { used.insert(key); return nil }() : try int(key)
    }

    /// A number argument.
    public mutating func float(_ key: String, default defaultValue: Float? = nil) throws -> Float {
        used.insert(key)
        guard let value = values[key] else {
            guard let defaultValue else { throw NeuralNetError.invalidArgument("\(kind) \(type): missing argument '\(key)'") }
            return defaultValue
        }
        guard case .number(let number) = value else { throw fail(key, "a number") }
        return Float(number)
    }

    /// An optional number argument (absent or `null`: `nil`).
    public mutating func optionalFloat(_ key: String) throws -> Float? {
        used.insert(key)
        guard let value = values[key], value != .null else { return nil }
        guard case .number(let number) = value else { throw fail(key, "a number or null") }
        return Float(number)
    }

    /// A Boolean argument.
    public mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        used.insert(key)
        guard let value = values[key] else { return defaultValue }
        guard case .bool(let flag) = value else { throw fail(key, "true or false") }
        return flag
    }

    /// A string argument.
    public mutating func string(_ key: String, default defaultValue: String) throws -> String {
        used.insert(key)
        guard let value = values[key] else { return defaultValue }
        guard case .string(let text) = value else { throw fail(key, "a string") }
        return text
    }

    /// A list of whole numbers, also accepting a single number (`3` reads as `[3, 3]` with
    /// `repeating: 2`).
    public mutating func ints(_ key: String, repeating count: Int, default defaultValue: [Int]? = nil) throws -> [Int] {
        used.insert(key)
        guard let value = values[key] else {
            guard let defaultValue else { throw NeuralNetError.invalidArgument("\(kind) \(type): missing argument '\(key)'") }
            return defaultValue
        }
        switch value {
        case .number: return Array(repeating: try int(key), count: count)
        case .array(let items):
            let numbers = items.compactMap { item -> Int? in
                if case .number(let n) = item, n == n.rounded() { return Int(n) } else { return nil }
            }
            guard numbers.count == items.count, numbers.count == count else { throw fail(key, "\(count) whole numbers") }
            return numbers
        default: throw fail(key, "a whole number or a list of \(count)")
        }
    }

    /// An activation by name (or `{"name": ..., "alpha": ...}`).
    public mutating func activation(_ key: String = "activation") throws -> Activation {
        used.insert(key)
        guard let value = values[key] else { return .linear }
        let data = try JSONEncoder().encode(value)
        do {
            return try JSONDecoder().decode(Activation.self, from: data)
        } catch let error as NeuralNetError {
            throw NeuralNetError.invalidArgument("\(kind) \(type): \(error)")
        } catch {
            throw fail(key, "an activation name")
        }
    }

    /// Throws if the spec has arguments that were never read.
    func finish() throws {
        let unknown = Set(values.keys).subtracting(used).sorted()
        guard unknown.isEmpty else {
            let accepted = used.sorted().joined(separator: ", ")
            throw NeuralNetError.invalidArgument(
                "\(kind) \(type): unknown argument\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", "))"
                    + "; accepted: \(accepted.isEmpty ? "none" : accepted)")
        }
    }

    /// Runs `make` with a reader of `values`, then reports the arguments it never read.
    static func reading<Made>(
        kind: String, type: String, values: [String: JSONValue], _ make: (inout SpecArguments) throws -> Made
    ) throws -> Made {
        var reader = SpecArguments(kind: kind, type: type, values: values)
        let made = try make(&reader)
        try reader.finish()
        return made
    }

    /// The error for a type name no registry entry has: the known names, and how to add one.
    static func unknownType(_ type: String, kind: String, protocol name: String, known: [String]) -> NeuralNetError {
        .invalidArgument(
            "unknown \(kind) type '\(type)'; expected one of: \(known.joined(separator: ", ")). For a \(kind) of your own, "
                + "conform it to \(name) and pass a registry to load: var registry = Registry.standard; "
                + "registry.register(\(type).self); try Model.load(from: url, registry: registry)")
    }
}
