import Foundation

/// Differentiable math, reductions and shape operations.
extension Variable {
    /// `eˣ`, element-wise; `∂/∂x = eˣ`.
    public func exp() -> Variable {
        let y = value.map { Foundation.exp($0) }
        return unary(y) { upstream in upstream * y }
    }

    /// `ln x`, element-wise; `∂/∂x = 1/x`.
    public func log() -> Variable {
        let x = value
        return unary(x.map { Foundation.log($0) }) { upstream in upstream / x }
    }

    /// `√x`, element-wise; `∂/∂x = 1/(2√x)`.
    public func squareRoot() -> Variable {
        let y = value.map { $0.squareRoot() }
        return unary(y) { upstream in upstream / (2 * y) }
    }

    /// `x²`, element-wise; `∂/∂x = 2x`.
    public func squared() -> Variable {
        let x = value
        return unary(x * x) { upstream in upstream * x * 2 }
    }

    /// `|x|`, element-wise; `∂/∂x = sign(x)` (0 at 0).
    public func abs() -> Variable {
        let x = value
        return unary(x.map { Swift.abs($0) }) { upstream in
            upstream * x.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
        }
    }

    /// The sum of all elements, as a scalar (shape `[]`).
    public func sum() -> Variable {
        let shape = self.shape
        return unary(Tensor(value.sum())) { upstream in
            Tensor(repeating: upstream.scalar, shape: shape)
        }
    }

    /// The mean of all elements, as a scalar (shape `[]`).
    public func mean() -> Variable {
        let shape = self.shape
        let scale = 1 / Float(value.count)
        return unary(Tensor(value.sum() * scale)) { upstream in
            Tensor(repeating: upstream.scalar * scale, shape: shape)
        }
    }

    /// Sums along `axis`: `[a, b, c]` along 1 gives `[a, c]` (or `[a, 1, c]` keeping the dimension).
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let shape = self.shape
        let axis = value.normalizedAxis(axis)
        var keptShape = shape
        keptShape[axis] = 1
        return unary(value.sum(alongAxis: axis, keepingDimension: keepingDimension)) { upstream in
            Tensor.zeros(shape) + upstream.reshaped(to: keptShape)
        }
    }

    /// Means along `axis`.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        sum(alongAxis: axis, keepingDimension: keepingDimension) / Float(shape[value.normalizedAxis(axis)])
    }

    /// The same values with another shape (one dimension may be `-1`).
    public func reshaped(to newShape: [Int]) -> Variable {
        let shape = self.shape
        return unary(value.reshaped(to: newShape)) { upstream in upstream.reshaped(to: shape) }
    }

    /// The matrix product `self · other`: `[m, k] · [k, n] → [m, n]`, or the batched product
    /// `[..., m, k] · [..., k, n] → [..., m, n]` whose batch axes broadcast (see
    /// `Tensor.batchedMatmul`); `transposeOther` multiplies by the transpose of `other`'s last
    /// two axes. `∂/∂self = upstream · otherᵀ`, `∂/∂other = selfᵀ · upstream`, each summed over
    /// the batch axes that were broadcast.
    public func matmul(_ other: Variable, transposeOther: Bool = false) -> Variable {
        let (a, b) = (value, other.value)
        let (needA, needB) = (requiresGradient, other.requiresGradient)
        if a.rank == 2 && b.rank == 2 && !transposeOther {
            return Variable(a.matmul(b), inputs: [self, other]) { upstream in
                [needA ? upstream.matmul(b, transposeOther: true) : nil,
                 needB ? a.matmul(upstream, transposeSelf: true) : nil]
            }
        }
        return Variable(a.matmul(b, transposeOther: transposeOther), inputs: [self, other]) { upstream in
            let da = needA ? upstream.matmul(b, transposeOther: !transposeOther).reduced(toShape: a.shape) : nil
            let db = needB
                ? (transposeOther ? upstream.matmul(a, transposeSelf: true) : a.matmul(upstream, transposeSelf: true))
                    .reduced(toShape: b.shape)
                : nil
            return [da, db]
        }
    }

    /// The transpose of a matrix.
    public func transposed() -> Variable {
        unary(value.transposed()) { upstream in upstream.transposed() }
    }
}

extension Variable {
    /// `variables` joined along `axis`; the pullback cuts the upstream gradient back into
    /// pieces of each input's size.
    public static func concatenated(_ variables: [Variable], alongAxis axis: Int) -> Variable {
        let value = Tensor.concatenated(variables.map(\.value), alongAxis: axis)
        let resolved = axis < 0 ? axis + value.rank : axis
        let sizes = variables.map { $0.shape[resolved] }
        return Variable(value, inputs: variables) { upstream in
            upstream.split(sizes: sizes, alongAxis: resolved).map { Optional($0) }
        }
    }
}
