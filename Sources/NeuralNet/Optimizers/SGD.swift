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
        let v = velocity.buffers(for: parameter, count: count)[0].pointer
        SGD.descend(w, along: g, velocity: v, count: count, rate: rate, momentum: momentum, nesterov: nesterov)
    }

    /// The rule with momentum on `count` scalars: `v ← μv + g`, `w ← w - η v` (or
    /// `w ← w - η(g + μv)` with Nesterov).
    @inline(__always)
    static func descend(
        _ w: UnsafeMutablePointer<Float>, along g: UnsafePointer<Float>, velocity v: UnsafeMutablePointer<Float>, count: Int,
        rate: Float, momentum mu: Float, nesterov: Bool
    ) {
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

    /// The learning rate when this is the plain rule (no momentum, clipping or L2 decay), which
    /// compiled training applies inside its kernel.
    var plainRate: Float? { momentum == 0 && clipNorm == nil && weightDecay == 0 ? learningRate : nil }

    /// `["velocity"]` with momentum, none without.
    public var stateSlots: [String] { momentum > 0 ? ["velocity"] : [] }

    public func stateTensors(for parameter: Parameter) -> [Tensor]? {
        momentum > 0 ? velocity.tensors(for: parameter) : nil
    }

    public func setStateTensors(_ tensors: [Tensor], for parameter: Parameter) { velocity.set(tensors, for: parameter) }
}

extension SGD: BindsSteps {
    func bindSteps(to parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep {
        var stateless = ParameterState(slots: 0)
        let buffers = momentum > 0 ? BoundBuffers(parameters, in: &velocity) : BoundBuffers(parameters, in: &stateless)
        return SGDSteps(rate: learningRate, momentum: momentum, nesterov: nesterov, buffers: buffers)
    }
}

/// SGD bound to its parameters (see `BoundStep`).
private final class SGDSteps: BoundStep {
    let rate: Float, momentum: Float, nesterov: Bool
    /// The counts, and with momentum the velocities.
    let buffers: BoundBuffers

    init(rate: Float, momentum: Float, nesterov: Bool, buffers: BoundBuffers) {
        (self.rate, self.momentum, self.nesterov, self.buffers) = (rate, momentum, nesterov, buffers)
    }

    func step(values: UnsafePointer<UnsafeMutablePointer<Float>?>, gradients: UnsafePointer<UnsafePointer<Float>?>) {
        for index in 0..<buffers.count {
            let (w, g, count) = (values[index]!, gradients[index]!, buffers.counts[index])
            if momentum > 0 {
                SGD.descend(w, along: g, velocity: buffers.slot(0)[index]!, count: count, rate: rate, momentum: momentum, nesterov: nesterov)
            } else {
                SGD.descend(w, along: g, count: count, rate: rate)
            }
        }
    }

    func finish() {}
}

extension SGD {
    public var argumentProblem: String? {
        if let problem = sharedArgumentProblem { return problem }
        guard momentum >= 0 && momentum < 1 else { return "momentum must be in [0, 1), got \(momentum); 0.9 is usual" }
        return nil
    }
}
