import NeuralNetKernels

/// The LSTM's fused node: the forward pass over all steps and backpropagation through time.
/// Buffers are time-major (`[time, batch, ...]`) so that each step's rows are contiguous; the
/// element-wise part of each step runs in `RecurrentCells`, the products in the threaded multiply.
extension LSTM {
    func sequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        let (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2])
        let (units, gates) = (self.units, 4 * self.units)
        let (returnSequences, returnState) = (self.returnSequences, self.returnState)
        let x = input.value.permuted([1, 0, 2])                                    // [time, batch, features]
        let wIH = weightIH.value, wHH = weightHH.value
        // Every step's input projection at once: [time · batch, gates]; activated in place.
        var activations = x.reshaped(to: [time * batch, features])
            .matmul(wIH, transposeSelf: false, transposeOther: true, reusing: nil, bias: biasIH.value + biasHH.value).scalars
        // Step t's states at t + 1; step 0 holds the zero initial state.
        var hiddens = [Float](repeating: 0, count: (time + 1) * batch * units)
        var cells = [Float](repeating: 0, count: (time + 1) * batch * units)
        var cellTanh = [Float].scalars(count: time * batch * units, zeroed: false)
        let step = batch * units
        activations.withUnsafeMutableBufferPointer { a in
            hiddens.withUnsafeMutableBufferPointer { h in
                cells.withUnsafeMutableBufferPointer { c in
                    cellTanh.withUnsafeMutableBufferPointer { tanhC in
                        wHH.scalars.withUnsafeBufferPointer { w in
                            let (a, h, c, tanhC, w) = (a.baseAddress!, h.baseAddress!, c.baseAddress!, tanhC.baseAddress!, w.baseAddress!)
                            for t in 0..<time {
                                let pre = a + t * batch * gates
                                MatrixMultiply.multiply(h + t * step, w, transposeB: true, into: pre, m: batch, n: gates, k: units, accumulate: true)
                                RecurrentCells.lstmForward(gates: pre, cPrevious: c + t * step, c: c + (t + 1) * step,
                                                           h: h + (t + 1) * step, tanhC: tanhC + t * step, rows: batch, units: units)
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
        let needInput = input.requiresGradient
        return Variable(output, inputs: [input, weightIH, weightHH, biasIH, biasHH]) { upstream in
            var (dh, dc) = Recurrent.stepGradients(upstream, time: time, batch: batch, units: units,
                                                  returnSequences: returnSequences, returnState: returnState)
            // Pre-activation gradients of every step, [time · batch, gates].
            var dGates = [Float].scalars(count: time * batch * gates, zeroed: false)
            activations.withUnsafeBufferPointer { a in
                cells.withUnsafeBufferPointer { c in
                    cellTanh.withUnsafeBufferPointer { tanhC in
                        dh.withUnsafeMutableBufferPointer { dh in
                            dc.withUnsafeMutableBufferPointer { dc in
                                dGates.withUnsafeMutableBufferPointer { dG in
                                    wHH.scalars.withUnsafeBufferPointer { w in
                                        let (a, c, tanhC, dh, dc, dG, w) = (a.baseAddress!, c.baseAddress!, tanhC.baseAddress!,
                                                                           dh.baseAddress!, dc.baseAddress!, dG.baseAddress!, w.baseAddress!)
                                        for t in stride(from: time - 1, through: 0, by: -1) {
                                            let dStep = dG + t * batch * gates
                                            RecurrentCells.lstmBackward(gates: a + t * batch * gates, cPrevious: c + t * step,
                                                                        tanhC: tanhC + t * step, dh: dh + t * step, dc: dc,
                                                                        dGates: dStep, rows: batch, units: units)
                                            // dh_{t-1} += dGates_t · weight_hh
                                            if t > 0 {
                                                MatrixMultiply.multiply(dStep, w, into: dh + (t - 1) * step, m: batch, n: units, k: gates,
                                                                        accumulate: true)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let dGatesTensor = Tensor(shape: [time * batch, gates], scalars: dGates)
            let dx = needInput ? dGatesTensor.matmul(wIH).reshaped(to: [time, batch, features]).permuted([1, 0, 2]) : nil
            let dwIH = dGatesTensor.matmul(x.reshaped(to: [time * batch, features]), transposeSelf: true)
            let previousHiddens = Tensor(shape: [time * batch, units], scalars: Array(hiddens[0..<(time * step)]))
            let dwHH = dGatesTensor.matmul(previousHiddens, transposeSelf: true)
            let dBias = dGatesTensor.sum(alongAxis: 0)
            return [dx, dwIH, dwHH, dBias, dBias]
        }
    }
}
