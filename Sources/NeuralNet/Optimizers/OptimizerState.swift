/// An optimizer's state as data: the tensors it keeps per parameter (momentum, moments,
/// accumulators), named `"<parameter path>/<slot>"` (`"1.weight/firstMoment"`), and its
/// scalars (step counts), so that a checkpoint can save it and a new optimizer of the same
/// kind can continue exactly where the old one stopped.
public struct OptimizerState: Sendable, Equatable {
    /// Per-parameter tensors by `"<parameter path>/<slot>"`.
    public var tensors: [String: Tensor]
    /// Scalars by name (`"step"`), exact for whole numbers up to 2⁵³.
    public var scalars: [String: Double]

    /// A state of `tensors` and `scalars`.
    public init(tensors: [String: Tensor] = [:], scalars: [String: Double] = [:]) {
        self.tensors = tensors
        self.scalars = scalars
    }
}

/// What an optimizer implements to have its state saved; the defaults suit a rule without
/// state.
extension Optimizer {
    public var stateSlots: [String] { [] }
    public func stateTensors(for parameter: Parameter) -> [Tensor]? { nil }
    public func setStateTensors(_ tensors: [Tensor], for parameter: Parameter) {}
    public var stateScalars: [String: Double] {
        get { [:] }
        set {}
    }

    /// The state for `parameters` named by path: every slot of every parameter that has one
    /// (a parameter not yet updated has none), and the scalars.
    public func state(of parameters: [(name: String, parameter: Parameter)]) -> OptimizerState {
        var tensors: [String: Tensor] = [:]
        let slots = stateSlots
        for (name, parameter) in parameters {
            guard let values = stateTensors(for: parameter) else { continue }
            for (slot, value) in zip(slots, values) { tensors["\(name)/\(slot)"] = value }
        }
        return OptimizerState(tensors: tensors, scalars: stateScalars)
    }

    /// Puts back a state saved by `state(of:)` for the same parameters. A tensor of the wrong
    /// shape, a slot this optimizer does not keep, or a parameter the model does not have is an
    /// error naming it; a parameter without saved state starts afresh.
    public func restore(_ state: OptimizerState, of parameters: [(name: String, parameter: Parameter)]) throws {
        let slots = stateSlots
        var problems: [String] = []
        var used = Set<String>()
        var restored: [(Parameter, [Tensor])] = []
        for (name, parameter) in parameters {
            let keys = slots.map { "\(name)/\($0)" }
            let values = keys.compactMap { state.tensors[$0] }
            guard !values.isEmpty else { continue }
            used.formUnion(keys)
            guard values.count == slots.count else {
                problems.append("\(name): some of \(slots.joined(separator: ", ")) are missing")
                continue
            }
            if let bad = values.first(where: { $0.shape != parameter.shape }) {
                problems.append("\(name): the state has shape \(bad.shape), the parameter \(parameter.shape)")
                continue
            }
            restored.append((parameter, values))
        }
        problems += state.tensors.keys.filter { !used.contains($0) }.sorted().map { "unexpected optimizer state \($0)" }
        // Scalars are counts (Adam's step): whole, not negative, and small enough to count in.
        problems += state.scalars.filter { (try? storedCount($0.value, $0.key)) == nil }.keys.sorted().map {
            "\($0) is \(state.scalars[$0]!), not a count"
        }
        guard problems.isEmpty else {
            throw NeuralNetError.invalidArgument(
                "\(type(of: self)): the saved optimizer state does not fit the model: " + problems.joined(separator: "; "))
        }
        for (parameter, values) in restored { setStateTensors(values, for: parameter) }
        stateScalars = state.scalars
    }
}

/// Optimizer state for each parameter: `slotCount` zero-initialised buffers (velocity, first
/// moment, ...) the size of the parameter, created on first use. Looked up by the parameter's
/// identity during training (no string work per step); `state(of:)` names them by path.
struct ParameterState {
    private var slots: [ObjectIdentifier: [StateBuffer]] = [:]
    let slotCount: Int

    init(slots: Int) { slotCount = slots }

    /// The buffers of `parameter`, of `count` values, created (or re-created after a resize) as
    /// needed. The count is given, not read, because rules call this while `parameter.value`
    /// is open for writing.
    mutating func buffers(for parameter: Parameter, count: Int) -> [StateBuffer] {
        let key = ObjectIdentifier(parameter)
        if let existing = slots[key], existing.first?.count == count { return existing }
        let created = (0..<slotCount).map { _ in StateBuffer(count: count) }
        slots[key] = created
        return created
    }

    /// Copies of the buffers of `parameter`, shaped like it, if it has any.
    func tensors(for parameter: Parameter) -> [Tensor]? {
        guard let buffers = slots[ObjectIdentifier(parameter)], buffers.first?.count == parameter.count else { return nil }
        return buffers.map { Tensor(shape: parameter.shape, scalars: Array(UnsafeBufferPointer(start: $0.pointer, count: $0.count))) }
    }

    /// Replaces the buffers of `parameter` with `tensors` (one per slot, each its size).
    mutating func set(_ tensors: [Tensor], for parameter: Parameter) {
        guard parameter.count > 0 else { return }
        let buffers = buffers(for: parameter, count: parameter.count)
        for (buffer, tensor) in zip(buffers, tensors) {
            tensor.scalars.withUnsafeBufferPointer { buffer.pointer.update(from: $0.baseAddress!, count: buffer.count) }
        }
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
