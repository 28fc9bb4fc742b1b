import Foundation

/// A layer written as data: its type and its arguments by name, as in a model file:
/// `{"type": "Dense", "units": 128, "activation": "relu"}`.
public struct LayerSpec: Codable, Equatable, Sendable {
    /// The layer's type name (`"Dense"`, `"Flatten"`, ...).
    public var type: String
    /// The arguments of its initialiser, by name.
    public var arguments: [String: JSONValue]

    /// A spec of `type` with `arguments`.
    public init(type: String, arguments: [String: JSONValue] = [:]) {
        self.type = type
        self.arguments = arguments
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes `{"type": ..., other keys are arguments}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        type = try container.decode(String.self, forKey: Key(stringValue: "type"))
        arguments = [:]
        for key in container.allKeys where key.stringValue != "type" {
            arguments[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
    }

    /// Encodes the type and the arguments side by side.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: Key(stringValue: "type"))
        for (key, value) in arguments { try container.encode(value, forKey: Key(stringValue: key)) }
    }

    /// The layer this spec describes. Unknown types, unknown or missing arguments and values of
    /// the wrong kind throw an error naming the layer, the argument and what is accepted.
    public func makeLayer() throws -> any Layer {
        guard let layerType = LayerSpec.layerType(named: type) else {
            throw NeuralNetError.unknownName(kind: "layer type", name: type, validNames: LayerSpec.typeNames)
        }
        var reader = Arguments(spec: self)
        let layer = try layerType.init(arguments: &reader)
        try reader.finish()
        return layer
    }

    /// Reads a spec's arguments by name and type, remembering which were used so that unknown
    /// ones are reported.
    public struct Arguments {
        let spec: LayerSpec
        private var used: Set<String> = []

        init(spec: LayerSpec) { self.spec = spec }

        private func fail(_ key: String, _ expected: String) -> NeuralNetError {
            .invalidArgument("layer \(spec.type): argument '\(key)' must be \(expected), got \(spec.arguments[key]!)")
        }

        /// An integer argument, or `defaultValue` when absent (required when `nil`).
        public mutating func int(_ key: String, default defaultValue: Int? = nil) throws -> Int {
            used.insert(key)
            guard let value = spec.arguments[key] else {
                guard let defaultValue else { throw NeuralNetError.invalidArgument("layer \(spec.type): missing argument '\(key)'") }
                return defaultValue
            }
            guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e9 else { throw fail(key, "a whole number") }
            return Int(number)
        }

        /// An optional integer argument.
        public mutating func optionalInt(_ key: String) throws -> Int? {
            spec.arguments[key] == nil || spec.arguments[key] == .null ? { used.insert(key); return nil }() : try int(key)
        }

        /// A number argument.
        public mutating func float(_ key: String, default defaultValue: Float? = nil) throws -> Float {
            used.insert(key)
            guard let value = spec.arguments[key] else {
                guard let defaultValue else { throw NeuralNetError.invalidArgument("layer \(spec.type): missing argument '\(key)'") }
                return defaultValue
            }
            guard case .number(let number) = value else { throw fail(key, "a number") }
            return Float(number)
        }

        /// A Boolean argument.
        public mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
            used.insert(key)
            guard let value = spec.arguments[key] else { return defaultValue }
            guard case .bool(let flag) = value else { throw fail(key, "true or false") }
            return flag
        }

        /// A string argument.
        public mutating func string(_ key: String, default defaultValue: String) throws -> String {
            used.insert(key)
            guard let value = spec.arguments[key] else { return defaultValue }
            guard case .string(let text) = value else { throw fail(key, "a string") }
            return text
        }

        /// A list of whole numbers, also accepting a single number (`3` reads as `[3, 3]` with
        /// `repeating: 2`).
        public mutating func ints(_ key: String, repeating count: Int, default defaultValue: [Int]? = nil) throws -> [Int] {
            used.insert(key)
            guard let value = spec.arguments[key] else {
                guard let defaultValue else { throw NeuralNetError.invalidArgument("layer \(spec.type): missing argument '\(key)'") }
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
            guard let value = spec.arguments[key] else { return .linear }
            let data = try JSONEncoder().encode(value)
            do {
                return try JSONDecoder().decode(Activation.self, from: data)
            } catch let error as NeuralNetError {
                throw NeuralNetError.invalidArgument("layer \(spec.type): \(error)")
            } catch {
                throw fail(key, "an activation name")
            }
        }

        /// Throws if the spec has arguments that were never read.
        func finish() throws {
            let unknown = Set(spec.arguments.keys).subtracting(used).sorted()
            guard unknown.isEmpty else {
                let accepted = used.sorted().joined(separator: ", ")
                throw NeuralNetError.invalidArgument(
                    "layer \(spec.type): unknown argument\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", "))"
                        + "; accepted: \(accepted.isEmpty ? "none" : accepted)")
            }
        }
    }
}

/// A layer that can be written to and read from a model file.
public protocol SpecifiableLayer: Layer {
    /// The name of the layer's type in model files.
    static var typeName: String { get }
    /// The layer from its arguments.
    init(arguments: inout LayerSpec.Arguments) throws
    /// The arguments that re-create this layer.
    var arguments: [String: JSONValue] { get }
}

extension SpecifiableLayer {
    /// This layer as data.
    public var spec: LayerSpec { LayerSpec(type: Self.typeName, arguments: arguments) }
}
