import CNeuralNetKernels

/// A small chain of dense stages, `output = f(input · W + b)` each, trained one step per call
/// (`nn_dense_chain_step`, see `dense_chain.c`): forward, the loss and backward in one C
/// function, with the sums in the eager step's order so that the results are
/// bit-identical to it. For compiled training of tiny networks, whose steps are bound by
/// latency: each waits on the last one's weights.
///
/// The chain owns its buffers (outputs, gradients, scratch); the weights are the caller's, set
/// with `setWeight(_:ofStage:)` and `setBias(_:ofStage:)` before a step and valid while it runs.
public final class DenseChain {
    /// How a stage's activation is computed: the identity, ReLU, tanh, softmax over each row
    /// (the last stage only) and GELU (`Elementwise.gelu` over the stage's z, as eagerly) in
    /// the kernel, any other kind through the chain's `Callback`s:
    /// `.callback` with f' from the output (`slope`), `.callbackWithInput` from the input and
    /// the output (`slopeAt`; the stage keeps its input).
    public enum Function: Sendable {
        case linear, relu, tanh, softmax, gelu, callback, callbackWithInput

        /// Whether the stage keeps its z = input · W + b (f' needs it, or GELU's f replaces it).
        public var keepsInput: Bool { self == .callbackWithInput || self == .gelu }
    }

    /// The loss a step minimises, computed as the eager loss of the same name (see
    /// `dense_chain_losses.c`). Targets are rows as wide as the last stage's output, except for
    /// `.sparseSoftmaxCrossEntropy`: one class index a row, a whole number in a float.
    /// `.categoricalCrossEntropy` takes probabilities (a softmax last stage's).
    public enum Loss: Sendable {
        case squaredError, absoluteError, binaryCrossEntropy, sigmoidCrossEntropy, softmaxCrossEntropy, sparseSoftmaxCrossEntropy
        case categoricalCrossEntropy
    }

    /// A stage's activation called back from the kernel: `(context, stage, x) -> Float`, for
    /// `value` `f(z)`, for `slope` `f'` read from the output `y = f(z)`.
    public typealias Callback = @convention(c) (UnsafeRawPointer?, Int, Float) -> Float
    /// A stage's f' from its input z and output y, called back from the kernel:
    /// `(context, stage, z, y) -> Float`.
    public typealias InputCallback = @convention(c) (UnsafeRawPointer?, Int, Float, Float) -> Float

    /// Dropout after a stage's activation: an element is kept, times `scale`, when its 16-bit
    /// draw is below `threshold` (`Elementwise.dropout`'s rule), else zeroed.
    public struct Dropout: Sendable {
        /// The bound a draw must be under for its element to be kept.
        public let threshold: UInt32
        /// The factor a kept element is multiplied by.
        public let scale: Float

        /// Dropout keeping draws under `threshold`, scaling them by `scale`.
        public init(threshold: UInt32, scale: Float) {
            (self.threshold, self.scale) = (threshold, scale)
        }
    }

    /// The sizes of one stage: `[batch, inputs]` in, `[batch, outputs]` out.
    public struct Shape: Sendable {
        /// The widths of the stage's input and output rows.
        public let inputs: Int, outputs: Int
        /// Its activation.
        public let function: Function
        /// Whether it adds a bias.
        public let hasBias: Bool
        /// Dropout after the activation (never on the last stage), drawn anew before each step
        /// into `dropoutDraws(of:)`.
        public let dropout: Dropout?

        /// A stage `inputs` → `outputs` wide with activation `function`, with or without a bias,
        /// and with or without dropout after it.
        public init(inputs: Int, outputs: Int, function: Function, hasBias: Bool, dropout: Dropout? = nil) {
            (self.inputs, self.outputs, self.function, self.hasBias, self.dropout) = (inputs, outputs, function, hasBias, dropout)
        }
    }

    /// The rows of each step.
    public let batch: Int
    /// The number of stages.
    public let count: Int
    /// The loss each step minimises.
    public let loss: Loss
    /// The width of a target row: the last stage's outputs, or 1 (a class index).
    public let targetWidth: Int
    private let lossKind: nn_dense_loss
    private let stages: UnsafeMutablePointer<nn_dense_stage>
    private let difference: UnsafeMutablePointer<Float>
    /// A batch's gathered rows, for `gather` and `descend`.
    private let inputs: UnsafeMutablePointer<Float>, targets: UnsafeMutablePointer<Float>
    /// A pointer, not a stored struct: passing a property `inout` would cost an exclusivity
    /// check a step.
    private let callbacks: UnsafeMutablePointer<nn_dense_callbacks>

