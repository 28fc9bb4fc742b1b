/// A node of the gradient tape: a tensor value, the inputs it was computed from, and the
/// pullback that turns the gradient of the output into gradients of the inputs.
///
/// Every differentiable operation returns a new `Variable` whose pullback sits next to its
/// forward code (see the `Variable+...` files). `backward()` walks the graph from a scalar loss in
/// reverse topological order, applying the chain rule:
/// `∂loss/∂input = pullback(∂loss/∂output)`.
///
/// A pullback captures the tensors it needs, never the node it belongs to, so the graph has no
/// reference cycles; `backward()` also drops every pullback it has run, so the graph is freed
/// as soon as the step is over even if the caller keeps the loss.
public class Variable {
    /// The value computed by the forward pass; for a parameter's leaf, the parameter's
    /// current value.
    public var value: Tensor {
        if let parameter { return parameter.value }
        return storedValue
    }
    // A parameter's leaf keeps no copy of the value: a copy would make the optimizer's
    // in-place update copy the whole tensor while a layer keeps the leaf between steps.
    let storedValue: Tensor
    // Written only by the tape (`receive`, `backward`), whose one access that spans a call
    // (`+=` on two tensors) runs no code that could reach this property: checks skipped.
    /// `∂loss/∂value` after `backward()`, for leaves that require a gradient.
    @exclusivity(unchecked) public internal(set) var gradient: Tensor?
    /// Whether gradients flow to this node: true for parameters, for leaves created with
    /// `requiresGradient: true`, and for anything computed from them.
    public let requiresGradient: Bool
    /// The parameter this leaf reads, which receives the gradient after `backward()`.
    let parameter: Parameter?
    // The tape's own bookkeeping: written only by `backward()` between calls into the nodes,
    // never while another access is open, so run-time exclusivity checks are skipped here
    // and for `inputs`, `pullback` and `visited`.
    /// Whether the node still has a pullback to run: false for leaves, constants and nodes
    /// whose pullback `backward()` has already run.
    @exclusivity(unchecked) private(set) var isInterior: Bool
    /// 0 for leaves and constants; for a recorded node, one more than its deepest input.
    let depth: Int
    @exclusivity(unchecked) private var inputs: [Variable]
    @exclusivity(unchecked) private var pullback: ((Tensor) -> [Tensor?])?
    @exclusivity(unchecked) private var visited = false

