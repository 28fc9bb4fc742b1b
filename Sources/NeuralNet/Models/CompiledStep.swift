import NeuralNetKernels

/// A training step of a small dense network planned once and replayed, for
/// `fit(..., compile: true)`: the eager step's arithmetic in the same order, in one kernel call
/// (`DenseChain`) on buffers made when the plan is, without the tape's nodes, closures and
/// tensors per step. Tiny networks are bound by that bookkeeping and by latency (each step
/// waits on the last one's weights), not by arithmetic (an XOR step's products are
/// nanoseconds), so this is where they gain; the weights come out bit-identical to eager
/// training.
///
/// A plan exists for a `Sequential` of `Dense` layers whose activations (their own, or an
/// `Activation` layer right after a linear one) are any but log-softmax (softmax on the last
/// layer only), each but the last optionally followed by a `Dropout` layer (masks drawn from
/// the model's generator as eagerly), every parameter trainable, a built-in loss (the mean
/// squared and absolute errors, binary and sigmoid cross-entropy, softmax cross-entropy from
/// logits against one-hot labels or class indices without an ignored index, categorical
/// cross-entropy of probabilities), and a batch size whose products are all tiny
/// (`MatrixMultiply.isTiny`); for anything else `fit` trains eagerly, as without `compile`.
final class CompiledStep {
    /// What the plan needs of a stage's layer.
    struct Stage {
        // Unowned: the model owns its parameters and outlives the plan (made and dropped within
        // one `fit`), and copying a stage in the step's loops then costs no reference counting.
        unowned(unsafe) let weight: Parameter
        unowned(unsafe) let bias: Parameter?
        let kind: Activation.Kind
        let alpha: Float
        let inputs: Int
        let outputs: Int
        /// How the kernel applies the activation: in its own code where that has the eager
        /// path's bits, else through the table's functions (`value`, `slope` below).
        let function: DenseChain.Function
        /// The rate of a `Dropout` layer after the activation, 0 without one (or with rate 0,
        /// which draws nothing).
        let dropout: Float
    }

    let batch: Int
    /// The model, whose generator the dropout masks are drawn from, as its forward pass draws
    /// them. Unowned for the reason the stages' parameters are.
    private unowned(unsafe) let model: Sequential
    /// Whether a stage has dropout: each step then draws its masks first.
    private let hasDropout: Bool
    /// The stages, in a buffer of the plan's own: iterating an array property would retain and
    /// release it on every pass; the kernel's callbacks read their activations from it.
    let stages: UnsafeMutableBufferPointer<Stage>
    /// The kernel's plan: outputs, gradients and scratch.
    private let chain: DenseChain
    /// The last stage's output as a tensor, handed to the running totals after each step.
    private var result: Tensor
    /// Where `updateWeights(with:adjusting:)` lists the parameters' values and gradients for a
    /// bound rule, in `boundParameters`' order, and how many values each has.
    private let boundValues: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>
    private let boundGradients: UnsafeMutablePointer<UnsafePointer<Float>?>
    private let boundCounts: UnsafeMutableBufferPointer<Int>

    /// The plan for `model` and batches of `batch` samples, or nil when the model is not one
    /// this replays exactly (see the type's description).
    init?(_ model: Sequential, batch: Int) {
        guard case .success(let (stages, loss)) = Self.plan(for: model, batch: batch) else { return nil }
        self.batch = batch
        self.model = model
        hasDropout = stages.contains { $0.dropout > 0 }
        self.stages = .allocate(capacity: stages.count)
        _ = self.stages.initialize(from: stages)
        let shapes = stages.map {
            DenseChain.Shape(inputs: $0.inputs, outputs: $0.outputs, function: $0.function, hasBias: $0.bias != nil, dropout: $0.dropout > 0
                ? DenseChain.Dropout(threshold: Dropout.Mask.threshold(rate: $0.dropout), scale: Dropout.Mask.scale(rate: $0.dropout)) : nil)
        }
        chain = DenseChain(batch: batch, shapes: shapes, loss: loss, context: UnsafeRawPointer(self.stages.baseAddress), value: { context, index, z in
            let stage = context!.assumingMemoryBound(to: Stage.self)[index]
            return stage.kind.value(z, alpha: stage.alpha)
        }, slope: { context, index, y in
            // For these kinds the output stands in for the input (see `derivative`).
            let stage = context!.assumingMemoryBound(to: Stage.self)[index]
            return stage.kind.derivative(input: y, output: y, alpha: stage.alpha)
        }, slopeAt: { context, index, z, y in
            let stage = context!.assumingMemoryBound(to: Stage.self)[index]
            return stage.kind.derivative(input: z, output: y, alpha: stage.alpha)
        })
        result = Tensor.zeros([batch, stages[stages.count - 1].outputs])
        boundValues = .allocate(capacity: 2 * stages.count)
        boundGradients = .allocate(capacity: 2 * stages.count)
        boundCounts = .allocate(capacity: 2 * stages.count)
        _ = boundCounts.initialize(from: stages.flatMap { [$0.inputs * $0.outputs] + ($0.bias == nil ? [] : [$0.outputs]) })
    }

