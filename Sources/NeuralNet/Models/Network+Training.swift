import Foundation
import NeuralNetKernels

/// The training loop, shared by every `Network`.
extension Network {
    /// Trains on `dataset` for `epochs` passes in shuffled mini-batches.
    ///
    /// - Parameters:
    ///   - dataset: the training samples and their labels (one tensor per input and output).
    ///   - epochs: the epoch to stop after (passes over the data, counting `initialEpoch`).
    ///   - batchSize: samples per update (the global batch when training is distributed).
    ///   - validation: evaluated after each epoch; its scores appear as `"val_loss"`, ...
    ///   - validationSplit: instead of `validation`, the fraction of `dataset` held out to
    ///     validate on: its last samples, taken before any shuffling, as Keras does.
    ///   - shuffle: whether each epoch visits the samples in a new random order.
    ///   - callbacks: early stopping, learning-rate schedules, hooks.
    ///   - seed: makes initialisation (on first use), dropout and shuffling reproducible: the
    ///     model's generator is reseeded with `seed`, and batches are shuffled by an independent
    ///     stream of the same seed. `nil` continues the model's own sequence.
    ///   - initialEpoch: the epochs already done (as in Keras): training runs epochs
    ///     `initialEpoch + 1 ... epochs`, and schedules count from there.
    ///   - resumeFrom: a directory of `ModelCheckpoint` files: when it holds one, training
    ///     continues from the newest exactly where that checkpoint was written (weights,
    ///     optimizer state, generators, epoch and batch, schedules, early stopping, history), so
    ///     that the final weights are bit-identical to an uninterrupted run with the same seed.
    ///     An empty or missing directory starts afresh.
    ///   - accumulationSteps: splits each batch into this many micro-batches (sizes differing by
    ///     at most one) whose gradients, each weighted by its share of the batch, are summed
    ///     before one update: the step of the whole batch at a fraction of the memory.
    ///   - distribution: spreads training over several processes (see `DistributionStrategy`):
    ///     each takes its shard of every batch (`batchSize` is the global batch), gradients and
    ///     the epoch's totals are summed across them, and they start from process 0's weights.
    ///   - progress: how progress is reported on standard error.
    ///   - compile: for a small dense network (a `Sequential` of `Dense` layers, each
    ///     activation its own or an `Activation` layer right after it, any but log-softmax,
    ///     `Dropout` after any but the last, softmax only on the last, a built-in
    ///     loss, tiny products), replay a step planned once instead of recording the tape
    ///     every step: the eager step's arithmetic in the same order, in one C call, so
    ///     bit-identical weights with far less bookkeeping per step (see `CompiledStep`). With
    ///     no callback that observes single batches (see `Callback.observesBatches`; progress
    ///     lines are fine, and so is a bar over epochs too short to watch it move within them),
    ///     whole epochs run inside the plan, metrics, clipping and L2 decay included,
    ///     validation between them (XOR with SGD and progress `.silent`: about 50 ns a step
    ///     against 1.5 µs eager). Other models train eagerly, and `fit` says why on standard
    ///     error (unless `progress` is `.silent`).
    /// - Returns: the loss and metrics of every epoch, and the learning rate at its end
    ///   (`"learning_rate"`). A model with several outputs also logs
    ///   each output's loss and metrics (`"output0_loss"`, `"output1_accuracy"`); `"loss"` is
    ///   the weighted total.
    /// - Throws: `NeuralNetError` for empty data, shapes that do not fit the layers or the
    ///   losses, and a loss that becomes NaN or infinite.
    @discardableResult
    public func fit(
        _ dataset: Dataset, epochs: Int = 1, batchSize: Int = 32, validation: Dataset? = nil, validationSplit: Double = 0,
        shuffle: Bool = true, callbacks: [any Callback] = [], seed: UInt64? = nil, initialEpoch: Int = 0, resumeFrom: URL? = nil,
        accumulationSteps: Int = 1, distribution: (any DistributionStrategy)? = nil, progress: ProgressStyle = .automatic,
        compile: Bool = false
    ) throws -> History {
        guard accumulationSteps > 0 else {
            throw NeuralNetError.invalidArgument("fit: accumulationSteps must be positive, got \(accumulationSteps)")
        }
        guard epochs >= 0 else { throw NeuralNetError.invalidArgument("fit: epochs must be 0 or more, got \(epochs)") }
        let (dataset, validation) = try Self.heldOut(validationSplit, of: dataset, validation: validation)
        guard batchSize > 0 else { throw NeuralNetError.invalidArgument("fit: batchSize must be positive, got \(batchSize)") }
        guard (0...epochs).contains(initialEpoch) else {
            throw NeuralNetError.invalidArgument("fit: initialEpoch must be in 0...\(epochs) (the epochs already done), got \(initialEpoch)")
        }
        if let seed { generator = SeededGenerator(seed: seed) }
        try checkSetup(callbacks: callbacks)
        try check(dataset, role: "training")
        if let validation { try check(validation, role: "validation") }
        if progress != .silent {
            let note = compile ? compileNote(for: dataset, batchSize: batchSize, accumulationSteps: accumulationSteps, distribution: distribution) : nil
            for warning in setupWarnings() + [note].compactMap({ $0 }) { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        }
        let callbacks = callbacks + (progress == .silent ? [] : [ProgressReporter(style: progress)])
        let session = TrainingSession(
            model: self, epochs: epochs, batchSize: batchSize, sampleCount: dataset.count,
            shuffler: seed.map { SeededGenerator(seed: $0, stream: 1) } ?? generator.split(), callbacks: callbacks)
        if initialEpoch > 0 { (session.epoch, session.batchesDone) = (initialEpoch, session.batchesPerEpoch) }
        callbacks.forEach { $0.trainingWillBegin(self, epochs: epochs, batchesPerEpoch: session.batchesPerEpoch) }
        let sessionCallbacks = callbacks.compactMap { $0 as? any SessionCallback }
        sessionCallbacks.forEach { $0.attach(to: session) }
        if let resumeFrom, let newest = Checkpoint.files(in: resumeFrom).last {
            try Checkpoint.restore(session, from: newest)
        }
        try distribution?.broadcast(namedParameters.map(\.parameter))
        try checkBatchRoom(batchSize: min(batchSize, dataset.count), training: true)
        try train(session, on: dataset, batchSize: batchSize, accumulationSteps: accumulationSteps, distribution: distribution,
                  validation: validation, shuffle: shuffle, sessionCallbacks: sessionCallbacks, compile: compile)
        callbacks.forEach { $0.trainingDidEnd(history: session.history) }
        return session.history
    }

    /// The epochs of `session` from where it stands (mid-epoch after a resume) to its last.
    private func train(
        _ session: TrainingSession, on dataset: Dataset, batchSize: Int, accumulationSteps: Int,
        distribution: (any DistributionStrategy)?, validation: Dataset?, shuffle: Bool, sessionCallbacks: [any SessionCallback],
        compile: Bool
    ) throws {
        let callbacks = session.callbacks
        let parameters = trainableParameters
        // The scores logged as "val_" keys after each epoch.
        let validate = validation.map { validation in { try self.evaluate(validation, batchSize: max(batchSize, 256)).scores } }
        // Plans of the compiled step by batch size (the last batch of an epoch may be smaller).
        var plans: [Int: CompiledStep?] = [:]
        var last: (batch: Int, plan: CompiledStep?) = (0, nil)
        let sequential = compile ? try? plannable(for: dataset, accumulationSteps: accumulationSteps, distribution: distribution).get() : nil
        func plan(_ batch: Int) -> CompiledStep? {
            guard let sequential else { return nil }
            if last.batch == batch { return last.plan }
            let made = plans[batch] ?? CompiledStep(sequential, batch: batch)
            plans[batch] = made
            last = (batch, made)
            return made
        }
        // Nothing to call between batches (but a bar over short epochs): whole epochs run inside the plan.
        if sequential != nil, !session.isMidEpoch, CompiledStep.canRunEpochs(with: optimizer),
           case .floats(let floats) = dataset.inputColumns[0].storage {
            let full = min(batchSize, dataset.count), remainder = dataset.count % full
            if let fullPlan = plan(full), remainder == 0 || plan(remainder) != nil, callbacks.allSatisfy({
                !$0.observesBatches || ($0 is any ShowsProgressWithinEpochs && fullPlan.epochIsShort(samples: dataset.count))
            }) {
                try CompiledStep.runEpochs(
                    session, inputs: floats, targets: dataset.labelTensors[0], batchSize: full, shuffle: shuffle,
                    full: fullPlan, last: remainder == 0 ? nil : plans[remainder] ?? nil, optimizer: optimizer, metrics: metrics,
                    loss: losses[0], validate: validate, sessionCallbacks: sessionCallbacks)
                return
            }
        }
        var inputs = Array(repeating: Tensor.empty, count: dataset.inputColumns.count)
        var targets = Array(repeating: Tensor.empty, count: dataset.labelTensors.count)
        let single = isSingleInputAndOutput
        while !session.stopped, session.epoch < session.epochs || session.isMidEpoch {
            if session.isMidEpoch {
                // A resumed epoch: callbacks hear of it again, but the learning rate stays the
                // one saved (a schedule sets the same; a plateau callback may have lowered it).
                let rate = optimizer.learningRate
                callbacks.forEach { $0.epochWillBegin(session.epoch) }
                optimizer.learningRate = rate
            } else {
                (session.epoch, session.batchesDone) = (session.epoch + 1, 0)
                session.totals = RunningTotals(metrics: metrics, losses: losses)
                callbacks.forEach { $0.epochWillBegin(session.epoch) }
                if shuffle { session.order.shuffle(using: &session.shuffler) }
                try distribution?.broadcast(order: &session.order)
            }
            let epoch = session.epoch
            while session.batchesDone < session.batchesPerEpoch {
                if !callbacks.isEmpty { callbacks.forEach { $0.batchWillBegin(session.batchesDone + 1, epoch: epoch) } }
                let start = session.batchesDone * batchSize
                let samples = session.order[start..<min(start + batchSize, session.sampleCount)]
                let lossValue: Float
                if let compiled = plan(samples.count) {
                    lossValue = compiled.train(samples, of: dataset, optimizer: optimizer, parameters: parameters,
                                               inputs: &inputs[0], targets: &targets[0], totals: &session.totals)
                } else {
                    lossValue = try trainBatch(
                        samples, of: dataset, parts: accumulationSteps, single: single, parameters: parameters,
                        distribution: distribution, inputs: &inputs, targets: &targets, totals: &session.totals)
                }
                guard lossValue.isFinite else {
                    throw NeuralNetError.nonFiniteLoss(epoch: epoch, batch: session.batchesDone + 1, value: lossValue)
                }
                session.batchesDone += 1
                if !callbacks.isEmpty {
                    let logs = session.totals.logs()
                    callbacks.forEach { $0.batchDidEnd(session.batchesDone, of: session.batchesPerEpoch, epoch: epoch, logs: logs) }
                    try sessionCallbacks.forEach { try $0.batchDidSettle(session) }
                }
            }
            if let distribution { try session.totals.sum(over: distribution) }
            var logs = session.totals.logs()
            if let validate {
                callbacks.forEach { $0.validationWillBegin(epoch) }
                for (key, value) in try validate() { logs["val_" + key] = value }
            }
            logs["learning_rate"] = optimizer.learningRate
            session.history.append(logs)
            // Every callback sees the epoch, even when an earlier one asks to stop.
            let stops = callbacks.map { $0.epochDidEnd(epoch, logs: logs) }
            session.stopped = stops.contains(true)
            try sessionCallbacks.forEach { try $0.epochDidSettle(session) }
        }
    }

    /// Trains on inputs `x` (`[samples, ...]`) and targets `y` (`[samples, ...]`, or class indices
    /// `[samples]` for `.sparseSoftmaxCrossEntropy`); see `fit(_:epochs:...)` for the rest.
    @discardableResult
    public func fit(
        _ x: Tensor, _ y: Tensor, epochs: Int = 1, batchSize: Int = 32, validation: (Tensor, Tensor)? = nil,
        validationSplit: Double = 0, shuffle: Bool = true, callbacks: [any Callback] = [], seed: UInt64? = nil, initialEpoch: Int = 0,
        resumeFrom: URL? = nil, accumulationSteps: Int = 1, distribution: (any DistributionStrategy)? = nil,
        progress: ProgressStyle = .automatic, compile: Bool = false
    ) throws -> History {
        try fit(
            [x], [y], epochs: epochs, batchSize: batchSize, validation: validation.map { ([$0.0], [$0.1]) },
            validationSplit: validationSplit, shuffle: shuffle, callbacks: callbacks, seed: seed, initialEpoch: initialEpoch,
            resumeFrom: resumeFrom, accumulationSteps: accumulationSteps, distribution: distribution, progress: progress,
            compile: compile)
    }

    /// Trains a model of several inputs or outputs on one tensor per input (`x`) and one per
    /// output (`y`); see `fit(_:epochs:...)` for the rest.
    @discardableResult
    public func fit(
        _ x: [Tensor], _ y: [Tensor], epochs: Int = 1, batchSize: Int = 32, validation: ([Tensor], [Tensor])? = nil,
        validationSplit: Double = 0, shuffle: Bool = true, callbacks: [any Callback] = [], seed: UInt64? = nil, initialEpoch: Int = 0,
        resumeFrom: URL? = nil, accumulationSteps: Int = 1, distribution: (any DistributionStrategy)? = nil,
        progress: ProgressStyle = .automatic, compile: Bool = false
    ) throws -> History {
        try fit(
            try Dataset(inputs: x, labels: y), epochs: epochs, batchSize: batchSize,
            validation: try validation.map { try Dataset(inputs: $0.0, labels: $0.1) }, validationSplit: validationSplit, shuffle: shuffle,
            callbacks: callbacks, seed: seed, initialEpoch: initialEpoch, resumeFrom: resumeFrom,
            accumulationSteps: accumulationSteps, distribution: distribution, progress: progress, compile: compile)
    }

    /// `dataset` less its last `split` fraction, and that fraction as validation data (or the
    /// `validation` given, when `split` is 0).
    static func heldOut(_ split: Double, of dataset: Dataset, validation: Dataset?) throws -> (Dataset, Dataset?) {
        guard split != 0 else { return (dataset, validation) }
        guard split > 0 && split < 1 else {
            throw NeuralNetError.invalidArgument("fit: validationSplit must be in [0, 1), got \(split)")
        }
        guard validation == nil else {
            throw NeuralNetError.invalidArgument("fit: give validation data or a validationSplit, not both")
        }
        let cut = Int((Double(dataset.count) * (1 - split)).rounded(.up))
        guard cut > 0, cut < dataset.count else {
            throw NeuralNetError.invalidData(
                "fit: validationSplit \(split) of \(dataset.count) samples leaves \(cut) to train on and \(dataset.count - cut) to validate on; both need at least one")
        }
        return (dataset[0..<cut], dataset[cut..<dataset.count])
    }

    /// Checks that `dataset` is non-empty and fits the model's inputs, outputs and losses;
    /// builds the model on first use.
    /// Throws when `tensor` holds NaN or infinite values, with their counts and the first
    /// sample that has one: training on them would turn every weight they reach into NaN.
    static func checkFinite(_ tensor: Tensor, role: String, what: String) throws {
        let finite = tensor.scalars.withUnsafeBufferPointer { x in
            x.baseAddress.map { Elementwise.allFinite($0, count: x.count) } ?? true
        }
        guard !finite else { return }
        var (nans, infinities, first) = (0, 0, -1)
        tensor.scalars.withUnsafeBufferPointer { x in
            for (i, value) in x.enumerated() where !value.isFinite {
                if value.isNaN { nans += 1 } else { infinities += 1 }
                if first < 0 { first = i }
            }
        }
        guard nans + infinities > 0 else { return }
        let width = tensor.count / Swift.max(tensor.shape.first ?? 1, 1)
        throw NeuralNetError.invalidData(
            "\(role) data: the \(what) hold \(nans) NaN and \(infinities) infinite values (the first in sample "
                + "\(first / Swift.max(width, 1))); replace or drop those samples before training")
    }

    func check(_ dataset: Dataset, role: String) throws {
        if let problem = dataset.problem { throw NeuralNetError.invalidArgument("\(role) data: \(problem)") }
        guard dataset.count > 0 else {
            throw NeuralNetError.invalidData("\(role) data is empty: inputs have shape \(dataset.inputColumns[0].shape)")
        }
        // Bytes are always finite; only Float inputs and labels are scanned.
        let inputs = dataset.inputColumns.compactMap { if case .floats(let tensor) = $0.storage { tensor } else { nil } }
        for (kind, tensors) in [("inputs", inputs), ("labels", dataset.labelTensors)] {
            for (index, tensor) in tensors.enumerated() {
                try Self.checkFinite(tensor, role: role, what: tensors.count > 1 ? "\(kind) \(index)" : kind)
            }
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
