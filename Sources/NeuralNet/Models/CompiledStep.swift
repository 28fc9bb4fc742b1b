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
    struct Stage {
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
        /// The gradients of the weight `[inputs, outputs]` and the bias `[outputs]`.
        let weightGradient: UnsafeMutablePointer<Float>
        let biasGradient: UnsafeMutablePointer<Float>?

        func deallocate() {
            output.deallocate(); inputGradient.deallocate(); weightGradient.deallocate(); biasGradient?.deallocate()
        }
    }

    let batch: Int
    /// The stages, in a buffer of the plan's own: iterating an array property would retain and
    /// release it on every pass.
    let stages: UnsafeMutableBufferPointer<Stage>
    /// The last stage's output as a tensor, handed to the running totals after each step.
    private var result: Tensor
    /// The loss's difference and then its gradient, `[batch, outputs]`.
    private let difference: UnsafeMutablePointer<Float>
    /// Each stage's weights and bias (nil without one), slots `2i` and `2i + 1`, while
    /// `withWeights` runs.
    let weights: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>

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
                stages.forEach { $0.deallocate() }
                return nil
            }
            stages.append(Stage(
                weight: dense.weight, bias: dense.bias, kind: dense.activation.kind, alpha: dense.activation.alpha,
                inputs: inputs, outputs: dense.outputSize,
                output: .allocate(capacity: batch * dense.outputSize), inputGradient: .allocate(capacity: batch * inputs),
                weightGradient: .allocate(capacity: inputs * dense.outputSize),
                biasGradient: dense.bias == nil ? nil : .allocate(capacity: dense.outputSize)))
        }
        self.batch = batch
        self.stages = .allocate(capacity: stages.count)
        _ = self.stages.initialize(from: stages)
        let width = stages[stages.count - 1].outputs
        difference = .allocate(capacity: batch * width)
        result = Tensor.zeros([batch, width])
        weights = .allocate(capacity: 2 * stages.count)
        weights.initialize(repeating: nil, count: 2 * stages.count)
    }

    deinit {
        stages.forEach { $0.deallocate() }
        stages.deallocate()
        difference.deallocate()
        weights.deallocate()
    }

    /// The output width of the last stage.
    var outputs: Int { stages[stages.count - 1].outputs }

    /// Runs `body` with `weights` pointing at the parameters' values, each open for writing
    /// (copied first if another tensor shares its storage) until `body` returns.
    func withWeights<Result>(_ body: () throws -> Result) rethrows -> Result {
        try bind(slot: 0, body)
    }

    private func bind<Result>(slot: Int, _ body: () throws -> Result) rethrows -> Result {
        guard slot < 2 * stages.count else { return try body() }
        let stage = stages[slot / 2]
        guard let parameter = slot % 2 == 0 ? stage.weight : stage.bias else {
            weights[slot] = nil
            return try bind(slot: slot + 1, body)
        }
        return try parameter.value.scalars.withUnsafeMutableBufferPointer { buffer in
            weights[slot] = buffer.baseAddress
            defer { weights[slot] = nil }
            return try bind(slot: slot + 1, body)
        }
    }

    /// One step of `optimizer`'s rule on each parameter from the gradients in the stages'
    /// buffers, weight then bias, stage by stage, while `withWeights` runs: what
    /// `optimizer.step` does when there is no clipping and no L2 decay. (Plain SGD is faster
    /// through `pass(_:_:descendingAt:)`, which steps as it goes.)
    func updateWeights(with optimizer: any Optimizer) {
        optimizer.beginStep()
        for (index, stage) in stages.enumerated() {
            optimizer.update(stage.weight, value: weights[2 * index]!, gradient: stage.weightGradient, count: stage.inputs * stage.outputs)
            if let bias = stage.bias, let value = weights[2 * index + 1], let gradient = stage.biasGradient {
                optimizer.update(bias, value: value, gradient: gradient, count: stage.outputs)
            }
        }
    }

    /// One step on `input` `[batch, features]` and `target` `[batch, outputs]`: forward, loss,
    /// backward into the parameters' gradients and `optimizer.step(parameters)`, as the eager
    /// step does; a NaN or infinite loss leaves the weights untouched. Returns the loss and the
    /// output.
    func step(_ input: Tensor, _ target: Tensor, optimizer: any Optimizer, parameters: [Parameter]) -> (loss: Float, output: Tensor) {
        let loss = input.scalars.withUnsafeBufferPointer { x in
            target.scalars.withUnsafeBufferPointer { y in
                withWeights { pass(x.baseAddress!, y.baseAddress!) }
            }
        }
        let last = stages[stages.count - 1]
        result.scalars.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: last.output, count: batch * last.outputs) }
        guard loss.isFinite else { return (loss, result) }
        for stage in stages {
            stage.weight.accumulateGradient(from: stage.weightGradient)
            if let gradient = stage.biasGradient { stage.bias?.accumulateGradient(from: gradient) }
        }
        optimizer.step(parameters)
        return (loss, result)
    }

    /// Forward, loss and (when the loss is finite) backward for input rows `x` and target rows
    /// `y`, while `withWeights` runs. With `descendingAt` nil the gradients are left in the
    /// stages' buffers; with a rate, each parameter takes plain SGD's step (`SGD.descend`)
    /// as soon as nothing else needs its old value, and the gradient buffers are not written.
    /// Returns the loss.
    func pass(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, descendingAt rate: Float? = nil) -> Float {
        forward(x)
        let last = stages[stages.count - 1]
        let count = batch * last.outputs
        // The mean squared error as `meanSquaredError` computes it: the difference, the sum
        // of its squares in order, and `2 / n` times the difference as the gradient.
        let n = Float(count)
        var total: Float = 0
        for i in 0..<count {
            difference[i] = last.output[i] - y[i]
            total = total + difference[i] * difference[i]
        }
        let loss = total / n
        guard loss.isFinite else { return loss }
        let scale = 2 / n
        for i in 0..<count {
            difference[i] = last.derivativeTimes(difference[i] * scale, at: i)
        }
        backward(x, rate: rate)
        return loss
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

    /// Each stage's `activation(x · W + b)` into its output buffer, in one loop per stage: the
    /// sums in `multiply`'s order for tiny products (from zero, along `k`), then the bias and
    /// the activation as its epilogue and `applyActivation` apply them.
    private func forward(_ x: UnsafePointer<Float>) {
        var input = x
        for index in 0..<stages.count {
            let stage = stages[index]
            let (w, b) = (weights[2 * index]!, weights[2 * index + 1])
            let (k, n) = (stage.inputs, stage.outputs)
            for i in 0..<batch {
                let row = input + i * k
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k { sum += row[p] * w[p * n + j] }
                    if let b { sum += b[j] }
                    stage.output[i * n + j] = stage.activate(sum)
                }
            }
            input = UnsafePointer(stage.output)
        }
    }

    /// The stages backwards, as `AffineNode`'s pullback runs them, each sum in
    /// `smallAffineBackward`'s order: `dx = dz · Wᵀ` times the previous stage's derivative
    /// (the next `dz`), then `dW = xᵀ · dz` and `db = Σ_rows dz`, into the gradient buffers or,
    /// with a `rate`, straight into plain SGD's step (`SGD.descend`) (W is no longer needed once `dx`
    /// is made).
    private func backward(_ x: UnsafePointer<Float>, rate: Float?) {
        var upstream = UnsafePointer(difference)
        for index in stages.indices.reversed() {
            let stage = stages[index]
            let (w, b) = (weights[2 * index]!, weights[2 * index + 1])
            let (k, n, m) = (stage.inputs, stage.outputs, batch)
            let input = index == 0 ? x : UnsafePointer(stages[index - 1].output)
            if index > 0 {
                let previous = stages[index - 1]
                for i in 0..<m {
                    for p in 0..<k {
                        var sum: Float = 0
                        for j in 0..<n { sum += upstream[i * n + j] * w[p * n + j] }
                        stage.inputGradient[i * k + p] = previous.derivativeTimes(sum, at: i * k + p)
                    }
                }
            }
            for p in 0..<k {
                for j in 0..<n {
                    var sum: Float = 0
                    for i in 0..<m { sum += input[i * k + p] * upstream[i * n + j] }
                    if let rate { SGD.descend(&w[p * n + j], along: sum, rate: rate) } else { stage.weightGradient[p * n + j] = sum }
                }
            }
            if let b, let biasGradient = stage.biasGradient {
                for j in 0..<n {
                    var sum: Float = 0
                    for i in 0..<m { sum += upstream[i * n + j] }
                    if let rate { SGD.descend(&b[j], along: sum, rate: rate) } else { biasGradient[j] = sum }
                }
            }
            upstream = UnsafePointer(stage.inputGradient)
        }
    }
}

extension CompiledStep.Stage {
    /// `f(z)` of the stage's activation: ReLU as the multiply's epilogue writes it, the other
    /// kinds from the activation table.
    @inline(__always)
    func activate(_ z: Float) -> Float {
        switch kind {
        case .linear: z
        case .relu: z < 0 ? 0 : z
        default: kind.value(z, alpha: alpha)
        }
    }

    /// `g · f'` at element `i` of the stage's output, `f'` read from the output as
    /// `multiplyByDerivative` reads it (ReLU as `Elementwise.reluBackward`).
    @inline(__always)
    func derivativeTimes(_ g: Float, at i: Int) -> Float {
        switch kind {
        case .linear: g
        case .relu: output[i] > 0 ? g : 0
        default: g * kind.derivative(input: output[i], output: output[i], alpha: alpha)
        }
    }
}
