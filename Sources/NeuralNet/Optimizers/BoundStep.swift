/// An optimizer's rule bound to a fixed list of parameters for a run of steps: each
/// parameter's state buffers looked up once, and the rule's constants (the learning rate,
/// Adam's step count) read once, so that a step is the arithmetic alone. Compiled training
/// binds one for each block of epochs it runs inside its plan (callbacks, which may change the
/// learning rate, run between blocks); a tiny network's step is otherwise dominated by the
/// per-parameter lookups, reference counting and exclusivity checks of `update(_:value:...)`.
///
/// Each rule's arithmetic stays in one place: the bound step and the rule's
/// `update(_:value:gradient:count:)` call the same static function of the rule.
protocol BoundStep: AnyObject {
    /// Called once per step, before its `update`s (`Optimizer.beginStep`).
    func beginStep()
    /// The rule on the parameter bound at `index`: its `count` values at `value` (updated in
    /// place) and its gradient at `gradient`.
    func update(_ index: Int, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int)
    /// Hands what the steps advanced back to the optimizer (Adam's step count), so that its
    /// state reads as if it had taken them one by one; called once, after the last step.
    func finish()
}

/// A rule that can bind itself (`BoundStep`): the built-in ones.
protocol BindsSteps: Optimizer {
    /// The rule bound to `parameters`, each with its count of values, in the order
    /// `BoundStep.update` indexes them; state buffers are made for those that have none yet.
    func bindSteps(to parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep
}

extension Optimizer {
    /// This rule bound to `parameters` (see `BoundStep`), or nil for a rule that cannot bind
    /// itself (a custom one), which then takes its steps through `update(_:value:gradient:count:)`.
    func boundStep(for parameters: [(parameter: Parameter, count: Int)]) -> (any BoundStep)? {
        (self as? any BindsSteps)?.bindSteps(to: parameters)
    }
}

/// The state buffers of bound parameters: `pointer(slot, index)` is slot `slot` of the
/// parameter bound at `index`. A class holding its pointers in memory of its own: reading them
/// costs no reference counting. Holds the buffers too, so that they outlive the binding.
final class BoundBuffers {
    private let buffers: [[StateBuffer]]
    private let pointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    private let count: Int

    /// The buffers of `parameters` in `state`, made where missing.
    init(_ parameters: [(parameter: Parameter, count: Int)], in state: inout ParameterState) {
        buffers = parameters.map { state.buffers(for: $0.parameter, count: $0.count) }
        count = parameters.count
        pointers = .allocate(capacity: max(1, state.slotCount * count))
        for (index, slots) in buffers.enumerated() {
            for (slot, buffer) in slots.enumerated() { (pointers + slot * count + index).initialize(to: buffer.pointer) }
        }
    }

    deinit { pointers.deallocate() }

    /// Slot `slot` of the parameter bound at `index`.
    @inline(__always)
    func pointer(_ slot: Int, _ index: Int) -> UnsafeMutablePointer<Float> { pointers[slot * count + index] }
}
