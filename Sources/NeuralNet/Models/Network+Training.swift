/// The training loop, shared by every `Network`.
extension Network {
    /// Trains on `dataset` for `epochs` passes in shuffled mini-batches.
    ///
    /// - Parameters:
    ///   - validation: evaluated after each epoch; its scores appear as `"val_loss"`, ...
    ///   - callbacks: early stopping, learning-rate schedules, hooks.
    ///   - seed: makes initialisation (on first use), dropout and shuffling reproducible: the
    ///     model's generator is reseeded with `seed`, and batches are shuffled by an independent
    ///     stream of the same seed. `nil` continues the model's own sequence.
    ///   - progress: how progress is reported on standard error.
    /// - Returns: the loss and metrics of every epoch.
    /// - Throws: `NeuralNetError` for empty data, shapes that do not fit the layers or the
    ///   loss, and a loss that becomes NaN or infinite.
    @discardableResult
    public func fit(
        _ dataset: Dataset, epochs: Int = 1, batchSize: Int = 32, validation: Dataset? = nil, shuffle: Bool = true,
        callbacks: [any Callback] = [], seed: UInt64? = nil, progress: Progress = .automatic
    ) throws -> History {
        guard epochs >= 0 else { throw NeuralNetError.invalidArgument("fit: epochs must be 0 or more, got \(epochs)") }
        guard batchSize > 0 else { throw NeuralNetError.invalidArgument("fit: batchSize must be positive, got \(batchSize)") }
        if let seed { generator = SeededGenerator(seed: seed) }
        try check(dataset, role: "training")
        if let validation { try check(validation, role: "validation") }
        var shuffler = seed.map { SeededGenerator(seed: $0, stream: 1) } ?? generator.split()

        let callbacks = callbacks + (progress == .silent ? [] : [ProgressReporter(style: progress)])
        let batchCount = (dataset.count + batchSize - 1) / batchSize
        var history = History()
        var order = Array(0..<dataset.count)
        callbacks.forEach { $0.trainingWillBegin(self, epochs: epochs, batchesPerEpoch: batchCount) }
        let parameters = trainableParameters
        var (inputs, targets) = (Tensor.empty, Tensor.empty)
        var epoch = 0
        while epoch < epochs {
            epoch += 1
            callbacks.forEach { $0.epochWillBegin(epoch) }
            if shuffle { order.shuffle(using: &shuffler) }
            var totals = RunningTotals(metrics: metrics, loss: loss)
            for (index, start) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
                let samples = order[start..<min(start + batchSize, order.count)]
                inputs.setToRows(of: dataset.inputs, at: samples)
                targets.setToRows(of: dataset.labels, at: samples)
                let (lossValue, output) = try trainStep(inputs, targets, parameters: parameters)
                guard lossValue.isFinite else {
                    throw NeuralNetError.nonFiniteLoss(epoch: epoch, batch: index + 1, value: lossValue)
                }
                totals.add(loss: lossValue, output: output, targets: targets)
                if !callbacks.isEmpty {
                    let logs = totals.logs()
                    callbacks.forEach { $0.batchDidEnd(index + 1, of: batchCount, epoch: epoch, logs: logs) }
                }
            }
            var logs = totals.logs()
            if let validation {
                for (key, value) in try evaluate(validation, batchSize: max(batchSize, 256)).scores { logs["val_" + key] = value }
            }
            history.append(logs)
            // Every callback sees the epoch, even when an earlier one asks to stop.
            let stops = callbacks.map { $0.epochDidEnd(epoch, logs: logs) }
            if stops.contains(true) { break }
        }
        callbacks.forEach { $0.trainingDidEnd(history: history) }
        return history
    }

    /// Trains on inputs `x` (`[samples, ...]`) and targets `y` (`[samples, ...]`, or class indices
    /// `[samples]` for `.sparseSoftmaxCrossEntropy`); see `fit(_:epochs:...)` for the rest.
    @discardableResult
    public func fit(
        _ x: Tensor, _ y: Tensor, epochs: Int = 1, batchSize: Int = 32, validation: (Tensor, Tensor)? = nil,
        shuffle: Bool = true, callbacks: [any Callback] = [], seed: UInt64? = nil, progress: Progress = .automatic
    ) throws -> History {
        try fit(
            try Dataset(inputs: x, labels: y), epochs: epochs, batchSize: batchSize,
            validation: try validation.map { try Dataset(inputs: $0.0, labels: $0.1) }, shuffle: shuffle,
            callbacks: callbacks, seed: seed, progress: progress)
    }

    /// One optimisation step on a batch: forward in training mode, loss, backward, update.
    /// Returns the batch's loss and the outputs before the update; when the loss is NaN or
    /// infinite, nothing is updated.
    @discardableResult
    public func trainStep(_ inputs: Tensor, _ targets: Tensor) throws -> (loss: Float, output: Tensor) {
        try trainStep(inputs, targets, parameters: trainableParameters)
    }

    func trainStep(_ inputs: Tensor, _ targets: Tensor, parameters: [Parameter]) throws -> (loss: Float, output: Tensor) {
        let output = try forward(Variable(inputs), mode: .training)
        let lossVariable = loss(predicted: output, expected: targets)
        // A NaN or infinite loss leaves the weights as they were, for the caller to report.
        guard lossVariable.value.scalar.isFinite else { return (lossVariable.value.scalar, output.value) }
        lossVariable.backward()
        optimizer.step(parameters)
        return (lossVariable.value.scalar, output.value)
    }

    /// The loss and every metric on `dataset`, in inference mode, and for classifiers a
    /// confusion matrix: `try model.evaluate(test)["accuracy"]!`.
    public func evaluate(_ dataset: Dataset, batchSize: Int = 256) throws -> Evaluation {
        guard batchSize > 0 else { throw NeuralNetError.invalidArgument("evaluate: batchSize must be positive, got \(batchSize)") }
        try check(dataset, role: "evaluation")
        var totals = RunningTotals(metrics: metrics, loss: loss)
        var confusion: ConfusionMatrix?
        for batch in dataset.batches(of: batchSize) {
            let targets = batch.labels
            let output = try Variable.withoutRecording { try forward(Variable(batch.inputs), mode: .inference) }
            totals.add(loss: loss(predicted: output, expected: targets).value.scalar, output: output.value, targets: targets)
            let width = output.value.count / max(output.value.dimensions[0], 1)
            if loss.takesClassIndices || width > 1 || [.binaryCrossEntropy].contains(loss) {
                if confusion == nil { confusion = ConfusionMatrix(classes: max(width, 2)) }
                confusion!.add(
                    truth: Metric.trueClasses(targets: targets, width: width, loss: loss),
                    predicted: Metric.predictedClasses(output: output.value))
            }
        }
        return Evaluation(scores: totals.logs(), confusionMatrix: confusion)
    }

    /// The loss and every metric on inputs `x` and targets `y`.
    public func evaluate(_ x: Tensor, _ y: Tensor, batchSize: Int = 256) throws -> Evaluation {
        try evaluate(try Dataset(inputs: x, labels: y), batchSize: batchSize)
    }

    /// The model's outputs for `x` (`[samples, ...]`), computed in inference mode in batches of
    /// `batchSize`.
    ///
    /// - Precondition: `x` fits the model's input; a mismatch stops with the layer and shapes.
    ///   Use `output(for:)` to get the error thrown instead.
    public func predict(_ x: Tensor, batchSize: Int = 256) -> Tensor {
        do { return try output(for: x, batchSize: batchSize) } catch { preconditionFailure("predict: \(error)") }
    }

    /// The model's outputs for `x`, throwing `NeuralNetError` when `x` does not fit.
    public func output(for x: Tensor, batchSize: Int = 256) throws -> Tensor {
        guard x.rank >= 1 else {
            throw NeuralNetError.shapeMismatch(layer: "input", expected: "a batch [samples, ...]", actual: x.shape)
        }
        guard batchSize > 0 else { throw NeuralNetError.invalidArgument("predict: batchSize must be positive, got \(batchSize)") }
        let outputShape = try build(inputShape: Array(x.shape.dropFirst()))
        let sampleCount = x.shape[0]
        return try Variable.withoutRecording {
            if sampleCount <= batchSize { return try forward(Variable(x), mode: .inference).value }
            var scalars: [Float] = []
            scalars.reserveCapacity(sampleCount * outputShape.reduce(1, *))
            for start in stride(from: 0, to: sampleCount, by: batchSize) {
                let batch = x.gatheringRows(start..<min(start + batchSize, sampleCount))
                scalars += try forward(Variable(batch), mode: .inference).value.scalars
            }
            return Tensor(shape: [sampleCount] + outputShape, scalars: scalars)
        }
    }

    /// Checks that `dataset` is non-empty and fits the model and the loss; builds the model on
    /// first use.
    func check(_ dataset: Dataset, role: String) throws {
        guard dataset.count > 0 else {
            throw NeuralNetError.invalidData("\(role) data is empty: inputs have shape \(dataset.inputs.shape)")
        }
        let outputShape = try build(inputShape: dataset.sampleShape)
        try loss.validate(outputShape: outputShape, targets: dataset.labels)
    }
}

/// Sums of the loss and metric counts over the batches of an epoch.
struct RunningTotals {
    let metrics: [Metric]
    let loss: Loss
    private var lossSum: Double = 0
    private var correct: [Metric: Int] = [:]
    private var samples = 0

    init(metrics: [Metric], loss: Loss) {
        self.metrics = metrics
        self.loss = loss
    }

    /// Adds a batch whose mean loss is `value`.
    mutating func add(loss value: Float, output: Tensor, targets: Tensor) {
        let batch = output.dimensions[0]
        lossSum += Double(value) * Double(batch)
        samples += batch
        for metric in metrics {
            correct[metric, default: 0] += metric.correctCount(output: output, targets: targets, loss: loss)
        }
    }

    func logs() -> [String: Float] {
        var logs = ["loss": Float(lossSum / Double(max(samples, 1)))]
        for metric in metrics { logs[metric.name] = Float(correct[metric, default: 0]) / Float(max(samples, 1)) }
        return logs
    }
}
