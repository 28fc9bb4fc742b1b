import Foundation

/// Activation functions as differentiable operations. Each derivative is written beside its
/// function; those that are cheaper from the output (`tanh`, `sigmoid`) capture the output
/// tensor, never the output node.
extension Variable {
    /// `max(x, 0)`; `∂/∂x = 1 if x > 0 else 0`.
    public func relu() -> Variable {
        let x = value
        return unary(x.map { Swift.max($0, 0) }) { upstream in
            upstream.zip(x) { g, x in x > 0 ? g : 0 }
        }
    }

    /// `x if x > 0 else slope · x`.
    public func leakyRelu(slope: Float = 0.01) -> Variable {
        let x = value
        return unary(x.map { $0 > 0 ? $0 : slope * $0 }) { upstream in
            upstream.zip(x) { g, x in x > 0 ? g : slope * g }
        }
    }

    /// `x if x > 0 else α(eˣ - 1)`; `∂/∂x = 1 if x > 0 else αeˣ`.
    public func elu(alpha: Float = 1) -> Variable {
        let x = value
        return unary(x.map { $0 > 0 ? $0 : alpha * Foundation.expm1($0) }) { upstream in
            upstream.zip(x) { g, x in x > 0 ? g : g * alpha * Foundation.exp(x) }
        }
    }

    /// Scaled ELU with the self-normalising constants of Klambauer et al. (2017).
    public func selu() -> Variable {
        let alpha: Float = 1.673_263_2, scale: Float = 1.050_701
        return elu(alpha: alpha) * scale
    }

    /// The exact GELU, `x · Φ(x)` with `Φ` the standard normal CDF;
    /// `∂/∂x = Φ(x) + x · φ(x)`.
    public func gelu() -> Variable {
        let x = value
        return unary(x.map { $0 * normalCDF($0) }) { upstream in
            upstream.zip(x) { (g: Float, x: Float) -> Float in
                let density: Float = Foundation.exp(-0.5 * x * x) * 0.398_942_3
                let cumulative: Float = normalCDF(x)
                return g * (cumulative + x * density)
            }
        }
    }

    /// `1 / (1 + e⁻ˣ)`; `∂/∂x = y(1 - y)`.
    public func sigmoid() -> Variable {
        let y = value.map(logistic)
        return unary(y) { upstream in upstream.zip(y) { g, y in g * y * (1 - y) } }
    }

    /// `tanh x`; `∂/∂x = 1 - y²`.
    public func tanh() -> Variable {
        let y = value.map { Foundation.tanh($0) }
        return unary(y) { upstream in upstream.zip(y) { g, y in g * (1 - y * y) } }
    }

    /// `ln(1 + eˣ)`, computed without overflow; `∂/∂x = sigmoid(x)`.
    public func softplus() -> Variable {
        let x = value
        let y = x.map { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }
        return unary(y) { upstream in upstream.zip(x) { g, x in g * logistic(x) } }
    }

    /// `x / (1 + |x|)`; `∂/∂x = 1 / (1 + |x|)²`.
    public func softsign() -> Variable {
        let x = value
        return unary(x.map { $0 / (1 + Swift.abs($0)) }) { upstream in
            upstream.zip(x) { g, x in
                let d = 1 + Swift.abs(x)
                return g / (d * d)
            }
        }
    }

    /// Swish (SiLU), `x · sigmoid(x)`; `∂/∂x = s + x · s(1 - s)`.
    public func swish() -> Variable {
        let x = value
        return unary(x.map { $0 * logistic($0) }) { upstream in
            upstream.zip(x) { g, x in
                let s = logistic(x)
                return g * (s + x * s * (1 - s))
            }
        }
    }

    /// Softmax over the last axis: `yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`;
    /// `∂/∂x = y ⊙ (g - Σ g ⊙ y)`.
    public func softmax() -> Variable {
        let y = value.softmax()
        return unary(y) { upstream in
            let dot = (upstream * y).sum(alongAxis: -1, keepingDimension: true)
            return y * (upstream - dot)
        }
    }

    /// Log-softmax over the last axis: `x - log Σ eˣ`; `∂/∂x = g - softmax(x) · Σ g`.
    public func logSoftmax() -> Variable {
        let y = value.logSoftmax()
        return unary(y) { upstream in
            let total = upstream.sum(alongAxis: -1, keepingDimension: true)
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
    public func softmax() -> Tensor { normalizedRows(logarithm: false) }

    /// Log-softmax over the last axis: `(x - max) - log Σ e^{x - max}` for each row.
    public func logSoftmax() -> Tensor { normalizedRows(logarithm: true) }

    private func normalizedRows(logarithm: Bool) -> Tensor {
        precondition(rank >= 1, "softmax needs at least one axis, got a scalar")
        let width = shape[rank - 1]
        var result = self
        guard width > 0 else { return result }
        result.scalars.withUnsafeMutableBufferPointer { y in
            for row in 0..<(count / width) {
                let base = row * width
                var largest = -Float.infinity
                for j in 0..<width { largest = Swift.max(largest, y[base + j]) }
                // Subtracting the maximum first keeps the precision of small differences.
                var total: Float = 0
                for j in 0..<width {
                    y[base + j] -= largest
                    total += exp(y[base + j])
                }
                if logarithm {
                    let logTotal = log(total)
                    for j in 0..<width { y[base + j] -= logTotal }
                } else {
                    let scale = 1 / total
                    for j in 0..<width { y[base + j] = exp(y[base + j]) * scale }
                }
            }
        }
        return result
    }
}
