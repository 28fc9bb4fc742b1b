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
public final class Variable {
    /// The value computed by the forward pass.
    public let value: Tensor
    /// `∂loss/∂value` after `backward()`, for leaves that require a gradient.
    public internal(set) var gradient: Tensor?
    /// Whether gradients flow to this node: true for parameters, for leaves created with
    /// `requiresGradient: true`, and for anything computed from them.
    public let requiresGradient: Bool
    /// The parameter this leaf reads, which receives the gradient after `backward()`.
    let parameter: Parameter?
    private(set) var inputs: [Variable]
    private var pullback: ((Tensor) -> [Tensor?])?
    private var visited = false

    /// A leaf of the graph. Gradients are kept for it only if `requiresGradient` is true.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.parameter = nil
        self.inputs = []
        self.pullback = nil
    }

    /// A leaf that reads `parameter`: `backward()` adds its gradient to `parameter.gradient`.
    /// Inside `Variable.withoutRecording` it is a constant.
    public init(_ parameter: Parameter) {
        self.value = parameter.value
        self.requiresGradient = parameter.isTrainable && Variable.isRecording
        self.parameter = parameter
        self.inputs = []
        self.pullback = nil
    }

    /// The result of a differentiable operation on `inputs`.
    ///
    /// `pullback` maps `∂loss/∂value` to one gradient per input, in order; it may return `nil`
    /// for inputs that do not require a gradient. When no input requires a gradient the node
    /// is a constant and the pullback is not kept.
    public init(_ value: Tensor, inputs: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        self.parameter = nil
        self.requiresGradient = inputs.contains { $0.requiresGradient }
        self.inputs = requiresGradient ? inputs : []
        self.pullback = requiresGradient ? pullback : nil
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// Computes `∂self/∂x` for every leaf `x` that requires a gradient, starting from
    /// `∂self/∂self = 1`. Parameter gradients are added to `Parameter.gradient`; the
    /// optimizer's `step` clears them (or set `gradient = nil` by hand).
    ///
    /// - Precondition: `self` holds a single element (a scalar loss).
    public func backward() {
        precondition(value.count == 1, "backward() needs a scalar loss, got shape \(shape); reduce it with sum() or mean()")
        backward(seed: Tensor(repeating: 1, shape: shape))
    }

    /// Back-propagates `seed` as `∂loss/∂self` (for non-scalar outputs).
    public func backward(seed: Tensor) {
        precondition(seed.shape == shape, "backward(seed:) needs a seed of shape \(shape), got \(seed.shape)")
        guard requiresGradient else { return }
        gradient = seed
        for node in interiorNodesInTopologicalOrder().reversed() {
            guard let upstream = node.gradient, let pullback = node.pullback else { continue }
            let gradients = pullback(upstream)
            for (input, gradient) in zip(node.inputs, gradients) {
                guard let gradient, input.requiresGradient else { continue }
                precondition(
                    gradient.shape == input.shape,
                    "a pullback returned a gradient of shape \(gradient.shape) for an input of shape \(input.shape)")
                // A parameter's leaf hands its gradient straight to the parameter.
                if let parameter = input.parameter { parameter.accumulate(gradient) } else { input.accumulate(gradient) }
            }
            // An interior node is done: free its gradient, its pullback and its edges.
            node.gradient = nil
            node.pullback = nil
            node.inputs = []
        }
        if let parameter, let gradient {
            parameter.accumulate(gradient)
            self.gradient = nil
        }
    }

    private func accumulate(_ incoming: Tensor) {
        if gradient == nil { gradient = incoming } else { gradient! += incoming }
    }

    /// The nodes with pullbacks, each after all of its inputs. Leaves need no place in it,
    /// since they only receive gradients. Marking visited nodes in place is safe because
    /// `backward()` consumes the nodes it visits.
    private func interiorNodesInTopologicalOrder() -> [Variable] {
        var order: [Variable] = []
        order.reserveCapacity(16)
        // An explicit stack instead of recursion: deep graphs must not overflow the call stack.
        var stack: [(node: Variable, expanded: Bool)] = [(self, false)]
        stack.reserveCapacity(16)
        while let entry = stack.popLast() {
            let node = entry.node
            if entry.expanded { order.append(node); continue }
            guard node.pullback != nil, !node.visited else { continue }
            node.visited = true
            stack.append((node, true))
            for input in node.inputs where input.requiresGradient && input.pullback != nil && !input.visited {
                stack.append((input, false))
            }
        }
        return order
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
