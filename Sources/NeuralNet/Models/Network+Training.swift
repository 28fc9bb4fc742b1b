/// The training loop, shared by every `Network`.
extension Network {
    /// Trains on inputs `x` (`[samples, ...]`) and targets `y` (`[samples, ...]`, or class indices
    /// `[samples]` for `.sparseSoftmaxCrossEntropy`) for `epochs` passes in shuffled mini-batches.
    ///
    /// - Parameters:
    ///   - validation: inputs and targets evaluated after each epoch (`"val_loss"`, ...).
    ///   - seed: makes initialisation (on first use) and shuffling reproducible: the model's
    ///     generator is reseeded with `seed`, and batches are shuffled by an independent stream
    ///     of the same seed. `nil` continues the model's own sequence.
    /// - Returns: the loss and metrics of every epoch.
    /// - Throws: `NeuralNetError` for empty or mismatched data, shapes that do not fit the
    ///   layers or the loss, and a loss that becomes NaN or infinite.
    @discardableResult
    public func fit(
        _ x: Tensor, _ y: Tensor, epochs: Int = 1, batchSize: Int = 32, validation: (Tensor, Tensor)? = nil,
        shuffle: Bool = true, seed: UInt64? = nil, callbacks: [any Callback] = []
    ) throws -> History {
        guard epochs >= 0 else { throw NeuralNetError.invalidArgument("fit: epochs must be 0 or more, got \(epochs)") }
        guard batchSize > 0 else { throw NeuralNetError.invalidArgument("fit: batchSize must be positive, got \(batchSize)") }
        if let seed { generator = SeededGenerator(seed: seed) }
        try checkData(x, y, role: "training")
        var shuffler = seed.map { SeededGenerator(seed: $0, stream: 1) } ?? generator.split()
        if let (vx, vy) = validation { try checkData(vx, vy, role: "validation") }

        let sampleCount = x.shape[0]
        let batches = (sampleCount + batchSize - 1) / batchSize
        var history = History()
        var order = Array(0..<sampleCount)
        callbacks.forEach { $0.trainingWillBegin(epochs: epochs, batchesPerEpoch: batches) }
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            if shuffle { order.shuffle(using: &shuffler) }
            var totals = RunningTotals(metrics: metrics)
            for batch in 0..<batches {
                let indices = order[(batch * batchSize)..<min((batch + 1) * batchSize, sampleCount)]
                let (inputs, targets) = (x.gatheringRows(indices), y.gatheringRows(indices))
                let (lossValue, output) = try trainStep(inputs, targets)
                guard lossValue.isFinite else {
                    throw NeuralNetError.nonFiniteLoss(epoch: epoch, batch: batch + 1, value: lossValue)
                }
                totals.add(loss: lossValue, output: output, targets: targets, lossFunction: loss)
                let logs = totals.logs()
                callbacks.forEach { $0.batchDidEnd(batch + 1, of: batches, epoch: epoch, logs: logs) }
            }
            var logs = totals.logs()
            if let (vx, vy) = validation {
                for (key, value) in try evaluate(vx, vy, batchSize: max(batchSize, 256)) { logs["val_" + key] = value }
            }
            history.append(logs)
            // Every callback sees the epoch, even when an earlier one asks to stop.
            let stops = callbacks.map { $0.epochDidEnd(epoch, logs: logs) }
            if stops.contains(true) { break }
        }
        callbacks.forEach { $0.trainingDidEnd(history: history) }
        return history
    }

    /// One optimisation step on a batch: forward in training mode, loss, backward, update.
    /// Returns the batch's loss and the outputs before the update.
    @discardableResult
    public func trainStep(_ inputs: Tensor, _ targets: Tensor) throws -> (loss: Float, output: Tensor) {
        let output = try forward(Variable(inputs), mode: .training)
        let lossVariable = loss(predicted: output, expected: targets)
        lossVariable.backward()
        optimizer.step(trainableParameters)
        return (lossVariable.value.scalar, output.value)
    }

    /// The loss and every metric on `x` and `y`, in inference mode:
    /// `["loss": 0.31, "accuracy": 0.89]`.
    public func evaluate(_ x: Tensor, _ y: Tensor, batchSize: Int = 256) throws -> [String: Float] {
        guard batchSize > 0 else { throw NeuralNetError.invalidArgument("evaluate: batchSize must be positive, got \(batchSize)") }
        try checkData(x, y, role: "evaluation")
        var totals = RunningTotals(metrics: metrics)
        let sampleCount = x.shape[0]
        for start in stride(from: 0, to: sampleCount, by: batchSize) {
            let indices = start..<min(start + batchSize, sampleCount)
            let targets = y.gatheringRows(indices)
            let output = try forward(Variable(x.gatheringRows(indices)), mode: .inference)
            let lossValue = loss(predicted: output, expected: targets).value.scalar
            totals.add(loss: lossValue, output: output.value, targets: targets, lossFunction: loss, weight: indices.count)
        }
        return totals.logs()
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
        if sampleCount <= batchSize { return try forward(Variable(x), mode: .inference).value }
        var scalars: [Float] = []
        scalars.reserveCapacity(sampleCount * outputShape.reduce(1, *))
        for start in stride(from: 0, to: sampleCount, by: batchSize) {
            let batch = x.gatheringRows(start..<min(start + batchSize, sampleCount))
            scalars += try forward(Variable(batch), mode: .inference).value.scalars
        }
        return Tensor(shape: [sampleCount] + outputShape, scalars: scalars)
    }

    /// Checks that `x` and `y` are non-empty, have one target per sample, and fit the model and
    /// the loss; builds the model on first use.
    func checkData(_ x: Tensor, _ y: Tensor, role: String) throws {
        guard x.rank >= 1, x.shape[0] > 0 else {
            throw NeuralNetError.invalidData("\(role) data is empty: inputs have shape \(x.shape)")
        }
        guard y.rank >= 1, y.shape[0] == x.shape[0] else {
            throw NeuralNetError.invalidData(
                "\(role) data: \(x.rank >= 1 ? x.shape[0] : 0) input samples (shape \(x.shape)) but "
                    + "\(y.rank >= 1 ? y.shape[0] : 0) targets (shape \(y.shape)); they must match")
        }
        let outputShape = try build(inputShape: Array(x.shape.dropFirst()))
        try loss.validate(outputShape: outputShape, targets: y)
    }
}

/// Sums of the loss and metric counts over the batches of an epoch.
struct RunningTotals {
    let metrics: [Metric]
    private var lossSum: Double = 0
    private var lossWeight = 0
    private var correct: [Metric: Int] = [:]
    private var samples = 0

    init(metrics: [Metric]) { self.metrics = metrics }

    /// Adds a batch; `weight` is how many samples its loss averages (the batch size).
    mutating func add(loss value: Float, output: Tensor, targets: Tensor, lossFunction: Loss, weight: Int? = nil) {
        let batch = output.shape[0]
        let weight = weight ?? batch
        lossSum += Double(value) * Double(weight)
        lossWeight += weight
        samples += batch
        for metric in metrics {
            correct[metric, default: 0] += metric.correctCount(output: output, targets: targets, loss: lossFunction)
        }
    }

    func logs() -> [String: Float] {
        var logs = ["loss": Float(lossSum / Double(max(lossWeight, 1)))]
        for metric in metrics { logs[metric.rawValue] = Float(correct[metric, default: 0]) / Float(max(samples, 1)) }
        return logs
    }
}
