/// A long short-term memory layer (Hochreiter & Schmidhuber, 1997) over `[batch, time,
/// features]`, batch first, with PyTorch's gate order (input, forget, cell, output) and weight
/// layout (see `RecurrentLayer`):
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
public final class LSTM: RecurrentLayer {
    /// An LSTM of `units` units.
    public init(units: Int, returnSequences: Bool = false, returnState: Bool = false) {
        super.init(kind: "LSTM", gates: 4, units: units, returnSequences: returnSequences, returnState: returnState)
    }

    override func sequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        lstmSequence(input, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
    }
}

extension LSTM: SpecifiableLayer {
    public static var typeName: String { "LSTM" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let options = try RecurrentLayer.options(&arguments, kind: "LSTM")
        self.init(units: options.units, returnSequences: options.sequences, returnState: options.state)
    }
}
