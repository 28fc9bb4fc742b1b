/// What `LSTM` and `GRU` share: units, output options, PyTorch's four parameters (gates stacked
/// on the first axis: `weight_ih` `[gates · units, features]`, `weight_hh` `[gates · units,
/// units]`, `bias_ih`, `bias_hh` `[gates · units]`), building, checking inputs and naming.
/// Each subclass supplies its gate count and its fused sequence node.
public class RecurrentLayer: Layer {
    /// The size of the hidden state.
    public let units: Int
    /// Whether the output holds every step, `[batch, time, units]`.
    public let returnSequences: Bool
    /// Whether the output is the last state, `[batch, 2, units]` (see the subclass).
    public let returnState: Bool
    /// `[gates · units, features]`.
    public let weightIH: Parameter
    /// `[gates · units, units]`.
    public let weightHH: Parameter
    /// `[gates · units]`.
    public let biasIH: Parameter
    /// `[gates · units]`.
    public let biasHH: Parameter
    let leaves: [ParameterLeaves]
    private let gates: Int
    private let kind: String

    init(kind: String, gates: Int, units: Int, returnSequences: Bool, returnState: Bool) {
        self.kind = kind
        self.gates = gates
        self.units = units
        self.returnSequences = returnSequences
        self.returnState = returnState
        weightIH = Parameter(.zeros([placeholderSize(units, times: gates), 0]))
        weightHH = Parameter(.zeros([placeholderSize(units, times: gates), 0]))
        biasIH = Parameter(.zeros([0]))
        biasHH = Parameter(.zeros([0]))
        leaves = [weightIH, weightHH, biasIH, biasHH].map(ParameterLeaves.init)
    }

    /// The feature count of the input, once built.
    public var inputSize: Int? { weightHH.count > 0 ? weightIH.value.shape[1] : nil }

    /// Creates the parameters with PyTorch's initialisation, `U(-1/√units, 1/√units)`, for
    /// `[time, features]` samples; returns the output shape per sample.
    public func build(inputShape: [Int], generator: inout SeededGenerator) throws -> [Int] {
        guard inputShape.count == 2, inputShape[0] > 0, inputShape[1] > 0 else {
            throw NeuralNetError.shapeMismatch(
                layer: description, expected: "sequences [time, features] per sample", actual: inputShape,
                hint: "Recurrent layers take [batch, time, features]; put an Embedding first for token ids")
        }
        if let inputSize, inputSize != inputShape[1] {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[time, \(inputSize)] per sample", actual: inputShape)
        }
        if inputSize == nil {
            let rows = gates * units, bound = 1 / Float(units).squareRoot()
            try Parameter.checkRoom(for: [[rows, inputShape[1]], [rows, units]], layer: description)
            for (parameter, shape) in zip([weightIH, weightHH, biasIH, biasHH], [[rows, inputShape[1]], [rows, units], [rows], [rows]]) {
                parameter.value = Initializer.uniform(-bound..<bound).tensor(shape: shape, fanIn: units, fanOut: units, using: &generator)
            }
        }
        if returnState { return [2, units] }
        return returnSequences ? [inputShape[0], units] : [units]
    }

    /// The layer over `input` `[batch, time, features]`, as one node of the tape.
    public func forward(_ input: Variable, mode: Mode) throws -> Variable {
        guard let inputSize, input.shape.count == 3, input.shape[1] > 0, input.shape[2] == inputSize else {
            throw NeuralNetError.shapeMismatch(layer: description, expected: "[batch, time, \(inputSize ?? 0)]", actual: input.shape)
        }
        return sequence(input, weightIH: leaves[0].leaf(), weightHH: leaves[1].leaf(), biasIH: leaves[2].leaf(), biasHH: leaves[3].leaf())
    }

    /// The subclass's fused node over a whole sequence.
    func sequence(_ input: Variable, weightIH: Variable, weightHH: Variable, biasIH: Variable, biasHH: Variable) -> Variable {
        fatalError("\(kind) must supply its sequence node")
    }

    /// PyTorch's names: `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (a one-layer `nn.LSTM`'s
    /// `weight_ih_l0`, ... without the layer suffix).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH), ("bias_hh", biasHH)]
    }

    /// The arguments that re-create the layer, for model files.
    public var arguments: [String: JSONValue] {
        ["units": .number(Double(units)), "returnSequences": .bool(returnSequences), "returnState": .bool(returnState)]
    }

    /// The options of a model file's recurrent layer: units and the output flags, validated.
    static func options(_ arguments: inout LayerSpec.Arguments, kind: String) throws -> (units: Int, sequences: Bool, state: Bool) {
        let units = try arguments.int("units")
        let sequences = try arguments.bool("returnSequences", default: false), state = try arguments.bool("returnState", default: false)
        return (units, sequences, state)
    }

    public var description: String { "\(kind)(\(units)\(returnSequences ? ", sequences" : "")\(returnState ? ", state" : ""))" }
}

extension RecurrentLayer: ArgumentChecked {
    public var argumentProblem: String? {
        guard units > 0 && placeholderSize(units, times: gates) > 0 else {
            return "units must be positive, got \(units); such as 128"
        }
        guard !(returnSequences && returnState) else {
            return "returnSequences and returnState cannot both be true; choose one"
        }
        return nil
    }
}
