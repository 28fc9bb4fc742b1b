/// RMSProp (Hinton, 2012): `v ← ρv + (1-ρ)g²`, `w ← w - η g / (√v + ε)`.
public final class RMSProp: Optimizer {
    public var learningRate: Float
    /// The decay ρ of the running mean of squared gradients.
    public let rho: Float
    /// Added to `√v` to avoid division by zero.
    public let epsilon: Float
    public let weightDecay: Float
    public let clipNorm: Float?
    private var meanSquares = ParameterState(slots: 1)

    /// The defaults are Keras's.
    public init(learningRate: Float = 1e-3, rho: Float = 0.9, epsilon: Float = 1e-7, weightDecay: Float = 0, clipNorm: Float? = nil) {
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }

    /// The running mean of squared gradients.
    public var stateSlots: [String] { ["meanSquare"] }
    public func stateTensors(for parameter: Parameter) -> [Tensor]? { meanSquares.tensors(for: parameter) }
    public func setStateTensors(_ tensors: [Tensor], for parameter: Parameter) { meanSquares.set(tensors, for: parameter) }

    public func update(_ parameter: Parameter, gradient: Tensor) { updateThroughBuffers(parameter, gradient: gradient) }

    public var updatesBuffers: Bool { true }

    public func update(_ parameter: Parameter, value w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, count: Int) {
        let (rate, rho, eps) = (learningRate, self.rho, epsilon)
        let v = meanSquares.buffers(for: parameter, count: count)[0].pointer
        for i in 0..<count {
            v[i] = rho * v[i] + (1 - rho) * g[i] * g[i]
            w[i] -= rate * g[i] / (v[i].squareRoot() + eps)
        }
    }
}

/// Adagrad (Duchi et al., 2011): `G ← G + g²`, `w ← w - η g / (√G + ε)`: each weight's step
/// shrinks with the gradients it has seen.
public final class Adagrad: Optimizer {
    public var learningRate: Float
    /// Added to `√G` to avoid division by zero.
    public let epsilon: Float
    public let weightDecay: Float
    public let clipNorm: Float?
    private var sums = ParameterState(slots: 1)

    /// The defaults are PyTorch's.
    public init(learningRate: Float = 1e-2, epsilon: Float = 1e-10, weightDecay: Float = 0, clipNorm: Float? = nil) {
        self.learningRate = learningRate
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }

    /// The sum of squared gradients.
    public var stateSlots: [String] { ["sumOfSquares"] }
    public func stateTensors(for parameter: Parameter) -> [Tensor]? { sums.tensors(for: parameter) }
    public func setStateTensors(_ tensors: [Tensor], for parameter: Parameter) { sums.set(tensors, for: parameter) }

    public func update(_ parameter: Parameter, gradient: Tensor) { updateThroughBuffers(parameter, gradient: gradient) }

    public var updatesBuffers: Bool { true }

    public func update(_ parameter: Parameter, value w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, count: Int) {
        let (rate, eps) = (learningRate, epsilon)
        let sum = sums.buffers(for: parameter, count: count)[0].pointer
        for i in 0..<count {
            sum[i] += g[i] * g[i]
            w[i] -= rate * g[i] / (sum[i].squareRoot() + eps)
        }
    }
}

extension RMSProp {
    public var argumentProblem: String? {
        if let problem = sharedArgumentProblem { return problem }
        guard rho >= 0 && rho < 1 else { return "rho must be in [0, 1), got \(rho); Keras's default is 0.9" }
        guard epsilon >= 0 && epsilon.isFinite else { return "epsilon must be 0 or more, got \(epsilon)" }
        return nil
    }
}

extension Adagrad {
    public var argumentProblem: String? {
        if let problem = sharedArgumentProblem { return problem }
        guard epsilon >= 0 && epsilon.isFinite else { return "epsilon must be 0 or more, got \(epsilon)" }
        return nil
    }
}
