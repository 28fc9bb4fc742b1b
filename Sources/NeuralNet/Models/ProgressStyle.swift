import Foundation

/// How `fit` reports progress on standard error (`fit(..., progress: .silent)`). Named so as
/// not to clash with Foundation's `Progress` in programs that import both.
public enum ProgressStyle: Sendable, Equatable {
    /// A bar on a terminal; otherwise one line per epoch, except that runs of more than 50
    /// epochs print at most one line a second (and always the last epoch), so that log files stay
    /// readable even for thousands of short epochs.
    case automatic
    /// A bar redrawn in place (batch i/n, loss, metrics, time per step, ETA), leaving a line
    /// behind for each epoch; over more than 50 epochs, at most one a second (and the last),
    /// the others drawn in place.
    case bar
    /// One line per epoch.
    case lines
    /// Nothing.
    case silent
}

/// A callback that observes batches only to show how far each epoch has come. Compiled
/// training (`fit(..., compile: true)`) runs short epochs whole inside its plan and tells such
/// a callback of each epoch's last batch alone, which no one could have watched go by anyway.
protocol ShowsProgressWithinEpochs: Callback {}

/// The callback behind `ProgressStyle`: draws a bar or writes epoch lines to standard error.
final class ProgressReporter: ShowsProgressWithinEpochs {
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

    /// Where the text goes: standard error, or a test's recorder.
    private let output: (String) -> Void

    init(style: ProgressStyle, isTerminal: Bool = isatty(STDERR_FILENO) == 1, output: @escaping (String) -> Void = ProgressReporter.standardError) {
        self.style = style
        self.isTerminal = isTerminal
        self.output = output
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
        guard redraws(at: now, endingAnEpoch: batch == batches) else { return }
        let elapsed = now.timeIntervalSince(epochStart)
        let perStep = elapsed / Double(batch)
        let eta = perStep * Double(batches - batch)
        drawBar(epoch: epoch, batch: batch, logs: logs,
                tail: ["\(ProgressReporter.duration(perStep))/step  ETA \(ProgressReporter.duration(eta))", "ETA \(ProgressReporter.duration(eta))"])
        lastLogs = logs
    }

    func validationWillBegin(_ epoch: Int) {
        guard drawsBar, redraws(at: Date(), endingAnEpoch: true) else { return }
        drawBar(epoch: epoch, batch: batches, logs: lastLogs, tail: ["validating…"])
    }

    /// Whether to redraw the bar now (and then it is drawn): ten times a second is smooth
    /// enough, and each costs a write; each epoch's end too when there are 50 or fewer.
    private func redraws(at now: Date, endingAnEpoch: Bool) -> Bool {
        guard (endingAnEpoch && epochs <= 50) || now.timeIntervalSince(lastDraw) >= 0.1 else { return false }
        lastDraw = now
        return true
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
        guard writesLine || (drawsBar && redraws(at: now, endingAnEpoch: false)) else { return false }
        if writesLine { lastLine = now }
        let elapsed = now.timeIntervalSince(epochStart)
        let time = ProgressReporter.duration(elapsed)
        let perStep = " (\(ProgressReporter.duration(elapsed / Double(max(batches, 1))))/step)"
        if drawsBar {
            let candidates = [4, 3].flatMap { decimals in
                [perStep, ""].map { "Epoch \(epoch)/\(epochs)  \(time)\($0)  " + ProgressReporter.format(logs, decimals: decimals) }
            }
            write("\r" + ProgressReporter.fitting(candidates, columns: ProgressReporter.terminalColumns()) + "\u{1B}[K" + (writesLine ? "\n" : ""))
        } else {
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
        return keys.map { $0 + " " + fixed(Double(logs[$0]!), decimals: decimals) }.joined(separator: decimals == 4 ? "  " : " ")
    }

    /// `850µs`, `12.3ms`, `4.2s`, `3m05s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1e-3 { return fixed(seconds * 1e6, decimals: 0) + "µs" }
        if seconds < 1 { return fixed(seconds * 1e3, decimals: 1) + "ms" }
        if seconds < 60 { return fixed(seconds, decimals: 1) + "s" }
        let minutes = Int(seconds) / 60, rest = Int(seconds) % 60
        return "\(minutes)m" + (rest < 10 ? "0" : "") + "\(rest)s"
    }

    /// `value` with `decimals` (0 to 4) digits after the point, as `%.<decimals>f` writes it:
    /// `String(format:)` costs microseconds, and a bar over short epochs formats a dozen
    /// figures an epoch. A Float's value times 10^4 is exact in a Double (24 + 10 bits), so
    /// rounding it half to even gives printf's digits for the logs (a duration's Double can
    /// differ in its last digit at a near-tie); the rest go to `String(format:)`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite, (0..<powers.count).contains(decimals) else { return String(format: "%.\(decimals)f", value) }
        let scaled = (Swift.abs(value) * Double(powers[decimals])).rounded(.toNearestOrEven)
        guard scaled < 1e18 else { return String(format: "%.\(decimals)f", value) }
        let digits = UInt64(scaled), power = powers[decimals]
        let sign = value.sign == .minus ? "-" : ""
        guard decimals > 0 else { return sign + "\(digits)" }
        let fraction = String(digits % power)
        return sign + "\(digits / power)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// 10^d for `fixed`'s d decimals.
    private static let powers: [UInt64] = [1, 10, 100, 1000, 10000]

    private func write(_ text: String) { output(text) }

    /// Writes `text` to standard error: where progress goes unless a test records it.
    static func standardError(_ text: String) {
        // Flushing every C output stream first keeps buffered standard output in order with
        // progress when both go to one log.
        fflush(nil)
        FileHandle.standardError.write(Data(text.utf8))
    }
}
