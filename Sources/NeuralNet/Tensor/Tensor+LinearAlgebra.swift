import NeuralNetKernels

/// Matrix products and transposes.
extension Tensor {
    /// The matrix product `self · other`: `[m, k] · [k, n] → [m, n]`, or for higher ranks the
    /// batched product `[..., m, k] · [..., k, n] → [..., m, n]` over the leading (batch) axes,
    /// which broadcast (see `batchedMatmul`).
    ///
    /// `transposeSelf` and `transposeOther` multiply by a transpose (of the last two axes)
    /// without materialising it: with `transposeSelf`, `self` is `[..., k, m]`.
    ///
    /// - Precondition: both have at least two axes, the inner sizes agree and the batch axes
    ///   broadcast; a mismatch stops with both shapes.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        if rank == 2 && other.rank == 2 {
            return matmul(other, transposeSelf: transposeSelf, transposeOther: transposeOther, reusing: nil)
        }
        return batchedMatmul(other, transposeSelf: transposeSelf, transposeOther: transposeOther)
    }

    /// `matmul`, optionally writing into `storage` (when it holds `m · n` scalars and nothing
    /// else shares it; see `Parameter.takeGradientStorage`), adding `bias` `[n]` to every row
    /// and applying ReLU while each tile of the result is in cache.
    func matmul(
        _ other: Tensor, transposeSelf: Bool, transposeOther: Bool, reusing storage: consuming Tensor?,
        bias: Tensor? = nil, relu: Bool = false
    ) -> Tensor {
        guard rank == 2 && other.rank == 2 else { fatalError("matmul needs two matrices, got shapes \(shape) and \(other.shape)") }
        let (a, b) = (dimensions, other.dimensions)
        let (m, k) = transposeSelf ? (a[1], a[0]) : (a[0], a[1])
        let (k2, n) = transposeOther ? (b[1], b[0]) : (b[0], b[1])
        guard k == k2 else {
            fatalError("matmul: inner dimensions differ: \(transposeSelf ? "transpose of " : "")\(shape) · \(transposeOther ? "transpose of " : "")\(other.shape)")
        }
        let shape = Dimensions(rows: m, columns: n)
        // The multiply writes every element, so the result needs no zeroing first.
        var result = k == 0 ? Tensor.zeros(shape) : Tensor(reusing: storage, dimensions: shape)
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
        check(rank == 2, "transposed() needs a matrix, got shape \(shape)")
        var result = Tensor.zeros(Dimensions(rows: dimensions[1], columns: dimensions[0]))
        scalars.withUnsafeBufferPointer { x in
            result.scalars.withUnsafeMutableBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return }
                MatrixMultiply.transpose(x, rows: dimensions[0], columns: dimensions[1], into: y)
            }
        }
        return result
    }

    /// The rows at `indices` of a tensor whose first axis is the batch: `[n, ...] → [indices.count, ...]`.
    public func gatheringRows(_ indices: some Collection<Int>) -> Tensor {
        var result = Tensor.empty
        result.setToRows(of: self, at: indices)
        return result
    }

    /// The samples (rows along the first axis) in `range`: `test.inputs[0..<100]` is the first
    /// 100 images. The range is clamped to the rows there are.
    public subscript(range: Range<Int>) -> Tensor {
        guard rank >= 1 else { fatalError("rows of a scalar tensor: it has no first axis") }
        return gatheringRows(range.clamped(to: 0..<dimensions[0]))
    }

    /// Makes `self` the rows at `indices` of `source`, writing into this tensor's own storage
    /// when it already has the right size and nothing else shares it: a training loop that
    /// gathers every batch into the same tensor allocates nothing once the graph of the
    /// previous step is gone.
    mutating func setToRows(of source: Tensor, at indices: some Collection<Int>) {
        check(source.rank >= 1, "gathering rows needs at least one axis, got shape \(source.shape)")
        let rows = source.dimensions[0]
        let width = rows > 0 ? source.count / rows : source.dimensions.array.dropFirst().reduce(1, *)
        var gathered = source.dimensions
        gathered[0] = indices.count
        if count != indices.count * width {
            scalars = .scalars(count: indices.count * width, zeroed: false)
        }
        dimensions = gathered
        source.scalars.withUnsafeBufferPointer { x in
            scalars.withUnsafeMutableBufferPointer { buffer in
                guard var target = buffer.baseAddress else { return }
                for index in indices {
                    check(index >= 0 && index < rows, "row \(index) is outside shape \(source.shape)")
                    target.update(from: x.baseAddress! + index * width, count: width)
                    target += width
                }
            }
        }
    }
}
