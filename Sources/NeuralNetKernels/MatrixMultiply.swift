import CNeuralNetKernels
import Synchronization

/// Single-precision matrix multiply on row-major buffers:
/// `C[m, n] = op(A)[m, k] · op(B)[k, n] (+ C when accumulating)`.
///
/// The blocked, packed kernel lives in the C target `CNeuralNetKernels`, which picks AVX-512,
/// AVX2 or portable code for the CPU at run time. This layer splits C into one block per thread,
/// runs the blocks on the kernels' thread pool, and lends each a reusable workspace, so a
/// training step allocates nothing here.
public enum MatrixMultiply {
    /// The most multiply-adds (`m · n · k`) of a tiny product.
    public static var tinyProduct: Int { Int(NN_TINY_PRODUCT) }

    /// Whether a product of these sizes is small enough for loops (`smallAffineBackward`):
    /// `m · n · k ≤ tinyProduct`.
    public static func isTiny(m: Int, n: Int, k: Int) -> Bool {
        m * n * k <= tinyProduct
    }

    /// The gradients of `z = x · w + b` for a tiny product (see `isTiny`) in one call:
    /// `dx = dz · wᵀ` `[m, k]`, `dw = xᵀ · dz` `[k, n]` and `db = Σ_rows dz` `[n]`, each
    /// skipped when its pointer is nil. Equal to what `multiply` and `Elementwise.sumRows` give.
    public static func smallAffineBackward(
        m: Int, k: Int, n: Int, x: UnsafePointer<Float>, w: UnsafePointer<Float>, dz: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?
    ) {
        if !isTiny(m: m, n: n, k: k) { fatalError("smallAffineBackward: \(m)×\(k)×\(n) is not a tiny product") }
        nn_small_affine_backward(m, k, n, x, w, dz, dx, dw, db)
    }