    /// A leaf of the graph. Gradients are kept for it only if `requiresGradient` is true.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.storedValue = value
        self.requiresGradient = requiresGradient
        self.parameter = nil
        self.isInterior = false
        self.depth = 0
        self.inputs = []
        self.pullback = nil
    }

    /// A leaf that reads `parameter`: its value is the parameter's current value, and
    /// `backward()` adds its gradient to `parameter.gradient`. Inside
    /// `Variable.withoutRecording` it is a constant.
    public init(_ parameter: Parameter) {
        self.storedValue = Tensor.empty
        self.requiresGradient = parameter.isTrainable && Variable.isRecording
        self.parameter = parameter
        self.isInterior = false
        self.depth = 0
        self.inputs = []
        self.pullback = nil
    }

    /// The result of a differentiable operation on `inputs`.
    ///
    /// `pullback` maps `∂loss/∂value` to one gradient per input, in order; it may return `nil`
    /// for inputs that do not require a gradient. When no input requires a gradient the node
    /// is a constant and the pullback is not kept.
    public init(_ value: Tensor, inputs: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.storedValue = value
        self.parameter = nil
        self.requiresGradient = inputs.contains { $0.requiresGradient }
        self.isInterior = requiresGradient
        self.depth = requiresGradient ? 1 + inputs.reduce(0) { Swift.max($0, $1.depth) } : 0
        self.inputs = requiresGradient ? inputs : []
        self.pullback = requiresGradient ? pullback : nil
    }

    /// The designated initialiser of the fused nodes (`AffineNode`, `UnaryNode`), which keep
    /// their inputs in stored properties and override `runPullback`: no inputs array, no
    /// closure and no array of gradients per step.
    init(value: Tensor, inputs first: Variable, _ second: Variable? = nil, _ third: Variable? = nil) {
        let interior = first.requiresGradient || (second?.requiresGradient ?? false) || (third?.requiresGradient ?? false)
        self.storedValue = value
        self.parameter = nil
        self.requiresGradient = interior
        self.isInterior = interior
        self.depth = interior ? 1 + Swift.max(first.depth, second?.depth ?? 0, third?.depth ?? 0) : 0
        self.inputs = []
        self.pullback = nil
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// The dimensions of the value, read without copying it.
    var dimensions: Dimensions { parameter?.value.dimensions ?? storedValue.dimensions }

    /// Runs the pullback once: turns `upstream = ∂loss/∂self` (nil if no gradient reached
    /// this node) into gradients of the inputs, hands each to `receive(_:)`, then lets go of
    /// the pullback and the inputs, passing those with a pullback still to run to `frontier`
    /// (see `enqueue`).
    func runPullback(_ upstream: consuming Tensor?, into frontier: inout Frontier) {
        if let pullback = pullback.take(), let upstream {
            for (input, gradient) in zip(inputs, pullback(upstream)) {
                if let gradient { input.receive(gradient) }
            }
        }
        for input in inputs { Variable.enqueue(input, into: &frontier) }
        inputs = []
    }

    /// Puts `input` in `frontier` if it has a pullback to run and is not there yet; a node
    /// passes its inputs here as it lets go of them, so their references move, uncounted.
    static func enqueue(_ input: consuming Variable?, into frontier: inout Frontier) {
        guard let input, input.isInterior, !input.visited else { return }
        input.visited = true
        frontier.insert(input)
    }

    /// Adds `incoming` to this node's gradient, or for a parameter's leaf to the parameter's.
    final func receive(_ incoming: consuming Tensor) {
        guard requiresGradient else { return }
        if let parameter { return parameter.accumulate(incoming) }
        check(
            incoming.dimensions == storedValue.dimensions,
            "a pullback returned a gradient of shape \(incoming.shape) for an input of shape \(storedValue.shape)")
        if gradient == nil { gradient = incoming } else { gradient! += incoming }
    }

    /// Receives `dz · wᵀ`, the gradient an affine op `self · w` hands its input. A node that
    /// can use the two factors without the product (the patches of a convolution) overrides it.
    func receiveProduct(_ dz: Tensor, timesTransposeOf w: Tensor) {
        receive(dz.matmul(w, transposeSelf: false, transposeOther: true, reusing: nil))
    }

    /// Storage to compute this node's next gradient into: for a parameter's leaf, the storage
    /// of the gradient the optimizer used last step (see `Parameter.takeGradientStorage`).
    final func gradientStorage() -> Tensor? {
        parameter?.takeGradientStorage()
    }

    /// Computes `∂self/∂x` for every leaf `x` that requires a gradient, starting from
    /// `∂self/∂self = 1`. Parameter gradients are added to `Parameter.gradient`; the
    /// optimizer's `step` clears them (or set `gradient = nil` by hand).
    ///
    /// - Precondition: `self` holds a single element (a scalar loss).
    public func backward() {
        check(value.count == 1, "backward() needs a scalar loss, got shape \(shape); reduce it with sum() or mean()")
        backward(seed: value.rank == 0 ? Tensor.one : Tensor(repeating: 1, dimensions: value.dimensions))
    }

    /// Back-propagates `seed` as `∂loss/∂self` (for non-scalar outputs).
    public func backward(seed: Tensor) {
        check(seed.dimensions == value.dimensions, "backward(seed:) needs a seed of shape \(shape), got \(seed.shape)")
        guard requiresGradient else { return }
        guard isInterior else {
            if let parameter { parameter.accumulate(seed) } else { gradient = seed }
            return
        }
        gradient = seed
        // Nodes run in decreasing depth: every consumer of a node is deeper than the node, so
        // all of them have added their gradients by the time it runs. The frontier of found
        // but unprocessed nodes is tiny; for a chain it never needs an array.
        var frontier = Frontier()
        var next: Variable? = self
        visited = true
        while let node = next {
            node.isInterior = false
            node.runPullback(node.gradient.take(), into: &frontier)
            next = frontier.popDeepest()
        }
    }
}

/// The interior nodes `backward()` has found but not yet run. Holds one node inline and
/// spills to an array only when the graph branches.
struct Frontier {
    private var single: Variable?
    private var others: [Variable] = []

    mutating func insert(_ node: consuming Variable) {
        if single == nil { single = node } else { others.append(node) }
    }

    /// Removes and returns the deepest node, or nil when none is left.
    mutating func popDeepest() -> Variable? {
        guard let first = single else { return nil }
        guard let deepest = others.indices.max(by: { others[$0].depth < others[$1].depth }),
              others[deepest].depth > first.depth else {
            single = others.popLast()
            return first
        }
        return others.swapRemoveAt(deepest)
    }
}

private extension Array {
    /// Removes the element at `index` in O(1) by moving the last element into its place.
    mutating func swapRemoveAt(_ index: Int) -> Element {
        swapAt(index, count - 1)
        return removeLast()
    }
}

extension Variable {
    /// Whether parameters take part in gradients; false inside `withoutRecording`.
    @TaskLocal static var isRecording = true

    /// Runs `body` with parameters read as constants, so that no graph is recorded: for
    /// inference, where no gradient will be asked for (`predict` and `evaluate` use it).
    /// Leaves created with `requiresGradient: true` still record.
    public static func withoutRecording<Result>(_ body: () throws -> Result) rethrows -> Result {
        try $isRecording.withValue(false, operation: body)
    }
}

extension Variable: CustomStringConvertible {
    public var description: String { "Variable(shape: \(shape))\n\(value)" }
}
