/// Inputs and their labels, sample by sample along the first axis: one input tensor and one
/// label tensor for most models, or several of each for a graph model with several inputs or
/// outputs.
///
/// A dataset is a value: `split`, `shuffled` and `prefix` return new datasets. Training reads it
/// in mini-batches, gathering only each batch's rows, so an epoch never copies the whole set.
public struct Dataset: Sendable {
    /// One tensor per model input, each `[count, ...]`.
    public let inputTensors: [Tensor]
    /// One tensor per model output, each `[count, ...]`: class indices `[count]`, or targets
    /// shaped like that output.
    public let labelTensors: [Tensor]
    /// Why this dataset cannot be used, when it came from a call with a bad argument
    /// (`split(1.5)`): `fit` and `evaluate` throw it as `NeuralNetError.invalidArgument`.
    public internal(set) var problem: String?

    /// `[count, ...]`: the (first) input of each sample (images are `[count, height, width, channels]`).
    public var inputs: Tensor { inputTensors[0] }
    /// `[count, ...]`: the (first) labels, class indices `[count]` or targets shaped like the output.
    public var labels: Tensor { labelTensors[0] }

    /// A dataset of `inputs` and `labels`; both must have the same number of samples.
    public init(inputs: Tensor, labels: Tensor) throws {
        try self.init(inputs: [inputs], labels: [labels])
    }

    /// A dataset for a model with several inputs or outputs: one tensor per input and one per
    /// output, all with the same number of samples.
    public init(inputs: [Tensor], labels: [Tensor]) throws {
        let all = inputs + labels
        guard !inputs.isEmpty, !labels.isEmpty, all.allSatisfy({ $0.rank >= 1 }),
              Set(all.map { $0.shape[0] }).count == 1 else {
            throw NeuralNetError.invalidData(
                "Dataset: inputs of shapes \(inputs.map(\.shape)) and labels of shapes \(labels.map(\.shape)) "
                    + "must be at least one of each, all with the same number of samples (first axis)")
        }
        inputTensors = inputs
        labelTensors = labels
    }

    /// The number of samples.
    public var count: Int { inputs.dimensions[0] }

    /// The shape of one input (batch excluded), of the first input.
    public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }

    /// The shape of one sample of each input.
    public var sampleShapes: [[Int]] { inputTensors.map { Array($0.shape.dropFirst()) } }

    /// The samples at `indices`, in that order.
    public subscript(indices: some Collection<Int>) -> Dataset {
        // Every tensor is gathered with the same indices, so the counts stay equal.
        var result = try! Dataset(inputs: inputTensors.map { $0.gatheringRows(indices) }, labels: labelTensors.map { $0.gatheringRows(indices) })
        result.problem = problem
        return result
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
    /// A fraction outside `[0, 1]` (or NaN) gives the whole set and an empty one, both
    /// carrying the `problem`, which `fit` and `evaluate` throw.
    public func split(_ fraction: Double) -> (first: Dataset, second: Dataset) {
        guard fraction >= 0 && fraction <= 1 else {
            var (first, second) = (self, self[0..<0])
            first.problem = "split(\(fraction)): the fraction must be in [0, 1]; split(0.9) keeps 90% for training"
            second.problem = first.problem
            return (first, second)
        }
        let cut = Int((Double(count) * fraction).rounded())
        return (self[0..<cut], self[cut..<count])
    }

    /// Mini-batches of `size` samples in `order` (by default the dataset's own); the last batch
    /// may be smaller. A `size` that is not positive is a programmer error: it stops with a
    /// message (`fit` and `evaluate` check their batch sizes and throw instead).
    public func batches(of size: Int, order: [Int]? = nil) -> [Batch] {
        check(size > 0, "batch size must be positive, got \(size)")
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
        /// `[batchSize, ...]` inputs (of the first input).
        public var inputs: Tensor { dataset.inputs.gatheringRows(indices) }
        /// `[batchSize, ...]` labels (of the first output).
        public var labels: Tensor { dataset.labels.gatheringRows(indices) }
        /// The batch of every input.
        public var inputTensors: [Tensor] { dataset.inputTensors.map { $0.gatheringRows(indices) } }
        /// The batch of every output's labels.
        public var labelTensors: [Tensor] { dataset.labelTensors.map { $0.gatheringRows(indices) } }
    }
}
