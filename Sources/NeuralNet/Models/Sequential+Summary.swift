/// `summary()`: the layers as a table with output shapes and parameter counts, like Keras's.
extension Sequential {
    /// A table of the layers, their output shapes and parameter counts, with the totals.
    /// The model is built first if its input shape is known; otherwise shapes show as `?`.
    ///
    /// ```
    /// Sequential: loss sparseSoftmaxCrossEntropy, optimizer Adam
    /// ──────────────────────────────────────────────────────────────────
    ///  #  Layer                          Output shape        Parameters
    /// ══════════════════════════════════════════════════════════════════
    ///  0  Flatten()                      [batch, 784]                 0
    ///  1  Dense(784 → 256, relu)         [batch, 256]           200,960
    /// ...
    /// ```
    public func summary() -> String {
        var problem: String?
        if !isBuilt {
            do { try build() } catch { problem = "\(error)" }
        }
        let rows = layers.enumerated().map { index, layer -> [String] in
            let shape = isBuilt ? "[batch, " + outputShapes[index].map(String.init).joined(separator: ", ") + "]" : "?"
            let count = layer.namedParameters.reduce(0) { $0 + $1.parameter.count }
            return [String(index), layer.description, shape, Sequential.grouped(count)]
        }
        let headers = ["#", "Layer", "Output shape", "Parameters"]
        let widths = (0..<4).map { column in ([headers[column]] + rows.map { $0[column] }).map(\.count).max()! }
        func line(_ cells: [String]) -> String {
            " " + cells[0].leftPadded(to: widths[0]) + "  " + cells[1].rightPadded(to: widths[1]) + "  "
                + cells[2].rightPadded(to: widths[2]) + "  " + cells[3].leftPadded(to: widths[3])
        }
        let ruleWidth = widths.reduce(0, +) + 7
        let all = namedParameters.map(\.parameter)
        let trainable = all.filter(\.isTrainable).reduce(0) { $0 + $1.count }
        let total = all.reduce(0) { $0 + $1.count }
        var text = [
            "Sequential: loss \(loss.rawValue), optimizer \(type(of: optimizer)), input "
                + (inputShape.map { "[batch, " + $0.map(String.init).joined(separator: ", ") + "]" } ?? "not yet known"),
            String(repeating: "─", count: ruleWidth),
            line(headers),
            String(repeating: "═", count: ruleWidth),
        ]
        text += rows.map(line)
        text += [
            String(repeating: "═", count: ruleWidth),
            "Total parameters: \(Sequential.grouped(total))",
            "Trainable parameters: \(Sequential.grouped(trainable))",
            "Non-trainable parameters: \(Sequential.grouped(total - trainable))",
        ]
        if let problem { text.append("Not built: \(problem)") }
        return text.joined(separator: "\n")
    }

    /// `235146` → `"235,146"`.
    static func grouped(_ value: Int) -> String {
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
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(width - count, 0)) + self }
    func rightPadded(to width: Int) -> String { self + String(repeating: " ", count: max(width - count, 0)) }
}
