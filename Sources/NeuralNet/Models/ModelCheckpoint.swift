import Foundation

/// Writes a checkpoint of the whole training run to `directory` every epoch (or every `N`
/// batches), so that `fit(..., resumeFrom: directory)` continues an interrupted run exactly
/// where the newest checkpoint was written, with the same final weights as a run that never
/// stopped.
///
/// ```swift
/// let directory = URL(fileURLWithPath: "checkpoints")
/// try model.fit(train, epochs: 20, callbacks: [ModelCheckpoint(directory: directory)],
///               seed: 1, resumeFrom: directory)      // starts afresh, or continues
/// ```
///
/// Each checkpoint is one safetensors file (see `Checkpoint`), written atomically (temporary
/// file, flush to disk, rename), so a kill during a write leaves the previous one intact; the
/// newest `keepLast` are kept. With `monitor:` a checkpoint is written only when the monitored
/// score improves (Keras's `save_best_only`): the newest file is then the best model, which a
/// resume continues from.
public final class ModelCheckpoint: SessionCallback {
    /// Only when it writes every `n` batches.
    public var observesBatches: Bool { frequency != .epoch }

    /// How often checkpoints are written.
    public enum Frequency: Sendable, Equatable {
        /// At the end of every epoch.
        case epoch
        /// After every `n` batches (and at the end of every epoch).
        case batches(Int)
    }

    /// Where the files go.
    public let directory: URL
    /// How often checkpoints are written.
    public let frequency: Frequency
    /// How many checkpoints are kept (the newest).
    public let keepLast: Int
    /// The log key whose improvement a checkpoint waits for, or nil to write every time.
    public let monitor: String?
    /// The checkpoint files written by this callback, oldest first.
    public private(set) var written: [String] = []
    private var score: MonitoredScore?

    /// A checkpoint callback writing to `directory` (created if needed).
    ///
    /// - Parameters:
    ///   - directory: where the checkpoint files go (and where `fit(resumeFrom:)` looks).
    ///   - frequency: every epoch, or also every `n` batches.
    ///   - keepLast: how many of the newest checkpoints are kept.
    ///   - monitor: a log key (`"val_loss"`, `"accuracy"`): write only when it improves;
    ///     scores named like a loss or an error (and custom metrics with `lowerIsBetter`) must
    ///     fall, others rise.
    public init(directory: URL, every frequency: Frequency = .epoch, keepLast: Int = 2, monitor: String? = nil) {
        self.directory = directory
        self.frequency = frequency
        self.keepLast = keepLast
        self.monitor = monitor
        score = monitor.map { MonitoredScore(key: $0) }
    }

    public func attach(to session: TrainingSession) {
        written = Checkpoint.files(in: directory)
        score?.best = nil
        score?.learnDirections(from: session.model.metrics)
    }

    public func batchDidSettle(_ session: TrainingSession) throws {
        guard case .batches(let n) = frequency, monitor == nil, session.batchesDone % n == 0,
              session.batchesDone < session.batchesPerEpoch else { return }
        try write(session)
    }

    public func epochDidSettle(_ session: TrainingSession) throws {
        if score != nil, score?.update(with: session.history.epochs.last ?? [:]) != true { return }
        try write(session)
    }

    private func write(_ session: TrainingSession) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw NeuralNetError.invalidFile(path: directory.path, reason: "cannot be created: \(error.localizedDescription)")
        }
        let path = directory.appendingPathComponent(Checkpoint.fileName(epoch: session.epoch, batchesDone: session.batchesDone)).path
        try Checkpoint.write(session, to: path)
        written.removeAll { $0 == path }
        written.append(path)
        // Older files go only once the new one is safely on disk.
        while written.count > keepLast { try? FileManager.default.removeItem(atPath: written.removeFirst()) }
    }
}

extension ModelCheckpoint: StatefulCallback {
    /// The best monitored score so far, if any.
    public func checkpointState() -> (values: [String: Double], tensors: [String: Tensor]) {
        (score?.best.map { ["best": Double($0)] } ?? [:], [:])
    }

    public func restore(values: [String: Double], tensors: [String: Tensor]) throws {
        score?.best = values["best"].map(Float.init)
    }
}

extension ModelCheckpoint: ArgumentChecked {
    public var argumentProblem: String? {
        var batches = 1
        if case .batches(let n) = frequency { batches = n }
        guard batches > 0 else { return "every .batches(n) needs n > 0, got \(batches)" }
        guard keepLast > 0 else { return "keepLast must be at least 1, got \(keepLast)" }
        return nil
    }
}
