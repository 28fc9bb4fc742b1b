/// A training step in two seams, computing gradients and applying them, which gradient
/// accumulation (and a data-parallel strategy, which reduces the gradients in between) use.
extension Network {
    /// Forward in training mode, the loss and backward on one batch (or a part of one), adding
    /// `weight · ∂loss/∂w` to every parameter's gradient. Nothing is updated: call
    /// `applyGradients()` after the last part. When the loss is NaN or infinite no gradient is
    /// added.
    @discardableResult
    public func computeGradients(_ inputs: [Tensor], _ targets: [Tensor], weight: Float = 1) throws -> BatchResult {
        let outputs = try forward(inputs.map { Variable($0) }, mode: .training)
        let (total, each) = totalLoss(of: outputs, targets: targets)
        let value = total.value.scalar
        if value.isFinite { weight == 1 ? total.backward() : total.backward(seed: Tensor(weight)) }
        return BatchResult(loss: value, losses: each.map(\.value.scalar), outputs: outputs.map(\.value))
    }

    /// One optimizer step from the gradients the parameters hold; clears them.
    public func applyGradients() { optimizer.step(trainableParameters) }

    /// Drops every gradient the parameters hold (after a part of a batch gave a NaN loss).
    public func clearGradients() {
        for (_, parameter) in namedParameters { parameter.gradient = nil }
    }

    /// One batch of `fit`: this process's share of the samples (all of them without a
    /// `distribution`) gathered into `inputs` and `targets` and split into `parts` micro-batches
    /// (sizes differing by at most one), each part's gradient weighted by its share of the whole
    /// batch, the gradients summed across processes, one update, and each part added to
    /// `totals`. Returns the batch's mean loss; a NaN or infinite one (on any process) leaves
    /// the weights untouched.
    func trainBatch(
        _ samples: ArraySlice<Int>, of dataset: Dataset, parts: Int, single: Bool, parameters: [Parameter],
        distribution: (any DistributionStrategy)?, inputs: inout [Tensor], targets: inout [Tensor], totals: inout RunningTotals
    ) throws -> Float {
        func gather(_ rows: ArraySlice<Int>) {
            for i in inputs.indices { dataset.inputColumns[i].setRows(of: &inputs[i], at: rows) }
            for i in targets.indices { targets[i].setToRows(of: dataset.labelTensors[i], at: rows) }
        }
        if parts == 1, distribution == nil {
            gather(samples)
            if single {
                let step = try trainStep(inputs[0], targets[0], parameters: parameters)
                if step.loss.isFinite { totals.add(loss: step.loss, output: step.output, target: targets[0]) }
                return step.loss
            }
            let step = try computeGradients(inputs, targets)
            guard step.loss.isFinite else { return step.loss }
            optimizer.step(parameters)
            totals.add(loss: step.loss, each: step.losses, outputs: step.outputs, targets: targets)
            return step.loss
        }
        let local = distribution?.shard(of: samples) ?? samples
        let pieces = min(parts, local.count)
        var results: [(BatchResult, [Tensor])] = []
        var mean: Float = 0
        for piece in 0..<pieces {
            let rows = local[(local.startIndex + piece * local.count / pieces)..<(local.startIndex + (piece + 1) * local.count / pieces)]
            gather(rows)
            let share = Float(rows.count) / Float(samples.count)
            let step = try computeGradients(inputs, targets, weight: share)
            mean += share * step.loss
            guard step.loss.isFinite else { break }
            results.append((step, targets))
        }
        if let distribution {
            var total = [Double(mean)]
            try distribution.sum(&total)
            mean = Float(total[0])
            if mean.isFinite { try distribution.sumGradients(parameters) }
        }
        guard mean.isFinite else {
            clearGradients()
            return mean
        }
        optimizer.step(parameters)
        for (step, partTargets) in results {
            totals.add(loss: step.loss, each: step.losses, outputs: step.outputs, targets: partTargets)
        }
        return mean
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
}

/// What `computeGradients` measured on a batch: the weighted total loss, each output's loss,
/// and the outputs.
public struct BatchResult: Sendable {
    /// The loss minimised (for several outputs, the weighted total).
    public let loss: Float
    /// Each output's own loss.
    public let losses: [Float]
    /// The model's outputs for the batch.
    public let outputs: [Tensor]
}
