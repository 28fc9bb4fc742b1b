/// The metrics of whole epochs run inside a compiled plan (`CompiledStep.runEpochs`): each
/// batch's totals from the plan's output and the batch's target rows, summed per epoch in the
/// order of the batches as `RunningTotals` sums them, so that the epochs' values are the ones
/// eager training logs.
final class EpochScoring {
    let metrics: [Metric]
    let loss: Loss
    /// The metrics' names, in their order.
    let names: [String]
    /// A target row's shape: the labels' after the sample axis.
    private let rowShape: [Int]
    private let rowWidth: Int
    /// A batch's targets by its size: tensors made once and refilled every batch.
    private var targets: [Int: Tensor] = [:]
    /// The block's sums: epoch e's total of metric m at `e · metrics.count + m`.
    private var sums: [Double] = []

    /// Scoring for `metrics` under `loss`, with targets shaped as the rows of `labels`.
    init(metrics: [Metric], loss: Loss, labels: Tensor) {
        (self.metrics, self.loss, names) = (metrics, loss, metrics.map(\.name))
        rowShape = Array(labels.shape.dropFirst())
        rowWidth = rowShape.reduce(1, *)
    }

    /// Starts a block of `epochs` epochs, every sum at zero.
    func beginBlock(epochs: Int) {
        sums = Array(repeating: 0, count: epochs * metrics.count)
    }

    /// Adds a batch of epoch `epoch` (counted within the block): `output` `[count, outputs]`,
    /// the plan's, and `count` target rows at `rows`.
    func add(epoch: Int, output: Tensor, targets rows: UnsafePointer<Float>, count: Int) {
        targets[count, default: Tensor.zeros([count] + rowShape)].scalars.withUnsafeMutableBufferPointer {
            $0.baseAddress!.update(from: rows, count: count * rowWidth)
        }
        let batchTargets = targets[count]!
        for (index, metric) in metrics.enumerated() {
            sums[epoch * metrics.count + index] += metric.total(output: output, targets: batchTargets, loss: loss)
        }
    }

    /// Epoch `epoch`'s value of each metric over `samples` samples, in the metrics' order.
    func values(epoch: Int, samples: Int) -> ArraySlice<Float> {
        let start = epoch * metrics.count
        return ArraySlice(metrics.indices.map { Float(metrics[$0].value(sum: sums[start + $0], samples: samples)) })
    }
}
