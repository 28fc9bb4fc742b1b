import NeuralNetKernels

/// A training step of a small dense network planned once and replayed, for
/// `fit(..., compile: true)`: the same kernels as the eager step, called in the same order on
/// buffers made when the plan is, without the tape's nodes, closures and tensors per step.
/// Tiny networks are bound by that bookkeeping, not by arithmetic (an XOR step's products are
/// nanoseconds), so this is where they gain; the weights come out bit-identical to eager
/// training.
///
/// A plan exists for a `Sequential` of `Dense` layers whose activations take their derivative
/// from their output (all but softmax and log-softmax), every parameter trainable, the mean
/// squared error, and a batch size whose products are all tiny (`MatrixMultiply.isTiny`); for
/// anything else `fit` trains eagerly, as without `compile`.
final class CompiledStep {
    private struct Stage {
        // Unowned: the model owns its parameters and outlives the plan (made and dropped within
        // one `fit`), and copying a stage in the step's loops then costs no reference counting.
        unowned(unsafe) let weight: Parameter
        unowned(unsafe) let bias: Parameter?
        let kind: Activation.Kind
        let alpha: Float
        let inputs: Int
        let outputs: Int
        /// The stage's output, `[batch, outputs]`, and then the gradient of its input.
        let output: UnsafeMutablePointer<Float>
        let inputGradient: UnsafeMutablePointer<Float>
    }

    let batch: Int
    private let stages: [Stage]
    /// The last stage's output as a tensor, handed to the running totals after each step.
    private var result: Tensor
    /// The loss's difference and then its gradient, `[batch, outputs]`.
    private let difference: UnsafeMutablePointer<Float>

    /// The plan for `model` and batches of `batch` samples, or nil when the model is not one
    /// this replays exactly (see the type's description).
    init?(_ model: Sequential, batch: Int) {
        guard batch > 0, model.losses.count == 1, model.losses[0].builtin == .meanSquaredError, model.lossWeights == [1],
              !model.layers.isEmpty, Set(model.layers.map { ObjectIdentifier($0) }).count == model.layers.count
        else { return nil }
        var stages: [Stage] = []
        for layer in model.layers {
            guard let dense = layer as? Dense, let inputs = dense.inputSize, dense.activation.hasDerivativeFromOutput,
                  dense.activation.unknownName == nil, dense.weight.isTrainable, dense.bias?.isTrainable ?? true,
                  MatrixMultiply.isTiny(m: batch, n: dense.outputSize, k: inputs),
                  stages.last.map({ $0.outputs == inputs }) ?? true
            else {
                stages.forEach { $0.output.deallocate(); $0.inputGradient.deallocate() }
                return nil
            }
            stages.append(Stage(
                weight: dense.weight, bias: dense.bias, kind: dense.activation.kind, alpha: dense.activation.alpha,
                inputs: inputs, outputs: dense.outputSize,
                output: .allocate(capacity: batch * dense.outputSize), inputGradient: .allocate(capacity: batch * inputs)))
        }
        self.batch = batch
        self.stages = stages
        let width = stages[stages.count - 1].outputs
        difference = .allocate(capacity: batch * width)
        result = Tensor.zeros([batch, width])
    }

    deinit {
        stages.forEach { $0.output.deallocate(); $0.inputGradient.deallocate() }
        difference.deallocate()
    }

