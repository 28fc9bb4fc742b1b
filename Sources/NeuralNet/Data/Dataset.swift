/// Inputs and their labels, sample by sample along the first axis: one input tensor and one
/// label tensor for most models, or several of each for a graph model with several inputs or
/// outputs.
///
/// A dataset is a value: `split`, `shuffled` and `prefix` return new datasets. Training reads it
/// in mini-batches, gathering only each batch's rows, so an epoch never copies the whole set.
///
/// Images read from IDX files are kept as bytes, as the files store them (a quarter of the
/// memory of `Float`s), and converted batch by batch; `inputs` and `inputTensors` convert the
/// whole set when asked (see `init(byteInputs:shape:scale:labels:)`).
public struct Dataset: Sendable {
    /// The inputs as stored: `Float` tensors, or bytes.
    let inputColumns: [InputColumn]
    /// One tensor per model input, each `[count, ...]` (made from the bytes, for compact
    /// inputs: training never asks for it).
    public var inputTensors: [Tensor] { inputColumns.map(\.tensor) }
    /// One tensor per model output, each `[count, ...]`: class indices `[count]`, or targets
    /// shaped like that output.
    public let labelTensors: [Tensor]
    /// Why this dataset cannot be used, when it came from a call with a bad argument
    /// (`split(1.5)`): `fit` and `evaluate` throw it as `NeuralNetError.invalidArgument`.
    public internal(set) var problem: String?

    /// `[count, ...]`: the (first) input of each sample (images are `[count, height, width, channels]`).
    public var inputs: Tensor { inputColumns[0].tensor }
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
        inputColumns = inputs.map(InputColumn.init)
        labelTensors = labels
    }

    /// A dataset whose one input is `byteInputs` of `shape` (`[count, ...]`), each byte standing
    /// for `byte · scale` (images: `scale: 1 / 255`), kept as bytes and converted to `Float`
    /// batch by batch as training reads it.
    public init(byteInputs: [UInt8], shape: [Int], scale: Float, labels: Tensor) throws {
        guard let first = shape.first, Dimensions.problem(with: shape) == nil, Dimensions.elementCount(shape) == byteInputs.count,
              labels.rank >= 1, labels.shape[0] == first else {
            throw NeuralNetError.invalidData(
                "Dataset: \(byteInputs.count) bytes cannot be inputs of shape \(shape) for labels of shape \(labels.shape); "
                    + "the bytes must fill the shape and the labels have one row per sample")
        }
        try self.init(columns: [InputColumn(bytes: byteInputs[...], shape: shape, scale: scale)], labels: [labels])
    }

    init(columns: [InputColumn], labels: [Tensor]) throws {
        guard !columns.isEmpty, !labels.isEmpty, labels.allSatisfy({ $0.rank >= 1 }),
              Set(columns.map(\.count) + labels.map { $0.shape[0] }).count == 1 else {
            throw NeuralNetError.invalidData(
                "Dataset: inputs of shapes \(columns.map(\.shape)) and labels of shapes \(labels.map(\.shape)) "
                    + "must be at least one of each, all with the same number of samples (first axis)")
        }
        self.init(checkedColumns: columns, labels: labels, problem: nil)
    }

    /// Columns and labels already known to agree (a gathering of a valid dataset's rows).
    private init(checkedColumns columns: [InputColumn], labels: [Tensor], problem: String?) {
        inputColumns = columns
        labelTensors = labels
        self.problem = problem
    }

    /// The number of samples.
    public var count: Int { inputColumns[0].count }

    /// The shape of one input (batch excluded), of the first input.
    public var sampleShape: [Int] { Array(inputColumns[0].shape.dropFirst()) }

    /// The shape of one sample of each input.
    public var sampleShapes: [[Int]] { inputColumns.map { Array($0.shape.dropFirst()) } }

    /// Whether any input is kept as bytes.
    public var hasCompactInputs: Bool { inputColumns.contains(where: \.isCompact) }

    /// The samples at `indices`, in that order.
    public subscript(indices: some Collection<Int>) -> Dataset {
        // Every tensor is gathered with the same indices, so the counts stay equal.
        Dataset(checkedColumns: inputColumns.map { $0.gathering(indices) }, labels: labelTensors.map { $0.gatheringRows(indices) },
                problem: problem)
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
        public var inputs: Tensor { inputTensors[0] }
        /// `[batchSize, ...]` labels (of the first output).
        public var labels: Tensor { dataset.labels.gatheringRows(indices) }
        /// The batch of every input.
        public var inputTensors: [Tensor] {
            dataset.inputColumns.map { column in
                var batch = Tensor.empty
                column.setRows(of: &batch, at: indices)
                return batch
            }
        }
        /// The batch of every output's labels.
        public var labelTensors: [Tensor] { dataset.labelTensors.map { $0.gatheringRows(indices) } }
    }
}
