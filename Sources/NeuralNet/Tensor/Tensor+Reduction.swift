import NeuralNetKernels

/// Reductions: sums, means, maxima and argmax over all elements or along one axis.
extension Tensor {
    /// The sum of all elements.
    public func sum() -> Float {
        scalars.withUnsafeBufferPointer { Elementwise.sum($0.baseAddress!, count: count) }
    }

    /// The mean of all elements.
    public func mean() -> Float { count == 0 ? .nan : sum() / Float(count) }

    /// The largest element.
    public func max() -> Float { scalars.max() ?? -.infinity }

    /// Resolves a possibly negative axis (`-1` is the last).
    func normalizedAxis(_ axis: Int) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        check(resolved >= 0 && resolved < rank, "axis \(axis) is out of range for shape \(shape)")
        return resolved
    }

    /// The shape split around `axis`: elements before it, its size, and elements after it.
    func split(at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        var (outer, inner) = (1, 1)
        for a in 0..<axis { outer *= dimensions[a] }
        for a in (axis + 1)..<rank { inner *= dimensions[a] }
        return (outer, dimensions[axis], inner)
    }

    /// Sums along `axis`; the axis is removed unless `keepingDimension` is true.
    /// Shape `[a, b, c]` summed along 1 gives `[a, c]` (or `[a, 1, c]`).
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis)
        let (outer, size, inner) = split(at: axis)
        var result = [Float].scalars(count: outer * inner, zeroed: true)
        scalars.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { out in
                // Along the last axis each sum is one contiguous run.
                if inner == 1 {
                    for o in 0..<outer { out[o] = Elementwise.sum(x.baseAddress! + o * size, count: size) }
                    return
                }
                for o in 0..<outer {
                    for s in 0..<size {
                        let base = (o * size + s) * inner
                        for i in 0..<inner { out[o * inner + i] += x[base + i] }
                    }
                }
            }
        }
        var newShape = shape
        if keepingDimension { newShape[axis] = 1 } else { newShape.remove(at: axis) }
        return Tensor(shape: newShape, scalars: result)
    }

    /// Means along `axis`; the axis is removed unless `keepingDimension` is true.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let size = shape[normalizedAxis(axis)]
        return sum(alongAxis: axis, keepingDimension: keepingDimension) / Float(size)
    }

    /// Maxima along `axis`; the axis is removed unless `keepingDimension` is true.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis)
        let (outer, size, inner) = split(at: axis)
        check(size > 0, "max along axis \(axis) of empty shape \(shape)")
        var result = [Float](repeating: -.infinity, count: outer * inner)
        for o in 0..<outer {
            for s in 0..<size {
                for i in 0..<inner {
                    let value = scalars[(o * size + s) * inner + i]
                    if value > result[o * inner + i] { result[o * inner + i] = value }
                }
            }
        }
        var newShape = shape
        if keepingDimension { newShape[axis] = 1 } else { newShape.remove(at: axis) }
        return Tensor(shape: newShape, scalars: result)
    }

    /// The index of the largest element along `axis` (the first one on ties), as integers.
    /// Shape `[batch, classes]` along `-1` gives `batch` class indices.
    public func argmax(alongAxis axis: Int = -1) -> [Int] {
        let axis = normalizedAxis(axis)
        let (outer, size, inner) = split(at: axis)
        check(size > 0, "argmax along axis \(axis) of empty shape \(shape)")
        var result = [Int](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner { result[o * inner + i] = Self.argmax(x.baseAddress! + o * size * inner + i, count: size, stride: inner) }
            }
        }
        return result
    }

    /// The index of the largest of `count` values `stride` apart from `x` (the first one on
    /// ties; a NaN never wins unless it comes first): `argmax`'s rule.
    @inline(__always)
    static func argmax(_ x: UnsafePointer<Float>, count: Int, stride: Int = 1) -> Int {
        var (best, bestValue) = (0, x[0])
        for s in 1..<Swift.max(count, 1) where x[s * stride] > bestValue { (best, bestValue) = (s, x[s * stride]) }
        return best
    }
}
