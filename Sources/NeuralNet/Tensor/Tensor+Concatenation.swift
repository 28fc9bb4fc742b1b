/// Joining tensors along an axis and cutting them apart again.
extension Tensor {
    /// `tensors` joined along `axis` (negative counts from the end): every other axis must
    /// match. `[2, 3]` and `[2, 5]` along `-1` give `[2, 8]`.
    ///
    /// - Precondition: at least one tensor; equal ranks and equal sizes off the axis.
    public static func concatenated(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        guard let first = tensors.first else { fatalError("concatenated: needs at least one tensor") }
        let axis = first.normalizedAxis(axis)
        for tensor in tensors where !Tensor.fitForJoining(first.shape, tensor.shape, axis: axis) {
            fatalError("concatenated along axis \(axis): shapes \(tensors.map(\.shape)) differ off that axis")
        }
        let (outer, _, inner) = first.split(at: axis)
        let widths = tensors.map { $0.dimensions[axis] * inner }
        let total = widths.reduce(0, +)
        var result = [Float].scalars(count: outer * total, zeroed: false)
        result.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for (tensor, width) in Swift.zip(tensors, widths) {
                tensor.scalars.withUnsafeBufferPointer { x in
                    for o in 0..<outer {
                        for i in 0..<width { out[o * total + offset + i] = x[o * width + i] }
                    }
                }
                offset += width
            }
        }
        var shape = first.shape
        shape[axis] = tensors.reduce(0) { $0 + $1.dimensions[axis] }
        return Tensor(shape: shape, scalars: result)
    }

    /// Cuts this tensor along `axis` into pieces of `sizes` (which add up to the axis): the
    /// inverse of `concatenated`.
    public func split(sizes: [Int], alongAxis axis: Int) -> [Tensor] {
        let axis = normalizedAxis(axis)
        guard sizes.reduce(0, +) == dimensions[axis], sizes.allSatisfy({ $0 >= 0 }) else {
            fatalError("split: sizes \(sizes) do not add up to \(dimensions[axis]), axis \(axis) of shape \(shape)")
        }
        let (outer, size, inner) = split(at: axis)
        let total = size * inner
        var offset = 0
        return sizes.map { part in
            let width = part * inner
            var piece = [Float].scalars(count: outer * width, zeroed: false)
            scalars.withUnsafeBufferPointer { x in
                piece.withUnsafeMutableBufferPointer { out in
                    for o in 0..<outer {
                        for i in 0..<width { out[o * width + i] = x[o * total + offset + i] }
                    }
                }
            }
            offset += width
            var shape = self.shape
            shape[axis] = part
            return Tensor(shape: shape, scalars: piece)
        }
    }

    /// Whether shapes `a` and `b` have the same rank and agree on every axis but `axis`.
    static func fitForJoining(_ a: [Int], _ b: [Int], axis: Int) -> Bool {
        a.count == b.count && a.indices.allSatisfy { $0 == axis || a[$0] == b[$0] }
    }
}