    /// Computes `C = op(A) · op(B)`, or `C += op(A) · op(B)` when `accumulate` is true.
    ///
    /// - Parameters:
    ///   - a: `[m, k]` row-major, or `[k, m]` when `transposeA` is true.
    ///   - aRowStride: the floats from one stored row of A to the next, at least its width
    ///     (`nil`: the width, `k`, or `m` when transposed). A padded stride keeps the rows of a
    ///     matrix whose width is a multiple of 1,024 floats out of each other's cache sets.
    ///   - b: `[k, n]` row-major, or `[n, k]` when `transposeB` is true.
    ///   - c: `[m, n]` row-major; must not alias `a` or `b`.
    ///   - bias: `[n]`, added to every row of C once the product is complete (while each tile is
    ///     still in cache).
    ///   - relu: `C = max(C, 0)` after the bias.
    ///   - threads: how many threads may share the work (`nil`: `ComputeThreads.count`).
    public static func multiply(
        _ a: UnsafePointer<Float>, transposeA: Bool = false, aRowStride: Int? = nil,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool = false,
        bias: UnsafePointer<Float>? = nil, relu: Bool = false,
        threads: Int? = nil, kernel: Kernel = .automatic
    ) {
        var epilogue = nn_epilogue(bias: bias, relu: relu ? 1 : 0)
        if m < 0 || n < 0 || k < 0 { fatalError("matrix multiply: negative size m=\(m) n=\(n) k=\(k)") }
        let width = transposeA ? m : k
        if let aRowStride, aRowStride < width {
            fatalError("matrix multiply: aRowStride \(aRowStride) is less than A's width \(width)")
        }
        guard m > 0, n > 0 else { return }
        let (lda, ldb) = (aRowStride ?? width, transposeB ? k : n)
        let threads = threads ?? ComputeThreads.count
        if nn_sgemm_needs_workspace(m, n, k, transposeB ? 1 : 0) == 0 {
            // One or two rows stream B once. A large one's sum over K is split in two halves
            // (`nn_sgemm_rows_split`), which two threads compute at once, each streaming one
            // contiguous half of B's rows from its own core's cache: one-sample inference of a
            // 784-256 layer. One thread sums the same halves in turn.
            let half = nn_sgemm_rows_split(m, n, k)
            guard half > 0, min(threads, 2) > 1 else {
                nn_sgemm(kernel.cValue, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, c, n,
                         accumulate ? 1 : 0, nil, &epilogue)
                return
            }
            Workspace.shared.withBuffer(floats: m * n) { partial in
                nn_sgemm_rows_split_product(kernel.cValue, transposeA ? 1 : 0, m, n, k, a, lda, b, ldb, c, n,
                                            accumulate ? 1 : 0, partial, 2, &epilogue)
            }
            return
        }
        // Below about a million multiply-adds, waking a second thread costs more than it saves
        // (measured: one-sample inference, 200,000 multiply-adds, is slower on two threads).
        let parts = m * n * k < 1 << 20 ? 1 : max(1, min(threads, 64))
        // Columns when each thread gets at least 128 and A is not far taller than B is wide:
        // each thread packs only its own columns of B and reads them from its own core's cache,
        // and all read A in place (a transposed A each must pack whole: only for wide shares).
        // Against rows, two threads: gemm n = 256 4% faster, 1,000-sample inference 2.5%,
        // n = 1024 and 2048 about 1%. Otherwise the longer side of C, in whole tiles, but rows
        // when C is too narrow to give each thread a tile of columns (a first convolution's
        // weight gradient, 9 × 32 × 43,264: 1.3 to 1.4 times faster than on one thread).
        let wideShares = n >= parts * 128 && m <= 4 * n && (!transposeA || n >= parts * 512)
        // Columns also for a weight gradient (A transposed, K the long side) whose share of
        // columns is at most two tiles: the driver then reads A in place instead of packing it
        // (two threads: 512 × 128 × 4096 1.4 times as fast as by rows with AVX-512's 32-wide
        // tiles; 288 × 64 × 7744, a convolution's, 1.26 times with AVX2's 16-wide ones).
        let columnShare = ((n + parts - 1) / parts + 31) / 32 * 32
        let readsAInPlace = transposeA && k >= 4 * m && n >= parts * 32
            && nn_sgemm_reads_transposed_a_in_place(kernel.cValue, columnShare) != 0
        let splitRows = ((m >= n && !wideShares) || n < parts * 32) && !readsAInPlace
        if splitRows && parts > 1 && n * k >= 1 << 20 && m >= k {
            // Row blocks of their own would each pack all of B: the threads pack it together.
            // Only for a large B (n·k ≥ 2^20): for a smaller one the two fork-joins per slice
            // of K cost more than the packing saved (an MLP epoch was 9% slower). And not when
            // K is the long side (weight gradients): each thread then has too few rows to reuse
            // the other's panels of B, which it reads from the other core (9 × 32 × 43,264 ran
            // at half the rate of blocks of their own with AVX-512, at 0.8 of it with AVX2).
            let parts = min(parts, (m + 5) / 6)
            Workspace.shared.withBuffer(floats: nn_sgemm_parallel_workspace_size(m, n, k, parts)) { workspace in
                nn_sgemm_parallel(kernel.cValue, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb,
                                  c, n, accumulate ? 1 : 0, parts, workspace, &epilogue)
            }
            return
        }
        let length = splitRows ? m : n
        let tile = splitRows ? 6 : 32
        let chunk = ((length + parts - 1) / parts + tile - 1) / tile * tile
        let blocks = (length + chunk - 1) / chunk

        // One buffer with a 64-byte-aligned slice per block: block i (which the pool gives the
        // same thread each time) packs into the same memory every call, so its packed panels
        // stay in that core's cache instead of moving between cores (2 threads, against a
        // buffer per block from the shared free list: gemm n = 256 15% faster, 2048 4%).
        let slice = (Int(nn_sgemm_workspace_size(splitRows ? chunk : m, splitRows ? n : chunk, k)) + 15) / 16 * 16
        Workspace.shared.withBuffer(floats: slice * blocks) { workspace in
            ComputeThreads.parallelFor(blocks, threads: parts) { block in
                let start = block * chunk
                let size = min(chunk, length - start)
                guard size > 0 else { return }
                let (rows, columns) = splitRows ? (size, n) : (m, size)
                // Offsets of the block in op(A), op(B) and C, read through each matrix's layout.
                let aStart = splitRows ? (transposeA ? start : start * lda) : 0
                let bStart = splitRows ? 0 : (transposeB ? start * ldb : start)
                let cStart = splitRows ? start * n : start
                // The bias is indexed by the block's own columns.
                var blockEpilogue = nn_epilogue(bias: splitRows ? bias : bias.map { $0 + start }, relu: relu ? 1 : 0)
                nn_sgemm_blocked(kernel.cValue, transposeA ? 1 : 0, transposeB ? 1 : 0, rows, columns, k,
                                 a + aStart, lda, b + bStart, ldb, c + cStart, n,
                                 accumulate ? 1 : 0, workspace + block * slice, &blockEpilogue)
            }
        }
    }

