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
        let slots = 2 * (full.stages.count)
        let batchInputs = UnsafeMutablePointer<Float>.allocate(capacity: full.batch * width)
        let batchTargets = UnsafeMutablePointer<Float>.allocate(capacity: full.batch * outputs)
        defer { batchInputs.deallocate(); batchTargets.deallocate() }
        try inputs.scalars.withUnsafeBufferPointer { x in
            try targets.scalars.withUnsafeBufferPointer { y in
                try full.withWeights {
                    last?.weights.update(from: full.weights, count: slots)
                    defer { last?.weights.update(repeating: nil, count: slots) }
                    while session.epoch < session.epochs {
                        (session.epoch, session.batchesDone) = (session.epoch + 1, 0)
                        if shuffle { session.order.shuffle(using: &session.shuffler) }
                        var (lossSum, samples) = (0.0, 0)
                        try session.order.withUnsafeBufferPointer { order in
                            // One batch through `plan`, a parameter, so that choosing it costs
                            // no reference count.
                            func train(_ plan: CompiledStep, start: Int, count: Int) throws {
                                let loss: Float
                                if count == 1 {
                                    // One sample is its own batch: its rows are read where they are.
                                    let sample = order[start]
                                    loss = plan.pass(x.baseAddress! + sample * width, y.baseAddress! + sample * outputs, descendingAt: plainRate)
                                } else {
                                    for row in 0..<count {
                                        let sample = order[start + row]
                                        (batchInputs + row * width).update(from: x.baseAddress! + sample * width, count: width)
                                        (batchTargets + row * outputs).update(from: y.baseAddress! + sample * outputs, count: outputs)
                                    }
                                    loss = plan.pass(batchInputs, batchTargets, descendingAt: plainRate)
                                }
                                guard loss.isFinite else {
                                    throw NeuralNetError.nonFiniteLoss(epoch: session.epoch, batch: session.batchesDone + 1, value: loss)
                                }
                                if plainRate == nil { plan.updateWeights(with: optimizer) }
                                lossSum += Double(loss) * Double(count)
                                samples += count
                            }
                            while session.batchesDone < session.batchesPerEpoch {
                                let start = session.batchesDone * batchSize
                                let count = min(batchSize, session.sampleCount - start)
                                if count == full.batch {
                                    try train(full, start: start, count: count)
                                } else if let last, count == last.batch {
                                    try train(last, start: start, count: count)
                                } else {
                                    fatalError("runEpochs: no plan for a batch of \(count)")
                                }
                                session.batchesDone += 1
                            }
                        }
                        session.history.append(loss: Float(lossSum / Double(max(samples, 1))), learningRate: optimizer.learningRate)
                    }
                }
            }
        }
    }
}
