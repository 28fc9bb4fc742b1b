import Foundation

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
    private var moments = ParameterState(slots: 2)
    private var stepCount = 0

    /// The defaults are the paper's.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        precondition(learningRate > 0, "Adam needs a positive learning rate, got \(learningRate)")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam betas must be in [0, 1), got \(beta1), \(beta2)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public func beginStep() { stepCount += 1 }

    public func update(_ parameter: Parameter, gradient: Tensor) {
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let t = Float(stepCount)
        let correction1 = 1 - pow(b1, t)
        let correction2 = 1 - pow(b2, t)
        // Folding both corrections into the step size saves two divisions per element.
        let stepSize = learningRate * correction2.squareRoot() / correction1
        let scaledEpsilon = eps * correction2.squareRoot()
        let buffers = moments.buffers(for: parameter)
        let (m, v) = (buffers[0].pointer, buffers[1].pointer)
        parameter.value.scalars.withUnsafeMutableBufferPointer { w in
            gradient.scalars.withUnsafeBufferPointer { g in
                for i in 0..<w.count {
                    let gi = g[i]
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    w[i] -= stepSize * m[i] / (v[i].squareRoot() + scaledEpsilon)
                }
            }
        }
    }
}
