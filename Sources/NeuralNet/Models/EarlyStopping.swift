/// Stops training when a monitored score has not improved for `patience` epochs, and (by
/// default) puts back the weights of the best epoch.
///
/// ```swift
/// try model.fit(train, epochs: 50, validation: test, callbacks: [EarlyStopping(patience: 3)])
/// ```
public final class EarlyStopping: Callback {
    /// It acts on epochs only.
    public var observesBatches: Bool { false }

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

    private var score: MonitoredScore
    private var waited = 0
    private var bestWeights: [Tensor] = []
    private weak var model: (any Network)?

    /// - Parameters:
    ///   - monitor: a key of the logs; scores named like a loss or an error must fall, others
    ///     (accuracy) must rise.
    ///   - patience: epochs without improvement tolerated before stopping.
    ///   - minimumDelta: the smallest change that counts as an improvement.
    ///   - restoresBestWeights: whether to put back the best epoch's weights at the end.
    public init(monitor: String = "val_loss", patience: Int = 3, minimumDelta: Float = 0, restoresBestWeights: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.minimumDelta = minimumDelta
        self.restoresBestWeights = restoresBestWeights
        score = MonitoredScore(key: monitor, minimumDelta: minimumDelta)
    }

    public func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) {
        self.model = model
        (score.best, bestEpoch, stoppedEpoch, waited, bestWeights) = (nil, nil, nil, 0, [])
        score.learnDirections(from: model.metrics)
    }

    public func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        guard let improved = score.update(with: logs) else { return false }
        if improved {
            (bestEpoch, waited) = (epoch, 0)
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

extension EarlyStopping: StatefulCallback {
    /// The best score and its epoch, the epochs waited, and the best epoch's weights by
    /// parameter path.
    public func checkpointState() -> (values: [String: Double], tensors: [String: Tensor]) {
        var values: [String: Double] = ["waited": Double(waited)]
        if let best = score.best { values["best"] = Double(best) }
        if let bestEpoch { values["bestEpoch"] = Double(bestEpoch) }
        if let stoppedEpoch { values["stoppedEpoch"] = Double(stoppedEpoch) }
        let names = model?.namedParameters.map(\.name) ?? []
        let tensors = bestWeights.count == names.count ? Dictionary(uniqueKeysWithValues: zip(names, bestWeights)) : [:]
        return (values, tensors)
    }

    public func restore(values: [String: Double], tensors: [String: Tensor]) throws {
        score.best = values["best"].map(Float.init)
        bestEpoch = try values["bestEpoch"].map { try storedCount($0, "bestEpoch") }
        stoppedEpoch = try values["stoppedEpoch"].map { try storedCount($0, "stoppedEpoch") }
        waited = try storedCount(values["waited"] ?? 0, "waited")
        guard !tensors.isEmpty, let model else { return bestWeights = [] }
        let parameters = model.namedParameters
        let weights = parameters.compactMap { tensors[$0.name] }
        guard weights.count == parameters.count, zip(weights, parameters).allSatisfy({ $0.shape == $1.parameter.shape }) else {
            throw NeuralNetError.invalidArgument("EarlyStopping: the saved best weights do not fit the model's parameters")
        }
        bestWeights = weights
    }
}

extension EarlyStopping: ArgumentChecked {
    public var argumentProblem: String? {
        guard patience >= 0 else {
            return "patience must be 0 or more, got \(patience); it is the epochs to wait, such as 3"
        }
        return nil
    }
}
