/// Inputs and their labels, sample by sample along the first axis.
///
/// A dataset is a value: `split`, `shuffled` and `prefix` return new datasets. Training reads it
/// in mini-batches, gathering only each batch's rows, so an epoch never copies the whole set.
public struct Dataset: Sendable {
    /// `[count, ...]`: one input per sample (images are `[count, height, width, channels]`).
    public let inputs: Tensor
    /// `[count, ...]`: class indices `[count]`, or targets shaped like the model's output.
    public let labels: Tensor

    /// A dataset of `inputs` and `labels`; both must have the same number of samples.
    public init(inputs: Tensor, labels: Tensor) throws {
        guard inputs.rank >= 1, labels.rank >= 1, inputs.shape[0] == labels.shape[0] else {
            throw NeuralNetError.invalidData(
                "Dataset: inputs of shape \(inputs.shape) and labels of shape \(labels.shape) must have the same number of samples (first axis)")
        }
        self.inputs = inputs
        self.labels = labels
    }

    /// The number of samples.
    public var count: Int { inputs.dimensions[0] }

    /// The shape of one input (batch excluded).
    public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }

    /// The samples at `indices`, in that order.
    public subscript(indices: some Collection<Int>) -> Dataset {
        // Both tensors are gathered with the same indices, so the counts stay equal.
        try! Dataset(inputs: inputs.gatheringRows(indices), labels: labels.gatheringRows(indices))
    }

    /// The first `n` samples (all of them if there are fewer).
    public func prefix(_ n: Int) -> Dataset { self[0..<min(max(n, 0), count)] }

    /// The samples in an order drawn from `seed`.
    public func shuffled(seed: UInt64) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        return self[Array(0..<count).shuffled(using: &generator)]
    }

    /// Splits into the first `fraction` of the samples and the rest: `split(0.9)` keeps 90% for
    /// training and 10% for validation. Shuffle first if the order matters.
    public func split(_ fraction: Double) -> (first: Dataset, second: Dataset) {
        precondition(fraction >= 0 && fraction <= 1, "split fraction must be in [0, 1], got \(fraction)")
        let cut = Int((Double(count) * fraction).rounded())
        return (self[0..<cut], self[cut..<count])
    }

    /// Mini-batches of `size` samples in `order` (by default the dataset's own); the last batch
    /// may be smaller.
    public func batches(of size: Int, order: [Int]? = nil) -> [Batch] {
        precondition(size > 0, "batch size must be positive, got \(size)")
        let order = order ?? Array(0..<count)
        return stride(from: 0, to: order.count, by: size).map { start in
            Batch(dataset: self, indices: order[start..<min(start + size, order.count)])
        }
    }

    /// A mini-batch: the rows of a dataset at some indices, gathered when read.
    public struct Batch: Sendable {
        let dataset: Dataset
        /// The samples of the batch, as indices into the dataset.
        public let indices: ArraySlice<Int>
        /// `[batchSize, ...]` inputs.
        public var inputs: Tensor { dataset.inputs.gatheringRows(indices) }
        /// `[batchSize, ...]` labels.
        public var labels: Tensor { dataset.labels.gatheringRows(indices) }
    }
}
