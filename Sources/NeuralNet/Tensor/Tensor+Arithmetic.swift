import NeuralNetKernels

/// Element-wise arithmetic with NumPy broadcasting: shapes are aligned at their last dimension
/// and a dimension of size 1 (or a missing leading one) is repeated to match the other operand.
/// `[batch, n] + [n]` adds a row vector to every row.
extension Tensor {
    /// The shape of `a ⊙ b` under broadcasting, or `nil` when the shapes are incompatible.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        let a = Array(repeating: 1, count: rank - a.count) + a
        let b = Array(repeating: 1, count: rank - b.count) + b
        var shape: [Int] = []
        for (x, y) in Swift.zip(a, b) {
            guard x == y || x == 1 || y == 1 else { return nil }
            shape.append(x == 1 ? y : x)
        }
        return shape
    }

    /// `body(self[i], other[i])` element by element, broadcasting the two shapes.
    // Inlined into each caller so that `body` is specialised into the loop and the loop
    // vectorises (not inlined, `+` called a closure for every element: 6% of a GPT step).
    @inline(__always)
    public func zip(_ other: Tensor, _ body: (Float, Float) -> Float) -> Tensor {
        if dimensions == other.dimensions {
            var result = Tensor(uninitializedDimensions: dimensions)
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    result.scalars.withUnsafeMutableBufferPointer { out in
                        Elementwise.zip(a.baseAddress!, b.baseAddress!, into: out.baseAddress!, count: count, body)
                    }
                }
            }
            return result
        }
        guard let outShape = Tensor.broadcastShape(shape, other.shape) else {
            fatalError("shapes \(shape) and \(other.shape) cannot be broadcast together")
        }
        let trimmedSelf = Array(shape.drop { $0 == 1 }), trimmedOther = Array(other.shape.drop { $0 == 1 })
        var result = Tensor(uninitializedDimensions: Dimensions(outShape))
        if outShape == shape && count > 0 && shape.suffix(trimmedOther.count).elementsEqual(trimmedOther) {
            let width = other.count
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { row in
                    result.scalars.withUnsafeMutableBufferPointer { out in
                        Elementwise.zipRows(
                            a.baseAddress!, row: row.baseAddress!, into: out.baseAddress!,
                            rows: count / width, width: width, body)
                    }
                }
            }
            return result
        }
        if outShape == other.shape && other.count > 0 && other.shape.suffix(trimmedSelf.count).elementsEqual(trimmedSelf) {
            let width = count
            scalars.withUnsafeBufferPointer { row in
                other.scalars.withUnsafeBufferPointer { b in
                    result.scalars.withUnsafeMutableBufferPointer { out in
                        Elementwise.zipRows(
                            row: row.baseAddress!, b.baseAddress!, into: out.baseAddress!,
                            rows: other.count / width, width: width, body)
                    }
                }
            }
            return result
        }
        return broadcastZip(other, to: outShape, body)
    }

    /// `zip` for shapes that broadcast along other axes than whole rows: an odometer over the
    /// result's indices.
    private func broadcastZip(_ other: Tensor, to outShape: [Int], _ body: (Float, Float) -> Float) -> Tensor {
        var result = Tensor(uninitializedDimensions: Dimensions(outShape))
        let aStrides = Tensor.broadcastStrides(shape, to: outShape)
        let bStrides = Tensor.broadcastStrides(other.shape, to: outShape)
        var index = Array(repeating: 0, count: outShape.count)
        var aOffset = 0, bOffset = 0
        for i in 0..<result.count {
            result.scalars[i] = body(scalars[aOffset], other.scalars[bOffset])
            // Advance the multi-index like an odometer, keeping both offsets in step.
            var axis = outShape.count - 1
            while axis >= 0 {
                index[axis] += 1
                aOffset += aStrides[axis]
                bOffset += bStrides[axis]
                if index[axis] < outShape[axis] { break }
                aOffset -= aStrides[axis] * outShape[axis]
                bOffset -= bStrides[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// Row-major strides of `shape` read as `target` under broadcasting: 0 along repeated axes.

    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let padded = Array(repeating: 1, count: target.count - shape.count) + shape
        var strides = Array(repeating: 0, count: target.count)
        var step = 1
        for axis in stride(from: target.count - 1, through: 0, by: -1) {
            strides[axis] = padded[axis] == 1 && target[axis] != 1 ? 0 : step
            step *= padded[axis]
        }
        return strides
    }

    /// `body(x)` for every element.
    @inline(__always)  // as `zip`
    public func map(_ body: (Float) -> Float) -> Tensor {
        var result = Tensor(uninitializedDimensions: dimensions)
        scalars.withUnsafeBufferPointer { x in
            result.scalars.withUnsafeMutableBufferPointer { out in
                Elementwise.map(x.baseAddress!, into: out.baseAddress!, count: count, body)
            }
        }
        return result
    }

    /// The sum of a broadcast result back down to `target`, the shape an operand had before
    /// broadcasting: the gradient of broadcasting.
    public func reduced(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        check(
            Tensor.broadcastShape(target, shape) == shape,
            "cannot reduce shape \(shape) to \(target): \(target) does not broadcast to it")
        var result = Tensor.zeros(target)
        let trimmed = Array(target.drop { $0 == 1 })
        if shape.suffix(trimmed.count).elementsEqual(trimmed) && result.count > 0 {
            let width = result.count
            scalars.withUnsafeBufferPointer { x in
                result.scalars.withUnsafeMutableBufferPointer { out in
                    for r in 0..<(count / width) {
                        for j in 0..<width { out[j] += x[r * width + j] }
                    }
                }
            }
            return result
        }
        let strides = Tensor.broadcastStrides(target, to: shape)
        var index = Array(repeating: 0, count: shape.count)
        var offset = 0
        for i in 0..<count {
            result.scalars[offset] += scalars[i]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// Element-wise sum, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { a.zip(b, +) }
    /// Element-wise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.zip(b, -) }
    /// Element-wise product, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.zip(b, *) }
    /// Element-wise quotient, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.zip(b, /) }
    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// Adds a scalar to every element.
    public static func + (a: Tensor, b: Float) -> Tensor { a.map { $0 + b } }
    /// Subtracts a scalar from every element.
    public static func - (a: Tensor, b: Float) -> Tensor { a.map { $0 - b } }
    /// Multiplies every element by a scalar.
    public static func * (a: Tensor, b: Float) -> Tensor { a.map { $0 * b } }
    /// Divides every element by a scalar.
    public static func / (a: Tensor, b: Float) -> Tensor { a.map { $0 / b } }
    /// Adds every element to a scalar.
    public static func + (a: Float, b: Tensor) -> Tensor { b.map { a + $0 } }
    /// Subtracts every element from a scalar.
    public static func - (a: Float, b: Tensor) -> Tensor { b.map { a - $0 } }
    /// Multiplies a scalar by every element.
    public static func * (a: Float, b: Tensor) -> Tensor { b.map { a * $0 } }
    /// Divides a scalar by every element.
    public static func / (a: Float, b: Tensor) -> Tensor { b.map { a / $0 } }

    /// Adds `other` in place; `other` must broadcast to `self`'s shape.
    public static func += (a: inout Tensor, b: Tensor) {
        if a.dimensions == b.dimensions {
            a.scalars.withUnsafeMutableBufferPointer { x in
                b.scalars.withUnsafeBufferPointer { y in
                    for i in 0..<x.count { x[i] += y[i] }
                }
            }
        } else {
            a = a + b
        }
    }
    /// Subtracts `other` in place.
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// Multiplies by `other` in place.
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    /// Multiplies every element by a scalar in place.
    public static func *= (a: inout Tensor, b: Float) {
        a.scalars.withUnsafeMutableBufferPointer { x in
            for i in 0..<x.count { x[i] *= b }
        }
    }
}
