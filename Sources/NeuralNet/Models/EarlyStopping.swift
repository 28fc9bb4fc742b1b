/// Stops training when a monitored score has not improved for `patience` epochs, and (by
/// default) puts back the weights of the best epoch.
///
/// ```swift
/// try model.fit(train, epochs: 50, validation: test, callbacks: [EarlyStopping(patience: 3)])
/// ```
public final class EarlyStopping: Callback {
    /// The log key watched: `"val_loss"` by default. Without validation data the training value
    /// (`"loss"` for `"val_loss"`) is watched instead.
    public let monitor: String
    /// Epochs without improvement tolerated before stopping.
    public let patience: Int
    /// The smallest change that counts as an improvement.
    public let minimumDelta: Float
    /// Whether to restore the best epoch's weights when training ends.
    public let restoresBestWeights: Bool
    /// The epoch with the best score so far (numbered from 1).
    public private(set) var bestEpoch: Int?
    /// The epoch after which training stopped, if it stopped early.
    public private(set) var stoppedEpoch: Int?

    private var best: Float?
    private var waited = 0
    private var bestWeights: [Tensor] = []
    private weak var model: (any Network)?

    /// - Parameter monitor: a key of the logs; scores whose name contains `"loss"` must fall,
    ///   others (accuracy) must rise.
    public init(monitor: String = "val_loss", patience: Int = 3, minimumDelta: Float = 0, restoresBestWeights: Bool = true) {
        precondition(patience >= 0, "EarlyStopping patience must be 0 or more, got \(patience)")
        self.monitor = monitor
        self.patience = patience
        self.minimumDelta = minimumDelta
        self.restoresBestWeights = restoresBestWeights
    }

    public func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) {
        self.model = model
        (best, bestEpoch, stoppedEpoch, waited, bestWeights) = (nil, nil, nil, 0, [])
    }

    public func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        let key = logs[monitor] != nil ? monitor : String(monitor.trimmingPrefix("val_"))
        guard let value = logs[key] else { return false }
        let lowerIsBetter = key.contains("loss")
        let improved = best.map { lowerIsBetter ? value < $0 - minimumDelta : value > $0 + minimumDelta } ?? true
        if improved {
            (best, bestEpoch, waited) = (value, epoch, 0)
            if restoresBestWeights, let model { bestWeights = model.namedParameters.map(\.parameter.value) }
            return false
        }
        waited += 1
        if waited > patience {
            stoppedEpoch = epoch
            return true
        }
        return false
    }

    public func trainingDidEnd(history: History) {
        guard restoresBestWeights, let model, !bestWeights.isEmpty else { return }
        for (parameter, value) in zip(model.namedParameters.map(\.parameter), bestWeights) { parameter.value = value }
    }
}
