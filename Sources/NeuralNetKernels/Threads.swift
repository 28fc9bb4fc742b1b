import Foundation

/// How many threads the kernels may use. The default is `NEURALNET_THREADS` if set, else the
/// number of active processors; `ComputeThreads.$count.withValue(1) { ... }` changes it for the
/// work inside the closure (a task-local value: no global state is mutated).
public enum ComputeThreads {
    /// The thread count in force for the current task.
    @TaskLocal public static var count: Int = defaultCount

    /// `NEURALNET_THREADS`, or the number of active processors.
    public static let defaultCount: Int = {
        if let text = ProcessInfo.processInfo.environment["NEURALNET_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(ProcessInfo.processInfo.activeProcessorCount, 1)
    }()
}