    /// One step on `input` `[batch, features]` and `target` `[batch, outputs]`: forward, loss,
    /// backward into the parameters' gradients and `optimizer.step(parameters)`, as the eager
    /// step does; a NaN or infinite loss leaves the weights untouched. Returns the loss and the
    /// output.
    func step(_ input: Tensor, _ target: Tensor, optimizer: any Optimizer, parameters: [Parameter]) -> (loss: Float, output: Tensor) {
        input.scalars.withUnsafeBufferPointer { x in forward(x.baseAddress!) }
        let last = stages[stages.count - 1]
        let count = batch * last.outputs
        // The mean squared error as `meanSquaredError` computes it: the difference, the sum
        // of its squares in order, and `2 / n` times the difference as the gradient.
        let n = Float(count)
        var total: Float = 0
        target.scalars.withUnsafeBufferPointer { y in
            for i in 0..<count {
                difference[i] = last.output[i] - y[i]
                total = total + difference[i] * difference[i]
            }
        }
        let loss = total / n
        result.scalars.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: last.output, count: count) }
        guard loss.isFinite else { return (loss, result) }
        let scale = 2 / n
        for i in 0..<count { difference[i] *= scale }
        input.scalars.withUnsafeBufferPointer { x in backward(x.baseAddress!) }
        optimizer.step(parameters)
        return (loss, result)
    }

    /// One batch of `fit`: the rows `samples` of `dataset` gathered into `inputs` and
    /// `targets`, one step, and the batch added to `totals`, as the eager batch does.
    func train(
        _ samples: ArraySlice<Int>, of dataset: Dataset, optimizer: any Optimizer, parameters: [Parameter],
        inputs: inout Tensor, targets: inout Tensor, totals: inout RunningTotals
    ) -> Float {
        dataset.inputColumns[0].setRows(of: &inputs, at: samples)
        targets.setToRows(of: dataset.labelTensors[0], at: samples)
        let (loss, output) = step(inputs, targets, optimizer: optimizer, parameters: parameters)
        if loss.isFinite { totals.add(loss: loss, output: output, target: targets) }
        return loss
    }

    /// Each stage's `activation(x · W + b)` into its output buffer, as `Variable.affine` does.
    private func forward(_ x: UnsafePointer<Float>) {
        var input = x
        for stage in stages {
            stage.weight.value.scalars.withUnsafeBufferPointer { w in
                if let bias = stage.bias {
                    bias.value.scalars.withUnsafeBufferPointer { b in
                        MatrixMultiply.multiply(input, w.baseAddress!, into: stage.output, m: batch, n: stage.outputs, k: stage.inputs,
                                                bias: b.baseAddress, relu: stage.kind == .relu)
                    }
                } else {
                    MatrixMultiply.multiply(input, w.baseAddress!, into: stage.output, m: batch, n: stage.outputs, k: stage.inputs,
                                            relu: stage.kind == .relu)
                }
            }
            if stage.kind != .linear && stage.kind != .relu {
                for i in 0..<(batch * stage.outputs) { stage.output[i] = stage.kind.value(stage.output[i], alpha: stage.alpha) }
            }
            input = UnsafePointer(stage.output)
        }
    }

    /// The stages backwards, as `AffineNode`'s pullback runs them: the activation's derivative
    /// from the output, then `dx`, `dW` and `db` from one tiny-product kernel, the parameter
    /// gradients into the parameters' reused storage.
    private func backward(_ x: UnsafePointer<Float>) {
        var upstream = difference
        for index in stages.indices.reversed() {
            let stage = stages[index]
            let size = batch * stage.outputs
            if stage.kind == .relu {
                Elementwise.reluBackward(stage.output, scaling: upstream, count: size)
            } else if stage.kind != .linear {
                for i in 0..<size {
                    upstream[i] *= stage.kind.derivative(input: stage.output[i], output: stage.output[i], alpha: stage.alpha)
                }
            }
            let input = index == 0 ? x : UnsafePointer(stages[index - 1].output)
            var dw = Tensor(reusing: stage.weight.takeGradientStorage(), dimensions: stage.weight.value.dimensions)
            var db = stage.bias.map { Tensor(reusing: $0.takeGradientStorage(), dimensions: Dimensions(length: stage.outputs)) }
            stage.weight.value.scalars.withUnsafeBufferPointer { w in
                dw.scalars.withUnsafeMutableBufferPointer { dw in
                    if db != nil {
                        db!.scalars.withUnsafeMutableBufferPointer { db in
                            MatrixMultiply.smallAffineBackward(
                                m: batch, k: stage.inputs, n: stage.outputs, x: input, w: w.baseAddress!, dz: upstream,
                                dx: index == 0 ? nil : stage.inputGradient, dw: dw.baseAddress, db: db.baseAddress)
                        }
                    } else {
                        MatrixMultiply.smallAffineBackward(
                            m: batch, k: stage.inputs, n: stage.outputs, x: input, w: w.baseAddress!, dz: upstream,
                            dx: index == 0 ? nil : stage.inputGradient, dw: dw.baseAddress, db: nil)
                    }
                }
            }
            stage.weight.accumulate(dw)
            if let db { stage.bias!.accumulate(db) }
            upstream = stage.inputGradient
        }
    }
}