    deinit {
        boundValues.deallocate()
        boundGradients.deallocate()
        boundCounts.deallocate()
        stages.deallocate()
    }

    /// The output width of the last stage.
    var outputs: Int { stages[stages.count - 1].outputs }

    /// Whether an epoch of `samples` samples is over in a few milliseconds (at most 10^7
    /// multiply-adds forward, as many again backward), too soon for a progress bar's redraws
    /// within it to be seen.
    func epochIsShort(samples: Int) -> Bool {
        samples * stages.reduce(0) { $0 + $1.inputs * $1.outputs } <= 10_000_000
    }

    /// Runs `body` with the kernel pointed at the parameters' values, each open for writing
    /// (copied first if another tensor shares its storage) until `body` returns.
    func withWeights<Result>(_ body: () throws -> Result) rethrows -> Result {
        try bind(slot: 0, body)
    }

    /// Slot `2i` is stage i's weight, `2i + 1` its bias.
    private func bind<Result>(slot: Int, _ body: () throws -> Result) rethrows -> Result {
        guard slot < 2 * stages.count else { return try body() }
        let stage = stages[slot / 2]
        guard let parameter = slot % 2 == 0 ? stage.weight : stage.bias else { return try bind(slot: slot + 1, body) }
        return try parameter.value.scalars.withUnsafeMutableBufferPointer { buffer in
            func point(at pointer: UnsafeMutablePointer<Float>?) {
                if slot % 2 == 0 { chain.setWeight(pointer, ofStage: slot / 2) } else { chain.setBias(pointer, ofStage: slot / 2) }
            }
            point(at: buffer.baseAddress)
            defer { point(at: nil) }
            return try bind(slot: slot + 1, body)
        }
    }

    /// Points this plan at the parameters `other` has open in its `withWeights`, or (with
    /// nil) at nothing: the plan for an epoch's last, smaller batch works on the same weights.
    func borrowWeights(of other: CompiledStep?) {
        for index in 0..<stages.count {
            let parameters = other?.chain.parameters(of: index)
            chain.setWeight(parameters?.weight, ofStage: index)
            chain.setBias(parameters?.bias, ofStage: index)
        }
    }

    /// The parameters in the order `updateWeights(with:adjusting:)` hands them to a bound rule:
    /// each stage's weight, then its bias.
    var boundParameters: [(parameter: Parameter, count: Int)] {
        Array(zip(stages.flatMap { [$0.weight] + ($0.bias.map { [$0] } ?? []) }, boundCounts))
    }

    /// One step of an optimizer's rule bound to `boundParameters` (see `BoundStep`) from the
    /// gradients the last `pass` left, while `withWeights` runs: what `optimizer.step` does,
    /// clipping and L2 decay (`adjustment`) included. (Plain SGD without them is applied by
    /// `pass(_:_:descendingAt:)` as it goes.)
    func updateWeights(with rule: any BoundStep, adjusting adjustment: GradientAdjustment) {
        var count = 0
        for stage in 0..<stages.count {
            let (value, gradient) = (chain.parameters(of: stage), chain.gradients(of: stage))
            (boundValues[count], boundGradients[count]) = (value.weight, UnsafePointer(gradient.weight))
            count += 1
            if let bias = value.bias, let biasGradient = gradient.bias {
                (boundValues[count], boundGradients[count]) = (bias, UnsafePointer(biasGradient))
                count += 1
            }
        }
        if !adjustment.changesNothing { adjustGradients(count, adjustment) }
        rule.step(values: boundValues, gradients: boundGradients)
    }

