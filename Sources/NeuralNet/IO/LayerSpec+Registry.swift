/// The layer types that model files can name, and how each reads and writes its arguments.
extension LayerSpec {
    /// Every layer type a spec may name.
    static var layerTypes: [any SpecifiableLayer.Type] { [Dense.self, Activation.self, Flatten.self, Dropout.self] }

    /// The layer type named `name` (case and `_` ignored).
    static func layerType(named name: String) -> (any SpecifiableLayer.Type)? {
        layerTypes.first { NameTable.normalized($0.typeName) == NameTable.normalized(name) }
    }

    /// The valid type names, for error messages.
    public static var typeNames: [String] { layerTypes.map { $0.typeName } }

    /// The spec of `layer`, or an error if its type cannot be written to a model file.
    public static func of(_ layer: any Layer) throws -> LayerSpec {
        guard let layer = layer as? any SpecifiableLayer else {
            throw NeuralNetError.invalidArgument(
                "\(layer) cannot be saved: its type does not conform to SpecifiableLayer (known: \(typeNames.joined(separator: ", ")))")
        }
        return layer.spec
    }
}

extension Dense: SpecifiableLayer {
    public static var typeName: String { "Dense" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let units = try arguments.int("units")
        let inputSize = try arguments.optionalInt("inputSize")
        guard units > 0, inputSize.map({ $0 > 0 }) ?? true else {
            throw NeuralNetError.invalidArgument("layer Dense: units and inputSize must be positive, got \(units) and \(inputSize!)")
        }
        self.init(inputSize: inputSize, outputSize: units, activation: try arguments.activation(),
                  useBias: try arguments.bool("useBias", default: true))
    }

    public var arguments: [String: JSONValue] {
        var result: [String: JSONValue] = ["units": .number(Double(outputSize))]
        if let inputSize { result["inputSize"] = .number(Double(inputSize)) }
        if activation != .linear { result["activation"] = activation.jsonValue }
        if bias == nil { result["useBias"] = .bool(false) }
        return result
    }
}

extension Activation: SpecifiableLayer {
    public static var typeName: String { "Activation" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let activation = try arguments.activation()
        self.init(activation.kind, alpha: activation.alpha)
    }

    public var arguments: [String: JSONValue] { ["activation": jsonValue] }

    var jsonValue: JSONValue {
        self == Activation(kind) ? .string(kind.rawValue)
            : .object(["name": .string(kind.rawValue), "alpha": .number(Double(alpha))])
    }
}

extension Flatten: SpecifiableLayer {
    public static var typeName: String { "Flatten" }
    public convenience init(arguments: inout LayerSpec.Arguments) throws { self.init() }
    public var arguments: [String: JSONValue] { [:] }
}

extension Dropout: SpecifiableLayer {
    public static var typeName: String { "Dropout" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let rate = try arguments.float("rate")
        guard rate >= 0 && rate < 1 else { throw NeuralNetError.invalidArgument("layer Dropout: rate must be in [0, 1), got \(rate)") }
        self.init(rate)
    }

    public var arguments: [String: JSONValue] { ["rate": .number(Double(rate))] }
}
