/// Whole epochs of `fit(..., compile: true)` when nothing needs a single batch: no callback
/// that observes batches but a progress bar over short epochs, which hears of each epoch's last
/// batch (epoch-wise schedules, early stopping, checkpoints and logs are heard after each
/// epoch; validation runs between epochs), an optimizer whose rule works on buffers (every
/// built-in one; clipping and L2 decay are applied to the plan's gradients first, as
/// `Optimizer.step` applies them), and inputs held as floats. The weights are opened once a
/// block of epochs (a block is one epoch when callbacks listen), and each step is the plan's
/// kernel and the rule on its buffers: no tensor or closure per step (metrics read the plan's
/// output through a tensor made once); plain SGD without metrics runs whole blocks inside one
/// kernel call. The arithmetic is the eager step's, so weights, optimizer state and history
/// stay bit-identical to eager training.
extension CompiledStep {
    /// Whether `runEpochs` can apply `optimizer`'s steps.
    static func canRunEpochs(with optimizer: any Optimizer) -> Bool {
        optimizer.updatesBuffers
    }

    /// The remaining epochs of `session` on `inputs` `[samples, features]` and `targets`
    /// `[samples, outputs]`: `full` runs the batches of `batchSize` samples, `last` (when the
    /// sample count is not a multiple) the final smaller one; a step of `optimizer` after each.
    /// Each epoch's logs are `"loss"` (the mean over its samples), each of `metrics` (of the
    /// outputs against the targets under `loss`) and `"learning_rate"`, as eager training
    /// records them, with `validate`'s scores after each epoch as `"val_"` keys when it is
    /// given; the session's callbacks hear of each epoch as in eager training, and those that
    /// observe batches (only ones that show progress, see `ShowsProgressWithinEpochs`) of its
    /// last batch. A NaN or infinite loss throws `nonFiniteLoss` with the
    /// weights as the previous step left them.
    static func runEpochs(
        _ session: TrainingSession, inputs: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool,
        full: CompiledStep, last: CompiledStep?, optimizer: any Optimizer, metrics: [Metric], loss: Loss,
        validate: (() throws -> [String: Float])?, sessionCallbacks: [any SessionCallback]
    ) throws {
        let callbacks = session.callbacks
        // Callbacks that only show progress within epochs (see `ShowsProgressWithinEpochs`).
        let showing = callbacks.filter(\.observesBatches)
        let runner = EpochBlock(session, batchSize: batchSize, shuffle: shuffle, full: full, last: last, optimizer: optimizer,
                                scoring: metrics.isEmpty ? nil : EpochScoring(metrics: metrics, loss: loss, labels: targets))
        func stop(at failure: EpochBlock.Failure) -> NeuralNetError {
            session.batchesDone = failure.batch
            return NeuralNetError.nonFiniteLoss(epoch: session.epoch, batch: failure.batch + 1, value: failure.loss)
        }
        while !session.stopped, session.epoch < session.epochs {
            if callbacks.isEmpty, validate == nil {
                let epochs = min(runner.capacity, session.epochs - session.epoch)
                if let failure = runner.run(epochs: epochs, x: inputs, y: targets, recording: true) {
                    session.epoch += failure.epoch + 1
                    throw stop(at: failure)
                }
                (session.epoch, session.batchesDone) = (session.epoch + epochs, session.batchesPerEpoch)
                continue
            }
            (session.epoch, session.batchesDone) = (session.epoch + 1, 0)
            callbacks.forEach { $0.epochWillBegin(session.epoch) }
            if let failure = runner.run(epochs: 1, x: inputs, y: targets, recording: validate == nil) { throw stop(at: failure) }
            session.batchesDone = session.batchesPerEpoch
            var logs = runner.lastLogs
            if !showing.isEmpty {
                // The epoch's last batch, with the running totals eager training gives it.
                var totals = logs
                totals["learning_rate"] = nil
                showing.forEach { $0.batchDidEnd(session.batchesPerEpoch, of: session.batchesPerEpoch, epoch: session.epoch, logs: totals) }
            }
            if let validate {
                // Between epochs the weights are closed: the eager evaluation reads them.
                callbacks.forEach { $0.validationWillBegin(session.epoch) }
                for (key, value) in try validate() { logs["val_" + key] = value }
                session.history.append(logs)
            }
            // Every callback sees the epoch, even when an earlier one asks to stop.
            var stops = false
            for callback in callbacks where callback.epochDidEnd(session.epoch, logs: logs) { stops = true }
            session.stopped = stops
            try sessionCallbacks.forEach { try $0.epochDidSettle(session) }
        }
    }
}

