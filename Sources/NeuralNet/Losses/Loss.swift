/// The loss a model minimises, chosen by value (`.meanSquaredError`) or by name (`"mse"`).
/// It checks that predictions and targets fit together and dispatches to the labelled functions
/// in `LossFunctions.swift`.
public enum Loss: String, CaseIterable, Codable, Sendable {
    /// `meanSquaredError(predicted:expected:)`; targets have the prediction's shape.
    case meanSquaredError
    /// `meanAbsoluteError(predicted:expected:)`; targets have the prediction's shape.
    case meanAbsoluteError
    /// `binaryCrossEntropy(predicted:expected:)` of probabilities in [0, 1].
    case binaryCrossEntropy
    /// `sigmoidCrossEntropy(logits:labels:)`: binary cross-entropy of logits (no sigmoid layer),
    /// stable for any logit; also spelled `.binaryCrossEntropy(fromLogits: true)`.
    case sigmoidCrossEntropy
    /// `categoricalCrossEntropy(predicted:expected:)` of probabilities against one-hot labels.
    case categoricalCrossEntropy
    /// `softmaxCrossEntropy(logits:labels:)`: logits against one-hot labels.
    case softmaxCrossEntropy
    /// `sparseSoftmaxCrossEntropy(logits:labels:)`: logits against class indices.
    case sparseSoftmaxCrossEntropy

    /// The loss named `name` (canonical, Keras or short names), or an error listing them.
    public init(named name: String) throws {
        self = try NameTable.lookUp(name, kind: "loss", in: Loss.names, validNames: Loss.validNames)
    }

    static let aliases: [(String, Loss)] = [
        ("mse", .meanSquaredError), ("mae", .meanAbsoluteError), ("bce", .binaryCrossEntropy),
        ("binary_crossentropy", .binaryCrossEntropy), ("binary_crossentropy_from_logits", .sigmoidCrossEntropy),
        ("bce_with_logits", .sigmoidCrossEntropy), ("categorical_crossentropy", .categoricalCrossEntropy),
        ("cross_entropy", .softmaxCrossEntropy), ("sparse_categorical_crossentropy", .sparseSoftmaxCrossEntropy),
    ]

    static let names: [String: Loss] = {
        var table = Dictionary(uniqueKeysWithValues: allCases.map { (NameTable.normalized($0.rawValue), $0) })
        for (alias, loss) in aliases { table[NameTable.normalized(alias)] = loss }
        return table
    }()

    /// Every accepted name: the canonical ones, then the aliases.
    public static let validNames: [String] = allCases.map(\.rawValue) + aliases.map(\.0)

    /// Binary cross-entropy of probabilities (`fromLogits: false`, after a sigmoid) or of
    /// logits (`fromLogits: true`, `.sigmoidCrossEntropy`), as Keras spells it.
    public static func binaryCrossEntropy(fromLogits: Bool) -> Loss {
        fromLogits ? .sigmoidCrossEntropy : .binaryCrossEntropy
    }

    /// Whether the model's single output is one score of a binary classifier (a probability,
    /// or a logit for `.sigmoidCrossEntropy`).
    public var isBinaryClassification: Bool { self == .binaryCrossEntropy || self == .sigmoidCrossEntropy }

    /// Whether targets are class indices `[batch]` rather than tensors shaped like the output.
    public var takesClassIndices: Bool { self == .sparseSoftmaxCrossEntropy }

    /// The loss of `predicted` against `expected`, as a scalar on the tape.
    public func callAsFunction(predicted: Variable, expected: Tensor) -> Variable {
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

    /// Checks that targets of `targetShape` fit predictions of `outputShape` (both per sample,
    /// batch excluded), and for class indices that every label is a class of the output.
    public func validate(outputShape: [Int], targets: Tensor) throws {
        let targetShape = Array(targets.shape.dropFirst())
        if takesClassIndices {
            guard outputShape.count == 1, targetShape.isEmpty || targetShape == [1] else {
                throw NeuralNetError.shapeMismatch(
                    layer: "loss \(rawValue)", expected: "outputs [batch, classes] and labels [batch] of class indices",
                    actual: targets.shape,
                    hint: "The model outputs \(outputShape) per sample; for one-hot labels use .softmaxCrossEntropy")
            }
            let classes = outputShape[0]
            if let bad = targets.scalars.first(where: { $0 < 0 || $0 >= Float(classes) || $0 != $0.rounded() }) {
                throw NeuralNetError.invalidData(
                    "loss \(rawValue): label \(bad) is not a class index in 0..<\(classes); the last layer has \(classes) outputs")
            }
            return
        }
        guard targetShape == outputShape else {
            let hint = outputShape.count == 1 && targetShape.isEmpty
                ? "Labels look like class indices; use .sparseSoftmaxCrossEntropy or reshape them to [batch, \(outputShape[0])]"
                : "Targets must have the model's output shape per sample"
            throw NeuralNetError.shapeMismatch(
                layer: "loss \(rawValue)", expected: "targets [batch] + \(outputShape)", actual: targets.shape, hint: hint)
        }
    }
}

extension Loss: ExpressibleByStringLiteral {
    /// A loss from a name literal: `Sequential(loss: "mse")`. An unknown name stops the program
    /// with the list of valid names; use `init(named:)` for names read at run time.
    public init(stringLiteral name: String) {
        do { try self.init(named: name) } catch { preconditionFailure("\(error)") }
    }
}
