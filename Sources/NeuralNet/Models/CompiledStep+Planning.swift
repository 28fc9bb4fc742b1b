import NeuralNetKernels

/// Which models `CompiledStep` plans, and why not the others: `fit(..., compile: true)` tells
/// the user (unless progress is silent) when a model trains eagerly after all.
extension CompiledStep {
    /// Why a model has no plan, in words for the user.
    struct Refusal: Error {
        let reason: String
    }

    /// The stages and the kernel's loss for `model` and batches of `batch` samples, or why
    /// the plan would not replay the eager step exactly, or would gain nothing.
    static func plan(for model: Sequential, batch: Int) -> Result<([Stage], DenseChain.Loss), Refusal> {
        guard model.losses.count == 1, model.lossWeights == [1] else { return .failure(Refusal(reason: "it has several losses")) }
        guard let loss = chainLoss(model.losses[0]) else {
            let what = model.losses[0].ignoredIndex != nil ? "it ignores a class index" : "a loss of your own"
            return .failure(Refusal(reason: "the plan does not compute the loss \(model.losses[0].name) (\(what))"))
        }
        guard batch > 0, !model.layers.isEmpty else { return .failure(Refusal(reason: "it has no layers")) }
        guard Set(model.layers.map { ObjectIdentifier($0) }).count == model.layers.count else {
            return .failure(Refusal(reason: "a layer appears twice in it"))
        }
        return stages(of: model.layers, batch: batch).map { ($0, loss) }
    }

    /// One stage per `Dense` layer, with the activation it applies: its own, or, when it has
    /// none, an `Activation` layer right after it (the tutorial's and Keras's way of writing
    /// one); then the rate of a `Dropout` layer after those, if any.
    private static func stages(of layers: [any Layer], batch: Int) -> Result<[Stage], Refusal> {
        var stages: [Stage] = []
        var index = 0
        while index < layers.count {
            func refuse(_ problem: String) -> Result<[Stage], Refusal> {
                .failure(Refusal(reason: "layer \(index) (\(layers[index])) \(problem)"))
            }
            guard let dense = layers[index] as? Dense else {
                return refuse("is not a Dense layer; the plan takes Dense layers, each followed by at most an Activation layer "
                    + "and a Dropout layer")
            }
            guard let inputs = dense.inputSize else { return refuse("is not built yet") }
            var activation = dense.activation, separate = false
            if activation.kind == .linear, index + 1 < layers.count, let following = layers[index + 1] as? Activation {
                (activation, separate) = (following, true)
                index += 1
            }
            if activation.kind == .softmax, index < layers.count - 1 { return refuse("applies softmax, which the plan takes on the last layer only") }
            // Log-softmax normalises rows with a kernel of its own, which the plan does not repeat;
            // GELU is the eager kernel's (`Elementwise.gelu`), every other kind the activation table's.
            guard activation.kind != .logSoftmax, activation.unknownName == nil else {
                return refuse("applies \(activation), which the plan does not compute")
            }
            guard dense.weight.isTrainable, dense.bias?.isTrainable ?? true else { return refuse("has frozen parameters") }
            guard MatrixMultiply.isTiny(m: batch, n: dense.outputSize, k: inputs) else {
                return refuse("multiplies \(batch) × \(inputs) × \(dense.outputSize) = \(batch * inputs * dense.outputSize) a step, more than "
                    + "the plan's \(MatrixMultiply.tinyProduct) (larger products are bound by arithmetic, not bookkeeping: a plan would gain nothing)")
            }
            if let previous = stages.last, previous.outputs != inputs {
                return refuse("takes \(inputs) inputs, but the layer before gives \(previous.outputs)")
            }
            var dropout: Float = 0
            if index + 1 < layers.count, let following = layers[index + 1] as? Dropout {
                index += 1
                if index == layers.count - 1 { return refuse("drops outputs of the last layer, which the plan does not") }
                dropout = following.rate
            }
            let function: DenseChain.Function = switch activation.kind {
            case .linear: .linear
            // A Dense layer's ReLU is its multiply's epilogue, the kernel's `nn_relu`; a layer of
            // its own applies the table's `max(z, 0)`, which differs from it at z = -0.
            case .relu: separate ? .callback : .relu
            case .tanh: .tanh
            case .softmax: .softmax
            case .gelu: .gelu
            default: activation.hasDerivativeFromOutput ? .callback : .callbackWithInput
            }
            stages.append(Stage(
                weight: dense.weight, bias: dense.bias, kind: activation.kind, alpha: activation.alpha,
                inputs: inputs, outputs: dense.outputSize, function: function, dropout: dropout))
            index += 1
        }
        return .success(stages)
    }

    /// The kernel's loss for `loss`, or nil for one it does not compute.
    static func chainLoss(_ loss: Loss) -> DenseChain.Loss? {
        guard loss.ignoredIndex == nil, let builtin = loss.builtin else { return nil }
        return switch builtin {
        case .meanSquaredError: .squaredError
        case .meanAbsoluteError: .absoluteError
        case .binaryCrossEntropy: .binaryCrossEntropy
        case .sigmoidCrossEntropy: .sigmoidCrossEntropy
        case .softmaxCrossEntropy: .softmaxCrossEntropy
        case .sparseSoftmaxCrossEntropy: .sparseSoftmaxCrossEntropy
        case .categoricalCrossEntropy: .categoricalCrossEntropy
        }
    }
}

extension Network {
    /// The model as `fit(..., compile: true)` plans it for `dataset`, or why it trains eagerly
    /// (the layers are judged for each batch size by `CompiledStep.plan`).
    func plannable(
        for dataset: Dataset, accumulationSteps: Int, distribution: (any DistributionStrategy)?
    ) -> Result<Sequential, CompiledStep.Refusal> {
        func refuse(_ reason: String) -> Result<Sequential, CompiledStep.Refusal> { .failure(CompiledStep.Refusal(reason: reason)) }
        guard let sequential = self as? Sequential else { return refuse("it is a graph Model; the plan is for a Sequential") }
        guard accumulationSteps == 1 else { return refuse("it accumulates gradients over \(accumulationSteps) parts of each batch") }
        guard distribution == nil else { return refuse("its training is distributed") }
        guard dataset.sampleShape.count == 1 else { return refuse("its samples are \(dataset.sampleShape), not rows of features") }
        let labels = dataset.labelTensors[0]
        guard labels.rank == 2 || (labels.rank == 1 && losses.first?.takesClassIndices == true) else {
            return refuse("its targets are \(labels.shape), neither rows nor class indices")
        }
        return .success(sequential)
    }

    /// Why `fit(..., compile: true)` trains this model eagerly, said for the user, or nil when
    /// its batches of `batchSize` are planned.
    func compileNote(
        for dataset: Dataset, batchSize: Int, accumulationSteps: Int, distribution: (any DistributionStrategy)?
    ) -> String? {
        let planned = plannable(for: dataset, accumulationSteps: accumulationSteps, distribution: distribution)
            .flatMap { CompiledStep.plan(for: $0, batch: min(batchSize, dataset.count)).map { _ in () } }
        guard case .failure(let refusal) = planned else { return nil }
        return "note: compile: true has no plan for this model, so it trains eagerly: \(refusal.reason)"
    }
}
