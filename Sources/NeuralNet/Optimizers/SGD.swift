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

    public func update(_ parameter: Parameter, gradient: Tensor) {
        let rate = learningRate
        guard momentum > 0 else {
            parameter.value.scalars.withUnsafeMutableBufferPointer { w in
                gradient.scalars.withUnsafeBufferPointer { g in
                    guard let weights = w.baseAddress, let gradients = g.baseAddress else { return }
                    SGD.descend(weights, along: gradients, count: w.count, rate: rate)
                }
            }
            return
        }
        let (mu, nesterov) = (momentum, self.nesterov)
        let v = velocity.buffers(for: parameter)[0].pointer
        parameter.value.scalars.withUnsafeMutableBufferPointer { w in
            gradient.scalars.withUnsafeBufferPointer { g in
                for i in 0..<w.count {
                    v[i] = mu * v[i] + g[i]
                    let direction = nesterov ? g[i] + mu * v[i] : v[i]
                    w[i] -= rate * direction
                }
            }
        }
    }

    /// The plain rule `w ← w - η g` on `count` scalars; compiled steps call it on their buffers.
    static func descend(_ w: UnsafeMutablePointer<Float>, along g: UnsafePointer<Float>, count: Int, rate: Float) {
        for i in 0..<count { w[i] -= rate * g[i] }
    }

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
