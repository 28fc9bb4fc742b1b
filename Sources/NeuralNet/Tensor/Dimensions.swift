/// A tensor's shape stored inline, so that creating or copying a tensor touches one heap
/// object (its scalars) instead of two. `Tensor.shape` turns it into an array for callers;
/// the library's own hot paths read it directly.
struct Dimensions: Hashable, Sendable {
    /// The most dimensions a tensor may have.
    static let maximumRank = 6

    private var sizes: (Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0)
    /// The number of dimensions.
    private var storedRank: UInt8
    var rank: Int { Int(storedRank) }

    /// The dimensions of `shape`.
    ///
    /// - Precondition: at most `maximumRank` dimensions, none negative.
    init(_ shape: [Int]) {
        precondition(
            shape.count <= Dimensions.maximumRank,
            "Tensor shape \(shape) has \(shape.count) dimensions; at most \(Dimensions.maximumRank) are supported")
        storedRank = UInt8(shape.count)
        for (axis, size) in shape.enumerated() {
            precondition(size >= 0, "Tensor shape \(shape) has a negative dimension")
            self[axis] = size
        }
    }

    /// A matrix's dimensions, `[rows, columns]`.
    init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Tensor shape [\(rows), \(columns)] has a negative dimension")
        sizes.0 = Int32(rows)
        sizes.1 = Int32(columns)
        storedRank = 2
    }

    /// A vector's dimensions, `[length]`.
    init(length: Int) {
        precondition(length >= 0, "Tensor shape [\(length)] has a negative dimension")
        sizes.0 = Int32(length)
        storedRank = 1
    }

    /// The size of dimension `axis` (`0 ..< rank`).
    subscript(axis: Int) -> Int {
        get {
            precondition(axis >= 0 && axis < rank, "axis \(axis) is outside a shape of rank \(rank)")
            switch axis {
            case 0: return Int(sizes.0)
            case 1: return Int(sizes.1)
            case 2: return Int(sizes.2)
            case 3: return Int(sizes.3)
            case 4: return Int(sizes.4)
            default: return Int(sizes.5)
            }
        }
        set {
            precondition(axis >= 0 && axis < rank, "axis \(axis) is outside a shape of rank \(rank)")
            precondition(newValue <= Int32.max, "Tensor dimension \(newValue) is larger than \(Int32.max)")
            let size = Int32(newValue)
            switch axis {
            case 0: sizes.0 = size
            case 1: sizes.1 = size
            case 2: sizes.2 = size
            case 3: sizes.3 = size
            case 4: sizes.4 = size
            default: sizes.5 = size
            }
        }
    }

    /// The last dimension, if any.
    var last: Int? { rank > 0 ? self[rank - 1] : nil }

    /// The number of elements: the product of the dimensions (1 for a scalar).
    var elementCount: Int {
        var product = 1
        for axis in 0..<rank { product *= self[axis] }
        return product
    }

    /// The dimensions as an array.
    var array: [Int] { (0..<rank).map { self[$0] } }

    // Unused slots are always 0, so comparing every slot compares the shapes.
    static func == (a: Dimensions, b: Dimensions) -> Bool {
        a.storedRank == b.storedRank && a.sizes.0 == b.sizes.0 && a.sizes.1 == b.sizes.1 && a.sizes.2 == b.sizes.2
            && a.sizes.3 == b.sizes.3 && a.sizes.4 == b.sizes.4 && a.sizes.5 == b.sizes.5
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for axis in 0..<rank { hasher.combine(self[axis]) }
    }
}
