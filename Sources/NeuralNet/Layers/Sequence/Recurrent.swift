import NeuralNetKernels

/// What the LSTM and GRU layers share: PyTorch's weight layout and names, the input and output
/// shapes, and the matrix products on raw buffers that their fused sequence nodes use.
///
/// Weights are stored as PyTorch stores them, gates stacked on the first axis:
/// `weight_ih` `[gates · units, inputSize]`, `weight_hh` `[gates · units, units]`, `bias_ih`
/// and `bias_hh` `[gates · units]`, so a PyTorch `state_dict` loads by name.
enum Recurrent {
    /// The output shape per sample for `time` steps of `units`.
    static func outputShape(time: Int, units: Int, returnSequences: Bool, returnState: Bool) -> [Int] {
        if returnState { return [2, units] }
        return returnSequences ? [time, units] : [units]
    }

    /// Checks a per-sample input shape `[time, features]` against the expected feature count.
    static func checkInput(_ shape: [Int], features: Int?, layer: String) throws {
        guard shape.count == 2, shape[0] > 0, shape[1] > 0 else {
            throw NeuralNetError.shapeMismatch(
                layer: layer, expected: "sequences [time, features] per sample", actual: shape,
                hint: "Recurrent layers take [batch, time, features]; put an Embedding first for token ids")
        }
        if let features, features != shape[1] {
            throw NeuralNetError.shapeMismatch(layer: layer, expected: "[time, \(features)] per sample", actual: shape)
        }
    }

    /// PyTorch's initialisation: every weight and bias from `U(-1/√units, 1/√units)`.
    static func initialize(_ parameters: [Parameter], shapes: [[Int]], units: Int, generator: inout SeededGenerator) {
        let bound = 1 / Float(units).squareRoot()
        for (parameter, shape) in zip(parameters, shapes) {
            parameter.value = Initializer.uniform(-bound..<bound).tensor(shape: shape, fanIn: units, fanOut: units, using: &generator)
        }
    }

    /// The layer's output from the hidden states `[time + 1, batch, units]` (step 0 the initial
    /// state) and the last cell state: every step `[batch, time, units]`, the last `[batch,
    /// units]`, or the last hidden and cell states stacked `[batch, 2, units]`.
    static func output(
        hiddens: [Float], lastCell: UnsafePointer<Float>?, time: Int, batch: Int, units: Int,
        returnSequences: Bool, returnState: Bool
    ) -> Tensor {
        let last = time * batch * units
        if returnState {
            var result = [Float](repeating: 0, count: batch * 2 * units)
            for b in 0..<batch {
                for j in 0..<units {
                    result[(b * 2) * units + j] = hiddens[last + b * units + j]
                    result[(b * 2 + 1) * units + j] = lastCell.map { $0[b * units + j] } ?? hiddens[last + b * units + j]
                }
            }
            return Tensor(shape: [batch, 2, units], scalars: result)
        }
        if !returnSequences { return Tensor(shape: [batch, units], scalars: Array(hiddens[last..<(last + batch * units)])) }
        var result = [Float].scalars(count: batch * time * units, zeroed: false)
        for t in 0..<time {
            for b in 0..<batch {
                let source = ((t + 1) * batch + b) * units, target = (b * time + t) * units
                for j in 0..<units { result[target + j] = hiddens[source + j] }
            }
        }
        return Tensor(shape: [batch, time, units], scalars: result)
    }

    /// The upstream gradient split into the gradient of each step's hidden state
    /// `[time, batch, units]` and of the last cell state `[batch, units]`.
    static func stepGradients(
        _ upstream: Tensor, time: Int, batch: Int, units: Int, returnSequences: Bool, returnState: Bool
    ) -> (hidden: [Float], cell: [Float]) {
        var hidden = [Float](repeating: 0, count: time * batch * units)
        var cell = [Float](repeating: 0, count: batch * units)
        let g = upstream.scalars
        let last = (time - 1) * batch * units
        for b in 0..<batch {
            for j in 0..<units {
                if returnState {
                    hidden[last + b * units + j] = g[(b * 2) * units + j]
                    cell[b * units + j] = g[(b * 2 + 1) * units + j]
                } else if returnSequences {
                    for t in 0..<time { hidden[(t * batch + b) * units + j] = g[(b * time + t) * units + j] }
                } else {
                    hidden[last + b * units + j] = g[b * units + j]
                }
            }
        }
        return (hidden, cell)
    }
}

/// The options both recurrent layers read from a model file.
struct RecurrentOptions {
    let units: Int
    let returnSequences: Bool
    let returnState: Bool

    init(_ arguments: inout LayerSpec.Arguments, layer: String) throws {
        units = try arguments.int("units")
        returnSequences = try arguments.bool("returnSequences", default: false)
        returnState = try arguments.bool("returnState", default: false)
        guard units > 0, !(returnSequences && returnState) else {
            throw NeuralNetError.invalidArgument(
                "layer \(layer): units must be positive (got \(units)), and returnSequences and returnState cannot both be true")
        }
    }

    static func arguments(units: Int, returnSequences: Bool, returnState: Bool) -> [String: JSONValue] {
        ["units": .number(Double(units)), "returnSequences": .bool(returnSequences), "returnState": .bool(returnState)]
    }
}
