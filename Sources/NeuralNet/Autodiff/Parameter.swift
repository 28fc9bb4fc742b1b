/// A trainable (or saved-but-not-trained) tensor owned by a layer.
///
/// Layers hold their parameters as `let` references; the value is replaced when the layer is
/// built and updated in place by the optimizer, so a parameter keeps its identity for the
/// life of the model (optimizer state and save/load key on it).
public final class Parameter {
    /// The current value.
    public var value: Tensor
    /// The gradient accumulated by `backward()` since the last step, if any.
    public var gradient: Tensor?
    /// Whether the optimizer updates it (false for buffers such as running statistics).
    public let isTrainable: Bool

    /// A parameter holding `value`.
    public init(_ value: Tensor, trainable: Bool = true) {
        self.value = value
        self.isTrainable = trainable
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// The number of scalars.
    public var count: Int { value.count }

    func accumulate(_ incoming: Tensor) {
        if gradient == nil { gradient = incoming } else { gradient! += incoming }
    }
}

extension Parameter: CustomStringConvertible {
    public var description: String { "Parameter(shape: \(shape)\(isTrainable ? "" : ", not trained"))" }
}