/// Runs blocks of whole epochs for `CompiledStep.runEpochs`: shuffles each epoch's order into
/// a buffer of its own, opens the weights, runs every step, and appends the epochs to the
/// history.
private final class EpochBlock {
    /// Where a loss stopped a block: the epoch within the block, the batch within the epoch
    /// (both from 0), and the loss.
    struct Failure {
        let epoch: Int, batch: Int, loss: Float
    }

    let session: TrainingSession
    let batchSize: Int, shuffle: Bool
    let full: CompiledStep, last: CompiledStep?
    let optimizer: any Optimizer
    /// The metrics, if any.
    let scoring: EpochScoring?
    /// The optimizer when it is SGD (whose plain rule runs inside the kernel), cast once.
    let sgd: SGD?
    /// The most epochs a block holds: at most 2^16 indices, so that the orders stay small.
    let capacity: Int
    /// The last epoch's logs, as the history has them.
    private(set) var lastLogs: [String: Float] = [:]
    private let orders: UnsafeMutablePointer<Int>
    private let losses: UnsafeMutablePointer<Double>

    init(
        _ session: TrainingSession, batchSize: Int, shuffle: Bool, full: CompiledStep, last: CompiledStep?, optimizer: any Optimizer,
        scoring: EpochScoring?
    ) {
        (self.session, self.batchSize, self.shuffle, self.full, self.last, self.optimizer) = (session, batchSize, shuffle, full, last, optimizer)
        self.scoring = scoring
        sgd = optimizer as? SGD
        let samples = session.sampleCount
        capacity = max(1, min(session.epochs - session.epoch, (1 << 16) / max(samples, 1)))
        orders = .allocate(capacity: capacity * samples)
        losses = .allocate(capacity: capacity)
    }

    deinit {
        orders.deallocate(); losses.deallocate()
    }

    /// `epochs` epochs (at most `capacity`) on rows of `x` and `y`; nil when every loss was
    /// finite, else where one was not, the session's order and generator as eager training
    /// leaves them there and (when `recording`) only the epochs before in the history.
    /// Without `recording` the caller appends the epochs (from `lastLogs`) itself.
    func run(epochs: Int, x: Tensor, y: Tensor, recording: Bool) -> Failure? {
        let samples = session.sampleCount, batches = session.batchesPerEpoch
        let shuffler = session.shuffler
        session.order.withUnsafeBufferPointer { prepareOrders(epochs: epochs, from: $0) }
        func keepOrder(of epoch: Int) {
            session.order.withUnsafeMutableBufferPointer { $0.baseAddress?.update(from: orders + epoch * samples, count: samples) }
        }
        keepOrder(of: epochs - 1)
        // Read once a block: only callbacks, between blocks, change it. Metrics need each
        // batch's output, which the kernel's own loop of plain SGD does not hand back, and
        // dropout new draws before each step.
        let plainRate = scoring == nil && full.descendsInBlocks ? sgd?.plainRate : nil
        scoring?.beginBlock(epochs: epochs)
        let failure = x.scalars.withUnsafeBufferPointer { x in
            y.scalars.withUnsafeBufferPointer { y in
                full.withWeights {
                    last?.borrowWeights(of: full)
                    defer { last?.borrowWeights(of: nil) }
                    if let rate = plainRate {
                        return full.descend(epochs: epochs, order: orders, samples: samples, last: last, x: x.baseAddress!,
                                            y: y.baseAddress!, rate: rate, losses: losses)
                            .map { Failure(epoch: $0.batch / max(batches, 1), batch: $0.batch % max(batches, 1), loss: $0.loss) }
                    }
                    return steps(epochs: epochs, x: x.baseAddress!, y: y.baseAddress!)
                }
            }
        }
        let (learningRate, completed) = (optimizer.learningRate, failure?.epoch ?? epochs)
        func loss(_ epoch: Int) -> Float { Float(losses[epoch] / Double(max(samples, 1))) }
        if recording, let scoring {
            for epoch in 0..<completed {
                session.history.append(loss: loss(epoch), metrics: scoring.values(epoch: epoch, samples: samples), named: scoring.names,
                                       learningRate: learningRate)
            }
        } else if recording {
            // The loop of a tiny network's many short epochs: no more than two appends each.
            for epoch in 0..<completed { session.history.append(loss: loss(epoch), learningRate: learningRate) }
        }
        if completed > 0 {
            // Written into the same dictionary each time: no allocation an epoch.
            lastLogs["loss"] = loss(completed - 1)
            lastLogs["learning_rate"] = learningRate
            if let scoring {
                for (name, value) in zip(scoring.names, scoring.values(epoch: completed - 1, samples: samples)) { lastLogs[name] = value }
            }
        }
        guard let failure else { return nil }
        // Where eager training stops: the order shuffled up to the failing epoch, and the
        // generator as those shuffles left it (how many numbers a shuffle draws depends on
        // the count and the draws, not on what is shuffled).
        keepOrder(of: failure.epoch)
        session.shuffler = shuffler
        var scratch = Array(0..<samples)
        for _ in 0...failure.epoch where shuffle { scratch.shuffle(using: &session.shuffler) }
        return failure
    }

