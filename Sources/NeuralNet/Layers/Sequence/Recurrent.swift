import NeuralNetKernels

/// The conversions between the recurrent nodes' feature-major states (`[time + 1, units,
/// batch]`) and the layers' batch-first outputs and their gradients.
enum Recurrent {
    /// `weight_hh` `[gates, units]` transposed into `[units, rowStride]`, for each backward
    /// step's `dh_{t-1} = weight_hhᵀ · dGates_t` (`multiply(_, aRowStride: rowStride, ...)`).
    ///
    /// Read transposed in place, each step of K took a few floats from a line a row of
    /// `weight_hh` past the last, lines that share a few cache sets; the copy's rows are read
    /// along K, and padded by a line so that they do not share sets either. The same sums in
    /// the same order (AVX2, two threads, 256 × 32 × 1024: 6 to 11% faster; AVX-512 12 to 15%).
    static func transposedForBackward(_ weight: Tensor) -> (scalars: [Float], rowStride: Int) {
        let (gates, units) = (weight.shape[0], weight.shape[1])
        let rowStride = gates + 16
        var transposed = [Float].scalars(count: units * rowStride, zeroed: false)
        weight.scalars.withUnsafeBufferPointer { w in
            transposed.withUnsafeMutableBufferPointer { t in
                MatrixMultiply.transpose(w.baseAddress!, rows: gates, columns: units, into: t.baseAddress!, rowStride: rowStride)
            }
        }
        return (transposed, rowStride)
    }

    /// The layer's output from the feature-major states `[time + 1, units, batch]`: every step
    /// `[batch, time, units]`, the last `[batch, units]`, or the last hidden and cell states
    /// stacked `[batch, 2, units]`.
    static func output(
        hiddens: [Float], cells: [Float]?, time: Int, batch: Int, units: Int, returnSequences: Bool, returnState: Bool
    ) -> Tensor {
        let state = units * batch
        if returnSequences {
            var result = [Float].scalars(count: batch * time * units, zeroed: false)
            hiddens.withUnsafeBufferPointer { h in
                result.withUnsafeMutableBufferPointer { y in
                    for t in 0..<time {
                        for b in 0..<batch {
                            let target = y.baseAddress! + (b * time + t) * units, source = h.baseAddress! + (t + 1) * state + b
                            for u in 0..<units { target[u] = source[u * batch] }
                        }
                    }
                }
            }
            return Tensor(shape: [batch, time, units], scalars: result)
        }
        let last = time * state
        // A GRU has no cell state: its hidden state stands in for it.
        let parts = returnState ? [hiddens, cells ?? hiddens] : [hiddens]
        var result = [Float].scalars(count: batch * parts.count * units, zeroed: false)
        for (index, part) in parts.enumerated() {
            for u in 0..<units { for b in 0..<batch { result[(b * parts.count + index) * units + u] = part[last + u * batch + b] } }
        }
        return Tensor(shape: returnState ? [batch, 2, units] : [batch, units], scalars: result)
    }

    /// The upstream gradient as the gradient of each step's hidden state `[time, units, batch]`
    /// and of the last cell state `[units, batch]`.
    static func stateGradients(
        _ upstream: Tensor, time: Int, batch: Int, units: Int, returnSequences: Bool, returnState: Bool
    ) -> (hidden: [Float], cell: [Float]) {
        let state = units * batch
        var hidden = [Float](repeating: 0, count: time * state)
        var cell = [Float](repeating: 0, count: state)
        let g = upstream.scalars
        if returnSequences {
            g.withUnsafeBufferPointer { g in
                hidden.withUnsafeMutableBufferPointer { d in
                    for t in 0..<time {
                        for b in 0..<batch {
                            let source = g.baseAddress! + (b * time + t) * units, target = d.baseAddress! + t * state + b
                            for u in 0..<units { target[u * batch] = source[u] }
                        }
                    }
                }
            }
            return (hidden, cell)
        }
        let last = (time - 1) * state, width = returnState ? 2 : 1
        for b in 0..<batch {
            for u in 0..<units {
                hidden[last + u * batch + b] = g[(b * width) * units + u]
                if returnState { cell[u * batch + b] = g[(b * width + 1) * units + u] }
            }
        }
        return (hidden, cell)
    }
}
