import Foundation

/// The LSTM's fused node: the forward pass over all steps and backpropagation through time.
/// Buffers are time-major (`[time, batch, ...]`) so that each step's rows are contiguous.
extension LSTM {
    func sequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        let (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2])
        let (units, gates) = (self.units, 4 * self.units)
        let (returnSequences, returnState) = (self.returnSequences, self.returnState)
        let x = input.value.permuted([1, 0, 2])                                    // [time, batch, features]
        let wIH = weightIH.value, wHH = weightHH.value
        let bias = biasIH.value + biasHH.value
        // Every step's input projection at once: [time · batch, gates].
        var activations = x.reshaped(to: [time * batch, features])
            .matmul(wIH, transposeSelf: false, transposeOther: true, reusing: nil, bias: bias).scalars
        var hiddens = [Float](repeating: 0, count: (time + 1) * batch * units)
        var cells = [Float](repeating: 0, count: (time + 1) * batch * units)
        var cellTanh = [Float](repeating: 0, count: time * batch * units)
        let step = batch * units
        activations.withUnsafeMutableBufferPointer { a in
            hiddens.withUnsafeMutableBufferPointer { h in
                cells.withUnsafeMutableBufferPointer { c in
                    wHH.scalars.withUnsafeBufferPointer { w in
                        for t in 0..<time {
                            let pre = a.baseAddress! + t * batch * gates
                            Recurrent.multiply(h.baseAddress! + t * step, w.baseAddress!, transposeB: true, into: pre,
                                               m: batch, n: gates, k: units, accumulate: true)
                            for b in 0..<batch {
                                let row = pre + b * gates
                                let previous = t * step + b * units, current = (t + 1) * step + b * units
                                for j in 0..<units {
                                    let i = logistic(row[j]), f = logistic(row[units + j])
                                    let g = Foundation.tanh(row[2 * units + j]), o = logistic(row[3 * units + j])
                                    (row[j], row[units + j], row[2 * units + j], row[3 * units + j]) = (i, f, g, o)
                                    let cell = f * c[previous + j] + i * g
                                    let squashed = Foundation.tanh(cell)
                                    c[current + j] = cell
                                    cellTanh[t * step + b * units + j] = squashed
                                    h[current + j] = o * squashed
                                }
                            }
                        }
                    }
                }
            }
        }
        let output = cells.withUnsafeBufferPointer { c in
            Recurrent.output(hiddens: hiddens, lastCell: c.baseAddress! + time * step, time: time, batch: batch, units: units,
                             returnSequences: returnSequences, returnState: returnState)
        }
        let needs = (input.requiresGradient, weightIH.requiresGradient || biasIH.requiresGradient || biasHH.requiresGradient,
                     weightHH.requiresGradient)
        return Variable(output, inputs: [input, weightIH, weightHH, biasIH, biasHH]) { upstream in
            var (dh, dc) = Recurrent.stepGradients(upstream, time: time, batch: batch, units: units,
                                                  returnSequences: returnSequences, returnState: returnState)
            // Pre-activation gradients of every step, [time · batch, gates].
            var dGates = [Float](repeating: 0, count: time * batch * gates)
            var dhPrevious = [Float](repeating: 0, count: step)
            activations.withUnsafeBufferPointer { a in
                dGates.withUnsafeMutableBufferPointer { dG in
                    wHH.scalars.withUnsafeBufferPointer { w in
                        for t in stride(from: time - 1, through: 0, by: -1) {
                            for b in 0..<batch {
                                let row = a.baseAddress! + (t * batch + b) * gates
                                let dRow = dG.baseAddress! + (t * batch + b) * gates
                                for j in 0..<units {
                                    let index = t * step + b * units + j
                                    let (i, f, g, o) = (row[j], row[units + j], row[2 * units + j], row[3 * units + j])
                                    let squashed = cellTanh[index]
                                    let dHidden = dh[index]
                                    let dCell = dc[b * units + j] + dHidden * o * (1 - squashed * squashed)
                                    dRow[j] = dCell * g * i * (1 - i)
                                    dRow[units + j] = dCell * cells[t * step + b * units + j] * f * (1 - f)
                                    dRow[2 * units + j] = dCell * i * (1 - g * g)
                                    dRow[3 * units + j] = dHidden * squashed * o * (1 - o)
                                    dc[b * units + j] = dCell * f
                                }
                            }
                            guard t > 0 else { break }
                            // dh_{t-1} += dGates_t · weight_hh
                            dhPrevious.withUnsafeMutableBufferPointer { previous in
                                Recurrent.multiply(dG.baseAddress! + t * batch * gates, w.baseAddress!, into: previous.baseAddress!,
                                                   m: batch, n: units, k: gates)
                            }
                            for index in 0..<step { dh[(t - 1) * step + index] += dhPrevious[index] }
                        }
                    }
                }
            }
            let dGatesTensor = Tensor(shape: [time * batch, gates], scalars: dGates)
            let dx = needs.0
                ? dGatesTensor.matmul(wIH).reshaped(to: [time, batch, features]).permuted([1, 0, 2]) : nil
            let dwIH = needs.1 ? dGatesTensor.matmul(x.reshaped(to: [time * batch, features]), transposeSelf: true) : nil
            let previousHiddens = Tensor(shape: [time * batch, units], scalars: Array(hiddens[0..<(time * step)]))
            let dwHH = needs.2 ? dGatesTensor.matmul(previousHiddens, transposeSelf: true) : nil
            let dBias = dGates.withUnsafeBufferPointer { Recurrent.columnSums($0.baseAddress!, rows: time * batch, width: gates) }
            return [dx, dwIH, dwHH, dBias, dBias]
        }
    }
}
