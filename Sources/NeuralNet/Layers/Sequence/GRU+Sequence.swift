import NeuralNetKernels

/// The GRU's fused node: the forward pass over all steps and backpropagation through time, on
/// time-major buffers like the LSTM's.
extension GRU {
    func sequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        let (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2])
        let (units, gates) = (self.units, 3 * self.units)
        let (returnSequences, returnState) = (self.returnSequences, self.returnState)
        let x = input.value.permuted([1, 0, 2])
        let needInput = input.requiresGradient
        let wIH = weightIH.value, wHH = weightHH.value, bHH = biasHH.value
        // x W_ihᵀ + b_ih for every step: [time · batch, gates]; then r, z, n in place.
        var inputPart = x.reshaped(to: [time * batch, features])
            .matmul(wIH, transposeSelf: false, transposeOther: true, reusing: nil, bias: biasIH.value).scalars
        // h W_hhᵀ + b_hh of every step, kept for the backward pass (its n part is scaled by r).
        var hiddenPart = [Float].scalars(count: time * batch * gates, zeroed: false)
        var hiddens = [Float](repeating: 0, count: (time + 1) * batch * units)
        let step = batch * units
        inputPart.withUnsafeMutableBufferPointer { a in
            hiddenPart.withUnsafeMutableBufferPointer { p in
                hiddens.withUnsafeMutableBufferPointer { h in
                    wHH.scalars.withUnsafeBufferPointer { w in
                        bHH.scalars.withUnsafeBufferPointer { bias in
                            let (a, p, h, w, bias) = (a.baseAddress!, p.baseAddress!, h.baseAddress!, w.baseAddress!, bias.baseAddress!)
                            for t in 0..<time {
                                let projected = p + t * batch * gates
                                MatrixMultiply.multiply(h + t * step, w, transposeB: true, into: projected, m: batch, n: gates, k: units,
                                                        bias: bias)
                                RecurrentCells.gruForward(inputPart: a + t * batch * gates, hiddenPart: projected, hPrevious: h + t * step,
                                                          h: h + (t + 1) * step, rows: batch, units: units)
                            }
                        }
                    }
                }
            }
        }
        let output = Recurrent.output(hiddens: hiddens, lastCell: nil, time: time, batch: batch, units: units,
                                      returnSequences: returnSequences, returnState: returnState)
        return Variable(output, inputs: [input, weightIH, weightHH, biasIH, biasHH]) { upstream in
            var (dh, dState) = Recurrent.stepGradients(upstream, time: time, batch: batch, units: units,
                                                      returnSequences: returnSequences, returnState: returnState)
            // returnState repeats h: its second copy's gradient joins the first.
            for index in 0..<step { dh[(time - 1) * step + index] += dState[index] }
            var dInput = [Float].scalars(count: time * batch * gates, zeroed: false)     // ∂ of x W_ihᵀ + b_ih
            var dHidden = [Float].scalars(count: time * batch * gates, zeroed: false)    // ∂ of h W_hhᵀ + b_hh
            var dhPrevious = [Float](repeating: 0, count: step)
            inputPart.withUnsafeBufferPointer { a in
                hiddenPart.withUnsafeBufferPointer { p in
                    hiddens.withUnsafeBufferPointer { h in
                        dh.withUnsafeMutableBufferPointer { dh in
                            dInput.withUnsafeMutableBufferPointer { dI in
                                dHidden.withUnsafeMutableBufferPointer { dP in
                                    dhPrevious.withUnsafeMutableBufferPointer { previous in
                                        wHH.scalars.withUnsafeBufferPointer { w in
                                            let (a, p, h, dh, dI, dP, previous, w) = (
                                                a.baseAddress!, p.baseAddress!, h.baseAddress!, dh.baseAddress!, dI.baseAddress!,
                                                dP.baseAddress!, previous.baseAddress!, w.baseAddress!)
                                            for t in stride(from: time - 1, through: 0, by: -1) {
                                                let offset = t * batch * gates
                                                RecurrentCells.gruBackward(gates: a + offset, hiddenPart: p + offset, hPrevious: h + t * step,
                                                                           dh: dh + t * step, dInput: dI + offset, dHidden: dP + offset,
                                                                           dhPrevious: previous, rows: batch, units: units)
                                                guard t > 0 else { break }
                                                // dh_{t-1} += dh_t ⊙ z + dHidden_t · weight_hh
                                                MatrixMultiply.multiply(dP + offset, w, into: previous, m: batch, n: units, k: gates,
                                                                        accumulate: true)
                                                for index in 0..<step { dh[(t - 1) * step + index] += previous[index] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let dInputTensor = Tensor(shape: [time * batch, gates], scalars: dInput)
            let dHiddenTensor = Tensor(shape: [time * batch, gates], scalars: dHidden)
            let dx = needInput ? dInputTensor.matmul(wIH).reshaped(to: [time, batch, features]).permuted([1, 0, 2]) : nil
            let dwIH = dInputTensor.matmul(x.reshaped(to: [time * batch, features]), transposeSelf: true)
            let previousHiddens = Tensor(shape: [time * batch, units], scalars: Array(hiddens[0..<(time * step)]))
            let dwHH = dHiddenTensor.matmul(previousHiddens, transposeSelf: true)
            return [dx, dwIH, dwHH, dInputTensor.sum(alongAxis: 0), dHiddenTensor.sum(alongAxis: 0)]
        }
    }
}
