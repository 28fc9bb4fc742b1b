import Foundation

/// The checks of a model's definition that run before any work: layers check their arguments
/// as they are built (`Layer.checkArgumentsDeep`); the losses, the optimizer and the callbacks
/// are checked here when a model is built and when `fit` or `evaluate` starts.
extension Network {
    /// Throws the first argument problem of the losses or the optimizer, then of `callbacks`.
    func checkSetup(callbacks: [any Callback] = []) throws {
        for (index, loss) in losses.enumerated() {
            try loss.checkArguments(losses.count == 1 ? "loss" : "loss \(index)")
        }
        try optimizer.checkArguments("optimizer \(type(of: optimizer))")
        try checkParameterShapes()
        for callback in callbacks {
            if let checked = callback as? any ArgumentChecked { try checked.checkArguments("\(type(of: callback))") }
        }
    }
}

extension Network {
    /// Throws unless `shape` is a usable per-sample shape: positive sizes, and room for the
    /// batch axis among the dimensions a tensor may have.
    static func checkSampleShape(_ shape: [Int], role: String) throws {
        guard shape.allSatisfy({ $0 > 0 }), Dimensions.problem(with: [1] + shape) == nil else {
            throw NeuralNetError.shapeMismatch(
                layer: role, expected: "a sample shape of positive sizes with at most \(Dimensions.maximumRank - 1) axes",
                actual: shape, hint: Dimensions.problem(with: [1] + shape).map { "The tensor \($0)" })
        }
    }
}

extension Network {
    /// Throws if a tensor of the wrong shape was assigned to a parameter (see `Parameter.value`).
    func checkParameterShapes() throws {
        guard Parameter.anyRejected.load(ordering: .relaxed) else { return }
        for (name, parameter) in namedParameters {
            guard let rejected = parameter.rejectedShape else { continue }
            throw NeuralNetError.invalidArgument(
                "parameter \(name) has shape \(parameter.shape), but a tensor of shape \(rejected) was assigned to it "
                    + "(and not taken); assign a tensor of shape \(parameter.shape)")
        }
    }
}

extension Network {
    /// Throws unless one batch of `batchSize` samples fits in memory: the outputs of every
    /// layer (kept for the backward pass when `training`, with their gradients), so that a huge
    /// batch or layer is an error with a fix rather than a failed allocation.
    func checkBatchRoom(batchSize: Int, training: Bool, perSample: Int? = nil) throws {
        let perSample = perSample ?? outputValuesPerSample
        let bytesPerValue = training ? 12 : 8
        let (perBatch, overflow) = perSample.multipliedReportingOverflow(by: batchSize)
        if !overflow, perSample >= 0, MemoryBudget.fits(perBatch, bytesPerValue: bytesPerValue) { return }
        let largest = perSample > 0 ? Int(MemoryBudget.bytes / UInt64(bytesPerValue)) / perSample : 0
        throw NeuralNetError.invalidArgument(
            "a batch of \(batchSize) samples needs the layers' outputs of \(perSample) values per sample, more than the memory "
                + "budget of \(MemoryBudget.description); "
                + (largest > 0 ? "use a batch size of at most \(largest)" : "use smaller layers or inputs, or see MemoryBudget"))
    }
}
