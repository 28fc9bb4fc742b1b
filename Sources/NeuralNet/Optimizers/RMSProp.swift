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
        let v = meanSquares.buffers(for: parameter, count: count)[0].pointer
        RMSProp.apply(w, g, v, count: count, rate: learningRate, rho: rho, epsilon: epsilon)
    }

    /// The rule on `count` weights `w` with gradients `g` and mean squares `v`.
    @inline(__always)
    static func apply(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ v: UnsafeMutablePointer<Float>, count: Int, rate: Float,
        rho: Float, epsilon eps: Float
    ) {
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
        let sum = sums.buffers(for: parameter, count: count)[0].pointer
        Adagrad.apply(w, g, sum, count: count, rate: learningRate, epsilon: epsilon)
    }

    /// The rule on `count` weights `w` with gradients `g` and sums of squares `sum`.
    @inline(__always)
    static func apply(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ sum: UnsafeMutablePointer<Float>, count: Int, rate: Float,
        epsilon eps: Float
    ) {
        for i in 0..<count {
            sum[i] += g[i] * g[i]
            w[i] -= rate * g[i] / (sum[i].squareRoot() + eps)
        }
    }
}

extension RMSProp: BindsSteps {
    func bindSteps(to parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep {
        let (rate, rho, epsilon) = (learningRate, self.rho, self.epsilon)
        return BufferSteps(BoundBuffers(parameters, in: &meanSquares)) { w, g, v, count in
            RMSProp.apply(w, g, v, count: count, rate: rate, rho: rho, epsilon: epsilon)
        }
    }
}

extension Adagrad: BindsSteps {
    func bindSteps(to parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep {
        let (rate, epsilon) = (learningRate, self.epsilon)
        return BufferSteps(BoundBuffers(parameters, in: &sums)) { w, g, sum, count in
            Adagrad.apply(w, g, sum, count: count, rate: rate, epsilon: epsilon)
        }
    }
}

/// A rule with one state slot and no step count, bound (see `BoundStep`): RMSProp, Adagrad.
private final class BufferSteps: BoundStep {
    /// The rule on one parameter: its values, gradient, state slot and count.
    typealias Rule = (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    private let buffers: BoundBuffers
    private let rule: Rule

    init(_ buffers: BoundBuffers, rule: @escaping Rule) { (self.buffers, self.rule) = (buffers, rule) }

    func step(values: UnsafePointer<UnsafeMutablePointer<Float>?>, gradients: UnsafePointer<UnsafePointer<Float>?>) {
        for index in 0..<buffers.count { rule(values[index]!, gradients[index]!, buffers.slot(0)[index]!, buffers.counts[index]) }
    }

    func finish() {}
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
