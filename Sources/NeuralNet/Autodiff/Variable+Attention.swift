import NeuralNetKernels

/// Scaled dot-product attention as one fused node of the tape.
extension Variable {
    /// Multi-head attention of projected queries, keys and values side by side:
    /// `self` is `[batch, time, 3 · d]` (q, then k, then v, each `heads` heads of `d / heads`),
    /// the result `[batch, time, d]` with head `h` of position `t` equal to
    /// `dropout(softmax(q_h kᵀ_h / √(d/heads) + mask)) · v_h`. `causal` hides later keys;
    /// `paddingMask` `[batch, time]` hides keys marked 0; a query that sees no key gets zeros.
    /// Dropout masks come from `dropoutSeed` (one stream per batch entry and head), so the result
    /// does not depend on the thread count.
    ///
    /// Each (batch entry, head) is computed on one thread with products read straight from the
    /// strided slices of `self`, so nothing is permuted or copied; the attention weights are kept
    /// for the backward pass, which recomputes the dropout masks from the seed.
    func attention(heads: Int, causal: Bool, paddingMask: Tensor?, dropout: Float, dropoutSeed: UInt64) -> Variable {
        let (batch, time, triple) = (shape[0], shape[1], shape[2])
        let width = triple / 3, headWidth = width / heads
        let scale = 1 / Float(headWidth).squareRoot()
        let items = batch * heads, square = time * time
        let qkv = value
        var weights = [Float].scalars(count: items * square, zeroed: false)
        var output = Tensor(uninitializedDimensions: Dimensions([batch, time, width]))
        let padding = paddingMask?.scalars

        /// Hides masked keys and turns one item's scores into attention weights, in place.
        func normalize(_ scores: UnsafeMutablePointer<Float>, sample: Int) {
            for i in 0..<square { scores[i] *= scale }
            if causal {
                for query in 0..<time { (scores + query * time + query + 1).update(repeating: -.infinity, count: time - query - 1) }
            }
            if let padding {
                for key in 0..<time where padding[sample * time + key] == 0 {
                    for query in 0..<time { scores[query * time + key] = -.infinity }
                }
            }
            Elementwise.softmaxRows(scores, rows: time, width: time)
        }
        /// `weights ⊙ mask` of one item into `target` (which may be `weights`), the mask drawn
        /// from the item's own stream.
        func dropped(_ weights: UnsafePointer<Float>, item: Int, into target: UnsafeMutablePointer<Float>) {
            var generator = SeededGenerator(seed: dropoutSeed, stream: UInt64(item))
            Dropout.Mask(count: square, rate: dropout, generator: &generator).apply(weights, into: target)
        }
        let threads = ComputeThreads.count
        let parts = Swift.min(threads, items)
        qkv.scalars.withUnsafeBufferPointer { x in
            weights.withUnsafeMutableBufferPointer { p in
                output.scalars.withUnsafeMutableBufferPointer { y in
                    let (x, p, y) = (x.baseAddress!, p.baseAddress!, y.baseAddress!)
                    ComputeThreads.parallelFor(parts, threads: parts) { part in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: dropout > 0 ? square : 0)
                        defer { scratch.deallocate() }
                        for item in stride(from: part, to: items, by: parts) {
                            let (sample, head) = (item / heads, item % heads)
                            let base = x + sample * time * triple + head * headWidth
                            let scores = p + item * square
                            MatrixMultiply.multiplyOnThisThread(base, lda: triple, base + width, transposeB: true, ldb: triple,
                                                                into: scores, ldc: time, m: time, n: time, k: headWidth)
                            normalize(scores, sample: sample)
                            var used = UnsafePointer(scores)
                            if dropout > 0 {
                                dropped(scores, item: item, into: scratch)
                                used = UnsafePointer(scratch)
                            }
                            MatrixMultiply.multiplyOnThisThread(used, lda: time, base + 2 * width, ldb: triple,
                                                                into: y + sample * time * width + head * headWidth, ldc: width,
                                                                m: time, n: headWidth, k: time)
                        }
                    }
                }
            }
        }
        return unary(output) { upstream in
            // Every (sample, head) writes its own q, k and v columns in full: no zeroing needed.
            var gradient = Tensor(uninitializedDimensions: qkv.dimensions)
            qkv.scalars.withUnsafeBufferPointer { x in
                weights.withUnsafeBufferPointer { p in
                    upstream.scalars.withUnsafeBufferPointer { dy in
                        gradient.scalars.withUnsafeMutableBufferPointer { dx in
                            let (x, p, dy, dx) = (x.baseAddress!, p.baseAddress!, dy.baseAddress!, dx.baseAddress!)
                            ComputeThreads.parallelFor(parts, threads: parts) { part in
                                let dWeights = UnsafeMutablePointer<Float>.allocate(capacity: square)
                                let droppedWeights = UnsafeMutablePointer<Float>.allocate(capacity: dropout > 0 ? square : 0)
                                defer { dWeights.deallocate(); droppedWeights.deallocate() }
                                for item in stride(from: part, to: items, by: parts) {
                                    let (sample, head) = (item / heads, item % heads)
                                    let offset = sample * time * triple + head * headWidth
                                    let (base, dBase) = (x + offset, dx + offset)
                                    let dOut = dy + sample * time * width + head * headWidth
                                    let weights = p + item * square
                                    var used = weights
                                    if dropout > 0 {
                                        dropped(weights, item: item, into: droppedWeights)
                                        used = UnsafePointer(droppedWeights)
                                    }
                                    // dV = usedᵀ · dOut; d(used) = dOut · Vᵀ
                                    MatrixMultiply.multiplyOnThisThread(used, transposeA: true, lda: time, dOut, ldb: width,
                                                                        into: dBase + 2 * width, ldc: triple, m: time, n: headWidth, k: time)
                                    MatrixMultiply.multiplyOnThisThread(dOut, lda: width, base + 2 * width, transposeB: true, ldb: triple,
                                                                        into: dWeights, ldc: time, m: time, n: time, k: headWidth)
                                    // The same mask again, from the item's stream.
                                    if dropout > 0 { dropped(dWeights, item: item, into: dWeights) }
                                    Elementwise.softmaxRowsBackward(weights, scaling: dWeights, rows: time, width: time)
                                    for i in 0..<square { dWeights[i] *= scale }
                                    // dQ = dScores · K; dK = dScoresᵀ · Q
                                    MatrixMultiply.multiplyOnThisThread(dWeights, lda: time, base + width, ldb: triple,
                                                                        into: dBase, ldc: triple, m: time, n: headWidth, k: time)
                                    MatrixMultiply.multiplyOnThisThread(dWeights, transposeA: true, lda: time, base, ldb: triple,
                                                                        into: dBase + width, ldc: triple, m: time, n: headWidth, k: time)
                                }
                            }
                        }
                    }
                }
            }
            return gradient
        }
    }
}
