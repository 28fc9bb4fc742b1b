/// A quality measure reported beside the loss during `fit` and by `evaluate`.
///
/// For classifiers, the predicted class is the output's argmax (or, for a single output,
/// whether it is at least 0.5: binary classification). The true class is the label itself for
/// class-index labels, or the argmax of one-hot targets. For regression, the errors compare
/// outputs with targets of the same shape, element by element.
///
/// Your own metric is a closure over a batch's outputs and targets that returns the batch's mean;
/// the epoch's value is the mean over samples:
///
/// ```swift
/// let within10 = Metric.custom("within_10_percent") { output, targets in
///     let close = zip(output.scalars, targets.scalars).filter { Swift.abs($0 - $1) <= 0.1 * Swift.abs($1) }
///     return Double(close.count) / Double(max(output.count, 1))
/// }
/// ```
public enum Metric: Hashable, Sendable {
    /// The fraction of samples whose predicted class is the true class.
    case accuracy
    /// The fraction of samples whose true class is among the `k` largest outputs.
    case topKAccuracy(Int)
    /// `mean(|output - target|)` over every element.
    case meanAbsoluteError
    /// `mean((output - target)²)` over every element.
    case meanSquaredError
    /// `√mean((output - target)²)` over every element of the whole epoch.
    case rootMeanSquaredError
    /// Your own metric (see `custom(_:lowerIsBetter:_:)`).
    case custom(CustomMetric)

    /// A metric named `name` whose value for a batch is `function(output, targets)`, the batch's
    /// mean (per sample); the epoch reports the mean over all samples. `lowerIsBetter` tells
    /// `EarlyStopping`, `ReduceLROnPlateau` and `ModelCheckpoint` which way it should move.
    /// A saved model records the name; register the metric to load it (`registry.register(_:)`).
    public static func custom(
        _ name: String, lowerIsBetter: Bool = false,
        _ function: @escaping @Sendable (_ output: Tensor, _ targets: Tensor) -> Double
    ) -> Metric {
        .custom(CustomMetric(name: name, lowerIsBetter: lowerIsBetter, function: function))
    }

    /// The key in logs and `History`: `"accuracy"`, `"top5_accuracy"`, `"mean_absolute_error"`.
    public var name: String {
        switch self {
        case .accuracy: "accuracy"
        case .topKAccuracy(let k): "top\(k)_accuracy"
        case .meanAbsoluteError: "mean_absolute_error"
        case .meanSquaredError: "mean_squared_error"
        case .rootMeanSquaredError: "root_mean_squared_error"
        case .custom(let metric): metric.name
        }
    }

    /// Whether smaller values of the log key `key` are better: losses and errors
    /// (`"val_loss"`, `"mean_absolute_error"`), not accuracies.
    static func lowerIsBetter(_ key: String) -> Bool { key.contains("loss") || key.contains("error") }

    /// Whether smaller values are better (the errors, custom metrics that say so), as for losses.
    public var lowerIsBetter: Bool {
        switch self {
        case .meanAbsoluteError, .meanSquaredError, .rootMeanSquaredError: true
        case .accuracy, .topKAccuracy: false
        case .custom(let metric): metric.lowerIsBetter
        }
    }

    /// The epoch's value from the sum of `total(output:targets:loss:)` over `samples` samples.
    func value(sum: Double, samples: Int) -> Double {
        let mean = sum / Double(max(samples, 1))
        return self == .rootMeanSquaredError ? mean.squareRoot() : mean
    }

