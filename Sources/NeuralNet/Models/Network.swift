/// A trainable model: anything that maps a batch to outputs with named parameters, a loss and an
/// optimizer. `Sequential` conforms; the training loop (`fit`, `evaluate`, `predict`) is
/// written once, in `Network+Training.swift`, for every conforming model.
public protocol Network: AnyObject {
    /// The loss minimised by `fit`.
    var loss: Loss { get }
    /// The update rule used by `fit`.
    var optimizer: any Optimizer { get set }
    /// Measures reported beside the loss.
    var metrics: [Metric] { get }
    /// The source of randomness for initialisation and shuffling; seeded by `fit(seed:)`.
    var generator: SeededGenerator { get set }
    /// Every parameter with its path (`"0.weight"`), in a stable order.
    var namedParameters: [(name: String, parameter: Parameter)] { get }

    /// Builds the model for samples of `inputShape` (batch excluded) if not already built for
    /// it, and returns the per-sample output shape. Errors name the layer and the shapes.
    @discardableResult
    func build(inputShape: [Int]) throws -> [Int]

    /// The model applied to a batch on the tape.
    func forward(_ input: Variable, mode: Mode) throws -> Variable
}

extension Network {
    /// The parameters the optimizer updates.
    public var trainableParameters: [Parameter] {
        namedParameters.map(\.parameter).filter(\.isTrainable)
    }

    /// The number of scalars in all parameters.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.count } }
}
