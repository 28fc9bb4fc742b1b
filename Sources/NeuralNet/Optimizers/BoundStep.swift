/// An optimizer's rule bound to a fixed list of parameters for a run of steps: each
/// parameter's state buffers looked up once, and the rule's constants (the learning rate,
/// Adam's step count) read once, so that a step is the arithmetic alone. Compiled training
/// binds one for each block of epochs it runs inside its plan (callbacks, which may change the
/// learning rate, run between blocks); a tiny network's step is otherwise dominated by the
/// per-parameter lookups, reference counting and exclusivity checks of `update(_:value:...)`.
///
/// Each rule's arithmetic stays in one place: the bound step and the rule's
/// `update(_:value:gradient:count:)` call the same static function of the rule (Adam's, the
/// same C loop: `nn_adam_update_each` over all parameters, `nn_adam_update` over one).
protocol BoundStep: AnyObject {
    /// One step (`beginStep`, then the rule on each parameter) on every bound parameter: the
    /// values of parameter i at `values[i]`, updated in place, its gradient at `gradients[i]`.
    func step(values: UnsafePointer<UnsafeMutablePointer<Float>?>, gradients: UnsafePointer<UnsafePointer<Float>?>)
    /// Hands what the steps advanced back to the optimizer (Adam's step count), so that its
    /// state reads as if it had taken them one by one; called once, after the last step.
    func finish()
}

/// A rule that can bind itself (`BoundStep`): the built-in ones.
protocol BindsSteps: Optimizer {
    /// The rule bound to `parameters`, each with its count of values, in the order
    /// `BoundStep.step` takes them; state buffers are made for those that have none yet.
    func bindSteps(to parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep
}

extension Optimizer {
    /// This rule bound to `parameters` (see `BoundStep`): its own binding, or for a rule that
    /// has none (a custom one) its `update(_:value:gradient:count:)` a parameter at a time.
    func boundStep(for parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep {
        (self as? any BindsSteps)?.bindSteps(to: parameters) ?? UpdateSteps(self, parameters)
    }
}

/// A rule without a binding of its own, bound: `beginStep`, then `update(_:value:gradient:count:)`
/// on each parameter, which looks its state up as it goes.
private final class UpdateSteps: BoundStep {
    private let optimizer: any Optimizer
    private let parameters: [(parameter: Parameter, count: Int)]

    init(_ optimizer: any Optimizer, _ parameters: [(parameter: Parameter, count: Int)]) {
        (self.optimizer, self.parameters) = (optimizer, parameters)
    }

    func step(values: UnsafePointer<UnsafeMutablePointer<Float>?>, gradients: UnsafePointer<UnsafePointer<Float>?>) {
        optimizer.beginStep()
        for (index, (parameter, count)) in parameters.enumerated() {
            optimizer.update(parameter, value: values[index]!, gradient: gradients[index]!, count: count)
        }
    }

    func finish() {}
}

/// The bound parameters' value counts and state buffers, in memory of their own (reading them
/// costs no reference counting): `counts[i]`, and `slot(s)[i]`, slot s of parameter i. Holds
/// the buffers too, so that they outlive the binding.
final class BoundBuffers {
    /// How many parameters are bound.
    let count: Int
    /// The values each parameter has.
    let counts: UnsafeMutablePointer<Int>
    private let buffers: [[StateBuffer]]
    private let pointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>

    /// The counts of `parameters` and their buffers in `state` (made where missing; none for a
    /// rule without state).
    init(_ parameters: [(parameter: Parameter, count: Int)], in state: inout ParameterState) {
        count = parameters.count
        counts = .allocate(capacity: max(1, count))
        counts.initialize(from: parameters.map(\.count), count: count)
        buffers = parameters.map { state.buffers(for: $0.parameter, count: $0.count) }
        pointers = .allocate(capacity: max(1, state.slotCount * count))
        for (index, slots) in buffers.enumerated() {
            for (slot, buffer) in slots.enumerated() { (pointers + slot * count + index).initialize(to: buffer.pointer) }
        }
    }

    deinit {
        counts.deallocate()
        pointers.deallocate()
    }

    /// Slot `slot` of each parameter, in order.
    @inline(__always)
    func slot(_ slot: Int) -> UnsafeMutablePointer<UnsafeMutablePointer<Float>?> { pointers + slot * count }
}