    /// The instruction sets the multiply can use.
    public enum Kernel: Sendable, CaseIterable, CustomStringConvertible {
        /// The best this CPU supports.
        case automatic
        /// Plain C, vectorised by the compiler for the baseline target.
        case portable
        /// AVX2 with FMA.
        case avx2
        /// AVX-512F.
        case avx512

        var cValue: nn_kernel {
            switch self {
            case .automatic: NN_KERNEL_AUTOMATIC
            case .portable: NN_KERNEL_PORTABLE
            case .avx2: NN_KERNEL_AVX2
            case .avx512: NN_KERNEL_AVX512
            }
        }

        /// The kernel `.automatic` chooses on this CPU.
        public static var best: Kernel {
            switch nn_best_kernel() {
            case NN_KERNEL_AVX512: .avx512
            case NN_KERNEL_AVX2: .avx2
            default: .portable
            }
        }

        /// Whether this CPU can run the kernel.
        public var isSupported: Bool {
            switch self {
            case .automatic, .portable: true
            case .avx2: Kernel.best == .avx2 || Kernel.best == .avx512
            case .avx512: Kernel.best == .avx512
            }
        }

        public var description: String {
            switch self {
            case .automatic: "automatic (\(Kernel.best))"
            case .portable: "portable C"
            case .avx2: "AVX2+FMA"
            case .avx512: "AVX-512"
            }
        }
    }

    /// Writes the transpose of the row-major `[rows, columns]` matrix `x` into `[columns, rows]`,
    /// whose rows lie `rowStride` floats apart (`nil`: `rows`, dense).
    public static func transpose(
        _ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>, rowStride: Int? = nil
    ) {
        let stride = rowStride ?? rows
        if stride < rows { fatalError("transpose: rowStride \(stride) is less than the \(rows) values of a row") }
        let block = 32
        var r0 = 0
        while r0 < rows {
            let r1 = min(r0 + block, rows)
            var c0 = 0
            while c0 < columns {
                let c1 = min(c0 + block, columns)
                for r in r0..<r1 {
                    for col in c0..<c1 { y[col * stride + r] = x[r * columns + col] }
                }
                c0 = c1
            }
            r0 = r1
        }
    }
}

/// Packing buffers lent to matrix multiplies and given back, so that steady-state training
/// allocates no workspace. Each buffer is 64-byte aligned, as the AVX-512 kernel loads need.
final class Workspace: Sendable {
    static let shared = Workspace()

    /// A buffer owned by whoever holds it: the free list, or the one multiply that took it.
    // @unchecked: a raw pointer is not Sendable, but a buffer is only ever in one place at a
    // time, handed over under the mutex.
    struct Buffer: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        let bytes: Int
    }

    private let free = Mutex<[Buffer]>([])

    /// Runs `body` with a buffer of at least `floats` floats.
    func withBuffer<Result>(floats: Int, _ body: (UnsafeMutablePointer<Float>) -> Result) -> Result {
        let bytes = floats * MemoryLayout<Float>.stride
        var taken = free.withLock { list -> Buffer? in
            guard let index = list.firstIndex(where: { $0.bytes >= bytes }) else { return list.popLast() }
            return list.remove(at: index)
        }
        if let small = taken, small.bytes < bytes {
            small.pointer.deallocate()
            taken = nil
        }
        let buffer = taken ?? Buffer(pointer: .allocate(byteCount: bytes, alignment: 64), bytes: bytes)
        defer { free.withLock { $0.append(buffer) } }
        return body(buffer.pointer.assumingMemoryBound(to: Float.self))
    }
}
