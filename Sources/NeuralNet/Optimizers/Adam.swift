import Foundation
import NeuralNetKernels

/// Adam (Kingma & Ba, 2015): `m ← β₁m + (1-β₁)g`, `v ← β₂v + (1-β₂)g²`,
/// `w ← w - η · m̂ / (√v̂ + ε)` with the bias corrections `m̂ = m/(1-β₁ᵗ)`, `v̂ = v/(1-β₂ᵗ)`.
public final class Adam: Optimizer {
    public var learningRate: Float
    /// Decay of the first moment.
    public let beta1: Float
    /// Decay of the second moment.
    public let beta2: Float
    /// Added to `√v̂` to avoid division by zero.
    public let epsilon: Float
    public let weightDecay: Float
    public let clipNorm: Float?
    fileprivate var moments = AdamMoments()

    /// The defaults are the paper's. `weightDecay` is classic L2 (added to the gradient); for
    /// decoupled decay use `AdamW`.
    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
        weightDecay: Float = 0, clipNorm: Float? = nil
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }

    public func beginStep() { moments.stepCount += 1 }

    /// The first and second moments.
    public var stateSlots: [String] { AdamMoments.slots }
    public func stateTensors(for parameter: Parameter) -> [Tensor]? { moments.tensors(for: parameter) }
    public func setStateTensors(_ tensors: [Tensor], for parameter: Parameter) { moments.set(tensors, for: parameter) }
    /// `"step"`: the number of steps taken, which the bias corrections read.
    public var stateScalars: [String: Double] {
        get { moments.scalars }
        set { moments.scalars = newValue }
    }

    public func update(_ parameter: Parameter, gradient: Tensor) { updateThroughBuffers(parameter, gradient: gradient) }

    public var updatesBuffers: Bool { true }

    public func update(_ parameter: Parameter, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int) {
        moments.update(parameter, value: value, gradient: gradient, count: count, learningRate: learningRate,
                       beta1: beta1, beta2: beta2, epsilon: epsilon)
    }
}

/// AdamW (Loshchilov & Hutter, 2019): Adam with weight decay decoupled from the gradient,
/// `w ← w - η λ w` before each Adam update, so that decay does not pass through the moments.
/// It is an `Adam` (which keeps the moments) plus that decay.
public final class AdamW: Optimizer {
    private let adam: Adam
    /// The decoupled decay λ.
    public let decoupledWeightDecay: Float

    /// The defaults are PyTorch's (λ = 0.01).
    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
        weightDecay: Float = 0.01, clipNorm: Float? = nil
    ) {
        adam = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, clipNorm: clipNorm)
        decoupledWeightDecay = weightDecay
    }

    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }
    /// Decay of the first moment.
    public var beta1: Float { adam.beta1 }
    /// Decay of the second moment.
    public var beta2: Float { adam.beta2 }
    /// Added to `√v̂` to avoid division by zero.
    public var epsilon: Float { adam.epsilon }
    public var clipNorm: Float? { adam.clipNorm }

    public func beginStep() { adam.beginStep() }

    public func update(_ parameter: Parameter, gradient: Tensor) { updateThroughBuffers(parameter, gradient: gradient) }

    public var updatesBuffers: Bool { true }

    public func update(_ parameter: Parameter, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int) {
        AdamW.decay(value, count: count, keeping: 1 - learningRate * decoupledWeightDecay)
        adam.update(parameter, value: value, gradient: gradient, count: count)
    }

    /// The decoupled decay on `count` weights: `w ← kept · w`, `kept = 1 - η λ`.
    @inline(__always)
    static func decay(_ value: UnsafeMutablePointer<Float>, count: Int, keeping kept: Float) {
        for i in 0..<count { value[i] *= kept }
    }

    /// Adam's moments and step count.
    public var stateSlots: [String] { adam.stateSlots }
    public func stateTensors(for parameter: Parameter) -> [Tensor]? { adam.stateTensors(for: parameter) }
    public func setStateTensors(_ tensors: [Tensor], for parameter: Parameter) { adam.setStateTensors(tensors, for: parameter) }
    public var stateScalars: [String: Double] {
        get { adam.stateScalars }
        set { adam.stateScalars = newValue }
    }
}

/// The moments and step count that Adam and AdamW keep, and the update they share.
struct AdamMoments {
    private var state = ParameterState(slots: 2)
    var stepCount = 0
    /// `1 - β₁ᵗ` and `1 - β₂ᵗ` for step `step` (the betas are the owning optimizer's constants).
    private var corrections: (step: Int, first: Float, second: Float) = (-1, 0, 0)

    static let slots = ["firstMoment", "secondMoment"]
    func tensors(for parameter: Parameter) -> [Tensor]? { state.tensors(for: parameter) }
    mutating func set(_ tensors: [Tensor], for parameter: Parameter) { state.set(tensors, for: parameter) }
    var scalars: [String: Double] {
        get { ["step": Double(stepCount)] }
        set { stepCount = Int(newValue["step"] ?? 0) }
    }

