/// Reordering, slicing, stacking, gathering and masking on the tape, each pullback beside its
/// forward computation.
extension Variable {
    /// The axes reordered (see `Tensor.permuted`); the pullback applies the inverse order.
    public func permuted(_ axes: [Int]) -> Variable {
        var inverse = [Int](repeating: 0, count: axes.count)
        for (position, axis) in axes.enumerated() where axis >= 0 && axis < axes.count { inverse[axis] = position }
        return unary(value.permuted(axes)) { upstream in upstream.permuted(inverse) }
    }

    /// `axis1` and `axis2` swapped: `[b, t, h, d]` with 1 and 2 swapped is `[b, h, t, d]`.
    public func transposed(_ axis1: Int, _ axis2: Int) -> Variable {
        var order = Array(0..<shape.count)
        order.swapAt(value.normalizedAxis(axis1), value.normalizedAxis(axis2))
        return permuted(order)
    }

    /// The elements in `range` along `axis`; the pullback places the gradient back in zeros.
    public func sliced(_ range: Range<Int>, alongAxis axis: Int) -> Variable {
        let axis = value.normalizedAxis(axis)
        let shape = self.shape
        return unary(value.sliced(range, alongAxis: axis)) { upstream in
            upstream.padded(into: shape, at: range, alongAxis: axis)
        }
    }

    /// Pieces of `sizes` along `axis` (the inverse of `concatenated`), each its own slice.
    public func split(sizes: [Int], alongAxis axis: Int) -> [Variable] {
        let axis = value.normalizedAxis(axis)
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[axis] else {
            fatalError("split: sizes \(sizes) do not add up to \(shape[axis]), axis \(axis) of shape \(shape)")
        }
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(start..<(start + size), alongAxis: axis)
        }
    }

    /// `variables` of one shape stacked along a new axis `axis`.
    public static func stacked(_ variables: [Variable], alongAxis axis: Int) -> Variable {
        guard let first = variables.first else { fatalError("stacked: needs at least one variable") }
        let resolved = axis < 0 ? axis + first.shape.count + 1 : axis
        var expanded = first.shape
        expanded.insert(1, at: Swift.min(Swift.max(resolved, 0), expanded.count))
        return concatenated(variables.map { $0.reshaped(to: expanded) }, alongAxis: resolved)
    }

    /// The entries at integer `indices` along `axis` (see `Tensor.gathering`): an embedding
    /// lookup. The pullback adds each incoming slice into the row it came from (scatter-add),
    /// so a token used twice receives both gradients.
    public func gathering(_ indices: Tensor, alongAxis axis: Int = 0) -> Variable {
        let axis = value.normalizedAxis(axis)
        let shape = self.shape
        return unary(value.gathering(indices, alongAxis: axis)) { upstream in
            var gradient = Tensor.zeros(shape)
            gradient.scatterAdd(upstream, at: indices, alongAxis: axis)
            return gradient
        }
    }

    /// `value` wherever `mask` (broadcast to this shape) is non-zero, this variable elsewhere;
    /// no gradient flows through the filled places. With `-∞` before a softmax, it masks
    /// attention.
    public func filled(where mask: Tensor, with value: Float) -> Variable {
        unary(self.value.filled(where: mask, with: value)) { upstream in upstream.filled(where: mask, with: 0) }
    }

    /// The maxima along `axis`; the gradient goes to the first maximum of each slice.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let axis = value.normalizedAxis(axis)
        let shape = self.shape
        let (outer, size, inner) = value.split(at: axis)
        var kept = shape
        kept[axis] = 1
        // argmax over `axis` in outer-major, inner-minor order.
        let winners = value.reshaped(to: [outer, size, inner]).argmax(alongAxis: 1)
        return unary(value.max(alongAxis: axis, keepingDimension: keepingDimension)) { upstream in
            var gradient = Tensor.zeros(shape)
            let flat = upstream.reshaped(to: [outer * inner])
            for o in 0..<outer {
                for i in 0..<inner {
                    gradient.scalars[(o * size + winners[o * inner + i]) * inner + i] = flat.scalars[o * inner + i]
                }
            }
            return gradient
        }
    }
}
