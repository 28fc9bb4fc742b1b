/// Reordering axes.
extension Tensor {
    /// The tensor with its axes reordered: axis `i` of the result is axis `axes[i]` of this one,
    /// so `[a, b, c]` permuted by `[2, 0, 1]` has shape `[c, a, b]`.
    ///
    /// - Precondition: `axes` is a permutation of `0..<rank`.
    public func permuted(_ axes: [Int]) -> Tensor {
        guard axes.sorted() == Array(0..<rank) else {
            fatalError("permuted: \(axes) is not an order of the axes 0..<\(rank) of shape \(shape)")
        }
        let sourceShape = shape
        let newShape = axes.map { sourceShape[$0] }
        var sourceStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { sourceStrides[axis] = sourceStrides[axis + 1] * sourceShape[axis + 1] }
        let strides = axes.map { sourceStrides[$0] }
        // When the last axis stays last, its rows move whole: one copy per row, and the
        // odometer below turns over the other axes only.
        let run = axes.last == rank - 1 ? Swift.max(sourceShape[rank - 1], 1) : 1
        let outerRank = run > 1 ? rank - 1 : rank
        var result = [Float].scalars(count: count, zeroed: false)
        var index = [Int](repeating: 0, count: rank)
        scalars.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                guard let source = x.baseAddress, let target = y.baseAddress else { return }
                var offset = 0
                for start in stride(from: 0, to: y.count, by: run) {
                    if run == 1 { target[start] = source[offset] } else { (target + start).update(from: source + offset, count: run) }
                    // Advance the result's index like an odometer, moving the source offset along.
                    var axis = outerRank - 1
                    while axis >= 0 {
                        index[axis] += 1
                        offset += strides[axis]
                        if index[axis] < newShape[axis] { break }
                        offset -= strides[axis] * newShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return Tensor(shape: newShape, scalars: result)
    }
}
