/// How each built-in layer type reads and writes its arguments in model files; the list of
/// types is `Registry.standard`.
extension LayerSpec {
    /// The spec of `layer`, or an error if its type cannot be written to a model file.
    public static func of(_ layer: any Layer) throws -> LayerSpec {
        guard let layer = layer as? any SpecifiableLayer else {
            throw NeuralNetError.invalidArgument(
                "\(layer) (type \(Swift.type(of: layer))) cannot be saved: its type does not conform to SpecifiableLayer; "
                    + "conform it (typeName, init(arguments:), arguments) and register it to load it again")
        }
        var spec = layer.spec
        // A frozen layer stays frozen when its model is loaded again (Keras's "trainable").
        if !layer.isTrainable { spec.arguments["trainable"] = .bool(false) }
        return spec
    }
}

extension Dense: SpecifiableLayer {
    public static var typeName: String { "Dense" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let units = try arguments.int("units")
        let inputSize = try arguments.optionalInt("inputSize")
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
        self.init(rate)
    }

    public var arguments: [String: JSONValue] { ["rate": .number(Double(rate))] }
}

extension Conv2D: SpecifiableLayer {
    public static var typeName: String { "Conv2D" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let filters = try arguments.int("filters")
        let kernel = try arguments.ints("kernelSize", repeating: 2)
        let strides = try arguments.ints("strides", repeating: 2, default: [1, 1])
        let channels = try arguments.optionalInt("inputChannels")
        self.init(filters: filters, kernelSize: Size2D(kernel[0], kernel[1]), strides: Size2D(strides[0], strides[1]),
                  padding: try arguments.padding(), activation: try arguments.activation(),
                  useBias: try arguments.bool("useBias", default: true), inputChannels: channels)
    }

    public var arguments: [String: JSONValue] {
        var result: [String: JSONValue] = ["filters": .number(Double(filters)), "kernelSize": kernelSize.jsonValue]
        if strides != 1 { result["strides"] = strides.jsonValue }
        if padding != .valid { result["padding"] = .string(padding.rawValue) }
        if activation != .linear { result["activation"] = activation.jsonValue }
        if bias == nil { result["useBias"] = .bool(false) }
        if let inputChannels { result["inputChannels"] = .number(Double(inputChannels)) }
        return result
    }
}

extension MaxPool2D: SpecifiableLayer {
    public static var typeName: String { "MaxPool2D" }
}

extension AvgPool2D: SpecifiableLayer {
    public static var typeName: String { "AvgPool2D" }
}

extension WindowPooling where Self: SpecifiableLayer {
    /// Reads `poolSize` (default 2), `strides` (default: the pool size) and `padding`.
    public init(arguments: inout LayerSpec.Arguments) throws {
        let size = try arguments.ints("poolSize", repeating: 2, default: [2, 2])
        let strides = try arguments.ints("strides", repeating: 2, default: size)
        try self.init(Size2D(size[0], size[1]), strides: Size2D(strides[0], strides[1]), padding: arguments.padding())
    }

    public var arguments: [String: JSONValue] {
        var result: [String: JSONValue] = ["poolSize": poolSize.jsonValue]
        if strides != poolSize { result["strides"] = strides.jsonValue }
        if padding != .valid { result["padding"] = .string(padding.rawValue) }
        return result
    }
}

extension GlobalAveragePooling2D: SpecifiableLayer {
    public static var typeName: String { "GlobalAveragePooling2D" }
    public convenience init(arguments: inout LayerSpec.Arguments) throws { self.init() }
    public var arguments: [String: JSONValue] { [:] }
}

extension BatchNorm: SpecifiableLayer {
    public static var typeName: String { "BatchNorm" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let momentum = try arguments.float("momentum", default: 0.99)
        let epsilon = try arguments.float("epsilon", default: 1e-3)
        self.init(momentum: momentum, epsilon: epsilon)
    }

    public var arguments: [String: JSONValue] { ["momentum": .number(Double(momentum)), "epsilon": .number(Double(epsilon))] }
}

extension Reshape: SpecifiableLayer {
    public static var typeName: String { "Reshape" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        guard case .array(let items)? = arguments.values["targetShape"] else {
            throw NeuralNetError.invalidArgument("layer Reshape: targetShape must be a list of sizes, e.g. [28, 28, 1]")
        }
        let shape = try arguments.ints("targetShape", repeating: items.count)
        self.init(shape)
    }

    public var arguments: [String: JSONValue] { ["targetShape": .array(targetShape.map { .number(Double($0)) })] }
}

extension LayerSpec.Arguments {
    /// `"valid"` or `"same"`.
    mutating func padding() throws -> Padding {
        let name = try string("padding", default: "valid")
        guard let padding = Padding(rawValue: name.lowercased()) else {
            throw NeuralNetError.unknownName(kind: "padding", name: name, validNames: Padding.allCases.map(\.rawValue))
        }
        return padding
    }
}

extension Size2D {
    /// `3` for a square size, `[3, 5]` otherwise.
    var jsonValue: JSONValue { height == width ? .number(Double(height)) : .array([.number(Double(height)), .number(Double(width))]) }
}

extension Add: SpecifiableLayer {
    public convenience init(arguments: inout LayerSpec.Arguments) throws { self.init() }
    public var arguments: [String: JSONValue] { [:] }
}

extension Subtract: SpecifiableLayer {
    public convenience init(arguments: inout LayerSpec.Arguments) throws { self.init() }
    public var arguments: [String: JSONValue] { [:] }
}

extension Multiply: SpecifiableLayer {
    public convenience init(arguments: inout LayerSpec.Arguments) throws { self.init() }
    public var arguments: [String: JSONValue] { [:] }
}

extension Average: SpecifiableLayer {
    public convenience init(arguments: inout LayerSpec.Arguments) throws { self.init() }
    public var arguments: [String: JSONValue] { [:] }
}

extension Concatenate: SpecifiableLayer {
    public static var typeName: String { "Concatenate" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let axis = try arguments.int("axis", default: -1)
        guard axis != 0 else { throw NeuralNetError.invalidArgument("layer Concatenate: axis 0 is the batch axis; use 1, 2, ... or -1") }
        self.init(axis: axis)
    }

    public var arguments: [String: JSONValue] { ["axis": .number(Double(axis))] }
}
