/// `summary()`: the layers as a table with output shapes and parameter counts, like Keras's,
/// written once for every `Network`.
extension Network {
    /// A table of the layers, their output shapes and parameter counts (and for a graph, the
    /// nodes each layer was called on), with the totals. The model is built first if its input
    /// shapes are known; otherwise shapes show as `?`.
    ///
    /// ```
    /// Sequential, input [batch, 28, 28, 1]
    /// loss sparseSoftmaxCrossEntropy, optimizer Adam
    /// ──────────────────────────────────────────────────────────────────
    ///  #  Layer                          Output shape        Parameters
    /// ══════════════════════════════════════════════════════════════════
    ///  0  Flatten()                      [batch, 784]                 0
    ///  1  Dense(784 → 256, relu)         [batch, 256]           200,960
    /// ...
    /// ```
    public func summary() -> String {
        var problem: String?
        do { try build() } catch { problem = "\(error)" }
        let rows = summaryRows()
        let graph = rows.contains { $0.connectedTo != nil }
        var headers = ["#", "Layer", "Output shape", "Parameters"]
        if graph { headers.append("Connected to") }
        let cells = rows.map { row -> [String] in
            let shape = row.outputShape.map { "[batch, " + $0.map(String.init).joined(separator: ", ") + "]" } ?? "?"
            return [row.label, row.layer, shape, grouped(row.parameters)] + (graph ? [row.connectedTo ?? ""] : [])
        }
        let widths = headers.indices.map { column in ([headers[column]] + cells.map { $0[column] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            var text = " " + cells[0].leftPadded(to: widths[0]) + "  " + cells[1].rightPadded(to: widths[1]) + "  "
                + cells[2].rightPadded(to: widths[2]) + "  " + cells[3].leftPadded(to: widths[3])
            if graph { text += "  " + cells[4] }
            return text
        }
        let ruleWidth = widths.reduce(0, +) + 2 * widths.count - 1
        let all = namedParameters.map(\.parameter)
        let trainable = all.filter(\.isTrainable).reduce(0) { $0 + $1.count }
        let total = all.reduce(0) { $0 + $1.count }
        let inputs = inputShapes.map { shapes in
            shapes.map { "[batch, " + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: ", ")
        } ?? "not yet known"
        let lossNames = Set(losses).count == 1 ? losses[0].name : losses.map(\.name).joined(separator: ", ")
        var text = [
            "\(Self.self), input\(inputShapes?.count ?? 1 > 1 ? "s" : "") \(inputs)",
            "loss \(lossNames), optimizer \(type(of: optimizer))",
            String(repeating: "─", count: ruleWidth),
            line(headers),
            String(repeating: "═", count: ruleWidth),
        ]
        text += cells.map(line)
        text += [
            String(repeating: "═", count: ruleWidth),
            "Total parameters: \(grouped(total))",
            "Trainable parameters: \(grouped(trainable))",
            "Non-trainable parameters: \(grouped(total - trainable))",
        ]
        if let problem { text.append("Not built: \(problem)") }
        return text.joined(separator: "\n")
    }
}

extension Network {
    /// Prints `summary()` to standard output, as Keras's `model.summary()` does.
    public func printSummary() { print(summary()) }
}

/// One row of `summary()`: a layer (or a later call of a shared layer).
public struct SummaryRow: Sendable {
    /// The row's label: the layer's index, `"input 0"`, or `"3[1]"` for a second call.
    public var label: String
    /// The layer's description (`"Dense(784 → 256, relu)"`).
    public var layer: String
    /// The per-sample output shape, once built.
    public var outputShape: [Int]?
    /// The parameters counted on this row: 0 for later uses of a shared layer.
    public var parameters: Int
    /// For a graph, the labels of the nodes the layer was called on.
    public var connectedTo: String?
}

/// `235146` → `"235,146"`.
func grouped(_ value: Int) -> String {
    let digits = String(abs(value))
    var groups: [Substring] = []
    var end = digits.endIndex
    while end > digits.startIndex {
        let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
        groups.insert(digits[start..<end], at: 0)
        end = start
    }
    return (value < 0 ? "-" : "") + groups.joined(separator: ",")
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(width - count, 0)) + self }
    func rightPadded(to width: Int) -> String { self + String(repeating: " ", count: max(width - count, 0)) }
}

extension Sequential {
    /// One row per place in the chain; a layer placed again counts no parameters there.
    public func summaryRows() -> [SummaryRow] {
        let firsts = firstPlaces
        return layers.enumerated().map { index, layer in
            let shared = firsts[index] != index
            return SummaryRow(
                label: String(index), layer: layer.description + (shared ? " (shared with \(firsts[index]))" : ""),
                outputShape: isBuilt ? outputShapes[index] : nil, parameters: shared ? 0 : layer.parameterCount)
        }
    }
}

extension Model {
    /// One row per input and per call; a layer's later calls count no parameters.
    public func summaryRows() -> [SummaryRow] {
        let inputRows = inputs.enumerated().map { index, input in
            SummaryRow(label: "input \(index)", layer: "Input", outputShape: input.shape, parameters: 0, connectedTo: "")
        }
        let callRows = graph.calls.enumerated().map { index, call in
            let first = call.label == String(call.layer)
            let layer = layers[call.layer]
            return SummaryRow(
                label: call.label, layer: layer.description + (first ? "" : " (shared)"),
                outputShape: isBuilt ? nodeShapes[inputs.count + index] : nil, parameters: first ? layer.parameterCount : 0,
                connectedTo: graph.describe(call.inputSlots))
        }
        return inputRows + callRows
    }
}