    /// A batch's contribution to the epoch's sum: correct samples for the accuracies, the sum
    /// over samples of each sample's mean error for the errors (NaN when the targets do not
    /// have the outputs' shape).
    func total(output: Tensor, targets: Tensor, loss: Loss) -> Double {
        switch self {
        case .accuracy, .topKAccuracy: return correctCount(output: output, targets: targets, loss: loss)
        case .custom(let metric): return metric.function(output, targets) * Double(output.shape.first ?? 0)
        case .meanAbsoluteError, .meanSquaredError, .rootMeanSquaredError:
            guard output.count == targets.count, output.count > 0 else { return output.count == 0 ? 0 : .nan }
            let width = Double(output.count / max(output.dimensions[0], 1))
            var sum: Double = 0
            for (o, t) in zip(output.scalars, targets.scalars) {
                let difference = Double(o - t)
                sum += self == .meanAbsoluteError ? Swift.abs(difference) : difference * difference
            }
            return sum / width
        }
    }

    /// The metric named `name` (`"accuracy"`, `"acc"`, `"top5"`, `"top_5_accuracy"`, `"mae"`,
    /// `"mse"`, `"rmse"` or the errors' full names), or an error listing the valid forms.
    public init(named name: String) throws {
        let key = NameTable.normalized(name)
        if key == "accuracy" || key == "acc" { self = .accuracy; return }
        let errors: [String: Metric] = [
            "mae": .meanAbsoluteError, "meanabsoluteerror": .meanAbsoluteError, "mse": .meanSquaredError,
            "meansquarederror": .meanSquaredError, "rmse": .rootMeanSquaredError, "rootmeansquarederror": .rootMeanSquaredError,
        ]
        if let metric = errors[key] { self = metric; return }
        if key.hasPrefix("top"), let k = Int(key.dropFirst(3).prefix { $0.isNumber }), k > 0,
           key == "top\(k)" || key == "top\(k)accuracy" {
            self = .topKAccuracy(k)
            return
        }
        throw NeuralNetError.unknownName(kind: "metric", name: name, validNames: Metric.validNames)
    }

    static let validNames = ["accuracy", "topK (e.g. top5, top_5_accuracy)", "mae", "mse", "rmse"]

    /// The metric named `name`: one registered in `registry` (custom metrics), else a built-in one.
    init(named name: String, registry: Registry) throws {
        if let custom = registry.metric(named: name) { self = custom; return }
        do { try self.init(named: name) } catch {
            throw NeuralNetError.unknownName(
                kind: "metric", name: name,
                validNames: Metric.validNames + registry.metricNames + ["a custom metric registered with registry.register(metric)"])
        }
    }

    /// The number of correct samples in a batch of `output` against `targets` (0 for the errors).
    /// A sequence model's output `[batch, time, classes]` has one prediction per position: a
    /// sample counts as the fraction of its positions that are right (positions labelled with
    /// the loss's ignored index left out).
    func correctCount(output: Tensor, targets: Tensor, loss: Loss) -> Double {
        let batch = output.dimensions[0]
        guard batch > 0 else { return 0 }
        let classes = Metric.classCount(of: output)
        switch self {
        case .accuracy:
            // Position by position, without arrays: a tiny model's compiled step scores every batch.
            let (counted, right) = Metric.accuracyCounts(output: output, targets: targets, classes: classes, loss: loss)
            return Double(right) * (Double(batch) / Double(Swift.max(counted, 1)))
        case .topKAccuracy(let k):
            let truth = Metric.trueClasses(targets: targets, classes: classes, loss: loss)
            let counted = truth.indices.filter { truth[$0] != loss.ignoredIndex }
            let perSample = Double(batch) / Double(Swift.max(counted.count, 1))
            return Double(counted.filter { row in
                let scores = output.scalars[(row * classes)..<((row + 1) * classes)]
                let own = scores[scores.startIndex + truth[row]]
                // The true class is in the top k if fewer than k classes score strictly higher.
                return scores.filter { $0 > own }.count < k
            }.count) * perSample
        case .meanAbsoluteError, .meanSquaredError, .rootMeanSquaredError, .custom:
            return 0
        }
    }

    /// The number of classes of a classifier's output: its last axis (1 for a binary score).
    static func classCount(of output: Tensor) -> Int {
        output.rank >= 2 ? output.dimensions[output.rank - 1] : 1
    }

