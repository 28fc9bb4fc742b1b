import Foundation
import Synchronization

/// A trainable (or saved-but-not-trained) tensor owned by a layer.
///
/// Layers hold their parameters as `let` references; the value is replaced when the layer is
/// built and updated in place by the optimizer, so a parameter keeps its identity for the
/// life of the model (optimizer state and save/load key on it).
public final class Parameter {
    /// The current value. Once the layer is built its shape is fixed: assigning a tensor of
    /// another shape keeps the current value, and the model's next `fit`, `evaluate` or
    /// `predict` throws `NeuralNetError.invalidArgument` naming the parameter and both shapes
    /// (`predict` stops with that message; `output(for:)` throws it).
    public var value: Tensor {
        // Read in place: the forward pass reads every parameter on every step.
        _read { yield storage }
        set {
            if storage.count > 0 && newValue.dimensions != storage.dimensions {
                rejectedShape = newValue.shape
                Parameter.anyRejected.store(true, ordering: .relaxed)
            } else {
                storage = newValue
                rejectedShape = nil
            }
        }
        // In-place updates (the optimizer's) go straight to the storage, without a copy.
        _modify { yield &storage }
    }
    private var storage: Tensor
    /// The shape of a tensor last assigned to `value` and refused because it differs from the
    /// built shape; nil when the last assignment was taken.
    public private(set) var rejectedShape: [Int]?
    /// Whether any parameter has ever refused a value: until one has, models skip looking
    /// (`predict` of one sample is a few microseconds, and the check would be a tenth of it).
    static let anyRejected = Atomic(false)
    /// The gradient accumulated by `backward()` since the last step, if any.
    public var gradient: Tensor? {
        get { accumulated }
        set { accumulated = newValue }
    }
    // The gradient's storage. Outside code reaches it only through the plain get and set
    // above, which cannot overlap anything, and the library's own accesses call no outside
    // code while they are open: the run-time exclusivity checks (three per parameter and
    // step) are skipped.
    @exclusivity(unchecked) var accumulated: Tensor?
    /// Whether it is learned at all (false for buffers such as running statistics).
    public let isLearned: Bool
    /// Whether training leaves it as it is for now: a frozen layer's parameters (see
    /// `Layer.isTrainable`). `fit` reads it when it starts.
    public var isFrozen: Bool {
        get { frozen }
        set { frozen = newValue }
    }
    // Read by the tape and the optimizer for every parameter on every step; outside code
    // reaches it only through the plain get and set above, a whole Bool each, so no access
    // can overlap another and the run-time checks are skipped.
    @exclusivity(unchecked) private var frozen = false

    /// Whether the optimizer updates it: learned and not frozen.
    public var isTrainable: Bool { isLearned && !frozen }

    /// A parameter holding `value`; `trainable: false` makes a buffer the optimizer never
    /// updates.
    public init(_ value: Tensor, trainable: Bool = true) {
        self.storage = value
        self.isLearned = trainable
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// The number of scalars.
    public var count: Int { value.count }

    // The storage of the last gradient the optimizer used, kept for the next one; touched
    // only by the two methods below, which call nothing while they hold it.
    @exclusivity(unchecked) private var spareGradient: Tensor?

    /// The storage of the last gradient the optimizer used, to compute the next one into
    /// (nil if there is none): a training step then allocates no gradient for its
    /// parameters. Its contents and shape are not specified.
    func takeGradientStorage() -> Tensor? {
        // Whoever writes into it checks the size (`Tensor(reusing:dimensions:)`).
        spareGradient.take()
    }

    /// Keeps `gradient`, which the optimizer has finished with, for `takeGradientStorage()`.
    func recycle(_ gradient: consuming Tensor) {
        spareGradient = gradient
    }

    func accumulate(_ incoming: consuming Tensor) {
        check(
            incoming.dimensions == value.dimensions,
            "a pullback returned a gradient of shape \(incoming.shape) for a parameter of shape \(value.shape)")
        if accumulated == nil { accumulated = incoming } else { accumulated! += incoming }
    }
}

extension Parameter: CustomStringConvertible {
    public var description: String { "Parameter(shape: \(shape)\(isTrainable ? "" : ", not trained"))" }
}

/// The leaves that read one parameter, made on first use and kept by the layer that owns the
/// parameter, so that a training step does not allocate a leaf per parameter. A leaf holds no
/// per-graph state (its gradient goes to the parameter), so every graph can share it.
///
/// The layer keeps this, not the parameter: a leaf refers to its parameter, and a parameter
/// keeping its leaf would make a reference cycle.
final class ParameterLeaves {
    let parameter: Parameter
    // Touched only by `leaf()`, which calls nothing while it writes them.
    @exclusivity(unchecked) private var recording: Variable?
    private let constant: Variable

    init(_ parameter: Parameter) {
        self.parameter = parameter
        // Made now rather than on first use: inference only reads it, so several threads may
        // predict with one model at once.
        constant = Variable.withoutRecording { Variable(parameter) }
    }

    /// The leaf for the current mode: recording a gradient, or inside
    /// `Variable.withoutRecording` a constant.
    func leaf() -> Variable {
        if parameter.isTrainable && Variable.isRecording {
            if let recording { return recording }
            recording = Variable(parameter)
            return recording!
        }
        return constant
    }
}

/// Raw access to a parameter's gradient for code that moves gradients between processes
/// (`DistributionStrategy` implementations): a copy out and a copy back, without a tensor
/// allocated per step once the gradient's storage exists.
extension Parameter {
    /// Copies the gradient (zeros when there is none) to `destination`, which has room for
    /// `count` scalars.
    public func copyGradient(to destination: UnsafeMutablePointer<Float>) {
        guard let accumulated else { return destination.update(repeating: 0, count: count) }
        accumulated.scalars.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: count) }
    }

    /// Adds the `count` scalars at `source` to the gradient, as `accumulate` adds a tensor (the
    /// first addition becomes the gradient), without making a tensor of them.
    func accumulateGradient(from source: UnsafePointer<Float>) {
        guard accumulated != nil else { return setGradient(from: source) }
        accumulated!.scalars.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] += source[i] }
        }
    }

    /// Makes the gradient the `count` scalars at `source`, written into the gradient's own
    /// storage when it has one.
    public func setGradient(from source: UnsafePointer<Float>) {
        var gradient = Tensor(reusing: accumulated.take() ?? takeGradientStorage(), dimensions: value.dimensions)
        gradient.scalars.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: source, count: count) }
        accumulated = gradient
    }
}

extension Parameter {
    /// Throws unless parameters of `shapes` can be made for `layer`: shapes a tensor may have,
    /// which fit in the `MemoryBudget` with their gradients and optimizer state. Layers call it
    /// before they allocate, so that `Dense(300_000_000)` is an error naming the layer, not a
    /// failed allocation.
    static func checkRoom(for shapes: [[Int]], layer: String) throws {
        var total = 0
        for shape in shapes {
            if let problem = Dimensions.problem(with: shape) {
                throw NeuralNetError.invalidArgument("\(layer): its parameter \(problem)")
            }
            let (sum, overflow) = total.addingReportingOverflow(Dimensions.elementCount(shape) ?? Int.max)
            total = overflow ? Int.max : sum
        }
        if !MemoryBudget.fits(total, bytesPerValue: 16) {
            throw NeuralNetError.invalidArgument(
                "\(layer): its parameters \(shapes) (\(total) values) need more than the memory budget of \(MemoryBudget.description) "
                    + "to train (16 bytes each with gradients and optimizer state); use fewer units or filters, or see MemoryBudget")
        }
    }
}
