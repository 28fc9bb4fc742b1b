/// Updates parameters from their gradients.
///
/// A rule only writes `update(_:gradient:)` for one parameter; `step(_:)` walks the
/// parameters, skips those without a gradient or not trained, applies gradient clipping and L2
/// weight decay, and clears the gradients after. Per-parameter state (momentum, moments) and
/// step counts are data: `state(of:)` and `restore(_:of:)` (in `OptimizerState.swift`) read and
/// write them as tensors named by parameter path, for checkpoints.
///
/// Arguments are checked when `fit` starts or the model is built (`argumentProblem`): a
/// learning rate that is not positive, a negative weight decay, a clip norm that is not
/// positive, and each rule's own (betas, momentum) end in `NeuralNetError.invalidArgument`.
public protocol Optimizer: AnyObject, ArgumentChecked {
    /// The step size; schedules change it between epochs.
    var learningRate: Float { get set }
    /// L2 weight decay λ: `λ · w` is added to each gradient (0 for none).
    var weightDecay: Float { get }
    /// When set, gradients are scaled so that their global L2 norm is at most this.
    var clipNorm: Float? { get }

    /// Called once per step before any `update`, to advance step counters.
    func beginStep()

    /// Updates `parameter.value` in place from `gradient`.
    func update(_ parameter: Parameter, gradient: Tensor)

    /// Whether the rule also works on raw buffers (`update(_:value:gradient:count:)`), which
    /// compiled training needs to run whole epochs with the parameters held open. False
    /// unless a rule says otherwise; the built-in rules all do.
    var updatesBuffers: Bool { get }
    /// `update(_:gradient:)` on buffers: the `count` values of `parameter` at `value` and its
    /// gradient at `gradient`, while the caller holds `parameter.value` open (the rule must not
    /// read `parameter.value`, `shape` or `count`). Called only when `updatesBuffers` is true.
    func update(_ parameter: Parameter, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int)

    /// The names of the tensors the rule keeps per parameter (`["firstMoment", "secondMoment"]`);
    /// empty for a rule without state.
    var stateSlots: [String] { get }
    /// The rule's tensors for `parameter`, one per slot and shaped like it, or nil before its
    /// first update.
    func stateTensors(for parameter: Parameter) -> [Tensor]?
    /// Replaces the rule's tensors for `parameter` (one per slot, shaped like it).
    func setStateTensors(_ tensors: [Tensor], for parameter: Parameter)
    /// The rule's scalars by name, such as Adam's step count.
    var stateScalars: [String: Double] { get set }
}

extension Optimizer {
    /// The checks every rule shares (learning rate, weight decay, clip norm); a rule with
    /// arguments of its own adds its checks after these.
    public var argumentProblem: String? { sharedArgumentProblem }

    /// The learning rate, weight decay and clip norm checks.
    var sharedArgumentProblem: String? {
        guard learningRate > 0 && learningRate.isFinite else {
            return "the learning rate must be positive, got \(learningRate); try 0.001 for Adam, 0.01 for SGD"
        }
        guard weightDecay >= 0 && weightDecay.isFinite else {
            return "weightDecay must be 0 or more, got \(weightDecay)"
        }
        guard (clipNorm ?? 1) > 0 else {
            return "clipNorm must be positive, got \(clipNorm ?? 0); leave it out to not clip"
        }
        return nil
    }

    public var weightDecay: Float { 0 }
    public var clipNorm: Float? { nil }
    public func beginStep() {}

    public var updatesBuffers: Bool { false }

    public func update(_ parameter: Parameter, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int) {
        fatalError("\(Self.self) has no update on buffers (updatesBuffers is false)")
    }

    /// `update(_:value:gradient:count:)` on `parameter.value` and `gradient`: the tensor form
    /// of a rule written on buffers, so that each rule's arithmetic lives in one place.
    func updateThroughBuffers(_ parameter: Parameter, gradient: Tensor) {
        parameter.value.scalars.withUnsafeMutableBufferPointer { w in
            gradient.scalars.withUnsafeBufferPointer { g in
                guard let weights = w.baseAddress, let gradients = g.baseAddress else { return }
                update(parameter, value: weights, gradient: gradients, count: w.count)
            }
        }
    }

    /// One optimisation step over `parameters`; their gradients are cleared afterwards.
    public func step(_ parameters: [Parameter]) {
        let adjustment = GradientAdjustment(of: self)
        var squares: Float = 0
        if adjustment.clipNorm != nil {
            for parameter in parameters where parameter.isTrainable {
                guard let gradient = parameter.gradient else { continue }
                squares += gradient.scalars.withUnsafeBufferPointer(GradientAdjustment.squares(of:))
            }
        }
        let (scale, decay) = (GradientAdjustment.scale(squares: squares, clipNorm: adjustment.clipNorm), adjustment.decay)
        beginStep()
        for parameter in parameters {
            guard var gradient = parameter.accumulated.take(), parameter.isTrainable else { continue }
            if scale != 1 || decay != 0 {
                let values = parameter.value
                gradient.scalars.withUnsafeMutableBufferPointer { gradients in
                    values.scalars.withUnsafeBufferPointer { weights in
                        guard let g = gradients.baseAddress, let w = weights.baseAddress else { return }
                        GradientAdjustment.adjust(g, values: w, count: min(gradients.count, weights.count), scale: scale, decay: decay)
                    }
                }
            }
            update(parameter, gradient: gradient)
            parameter.recycle(consume gradient)
        }
    }
}
