/// The loss a model minimises: a built-in one chosen by value (`.meanSquaredError`) or by name
/// (`"mse"`), or your own function of the predictions and targets:
///
/// ```swift
/// let logCosh = Loss(name: "log_cosh") { predicted, expected in
///     let difference = predicted - Variable(expected)
///     return ((difference.exp() + (-1 * difference).exp()) * 0.5).log().mean()
/// }
/// let model = Sequential(inputShape: [3], loss: logCosh) { Dense(1) }
/// ```
///
/// A custom loss is written with `Variable` operations, so the tape derives its gradient by the
/// chain rule. It returns the batch's mean as a scalar, or one value per sample (or per element),
/// which `fit` averages, as Keras does. Two custom losses are equal when they have the same name.
///
/// A model saved with a custom loss records its name; register the loss to load the file with
/// it: `registry.register(logCosh)`, then `Model.load(from:registry:)`.
public struct Loss: Sendable {
    /// The name in summaries and model files: `"meanSquaredError"`, or a custom loss's own.
    public let name: String
    /// Whether targets are class indices `[batch]` rather than tensors shaped like the output.
    public let takesClassIndices: Bool
    /// The built-in loss this is, if any.
    let builtin: Builtin?
    /// The class index that counts for nothing (padding), for class-index losses.
    public let ignoredIndex: Int?
    /// A name literal (`loss: "msee"`) that names no loss, reported when the model is built;
    /// nil for every usable loss.
    public internal(set) var unknownName: String?
    private let function: @Sendable (Variable, Tensor) -> Variable

    /// A custom loss `function(predicted, expected)` named `name`. Targets are shaped like the
    /// model's output per sample unless `takesClassIndices` (one class index per sample).
    public init(
        name: String, takesClassIndices: Bool = false,
        _ function: @escaping @Sendable (_ predicted: Variable, _ expected: Tensor) -> Variable
    ) {
        self.name = name
        self.takesClassIndices = takesClassIndices
        self.builtin = nil
        self.ignoredIndex = nil
        self.function = function
    }

    init(_ builtin: Builtin, ignoring ignored: Int? = nil) {
        name = ignored.map { "\(builtin.rawValue)(ignoring: \($0))" } ?? builtin.rawValue
        takesClassIndices = builtin == .sparseSoftmaxCrossEntropy
        self.builtin = builtin
        self.ignoredIndex = ignored
        if let ignored {
            function = { NeuralNet.sparseSoftmaxCrossEntropy(logits: $0, labels: $1, ignoring: ignored) }
        } else {
            function = builtin.callAsFunction
        }
    }

    /// Whether the model's single output is one score of a binary classifier (a probability,
    /// or a logit for `.sigmoidCrossEntropy`).
    public var isBinaryClassification: Bool { builtin == .binaryCrossEntropy || builtin == .sigmoidCrossEntropy }

    /// The loss of `predicted` against `expected`, as a scalar on the tape; a custom loss that
    /// returns several values is averaged.
    public func callAsFunction(predicted: Variable, expected: Tensor) -> Variable {
        let value = function(predicted, expected)
        guard value.value.count != 1 else { return value }
        return value.mean()
    }

    /// Checks that targets of `targetShape` fit predictions of `outputShape` (both per sample,
    /// batch excluded), and for class indices that every label is a class of the output.
    public func validate(outputShape: [Int], targets: Tensor) throws {
        let targetShape = Array(targets.shape.dropFirst())
        if takesClassIndices {
            let positions = Array(outputShape.dropLast())
            guard !outputShape.isEmpty, targetShape == positions || (positions.isEmpty && targetShape == [1]) else {
                let hint = targetShape.isEmpty && outputShape.count > 1
                    ? "The model outputs \(outputShape) per sample, one prediction per position, but the labels have one class per "
                        + "sample; add Flatten() before the last Dense layers to classify whole samples"
                    : "The model outputs \(outputShape) per sample; for one-hot labels use .softmaxCrossEntropy"
                throw NeuralNetError.shapeMismatch(
                    layer: "loss \(name)", expected: "labels [batch] + \(positions) of class indices for outputs [batch] + \(outputShape)",
                    actual: targets.shape, hint: hint)
            }
            let classes = outputShape[outputShape.count - 1]
            let ignored = ignoredIndex.map(Float.init)
            if let bad = targets.scalars.first(where: { ($0 < 0 || $0 >= Float(classes) || $0 != $0.rounded()) && $0 != ignored }) {
                throw NeuralNetError.invalidData(
                    "loss \(name): label \(bad) is not a class index in 0..<\(classes); the last layer has \(classes) outputs")
            }
            return
        }
        guard targetShape == outputShape else {
            let hint: String
            if outputShape == [1] && targetShape.isEmpty {
                hint = "Targets [batch] against outputs [batch, 1]: reshape them with targets.reshaped(to: [\(targets.shape.first ?? 0), 1])"
            } else if outputShape.count == 1 && targetShape.isEmpty && builtin != .meanSquaredError && builtin != .meanAbsoluteError {
                hint = "Labels look like class indices; use .sparseSoftmaxCrossEntropy or reshape them to [batch, \(outputShape[0])]"
            } else {
                hint = "Targets must have the model's output shape per sample"
            }
            throw NeuralNetError.shapeMismatch(
                layer: "loss \(name)", expected: "targets [batch] + \(outputShape)", actual: targets.shape, hint: hint)
        }
    }
}

extension Loss: Hashable, CustomStringConvertible {
    public static func == (a: Loss, b: Loss) -> Bool { a.name == b.name && a.builtin == b.builtin }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    public var description: String { name }
}

extension Loss: ArgumentChecked {
    public var argumentProblem: String? {
        unknownName.map { "\(NeuralNetError.unknownName(kind: "loss", name: $0, validNames: Loss.validNames))" }
    }
}
