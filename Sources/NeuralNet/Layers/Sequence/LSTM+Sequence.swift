import NeuralNetKernels

/// The LSTM's fused node: the forward pass over all steps and backpropagation through time.
///
/// Each step works feature-major: gates `[4·units, batch]`, states `[units, batch]`, so the
/// recurrent products are `weight_hh · h` with the batch as the narrow side, which the multiply
/// runs reading the weight in place (no packing of the large matrix every step). The input
/// projection and the weight gradients are single products over all steps, `[·, time·batch]`.
extension LSTM {
    func lstmSequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        let (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2])
        let (units, gates) = (self.units, 4 * self.units)
        let (returnSequences, returnState) = (self.returnSequences, self.returnState)
        let columns = time * batch
        // x time-major, [time · batch, features]: row t·batch + b.
        let x = input.value.permuted([1, 0, 2]).reshaped(to: [columns, features])
        let wIH = weightIH.value, wHH = weightHH.value
        let bias = biasIH.value + biasHH.value
        // weight_ih · xᵀ for every step at once: [gates, time · batch].
        let projected = wIH.matmul(x, transposeOther: true)
        let state = units * batch
        // Step t's gates (activated) at t; its states at t + 1, step 0 the zero initial state.
        var activations = [Float].scalars(count: time * gates * batch, zeroed: false)
        var hiddens = [Float](repeating: 0, count: (time + 1) * state)
        var cells = [Float](repeating: 0, count: (time + 1) * state)
        var cellTanh = [Float].scalars(count: time * state, zeroed: false)
        activations.withUnsafeMutableBufferPointer { a in
            hiddens.withUnsafeMutableBufferPointer { h in
                cells.withUnsafeMutableBufferPointer { c in
                    cellTanh.withUnsafeMutableBufferPointer { tanhC in
                        projected.scalars.withUnsafeBufferPointer { p in
                            wHH.scalars.withUnsafeBufferPointer { w in
                                bias.scalars.withUnsafeBufferPointer { bias in
                                    let (a, h, c, tanhC, p, w, bias) = (a.baseAddress!, h.baseAddress!, c.baseAddress!,
                                                                        tanhC.baseAddress!, p.baseAddress!, w.baseAddress!,
                                                                        bias.baseAddress!)
                                    for t in 0..<time {
                                        let pre = a + t * gates * batch
                                        RecurrentCells.gatherStep(t, of: p, steps: time, adding: bias, into: pre, rows: gates, width: batch)
                                        MatrixMultiply.multiply(w, h + t * state, into: pre, m: gates, n: batch, k: units, accumulate: true)
                                        RecurrentCells.lstmForward(gates: pre, cPrevious: c + t * state, c: c + (t + 1) * state,
                                                                   h: h + (t + 1) * state, tanhC: tanhC + t * state, count: state)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let output = Recurrent.output(hiddens: hiddens, cells: cells, time: time, batch: batch, units: units,
                                 returnSequences: returnSequences, returnState: returnState)
        let needInput = input.requiresGradient
        return Variable(output, inputs: [input, weightIH, weightHH, biasIH, biasHH]) { upstream in
            var (dh, dc) = Recurrent.stateGradients(upstream, time: time, batch: batch, units: units,
                                                returnSequences: returnSequences, returnState: returnState)
            // Every step's pre-activation gradients, [gates, time · batch] (column t·batch + b),
            // and the previous hidden states in the same columns, [units, time · batch].
            var dGates = [Float].scalars(count: gates * columns, zeroed: false)
            var previous = [Float].scalars(count: units * columns, zeroed: false)
            var dStep = [Float].scalars(count: gates * batch, zeroed: false)
            let (wHHTransposed, paddedGates) = Recurrent.transposedForBackward(wHH)
            activations.withUnsafeBufferPointer { a in
                cells.withUnsafeBufferPointer { c in
                    cellTanh.withUnsafeBufferPointer { tanhC in
                        hiddens.withUnsafeBufferPointer { h in
                            dh.withUnsafeMutableBufferPointer { dh in
                                dc.withUnsafeMutableBufferPointer { dc in
                                    dGates.withUnsafeMutableBufferPointer { dG in
                                        previous.withUnsafeMutableBufferPointer { hp in
                                            dStep.withUnsafeMutableBufferPointer { dS in
                                                wHHTransposed.withUnsafeBufferPointer { w in
                                                    let (a, c, tanhC, h, dh, dc, dG, hp, dS, w) = (
                                                        a.baseAddress!, c.baseAddress!, tanhC.baseAddress!, h.baseAddress!, dh.baseAddress!,
                                                        dc.baseAddress!, dG.baseAddress!, hp.baseAddress!, dS.baseAddress!, w.baseAddress!)
                                                    for t in stride(from: time - 1, through: 0, by: -1) {
                                                        RecurrentCells.lstmBackward(
                                                            gates: a + t * gates * batch, cPrevious: c + t * state, tanhC: tanhC + t * state,
                                                            dh: dh + t * state, dc: dc, dGates: dS, count: state)
                                                        // dh_{t-1} += weight_hhᵀ · dGates_t
                                                        if t > 0 {
                                                            MatrixMultiply.multiply(w, aRowStride: paddedGates, dS, into: dh + (t - 1) * state,
                                                                                    m: units, n: batch, k: gates, accumulate: true)
                                                        }
                                                        RecurrentCells.scatterStep(dS, into: t, of: dG, steps: time, rows: gates, width: batch)
                                                        RecurrentCells.scatterStep(h + t * state, into: t, of: hp, steps: time,
                                                                                   rows: units, width: batch)
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let dGatesTensor = Tensor(shape: [gates, columns], scalars: dGates)
            let dx = needInput
                ? dGatesTensor.matmul(wIH, transposeSelf: true).reshaped(to: [time, batch, features]).permuted([1, 0, 2]) : nil
            let dwIH = dGatesTensor.matmul(x)
            let dwHH = dGatesTensor.matmul(Tensor(shape: [units, columns], scalars: previous), transposeOther: true)
            let dBias = dGatesTensor.sum(alongAxis: 1)
            return [dx, dwIH, dwHH, dBias, dBias]
        }
    }
}
