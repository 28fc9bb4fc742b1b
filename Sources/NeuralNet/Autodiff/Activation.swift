/// An activation function: a value (a kind and its coefficient), usable as a layer of its own
/// (`Activation("tanh")`, see `Activation+Layer.swift`) or fused into a layer
/// (`Dense(2, 3, activation: .tanh)`, `activation: "relu"`). Its forward function and
/// derivative are written once, in `Activation+Table.swift`; the tape, the fused Dense/Conv2D
/// epilogue and the layer all read that table.
///
/// It is an immutable final class rather than a struct only so that it can stand in a list of
/// layers; two activations of the same kind and coefficient are equal.
///
/// Names are looked up ignoring case, `_` and `-`; aliases (`identity`, `silu`, ...) live in
/// one table. `Activation(named:)` throws for an unknown name; `Activation("...")` (and a name
/// literal) keeps it, and the model throws the same message, with the layer, when it is built.
public final class Activation: Sendable {
    /// The functions available.
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case linear, relu, leakyRelu, elu, selu, gelu, sigmoid, tanh, softplus, softsign, swish, softmax, logSoftmax
    }

    /// Which function this is.
    public let kind: Kind
    /// The negative-side coefficient: the slope of `leakyRelu` (default 0.01) or the α of `elu`
    /// (default 1); unused by the others.
    public let alpha: Float
    /// A name given to `Activation("...")` that names no function, reported when the model is
    /// built; nil for every valid activation.
    public let unknownName: String?

    /// The activation `kind`, with `alpha` for `leakyRelu` and `elu` (`nil`: the usual default).
    public convenience init(_ kind: Kind, alpha: Float? = nil) {
        self.init(kind: kind, alpha: alpha, unknownName: nil)
    }

    private init(kind: Kind, alpha: Float?, unknownName: String?) {
        self.kind = kind
        self.alpha = alpha ?? (kind == .leakyRelu ? 0.01 : 1)
        self.unknownName = unknownName
    }

    /// The activation named `name`, or an error that lists the valid names.
    public convenience init(named name: String) throws {
        self.init(try NameTable.lookUp(name, kind: "activation", in: Activation.names, validNames: Activation.validNames))
    }

    /// The activation named `name`. An unknown name is kept: a model using it throws
    /// `NeuralNetError.unknownName` (with the valid names) when built, and it computes nothing
    /// until then (use `init(named:)` to get the error at once).
    public convenience init(_ name: String) {
        let kind = Activation.names[NameTable.normalized(name)]
        self.init(kind: kind ?? .linear, alpha: nil, unknownName: kind == nil ? name : nil)
    }

    /// The error an unknown name gives, or nil.
    var unknownNameError: NeuralNetError? {
        unknownName.map { .unknownName(kind: "activation", name: $0, validNames: Activation.validNames) }
    }

    static let names: [String: Kind] = {
        var table = Dictionary(uniqueKeysWithValues: Kind.allCases.map { (NameTable.normalized($0.rawValue), $0) })
        for (alias, kind) in [("identity", Kind.linear), ("none", .linear), ("silu", .swish), ("logistic", .sigmoid)] {
            table[alias] = kind
        }
        return table
    }()

    /// Every accepted name: the canonical ones, then the aliases.
    public static let validNames: [String] = Kind.allCases.map(\.rawValue) + ["identity", "none", "silu", "logistic"]

    /// Whether the function belongs to the ReLU family, whose layers start from He initialisation.
    public var isReluFamily: Bool { [.relu, .leakyRelu, .elu, .gelu, .swish].contains(kind) }

    public var description: String {
        if let unknownName { return "unknown '\(unknownName)'" }
        return switch kind {
        case .leakyRelu where alpha != 0.01, .elu where alpha != 1: "\(kind.rawValue)(\(alpha))"
        default: kind.rawValue
        }
    }
}

extension Activation: CaseIterable, Equatable, ExpressibleByStringLiteral {
    /// Every function, with its default coefficient.
    public static var allCases: [Activation] { Kind.allCases.map { Activation($0) } }

    /// `x`: no activation.
    public static let linear = Activation(.linear)
    /// `max(x, 0)`.
    public static let relu = Activation(.relu)
    /// `x` if positive, else `0.01 · x`.
    public static let leakyRelu = Activation(.leakyRelu)
    /// `x` if positive, else `eˣ - 1`.
    public static let elu = Activation(.elu)
    /// Scaled ELU (self-normalising).
    public static let selu = Activation(.selu)
    /// `x · Φ(x)`, the exact GELU.
    public static let gelu = Activation(.gelu)
    /// `1 / (1 + e⁻ˣ)`.
    public static let sigmoid = Activation(.sigmoid)
    /// `tanh x`.
    public static let tanh = Activation(.tanh)
    /// `ln(1 + eˣ)`.
    public static let softplus = Activation(.softplus)
    /// `x / (1 + |x|)`.
    public static let softsign = Activation(.softsign)
    /// `x · sigmoid(x)` (SiLU).
    public static let swish = Activation(.swish)
    /// Softmax over the last axis.
    public static let softmax = Activation(.softmax)
    /// Log-softmax over the last axis.
    public static let logSoftmax = Activation(.logSoftmax)

    /// Leaky ReLU with a chosen negative slope.
    public static func leakyRelu(slope: Float) -> Activation { Activation(.leakyRelu, alpha: slope) }

    /// An activation from a name literal: `activation: "relu"`.
    public convenience init(stringLiteral name: String) { self.init(name) }

    public static func == (a: Activation, b: Activation) -> Bool {
        a.kind == b.kind && a.alpha == b.alpha && a.unknownName == b.unknownName
    }
}

extension Activation: Codable {
    /// Decodes a name (`"relu"`) or `{"name": "leakyRelu", "alpha": 0.2}`.
    public convenience init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            try self.init(named: name)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try NameTable.lookUp(
            try container.decode(String.self, forKey: .name), kind: "activation",
            in: Activation.names, validNames: Activation.validNames)
        self.init(kind, alpha: try container.decodeIfPresent(Float.self, forKey: .alpha))
    }

    /// Encodes the name alone when the coefficient is the default one.
    public func encode(to encoder: any Encoder) throws {
        if self == Activation(kind) {
            var container = encoder.singleValueContainer()
            try container.encode(kind.rawValue)
        } else {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind.rawValue, forKey: .name)
            try container.encode(alpha, forKey: .alpha)
        }
    }

    private enum CodingKeys: String, CodingKey { case name, alpha }
}

extension Activation: ArgumentChecked {
    public var argumentProblem: String? { unknownNameError.map { "\($0)" } }
}
