/// A quality measure reported beside the loss during `fit` and by `evaluate`.
public enum Metric: String, CaseIterable, Codable, Sendable {
    /// The fraction of samples whose predicted class is the true class. With class-index
    /// labels the class is the output's argmax; with one-hot targets, the targets' argmax; with a
    /// single output, the output thresholded at 0.5 (binary classification).
    case accuracy

    /// The metric named `name`, or an error listing the valid names.
    public init(named name: String) throws {
        let table = Dictionary(uniqueKeysWithValues: Metric.allCases.map { (NameTable.normalized($0.rawValue), $0) })
        self = try NameTable.lookUp(name, kind: "metric", in: table, validNames: Metric.allCases.map(\.rawValue))
    }

    /// The number of correct samples in a batch (summed over batches, divided by the count).
    func correctCount(output: Tensor, targets: Tensor, loss: Loss) -> Int {
        let batch = output.shape[0]
        guard batch > 0 else { return 0 }
        let width = output.count / batch
        if loss.takesClassIndices {
            return zip(output.reshaped(to: [batch, width]).argmax(), targets.scalars).filter { Float($0) == $1 }.count
        }
        if width == 1 {
            return zip(output.scalars, targets.scalars).filter { ($0 >= 0.5) == ($1 >= 0.5) }.count
        }
        let predicted = output.reshaped(to: [batch, width]).argmax()
        let expected = targets.reshaped(to: [batch, width]).argmax()
        return zip(predicted, expected).filter { $0 == $1 }.count
    }
}
