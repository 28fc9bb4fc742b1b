import Foundation

/// How the learning rate changes from epoch to epoch, starting from the optimizer's rate η₀.
public enum LearningRateSchedule: Sendable, Equatable {
    /// `η₀ · factor^⌊e / every⌋`: multiply by `factor` every `every` epochs.
    case step(every: Int, factor: Float)
    /// `η₀ · rate^e`.
    case exponential(rate: Float)
    /// `η_min + (η₀ - η_min) · (1 + cos(π e / epochs)) / 2`, then `η_min` after `epochs`.
    case cosine(epochs: Int, minimum: Float = 0)

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
        }
    }
}

/// Sets the optimizer's learning rate before each epoch from a schedule.
///
/// ```swift
/// try model.fit(train, epochs: 10, callbacks: [LearningRateScheduler(.cosine(epochs: 10))])
/// ```
public final class LearningRateScheduler: Callback {
    /// The schedule followed.
    public let schedule: LearningRateSchedule
    private var initial: Float = 0
    private weak var model: (any Network)?

    /// A scheduler following `schedule` from the optimizer's rate when training begins.
    public init(_ schedule: LearningRateSchedule) { self.schedule = schedule }

    public func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) {
        self.model = model
        initial = model.optimizer.learningRate
    }

    public func epochWillBegin(_ epoch: Int) {
        model?.optimizer.learningRate = schedule.learningRate(initial: initial, epochIndex: epoch - 1)
    }
}

extension LearningRateScheduler: StatefulCallback {
    /// The initial rate the schedule starts from, which a resumed run's optimizer no longer holds.
    public func checkpointState() -> (values: [String: Double], tensors: [String: Tensor]) {
        (["initial": Double(initial)], [:])
    }

    public func restore(values: [String: Double], tensors: [String: Tensor]) throws {
        if let saved = values["initial"] { initial = Float(saved) }
    }
}
