/// Whole epochs of `fit(..., compile: true)` when nothing runs between batches: no callbacks
/// (progress `.silent`), no validation, no metrics, an optimizer whose rule works on buffers
/// without clipping or L2 decay (every built-in one; AdamW's decoupled decay is part of its
/// rule), and inputs held as floats. The weights are opened once for all the epochs, and each
/// step is the plan's pass and the rule on its buffers: no tensor or closure per step, and with
/// plain SGD no reference count either (other rules are a dynamic call per parameter). The
/// arithmetic is the eager step's, so weights, optimizer state and history stay bit-identical
/// to eager training.
extension CompiledStep {
    /// Whether `runEpochs` can apply `optimizer`'s steps.
    static func canRunEpochs(with optimizer: any Optimizer) -> Bool {
        optimizer.updatesBuffers && optimizer.weightDecay == 0 && optimizer.clipNorm == nil
    }

    /// The remaining epochs of `session` on `inputs` `[samples, features]` and `targets`
    /// `[samples, outputs]`: `full` runs the batches of `batchSize` samples, `last` (when the
    /// sample count is not a multiple) the final smaller one; a step of `optimizer` after each.
    /// Each epoch's logs are `"loss"` (the mean over its samples) and `"learning_rate"`, as
    /// eager training records them. A NaN or infinite loss throws `nonFiniteLoss` with the
    /// weights as the previous step left them.
    static func runEpochs(
        _ session: TrainingSession, inputs: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool,
        full: CompiledStep, last: CompiledStep?, optimizer: any Optimizer
    ) throws {
        // Read once: nothing changes the learning rate while the epochs run (no callbacks).
        let plainRate = (optimizer as? SGD)?.plainRate
        let width = inputs.count / max(session.sampleCount, 1)
        let outputs = full.outputs
        let batchInputs = UnsafeMutablePointer<Float>.allocate(capacity: full.batch * width)
        let batchTargets = UnsafeMutablePointer<Float>.allocate(capacity: full.batch * outputs)
        defer { batchInputs.deallocate(); batchTargets.deallocate() }
        try inputs.scalars.withUnsafeBufferPointer { x in
            try targets.scalars.withUnsafeBufferPointer { y in
                try full.withWeights {
                    last?.borrowWeights(of: full)
                    defer { last?.borrowWeights(of: nil) }
                    let (batches, sampleCount, xs, ys) = (session.batchesPerEpoch, session.sampleCount, x.baseAddress!, y.baseAddress!)
                    // One batch through `plan`, a parameter, so that choosing it costs no
                    // reference count. Returns the batch's loss.
                    func train(_ plan: CompiledStep, _ order: UnsafeBufferPointer<Int>, start: Int, count: Int) -> Float {
                        let loss: Float
                        if count == 1 {
                            // One sample is its own batch: its rows are read where they are.
                            let sample = order[start]
                            loss = plan.pass(xs + sample * width, ys + sample * outputs, descendingAt: plainRate)
                        } else {
                            for row in 0..<count {
                                let sample = order[start + row]
                                (batchInputs + row * width).update(from: xs + sample * width, count: width)
                                (batchTargets + row * outputs).update(from: ys + sample * outputs, count: outputs)
                            }
                            loss = plan.pass(batchInputs, batchTargets, descendingAt: plainRate)
                        }
                        if plainRate == nil && loss.isFinite { plan.updateWeights(with: optimizer) }
                        return loss
                    }
                    if let rate = plainRate {
                        return try descend(session, full: full, last: last, x: xs, y: ys, shuffle: shuffle, rate: rate, optimizer: optimizer)
                    }
                    while session.epoch < session.epochs {
                        (session.epoch, session.batchesDone) = (session.epoch + 1, 0)
                        if shuffle { session.order.shuffle(using: &session.shuffler) }
                        var lossSum = 0.0
                        // The session's counters are written once an epoch (or when a loss is
                        // not finite), not once a step.
                        try session.order.withUnsafeBufferPointer { order in
                            for batch in 0..<batches {
                                let start = batch * batchSize
                                let count = min(batchSize, sampleCount - start)
                                let loss: Float
                                if count == full.batch {
                                    loss = train(full, order, start: start, count: count)
                                } else if let last, count == last.batch {
                                    loss = train(last, order, start: start, count: count)
                                } else {
                                    fatalError("runEpochs: no plan for a batch of \(count)")
                                }
                                guard loss.isFinite else {
                                    session.batchesDone = batch
                                    throw NeuralNetError.nonFiniteLoss(epoch: session.epoch, batch: batch + 1, value: loss)
                                }
                                lossSum += Double(loss) * Double(count)
                            }
                        }
                        session.batchesDone = batches
                        session.history.append(loss: Float(lossSum / Double(max(sampleCount, 1))), learningRate: optimizer.learningRate)
                    }
                }
            }
        }
    }

