/// What the LSTM and GRU layers share: PyTorch's weight layout and names, the input and output
/// shapes, and the conversion between their feature-major states and the layers' batch-first
/// outputs.
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

    /// The layer's output from the feature-major states `[time + 1, units, batch]`: every step
    /// `[batch, time, units]`, the last `[batch, units]`, or the last hidden and cell states
    /// stacked `[batch, 2, units]`.
    static func output(
        hiddens: [Float], cells: [Float]?, time: Int, batch: Int, units: Int, returnSequences: Bool, returnState: Bool
    ) -> Tensor {
        let state = units * batch
        if returnSequences {
            var result = [Float].scalars(count: batch * time * units, zeroed: false)
            hiddens.withUnsafeBufferPointer { h in
                result.withUnsafeMutableBufferPointer { y in
                    for t in 0..<time {
                        for b in 0..<batch {
                            let target = y.baseAddress! + (b * time + t) * units, source = h.baseAddress! + (t + 1) * state + b
                            for u in 0..<units { target[u] = source[u * batch] }
                        }
                    }
                }
            }
            return Tensor(shape: [batch, time, units], scalars: result)
        }
        let last = time * state
        // A GRU has no cell state: its hidden state stands in for it.
        let parts = returnState ? [hiddens, cells ?? hiddens] : [hiddens]
        var result = [Float].scalars(count: batch * parts.count * units, zeroed: false)
        for (index, part) in parts.enumerated() {
            for u in 0..<units { for b in 0..<batch { result[(b * parts.count + index) * units + u] = part[last + u * batch + b] } }
        }
        return Tensor(shape: returnState ? [batch, 2, units] : [batch, units], scalars: result)
    }

    /// The upstream gradient as the gradient of each step's hidden state `[time, units, batch]`
    /// and of the last cell state `[units, batch]`.
    static func stateGradients(
        _ upstream: Tensor, time: Int, batch: Int, units: Int, returnSequences: Bool, returnState: Bool
    ) -> (hidden: [Float], cell: [Float]) {
        let state = units * batch
        var hidden = [Float](repeating: 0, count: time * state)
        var cell = [Float](repeating: 0, count: state)
        let g = upstream.scalars
        if returnSequences {
            g.withUnsafeBufferPointer { g in
                hidden.withUnsafeMutableBufferPointer { d in
                    for t in 0..<time {
                        for b in 0..<batch {
                            let source = g.baseAddress! + (b * time + t) * units, target = d.baseAddress! + t * state + b
                            for u in 0..<units { target[u * batch] = source[u] }
                        }
                    }
                }
            }
            return (hidden, cell)
        }
        let last = (time - 1) * state, width = returnState ? 2 : 1
        for b in 0..<batch {
            for u in 0..<units {
                hidden[last + u * batch + b] = g[(b * width) * units + u]
                if returnState { cell[u * batch + b] = g[(b * width + 1) * units + u] }
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
