/// Lowers the learning rate when a monitored score has stopped improving, as Keras's callback
/// of that name: after `patience` epochs without an improvement of at least `minimumDelta`,
/// the rate is multiplied by `factor` (not below `minimumLearningRate`), then `cooldown`
/// epochs pass before waiting starts again.
///
/// ```swift
/// try model.fit(train, epochs: 50, validation: test, callbacks: [ReduceLROnPlateau(factor: 0.5, patience: 3)])
/// ```
public final class ReduceLROnPlateau: StatefulCallback {
    /// It acts on epochs only.
    public var observesBatches: Bool { false }

    /// The log key watched (`"val_loss"`; without validation data, `"loss"`).
    public let monitor: String
    /// The multiplier applied to the rate, in (0, 1).
    public let factor: Float
    /// Epochs without improvement before the rate is lowered.
    public let patience: Int
    /// The smallest change that counts as an improvement.
    public let minimumDelta: Float
    /// Epochs after a reduction during which no waiting is counted.
    public let cooldown: Int
    /// The rate is never lowered below this.
    public let minimumLearningRate: Float
    private var score: MonitoredScore
    private var waited = 0
    private var cooling = 0
    private weak var model: (any Network)?

    /// The defaults are Keras's, but for `patience` (3 rather than 10, for short runs).
    ///
    /// - Parameters:
    ///   - monitor: a log key; scores named like a loss or an error must fall, others rise.
    ///   - factor: the multiplier applied to the rate, in (0, 1).
    ///   - patience: epochs without improvement before the rate is lowered.
    ///   - minimumDelta: the smallest change that counts as an improvement.
    ///   - cooldown: epochs after a reduction during which no waiting is counted.
    ///   - minimumLearningRate: the rate is never lowered below this.
    public init(
        monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 3, minimumDelta: Float = 1e-4, cooldown: Int = 0,
        minimumLearningRate: Float = 0
    ) {
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.minimumDelta = minimumDelta
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        score = MonitoredScore(key: monitor, minimumDelta: minimumDelta)
    }

    public func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) {
        self.model = model
        (score.best, waited, cooling) = (nil, 0, 0)
        score.learnDirections(from: model.metrics)
    }

    public func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        guard let model, let improved = score.update(with: logs) else { return false }
        if cooling > 0 { cooling -= 1 }
        if improved {
            waited = 0
        } else if cooling == 0 {
            waited += 1
            if waited >= patience {
                model.optimizer.learningRate = max(model.optimizer.learningRate * factor, minimumLearningRate)
                (waited, cooling) = (0, cooldown)
            }
        }
        return false
    }

    /// The best score, the epochs waited and the cooldown left.
    public func checkpointState() -> (values: [String: Double], tensors: [String: Tensor]) {
        var values: [String: Double] = ["waited": Double(waited), "cooling": Double(cooling)]
        if let best = score.best { values["best"] = Double(best) }
        return (values, [:])
    }

    public func restore(values: [String: Double], tensors: [String: Tensor]) throws {
        score.best = values["best"].map(Float.init)
        waited = try storedCount(values["waited"] ?? 0, "waited")
        cooling = try storedCount(values["cooling"] ?? 0, "cooling")
    }
}

extension ReduceLROnPlateau: ArgumentChecked {
    public var argumentProblem: String? {
        guard factor > 0 && factor < 1 else {
            return "factor must be in (0, 1), got \(factor); 0.1 divides the rate by ten"
        }
        guard patience >= 0 && cooldown >= 0 else {
            return "patience and cooldown must be 0 or more, got \(patience) and \(cooldown)"
        }
        return nil
    }
}
