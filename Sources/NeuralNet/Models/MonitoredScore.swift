/// A score that the callbacks waiting for progress watch from epoch to epoch (`EarlyStopping`,
/// `ReduceLROnPlateau`, `ModelCheckpoint(monitor:)`): which log key, which way is better, and
/// the best value so far.
struct MonitoredScore {
    /// The log key asked for (`"val_loss"`); without validation data the training value
    /// (`"loss"`) is read instead.
    let key: String
    /// The smallest change that counts as an improvement.
    let minimumDelta: Float
    /// The best value seen so far.
    var best: Float?
    /// Which way each custom metric should move, by name (`true`: lower is better).
    private var customDirections: [String: Bool] = [:]

    init(key: String, minimumDelta: Float = 0) {
        self.key = key
        self.minimumDelta = minimumDelta
    }

    /// Learns which way the model's custom metrics should move; the built-in keys tell by their
    /// names (losses and errors fall, accuracies rise).
    mutating func learnDirections(from metrics: [Metric]) {
        for case .custom(let metric) in metrics { customDirections[metric.name] = metric.lowerIsBetter }
    }

    /// Reads the score from an epoch's `logs`: true when it improved on the best (which it
    /// then becomes), false when not, nil when the logs lack it. Losses and errors must fall,
    /// other scores (accuracy) rise.
    mutating func update(with logs: [String: Float]) -> Bool? {
        let present = logs[key] != nil ? key : String(key.trimmingPrefix("val_"))
        guard let value = logs[present] else { return nil }
        // "val_output1_huber" ends in the custom metric's name "huber".
        let custom = customDirections.first { present == $0.key || present.hasSuffix("_" + $0.key) }
        let lowerIsBetter = custom?.value ?? Metric.lowerIsBetter(present)
        let improved = best.map { lowerIsBetter ? value < $0 - minimumDelta : value > $0 + minimumDelta } ?? true
        if improved { best = value }
        return improved
    }
}
