/// What `fit` measured, epoch by epoch: `"loss"`, each metric by name, and with validation
/// data `"val_loss"` and `"val_<metric>"`, as in Keras.
public struct History: Sendable, Equatable {
    /// One dictionary per epoch.
    public private(set) var epochs: [[String: Float]] = []

    /// An empty history.
    public init() {}

    /// A history of `epochs`, one dictionary of logs each.
    public init(epochs: [[String: Float]]) { self.epochs = epochs }

    /// The training loss of each epoch (the mean over its batches).
    public var loss: [Float] { self["loss"] }

    /// The values of `key` per epoch (empty if never recorded).
    public subscript(key: String) -> [Float] { epochs.compactMap { $0[key] } }

    /// Every key recorded, sorted.
    public var keys: [String] { Array(Set(epochs.flatMap(\.keys))).sorted() }

    mutating func append(_ logs: [String: Float]) { epochs.append(logs) }
}