    /// The score at or above which a single output predicts class 1: 0.5 for a probability, 0
    /// for the logit of `.sigmoidCrossEntropy`.
    static func threshold(for loss: Loss) -> Float { loss == .sigmoidCrossEntropy ? 0 : 0.5 }

    /// The predicted class at position `row` of `output` (`classes` scores a position): the
    /// argmax, or for a single output `score ≥ threshold`.
    @inline(__always)
    static func predictedClass(_ output: UnsafeBufferPointer<Float>, row: Int, classes: Int, threshold: Float) -> Int {
        classes == 1 ? (output[row] >= threshold ? 1 : 0) : Tensor.argmax(output.baseAddress! + row * classes, count: classes)
    }

    /// The true class at position `row` of `targets`: the label, the argmax of a one-hot row, or
    /// `target ≥ 0.5`.
    @inline(__always)
    static func trueClass(_ targets: UnsafeBufferPointer<Float>, row: Int, classes: Int, loss: Loss) -> Int {
        if loss.takesClassIndices { return Int(targets[row]) }
        return classes == 1 ? (targets[row] >= 0.5 ? 1 : 0) : Tensor.argmax(targets.baseAddress! + row * classes, count: classes)
    }

    /// The positions of targets for `classes` scores a position under `loss`.
    static func positions(of targets: Tensor, classes: Int, loss: Loss) -> Int {
        loss.takesClassIndices ? targets.count : targets.count / classes
    }

    /// The predicted class at each position (see `predictedClass`).
    static func predictedClasses(output: Tensor, loss: Loss) -> [Int] {
        let (classes, threshold) = (classCount(of: output), threshold(for: loss))
        return output.scalars.withUnsafeBufferPointer { o in
            (0..<(output.count / classes)).map { predictedClass(o, row: $0, classes: classes, threshold: threshold) }
        }
    }

    /// The true class at each position (see `trueClass`).
    static func trueClasses(targets: Tensor, classes: Int, loss: Loss) -> [Int] {
        targets.scalars.withUnsafeBufferPointer { t in
            (0..<positions(of: targets, classes: classes, loss: loss)).map { trueClass(t, row: $0, classes: classes, loss: loss) }
        }
    }

    /// The positions counted (those not labelled with the loss's ignored index) and how many
    /// of them are predicted right: `trueClasses` against `predictedClasses`, without arrays.
    static func accuracyCounts(output: Tensor, targets: Tensor, classes: Int, loss: Loss) -> (counted: Int, right: Int) {
        let threshold = threshold(for: loss)
        let positions = Swift.min(output.count / classes, positions(of: targets, classes: classes, loss: loss))
        var (counted, right) = (0, 0)
        output.scalars.withUnsafeBufferPointer { o in
            targets.scalars.withUnsafeBufferPointer { t in
                for row in 0..<positions {
                    let truth = trueClass(t, row: row, classes: classes, loss: loss)
                    if truth == loss.ignoredIndex { continue }
                    counted += 1
                    if predictedClass(o, row: row, classes: classes, threshold: threshold) == truth { right += 1 }
                }
            }
        }
        return (counted, right)
    }
}

extension Metric: CustomStringConvertible, Codable {
    public var description: String { name }

    /// Decodes a metric name.
    public init(from decoder: any Decoder) throws {
        try self.init(named: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the metric's name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// A metric of your own, made by `Metric.custom(_:lowerIsBetter:_:)`. Two are equal when their
/// names are.
public struct CustomMetric: Hashable, Sendable {
    /// The key in logs and `History`.
    public let name: String
    /// Whether smaller values are better.
    public let lowerIsBetter: Bool
    /// The batch's mean value from its outputs and targets.
    let function: @Sendable (Tensor, Tensor) -> Double

    public static func == (a: CustomMetric, b: CustomMetric) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
