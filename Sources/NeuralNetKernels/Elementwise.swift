import CNeuralNetKernels

/// Element-wise loops over raw buffers. They are `@inlinable` so that the closure passed in is
/// specialised into the loop at the call site and the loop vectorises.
public enum Elementwise {
    /// `output[i] = body(input[i])` for every `i`.
    @inlinable
    public static func map(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int,
        _ body: (Float) -> Float
    ) {
        for i in 0..<count { output[i] = body(input[i]) }
    }

    /// `output[i] = body(a[i], b[i])` for every `i`.
    @inlinable
    public static func zip(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
        count: Int, _ body: (Float, Float) -> Float
    ) {
        for i in 0..<count { output[i] = body(a[i], b[i]) }
    }

    /// `output[r, j] = body(a[r, j], row[j])`: a row vector of `width` repeated over `rows` rows.
    @inlinable
    public static func zipRows(
        _ a: UnsafePointer<Float>, row: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, _ body: (Float, Float) -> Float
    ) {
        for r in 0..<rows {
            let base = r * width
            for j in 0..<width { output[base + j] = body(a[base + j], row[j]) }
        }
    }

    /// `output[r, j] = body(row[j], b[r, j])`: the row vector on the left-hand side.
    @inlinable
    public static func zipRows(
        row: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
        rows: Int, width: Int, _ body: (Float, Float) -> Float
    ) {
        for r in 0..<rows {
            let base = r * width
            for j in 0..<width { output[base + j] = body(row[j], b[base + j]) }
        }
    }

    /// The sum of `count` elements, in four independent lanes so that the adds pipeline
    /// (`nn_sum`, whose order the compiled training step repeats).
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        nn_sum(x, count)
    }

    /// One Adam step in place (see `nn_adam_update`), at the CPU's full vector width.
    public static func adamUpdate(
        weights: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, firstMoments: UnsafeMutablePointer<Float>,
        secondMoments: UnsafeMutablePointer<Float>, count: Int, beta1: Float, beta2: Float, step: Float, epsilon: Float
    ) {
        forChunks(of: count) { start, size in
            nn_adam_update(weights + start, gradients + start, firstMoments + start, secondMoments + start, size,
                           beta1, beta2, step, epsilon)
        }
    }

    /// One Adam step on each of `count` parameters, in one call (see `nn_adam_update_each`):
    /// parameter i has `counts[i]` weights at `weights[i]`, and so on. The same arithmetic as
    /// `adamUpdate` on each; for small parameters (it runs on one thread).
    public static func adamUpdate(
        each count: Int, weights: UnsafePointer<UnsafeMutablePointer<Float>?>, gradients: UnsafePointer<UnsafePointer<Float>?>,
        firstMoments: UnsafePointer<UnsafeMutablePointer<Float>?>, secondMoments: UnsafePointer<UnsafeMutablePointer<Float>?>,
        counts: UnsafePointer<Int>, beta1: Float, beta2: Float, step: Float, epsilon: Float
    ) {
        nn_adam_update_each(weights, gradients, firstMoments, secondMoments, counts, count, beta1, beta2, step, epsilon)
    }

    /// Runs `body(start, size)` over `0..<count` in one chunk per thread when `count` is at
    /// least `threshold` (`multiple` keeps chunk starts on whole rows). These loops stream
    /// arrays through memory, and each core brings its own caches and bandwidth.
    static func forChunks(of count: Int, multiple: Int = 16, parallelFrom threshold: Int = 1 << 16, _ body: (Int, Int) -> Void) {
        let parts = count < threshold ? 1 : ComputeThreads.count
        let chunk = ((count + parts - 1) / parts + multiple - 1) / multiple * multiple
        ComputeThreads.parallelFor(parts, threads: parts) { part in
            let start = part * chunk
            let size = min(chunk, count - start)
            if size > 0 { body(start, size) }
        }
    }

    /// Whether every element is finite (no NaN, no infinity), from per-thread sums: a NaN or an
    /// infinity makes a sum non-finite, and only a non-finite sum (which huge finite values can
    /// also give) is checked element by element.
    public static func allFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        let parts = count < 1 << 16 ? 1 : ComputeThreads.count
        let chunk = (count + parts - 1) / parts
        let finite = UnsafeMutableBufferPointer<Bool>.allocate(capacity: parts)
        defer { finite.deallocate() }
        ComputeThreads.parallelFor(parts, threads: parts) { part in
            let start = part * chunk, size = min(chunk, count - start)
            guard size > 0 else { finite[part] = true; return }
            finite[part] = sum(x + start, count: size).isFinite || !(0..<size).contains { !x[start + $0].isFinite }
        }
        return finite.allSatisfy { $0 }
    }

    /// `target[r, j] = source[rows[r], j] · scale` for `count` rows of `width` bytes: a batch of
    /// byte images gathered and converted to floats in one vectorised pass. The caller checks
    /// that every row is in range.
    public static func gatherScaledBytes(
        _ source: UnsafePointer<UInt8>, rows: UnsafePointer<Int>, count: Int, width: Int, scale: Float,
        into target: UnsafeMutablePointer<Float>
    ) {
        nn_gather_scaled_bytes(source, rows, count, width, scale, target)
    }

    /// `dy = x > 0 ? dy : 0` in place: the upstream gradient of ReLU becomes its input
    /// gradient (`x` is ReLU's input or output; both are positive in the same places).
    public static func reluBackward(_ x: UnsafePointer<Float>, scaling dy: UnsafeMutablePointer<Float>, count: Int) {
        forChunks(of: count) { start, size in nn_relu_backward(x + start, dy + start, size) }
    }

    /// `sum = Σ_r x[r, :]` (written, not added). Large sums are shared between threads by bands of whole cache
    /// lines of columns, so every column is still summed in row order: the result does not
    /// depend on the thread count.
    public static func sumRows(_ x: UnsafePointer<Float>, into sum: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        let parts = rows * width < 1 << 16 ? 1 : max(1, min(ComputeThreads.count, width / 16))
        let band = (width / 16 + parts - 1) / parts * 16
        ComputeThreads.parallelFor(parts, threads: parts) { part in
            let start = part * band
            let columns = part == parts - 1 ? width - start : min(band, width - start)
            if columns > 0 { nn_sum_rows(x + start, sum + start, rows, columns, width) }
        }
    }
}
