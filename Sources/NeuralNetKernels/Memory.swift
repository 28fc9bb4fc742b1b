import CNeuralNetKernels
import Foundation

/// How the process's allocator treats the large buffers of training.
public enum Memory {
    /// Makes glibc's malloc serve large tensors from its heap and keep freed memory for the next
    /// step (see `nn_keep_freed_memory`), once per process, the first time it is asked;
    /// `NEURALNET_KEEP_MEMORY=0` in the environment leaves the allocator as it is. The memory a
    /// training step frees then stays with the process, which is what a training loop wants:
    /// with the defaults, the kernel zeroed fresh pages for every step's buffers again, which
    /// measured up to twice the time of a CNN step. Returns whether the settings are in force.
    @discardableResult
    public static func keepFreedMemory() -> Bool {
        applied
    }

    private static let applied: Bool = {
        if ProcessInfo.processInfo.environment["NEURALNET_KEEP_MEMORY"] == "0" { return false }
        return nn_keep_freed_memory() != 0
    }()
}
