import NeuralNetKernels

/// The GRU's fused node: the forward pass over all steps and backpropagation through time,
/// feature-major per step like the LSTM's (gates `[3·units, batch]`, states `[units, batch]`).
extension GRU {
    func gruSequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        let (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2])
        let (units, gates) = (self.units, 3 * self.units)
        let (returnSequences, returnState) = (self.returnSequences, self.returnState)
        let columns = time * batch
        let x = input.value.permuted([1, 0, 2]).reshaped(to: [columns, features])
        let needInput = input.requiresGradient
        let wIH = weightIH.value, wHH = weightHH.value, bIH = biasIH.value, bHH = biasHH.value
        // weight_ih · xᵀ for every step: [gates, time · batch].
        let projected = wIH.matmul(x, transposeOther: true)
        let state = units * batch
        // Per step: x W_ihᵀ + b_ih, turned into r | z | n in place, and h W_hhᵀ + b_hh (kept for
        // the backward pass, where its n part meets r).
        var inputPart = [Float].scalars(count: time * gates * batch, zeroed: false)
        var hiddenPart = [Float].scalars(count: time * gates * batch, zeroed: false)
        var hiddens = [Float](repeating: 0, count: (time + 1) * state)
        inputPart.withUnsafeMutableBufferPointer { a in
            hiddenPart.withUnsafeMutableBufferPointer { p in
                hiddens.withUnsafeMutableBufferPointer { h in
                    projected.scalars.withUnsafeBufferPointer { source in
                        wHH.scalars.withUnsafeBufferPointer { w in
                            bIH.scalars.withUnsafeBufferPointer { inputBias in
                                let (a, p, h, source, w, inputBias) = (a.baseAddress!, p.baseAddress!, h.baseAddress!,
                                                                       source.baseAddress!, w.baseAddress!, inputBias.baseAddress!)
                                for t in 0..<time {
                                    let (aStep, pStep) = (a + t * gates * batch, p + t * gates * batch)
                                    RecurrentCells.gatherStep(t, of: source, steps: time, adding: inputBias, into: aStep,
                                                              rows: gates, width: batch)
                                    for g in 0..<gates { (pStep + g * batch).update(repeating: bHH.scalars[g], count: batch) }
                                    MatrixMultiply.multiply(w, h + t * state, into: pStep, m: gates, n: batch, k: units, accumulate: true)
                                    RecurrentCells.gruForward(inputPart: aStep, hiddenPart: pStep, hPrevious: h + t * state,
                                                              h: h + (t + 1) * state, count: state)
                                }
                            }
                        }
                    }
                }
            }
        }
        let output = Recurrent.output(hiddens: hiddens, cells: nil, time: time, batch: batch, units: units,
                                      returnSequences: returnSequences, returnState: returnState)
        return Variable(output, inputs: [input, weightIH, weightHH, biasIH, biasHH]) { upstream in
            var (dh, dState) = Recurrent.stateGradients(upstream, time: time, batch: batch, units: units,
                                                       returnSequences: returnSequences, returnState: returnState)
            // returnState repeats h: its second copy's gradient joins the first.
            for index in 0..<state { dh[(time - 1) * state + index] += dState[index] }
            // Every step's gradients of the input and hidden projections, [gates, time · batch],
            // and the previous hidden states in the same columns, [units, time · batch].
            var dInput = [Float].scalars(count: gates * columns, zeroed: false)
            var dHidden = [Float].scalars(count: gates * columns, zeroed: false)
            var previous = [Float].scalars(count: units * columns, zeroed: false)
            var steps = [Float].scalars(count: 2 * gates * batch + state, zeroed: false)
            let (wHHTransposed, paddedGates) = Recurrent.transposedForBackward(wHH)
            inputPart.withUnsafeBufferPointer { a in
                hiddenPart.withUnsafeBufferPointer { p in
                    hiddens.withUnsafeBufferPointer { h in
                        dh.withUnsafeMutableBufferPointer { dh in
                            dInput.withUnsafeMutableBufferPointer { dI in
                                dHidden.withUnsafeMutableBufferPointer { dP in
                                    previous.withUnsafeMutableBufferPointer { hp in
                                        steps.withUnsafeMutableBufferPointer { scratch in
                                            wHHTransposed.withUnsafeBufferPointer { w in
                                                let (a, p, h, dh, dI, dP, hp, w) = (a.baseAddress!, p.baseAddress!, h.baseAddress!,
                                                    dh.baseAddress!, dI.baseAddress!, dP.baseAddress!, hp.baseAddress!, w.baseAddress!)
                                                let dInputStep = scratch.baseAddress!, dHiddenStep = dInputStep + gates * batch
                                                let dPrevious = dHiddenStep + gates * batch
                                                for t in stride(from: time - 1, through: 0, by: -1) {
                                                    let offset = t * gates * batch
                                                    RecurrentCells.gruBackward(
                                                        gates: a + offset, hiddenPart: p + offset, hPrevious: h + t * state, dh: dh + t * state,
                                                        dInput: dInputStep, dHidden: dHiddenStep, dhPrevious: dPrevious, count: state)
                                                    if t > 0 {
                                                        // dh_{t-1} += dh_t ⊙ z + weight_hhᵀ · dHidden_t
                                                        MatrixMultiply.multiply(w, aRowStride: paddedGates, dHiddenStep, into: dPrevious,
                                                                                m: units, n: batch, k: gates, accumulate: true)
                                                        for index in 0..<state { dh[(t - 1) * state + index] += dPrevious[index] }
                                                    }
                                                    RecurrentCells.scatterStep(dInputStep, into: t, of: dI, steps: time,
                                                                               rows: gates, width: batch)
                                                    RecurrentCells.scatterStep(dHiddenStep, into: t, of: dP, steps: time,
                                                                               rows: gates, width: batch)
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
            let dInputTensor = Tensor(shape: [gates, columns], scalars: dInput)
            let dHiddenTensor = Tensor(shape: [gates, columns], scalars: dHidden)
            let dx = needInput
                ? dInputTensor.matmul(wIH, transposeSelf: true).reshaped(to: [time, batch, features]).permuted([1, 0, 2]) : nil
            let dwIH = dInputTensor.matmul(x)
            let dwHH = dHiddenTensor.matmul(Tensor(shape: [units, columns], scalars: previous), transposeOther: true)
            return [dx, dwIH, dwHH, dInputTensor.sum(alongAxis: 1), dHiddenTensor.sum(alongAxis: 1)]
        }
    }
}
