/// Slices, stacks, gathers by index and masks: the indexing that sequence models need.
extension Tensor {
    /// The elements whose index along `axis` lies in `range`: `[b, t, d]` sliced `0..<4` along 1
    /// gives `[b, 4, d]`.
    ///
    /// - Precondition: `range` lies within the axis.
    public func sliced(_ range: Range<Int>, alongAxis axis: Int) -> Tensor {
        let axis = normalizedAxis(axis)
        let size = dimensions[axis]
        guard range.lowerBound >= 0, range.upperBound <= size else {
            fatalError("sliced: range \(range) is outside 0..<\(size), axis \(axis) of shape \(shape)")
        }
        return split(sizes: [range.lowerBound, range.count, size - range.upperBound], alongAxis: axis)[1]
    }

    /// This tensor placed at `range` along `axis` of a tensor of zeros of `shape`: the gradient
    /// of `sliced`.
    func padded(into shape: [Int], at range: Range<Int>, alongAxis axis: Int) -> Tensor {
        var before = shape, after = shape
        before[axis] = range.lowerBound
        after[axis] = shape[axis] - range.upperBound
        return .concatenated([.zeros(before), self, .zeros(after)], alongAxis: axis)
    }

    /// `tensors` of one shape stacked along a new axis `axis`: three `[b, d]` along 1 give
    /// `[b, 3, d]`.
    ///
    /// - Precondition: at least one tensor, all of the same shape.
    public static func stacked(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        guard let first = tensors.first, tensors.allSatisfy({ $0.dimensions == first.dimensions }) else {
            fatalError("stacked: needs one or more tensors of one shape, got \(tensors.map(\.shape))")
        }
        let resolved = axis < 0 ? axis + first.rank + 1 : axis
        guard resolved >= 0 && resolved <= first.rank else { fatalError("stacked: axis \(axis) is out of range for shape \(first.shape)") }
        var expanded = first.shape
        expanded.insert(1, at: resolved)
        return .concatenated(tensors.map { $0.reshaped(to: expanded) }, alongAxis: resolved)
    }

    /// The entries of this tensor at integer `indices` (stored as floats) along `axis`:
    /// shape `shape[..<axis] + indices.shape + shape[(axis+1)...]`. An embedding lookup is a
    /// table `[vocabulary, d]` gathered with token ids `[b, t]` along 0, giving `[b, t, d]`.
    ///
    /// - Precondition: every index is a whole number in `0..<shape[axis]`; `validIndices` checks
    ///   that with an error for data a user supplies.
    public func gathering(_ indices: Tensor, alongAxis axis: Int = 0) -> Tensor {
        let axis = normalizedAxis(axis)
        let (outer, size, inner) = split(at: axis)
        let ids = indices.scalars.map { Int(exactly: $0) ?? -1 }
        if let bad = ids.firstIndex(where: { $0 < 0 || $0 >= size }) {
            fatalError("gathering: index \(indices.scalars[bad]) is not in 0..<\(size), axis \(axis) of shape \(shape)")
        }
        var result = [Float].scalars(count: outer * ids.count * inner, zeroed: false)
        scalars.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                var target = y.baseAddress!
                for o in 0..<outer {
                    for id in ids {
                        target.update(from: x.baseAddress! + (o * size + id) * inner, count: inner)
                        target += inner
                    }
                }
            }
        }
        return Tensor(shape: Array(shape[..<axis]) + indices.shape + Array(shape[(axis + 1)...]), scalars: result)
    }

    /// Adds each slice of `updates` into this tensor at `indices` along `axis` (repeated indices
    /// add up): the gradient of `gathering`.
    mutating func scatterAdd(_ updates: Tensor, at indices: Tensor, alongAxis axis: Int) {
        let (outer, size, inner) = split(at: axis)
        let ids = indices.scalars.map { Int($0) }
        updates.scalars.withUnsafeBufferPointer { u in
            scalars.withUnsafeMutableBufferPointer { x in
                var source = 0
                for o in 0..<outer {
                    for id in ids {
                        let base = (o * size + id) * inner
                        for i in 0..<inner { x[base + i] += u[source + i] }
                        source += inner
                    }
                }
            }
        }
    }

    /// `a` where `condition` is non-zero and `b` elsewhere, all three broadcast together:
    /// `Tensor.where(mask, scores, Tensor(-.infinity))` masks attention scores.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let shape = broadcastShape(condition.shape, a.shape).flatMap({ broadcastShape($0, b.shape) }) else {
            fatalError("where: shapes \(condition.shape), \(a.shape) and \(b.shape) do not broadcast")
        }
        // Adding zeros of the common shape is the broadcast.
        let zeros = Tensor.zeros(shape)
        let (mask, other) = (condition + zeros, b + zeros)
        var result = a + zeros
        result.scalars.withUnsafeMutableBufferPointer { out in
            for i in 0..<out.count where mask.scalars[i] == 0 { out[i] = other.scalars[i] }
        }
        return result
    }

    /// This tensor with `value` wherever `mask` (broadcast to this shape) is non-zero.
    public func filled(where mask: Tensor, with value: Float) -> Tensor {
        guard Tensor.broadcastShape(shape, mask.shape) == shape else {
            fatalError("filled(where:): mask \(mask.shape) does not broadcast to shape \(shape)")
        }
        return zip(mask) { x, m in m != 0 ? value : x }
    }
}
