import CNeuralNetKernels
import Foundation

/// How many threads the kernels may use. The default is `NEURALNET_THREADS` if set, else the
/// number of active processors; `ComputeThreads.$count.withValue(1) { ... }` changes it for the
/// work inside the closure (a task-local value: no global state is mutated).
public enum ComputeThreads {
    /// The thread count in force for the current task.
    @TaskLocal public static var count: Int = defaultCount

    /// `NEURALNET_THREADS`, or the number of active processors. A value that is not a positive
    /// whole number is ignored, and one above `maximumCount` clamped, each with a line on
    /// standard error.
    public static let defaultCount: Int = {
        let cores = max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let (count, message) = ComputeThreads.count(fromEnvironment: ProcessInfo.processInfo.environment["NEURALNET_THREADS"], cores: cores)
        if let message { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        return count
    }()

    /// The most threads the kernels use, whatever `NEURALNET_THREADS` says.
    public static let maximumCount = 256

    /// The thread count for a `NEURALNET_THREADS` value (nil: unset) on a machine of `cores`
    /// cores, and the warning to print when the value cannot be used as given.
    static func count(fromEnvironment text: String?, cores: Int) -> (count: Int, message: String?) {
        guard let text else { return (cores, nil) }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else {
            return (cores, "warning: NEURALNET_THREADS=\(text) is not a positive whole number; using \(cores) (one per core)")
        }
        guard value <= maximumCount else {
            return (maximumCount, "warning: NEURALNET_THREADS=\(value) is more than \(maximumCount); using \(maximumCount)")
        }
        return (value, nil)
    }

    /// Runs `body(i)` for every `i` in `0..<count` on up to `threads` threads (the caller among
    /// them) and returns when all are done. Which thread runs which index varies, so each
    /// index's work must not depend on it; `body` must be safe to call from several threads.
    /// While another `parallelFor` is running, this one runs on the calling thread alone.
    public static func parallelFor(_ count: Int, threads: Int = count, _ body: (Int) -> Void) {
        guard count > 1, threads > 1 else {
            for index in 0..<count { body(index) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let job = Job(body)
            nn_parallel_for(count, min(threads, count), { context, index in
                Unmanaged<Job>.fromOpaque(context!).takeUnretainedValue().body(index)
            }, Unmanaged.passUnretained(job).toOpaque())
            withExtendedLifetime(job) {}
        }
    }

    /// A closure handed to C as an opaque pointer.
    private final class Job {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }
}
