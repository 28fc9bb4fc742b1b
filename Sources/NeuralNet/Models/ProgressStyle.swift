import Foundation

/// How `fit` reports progress on standard error (`fit(..., progress: .silent)`). Named so as
/// not to clash with Foundation's `Progress` in programs that import both.
public enum ProgressStyle: Sendable, Equatable {
    /// A bar on a terminal; otherwise one line per epoch, except that runs of more than 50
    /// epochs print at most one line a second (and always the last epoch), so that log files stay
    /// readable even for thousands of short epochs.
    case automatic
    /// A bar redrawn in place (batch i/n, loss, metrics, time per step, ETA).
    case bar
    /// One line per epoch.
    case lines
    /// Nothing.
    case silent
}

/// The callback behind `ProgressStyle`: draws a bar or writes epoch lines to standard error.
final class ProgressReporter: Callback {
    /// Only to draw a bar (lines are written once an epoch).
    var observesBatches: Bool { drawsBar }

    private let style: ProgressStyle
    private let isTerminal: Bool
    private var epochs = 0
    private var epochStart = Date()
    private var lastDraw = Date.distantPast
    private var lastLine = Date.distantPast
    private var batches = 0
    private var lastLogs: [String: Float] = [:]

    init(style: ProgressStyle, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.style = style
        self.isTerminal = isTerminal
    }

    private var drawsBar: Bool { style == .bar || (style == .automatic && isTerminal) }

    func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) {
        self.epochs = epochs
        batches = batchesPerEpoch
    }

    func epochWillBegin(_ epoch: Int) { epochStart = Date() }

    func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float]) {
        guard drawsBar else { return }
        let now = Date()
        // Redrawing costs a write; ten times a second is smooth enough.
        guard batch == batches || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(epochStart)
        let perStep = elapsed / Double(batch)
        let eta = perStep * Double(batches - batch)
        drawBar(epoch: epoch, batch: batch, logs: logs,
                tail: ["\(ProgressReporter.duration(perStep))/step  ETA \(ProgressReporter.duration(eta))", "ETA \(ProgressReporter.duration(eta))"])
        lastLogs = logs
    }

    func validationWillBegin(_ epoch: Int) {
        guard drawsBar else { return }
        drawBar(epoch: epoch, batch: batches, logs: lastLogs, tail: ["validating…"])
    }

    /// Redraws the bar line, as rich as the terminal's width allows: the step time goes first,
    /// then decimals, then metrics, then the bar itself.
    private func drawBar(epoch: Int, batch: Int, logs: [String: Float], tail: [String]) {
        func bar(_ width: Int) -> String {
            let filled = width * batch / max(batches, 1)
            return "[" + String(repeating: "=", count: max(filled - 1, 0)) + (filled > 0 ? ">" : "")
                + String(repeating: " ", count: width - filled) + "] "
        }
        let head = "Epoch \(epoch)/\(epochs) "
        let count = "\(batch)/\(batches)"
        var candidates: [String] = []
        for (barWidth, decimals, allLogs) in [(24, 4, true), (16, 4, true), (16, 3, true), (10, 3, false), (0, 3, false)] {
            let shown = allLogs ? logs : logs.filter { $0.key == "loss" }
            for end in tail {
                candidates.append(head + bar(barWidth) + count + "  " + ProgressReporter.format(shown, decimals: decimals) + "  " + end)
            }
        }
        write("\r" + ProgressReporter.fitting(candidates, columns: ProgressReporter.terminalColumns()) + "\u{1B}[K")
    }

    func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
        guard style != .silent else { return false }
        let now = Date()
        // Formatted only when written: thousands of short epochs skip most lines.
        let writesLine = style == .lines || epochs <= 50 || epoch == epochs || now.timeIntervalSince(lastLine) >= 1
        guard drawsBar || writesLine else { return false }
        let elapsed = now.timeIntervalSince(epochStart)
        let time = ProgressReporter.duration(elapsed)
        let perStep = " (\(ProgressReporter.duration(elapsed / Double(max(batches, 1))))/step)"
        if drawsBar {
            let candidates = [4, 3].flatMap { decimals in
                [perStep, ""].map { "Epoch \(epoch)/\(epochs)  \(time)\($0)  " + ProgressReporter.format(logs, decimals: decimals) }
            }
            write("\r" + ProgressReporter.fitting(candidates, columns: ProgressReporter.terminalColumns()) + "\u{1B}[K\n")
        } else {
            lastLine = now
            // A log has no width: every figure, every time.
            write("Epoch \(epoch)/\(epochs)  \(time)\(perStep)  \(ProgressReporter.format(logs))\n")
        }
        return false
    }

    /// The first of `candidates` (richest first) that fits in `columns - 1` characters, or the
    /// last one cut to fit: a line that wraps leaves a stale copy behind at every redraw.
    static func fitting(_ candidates: [String], columns: Int) -> String {
        let room = max(columns - 1, 10)
        return candidates.first { $0.count <= room } ?? String(candidates.last!.prefix(room))
    }

    /// The width of the terminal on standard error, 80 when it cannot be asked.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    }

    /// `loss 0.5123  accuracy 0.8123  val_loss ...`, training keys first.
    static func format(_ logs: [String: Float], decimals: Int = 4) -> String {
        func rank(_ key: String) -> Int { (key.hasPrefix("val_") ? 2 : 0) + (key.hasSuffix("loss") ? 0 : 1) }
        // The learning rate is in the history and the reports; the progress line keeps to scores.
        let keys = logs.keys.filter { $0 != "learning_rate" }.sorted { (rank($0), $0) < (rank($1), $1) }
        return keys.map { String(format: "%@ %.\(decimals)f", $0, logs[$0]!) }.joined(separator: decimals == 4 ? "  " : " ")
    }

    /// `850µs`, `12.3ms`, `4.2s`, `3m05s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1e-3 { return String(format: "%.0fµs", seconds * 1e6) }
        if seconds < 1 { return String(format: "%.1fms", seconds * 1e3) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }

    private func write(_ text: String) {
        // Flushing every C output stream first keeps buffered standard output in order with
        // progress when both go to one log.
        fflush(nil)
        FileHandle.standardError.write(Data(text.utf8))
    }
}
