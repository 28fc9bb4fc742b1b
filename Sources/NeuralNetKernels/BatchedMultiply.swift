import CNeuralNetKernels

extension MatrixMultiply {
    /// Computes `batch` independent products `C_i = op(A_i) · op(B_i)` (or `+=` when
    /// `accumulate`), each `[m, k] · [k, n]`, in one call: the products are shared among the
    /// threads, each running the single-threaded blocked kernel with its own workspace. When there
    /// are fewer products than threads, each product is threaded instead.
    ///
    /// - Parameters:
    ///   - aOffsets: where each `A_i` starts in `a`, in floats (equal offsets broadcast one matrix).
    ///   - bOffsets: where each `B_i` starts in `b`.
    ///   - c: `batch` results of `m · n` floats, one after another; must not alias `a` or `b`.
    public static func multiplyBatched(
        _ a: UnsafePointer<Float>, transposeA: Bool = false, aOffsets: [Int],
        _ b: UnsafePointer<Float>, transposeB: Bool = false, bOffsets: [Int],
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool = false, threads: Int? = nil, kernel: Kernel = .automatic
    ) {
        let batch = aOffsets.count
        guard batch == bOffsets.count else {
            fatalError("multiplyBatched: \(aOffsets.count) offsets into A but \(bOffsets.count) into B")
        }
        guard m > 0, n > 0, batch > 0 else { return }
        let threads = threads ?? ComputeThreads.count
        if batch == 1 || batch < threads && m * n * k >= 1 << 20 {
            for item in 0..<batch {
                multiply(a + aOffsets[item], transposeA: transposeA, b + bOffsets[item], transposeB: transposeB,
                         into: c + item * m * n, m: m, n: n, k: k, accumulate: accumulate, threads: threads, kernel: kernel)
            }
            return
        }
        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
        let parts = batch * m * n * k < 1 << 18 ? 1 : min(threads, batch)
        let chunk = (batch + parts - 1) / parts
        let needsWorkspace = nn_sgemm_needs_workspace(m, n, k, transposeB ? 1 : 0) != 0
        aOffsets.withUnsafeBufferPointer { aOffsets in
            bOffsets.withUnsafeBufferPointer { bOffsets in
                ComputeThreads.parallelFor(parts, threads: parts) { part in
                    let items = (part * chunk)..<min(batch, (part + 1) * chunk)
                    guard !items.isEmpty else { return }
                    func run(_ workspace: UnsafeMutablePointer<Float>?) {
                        for item in items {
                            nn_sgemm(kernel.cValue, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k,
                                     a + aOffsets[item], lda, b + bOffsets[item], ldb, c + item * m * n, n,
                                     accumulate ? 1 : 0, workspace, nil)
                        }
                    }
                    if needsWorkspace {
                        Workspace.shared.withBuffer(floats: nn_sgemm_workspace_size(m, n, k)) { run($0) }
                    } else {
                        run(nil)
                    }
                }
            }
        }
    }
}

extension MatrixMultiply {
    /// `C (+)= op(A) · op(B)` on the calling thread only, with explicit leading dimensions (the
    /// distance between rows of each row-major matrix), so that matrices can be read from and
    /// written into slices of larger arrays (one head of a `[batch, time, heads · d]` tensor).
    /// For callers that share work between threads themselves.
    public static func multiplyOnThisThread(
        _ a: UnsafePointer<Float>, transposeA: Bool = false, lda: Int,
        _ b: UnsafePointer<Float>, transposeB: Bool = false, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int, accumulate: Bool = false,
        kernel: Kernel = .automatic
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
            return
        }
        if nn_sgemm_needs_workspace(m, n, k, transposeB ? 1 : 0) == 0 {
            nn_sgemm(kernel.cValue, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc,
                     accumulate ? 1 : 0, nil, nil)
            return
        }
        Workspace.shared.withBuffer(floats: nn_sgemm_workspace_size(m, n, k)) { workspace in
            nn_sgemm(kernel.cValue, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc,
                     accumulate ? 1 : 0, workspace, nil)
        }
    }
}
