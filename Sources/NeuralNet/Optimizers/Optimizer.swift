/// Updates parameters from their gradients.
///
/// A rule only writes `update(_:gradient:)` for one parameter; `step(_:)` walks the
/// parameters, skips those without a gradient or not trained, and clears the gradients after.
/// Per-parameter state (momentum, moments) is keyed by the parameter's identity.
public protocol Optimizer: AnyObject {
    /// The step size; schedules change it between epochs.
    var learningRate: Float { get set }

    /// Called once per step before any `update`, to advance step counters.
    func beginStep()

    /// Updates `parameter.value` in place from `gradient`.
    func update(_ parameter: Parameter, gradient: Tensor)
}

extension Optimizer {
    public func beginStep() {}

    /// One optimisation step over `parameters`; their gradients are cleared afterwards.
    public func step(_ parameters: [Parameter]) {
        beginStep()
        for parameter in parameters where parameter.isTrainable {
            guard let gradient = parameter.gradient else { continue }
            update(parameter, gradient: gradient)
            parameter.gradient = nil
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
