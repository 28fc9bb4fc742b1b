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
    /// - Returns: the loss and metrics of every epoch. A model with several outputs also logs
    ///   each output's loss and metrics (`"output0_loss"`, `"output1_accuracy"`); `"loss"` is
    ///   the weighted total.
    /// - Throws: `NeuralNetError` for empty data, shapes that do not fit the layers or the
    ///   losses, and a loss that becomes NaN or infinite.
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
        var inputs = Array(repeating: Tensor.empty, count: dataset.inputTensors.count)
        var targets = Array(repeating: Tensor.empty, count: dataset.labelTensors.count)
        let single = isSingleInputAndOutput
        var epoch = 0
        while epoch < epochs {
            epoch += 1
            callbacks.forEach { $0.epochWillBegin(epoch) }
            if shuffle { order.shuffle(using: &shuffler) }
            var totals = RunningTotals(metrics: metrics, losses: losses)
            for (index, start) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
                let samples = order[start..<min(start + batchSize, order.count)]
                for i in inputs.indices { inputs[i].setToRows(of: dataset.inputTensors[i], at: samples) }
                for i in targets.indices { targets[i].setToRows(of: dataset.labelTensors[i], at: samples) }
                let lossValue: Float
                if single {
                    let step = try trainStep(inputs[0], targets[0], parameters: parameters)
                    lossValue = step.loss
                    if lossValue.isFinite { totals.add(loss: lossValue, output: step.output, target: targets[0]) }
                } else {
                    let step = try trainStep(inputs, targets, parameters: parameters)
                    lossValue = step.loss
                    if lossValue.isFinite { totals.add(loss: lossValue, each: step.losses, outputs: step.outputs, targets: targets) }
                }
                guard lossValue.isFinite else {
                    throw NeuralNetError.nonFiniteLoss(epoch: epoch, batch: index + 1, value: lossValue)
                }
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

    /// Trains a model of several inputs or outputs on one tensor per input (`x`) and one per
    /// output (`y`); see `fit(_:epochs:...)` for the rest.
    @discardableResult
    public func fit(
        _ x: [Tensor], _ y: [Tensor], epochs: Int = 1, batchSize: Int = 32, validation: ([Tensor], [Tensor])? = nil,
        shuffle: Bool = true, callbacks: [any Callback] = [], seed: UInt64? = nil, progress: Progress = .automatic
    ) throws -> History {
        try fit(
            try Dataset(inputs: x, labels: y), epochs: epochs, batchSize: batchSize,
            validation: try validation.map { try Dataset(inputs: $0.0, labels: $0.1) }, shuffle: shuffle,
            callbacks: callbacks, seed: seed, progress: progress)
    }

    /// One optimisation step on a batch of a one-input, one-output model: forward in training
    /// mode, loss, backward, update. Returns the batch's loss and the outputs before the
    /// update; when the loss is NaN or infinite, nothing is updated.
    @discardableResult
    public func trainStep(_ inputs: Tensor, _ targets: Tensor) throws -> (loss: Float, output: Tensor) {
        try build(inputShapes: [Array(inputs.shape.dropFirst())])
        guard isSingleInputAndOutput else {
            throw NeuralNetError.invalidArgument(
                "trainStep: the model has \(inputShapes?.count ?? 0) inputs and \(losses.count) outputs; use fit with one tensor per input and output")
        }
        return try trainStep(inputs, targets, parameters: trainableParameters)
    }

    /// The step of a one-input, one-output model with an unweighted loss, without the arrays
    /// of the general one.
    func trainStep(_ inputs: Tensor, _ targets: Tensor, parameters: [Parameter]) throws -> (loss: Float, output: Tensor) {
        let output = try forward(Variable(inputs), mode: .training)
        let loss = losses[0](predicted: output, expected: targets)
        let value = loss.value.scalar
        // A NaN or infinite loss leaves the weights as they were, for the caller to report.
        guard value.isFinite else { return (value, output.value) }
        loss.backward()
        optimizer.step(parameters)
        return (value, output.value)
    }

    func trainStep(
        _ inputs: [Tensor], _ targets: [Tensor], parameters: [Parameter]
    ) throws -> (loss: Float, losses: [Float], outputs: [Tensor]) {
        let outputs = try forward(inputs.map { Variable($0) }, mode: .training)
        let (total, each) = totalLoss(of: outputs, targets: targets)
        let value = total.value.scalar
        let result = (value, each.map(\.value.scalar), outputs.map(\.value))
        // A NaN or infinite loss leaves the weights as they were, for the caller to report.
        guard value.isFinite else { return result }
        total.backward()
        optimizer.step(parameters)
        return result
    }

    /// Checks that `dataset` is non-empty and fits the model's inputs, outputs and losses;
    /// builds the model on first use.
    func check(_ dataset: Dataset, role: String) throws {
        guard dataset.count > 0 else {
            throw NeuralNetError.invalidData("\(role) data is empty: inputs have shape \(dataset.inputs.shape)")
        }
        let outputShapes = try build(inputShapes: dataset.sampleShapes)
        guard dataset.labelTensors.count == outputShapes.count else {
            throw NeuralNetError.invalidData(
                "\(role) data has \(dataset.labelTensors.count) label tensors for a model of \(outputShapes.count) outputs; "
                    + "give one per output, in the order of the outputs")
        }
        for (index, (loss, outputShape)) in zip(losses, outputShapes).enumerated() {
            do {
                try loss.validate(outputShape: outputShape, targets: dataset.labelTensors[index])
            } catch let error as NeuralNetError where outputShapes.count > 1 {
                throw error.inLayer("output \(index),")
            }
        }
    }
}
