import Foundation

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
        var hiddenPart = [Float](repeating: 0, count: time * batch * gates)
        var hiddens = [Float](repeating: 0, count: (time + 1) * batch * units)
        let step = batch * units
        inputPart.withUnsafeMutableBufferPointer { a in
            hiddenPart.withUnsafeMutableBufferPointer { p in
                hiddens.withUnsafeMutableBufferPointer { h in
                    wHH.scalars.withUnsafeBufferPointer { w in
                        for t in 0..<time {
                            let projected = p.baseAddress! + t * batch * gates
                            for b in 0..<batch { for j in 0..<gates { projected[b * gates + j] = bHH.scalars[j] } }
                            Recurrent.multiply(h.baseAddress! + t * step, w.baseAddress!, transposeB: true, into: projected,
                                               m: batch, n: gates, k: units, accumulate: true)
                            for b in 0..<batch {
                                let row = a.baseAddress! + (t * batch + b) * gates, hp = projected + b * gates
                                let previous = t * step + b * units, current = (t + 1) * step + b * units
                                for j in 0..<units {
                                    let r = logistic(row[j] + hp[j]), z = logistic(row[units + j] + hp[units + j])
                                    let n = Foundation.tanh(row[2 * units + j] + r * hp[2 * units + j])
                                    (row[j], row[units + j], row[2 * units + j]) = (r, z, n)
                                    h[current + j] = (1 - z) * n + z * h[previous + j]
                                }
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
            var dInput = [Float](repeating: 0, count: time * batch * gates)      // ∂ of x W_ihᵀ + b_ih
            var dHidden = [Float](repeating: 0, count: time * batch * gates)     // ∂ of h W_hhᵀ + b_hh
            var dhPrevious = [Float](repeating: 0, count: step)
            inputPart.withUnsafeBufferPointer { a in
                hiddenPart.withUnsafeBufferPointer { p in
                    dHidden.withUnsafeMutableBufferPointer { dP in
                        wHH.scalars.withUnsafeBufferPointer { w in
                            for t in stride(from: time - 1, through: 0, by: -1) {
                                for b in 0..<batch {
                                    let offset = (t * batch + b) * gates
                                    for j in 0..<units {
                                        let index = t * step + b * units + j
                                        let (r, z, n) = (a[offset + j], a[offset + units + j], a[offset + 2 * units + j])
                                        let d = dh[index]
                                        let previous = hiddens[index]
                                        let dn = d * (1 - z) * (1 - n * n)
                                        let dz = d * (previous - n) * z * (1 - z)
                                        let dr = dn * p[offset + 2 * units + j] * r * (1 - r)
                                        dInput[offset + j] = dr
                                        dInput[offset + units + j] = dz
                                        dInput[offset + 2 * units + j] = dn
                                        dP[offset + j] = dr
                                        dP[offset + units + j] = dz
                                        dP[offset + 2 * units + j] = dn * r
                                        dhPrevious[b * units + j] = d * z
                                    }
                                }
                                guard t > 0 else { break }
                                // dh_{t-1} = d · z + dHidden_t · weight_hh
                                dhPrevious.withUnsafeMutableBufferPointer { previous in
                                    Recurrent.multiply(dP.baseAddress! + t * batch * gates, w.baseAddress!, into: previous.baseAddress!,
                                                       m: batch, n: units, k: gates, accumulate: true)
                                }
                                for index in 0..<step { dh[(t - 1) * step + index] += dhPrevious[index] }
                            }
                        }
                    }
                }
            }
            let dInputTensor = Tensor(shape: [time * batch, gates], scalars: dInput)
            let dHiddenTensor = Tensor(shape: [time * batch, gates], scalars: dHidden)
            let dx = needInput
                ? dInputTensor.matmul(wIH).reshaped(to: [time, batch, features]).permuted([1, 0, 2]) : nil
            let dwIH = dInputTensor.matmul(x.reshaped(to: [time * batch, features]), transposeSelf: true)
            let previousHiddens = Tensor(shape: [time * batch, units], scalars: Array(hiddens[0..<(time * step)]))
            let dwHH = dHiddenTensor.matmul(previousHiddens, transposeSelf: true)
            let dbIH = dInput.withUnsafeBufferPointer { Recurrent.columnSums($0.baseAddress!, rows: time * batch, width: gates) }
            let dbHH = dHidden.withUnsafeBufferPointer { Recurrent.columnSums($0.baseAddress!, rows: time * batch, width: gates) }
            return [dx, dwIH, dwHH, dbIH, dbHH]
        }
    }
}
