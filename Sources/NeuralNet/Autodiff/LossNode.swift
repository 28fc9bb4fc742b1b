/// A scalar loss whose gradient with respect to its input is computed with the loss itself,
/// as the fused losses do anyway: the pullback only scales that gradient by the upstream
/// scalar (1 when the loss is what `backward()` starts from, so it hands the tensor on as it
/// is). No closure and no extra tensor per step.
final class LossNode: Variable {
    // Only `runPullback` touches these, once; see `AffineNode`.
    @exclusivity(unchecked) private var input: Variable?
    @exclusivity(unchecked) private var inputGradient: Tensor?

    init(_ loss: Float, input: Variable, gradient: Tensor) {
        super.init(value: Tensor(loss), inputs: input)
        if isInterior { (self.input, inputGradient) = (input, gradient) }
    }

    override func runPullback(_ upstream: consuming Tensor?, into frontier: inout Frontier) {
        guard let input = input.take(), var gradient = inputGradient.take() else { return }
        if let upstream {
            let scale = upstream.scalar
            if scale != 1 { gradient *= scale }
            input.receive(gradient)
        }
        Variable.enqueue(input, into: &frontier)
    }
}

extension Variable {
    /// The scalar `loss` of `self`, given `∂loss/∂self` (`gradient`, `self`'s shape), which is
    /// computed only when `self` requires a gradient.
    func loss(_ loss: Float, gradient: () -> Tensor) -> Variable {
        guard requiresGradient else { return Variable(Tensor(loss)) }
        let gradient = gradient()
        check(gradient.dimensions == dimensions, "loss: gradient \(gradient.shape) does not match \(shape)")
        return LossNode(loss, input: self, gradient: gradient)
    }
}