    /// Clipping and L2 decay, as `Optimizer.step` applies them, on the first `count` listed
    /// gradients (the plan's own buffers) in place, in the model's parameter order.
    private func adjustGradients(_ count: Int, _ adjustment: GradientAdjustment) {
        var squares: Float = 0
        if adjustment.clipNorm != nil {
            for index in 0..<count {
                squares += GradientAdjustment.squares(of: UnsafeBufferPointer(start: boundGradients[index], count: boundCounts[index]))
            }
        }
        let scale = GradientAdjustment.scale(squares: squares, clipNorm: adjustment.clipNorm)
        for index in 0..<count {
            GradientAdjustment.adjust(UnsafeMutablePointer(mutating: boundGradients[index]!), values: boundValues[index]!,
                                      count: boundCounts[index], scale: scale, decay: adjustment.decay)
        }
    }

    /// `body` of the last pass's output `[batch, outputs]`: the plan's own tensor, refilled
    /// from the kernel's buffer (no allocation while nothing else holds it).
    func withOutput<Result>(_ body: (Tensor) -> Result) -> Result {
        let last = stages.count - 1
        result.scalars.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: chain.output(of: last), count: $0.count) }
        return body(result)
    }

    /// One step on `input` `[batch, features]` and `target` (`[batch, outputs]`, or `[batch]`
    /// class indices): forward, loss,
    /// backward into the parameters' gradients and `optimizer.step(parameters)`, as the eager
    /// step does; a NaN or infinite loss leaves the weights untouched. Returns the loss and the
    /// output.
    func step(_ input: Tensor, _ target: Tensor, optimizer: any Optimizer, parameters: [Parameter]) -> (loss: Float, output: Tensor) {
        let loss = input.scalars.withUnsafeBufferPointer { x in
            target.scalars.withUnsafeBufferPointer { y in
                withWeights { pass(x.baseAddress!, y.baseAddress!) }
            }
        }
        let output = withOutput { $0 }
        guard loss.isFinite else { return (loss, output) }
        for (index, stage) in stages.enumerated() {
            let gradient = chain.gradients(of: index)
            stage.weight.accumulateGradient(from: gradient.weight)
            if let bias = gradient.bias { stage.bias?.accumulateGradient(from: bias) }
        }
        optimizer.step(parameters)
        return (loss, output)
    }

    /// Forward, loss and (when the loss is finite) backward for input rows `x` and target rows
    /// `y`, while `withWeights` runs. With `descendingAt` nil the gradients are left in the
    /// plan's buffers; with a rate, each parameter takes plain SGD's step `w -= rate · g` as
    /// soon as nothing needs its old value, and the gradient buffers are not written. Returns
    /// the loss.
    func pass(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, descendingAt rate: Float? = nil) -> Float {
        if hasDropout { drawDropoutMasks() }
        return chain.step(x, y, descendingAt: rate)
    }

    /// Each dropout stage's draws for the next step, in stage order from the model's
    /// generator, as many words as `Dropout.Mask` draws for the eager forward pass.
    private func drawDropoutMasks() {
        var generator = model.generator
        for index in 0..<stages.count {
            guard let (draws, words) = chain.dropoutDraws(of: index) else { continue }
            for word in 0..<words { draws.storeBytes(of: generator.next(), toByteOffset: 8 * word, as: UInt64.self) }
        }
        model.generator = generator
    }

    /// Whether plain SGD's whole blocks may run inside one kernel call: not with dropout,
    /// whose masks are drawn before each step.
    var descendsInBlocks: Bool { !hasDropout }

    /// A batch's rows `order[0 ..< count]` of `x` and `y` (`count` at most `batch`), gathered
    /// into the plan's buffers (one row is read in place): see `DenseChain.gather`.
    func gather(
        rows order: UnsafePointer<Int>, count: Int, of x: UnsafePointer<Float>, _ y: UnsafePointer<Float>
    ) -> (x: UnsafePointer<Float>, y: UnsafePointer<Float>) {
        chain.gather(rows: order, count: count, of: x, y)
    }

    /// `epochs` epochs of plain SGD at `rate` in one kernel call, while `withWeights` runs (and
    /// `last`, for the epochs' last smaller batch, borrows the weights): see
    /// `DenseChain.descend`.
    func descend(
        epochs: Int, order: UnsafePointer<Int>, samples: Int, last: CompiledStep?, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
        rate: Float, losses: UnsafeMutablePointer<Double>
    ) -> (batch: Int, loss: Float)? {
        chain.descend(epochs: epochs, order: order, samples: samples, last: last?.chain, x: x, y: y, rate: rate, losses: losses)
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
}
