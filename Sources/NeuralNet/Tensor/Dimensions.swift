/// A tensor's shape stored inline, so that creating or copying a tensor touches one heap
/// object (its scalars) instead of two. `Tensor.shape` turns it into an array for callers;
/// the library's own hot paths read it directly.
///
/// Six 32-bit sizes, unused ones -1, keep `Tensor` at four machine words. A larger tensor
/// struct is copied through out-of-line value-witness calls, which cost a small training step
/// a fifth of its time when this held eight `Int`s and a rank.
struct Dimensions: Hashable, Sendable {
    /// The most dimensions a tensor may have.
    static let maximumRank = 6

    private var sizes: (Int32, Int32, Int32, Int32, Int32, Int32) = (-1, -1, -1, -1, -1, -1)

    /// The dimensions of `shape`.
    ///
    /// - Precondition: at most `maximumRank` dimensions, none negative or above `Int32.max`.
    init(_ shape: [Int]) {
        check(
            shape.count <= Dimensions.maximumRank,
            "Tensor shape \(shape) has \(shape.count) dimensions; at most \(Dimensions.maximumRank) are supported")
        for (axis, size) in shape.enumerated() {
            check(size >= 0 && size <= Int32.max, "Tensor shape \(shape) has a dimension outside 0...\(Int32.max)")
            set(axis, size)
        }
    }

    /// What keeps `shape` from being a tensor's (too many dimensions, a negative or too large
    /// size, more elements than an `Int` counts), or nil if it can be one. Readers of files
    /// check shapes with it before they allocate anything.
    static func problem(with shape: [Int]) -> String? {
        if shape.count > maximumRank { return "shape \(shape) has \(shape.count) dimensions; at most \(maximumRank) are supported" }
        if let size = shape.first(where: { $0 < 0 || $0 > Int32.max }) {
            return "shape \(shape) has a dimension \(size) outside 0...\(Int32.max)"
        }
        if elementCount(shape) == nil { return "shape \(shape) has more elements than can be counted" }
        return nil
    }

    /// The product of `shape`'s sizes times `width` (bytes per element), or nil if it overflows.
    static func elementCount(_ shape: [Int], width: Int = 1) -> Int? {
        var total = width
        for size in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// A matrix's dimensions, `[rows, columns]`.
    init(rows: Int, columns: Int) {
        check(rows >= 0 && columns >= 0, "Tensor shape [\(rows), \(columns)] has a negative dimension")
        sizes.0 = Int32(rows)
        sizes.1 = Int32(columns)
    }

    /// A vector's dimensions, `[length]`.
    init(length: Int) {
        check(length >= 0, "Tensor shape [\(length)] has a negative dimension")
        sizes.0 = Int32(length)
    }

    /// The number of dimensions.
    var rank: Int {
        if sizes.0 < 0 { return 0 }
        if sizes.1 < 0 { return 1 }
        if sizes.2 < 0 { return 2 }
        if sizes.3 < 0 { return 3 }
        if sizes.4 < 0 { return 4 }
        return sizes.5 < 0 ? 5 : 6
    }

    /// The size of dimension `axis` (`0 ..< rank`).
    subscript(axis: Int) -> Int {
        get {
            let size: Int32
            switch axis {
            case 0: size = sizes.0
            case 1: size = sizes.1
            case 2: size = sizes.2
            case 3: size = sizes.3
            case 4: size = sizes.4
            case 5: size = sizes.5
            default: size = -1
            }
            check(size >= 0, "axis \(axis) is outside a shape of rank \(rank)")
            return Int(size)
        }
        set {
            check(axis >= 0 && axis < rank, "axis \(axis) is outside a shape of rank \(rank)")
            check(newValue >= 0 && newValue <= Int32.max, "Tensor dimension \(newValue) is outside 0...\(Int32.max)")
            set(axis, newValue)
        }
    }

    private mutating func set(_ axis: Int, _ size: Int) {
        let size = Int32(size)
        switch axis {
        case 0: sizes.0 = size
        case 1: sizes.1 = size
        case 2: sizes.2 = size
        case 3: sizes.3 = size
        case 4: sizes.4 = size
        default: sizes.5 = size
        }
    }

    /// The last dimension, if any.
    var last: Int? {
        let rank = self.rank
        return rank > 0 ? self[rank - 1] : nil
    }

    /// The number of elements: the product of the dimensions (1 for a scalar).
    var elementCount: Int {
        var product = 1
        for axis in 0..<rank { product *= self[axis] }
        return product
    }

    /// The dimensions as an array.
    var array: [Int] { (0..<rank).map { self[$0] } }

    // Unused slots are always -1, so comparing every slot compares the shapes.
    static func == (a: Dimensions, b: Dimensions) -> Bool {
        a.sizes.0 == b.sizes.0 && a.sizes.1 == b.sizes.1 && a.sizes.2 == b.sizes.2
            && a.sizes.3 == b.sizes.3 && a.sizes.4 == b.sizes.4 && a.sizes.5 == b.sizes.5
    }

    func hash(into hasher: inout Hasher) {
        for axis in 0..<rank { hasher.combine(self[axis]) }
    }
}
