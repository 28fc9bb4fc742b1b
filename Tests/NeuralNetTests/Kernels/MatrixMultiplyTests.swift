import CNeuralNetKernels
import Testing
@testable import NeuralNetKernels
@testable import NeuralNet

/// The matrix multiply against the textbook triple loop, for every transpose combination and
/// for sizes that are not multiples of the kernel's blocks.
struct MatrixMultiplyTests {
    func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += x * y
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    @Test(arguments: [(1, 2, 3), (4, 3, 1), (2, 5, 7), (16, 16, 16)])
    func smallAffineGradientsEqualTheGeneralPath(size: (Int, Int, Int)) {
        let (m, k, n) = size
        let x = randomTensor([m, k], seed: 5), w = randomTensor([k, n], seed: 6), dz = randomTensor([m, n], seed: 7)
        var dx = [Float](repeating: 0, count: m * k), dw = [Float](repeating: 0, count: k * n), db = [Float](repeating: 0, count: n)
        x.scalars.withUnsafeBufferPointer { x in
            w.scalars.withUnsafeBufferPointer { w in
                dz.scalars.withUnsafeBufferPointer { dz in
                    MatrixMultiply.smallAffineBackward(
                        m: m, k: k, n: n, x: x.baseAddress!, w: w.baseAddress!, dz: dz.baseAddress!,
                        dx: &dx, dw: &dw, db: &db)
                }
            }
        }
        // Bit for bit what the separate multiplies and the row sum give.
        #expect(dx == dz.matmul(w, transposeOther: true).scalars)
        #expect(dw == x.matmul(dz, transposeSelf: true).scalars)
        #expect(db == dz.sum(alongAxis: 0).scalars)
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (4, 4, 4), (9, 13, 6), (17, 600, 3), (33, 2, 65), (1, 150, 40), (2, 70, 100), (1, 250, 30)])
    func matchesNaiveLoops(size: (Int, Int, Int)) {
        let (m, n, k) = size
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = randomTensor([m * k], seed: 1).scalars
                let b = randomTensor([k * n], seed: 2).scalars
                var c = [Float](repeating: .nan, count: m * n)
                MatrixMultiply.multiply(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, m: m, n: n, k: k)
                let expected = naive(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
                let error = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(error < 1e-4, "m=\(m) n=\(n) k=\(k) transposeA=\(transposeA) transposeB=\(transposeB): max error \(error)")
            }
        }
    }

    /// Every kernel this CPU supports, on sizes that cross the cache blocks (k > 256, m > 96)
    /// and are split between threads, with ragged edges everywhere; a narrow C (n = 40) takes
    /// the path that reads A without packing it. 32 and 104 rows end their blocks with two
    /// and one low micro-panels (`MR_SHORT` rows), 97 with a ragged low one. K = 784 (an
    /// image) goes as four even slices of 196, 301 as 151 and 150.
    @Test(arguments: MatrixMultiply.Kernel.allCases.filter(\.isSupported),
          [(131, 77, 301), (131, 20, 301), (97, 40, 260), (32, 77, 270), (104, 70, 20), (13, 40, 784)])
    func everyKernelMatchesNaiveLoopsOnBlockedSizes(kernel: MatrixMultiply.Kernel, size: (Int, Int, Int)) {
        let (m, n, k) = size
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor([m * k], seed: 3).scalars
            let b = randomTensor([k * n], seed: 4).scalars
            let expected = naive(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            for threads in [1, 2, 3] {
                var c = [Float](repeating: 1, count: m * n)
                MatrixMultiply.multiply(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, m: m, n: n, k: k,
                                        accumulate: true, threads: threads, kernel: kernel)
                let error = zip(c, expected).map { abs($0 - 1 - $1) }.max() ?? 0
                #expect(error < 1e-3, "\(kernel), \(threads) threads, transposes \(transposeA) \(transposeB): max error \(error)")
            }
        }
    }

    /// An untransposed B whose rows lie on different pages (ldb ≥ 1024 floats) is packed eight
    /// of its rows at a time across the panels: every kernel, K = 301 (slices of 151 and 150,
    /// each ending in a group of fewer than eight rows), 1030 columns (a ragged last panel and
    /// column shares that end mid-panel), one and two threads, against naive loops, and the
    /// same bits on both thread counts.
    @Test(arguments: MatrixMultiply.Kernel.allCases.filter(\.isSupported))
    func packingFarApartRowsOfBEightAtATimeMatchesNaiveLoops(kernel: MatrixMultiply.Kernel) {
        let (m, n, k) = (13, 1030, 301)
        let a = randomTensor([m * k], seed: 21).scalars, b = randomTensor([k * n], seed: 22).scalars
        let expected = naive(a, b, m: m, n: n, k: k, transposeA: false, transposeB: false)
        var results: [[Float]] = []
        for threads in [1, 2] {
            var c = [Float](repeating: 0, count: m * n)
            MatrixMultiply.multiply(a, b, into: &c, m: m, n: n, k: k, threads: threads, kernel: kernel)
            let error = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(error < 1e-3, "\(kernel), \(threads) threads: max error \(error)")
            results.append(c)
        }
        #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern), "\(kernel): 1 and 2 threads differ")
    }

    /// Sharing a product between threads must not change a single bit: with 14 rows, two
    /// threads get 12 and 2, and the 2-row block must be summed like the rest.
    @Test func resultsDoNotDependOnTheThreadCount() {
        let (m, n, k) = (14, 300, 301)
        let a = randomTensor([m * k], seed: 5).scalars, b = randomTensor([k * n], seed: 6).scalars
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            var c = [Float](repeating: 0, count: m * n)
            MatrixMultiply.multiply(a, b, into: &c, m: m, n: n, k: k, threads: threads)
            results.append(c)
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
    }

    /// Products split between threads sum every element as one thread does, whichever way
    /// `multiply` splits them: by rows (200 × 150; 2100 × 2050, whose B has two column blocks;
    /// 9 × 32, too narrow for columns), by columns when each thread gets at least 128 of them
    /// (300 × 260 on two threads, and 1030 × 1030 with A transposed) or when a transposed A is
    /// read in place (96 × 64 × 1000), across several slices of K, accumulating or not.
    @Test(arguments: [(200, 150, 600, false), (61, 40, 300, true), (2100, 2050, 3, false), (300, 260, 300, false),
                      (1030, 1030, 4, true), (9, 32, 5000, true), (96, 64, 1000, true)])
    func splittingBetweenThreadsDoesNotChangeABit(m: Int, n: Int, k: Int, transposed: Bool) {
        let a = randomTensor([m * k], seed: 11).scalars, b = randomTensor([k * n], seed: 12).scalars
        let bias = randomTensor([n], seed: 13).scalars
        for accumulate in [false, true] {
            var results: [[Float]] = []
            for threads in [1, 2, 3] {
                var c = [Float](repeating: 0.5, count: m * n)
                MatrixMultiply.multiply(a, transposeA: transposed, b, transposeB: transposed, into: &c, m: m, n: n, k: k,
                                        accumulate: accumulate, bias: bias, relu: true, threads: threads)
                results.append(c)
            }
            #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern), "m=\(m) n=\(n) k=\(k), 2 threads")
            #expect(results[0].map(\.bitPattern) == results[2].map(\.bitPattern), "m=\(m) n=\(n) k=\(k), 3 threads")
            #expect(results[0].contains { $0 > 0 } && results[0].contains { $0 == 0 })
        }
    }

    /// One or two rows stream B through blocks of 256 columns with AVX-512 and 64 otherwise
    /// (then 128, 32, 16 and single columns), and a large product's sum over K is split in two
    /// halves, which two threads compute at once and one thread in turn (`nn_sgemm_rows_split`).
    /// A column's sum must come out the same whichever block holds it and however many threads
    /// share it, bias and ReLU included: 250 = 128 + 64 + 32 + 16 + 10 columns, not split;
    /// 1 × 300 × 500 and 2 × 300 × 250 split, with blocks taking 16 rows of B at a time;
    /// 1 × 600 × 300 split, wider than the single-threaded path's groups of 512 columns.
    @Test(arguments: [(1, 250, 30), (2, 250, 30), (1, 300, 500), (2, 300, 250), (1, 600, 300)])
    func oneRowGivesTheSameBitsOnEveryKernelAndThreadCount(m: Int, n: Int, k: Int) {
        let a = randomTensor([m * k], seed: 14).scalars, b = randomTensor([k * n], seed: 15).scalars
        let bias = randomTensor([n], seed: 16).scalars
        var results: [[UInt32]] = []
        for kernel in MatrixMultiply.Kernel.allCases.filter(\.isSupported) {
            for threads in [1, 2, 3] {
                var c = [Float](repeating: 0.25, count: m * n)
                MatrixMultiply.multiply(a, b, into: &c, m: m, n: n, k: k, accumulate: true, bias: bias, relu: true,
                                        threads: threads, kernel: kernel)
                results.append(c.map(\.bitPattern))
            }
        }
        #expect(results.count >= 6)
        #expect(results.allSatisfy { $0 == results[0] })
        let expected = zip(naive(a, b, m: m, n: n, k: k, transposeA: false, transposeB: false), (0..<(m * n)).map { bias[$0 % n] })
            .map { max($0 + 0.25 + $1, 0) }
        let error = zip(results[0].map { Float(bitPattern: $0) }, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(error < 1e-3)
        #expect(expected.contains { $0 > 0 } && expected.contains { $0 == 0 })
    }

    /// The driver whose threads pack B together (which `multiply` uses for tall products
    /// with a large B) sums every element as the single-threaded driver does, for any number
    /// of parts and row blocks, every kernel, both layouts, across slices of K and two column
    /// blocks of B.
    @Test(arguments: MatrixMultiply.Kernel.allCases.filter(\.isSupported))
    func sharedPackingDriverMatchesTheSingleThreadedOne(kernel: MatrixMultiply.Kernel) {
        // 400 and 600 rows: two row blocks a thread in the multiply phase (for 2 and 3 parts).
        for (m, n, k) in [(200, 150, 600), (40, 2100, 3), (7, 33, 300), (400, 40, 300), (600, 24, 260)] {
            let a = randomTensor([m * k], seed: 21).scalars, b = randomTensor([k * n], seed: 22).scalars
            let bias = randomTensor([n], seed: 23).scalars
            for transposed: Int32 in [0, 1] {
                let (lda, ldb) = transposed == 1 ? (m, k) : (k, n)
                var reference = [Float](repeating: 0.25, count: m * n)
                var workspace = [Float](repeating: 0, count: max(nn_sgemm_parallel_workspace_size(m, n, k, 2), nn_sgemm_parallel_workspace_size(m, n, k, 3)) + 16)
                // The bias pointer must outlive the epilogue's uses: inside its own closure.
                bias.withUnsafeBufferPointer { bias in
                    var epilogue = nn_epilogue(bias: bias.baseAddress, relu: 1)
                    workspace.withUnsafeMutableBufferPointer { w in
                        let aligned = UnsafeMutablePointer<Float>(bitPattern: (Int(bitPattern: w.baseAddress!) + 63) & ~63)!
                        nn_sgemm_blocked(kernel.cValue, transposed, transposed, m, n, k, a, lda, b, ldb, &reference, n, 1, aligned, &epilogue)
                        for parts in [2, 3] {
                            var c = [Float](repeating: 0.25, count: m * n)
                            nn_sgemm_parallel(kernel.cValue, transposed, transposed, m, n, k, a, lda, b, ldb, &c, n, 1, parts, aligned, &epilogue)
                            #expect(c.map(\.bitPattern) == reference.map(\.bitPattern), "\(kernel) \(m)×\(n)×\(k) transposed \(transposed), \(parts) parts")
                        }
                    }
                }
                #expect(reference.contains { $0 > 0 } && reference.contains { $0 == 0 })
            }
        }
    }

    /// The bias-and-ReLU epilogue on every path: plain loops, one row, blocked on one thread,
    /// and blocked with C split into rows or into columns between threads.
    @Test(arguments: [(3, 4, 5), (1, 100, 70), (50, 40, 30), (300, 20, 200), (20, 600, 200)])
    func biasAndReLUAreAppliedOnEveryPath(size: (Int, Int, Int)) {
        let (m, n, k) = size
        let a = randomTensor([m * k], seed: 7).scalars, b = randomTensor([k * n], seed: 8).scalars
        let bias = randomTensor([n], seed: 9).scalars
        let product = naive(a, b, m: m, n: n, k: k, transposeA: false, transposeB: false)
        let expected = (0..<(m * n)).map { max(product[$0] + bias[$0 % n], 0) }
        for threads in [1, 2] {
            var c = [Float](repeating: .nan, count: m * n)
            MatrixMultiply.multiply(a, b, into: &c, m: m, n: n, k: k, bias: bias, relu: true, threads: threads)
            let error = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(error < 1e-4, "m=\(m) n=\(n) k=\(k), \(threads) threads: max error \(error)")
        }
    }

    /// The micro-kernels add the bias and apply ReLU in registers before they store a tile; a
    /// ragged tile gets them from a pass over C. Both must give the bits of the product followed
    /// by `c + bias` and `c < 0 ? 0 : c`, NaN included: every kernel, full and ragged tiles,
    /// several slices of K, accumulating or not.
    @Test(arguments: MatrixMultiply.Kernel.allCases.filter(\.isSupported))
    func theEpilogueInRegistersGivesTheBitsOfASeparatePass(kernel: MatrixMultiply.Kernel) {
        let (m, n, k) = (45, 70, 300)
        var a = randomTensor([m * k], seed: 21).scalars
        a[5 * k + 7] = .nan                                                   // row 5 of C is NaN
        let b = randomTensor([k * n], seed: 22).scalars, bias = randomTensor([n], seed: 23).scalars
        for accumulate in [false, true] {
            let start = randomTensor([m * n], seed: 24).scalars
            var plain = start, fused = start
            MatrixMultiply.multiply(a, b, into: &plain, m: m, n: n, k: k, accumulate: accumulate, threads: 1, kernel: kernel)
            let expected = plain.indices.map { index -> Float in
                let value = plain[index] + bias[index % n]
                return value < 0 ? 0 : value
            }
            MatrixMultiply.multiply(a, b, into: &fused, m: m, n: n, k: k, accumulate: accumulate, bias: bias, relu: true, threads: 1,
                                    kernel: kernel)
            let differing = fused.indices.filter { fused[$0].bitPattern != expected[$0].bitPattern }
            #expect(differing.isEmpty, "\(kernel), accumulate \(accumulate): \(differing.count) elements differ, the first at \(differing.first ?? 0)")
            #expect(fused.contains { $0.isNaN } && fused.contains { $0 == 0 } && fused.contains { $0 > 0 })
        }
    }

    /// Planned for an L1 cache of 8 ways (Zen 3's), an untransposed A whose rows crowd the same
    /// cache sets (lda = 1024) is packed instead of read in place: the same bits, every kernel.
    @Test(arguments: MatrixMultiply.Kernel.allCases.filter(\.isSupported))
    func packingAForAnEightWayCacheChangesNoBit(kernel: MatrixMultiply.Kernel) {
        let (m, n, k) = (100, 40, 1024)
        let a = randomTensor([m * k], seed: 5).scalars
        let b = randomTensor([k * n], seed: 6).scalars
        var inPlace = [Float](repeating: 0, count: m * n), packed = inPlace
        MatrixMultiply.multiply(a, b, into: &inPlace, m: m, n: n, k: k, threads: 1, kernel: kernel)
        nn_gemm_assume_l1_ways(8)
        // Every row of A 4 KB from the last: all in the same sets, packed; 784 floats apart
        // (Fashion-MNIST's rows): spread, read in place.
        #expect(nn_gemm_reads_a_in_place(1024, 256, 16) == 0 && nn_gemm_reads_a_in_place(784, 256, 16) == 1)
        MatrixMultiply.multiply(a, b, into: &packed, m: m, n: n, k: k, threads: 1, kernel: kernel)
        nn_gemm_assume_l1_ways(12)
        #expect(nn_gemm_reads_a_in_place(1024, 256, 32) == 1)
        nn_gemm_assume_l1_ways(0)
        #expect(packed == inPlace)
        let expected = naive(a, b, m: m, n: n, k: k, transposeA: false, transposeB: false)
        #expect((zip(packed, expected).map { abs($0 - $1) }.max() ?? 0) < 1e-3)
    }

    /// A padded copy of a transposed A (the recurrent layers' backward steps) gives the same
    /// bits as reading A transposed in place: the same sums in the same order, every kernel, one
    /// or two threads, for an LSTM's 256 × 32 × 1024 and a ragged 13 × 7 × 300. The padding is
    /// NaN, so reading it would show.
    @Test(arguments: MatrixMultiply.Kernel.allCases.filter(\.isSupported))
    func aPaddedCopyOfATransposedAGivesTheSameBits(kernel: MatrixMultiply.Kernel) {
        for (m, n, k) in [(256, 32, 1024), (13, 7, 300)] {
            let a = randomTensor([k * m], seed: 7).scalars, b = randomTensor([k * n], seed: 8).scalars
            let stride = k + 16
            var copy = [Float](repeating: .nan, count: m * stride)
            MatrixMultiply.transpose(a, rows: k, columns: m, into: &copy, rowStride: stride)
            let expected = naive(a, b, m: m, n: n, k: k, transposeA: true, transposeB: false)
            for threads in [1, 2] {
                var inPlace = [Float](repeating: 0.5, count: m * n), fromCopy = inPlace
                MatrixMultiply.multiply(a, transposeA: true, b, into: &inPlace, m: m, n: n, k: k, accumulate: true,
                                        threads: threads, kernel: kernel)
                MatrixMultiply.multiply(copy, aRowStride: stride, b, into: &fromCopy, m: m, n: n, k: k, accumulate: true,
                                        threads: threads, kernel: kernel)
                #expect(fromCopy == inPlace, "\(m) × \(n) × \(k), \(kernel), \(threads) threads")
                let error = zip(fromCopy, expected).map { abs($0 - 0.5 - $1) }.max() ?? .nan
                #expect(error < 1e-3, "\(m) × \(n) × \(k), \(kernel): max error \(error)")
            }
        }
    }

    @Test func accumulatesIntoExistingValues() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c: [Float] = [1, 1, 1, 1]
        MatrixMultiply.multiply(a, b, into: &c, m: 2, n: 2, k: 2, accumulate: true)
        #expect(c == [20, 23, 44, 51])
    }

    @Test func emptyInnerDimensionGivesZeros() {
        var c: [Float] = [7, 7]
        MatrixMultiply.multiply([], [], into: &c, m: 1, n: 2, k: 0)
        #expect(c == [0, 0])
    }

    @Test func transposeMatchesDefinition() {
        let x = randomTensor([37, 45])
        let t = x.transposed()
        #expect(t.shape == [45, 37])
        for r in 0..<37 { for c in 0..<45 { #expect(t[c, r] == x[r, c]) } }
    }
}
