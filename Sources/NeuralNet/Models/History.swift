/// What `fit` measured, epoch by epoch: `"loss"`, each metric by name, and with validation
/// data `"val_loss"` and `"val_<metric>"`, as in Keras.
public struct History: Sendable, Equatable {
    /// One dictionary per epoch.
    public var epochs: [[String: Float]] {
        guard !compactValues.isEmpty else { return recorded }
        let width = compactKeys.count
        return recorded + (0..<(compactValues.count / width)).map { epoch in
            Dictionary(uniqueKeysWithValues: compactKeys.indices.map { (compactKeys[$0], compactValues[epoch * width + $0]) })
        }
    }

    private var recorded: [[String: Float]] = []
    // Epochs recorded by compiled training, which may run many short epochs: the values of
    // `compactKeys` one epoch after another, made into dictionaries only when read (a
    // dictionary per epoch costs more than an XOR epoch's arithmetic). Always after `recorded`.
    private var compactKeys: [String] = []
    private var compactValues: [Float] = []

    /// An empty history.
    public init() {}

    /// A history of `epochs`, one dictionary of logs each.
    public init(epochs: [[String: Float]]) { recorded = epochs }

    /// The training loss of each epoch (the mean over its batches).
    public var loss: [Float] { self["loss"] }

    /// The values of `key` per epoch (empty if never recorded).
    public subscript(key: String) -> [Float] { epochs.compactMap { $0[key] } }

    /// Every key recorded, sorted.
    public var keys: [String] { Array(Set(epochs.flatMap(\.keys))).sorted() }

    /// Histories are equal when their epochs are, however they were recorded.
    public static func == (lhs: History, rhs: History) -> Bool { lhs.epochs == rhs.epochs }

    mutating func append(_ logs: [String: Float]) {
        if !compactValues.isEmpty {
            recorded = epochs
            compactValues = []
        }
        recorded.append(logs)
    }

    /// Appends an epoch whose only logs are `"loss"` and `"learning_rate"` (compiled training;
    /// XOR runs an epoch in about 200 ns, so this stays two appends).
    mutating func append(loss: Float, learningRate: Float) {
        if compactKeys.isEmpty { compactKeys = ["loss", "learning_rate"] }
        compactValues.append(loss)
        compactValues.append(learningRate)
    }

    /// Appends an epoch whose logs are `"loss"`, the metrics `names` with `metrics` (in that
    /// order) and `"learning_rate"` (compiled training; the names are the same every epoch).
    mutating func append(loss: Float, metrics: ArraySlice<Float>, named names: [String], learningRate: Float) {
        if compactKeys.isEmpty { compactKeys = ["loss"] + names + ["learning_rate"] }
        compactValues.append(loss)
        compactValues.append(contentsOf: metrics)
        compactValues.append(learningRate)
    }
}
