import Foundation

/// The built-in losses, by value and by name. Each dispatches to a labelled function in
/// `LossFunctions.swift`.
extension Loss: CaseIterable, Codable, ExpressibleByStringLiteral {
    /// The built-in losses; their raw values are the canonical names.
    enum Builtin: String, CaseIterable, Sendable {
        case meanSquaredError, meanAbsoluteError, binaryCrossEntropy, sigmoidCrossEntropy
        case categoricalCrossEntropy, softmaxCrossEntropy, sparseSoftmaxCrossEntropy

        func callAsFunction(_ predicted: Variable, _ expected: Tensor) -> Variable {
            switch self {
            case .meanSquaredError: NeuralNet.meanSquaredError(predicted: predicted, expected: expected)
            case .meanAbsoluteError: NeuralNet.meanAbsoluteError(predicted: predicted, expected: expected)
            case .binaryCrossEntropy: NeuralNet.binaryCrossEntropy(predicted: predicted, expected: expected)
            case .sigmoidCrossEntropy: NeuralNet.sigmoidCrossEntropy(logits: predicted, labels: expected)
            case .categoricalCrossEntropy: NeuralNet.categoricalCrossEntropy(predicted: predicted, expected: expected)
            case .softmaxCrossEntropy: NeuralNet.softmaxCrossEntropy(logits: predicted, labels: expected)
            case .sparseSoftmaxCrossEntropy: NeuralNet.sparseSoftmaxCrossEntropy(logits: predicted, labels: expected)
            }
        }
    }

    /// `meanSquaredError(predicted:expected:)`; targets have the prediction's shape.
    public static let meanSquaredError = Loss(Builtin.meanSquaredError)
    /// `meanAbsoluteError(predicted:expected:)`; targets have the prediction's shape.
    public static let meanAbsoluteError = Loss(Builtin.meanAbsoluteError)
    /// `binaryCrossEntropy(predicted:expected:)` of probabilities in [0, 1].
    public static let binaryCrossEntropy = Loss(Builtin.binaryCrossEntropy)
    /// `sigmoidCrossEntropy(logits:labels:)`: binary cross-entropy of logits (no sigmoid layer),
    /// stable for any logit; also spelled `.binaryCrossEntropy(fromLogits: true)`.
    public static let sigmoidCrossEntropy = Loss(Builtin.sigmoidCrossEntropy)
    /// `categoricalCrossEntropy(predicted:expected:)` of probabilities against one-hot labels.
    public static let categoricalCrossEntropy = Loss(Builtin.categoricalCrossEntropy)
    /// `softmaxCrossEntropy(logits:labels:)`: logits against one-hot labels.
    public static let softmaxCrossEntropy = Loss(Builtin.softmaxCrossEntropy)
    /// `sparseSoftmaxCrossEntropy(logits:labels:)`: logits against class indices.
    public static let sparseSoftmaxCrossEntropy = Loss(Builtin.sparseSoftmaxCrossEntropy)

    /// `sparseSoftmaxCrossEntropy(logits:labels:ignoring:)`: class indices, with positions
    /// labelled `index` (padding) left out of the mean, as PyTorch's `ignore_index`.
    public static func sparseSoftmaxCrossEntropy(ignoring index: Int) -> Loss {
        Loss(Builtin.sparseSoftmaxCrossEntropy, ignoring: index)
    }

    /// Every built-in loss.
    public static var allCases: [Loss] { Builtin.allCases.map { Loss($0) } }

    /// Binary cross-entropy of probabilities (`fromLogits: false`, after a sigmoid) or of
    /// logits (`fromLogits: true`, `.sigmoidCrossEntropy`), as Keras spells it.
    public static func binaryCrossEntropy(fromLogits: Bool) -> Loss {
        fromLogits ? .sigmoidCrossEntropy : .binaryCrossEntropy
    }

    static let aliases: [(String, Builtin)] = [
        ("mse", .meanSquaredError), ("mae", .meanAbsoluteError), ("bce", .binaryCrossEntropy),
        ("binary_crossentropy", .binaryCrossEntropy), ("binary_crossentropy_from_logits", .sigmoidCrossEntropy),
        ("bce_with_logits", .sigmoidCrossEntropy), ("categorical_crossentropy", .categoricalCrossEntropy),
        ("cross_entropy", .softmaxCrossEntropy), ("sparse_categorical_crossentropy", .sparseSoftmaxCrossEntropy),
    ]

    static let names: [String: Builtin] = {
        var table = Dictionary(uniqueKeysWithValues: Builtin.allCases.map { (NameTable.normalized($0.rawValue), $0) })
        for (alias, loss) in aliases { table[NameTable.normalized(alias)] = loss }
        return table
    }()

    /// Every accepted name of a built-in loss: the canonical ones, then the aliases.
    public static let validNames: [String] = Builtin.allCases.map(\.rawValue) + aliases.map(\.0)

    /// The built-in loss named `name` (canonical, Keras or short names), or an error listing them.
    public init(named name: String) throws {
        // "sparseSoftmaxCrossEntropy(ignoring: 0)", as `name` writes it.
        if let open = name.firstIndex(of: "("), name.hasSuffix(")") {
            let argument = name[name.index(after: open)..<name.index(before: name.endIndex)]
            let base = try NameTable.lookUp(String(name[..<open]), kind: "loss", in: Loss.names, validNames: Loss.validNames)
            let number = argument.hasPrefix("ignoring:") ? String(argument.dropFirst("ignoring:".count)) : ""
            guard base == .sparseSoftmaxCrossEntropy, let index = Int(number.trimmingCharacters(in: .whitespaces)) else {
                throw NeuralNetError.unknownName(kind: "loss", name: name, validNames: Loss.validNames + ["sparseSoftmaxCrossEntropy(ignoring: N)"])
            }
            self.init(base, ignoring: index)
            return
        }
        self.init(try NameTable.lookUp(name, kind: "loss", in: Loss.names, validNames: Loss.validNames))
    }

    /// The loss named `name`: one registered in `registry` (custom losses), else a built-in one.
    init(named name: String, registry: Registry) throws {
        if let custom = registry.loss(named: name) { self = custom; return }
        do { try self.init(named: name) } catch {
            throw NeuralNetError.unknownName(
                kind: "loss", name: name,
                validNames: Loss.validNames + registry.lossNames + ["a custom loss registered with registry.register(loss)"])
        }
    }

    /// A built-in loss from a name literal: `Sequential(loss: "mse")`. An unknown name is kept
    /// and the model throws `NeuralNetError.unknownName` (with the valid names) when it is
    /// built; use `init(named:)` to get the error at once.
    public init(stringLiteral name: String) {
        if let loss = try? Loss(named: name) {
            self = loss
        } else {
            self.init(name: name) { predicted, _ in predicted.sum() * Float.nan }
            unknownName = name
        }
    }

    /// Decodes a built-in loss's name.
    public init(from decoder: any Decoder) throws {
        try self.init(named: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the loss's name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