    /// A chain of `shapes` for batches of `batch` rows minimising `loss`; `value` and `slope`
    /// (with `context`) compute the `.callback` stages' activations, `value` and `slopeAt` the
    /// `.callbackWithInput` ones'.
    public init(
        batch: Int, shapes: [Shape], loss: Loss = .squaredError, context: UnsafeRawPointer?, value: Callback, slope: Callback,
        slopeAt: InputCallback? = nil
    ) {
        if slopeAt == nil, let stage = shapes.firstIndex(where: { $0.function == .callbackWithInput }) {
            fatalError("DenseChain: stage \(stage) takes its slope from its input, but no slopeAt was given")
        }
        if batch <= 0 || shapes.isEmpty || zip(shapes, shapes.dropFirst()).contains(where: { $0.outputs != $1.inputs }) {
            fatalError("DenseChain: \(shapes.count) stages that do not chain, or a batch of \(batch)")
        }
        if let stage = shapes.dropLast().firstIndex(where: { $0.function == .softmax }) {
            fatalError("DenseChain: stage \(stage) of \(shapes.count) has softmax, which only the last stage may have")
        }
        if shapes[shapes.count - 1].dropout != nil { fatalError("DenseChain: the last of \(shapes.count) stages has dropout") }
        self.batch = batch
        count = shapes.count
        self.loss = loss
        lossKind = switch loss {
        case .squaredError: NN_DENSE_SQUARED_ERROR
        case .absoluteError: NN_DENSE_ABSOLUTE_ERROR
        case .binaryCrossEntropy: NN_DENSE_BINARY_CROSS_ENTROPY
        case .sigmoidCrossEntropy: NN_DENSE_SIGMOID_CROSS_ENTROPY
        case .softmaxCrossEntropy: NN_DENSE_SOFTMAX_CROSS_ENTROPY
        case .sparseSoftmaxCrossEntropy: NN_DENSE_SPARSE_SOFTMAX_CROSS_ENTROPY
        case .categoricalCrossEntropy: NN_DENSE_CATEGORICAL_CROSS_ENTROPY
        }
        targetWidth = nn_dense_target_width(lossKind, shapes[shapes.count - 1].outputs)
        stages = .allocate(capacity: shapes.count)
        for (index, shape) in shapes.enumerated() {
            let function: nn_dense_activation = switch shape.function {
            case .linear: NN_DENSE_LINEAR
            case .relu: NN_DENSE_RELU
            case .tanh: NN_DENSE_TANH
            case .softmax: NN_DENSE_SOFTMAX
            case .gelu: NN_DENSE_GELU
            case .callback: NN_DENSE_CALLBACK
            case .callbackWithInput: NN_DENSE_CALLBACK_WITH_INPUT
            }
            let size = batch * shape.outputs
            // The draws as whole 64-bit words (a generator's), read by the kernel as 16-bit ones.
            let draws = shape.dropout.map { _ in
                UnsafeMutableRawPointer.allocate(byteCount: 8 * ((size + 3) / 4), alignment: 8).bindMemory(to: UInt16.self, capacity: 4 * ((size + 3) / 4))
            }
            (stages + index).initialize(to: nn_dense_stage(
                inputs: shape.inputs, outputs: shape.outputs, activation: function, weight: nil, bias: nil,
                output: .allocate(capacity: size), input_gradient: .allocate(capacity: batch * shape.inputs),
                weight_gradient: .allocate(capacity: shape.inputs * shape.outputs),
                bias_gradient: shape.hasBias ? .allocate(capacity: shape.outputs) : nil,
                dropout_random: draws.map { UnsafePointer($0) },
                dropout_threshold: shape.dropout?.threshold ?? 0, dropout_scale: shape.dropout?.scale ?? 0,
                dropped: shape.dropout.map { _ in .allocate(capacity: size) },
                pre_activation: shape.function.keepsInput ? .allocate(capacity: size) : nil))
        }
        // The loss's gradient, and the log-probabilities or terms it is computed from.
        difference = .allocate(capacity: 2 * batch * shapes[shapes.count - 1].outputs)
        inputs = .allocate(capacity: batch * shapes[0].inputs)
        targets = .allocate(capacity: batch * targetWidth)
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: nn_dense_callbacks(context: context, value: value, slope: slope, slope_at: slopeAt))
    }

    deinit {
        for index in 0..<count {
            let stage = stages[index]
            stage.output.deallocate(); stage.input_gradient.deallocate(); stage.weight_gradient.deallocate()
            stage.bias_gradient?.deallocate()
            stage.dropout_random.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
            stage.dropped?.deallocate()
            stage.pre_activation?.deallocate()
        }
        stages.deallocate()
        difference.deallocate()
        inputs.deallocate()
        targets.deallocate()
        callbacks.deallocate()
    }

    /// Stage `index`'s output `[batch, outputs]` after a step.
    public func output(of index: Int) -> UnsafeMutablePointer<Float> { stages[index].output }

    /// Stage `index`'s weight gradient `[inputs, outputs]` and bias gradient `[outputs]` (nil
    /// without a bias) after a step that did not descend.
    public func gradients(of index: Int) -> (weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?) {
        (stages[index].weight_gradient, stages[index].bias_gradient)
    }

    /// Where stage `index`'s dropout draws go before each step: `words` 64-bit words, each
    /// four 16-bit draws (low bits first, as they lie in memory), written as raw bytes
    /// (`storeBytes(of:toByteOffset:as:)`); nil without dropout.
    public func dropoutDraws(of index: Int) -> (draws: UnsafeMutableRawPointer, words: Int)? {
        let stage = stages[index]
        guard let draws = stage.dropout_random else { return nil }
        return (UnsafeMutableRawPointer(mutating: draws), (batch * stage.outputs + 3) / 4)
    }

    /// Whether some stage has dropout.
    public var hasDropout: Bool { (0..<count).contains { stages[$0].dropout_random != nil } }

    /// The weight and bias stage `index` points at.
    public func parameters(of index: Int) -> (weight: UnsafeMutablePointer<Float>?, bias: UnsafeMutablePointer<Float>?) {
        (stages[index].weight, stages[index].bias)
    }

    /// Points stage `index` at its weight `[inputs, outputs]`, or (nil) at nothing.
    public func setWeight(_ weight: UnsafeMutablePointer<Float>?, ofStage index: Int) {
        stages[index].weight = weight
    }

    /// Points stage `index` at its bias `[outputs]`, or (nil, also for a stage without one) at
    /// nothing.
    public func setBias(_ bias: UnsafeMutablePointer<Float>?, ofStage index: Int) {
        stages[index].bias = bias
    }

    /// One step on rows `x` `[batch, inputs]` and targets `y` `[batch, targetWidth]`: forward,
    /// the loss and, when it is finite, backward into the gradient buffers or, with a `rate`,
    /// into plain gradient descent `w -= rate · g` on each parameter. Returns the loss.
    public func step(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, descendingAt rate: Float?) -> Float {
        checkWeights()
        return nn_dense_chain_step(stages, count, lossKind, batch, x, y, difference, rate == nil ? 0 : 1, rate ?? 0, callbacks)
    }

    private func checkWeights() {
        for index in 0..<count where stages[index].weight == nil {
            fatalError("DenseChain: stage \(index) has no weight; set it with setWeight(_:ofStage:) before a step")
        }
    }

    /// The rows `order[0 ..< count]` (`count` at most `batch`) of `x` and `y`, each row
    /// `inputs` and `targetWidth` wide: one row read where it is, more gathered
    /// into the chain's buffers (valid until the next gather).
    public func gather(
        rows order: UnsafePointer<Int>, count: Int, of x: UnsafePointer<Float>, _ y: UnsafePointer<Float>
    ) -> (x: UnsafePointer<Float>, y: UnsafePointer<Float>) {
        if count < 1 || count > batch { fatalError("DenseChain.gather: \(count) rows for a chain of \(batch)") }
        var rows: (x: UnsafePointer<Float>?, y: UnsafePointer<Float>?) = (nil, nil)
        nn_dense_chain_gather(x, y, order, count, stages[0].inputs, targetWidth,
                              inputs, targets, &rows.x, &rows.y)
        return (rows.x!, rows.y!)
    }

    /// `epochs` epochs of plain gradient descent at `rate` in one call (`nn_dense_chain_descend`):
    /// epoch e takes the rows `order[e · samples ..< (e + 1) · samples]` of `x` and `y` in
    /// batches of this chain's size, the last `samples % batch` rows on `last` (which must
    /// then exist, be made for that many rows and point at the same parameters), and writes
    /// `losses[e]` = Σ loss · rows over its batches, in double. Returns nil when every loss was
    /// finite, else the batch (counted from the first of the first epoch) whose loss was not
    /// and that loss, with the parameters as the batch before left them. `last` must minimise
    /// the same loss.
    public func descend(
        epochs: Int, order: UnsafePointer<Int>, samples: Int, last: DenseChain?, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
        rate: Float, losses: UnsafeMutablePointer<Double>
    ) -> (batch: Int, loss: Float)? {
        if let last, last.loss != loss || last.count != count {
            fatalError("DenseChain.descend: the chain for the last rows has \(last.count) stages and \(last.loss); this one \(count) and \(loss)")
        }
        if hasDropout { fatalError("DenseChain.descend: stages with dropout need new draws before each step") }
        if samples % batch != 0 && last?.batch != samples % batch {
            fatalError("DenseChain.descend: \(samples) rows in batches of \(batch) need a chain for \(samples % batch)")
        }
        checkWeights()
        last?.checkWeights()
        var badLoss: Float = 0
        let failed = nn_dense_chain_descend(
            stages, (last ?? self).stages, count, lossKind, x, y, order, samples, batch, epochs, rate, inputs, targets, difference,
            callbacks, losses, &badLoss)
        return failed < 0 ? nil : (failed, badLoss)
    }
}
