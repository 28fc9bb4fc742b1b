import Foundation

/// Writes the history as CSV, one row per epoch (`epoch,accuracy,loss,val_accuracy,val_loss`),
/// rewritten atomically after every epoch. A run resumed from a checkpoint keeps the rows of
/// the epochs before it (they come back with the checkpoint's history), so the file reads as
/// one run; an epoch redone after a kill appears once.
///
/// ```swift
/// try model.fit(train, epochs: 10, callbacks: [CSVLogger(file: URL(fileURLWithPath: "log.csv"))])
/// ```
public final class CSVLogger: SessionCallback {
    /// It writes epochs only.
    public var observesBatches: Bool { false }

    /// Where the rows go.
    public let file: URL

    /// A logger writing to `file` (replaced at the end of each epoch).
    public init(file: URL) { self.file = file }

    public func epochDidSettle(_ session: TrainingSession) throws {
        try AtomicFile.write(Data(CSVLogger.csv(of: session.history).utf8), to: file.path)
    }

    /// The history as CSV: a header of `epoch` and every key, sorted, then a row per epoch
    /// (empty where an epoch lacks a key).
    static func csv(of history: History) -> String {
        let keys = history.keys
        var lines = [(["epoch"] + keys).joined(separator: ",")]
        for (index, logs) in history.epochs.enumerated() {
            lines.append(([String(index + 1)] + keys.map { logs[$0].map { "\($0)" } ?? "" }).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
