/// A `fit` run in progress: where it is (epoch and batch), this epoch's order of samples and
/// the shuffler that made it, the epoch's running totals and the history so far. A checkpoint
/// saves it with the model, the optimizer and the callbacks' states; resuming puts it all back,
/// so that training continues exactly as if it had never stopped.
///
/// Callbacks that need it (`ModelCheckpoint`) conform to `SessionCallback`.
public final class TrainingSession {
    /// The model being trained.
    public let model: any Network
    /// The epoch training stops after.
    public let epochs: Int
    /// The number of batches in an epoch.
    public let batchesPerEpoch: Int
    /// The number of samples per epoch.
    public let sampleCount: Int
    // The loop's own state, written only by `fit` between calls into callbacks and read by
    // callbacks while `fit` waits for them: no two accesses overlap, so the run-time checks
    // (several per step, a tenth of a small network's step) are skipped.
    /// The epoch in progress or last finished, from 1; 0 before the first.
    @exclusivity(unchecked) public internal(set) var epoch = 0
    /// The batches of `epoch` done: `batchesPerEpoch` once the epoch is over.
    @exclusivity(unchecked) public internal(set) var batchesDone = 0
    /// The logs of every finished epoch.
    public internal(set) var history = History()
    /// Whether a callback stopped training early.
    public internal(set) var stopped = false
    /// The callbacks of the run, whose states checkpoints save.
    public let callbacks: [any Callback]
    @exclusivity(unchecked) var order: [Int]
    @exclusivity(unchecked) var shuffler: SeededGenerator
    @exclusivity(unchecked) var totals: RunningTotals

    init(model: any Network, epochs: Int, batchSize: Int, sampleCount: Int, shuffler: SeededGenerator, callbacks: [any Callback]) {
        self.model = model
        self.epochs = epochs
        // Written so that a batch size near Int.max cannot overflow.
        self.batchesPerEpoch = sampleCount == 0 ? 0 : (sampleCount - 1) / batchSize + 1
        self.sampleCount = sampleCount
        self.order = Array(0..<sampleCount)
        self.shuffler = shuffler
        self.callbacks = callbacks
        self.totals = RunningTotals(metrics: model.metrics, losses: model.losses)
    }

    /// Whether the epoch in progress has batches left.
    var isMidEpoch: Bool { epoch > 0 && batchesDone < batchesPerEpoch }
}

/// A callback that takes part in the training session itself: it is handed the session when
/// training begins, and told when an epoch has settled (every callback has seen it), which
/// is when an end-of-epoch checkpoint is complete.
public protocol SessionCallback: Callback {
    /// The run's session, before the first epoch (and before a resumed run is put back).
    func attach(to session: TrainingSession)
    /// After every callback has seen the end of an epoch.
    func epochDidSettle(_ session: TrainingSession) throws
    /// After every callback has seen the end of a batch.
    func batchDidSettle(_ session: TrainingSession) throws
}

extension SessionCallback {
    public func attach(to session: TrainingSession) {}
    public func epochDidSettle(_ session: TrainingSession) throws {}
    public func batchDidSettle(_ session: TrainingSession) throws {}
}

/// A callback whose state a checkpoint saves, so that a resumed run sees it as it was:
/// early stopping's best score, a schedule's initial rate.
public protocol StatefulCallback: Callback {
    /// The state as numbers by name, and tensors by name (best weights).
    func checkpointState() -> (values: [String: Double], tensors: [String: Tensor])
    /// Puts back a state saved by `checkpointState()`.
    func restore(values: [String: Double], tensors: [String: Tensor]) throws
}
