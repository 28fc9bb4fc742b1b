import Foundation

extension History {
    /// An SVG chart of the training curves: one panel for the losses and one for each metric,
    /// training and validation (`val_`) values against the epoch.
    public func svgChart(title: String = "Training history") -> String {
        let metricNames = keys.filter { !$0.hasPrefix("val_") && $0 != "loss" }
        let panels = [("loss", ["loss", "val_loss"])] + metricNames.map { ($0, [$0, "val_" + $0]) }
        let (panelWidth, panelHeight, margin) = (420.0, 280.0, 50.0)
        let width = Double(panels.count) * (panelWidth + margin) + margin
        let height = panelHeight + 2 * margin + 20
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(margin)\" y=\"24\" font-size=\"16\">\(title)</text>",
        ]
        for (index, (name, series)) in panels.enumerated() {
            let left = margin + Double(index) * (panelWidth + margin), top = margin
            let values = series.flatMap { self[$0] }.filter(\.isFinite)
            guard let low = values.min(), let high = values.max(), epochs.count > 0 else { continue }
            let span = high > low ? Double(high - low) : 1
            func x(_ epoch: Int) -> Double { left + panelWidth * (epochs.count > 1 ? Double(epoch) / Double(epochs.count - 1) : 0.5) }
            func y(_ value: Float) -> Double { top + panelHeight * (1 - (Double(value - low) / span)) }
            svg.append("<rect x=\"\(left)\" y=\"\(top)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#999\"/>")
            svg.append("<text x=\"\(left)\" y=\"\(top - 8)\">\(name)</text>")
            svg.append("<text x=\"\(left - 4)\" y=\"\(top + 4)\" text-anchor=\"end\">\(String(format: "%.3g", high))</text>")
            svg.append("<text x=\"\(left - 4)\" y=\"\(top + panelHeight)\" text-anchor=\"end\">\(String(format: "%.3g", low))</text>")
            svg.append("<text x=\"\(left + panelWidth / 2)\" y=\"\(top + panelHeight + 18)\" text-anchor=\"middle\">epoch (1 to \(epochs.count))</text>")
            for (key, color) in zip(series, ["#1f77b4", "#d62728"]) {
                let points = self[key].enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }
                guard !points.isEmpty else { continue }
                svg.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>")
                let legendY = top + 16 + (key.hasPrefix("val_") ? 16 : 0)
                svg.append("<text x=\"\(left + panelWidth - 8)\" y=\"\(legendY)\" text-anchor=\"end\" fill=\"\(color)\">\(key)</text>")
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }
}
