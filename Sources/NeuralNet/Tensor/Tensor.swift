import NeuralNetKernels

/// An n-dimensional array of `Float`: a shape and its scalars in row-major order.
///
/// `Tensor` is a value type. Its storage is a Swift array, so copies are cheap and a copy is
/// made only when one of two sharing tensors is mutated (copy-on-write). The shape is kept
/// inline: a tensor has at most six dimensions.
///
/// ```swift
/// let x = Tensor([[0, 1], [1, 0]])      // shape [2, 2]
/// x.shape                                // [2, 2]
/// x.scalars                              // [0, 1, 1, 0]
/// ```
///
/// ## Misuse stops the program, with a message
///
/// Tensor operations are checked like array subscripts: shapes that do not broadcast, a reshape
/// to another number of elements, an axis or index outside the shape, the `argmax` of an empty
/// tensor or more than six dimensions stop the program with a message that names the operation
/// and the shapes (`fatalError`, so the message is printed in optimised builds too). These are
/// mistakes in code, not in data: what a user's data, files or model definitions can cause is
/// checked earlier and thrown as `NeuralNetError` by the layers, models and readers
/// (`Network.output(for:)`, `fit`, `loadModel(from:)`, `Tensor(npy:)`), which is where input
/// from outside should enter.
public struct Tensor: Sendable, Equatable {
    /// The shape, stored inline (see `Dimensions`). Whoever sets it keeps
    /// `scalars.count == dimensions.elementCount`.
    var dimensions: Dimensions
    /// The size of each dimension, outermost first. A scalar tensor has shape `[]`.
    public var shape: [Int] { dimensions.array }
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Float]

    /// Creates a tensor of `shape` holding `scalars` in row-major order.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`, and `shape` has at most
    ///   six dimensions, each at most `Int32.max`.
    public init(shape: [Int], scalars: [Float]) {
        self.init(dimensions: Dimensions(shape), scalars: scalars)
    }

    init(dimensions: Dimensions, scalars: [Float]) {
        check(
            scalars.count == dimensions.elementCount,
            "Tensor shape \(dimensions.array) needs \(dimensions.elementCount) scalars, got \(scalars.count)")
        self.dimensions = dimensions
        self.scalars = scalars
    }

    /// Creates a tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(repeating: value, dimensions: Dimensions(shape))
    }

    init(repeating value: Float, dimensions: Dimensions) {
        var scalars = [Float].scalars(count: dimensions.elementCount, zeroed: true)
        if value != 0 { scalars.withUnsafeMutableBufferPointer { $0.update(repeating: value) } }
        self.init(dimensions: dimensions, scalars: scalars)
    }

    /// A tensor whose scalars the caller overwrites in full before reading them.
    init(uninitializedDimensions dimensions: Dimensions) {
        self.init(dimensions: dimensions, scalars: .scalars(count: dimensions.elementCount, zeroed: false))
    }

    /// A tensor with `dimensions` in `storage`'s scalars when it holds that many (and, through
    /// copy-on-write, when nothing else shares them), else in new ones. The contents are not
    /// specified: only for results that the caller writes in full.
    init(reusing storage: consuming Tensor?, dimensions: Dimensions) {
        guard var tensor = storage.take(), tensor.count == dimensions.elementCount else {
            self.init(uninitializedDimensions: dimensions)
            return
        }
        tensor.dimensions = dimensions
        self = tensor
    }

    /// A tensor with the dimensions `dimensions` filled with zeros.
    static func zeros(_ dimensions: Dimensions) -> Tensor { Tensor(repeating: 0, dimensions: dimensions) }

    /// A vector with no elements, shape `[0]`.
    static let empty = Tensor(shape: [0], scalars: [])

    /// The scalar 1, shared (copy-on-write keeps it constant): the seed of every `backward()`.
    static let one = Tensor(1)

    /// A tensor of `shape` filled with zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor of `shape` filled with ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// The number of dimensions.
    public var rank: Int { dimensions.rank }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The only element of a tensor with one element.
    public var scalar: Float {
        check(count == 1, "scalar needs a tensor with one element, got shape \(shape)")
        return scalars[0]
    }

    /// The element at a full index, one coordinate per dimension.
    public subscript(index: Int...) -> Float {
        get { scalars[offset(of: index)] }
        set { scalars[offset(of: index)] = newValue }
    }

    private func offset(of index: [Int]) -> Int {
        check(index.count == rank, "index \(index) has \(index.count) coordinates; shape \(shape) has \(rank)")
        var offset = 0
        for (axis, i) in index.enumerated() {
            let size = dimensions[axis]
            check(i >= 0 && i < size, "index \(index) is outside shape \(shape)")
            offset = offset * size + i
        }
        return offset
    }

    /// Changes the shape in place, keeping the scalars; one dimension may be `-1` (inferred).
    public mutating func reshape(to newShape: [Int]) {
        dimensions = Dimensions(Tensor.resolve(newShape, count: count, from: shape))
    }

    /// The same scalars viewed with another shape; one dimension may be `-1` (inferred).
    public func reshaped(to newShape: [Int]) -> Tensor {
        var result = self
        result.reshape(to: newShape)
        return result
    }

    static func resolve(_ newShape: [Int], count: Int, from shape: [Int]) -> [Int] {
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        check(inferred.count <= 1, "reshape to \(newShape): at most one dimension may be -1")
        var resolved = newShape
        if let i = inferred.first {
            let known = newShape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            check(known > 0 && count % known == 0, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
            resolved[i] = count / known
        }
        check(
            resolved.reduce(1, *) == count,
            "cannot reshape \(shape) (\(count) elements) to \(newShape) (\(resolved.reduce(1, *)) elements)")
        return resolved
    }
}

extension Tensor {
    /// A scalar tensor (shape `[]`).
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// A vector (shape `[n]`).
    public init(_ vector: [Float]) { self.init(shape: [vector.count], scalars: vector) }

    /// A matrix from its rows (shape `[rows, columns]`); every row must have the same length.
    public init(_ rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        check(rows.allSatisfy { $0.count == width }, "Tensor rows have different lengths: \(rows.map(\.count))")
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// A rank-3 tensor from nested arrays (shape `[a, b, c]`).
    public init(_ planes: [[[Float]]]) {
        let rows = planes.map { Tensor($0) }
        let inner = rows.first?.shape ?? [0, 0]
        check(rows.allSatisfy { $0.shape == inner }, "Tensor planes have different shapes: \(rows.map(\.shape))")
        self.init(shape: [planes.count] + inner, scalars: rows.flatMap(\.scalars))
    }
}

extension [Float] {
    /// A new array of `count` scalars for a result: zeros, or when `zeroed` is false and the
    /// array is large, left uninitialised for the caller to overwrite.
    ///
    /// Small arrays are built by appending zeros to an empty array: with Swift 6.3 on Linux,
    /// `init(repeating:count:)` and `init(unsafeUninitializedCapacity:)` look up generic
    /// metadata on every call and cost 34 and 53 ns for three scalars, against 22 ns (about
    /// the allocation alone) this way; a training step of a small network makes dozens.
    static func scalars(count: Int, zeroed: Bool) -> [Float] {
        if count >= 4096 {
            // Large arrays: the lookup no longer matters, and `init(repeating:)` zeroes with
            // wide stores where appending writes one scalar at a time. The first one also
            // settles how the allocator treats them (see `Memory.keepFreedMemory`).
            Memory.keepFreedMemory()
            if zeroed { return [Float](repeating: 0, count: count) }
            return [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        var scalars: [Float] = []
        scalars.append(contentsOf: repeatElement(0, count: count))
        return scalars
    }
}
