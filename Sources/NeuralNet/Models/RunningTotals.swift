/// Sums of the losses and metric counts over the batches of an epoch.
struct RunningTotals {
    let metrics: [Metric]
    let losses: [Loss]
    private var lossSum: Double = 0
    private var outputLossSums: [Double]
    private var correct: [[Metric: Double]]
    private var samples = 0

    init(metrics: [Metric], losses: [Loss]) {
        self.metrics = metrics
        self.losses = losses
        outputLossSums = Array(repeating: 0, count: losses.count)
        correct = Array(repeating: [:], count: losses.count)
    }

    /// Adds a batch of a one-output model whose mean loss is `value`.
    mutating func add(loss value: Float, output: Tensor, target: Tensor) {
        let batch = output.dimensions[0]
        lossSum += Double(value) * Double(batch)
        outputLossSums[0] += Double(value) * Double(batch)
        samples += batch
        for metric in metrics {
            correct[0][metric, default: 0] += metric.total(output: output, targets: target, loss: losses[0])
        }
    }

    /// Adds a batch whose mean total loss is `value`, with each output's own mean loss.
    mutating func add(loss value: Float, each: [Float], outputs: [Tensor], targets: [Tensor]) {
        let batch = outputs[0].dimensions[0]
        lossSum += Double(value) * Double(batch)
        samples += batch
        for index in outputs.indices {
            outputLossSums[index] += Double(each[index]) * Double(batch)
            for metric in metrics {
                correct[index][metric, default: 0] += metric.total(
                    output: outputs[index], targets: targets[index], loss: losses[index])
            }
        }
    }

    /// `"loss"` and each metric; with several outputs also `"output0_loss"`, `"output0_accuracy"`, ...
    func logs() -> [String: Float] {
        let count = Double(max(samples, 1))
        var logs = ["loss": Float(lossSum / count)]
        let several = losses.count > 1
        for index in losses.indices {
            let prefix = several ? "output\(index)_" : ""
            if several { logs[prefix + "loss"] = Float(outputLossSums[index] / count) }
            for metric in metrics { logs[prefix + metric.name] = Float(metric.value(sum: correct[index][metric, default: 0], samples: samples)) }
        }
        return logs
    }

    /// The totals as data, for checkpoints.
    struct Snapshot: Codable, Equatable {
        var lossSum: Double
        var outputLossSums: [Double]
        /// Per output, each metric's sum by metric name (correct samples, or summed errors).
        var correct: [[String: Double]]
        var samples: Int
    }

    var snapshot: Snapshot {
        Snapshot(lossSum: lossSum, outputLossSums: outputLossSums,
                 correct: correct.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.name, $0.value) }) }, samples: samples)
    }

    /// Puts back totals saved as `snapshot`; metric names must be this run's.
    mutating func restore(_ snapshot: Snapshot) throws {
        guard snapshot.outputLossSums.count == losses.count, snapshot.correct.count == losses.count else {
            throw NeuralNetError.invalidArgument("the checkpoint's running totals are for \(snapshot.outputLossSums.count) outputs, the model has \(losses.count)")
        }
        var counts: [[Metric: Double]] = []
        for byName in snapshot.correct {
            var byMetric: [Metric: Double] = [:]
            for (name, count) in byName {
                guard let metric = metrics.first(where: { $0.name == name }) else {
                    throw NeuralNetError.invalidArgument("the checkpoint counts metric '\(name)', which this run does not report")
                }
                byMetric[metric] = count
            }
            counts.append(byMetric)
        }
        (lossSum, outputLossSums, correct, samples) = (snapshot.lossSum, snapshot.outputLossSums, counts, snapshot.samples)
    }
}

extension RunningTotals {
    /// Sums these totals across the processes of `distribution`: the loss sums, the sample
    /// count and every metric's count.
    mutating func sum(over distribution: any DistributionStrategy) throws {
        var values = [lossSum, Double(samples)] + outputLossSums
        for output in correct.indices { values += metrics.map { correct[output][$0, default: 0] } }
        try distribution.sum(&values)
        lossSum = values[0]
        samples = Int(values[1])
        outputLossSums = Array(values[2..<(2 + outputLossSums.count)])
        var index = 2 + outputLossSums.count
        for output in correct.indices {
            for metric in metrics {
                correct[output][metric] = values[index]
                index += 1
            }
        }
    }
}
