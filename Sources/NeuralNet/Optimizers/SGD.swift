/// Stochastic gradient descent with optional (Nesterov) momentum, as in PyTorch:
/// `v ← μv + g`, then `w ← w - η v` (or `w ← w - η(g + μv)` with Nesterov).
/// Without momentum this is the plain `w ← w - η g`.
public final class SGD: Optimizer {
    public var learningRate: Float
    /// The momentum coefficient μ (0 for none).
    public let momentum: Float
    /// Whether to use Nesterov's look-ahead form.
    public let nesterov: Bool
    public let weightDecay: Float
    public let clipNorm: Float?
    private var velocity = ParameterState(slots: 1)

    public init(
        learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
        clipNorm: Float? = nil
    ) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }

    public func update(_ parameter: Parameter, gradient: Tensor) { updateThroughBuffers(parameter, gradient: gradient) }

    public var updatesBuffers: Bool { true }

    public func update(_ parameter: Parameter, value w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, count: Int) {
        let rate = learningRate
        guard momentum > 0 else { return SGD.descend(w, along: g, count: count, rate: rate) }
        let (mu, nesterov) = (momentum, self.nesterov)
        let v = velocity.buffers(for: parameter, count: count)[0].pointer
        for i in 0..<count {
            v[i] = mu * v[i] + g[i]
            let direction = nesterov ? g[i] + mu * v[i] : v[i]
            w[i] -= rate * direction
        }
    }

    /// The plain rule `w ← w - η g` on `count` scalars (no momentum). Compiled training's
    /// kernel (`nn_dense_chain_step`) applies the same formula as it sums each gradient.
    static func descend(_ w: UnsafeMutablePointer<Float>, along g: UnsafePointer<Float>, count: Int, rate: Float) {
        for i in 0..<count { w[i] -= rate * g[i] }
    }

    /// The learning rate when this is the plain rule (no momentum), which compiled training
    /// applies inside its kernel.
    var plainRate: Float? { momentum == 0 ? learningRate : nil }

    /// `["velocity"]` with momentum, none without.
    public var stateSlots: [String] { momentum > 0 ? ["velocity"] : [] }

    public func stateTensors(for parameter: Parameter) -> [Tensor]? {
        momentum > 0 ? velocity.tensors(for: parameter) : nil
    }

    public func setStateTensors(_ tensors: [Tensor], for parameter: Parameter) { velocity.set(tensors, for: parameter) }
}

extension SGD {
    public var argumentProblem: String? {
        if let problem = sharedArgumentProblem { return problem }
        guard momentum >= 0 && momentum < 1 else { return "momentum must be in [0, 1), got \(momentum); 0.9 is usual" }
        return nil
    }
}
