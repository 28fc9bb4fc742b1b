import Foundation

/// How much memory a model may plan to use: the bound that layer sizes and batch sizes are
/// checked against before anything is allocated, so that a model definition or a batch too
/// large for the machine is a `NeuralNetError` with a fix rather than a failed allocation.
///
/// The default is `NEURALNET_MEMORY_LIMIT` if set (bytes, or with a suffix `K`, `M`, `G`:
/// `NEURALNET_MEMORY_LIMIT=4G`), else the machine's physical memory.
/// `MemoryBudget.$bytes.withValue(1 << 30) { ... }` changes it for the work inside the closure
/// (a task-local value, as `ComputeThreads.count`).
///
/// What is checked: a layer's parameters with their gradient and two optimizer moments
/// (16 bytes per parameter), and a batch's layer outputs (12 bytes per value in training,
/// for the value, its gradient and a spare; 8 in inference).
public enum MemoryBudget {
    /// The budget in force for the current task, in bytes.
    @TaskLocal public static var bytes: UInt64 = defaultBytes

    /// `NEURALNET_MEMORY_LIMIT`, or the physical memory. A value that cannot be read is
    /// ignored with a line on standard error.
    public static let defaultBytes: UInt64 = {
        let physical = ProcessInfo.processInfo.physicalMemory
        guard let text = ProcessInfo.processInfo.environment["NEURALNET_MEMORY_LIMIT"] else { return physical }
        guard let value = bytes(fromText: text) else {
            FileHandle.standardError.write(Data(
                "warning: NEURALNET_MEMORY_LIMIT=\(text) is not a size such as 4G or 512M; using the physical memory\n".utf8))
            return physical
        }
        return value
    }()

    /// `"4G"` → 4 × 2³⁰; `"512M"`, `"100K"`, `"123"` (bytes); nil for anything else or zero.
    static func bytes(fromText text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let shifts: [Character: UInt64] = ["K": 10, "M": 20, "G": 30, "T": 40]
        let (digits, shift) = trimmed.last.flatMap { shifts[$0] }.map { (trimmed.dropLast(), $0) } ?? (Substring(trimmed), 0)
        guard let value = UInt64(digits), value > 0, value <= UInt64.max >> shift else { return nil }
        return value << shift
    }

    /// Whether `count` values of `bytesPerValue` bytes each fit in the budget (false when
    /// the product overflows or `count` is negative).
    static func fits(_ count: Int, bytesPerValue: Int) -> Bool {
        let (total, overflow) = count.multipliedReportingOverflow(by: bytesPerValue)
        return count >= 0 && !overflow && UInt64(total) <= bytes
    }

    /// The budget in readable form: `"24.0 GB"`.
    static var description: String { String(format: "%.1f GB", Double(bytes) / 1e9) }
}
