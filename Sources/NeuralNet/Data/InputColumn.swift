import NeuralNetKernels

/// One input array of a dataset, `[count, ...]`: `Float` values, or bytes with a scale, as
/// image files store them (`x = byte · scale`). Bytes take a quarter of the memory; training
/// converts each batch's rows to `Float` as it gathers them, which costs nothing measurable
/// beside the forward pass.
///
/// A contiguous run of samples (`prefix`, `split`, a validation split) shares the bytes of
/// the column it came from instead of copying them.
struct InputColumn: Sendable {
    enum Storage: Sendable {
        case floats(Tensor)
        case bytes(ArraySlice<UInt8>, scale: Float)
    }

    let storage: Storage
    /// `[count] + sample shape`.
    let shape: [Int]

    init(_ tensor: Tensor) {
        storage = .floats(tensor)
        shape = tensor.shape
    }

    /// Bytes of `shape` (whose product is `bytes.count`), each standing for `byte · scale`.
    init(bytes: ArraySlice<UInt8>, shape: [Int], scale: Float) {
        storage = .bytes(bytes, scale: scale)
        self.shape = shape
    }

    /// The number of samples.
    var count: Int { shape[0] }

    /// The values of one sample.
    var width: Int { shape.dropFirst().reduce(1, *) }

    /// Whether the values are stored as bytes.
    var isCompact: Bool { if case .bytes = storage { true } else { false } }

    /// The whole column as a `Float` tensor (made anew from bytes on every call, by the same
    /// conversion as a batch's).
    var tensor: Tensor {
        if case .floats(let tensor) = storage { return tensor }
        var whole = Tensor.empty
        setRows(of: &whole, at: Array(0..<count))
        return whole
    }

    /// The samples at `indices`, in that order, stored as this column is; a contiguous range
    /// of bytes is shared, not copied.
    func gathering(_ indices: some Collection<Int>) -> InputColumn {
        switch storage {
        case .floats(let tensor):
            return InputColumn(tensor.gatheringRows(indices))
        case .bytes(let bytes, let scale):
            let width = self.width, start = bytes.startIndex
            let sampleShape = Array(shape.dropFirst())
            if let range = indices as? Range<Int> {
                let clamped = range.clamped(to: 0..<count)
                let slice = bytes[(start + clamped.lowerBound * width)..<(start + clamped.upperBound * width)]
                return InputColumn(bytes: slice, shape: [clamped.count] + sampleShape, scale: scale)
            }
            var gathered: [UInt8] = []
            gathered.reserveCapacity(indices.count * width)
            for index in indices {
                check(index >= 0 && index < count, "row \(index) is outside shape \(shape)")
                gathered += bytes[(start + index * width)..<(start + (index + 1) * width)]
            }
            return InputColumn(bytes: gathered[...], shape: [indices.count] + sampleShape, scale: scale)
        }
    }

    /// Makes `batch` the samples at `rows` as `Float`s, reusing its storage when the size fits
    /// (the training loop's gather: no allocation per step).
    func setRows(of batch: inout Tensor, at rows: some Collection<Int>) {
        switch storage {
        case .floats(let tensor):
            batch.setToRows(of: tensor, at: rows)
        case .bytes(let bytes, let scale):
            let width = self.width
            var dimensions = Dimensions(shape)
            dimensions[0] = rows.count
            batch = Tensor(reusing: batch, dimensions: dimensions)
            // The rows are read in place when they are contiguous (the training loop's slice of
            // its sample order), so a batch allocates nothing.
            let gather = { (list: UnsafeBufferPointer<Int>) in
                for row in list { check(row >= 0 && row < count, "row \(row) is outside shape \(shape)") }
                bytes.withUnsafeBufferPointer { source in
                    batch.scalars.withUnsafeMutableBufferPointer { target in
                        guard let first = list.baseAddress, let into = target.baseAddress else { return }
                        Elementwise.gatherScaledBytes(source.baseAddress!, rows: first, count: list.count, width: width, scale: scale, into: into)
                    }
                }
            }
            if rows.withContiguousStorageIfAvailable(gather) == nil { Array(rows).withUnsafeBufferPointer(gather) }
        }
    }
}
