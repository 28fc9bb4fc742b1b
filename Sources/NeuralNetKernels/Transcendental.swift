import CNeuralNetKernels

/// Exponentials, GELU and softmax over raw buffers, through a polynomial `exp` that vectorises
/// (see `transcendental.c`); large buffers are shared between threads.
extension Elementwise {
    /// tanh(x) within 0.53 ulp for every float (the C library's `tanhf`: 2.2 by the same
    /// measure), the same bits on every CPU (`nn_tanhf`: a rational function evaluated in
    /// double, no fused multiply-add, no branch). Inlined into the caller.
    @inlinable
    public static func tanh(_ x: Float) -> Float { nn_tanhf(x) }

    /// tanh's derivative from its output `y = tanh(x)`: `1 - y²` (`nn_tanh_slope`, the one
    /// definition the activation table and compiled training's kernel share).
    @inlinable
    public static func tanhSlope(output y: Float) -> Float { nn_tanh_slope(y) }

    /// `y[i] = e^{x[i]}` (about 2 ulp).
    public static func exp(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        forChunks(of: count) { start, size in nn_exp(x + start, y + start, size) }
    }

    /// `y[i] = x[i] · Φ(x[i])`, the exact GELU.
    public static func gelu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        forChunks(of: count) { start, size in nn_gelu(x + start, y + start, size) }
    }

    /// `dy[i] *= GELU'(x[i])` in place.
    public static func geluBackward(_ x: UnsafePointer<Float>, scaling dy: UnsafeMutablePointer<Float>, count: Int) {
        forChunks(of: count) { start, size in nn_gelu_backward(x + start, dy + start, size) }
    }

    /// Softmax (or log-softmax) in place over each row of `[rows, width]`; an all `-∞` row
    /// becomes zeros (log-softmax: stays `-∞`).
    public static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, logarithm: Bool = false) {
        forRowChunks(rows: rows, width: width) { start, count in
            nn_softmax_rows(x + start * width, count, width, width, logarithm ? 1 : 0)
        }
    }

    /// `dy ← y ⊙ (dy - Σ_row dy ⊙ y)` in place: softmax's input gradient from its output `y`.
    public static func softmaxRowsBackward(_ y: UnsafePointer<Float>, scaling dy: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        forRowChunks(rows: rows, width: width) { start, count in
            nn_softmax_rows_backward(y + start * width, dy + start * width, count, width, width)
        }
    }

    /// Dropout of `count` elements: `y[i] = random[i] < threshold ? x[i] · scale : 0`, with
    /// `random` 16-bit uniform draws (`x` and `y` may be the same buffer).
    public static func dropout(
        random: UnsafePointer<UInt16>, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
        threshold: UInt32, scale: Float
    ) {
        forChunks(of: count) { start, size in nn_dropout(random + start, x + start, y + start, size, threshold, scale) }
    }

    /// `body(firstRow, rowCount)` over whole rows, one chunk per thread when the rows are many.
    static func forRowChunks(rows: Int, width: Int, _ body: (Int, Int) -> Void) {
        let parts = rows * width < 1 << 15 ? 1 : max(1, min(ComputeThreads.count, rows))
        let chunk = (rows + parts - 1) / parts
        ComputeThreads.parallelFor(parts, threads: parts) { part in
            let start = part * chunk
            let count = min(chunk, rows - start)
            if count > 0 { body(start, count) }
        }
    }
}
