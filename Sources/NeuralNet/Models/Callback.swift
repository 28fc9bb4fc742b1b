/// Hooks into `fit`. Every method has an empty default, so a callback writes only what it needs.
/// A callback that changes the model (learning rate, weights) keeps the model it is given in
/// `trainingWillBegin`.
///
/// A NaN or infinite loss always ends training (`fit` throws `NeuralNetError.nonFiniteLoss`
/// before the weights are touched), as Keras's `TerminateOnNaN` does; no callback is needed.
public protocol Callback: AnyObject {
    /// Before the first epoch.
    func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int)
    /// Before each epoch (numbered from 1).
    func epochWillBegin(_ epoch: Int)
    /// Before each batch (numbered from 1 within its epoch): where per-batch schedules act.
    func batchWillBegin(_ batch: Int, epoch: Int)
    /// After each batch (numbered from 1), with the running mean `"loss"` and metrics of the epoch.
    func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float])
    /// After an epoch's last batch, before its validation data are evaluated (only with
    /// validation data).
    func validationWillBegin(_ epoch: Int)
    /// After each epoch, with that epoch's logs (validation scores prefixed `val_`).
    /// Return `true` to stop training.
    func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool
    /// After the last epoch, or after a callback stopped training.
    func trainingDidEnd(history: History)
    /// Whether the callback needs `batchWillBegin` and `batchDidEnd` (true unless it says
    /// otherwise). Compiled training runs whole epochs between the calls of callbacks that do
    /// not, and batch by batch otherwise.
    var observesBatches: Bool { get }
}

extension Callback {
    public func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) {}
    public func epochWillBegin(_ epoch: Int) {}
    public func batchWillBegin(_ batch: Int, epoch: Int) {}
    public func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float]) {}
    public func validationWillBegin(_ epoch: Int) {}
    public func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool { false }
    public func trainingDidEnd(history: History) {}
    public var observesBatches: Bool { true }
}

/// A callback from a closure run after each epoch: `EpochCallback { epoch, logs in print(epoch) }`.
public final class EpochCallback: Callback {
    private let body: (Int, [String: Float]) -> Void

    /// Calls `body(epoch, logs)` after each epoch.
    public init(_ body: @escaping (Int, [String: Float]) -> Void) { self.body = body }

    public func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        body(epoch, logs)
        return false
    }

    /// It hears of epochs only.
    public var observesBatches: Bool { false }
}