    /// Each epoch's order in the block's buffer: the last one shuffled again, as eager training
    /// shuffles `session.order` (`first`) in place (the same algorithm on the same generator
    /// gives the same permutation), with the generator held locally. A function of its own:
    /// within `run` its tight loops lost registers to the rest (XOR's 1,000 short epochs
    /// showed it).
    @inline(never)
    private func prepareOrders(epochs: Int, from first: UnsafeBufferPointer<Int>) {
        let samples = session.sampleCount
        var generator = session.shuffler
        for epoch in 0..<epochs {
            let start = orders + epoch * samples
            if epoch == 0 {
                if let base = first.baseAddress { start.update(from: base, count: samples) }
            } else {
                for index in 0..<samples { start[index] = start[index - samples] }
            }
            if shuffle {
                var slot = UnsafeMutableBufferPointer(start: start, count: samples)
                slot.shuffle(using: &generator)
            }
        }
        session.shuffler = generator
    }

    /// The block's steps for a rule other than plain SGD: the plan's pass, then the rule on its
    /// buffers, batch by batch; `losses[e]` = Σ loss · rows of epoch e.
    private func steps(epochs: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Failure? {
        let (samples, batches) = (session.sampleCount, session.batchesPerEpoch)
        // The rule bound to the parameters for this block (the learning rate is read once).
        let rule = optimizer.boundStep(for: full.boundParameters)
        defer { rule.finish() }
        let adjustment = GradientAdjustment(of: optimizer)
        // One batch through `plan`, a parameter, so that choosing it costs no reference count;
        // its rows are gathered into the full plan's buffers (one sample is read in place).
        func train(_ plan: CompiledStep, _ order: UnsafePointer<Int>, count: Int, epoch: Int) -> Float {
            let rows = full.gather(rows: order, count: count, of: x, y)
            let loss = plan.pass(rows.x, rows.y)
            guard loss.isFinite else { return loss }
            plan.updateWeights(with: rule, adjusting: adjustment)
            if let scoring { plan.withOutput { scoring.add(epoch: epoch, output: $0, targets: rows.y, count: count) } }
            return loss
        }
        for epoch in 0..<epochs {
            var sum = 0.0
            for batch in 0..<batches {
                let start = batch * batchSize, count = min(batchSize, samples - start)
                let order = orders + epoch * samples + start
                let loss: Float
                if count == full.batch {
                    loss = train(full, order, count: count, epoch: epoch)
                } else if let last, count == last.batch {
                    loss = train(last, order, count: count, epoch: epoch)
                } else {
                    fatalError("runEpochs: no plan for a batch of \(count)")
                }
                guard loss.isFinite else { return Failure(epoch: epoch, batch: batch, loss: loss) }
                sum += Double(loss) * Double(count)
            }
            losses[epoch] = sum
        }
        return nil
    }
}
