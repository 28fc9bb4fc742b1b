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

    /// The layer this spec describes, frozen when the spec says `"trainable": false`. Unknown
    /// types, unknown or missing arguments and values of the wrong kind throw an error naming the
    /// layer, the argument and what is accepted.
    public func makeLayer(registry: Registry = .standard) throws -> any Layer {
        guard let layerType = registry.layerType(named: type) else {
            throw SpecArguments.unknownType(type, kind: "layer", protocol: "SpecifiableLayer", known: registry.layerTypeNames)
        }
        var values = arguments
        let trainable = values.removeValue(forKey: "trainable")
        guard trainable == nil || trainable == .bool(true) || trainable == .bool(false) else {
            throw NeuralNetError.invalidArgument("layer \(type): trainable must be true or false, got \(trainable!)")
        }
        let layer = try SpecArguments.reading(kind: "layer", type: type, values: values) { try layerType.init(arguments: &$0) }
        // Layers check their own arguments (`ArgumentChecked`); a spec asks them at once.
        try layer.checkArgumentsDeep()
        if trainable == .bool(false) { layer.isTrainable = false }
        return layer
    }

    /// Reads a layer spec's arguments.
    public typealias Arguments = SpecArguments
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
