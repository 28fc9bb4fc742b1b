/// Single-precision matrix multiply on row-major buffers:
/// `C[m, n] = op(A)[m, k] · op(B)[k, n] (+ C when accumulating)`.
///
/// `op(X)` is `X` or its transpose, read in place through the leading dimension. Callers above
/// this module never see how the product is computed, so the loops can change freely.
public enum MatrixMultiply {
    /// Computes `C = op(A) · op(B)`, or `C += op(A) · op(B)` when `accumulate` is true.
    ///
    /// - Parameters:
    ///   - a: `[m, k]` row-major, or `[k, m]` when `transposeA` is true.
    ///   - b: `[k, n]` row-major, or `[n, k]` when `transposeB` is true.
    ///   - c: `[m, n]` row-major; must not alias `a` or `b`.
    public static func multiply(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        into c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool = false
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "matrix multiply: negative size m=\(m) n=\(n) k=\(k)")
        if !accumulate { c.update(repeating: 0, count: m * n) }
        guard m > 0, n > 0, k > 0 else { return }
        if transposeB {
            // Rows of C are built from rows of B, so B is laid out [k, n] once per call.
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            defer { scratch.deallocate() }
            transpose(b, rows: n, columns: k, into: scratch)
            rowKernel(a, transposeA: transposeA, scratch, c, m: m, n: n, k: k)
        } else {
            rowKernel(a, transposeA: transposeA, b, c, m: m, n: n, k: k)
        }
    }

    /// Writes the transpose of the row-major `[rows, columns]` matrix `x` into `[columns, rows]`.
    public static func transpose(
        _ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>
    ) {
        let block = 32
        var r0 = 0
        while r0 < rows {
            let r1 = min(r0 + block, rows)
            var c0 = 0
            while c0 < columns {
                let c1 = min(c0 + block, columns)
                for r in r0..<r1 {
                    for col in c0..<c1 { y[col * rows + r] = x[r * columns + col] }
                }
                c0 = c1
            }
            r0 = r1
        }
    }

    /// `C[i, :] += Σ_p A(i, p) · B[p, :]`, four rows of C at a time so each row of B is read once
    /// per four rows; the inner loop over `j` is contiguous and vectorises.
    private static func rowKernel(
        _ a: UnsafePointer<Float>, transposeA: Bool,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int
    ) {
        // A(i, p): element (i, p) of op(A).
        let rowStride = transposeA ? 1 : k
        let columnStride = transposeA ? m : 1
        let columnBlock = 512
        var j0 = 0
        while j0 < n {
            let width = min(columnBlock, n - j0)
            var i = 0
            while i + 4 <= m {
                let c0 = c + i * n + j0, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n
                for p in 0..<k {
                    let a0 = a[i * rowStride + p * columnStride]
                    let a1 = a[(i + 1) * rowStride + p * columnStride]
                    let a2 = a[(i + 2) * rowStride + p * columnStride]
                    let a3 = a[(i + 3) * rowStride + p * columnStride]
                    let bRow = b + p * n + j0
                    for j in 0..<width {
                        let bj = bRow[j]
                        c0[j] += a0 * bj
                        c1[j] += a1 * bj
                        c2[j] += a2 * bj
                        c3[j] += a3 * bj
                    }
                }
                i += 4
            }
            while i < m {
                let cRow = c + i * n + j0
                for p in 0..<k {
                    let ai = a[i * rowStride + p * columnStride]
                    let bRow = b + p * n + j0
                    for j in 0..<width { cRow[j] += ai * bRow[j] }
                }
                i += 1
            }
            j0 += width
        }
    }
}
