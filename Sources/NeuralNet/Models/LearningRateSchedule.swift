import Foundation

/// How the learning rate changes from epoch to epoch (or, for warmup, from batch to batch),
/// starting from the optimizer's rate η₀.
public enum LearningRateSchedule: Sendable, Equatable {
    /// `η₀ · factor^⌊e / every⌋`: multiply by `factor` every `every` epochs.
    case step(every: Int, factor: Float)
    /// `η₀ · rate^e`.
    case exponential(rate: Float)
    /// `η_min + (η₀ - η_min) · (1 + cos(π e / epochs)) / 2`, then `η_min` after `epochs`.
    case cosine(epochs: Int, minimum: Float = 0)
    /// Per batch: a linear warmup `η₀ · (s + 1) / warmupSteps` over the first `warmupSteps`
    /// steps, then cosine decay to `η_min` at `totalSteps` (and `η_min` after), as transformers
    /// are trained. `s` counts batches from 0 across epochs.
    case warmupCosine(warmupSteps: Int, totalSteps: Int, minimum: Float = 0)

    /// Whether the rate changes every batch rather than every epoch.
    public var isPerBatch: Bool {
        if case .warmupCosine = self { true } else { false }
    }

    /// The rate for the zero-based batch `step` counted across epochs, for per-batch schedules
    /// (a per-epoch schedule gives its epoch's rate from `epochIndex` instead).
    public func learningRate(initial: Float, step s: Int) -> Float {
        guard case let .warmupCosine(warmup, total, minimum) = self else { return initial }
        if s < warmup { return initial * Float(s + 1) / Float(warmup) }
        let progress = Float(min(s - warmup, max(total - warmup, 0))) / Float(max(total - warmup, 1))
        return minimum + (initial - minimum) * (1 + cos(.pi * progress)) / 2
    }

    /// The rate for the epoch with zero-based index `e`, from the initial rate `initial`.
    public func learningRate(initial: Float, epochIndex e: Int) -> Float {
        switch self {
        case let .step(every, factor):
            return initial * pow(factor, Float(e / max(every, 1)))
        case let .exponential(rate):
            return initial * pow(rate, Float(e))
        case let .cosine(epochs, minimum):
            let progress = Float(min(e, epochs)) / Float(max(epochs, 1))
            return minimum + (initial - minimum) * (1 + cos(.pi * progress)) / 2
        case .warmupCosine:
            return learningRate(initial: initial, step: 0)
        }
    }
}

/// Sets the optimizer's learning rate before each epoch (or batch, for a per-batch schedule)
/// from a schedule. The initial rate is given, or the optimizer's when this scheduler first
/// sees training begin; a checkpoint saves it, so a resumed run follows the same schedule.
///
/// ```swift
/// try model.fit(train, epochs: 10, callbacks: [LearningRateScheduler(.cosine(epochs: 10))])
/// let steps = 10 * batchesPerEpoch
/// try model.fit(train, epochs: 10, callbacks: [LearningRateScheduler(.warmupCosine(warmupSteps: 200, totalSteps: steps))])
/// ```
public final class LearningRateScheduler: Callback {
    /// Only for a schedule by step.
    public var observesBatches: Bool { schedule.isPerBatch }

    /// The schedule followed.
    public let schedule: LearningRateSchedule
    private var initial: Float?
    private var batchesPerEpoch = 1
    private weak var model: (any Network)?

    /// A scheduler following `schedule` from `initialRate`, or (nil) from the optimizer's rate
    /// when this scheduler first sees training begin: a second `fit` with the same scheduler
    /// starts from the same rate, not from where the schedule left the optimizer.
    public init(_ schedule: LearningRateSchedule, initialRate: Float? = nil) {
        self.schedule = schedule
        self.initial = initialRate
    }

    public func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) {
        self.model = model
        self.batchesPerEpoch = batchesPerEpoch
        if initial == nil { initial = model.optimizer.learningRate }
    }

    public func epochWillBegin(_ epoch: Int) {
        guard !schedule.isPerBatch, let initial else { return }
        model?.optimizer.learningRate = schedule.learningRate(initial: initial, epochIndex: epoch - 1)
    }

    public func batchWillBegin(_ batch: Int, epoch: Int) {
        guard schedule.isPerBatch, let initial else { return }
        model?.optimizer.learningRate = schedule.learningRate(initial: initial, step: (epoch - 1) * batchesPerEpoch + batch - 1)
    }
}

extension LearningRateScheduler: StatefulCallback {
    /// The initial rate the schedule starts from, which a resumed run's optimizer no longer holds.
    public func checkpointState() -> (values: [String: Double], tensors: [String: Tensor]) {
        (initial.map { ["initial": Double($0)] } ?? [:], [:])
    }

    public func restore(values: [String: Double], tensors: [String: Tensor]) throws {
        if let saved = values["initial"] { initial = Float(saved) }
    }
}
