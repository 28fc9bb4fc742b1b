import Foundation
import NeuralNetKernels

/// Activation functions as differentiable operations, by name. The element-wise ones read the
/// table in `Activation+Table.swift`; softmax and log-softmax, which work on rows, are here.
extension Variable {
    /// `max(x, 0)`; `∂/∂x = 1 if x > 0 else 0`.
    public func relu() -> Variable { activated(by: .relu) }

    /// `x if x > 0 else slope · x`.
    public func leakyRelu(slope: Float = 0.01) -> Variable { activated(by: .leakyRelu(slope: slope)) }

    /// `x if x > 0 else α(eˣ - 1)`; `∂/∂x = 1 if x > 0 else αeˣ`.
    public func elu(alpha: Float = 1) -> Variable { activated(by: Activation(.elu, alpha: alpha)) }

    /// Scaled ELU with the self-normalising constants of Klambauer et al. (2017).
    public func selu() -> Variable { activated(by: .selu) }

    /// The exact GELU, `x · Φ(x)` with `Φ` the standard normal CDF;
    /// `∂/∂x = Φ(x) + x · φ(x)`.
    public func gelu() -> Variable { activated(by: .gelu) }

    /// `1 / (1 + e⁻ˣ)`; `∂/∂x = y(1 - y)`.
    public func sigmoid() -> Variable { activated(by: .sigmoid) }

    /// `tanh x`; `∂/∂x = 1 - y²`.
    public func tanh() -> Variable { activated(by: .tanh) }

    /// `ln(1 + eˣ)`, computed without overflow; `∂/∂x = sigmoid(x)`.
    public func softplus() -> Variable { activated(by: .softplus) }

    /// `x / (1 + |x|)`; `∂/∂x = 1 / (1 + |x|)²`.
    public func softsign() -> Variable { activated(by: .softsign) }

    /// Swish (SiLU), `x · sigmoid(x)`; `∂/∂x = s + x · s(1 - s)`.
    public func swish() -> Variable { activated(by: .swish) }

    /// Softmax over the last axis: `yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`;
    /// `∂/∂x = y ⊙ (g - Σ g ⊙ y)`.
    public func softmax() -> Variable { softmax(alongAxis: -1) }

    /// Softmax along `axis`; a slice that is entirely `-∞` (fully masked) gives zeros.
    public func softmax(alongAxis axis: Int) -> Variable {
        let axis = value.normalizedAxis(axis)
        let y = value.softmax(alongAxis: axis)
        return unary(y) { upstream in
            guard axis == y.rank - 1, let width = y.shape.last, width > 0 else {
                let dot = (upstream * y).sum(alongAxis: axis, keepingDimension: true)
                return y * (upstream - dot)
            }
            var gradient = upstream
            y.scalars.withUnsafeBufferPointer { p in
                gradient.scalars.withUnsafeMutableBufferPointer { g in
                    Elementwise.softmaxRowsBackward(p.baseAddress!, scaling: g.baseAddress!, rows: g.count / width, width: width)
                }
            }
            return gradient
        }
    }

    /// Log-softmax over the last axis: `x - log Σ eˣ`; `∂/∂x = g - softmax(x) · Σ g`.
    public func logSoftmax() -> Variable { logSoftmax(alongAxis: -1) }

    /// Log-softmax along `axis`.
    public func logSoftmax(alongAxis axis: Int) -> Variable {
        let axis = value.normalizedAxis(axis)
        let y = value.logSoftmax(alongAxis: axis)
        return unary(y) { upstream in
            let total = upstream.sum(alongAxis: axis, keepingDimension: true)
            return upstream - y.map { Foundation.exp($0) } * total
        }
    }
}

/// The logistic function, stable for large `|x|`.
@inline(__always)
func logistic(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}

/// The standard normal cumulative distribution function.
@inline(__always)
func normalCDF(_ x: Float) -> Float { 0.5 * (1 + erf(x * 0.707_106_77)) }

extension Tensor {
    /// Softmax over the last axis, shifted by each row's maximum so that `exp` cannot overflow.
    /// A row that is entirely `-∞` (fully masked) gives zeros.
    public func softmax() -> Tensor { normalizedRows(logarithm: false) }

    /// Log-softmax over the last axis: `(x - max) - log Σ e^{x - max}` for each row.
    public func logSoftmax() -> Tensor { normalizedRows(logarithm: true) }

    /// Softmax along `axis`.
    public func softmax(alongAxis axis: Int) -> Tensor { alongLastAxis(axis) { $0.normalizedRows(logarithm: false) } }

    /// Log-softmax along `axis`.
    public func logSoftmax(alongAxis axis: Int) -> Tensor { alongLastAxis(axis) { $0.normalizedRows(logarithm: true) } }

    /// `body` applied with `axis` moved to the end, and the axes put back.
    private func alongLastAxis(_ axis: Int, _ body: (Tensor) -> Tensor) -> Tensor {
        let axis = normalizedAxis(axis)
        if axis == rank - 1 { return body(self) }
        var order = Array(0..<rank)
        order.remove(at: axis)
        order.append(axis)
        var back = [Int](repeating: 0, count: rank)
        for (position, original) in order.enumerated() { back[original] = position }
        return body(permuted(order)).permuted(back)
    }

    private func normalizedRows(logarithm: Bool) -> Tensor {
        guard rank >= 1 else { fatalError("softmax needs at least one axis, got a scalar") }
        let width = shape[rank - 1]
        var result = self
        guard width > 0 else { return result }
        result.scalars.withUnsafeMutableBufferPointer { y in
            Elementwise.softmaxRows(y.baseAddress!, rows: y.count / width, width: width, logarithm: logarithm)
        }
        return result
    }
}
