/// Evaluation and prediction, shared by every `Network`. Both run in inference mode and
/// record no graph.
extension Network {
    /// The loss and every metric on `dataset`, in inference mode, and for single-output
    /// classifiers a confusion matrix: `try model.evaluate(test)["accuracy"]!`.
    public func evaluate(_ dataset: Dataset, batchSize: Int = 256) throws -> Evaluation {
        guard batchSize > 0 else { throw NeuralNetError.invalidArgument("evaluate: batchSize must be positive, got \(batchSize)") }
        try checkSetup()
        try check(dataset, role: "evaluation")
        var totals = RunningTotals(metrics: metrics, losses: losses)
        try checkBatchRoom(batchSize: min(batchSize, dataset.count), training: false)
        var confusion: ConfusionMatrix?
        for batch in dataset.batches(of: batchSize) {
            let targets = batch.labelTensors
            let (total, each, outputs) = try Variable.withoutRecording {
                let outputs = try forward(batch.inputTensors.map { Variable($0) }, mode: .inference)
                let (total, each) = totalLoss(of: outputs, targets: targets)
                return (total.value.scalar, each.map(\.value.scalar), outputs.map(\.value))
            }
            totals.add(loss: total, each: each, outputs: outputs, targets: targets)
            guard outputs.count == 1, let output = outputs.first, let loss = losses.first else { continue }
            let classes = Metric.classCount(of: output)
            if loss.takesClassIndices || classes > 1 || loss.isBinaryClassification {
                if confusion == nil { confusion = ConfusionMatrix(classes: max(classes, 2)) }
                let truth = Metric.trueClasses(targets: targets[0], classes: classes, loss: loss)
                let predicted = Metric.predictedClasses(output: output, loss: loss)
                let kept = truth.indices.filter { truth[$0] != loss.ignoredIndex }
                confusion!.add(truth: kept.map { truth[$0] }, predicted: kept.map { predicted[$0] })
            }
        }
        return Evaluation(scores: totals.logs(), confusionMatrix: confusion)
    }

    /// The loss and every metric on inputs `x` and targets `y`.
    public func evaluate(_ x: Tensor, _ y: Tensor, batchSize: Int = 256) throws -> Evaluation {
        try evaluate(try Dataset(inputs: x, labels: y), batchSize: batchSize)
    }

    /// The loss and every metric on one tensor per input and one per output.
    public func evaluate(_ x: [Tensor], _ y: [Tensor], batchSize: Int = 256) throws -> Evaluation {
        try evaluate(try Dataset(inputs: x, labels: y), batchSize: batchSize)
    }

    /// The outputs of a one-input, one-output model for `x` (`[samples, ...]`), computed in
    /// inference mode in batches of `batchSize` (by default as many samples as keep a batch's
    /// layer outputs within 64 MB: usually the whole call in one pass).
    ///
    /// - Precondition: `x` fits the model's input; otherwise the program ends with the layer and
    ///   shapes on standard error and exit status 1. Use `output(for:)` to get the error thrown
    ///   instead.
    public func predict(_ x: Tensor, batchSize: Int? = nil) -> Tensor {
        do { return try output(for: x, batchSize: batchSize) } catch {
            exitWithError(error, in: "predict", throwingTwin: "output(for:)")
        }
    }

    /// The outputs of the model, one tensor per output, for one tensor per input.
    ///
    /// - Precondition: the inputs fit the model; otherwise the program ends with the reason and
    ///   exit status 1. Use `outputs(for:)` to get errors thrown.
    public func predict(_ inputs: [Tensor], batchSize: Int? = nil) -> [Tensor] {
        do { return try outputs(for: inputs, batchSize: batchSize) } catch {
            exitWithError(error, in: "predict", throwingTwin: "outputs(for:)")
        }
    }

    /// The output of a one-input, one-output model for `x`, throwing `NeuralNetError` when `x`
    /// does not fit.
    public func output(for x: Tensor, batchSize: Int? = nil) throws -> Tensor {
        let results = try outputs(for: [x], batchSize: batchSize)
        guard results.count == 1 else {
            throw NeuralNetError.invalidArgument(
                "predict: the model has \(results.count) outputs; call predict([inputs]) for one tensor per output")
        }
        return results[0]
    }

    /// The model's outputs for one tensor per input, throwing `NeuralNetError` when they do
    /// not fit.
    public func outputs(for inputs: [Tensor], batchSize: Int? = nil) throws -> [Tensor] {
        guard let first = inputs.first, inputs.allSatisfy({ $0.rank >= 1 && $0.shape[0] == first.shape[0] }) else {
            throw NeuralNetError.shapeMismatch(
                layer: "input", expected: "one batch [samples, ...] per input, all with the same number of samples",
                actual: inputs.first?.shape ?? [], hint: "got shapes \(inputs.map(\.shape))")
        }
        if let batchSize, batchSize <= 0 {
            throw NeuralNetError.invalidArgument("predict: batchSize must be positive, got \(batchSize)")
        }
        try checkParameterShapes()
        let outputShapes = try build(inputShapes: inputs.map { Array($0.shape.dropFirst()) })
        let sampleCount = first.shape[0]
        let perSample = outputValuesPerSample
        let batchSize = min(batchSize ?? inferenceBatchSize(perSample: perSample), max(sampleCount, 1))
        try checkBatchRoom(batchSize: batchSize, training: false, perSample: perSample)
        return try Variable.withoutRecording {
            if sampleCount <= batchSize { return try forward(inputs.map { Variable($0) }, mode: .inference).map(\.value) }
            // The outputs are allocated once and each batch's rows copied into place.
            var results = outputShapes.map { Tensor(uninitializedDimensions: Dimensions([sampleCount] + $0)) }
            for start in stride(from: 0, to: sampleCount, by: batchSize) {
                let rows = start..<min(start + batchSize, sampleCount)
                let batch = try forward(inputs.map { Variable($0.gatheringRows(rows)) }, mode: .inference)
                for (index, output) in batch.enumerated() {
                    let width = output.value.count / rows.count
                    output.value.scalars.withUnsafeBufferPointer { source in
                        results[index].scalars.withUnsafeMutableBufferPointer { destination in
                            (destination.baseAddress! + start * width).update(from: source.baseAddress!, count: source.count)
                        }
                    }
                }
            }
            return results
        }
    }
}

extension Network {
    /// The batch size `predict` uses when none is given: as many samples as keep one batch's
    /// layer outputs within 64 MB (so a call of a few thousand samples on a small model is one
    /// pass), at least 1.
    func inferenceBatchSize(perSample: Int? = nil) -> Int {
        let perSample = perSample ?? outputValuesPerSample
        guard perSample > 0 else { return 1 }
        return max(1, (64 << 20) / (4 * perSample))
    }
}
