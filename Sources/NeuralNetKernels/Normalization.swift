import CNeuralNetKernels

/// Layer normalisation over the last axis (see `normalization.c`). Rows are shared between
/// threads in fixed blocks, and the parameter gradients are summed block by block in order, so
/// results do not depend on the thread count.
public enum Normalization {
    /// An array of `count` floats that the caller writes in full before reading.
    static func uninitialized(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Rows per block: the unit of work, and of the partial sums of the parameter gradients.
    static let block = 64

    /// `(x - μ) / σ ⊙ γ + β` for each of `rows` rows of `width`; also returns the normalised
    /// values and `1/σ` per row, which the backward pass needs.
    public static func layerNorm(
        _ x: [Float], gamma: [Float], beta: [Float], rows: Int, width: Int, epsilon: Float
    ) -> (output: [Float], normalized: [Float], inverseDeviation: [Float]) {
        var output = uninitialized(rows * width)
        var normalized = uninitialized(rows * width)
        var inverse = uninitialized(rows)
        let blocks = (rows + block - 1) / block
        x.withUnsafeBufferPointer { x in
            gamma.withUnsafeBufferPointer { gamma in
                beta.withUnsafeBufferPointer { beta in
                    output.withUnsafeMutableBufferPointer { y in
                        normalized.withUnsafeMutableBufferPointer { n in
                            inverse.withUnsafeMutableBufferPointer { s in
                                let (x, gamma, beta, y, n, s) = (x.baseAddress!, gamma.baseAddress!, beta.baseAddress!, y.baseAddress!,
                                                                 n.baseAddress!, s.baseAddress!)
                                ComputeThreads.parallelFor(blocks, threads: rows * width < 1 << 15 ? 1 : ComputeThreads.count) { index in
                                    let start = index * block, count = min(block, rows - start)
                                    nn_layer_norm(x + start * width, gamma, beta, y + start * width, n + start * width, s + start,
                                                  count, width, epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (output, normalized, inverse)
    }

    /// The gradients of the input (when `inputGradient`), of γ and of β.
    public static func layerNormBackward(
        _ g: [Float], normalized: [Float], gamma: [Float], inverseDeviation: [Float], rows: Int, width: Int, inputGradient: Bool
    ) -> (input: [Float]?, gamma: [Float], beta: [Float]) {
        var dx = inputGradient ? uninitialized(rows * width) : nil
        let blocks = (rows + block - 1) / block
        // Per block: dγ, dβ and a row of scratch.
        var partials = [Float](repeating: 0, count: blocks * 3 * width)
        g.withUnsafeBufferPointer { g in
            normalized.withUnsafeBufferPointer { n in
                gamma.withUnsafeBufferPointer { gamma in
                    inverseDeviation.withUnsafeBufferPointer { s in
                        partials.withUnsafeMutableBufferPointer { p in
                            let (g, n, gamma, s, p) = (g.baseAddress!, n.baseAddress!, gamma.baseAddress!, s.baseAddress!, p.baseAddress!)
                            func run(_ dx: UnsafeMutablePointer<Float>?) {
                                ComputeThreads.parallelFor(blocks, threads: rows * width < 1 << 15 ? 1 : ComputeThreads.count) { index in
                                    let start = index * block, count = min(block, rows - start)
                                    let own = p + index * 3 * width
                                    nn_layer_norm_backward(g + start * width, n + start * width, gamma, s + start,
                                                           dx.map { $0 + start * width }, own, own + width, own + 2 * width, count, width)
                                }
                            }
                            if dx != nil { dx!.withUnsafeMutableBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                        }
                    }
                }
            }
        }
        var dGamma = [Float](repeating: 0, count: width), dBeta = [Float](repeating: 0, count: width)
        for index in 0..<blocks {
            for j in 0..<width {
                dGamma[j] += partials[index * 3 * width + j]
                dBeta[j] += partials[index * 3 * width + width + j]
            }
        }
        return (dx, dGamma, dBeta)
    }
}
