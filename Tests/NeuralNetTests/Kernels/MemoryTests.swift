import Foundation
import Testing
import NeuralNetKernels

struct MemoryTests {
    @Test func theAllocatorKeepsFreedMemoryOnGlibc() {
        #if os(Linux)
        // Applied once, by the first large tensor or here; NEURALNET_KEEP_MEMORY=0 opts out.
        let wanted = ProcessInfo.processInfo.environment["NEURALNET_KEEP_MEMORY"] != "0"
        #expect(Memory.keepFreedMemory() == wanted)
        #endif
    }
}
