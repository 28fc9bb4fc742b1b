import NeuralNetKernels

/// Batched matrix products: the last two axes are matrices, the leading ones a batch.
extension Tensor {
    /// `[..., m, k] · [..., k, n] → [..., m, n]`: one product per index of the batch axes, which
    /// broadcast like element-wise operations (`[b, h, t, d] · [d, e]` multiplies every
    /// `[t, d]` matrix by the same `[d, e]`). All the products go to the threaded multiply in
    /// one call. `transposeSelf`/`transposeOther` use the transpose of the last two axes.
    ///
    /// - Precondition: both have at least two axes, equal inner sizes and batch axes that
    ///   broadcast; a mismatch stops with both shapes.
    public func batchedMatmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        guard rank >= 2, other.rank >= 2 else {
            fatalError("matmul needs at least two axes on each side, got shapes \(shape) and \(other.shape)")
        }
        let (a, b) = (shape, other.shape)
        let (m, k) = transposeSelf ? (a[rank - 1], a[rank - 2]) : (a[rank - 2], a[rank - 1])
        let (k2, n) = transposeOther ? (b[other.rank - 1], b[other.rank - 2]) : (b[other.rank - 2], b[other.rank - 1])
        let (batchA, batchB) = (Array(a.dropLast(2)), Array(b.dropLast(2)))
        guard k == k2, let batchShape = Tensor.broadcastShape(batchA, batchB) else {
            fatalError("matmul: shapes \(a)\(transposeSelf ? "ᵀ" : "") and \(b)\(transposeOther ? "ᵀ" : "") do not fit: "
                       + "inner sizes \(k) and \(k2), batch axes \(batchA) and \(batchB)")
        }
        let (aOffsets, bOffsets) = (
            Tensor.batchOffsets(batchA, to: batchShape, matrix: m * k),
            Tensor.batchOffsets(batchB, to: batchShape, matrix: k * n))
        var result = Tensor(uninitializedDimensions: Dimensions(batchShape + [m, n]))
        if k == 0 { return Tensor.zeros(batchShape + [m, n]) }
        scalars.withUnsafeBufferPointer { x in
            other.scalars.withUnsafeBufferPointer { y in
                result.scalars.withUnsafeMutableBufferPointer { z in
                    guard let x = x.baseAddress, let y = y.baseAddress, let z = z.baseAddress else { return }
                    MatrixMultiply.multiplyBatched(
                        x, transposeA: transposeSelf, aOffsets: aOffsets, y, transposeB: transposeOther, bOffsets: bOffsets,
                        into: z, m: m, n: n, k: k)
                }
            }
        }
        return result
    }

    /// Where each matrix of a tensor with batch axes `batch` starts (in scalars) for every index
    /// of `target`, the broadcast batch shape: a broadcast axis repeats the same matrices.
    static func batchOffsets(_ batch: [Int], to target: [Int], matrix: Int) -> [Int] {
        let strides = broadcastStrides(batch, to: target)
        let count = target.reduce(1, *)
        var offsets = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: target.count)
        var offset = 0
        for item in 0..<count {
            offsets[item] = offset * matrix
            var axis = target.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < target[axis] { break }
                offset -= strides[axis] * target[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return offsets
    }
}
