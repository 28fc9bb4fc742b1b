import Foundation

/// A long short-term memory layer (Hochreiter & Schmidhuber, 1997) over `[batch, time,
/// features]`, batch first, with PyTorch's gate order (input, forget, cell, output) and weight
/// layout (see `Recurrent`):
///
/// ```
/// i, f, g, o = σ, σ, tanh, σ of (x_t · weight_ihᵀ + bias_ih + h_{t-1} · weight_hhᵀ + bias_hh)
/// c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)        (h_{-1} = c_{-1} = 0)
/// ```
///
/// The output is every `h_t` `[batch, time, units]` with `returnSequences`, the last state's
/// `h` and `c` stacked `[batch, 2, units]` with `returnState`, else the last `h` `[batch, units]`.
/// The whole sequence is one node of the tape: its input projection is one matrix product for
/// all steps, and its backward pass runs through time in one loop (see `LSTM+Sequence.swift`).
public final class LSTM: Layer {
    /// The size of the hidden and cell states.
    public let units: Int
    /// Whether the output holds every step.
    public let returnSequences: Bool
    /// Whether the output is the last hidden and cell states.
    public let returnState: Bool
    /// `[4 · units, features]`.
    public let weightIH: Parameter
    /// `[4 · units, units]`.
    public let weightHH: Parameter
    /// `[4 · units]`.
    public let biasIH: Parameter
    /// `[4 · units]`.
    public let biasHH: Parameter
    let leaves: [ParameterLeaves]

    /// An LSTM of `units` units.
    public init(units: Int, returnSequences: Bool = false, returnState: Bool = false) {
        guard units > 0 else { fatalError("LSTM needs a positive number of units, got \(units)") }
        guard !(returnSequences && returnState) else { fatalError("LSTM: returnSequences and returnState cannot both be true") }
        self.units = units
        self.returnSequences = returnSequences
        self.returnState = returnState
        weightIH = Parameter(.zeros([4 * units, 0]))
        weightHH = Parameter(.zeros([4 * units, 0]))
        biasIH = Parameter(.zeros([0]))
        biasHH = Parameter(.zeros([0]))
        leaves = [weightIH, weightHH, biasIH, biasHH].map(ParameterLeaves.init)
    }

    /// The feature count of the input, once built.
    public var inputSize: Int? { weightHH.count > 0 ? weightIH.value.shape[1] : nil }

    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        try Recurrent.checkInput(inputShape, features: inputSize, layer: description)
        if inputSize == nil {
            let gates = 4 * units
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

    /// PyTorch's names: `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (a one-layer `nn.LSTM`'s
    /// `weight_ih_l0`, ... without the layer suffix).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
    }

    public var description: String { "LSTM(\(units)\(returnSequences ? ", sequences" : "")\(returnState ? ", state" : ""))" }
}

extension LSTM: SpecifiableLayer {
    public static var typeName: String { "LSTM" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let options = try RecurrentOptions(&arguments, layer: "LSTM")
        self.init(units: options.units, returnSequences: options.returnSequences, returnState: options.returnState)
    }

    public var arguments: [String: JSONValue] {
        RecurrentOptions.arguments(units: units, returnSequences: returnSequences, returnState: returnState)
    }
}