    /// The remaining epochs of plain SGD at `rate`, in blocks of epochs run by one kernel call
    /// each: the block's orders are shuffled first (as eager training shuffles before each
    /// epoch), then the kernel runs every step, and the history takes the block's epochs.
    private static func descend(
        _ session: TrainingSession, full: CompiledStep, last: CompiledStep?, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
        shuffle: Bool, rate: Float, optimizer: any Optimizer
    ) throws {
        let (samples, batches) = (session.sampleCount, session.batchesPerEpoch)
        // At most 2^16 indices a block, so that the orders stay small whatever the data.
        let block = max(1, min(session.epochs - session.epoch, (1 << 16) / max(samples, 1)))
        let orders = UnsafeMutablePointer<Int>.allocate(capacity: block * samples)
        let losses = UnsafeMutablePointer<Double>.allocate(capacity: block)
        defer { orders.deallocate(); losses.deallocate() }
        while session.epoch < session.epochs {
            let epochs = min(block, session.epochs - session.epoch)
            // Each epoch's order is the last one shuffled again, as eager training shuffles
            // `session.order` in place: here in the block's own buffer (the same algorithm on
            // the same generator gives the same permutation), with the generator held locally.
            let (order, shuffler) = (session.order, session.shuffler)
            var generator = shuffler
            for epoch in 0..<epochs {
                let start = orders + epoch * samples
                if epoch == 0 {
                    _ = UnsafeMutableBufferPointer(start: start, count: samples).initialize(from: order)
                } else {
                    for index in 0..<samples { start[index] = start[index - samples] }
                }
                if shuffle {
                    var slot = UnsafeMutableBufferPointer(start: start, count: samples)
                    slot.shuffle(using: &generator)
                }
            }
            session.order = Array(UnsafeBufferPointer(start: orders + (epochs - 1) * samples, count: samples))
            session.shuffler = generator
            let failure = full.descend(epochs: epochs, order: orders, samples: samples, last: last, x: x, y: y, rate: rate, losses: losses)
            let completed = failure.map { $0.batch / max(batches, 1) } ?? epochs
            let learningRate = optimizer.learningRate
            for epoch in 0..<completed {
                session.history.append(loss: Float(losses[epoch] / Double(max(samples, 1))), learningRate: learningRate)
            }
            session.epoch += completed
            session.batchesDone = batches
            guard let failure else { continue }
            // Where eager training would have stopped: the order shuffled up to the failing
            // epoch, that epoch's finished batches counted.
            (session.order, session.shuffler) = (order, shuffler)
            for _ in 0...completed where shuffle { session.order.shuffle(using: &session.shuffler) }
            session.epoch += 1
            session.batchesDone = failure.batch % max(batches, 1)
            throw NeuralNetError.nonFiniteLoss(epoch: session.epoch, batch: session.batchesDone + 1, value: failure.loss)
        }
    }
}
