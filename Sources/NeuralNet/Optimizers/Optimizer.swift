/// Updates parameters from their gradients.
///
/// A rule only writes `update(_:gradient:)` for one parameter; `step(_:)` walks the
/// parameters, skips those without a gradient or not trained, applies gradient clipping and L2
/// weight decay, and clears the gradients after. Per-parameter state (momentum, moments) is
/// keyed by the parameter's identity.
public protocol Optimizer: AnyObject {
    /// The step size; schedules change it between epochs.
    var learningRate: Float { get set }
    /// L2 weight decay λ: `λ · w` is added to each gradient (0 for none).
    var weightDecay: Float { get }
    /// When set, gradients are scaled so that their global L2 norm is at most this.
    var clipNorm: Float? { get }

    /// Called once per step before any `update`, to advance step counters.
    func beginStep()

    /// Updates `parameter.value` in place from `gradient`.
    func update(_ parameter: Parameter, gradient: Tensor)
}

extension Optimizer {
    public var weightDecay: Float { 0 }
    public var clipNorm: Float? { nil }
    public func beginStep() {}

    /// One optimisation step over `parameters`; their gradients are cleared afterwards.
    public func step(_ parameters: [Parameter]) {
        var scale: Float = 1
        if let clipNorm {
            var squares: Float = 0
            for parameter in parameters where parameter.isTrainable {
                guard let gradient = parameter.gradient else { continue }
                squares += gradient.scalars.reduce(0) { $0 + $1 * $1 }
            }
            let norm = squares.squareRoot()
            if norm > clipNorm { scale = clipNorm / norm }
        }
        beginStep()
        let decay = weightDecay
        for parameter in parameters {
            guard var gradient = parameter.accumulated.take(), parameter.isTrainable else { continue }
            if scale != 1 { gradient *= scale }
            if decay != 0 { gradient += parameter.value * decay }
            update(parameter, gradient: gradient)
            parameter.recycle(consume gradient)
        }
    }
}

/// Optimizer state for each parameter, keyed by identity: `slotCount` zero-initialised buffers
/// (velocity, first moment, ...) the size of the parameter, created on first use.
struct ParameterState {
    private var slots: [ObjectIdentifier: [StateBuffer]] = [:]
    let slotCount: Int

    init(slots: Int) { slotCount = slots }

    /// The buffers of `parameter`, created (or re-created after a resize) as needed.
    mutating func buffers(for parameter: Parameter) -> [StateBuffer] {
        let key = ObjectIdentifier(parameter)
        if let existing = slots[key], existing.first?.count == parameter.count { return existing }
        let created = (0..<slotCount).map { _ in StateBuffer(count: parameter.count) }
        slots[key] = created
        return created
    }
}

/// A zero-initialised buffer of floats owned by an optimizer. A class over raw memory, so that
/// several buffers can be written in one loop without overlapping accesses to an array.
final class StateBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}
