import Foundation

extension History {
    /// An SVG chart of the training curves: one panel for the losses, one for each metric
    /// (training and validation, `val_`, against the epoch), and one for the learning rate when
    /// it changed. Each panel has ticks and labels on both axes, a light grid, a marker on every
    /// point (so a one-epoch run shows its values) and its legend below the plot.
    public func svgChart(title: String = "Training history") -> String {
        let metricNames = keys.filter { !$0.hasPrefix("val_") && $0 != "loss" && $0 != "learning_rate" }
        var panels = [("loss", ["loss", "val_loss"])] + metricNames.map { ($0, [$0, "val_" + $0]) }
        if Set(self["learning_rate"]).count > 1 { panels.append(("learning rate", ["learning_rate"])) }
        let layout = ChartLayout(panels: panels.count)
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(layout.width))\" height=\"\(Int(layout.height))\" "
                + "font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(layout.margin)\" y=\"24\" font-size=\"16\">\(ChartLayout.escaped(title))</text>",
        ]
        for (index, (name, series)) in panels.enumerated() {
            svg += panel(name, series: series, left: layout.left(of: index), layout: layout)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// The SVG elements of one panel whose plot area starts at `left`.
    private func panel(_ name: String, series: [String], left: Double, layout: ChartLayout) -> [String] {
        let (top, width, height) = (layout.top, layout.panelWidth, layout.panelHeight)
        let values = series.flatMap { self[$0] }.filter(\.isFinite)
        guard let low = values.min(), let high = values.max(), !epochs.isEmpty else { return [] }
        let ticks = ChartLayout.ticks(from: Double(low), to: Double(high))
        let (bottomValue, topValue) = (ticks.first!, ticks.last!)
        func x(_ epoch: Int) -> Double { left + width * (epochs.count > 1 ? Double(epoch - 1) / Double(epochs.count - 1) : 0.5) }
        func y(_ value: Double) -> Double { top + height * (1 - (value - bottomValue) / max(topValue - bottomValue, 1e-30)) }
        var svg = ["<text x=\"\(left)\" y=\"\(top - 10)\" font-weight=\"bold\">\(ChartLayout.escaped(name))</text>"]
        for tick in ticks {
            let position = String(format: "%.1f", y(tick))
            svg.append("<line x1=\"\(left)\" x2=\"\(left + width)\" y1=\"\(position)\" y2=\"\(position)\" stroke=\"#e6e6e6\"/>")
            svg.append("<line x1=\"\(left - 4)\" x2=\"\(left)\" y1=\"\(position)\" y2=\"\(position)\" stroke=\"#555\"/>")
            svg.append("<text x=\"\(left - 7)\" y=\"\(position)\" dy=\"4\" text-anchor=\"end\">\(ChartLayout.label(tick, ticks: ticks))</text>")
        }
        let step = max(1, Int((Double(epochs.count) / 8).rounded(.up)))
        for epoch in stride(from: 1, through: epochs.count, by: step) {
            let position = String(format: "%.1f", x(epoch))
            svg.append("<line x1=\"\(position)\" x2=\"\(position)\" y1=\"\(top)\" y2=\"\(top + height)\" stroke=\"#e6e6e6\"/>")
            svg.append("<line x1=\"\(position)\" x2=\"\(position)\" y1=\"\(top + height)\" y2=\"\(top + height + 4)\" stroke=\"#555\"/>")
            svg.append("<text x=\"\(position)\" y=\"\(top + height + 17)\" text-anchor=\"middle\">\(epoch)</text>")
        }
        svg.append("<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width)\" height=\"\(height)\" fill=\"none\" stroke=\"#555\"/>")
        svg.append("<text x=\"\(left + width / 2)\" y=\"\(top + height + 34)\" text-anchor=\"middle\">epoch</text>")
        var legendX = left
        for (key, color) in zip(series, ["#1f77b4", "#d62728"]) where !self[key].isEmpty {
            let points = self[key].enumerated().map { (x($0.offset + 1), y(Double($0.element))) }
            let path = points.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
            svg.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>")
            for (px, py) in points where py.isFinite {
                svg.append(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", px, py, color))
            }
            // The legend sits under the axis label, outside the data.
            let legendY = top + height + 54
            svg.append("<line x1=\"\(legendX)\" x2=\"\(legendX + 18)\" y1=\"\(legendY - 4)\" y2=\"\(legendY - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            svg.append("<circle cx=\"\(legendX + 9)\" cy=\"\(legendY - 4)\" r=\"3\" fill=\"\(color)\"/>")
            svg.append("<text x=\"\(legendX + 24)\" y=\"\(legendY)\">\(ChartLayout.escaped(key))</text>")
            legendX += 40 + Double(key.count) * 7
        }
        return svg
    }
}

/// Sizes and labels of `History.svgChart`.
struct ChartLayout {
    let panels: Int
    let panelWidth = 420.0, panelHeight = 260.0, margin = 70.0, top = 60.0

    var width: Double { Double(panels) * (panelWidth + margin) + margin / 2 }
    var height: Double { top + panelHeight + 80 }

    /// The left edge of panel `index`'s plot area.
    func left(of index: Int) -> Double { margin + Double(index) * (panelWidth + margin) }

    /// About five round values (steps of 1, 2 or 5 times a power of ten) that cover
    /// `low ... high`, the first at or below `low` and the last at or above `high`.
    static func ticks(from low: Double, to high: Double) -> [Double] {
        let span = high > low ? high - low : max(Swift.abs(high) * 0.1, 1e-3)
        let rough = span / 4
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let center = high > low ? 0 : span / 2
        let first = ((low - center) / step).rounded(.down) * step
        let last = ((high + center) / step).rounded(.up) * step
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    /// A tick's label with as many decimals as the step between ticks needs.
    static func label(_ value: Double, ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        return String(format: "%.\(min(decimals, 6))f", Swift.abs(value) < step / 1e6 ? 0 : value)
    }

    /// Text made safe for XML.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
