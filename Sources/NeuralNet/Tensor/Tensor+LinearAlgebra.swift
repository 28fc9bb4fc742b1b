import NeuralNetKernels

/// Matrix products and transposes.
extension Tensor {
    /// The matrix product `self · other`: `[m, k] · [k, n] → [m, n]`.
    ///
    /// `transposeSelf` and `transposeOther` multiply by a transpose without materialising it:
    /// with `transposeSelf`, `self` is `[k, m]`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        matmul(other, transposeSelf: transposeSelf, transposeOther: transposeOther, resultShape: nil)
    }

    /// `matmul`, handing the result a shape array the caller already has (one allocation fewer
    /// on the training hot path; `resultShape` must be `[m, n]`), and optionally adding `bias`
    /// `[n]` to every row and applying ReLU while each tile of the result is in cache.
    func matmul(
        _ other: Tensor, transposeSelf: Bool, transposeOther: Bool, resultShape: [Int]?,
        bias: Tensor? = nil, relu: Bool = false
    ) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs two matrices, got shapes \(shape) and \(other.shape)")
        let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        precondition(
            k == k2,
            "matmul: inner dimensions differ: \(transposeSelf ? "transpose of " : "")\(shape) · \(transposeOther ? "transpose of " : "")\(other.shape)")
        let shape = resultShape ?? [m, n]
        precondition(shape.count == 2 && shape[0] == m && shape[1] == n, "matmul: result shape \(shape) is not [\(m), \(n)]")
        // The multiply writes every element, so the result needs no zeroing first.
        var result = k == 0 ? Tensor.zeros(shape) : Tensor(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.scalars.withUnsafeMutableBufferPointer { c in
                    guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
                    if let bias {
                        bias.scalars.withUnsafeBufferPointer { row in
                            MatrixMultiply.multiply(
                                a, transposeA: transposeSelf, b, transposeB: transposeOther, into: c, m: m, n: n, k: k,
                                bias: row.baseAddress, relu: relu)
                        }
                    } else {
                        MatrixMultiply.multiply(
                            a, transposeA: transposeSelf, b, transposeB: transposeOther, into: c, m: m, n: n, k: k, relu: relu)
                    }
                }
            }
        }
        return result
    }

    /// The transpose of a matrix: `[m, n] → [n, m]`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got shape \(shape)")
        var result = Tensor.zeros([shape[1], shape[0]])
        scalars.withUnsafeBufferPointer { x in
            result.scalars.withUnsafeMutableBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return }
                MatrixMultiply.transpose(x, rows: shape[0], columns: shape[1], into: y)
            }
        }
        return result
    }

    /// The rows at `indices` of a tensor whose first axis is the batch: `[n, ...] → [indices.count, ...]`.
    public func gatheringRows(_ indices: some Collection<Int>) -> Tensor {
        precondition(rank >= 1, "gatheringRows needs at least one axis, got shape \(shape)")
        let width = shape.dropFirst().reduce(1, *)
        let rows = shape[0]
        let result = [Float](unsafeUninitializedCapacity: indices.count * width) { buffer, initialized in
            scalars.withUnsafeBufferPointer { x in
                var target = buffer.baseAddress!
                for index in indices {
                    precondition(index >= 0 && index < rows, "row \(index) is outside shape \(shape)")
                    target.update(from: x.baseAddress! + index * width, count: width)
                    target += width
                }
            }
            initialized = indices.count * width
        }
        var newShape = shape
        newShape[0] = indices.count
        return Tensor(shape: newShape, scalars: result)
    }
}
