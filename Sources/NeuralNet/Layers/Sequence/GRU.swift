/// A gated recurrent unit layer (Cho et al., 2014) over `[batch, time, features]`, batch first,
/// with PyTorch's gate order (reset, update, new) and weight layout (see `RecurrentLayer`):
///
/// ```
/// r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)      z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
/// n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))      h' = (1 - z) ⊙ n + z ⊙ h
/// ```
///
/// The output is every `h_t` `[batch, time, units]` with `returnSequences`, the last `h`
/// twice `[batch, 2, units]` with `returnState` (a GRU has no cell state; the shape matches
/// the LSTM's), else the last `h` `[batch, units]`. Like `LSTM`, the sequence is one fused node.
public final class GRU: RecurrentLayer {
    /// A GRU of `units` units.
    public init(units: Int, returnSequences: Bool = false, returnState: Bool = false) {
        super.init(kind: "GRU", gates: 3, units: units, returnSequences: returnSequences, returnState: returnState)
    }

    override func sequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        gruSequence(input, weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)
    }
}

extension GRU: SpecifiableLayer {
    public static var typeName: String { "GRU" }

    public convenience init(arguments: inout LayerSpec.Arguments) throws {
        let options = try RecurrentLayer.options(&arguments, kind: "GRU")
        self.init(units: options.units, returnSequences: options.sequences, returnState: options.state)
    }
}