    mutating func update(
        _ parameter: Parameter, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        learningRate: Float, beta1 b1: Float, beta2 b2: Float, epsilon eps: Float
    ) {
        // The bias corrections change once per step, not per parameter: computed for the
        // first parameter of each step (the two `pow` calls cost more than a tiny layer's update).
        if corrections.step != stepCount {
            let (first, second) = Self.corrections(step: stepCount, beta1: b1, beta2: b2)
            corrections = (stepCount, first, second)
        }
        let (stepSize, scaledEpsilon) = Self.scaled(
            learningRate: learningRate, epsilon: eps, corrections: (corrections.first, corrections.second))
        let buffers = state.buffers(for: parameter, count: count)
        Self.apply(value, gradient, buffers[0].pointer, buffers[1].pointer, count: count, beta1: b1, beta2: b2, stepSize: stepSize,
                   epsilon: scaledEpsilon)
    }

    /// `1 - β₁ᵗ` and `1 - β₂ᵗ` for step `t`.
    static func corrections(step: Int, beta1: Float, beta2: Float) -> (first: Float, second: Float) {
        let t = Float(step)
        return (1 - pow(beta1, t), 1 - pow(beta2, t))
    }

    /// The step size `η √(1-β₂ᵗ) / (1-β₁ᵗ)` and `ε √(1-β₂ᵗ)`: folding both corrections into
    /// these saves two divisions per element.
    @inline(__always)
    static func scaled(learningRate: Float, epsilon: Float, corrections: (first: Float, second: Float)) -> (Float, Float) {
        (learningRate * corrections.second.squareRoot() / corrections.first, epsilon * corrections.second.squareRoot())
    }

    /// The update on `count` weights `w` with gradients `g` and moments `m`, `v`.
    @inline(__always)
    static func apply(
        _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        count: Int, beta1: Float, beta2: Float, stepSize: Float, epsilon: Float
    ) {
        Elementwise.adamUpdate(weights: w, gradients: g, firstMoments: m, secondMoments: v, count: count, beta1: beta1, beta2: beta2,
                               step: stepSize, epsilon: epsilon)
    }

    /// The moments of `parameters`, bound (made where missing).
    mutating func bind(_ parameters: [(parameter: Parameter, count: Int)]) -> BoundBuffers { BoundBuffers(parameters, in: &state) }
}

extension Adam: BindsSteps {
    func bindSteps(to parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep {
        AdamSteps(self, moments: moments.bind(parameters), decay: 0)
    }
}

extension AdamW: BindsSteps {
    func bindSteps(to parameters: [(parameter: Parameter, count: Int)]) -> any BoundStep {
        AdamSteps(adam, moments: adam.moments.bind(parameters), decay: decoupledWeightDecay)
    }
}

/// Adam and AdamW bound to their parameters (see `BoundStep`): the step count is counted here
/// and handed back by `finish`.
private final class AdamSteps: BoundStep {
    private unowned let adam: Adam
    private let moments: BoundBuffers
    private let learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
    /// `1 - η λ` for AdamW's decoupled decay; nil for Adam.
    private let kept: Float?
    /// Steps taken, as `AdamMoments.stepCount` counts them.
    private var steps: Int

    init(_ adam: Adam, moments: BoundBuffers, decay: Float) {
        self.adam = adam
        self.moments = moments
        (learningRate, beta1, beta2, epsilon) = (adam.learningRate, adam.beta1, adam.beta2, adam.epsilon)
        kept = decay == 0 ? nil : 1 - adam.learningRate * decay
        steps = adam.moments.stepCount
    }

    func step(values: UnsafePointer<UnsafeMutablePointer<Float>?>, gradients: UnsafePointer<UnsafePointer<Float>?>) {
        steps += 1
        let (stepSize, scaledEpsilon) = AdamMoments.scaled(
            learningRate: learningRate, epsilon: epsilon, corrections: AdamMoments.corrections(step: steps, beta1: beta1, beta2: beta2))
        if let kept {
            for index in 0..<moments.count { AdamW.decay(values[index]!, count: moments.counts[index], keeping: kept) }
        }
        // All parameters in one call: the loop of `nn_adam_update` (the eager rule) on each.
        Elementwise.adamUpdate(
            each: moments.count, weights: values, gradients: gradients, firstMoments: moments.slot(0), secondMoments: moments.slot(1),
            counts: moments.counts, beta1: beta1, beta2: beta2, step: stepSize, epsilon: scaledEpsilon)
    }

    func finish() { adam.moments.stepCount = steps }
}

extension Adam {
    public var argumentProblem: String? {
        if let problem = sharedArgumentProblem { return problem }
        guard (0..<1).contains(beta1) && (0..<1).contains(beta2) else {
            return "betas must be in [0, 1), got \(beta1) and \(beta2); the usual are 0.9 and 0.999"
        }
        guard epsilon >= 0 && epsilon.isFinite else { return "epsilon must be 0 or more, got \(epsilon)" }
        return nil
    }
}

extension AdamW {
    public var argumentProblem: String? {
        if let problem = adam.argumentProblem { return problem }
        guard decoupledWeightDecay >= 0 && decoupledWeightDecay.isFinite else {
            return "weightDecay must be 0 or more, got \(decoupledWeightDecay)"
        }
        return nil
    }
}
