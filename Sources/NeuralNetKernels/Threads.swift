import CNeuralNetKernels
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
