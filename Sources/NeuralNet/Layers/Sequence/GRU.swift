/// A gated recurrent unit layer (Cho et al., 2014) over `[batch, time, features]`, batch first,
/// with PyTorch's gate order (reset, update, new) and weight layout (see `Recurrent`):
///
/// ```
/// r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)      z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
/// n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))      h' = (1 - z) ⊙ n + z ⊙ h
/// ```
///
/// The output is every `h_t` `[batch, time, units]` with `returnSequences`, the last `h`
/// twice `[batch, 2, units]` with `returnState` (a GRU has no cell state; the shape matches
/// the LSTM's), else the last `h` `[batch, units]`. Like `LSTM`, the sequence is one fused node.
public final class GRU: Layer {
    /// The size of the hidden state.
    public let units: Int
    /// Whether the output holds every step.
    public let returnSequences: Bool
    /// Whether the output is the last state.
    public let returnState: Bool
    /// `[3 · units, features]`.
    public let weightIH: Parameter
    /// `[3 · units, units]`.
    public let weightHH: Parameter
    /// `[3 · units]`.
    public let biasIH: Parameter
    /// `[3 · units]`.
    public let biasHH: Parameter
    let leaves: [ParameterLeaves]

    /// A GRU of `units` units.
    public init(units: Int, returnSequences: Bool = false, returnState: Bool = false) {
        guard units > 0 else { fatalError("GRU needs a positive number of units, got \(units)") }
        guard !(returnSequences && returnState) else { fatalError("GRU: returnSequences and returnState cannot both be true") }
        self.units = units
        self.returnSequences = returnSequences
        self.returnState = returnState
        weightIH = Parameter(.zeros([3 * units, 0]))
        weightHH = Parameter(.zeros([3 * units, 0]))
        biasIH = Parameter(.zeros([0]))
        biasHH = Parameter(.zeros([0]))
        leaves = [weightIH, weightHH, biasIH, biasHH].map(ParameterLeaves.init)
    }

    /// The feature count of the input, once built.
    public var inputSize: Int? { weightHH.count > 0 ? weightIH.value.shape[1] : nil }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        try Recurrent.checkInput(inputShape, features: inputSize, layer: description)
        if inputSize == nil {
            let gates = 3 * units
            Recurrent.initialize([weightIH, weightHH, biasIH, biasHH], shapes: [[gates, inputShape[1]], [gates, units], [gates], [gates]],
                                 units: units, generator: &generator)
        }
        return Recurrent.outputShape(time: inputShape[0], units: units, returnSequences: returnSequences, returnState: returnState)
    }

    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard let inputSize, input.shape.count == 3, input.shape[1] > 0, input.shape[2] == inputSize else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[batch, time, \(inputSize ?? 0)]", actual: input.shape)
        }
        return sequence(input, weightIH: leaves[0].leaf(), weightHH: leaves[1].leaf(), biasIH: leaves[2].leaf(), biasHH: leaves[3].leaf())
    }

    /// PyTorch's names: `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
    }

    public var description: String { "GRU(\(units)\(returnSequences ? ", sequences" : "")\(returnState ? ", state" : ""))" }
}

extension GRU: SpecifiableLayer {
    public static var typeName: String { "GRU" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let options = try RecurrentOptions(&arguments, layer: "GRU")
        self.init(units: options.units, returnSequences: options.returnSequences, returnState: options.returnState)
    }

    public var arguments: [String: JSONValue] {
        RecurrentOptions.arguments(units: units, returnSequences: returnSequences, returnState: returnState)
    }
}
