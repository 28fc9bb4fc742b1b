/// A quality measure reported beside the loss during `fit` and by `evaluate`.
///
/// The predicted class is the output's argmax (or, for a single output, whether it is at least
/// 0.5: binary classification). The true class is the label itself for class-index labels, or
/// the argmax of one-hot targets.
public enum Metric: Hashable, Sendable {
    /// The fraction of samples whose predicted class is the true class.
    case accuracy
    /// The fraction of samples whose true class is among the `k` largest outputs.
    case topKAccuracy(Int)

    /// The key in logs and `History`: `"accuracy"`, `"top5_accuracy"`.
    public var name: String {
        switch self {
        case .accuracy: "accuracy"
        case .topKAccuracy(let k): "top\(k)_accuracy"
        }
    }

    /// The metric named `name` (`"accuracy"`, `"acc"`, `"top5"`, `"top_5_accuracy"`), or an error
    /// listing the valid forms.
    public init(named name: String) throws {
        let key = NameTable.normalized(name)
        if key == "accuracy" || key == "acc" { self = .accuracy; return }
        if key.hasPrefix("top"), let k = Int(key.dropFirst(3).prefix { $0.isNumber }), k > 0,
           key == "top\(k)" || key == "top\(k)accuracy" {
            self = .topKAccuracy(k)
            return
        }
        throw NeuralNetError.unknownName(kind: "metric", name: name, validNames: ["accuracy", "topK (e.g. top5, top_5_accuracy)"])
    }

    /// The number of correct samples in a batch of `output` against `targets`.
    func correctCount(output: Tensor, targets: Tensor, loss: Loss) -> Int {
        let batch = output.dimensions[0]
        guard batch > 0 else { return 0 }
        let width = output.count / batch
        let truth = Metric.trueClasses(targets: targets, width: width, loss: loss)
        switch self {
        case .accuracy:
            return zip(Metric.predictedClasses(output: output, loss: loss), truth).filter { $0 == $1 }.count
        case .topKAccuracy(let k):
            return (0..<batch).filter { row in
                let scores = output.scalars[(row * width)..<((row + 1) * width)]
                let own = scores[scores.startIndex + truth[row]]
                // The true class is in the top k if fewer than k classes score strictly higher.
                return scores.filter { $0 > own }.count < k
            }.count
        }
    }

    /// The predicted class of each sample: argmax, or for a single output `output ≥ 0.5`
    /// (a probability; `output ≥ 0` for the logits of `.sigmoidCrossEntropy`).
    static func predictedClasses(output: Tensor, loss: Loss) -> [Int] {
        let batch = output.dimensions[0]
        let width = output.count / max(batch, 1)
        let threshold: Float = loss == .sigmoidCrossEntropy ? 0 : 0.5
        if width == 1 { return output.scalars.map { $0 >= threshold ? 1 : 0 } }
        return output.reshaped(to: [batch, width]).argmax()
    }

    /// The true class of each sample: the label, the argmax of a one-hot row, or `target ≥ 0.5`.
    static func trueClasses(targets: Tensor, width: Int, loss: Loss) -> [Int] {
        if loss.takesClassIndices { return targets.scalars.map { Int($0) } }
        if width == 1 { return targets.scalars.map { $0 >= 0.5 ? 1 : 0 } }
        return targets.reshaped(to: [targets.dimensions[0], width]).argmax()
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
