import Foundation

/// The result of `evaluate`: the loss and each metric by name, and for classifiers a confusion
/// matrix. Subscript it like a dictionary: `scores["accuracy"]!`.
public struct Evaluation: Sendable, CustomStringConvertible {
    /// `"loss"` and each metric's name, with their values over the whole dataset.
    public let scores: [String: Float]
    /// Counts of true class (row) against predicted class (column), for classifiers.
    public let confusionMatrix: ConfusionMatrix?

    /// The score named `key` (`"loss"`, `"accuracy"`, ...).
    public subscript(key: String) -> Float? { scores[key] }

    public var description: String {
        "[" + scores.keys.sorted().map { "\"\($0)\": \(scores[$0]!)" }.joined(separator: ", ") + "]"
    }
}

/// A table of how often each true class (row) was predicted as each class (column).
public struct ConfusionMatrix: Sendable, Equatable, CustomStringConvertible {
    /// `counts[truth][prediction]`.
    public private(set) var counts: [[Int]]

    /// An empty matrix for `classes` classes.
    public init(classes: Int) {
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    /// The number of classes.
    public var classes: Int { counts.count }

    /// Counts one sample per pair.
    public mutating func add(truth: [Int], predicted: [Int]) {
        for (t, p) in zip(truth, predicted) where t >= 0 && t < classes && p >= 0 && p < classes {
            counts[t][p] += 1
        }
    }

    /// The fraction of all samples on the diagonal.
    public var accuracy: Float {
        let total = counts.joined().reduce(0, +)
        return total == 0 ? 0 : Float((0..<classes).map { counts[$0][$0] }.reduce(0, +)) / Float(total)
    }

    /// Of the samples predicted as `label`, the fraction that are `label`.
    public func precision(of label: Int) -> Float {
        let predicted = counts.map { $0[label] }.reduce(0, +)
        return predicted == 0 ? 0 : Float(counts[label][label]) / Float(predicted)
    }

    /// Of the samples of class `label`, the fraction predicted as `label`.
    public func recall(of label: Int) -> Float {
        let actual = counts[label].reduce(0, +)
        return actual == 0 ? 0 : Float(counts[label][label]) / Float(actual)
    }

    /// Rows are true classes, columns predicted classes, with recall at the end of each row.
    public var description: String {
        let width = max(String(counts.joined().max() ?? 0).count, 3) + 1
        func pad(_ text: String) -> String { String(repeating: " ", count: max(width - text.count, 0)) + text }
        var lines = ["true\\pred" + (0..<classes).map { pad(String($0)) }.joined() + "   recall"]
        for (label, row) in counts.enumerated() {
            let recall = String(format: "%.3f", recall(of: label))
            lines.append(pad(String(label)).padding(toLength: 9, withPad: " ", startingAt: 0)
                         + row.map { pad(String($0)) }.joined() + "    " + recall)
        }
        return lines.joined(separator: "\n")
    }
}
