import Foundation
import Testing
@testable import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// A process killed while it saves never damages the file it was replacing: the destination
/// holds the previous file or the new one, whole, and the killed writer's temporary file is
/// removed by the next save.
struct KilledSaveTests {
    #if os(Linux)
    @Test func aSaveKilledMidwayLeavesThePreviousFileIntact() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("killed-save-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path
        let model = Sequential([Dense(4, activation: .relu), Dense(2)], inputShape: [3], loss: .meanSquaredError)
        try model.save(to: path)
        let previous = try Data(contentsOf: URL(fileURLWithPath: path))
        // A large replacement, so that the kill can land while it is written or flushed.
        let replacement = Data(repeating: 0x5A, count: 96 << 20)
        try AtomicFile.write(Data([0]), to: directory.appendingPathComponent("warm-up").path)

        var caughtMidway = 0
        for _ in 0..<5 where caughtMidway == 0 {
            let child = fork()
            if child == 0 {
                // The child only writes: the parent kills it when its temporary file appears.
                try? AtomicFile.write(replacement, to: path)
                _exit(0)
            }
            #expect(child > 0)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
                if names.contains(where: { $0.hasPrefix(".model.safetensors.\(child).") }) { break }
                usleep(200)
            }
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            let now = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(now == previous || now == replacement, "the destination is damaged: \(now.count) bytes")
            if now == previous {
                caughtMidway += 1
                #expect(try Sequential.load(from: path).parameterCount == model.parameterCount)
            }
        }
        #expect(caughtMidway > 0, "no kill landed before the rename in five tries")
        // The killed writers' temporary files go with the next save.
        try model.save(to: path)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "left behind: \(left)")
    }
    #endif
}

/// The non-throwing `predict` on input that does not fit ends the program cleanly: the reason
/// on standard error and exit status 1, not a crash.
struct PredictExitTests {
    #if os(Linux)
    @Test func predictOnInputThatDoesNotFitExitsWithStatusOne() throws {
        let model = Sequential([Dense(3)], inputShape: [4], loss: .meanSquaredError)
        try model.build()
        let child = fork()
        if child == 0 {
            // Standard error goes nowhere in the child, so the test log stays clean.
            let null = open("/dev/null", O_WRONLY)
            dup2(null, 2)
            _ = model.predict(Tensor.zeros([1, 5]))
            _exit(0)                                     // not reached: predict must end the process
        }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        let exited = status & 0x7F == 0, code = (status >> 8) & 0xFF
        #expect(exited && code == 1, "wait status \(status): a signal or another exit status")
    }
    #endif
}
