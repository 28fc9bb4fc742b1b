import Foundation

/// An optimizer written as data: its type and every hyperparameter, as in a model file:
/// `{"type": "sgd", "learningRate": 0.1, "momentum": 0.9, "nesterov": true}`. A plain name
/// (`"adam"`, as files of earlier versions hold) reads as that optimizer with its defaults.
public struct OptimizerSpec: Codable, Equatable, Sendable {
    /// The optimizer's type name (`"sgd"`, `"adam"`, ...).
    public var type: String
    /// The arguments of its initialiser, by name.
    public var arguments: [String: JSONValue]

    /// A spec of `type` with `arguments`.
    public init(type: String, arguments: [String: JSONValue] = [:]) {
        self.type = type
        self.arguments = arguments
    }

    /// Decodes a name, or `{"type": ..., other keys are arguments}`.
    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self.init(type: name)
            return
        }
        let layer = try LayerSpec(from: decoder)
        self.init(type: layer.type, arguments: layer.arguments)
    }

    /// Encodes the type and the arguments side by side.
    public func encode(to encoder: any Encoder) throws {
        try LayerSpec(type: type, arguments: arguments).encode(to: encoder)
    }

    /// The optimizer this spec describes. Unknown types, unknown arguments and values out of
    /// range throw an error naming the optimizer, the argument and what is accepted.
    public func makeOptimizer(registry: Registry = .standard) throws -> any Optimizer {
        guard let optimizerType = registry.optimizerType(named: type) else {
            throw SpecArguments.unknownType(type, kind: "optimizer", protocol: "SpecifiableOptimizer", known: registry.optimizerTypeNames)
        }
        let optimizer = try SpecArguments.reading(kind: "optimizer", type: type, values: arguments) { try optimizerType.init(arguments: &$0) }
        // The optimizer checks its own ranges, as when made in code.
        try optimizer.checkArguments("optimizer \(type)")
        return optimizer
    }

    /// The spec of `optimizer`, or an error if its type cannot be written to a model file.
    public static func of(_ optimizer: any Optimizer) throws -> OptimizerSpec {
        guard let optimizer = optimizer as? any SpecifiableOptimizer else {
            throw NeuralNetError.invalidArgument(
                "the optimizer \(Swift.type(of: optimizer)) cannot be saved: its type does not conform to SpecifiableOptimizer; "
                    + "conform it (typeName, init(arguments:), arguments) and register it to load it again")
        }
        return OptimizerSpec(type: Swift.type(of: optimizer).typeName, arguments: optimizer.arguments)
    }
}

/// An optimizer that can be written to and read from a model file, every hyperparameter
/// included.
public protocol SpecifiableOptimizer: Optimizer {
    /// The name of the optimizer's type in model files (`"adam"`).
    static var typeName: String { get }
    /// The optimizer from its arguments; values out of range throw.
    init(arguments: inout SpecArguments) throws
    /// The arguments that re-create this optimizer with every hyperparameter.
    var arguments: [String: JSONValue] { get }
}

extension SpecArguments {
    /// The hyperparameters every optimizer shares: the learning rate (or `default`), the weight
    /// decay and the clip norm (or none). Their ranges are the optimizer's own to check
    /// (`Optimizer.argumentProblem`), which `makeOptimizer` asks.
    mutating func commonHyperparameters(
        learningRate defaultRate: Float, weightDecay defaultDecay: Float = 0
    ) throws -> (learningRate: Float, weightDecay: Float, clipNorm: Float?) {
        (try float("learningRate", default: defaultRate), try float("weightDecay", default: defaultDecay), try optionalFloat("clipNorm"))
    }
}

/// The arguments every optimizer writes.
func commonArguments(_ optimizer: any Optimizer, weightDecay: Float) -> [String: JSONValue] {
    [
        "learningRate": .number(Double(optimizer.learningRate)), "weightDecay": .number(Double(weightDecay)),
        "clipNorm": optimizer.clipNorm.map { .number(Double($0)) } ?? .null,
    ]
}
