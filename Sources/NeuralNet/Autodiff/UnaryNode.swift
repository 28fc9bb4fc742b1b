/// A node with one input whose pullback returns one gradient: the shape of most element-wise
/// operations and of the losses. Compared with `Variable(_:inputs:pullback:)` it keeps its
/// input in a stored property and returns its gradient directly, which saves two arrays per
/// operation and step.
final class UnaryNode: Variable {
    // Only this node's own methods touch these, and none calls out while writing one: see
    // `AffineNode`.
    @exclusivity(unchecked) private var input: Variable?
    @exclusivity(unchecked) private var pullback: ((Tensor) -> Tensor)?

    init(_ value: Tensor, input: Variable, pullback: @escaping (Tensor) -> Tensor) {
        super.init(value: value, inputs: input)
        if isInterior { (self.input, self.pullback) = (input, pullback) }
    }

    override func runPullback(_ upstream: consuming Tensor?, into frontier: inout Frontier) {
        guard let input = input.take(), let pullback = pullback.take() else { return }
        if let upstream { input.receive(pullback(upstream)) }
        Variable.enqueue(input, into: &frontier)
    }
}

extension Variable {
    /// The result of a differentiable operation on `self` alone: `pullback` maps `∂loss/∂value`
    /// to `∂loss/∂self`. A constant when `self` does not require a gradient.
    public func unary(_ value: Tensor, pullback: @escaping (Tensor) -> Tensor) -> Variable {
        UnaryNode(value, input: self, pullback: pullback)
    }
}
