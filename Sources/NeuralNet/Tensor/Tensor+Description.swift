import Foundation

/// Printing: nested brackets with aligned columns, like NumPy, so that a printed matrix reads
/// as rows and columns (and pastes back as a Swift literal). Large tensors show their first and
/// last three entries along each axis.
extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// The elements in nested brackets, one row per line.
    public var description: String {
        if rank == 0 { return Tensor.format(scalars[0]) }
        let summarise = count > 1000
        let cells = scalars.map(Tensor.format)
        let width = cells.map(\.count).max() ?? 0
        var text = ""
        render(into: &text, axis: 0, offset: 0, cells: cells, width: width, summarise: summarise)
        return text
    }

    /// The shape followed by the elements.
    public var debugDescription: String { "Tensor(shape: \(shape))\n\(description)" }

    private func render(into text: inout String, axis: Int, offset: Int, cells: [String], width: Int, summarise: Bool) {
        let size = shape[axis]
        let stride = shape[(axis + 1)...].reduce(1, *)
        let shown: [Int?] = summarise && size > 6 ? [0, 1, 2, nil, size - 3, size - 2, size - 1] : (0..<size).map { $0 }
        text += "["
        for (position, index) in shown.enumerated() {
            if position > 0 {
                text += axis == rank - 1 ? ", " : "," + String(repeating: "\n", count: rank - axis - 1)
                if axis < rank - 1 { text += String(repeating: " ", count: axis + 1) }
            }
            guard let index else { text += "..."; continue }
            if axis == rank - 1 {
                let cell = cells[offset + index]
                text += String(repeating: " ", count: width - cell.count) + cell
            } else {
                render(into: &text, axis: axis + 1, offset: offset + index * stride, cells: cells, width: width, summarise: summarise)
            }
        }
        text += "]"
    }

    private static func format(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-4) { return String(format: "%.4e", value) }
        if value == value.rounded() { return String(format: "%.1f", value) }
        return String(format: "%.4f", value)
    }
}
