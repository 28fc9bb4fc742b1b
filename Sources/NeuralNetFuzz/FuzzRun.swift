import Foundation
import NeuralNet

/// Runs a target over mutated inputs in this process. A crash ends the process, so before
/// each input the harness keeps a copy where a signal handler can write it out: a crash leaves
/// `crash-<target>.bin` in the current directory, to become a regression test.
public enum FuzzRun {
    /// What a run saw.
    public struct Report: Sendable {
        /// The inputs read.
        public var inputs = 0
        /// How many ended in a thrown error (the rest were read as valid).
        public var errors = 0
        /// The longest time one input took, in seconds.
        public var slowest: Double = 0
        /// Distinct error messages' first words, with counts: a view of which checks fire.
        public var messages: [String: Int] = [:]
    }

    /// Reads `count` inputs made from `target`'s corpus with `seed`; `progress` is called every
    /// 10,000 inputs. The library's `MemoryBudget` is `memoryBudget` meanwhile, so a hostile
    /// model definition must be refused rather than allocated; the slowest input is written to
    /// `slowest-<target>.bin` when `keepSlowest`.
    public static func run(
        _ target: FuzzTarget, count: Int, seed: UInt64, memoryBudget: UInt64 = 1 << 30, keepSlowest: Bool = false,
        progress: (Report) -> Void = { _ in }
    ) throws -> Report {
        try MemoryBudget.$bytes.withValue(memoryBudget) {
            try runWithinBudget(target, count: count, seed: seed, keepSlowest: keepSlowest, progress: progress)
        }
    }

    private static func runWithinBudget(
        _ target: FuzzTarget, count: Int, seed: UInt64, keepSlowest: Bool, progress: (Report) -> Void
    ) throws -> Report {
        var slowestInput: [UInt8] = []
        var mutator = Mutator(corpus: try target.makeCorpus(), isText: target.isText, isSafeTensors: target.isSafeTensors, seed: seed)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fuzz-\(target.name)-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        CrashCapture.install(name: target.name)
        defer { CrashCapture.uninstall() }
        var report = Report()
        for index in 0..<count {
            let input = index < mutator.corpus.count ? mutator.corpus[index] : mutator.next()
            CrashCapture.remember(input)
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                try target.read(input, scratch)
            } catch {
                report.errors += 1
                let words = "\(error)".split(separator: " ").prefix(6).joined(separator: " ")
                if report.messages.count < 200 || report.messages[words] != nil { report.messages[words, default: 0] += 1 }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if seconds > report.slowest { (report.slowest, slowestInput) = (seconds, input) }
            report.inputs += 1
            if report.inputs % 10_000 == 0 { progress(report) }
        }
        if keepSlowest { try Data(slowestInput).write(to: URL(fileURLWithPath: "slowest-\(target.name).bin")) }
        return report
    }
}

/// Keeps the input being read where a signal handler can reach it without allocating.
enum CrashCapture {
    // Written only by the fuzzing thread between inputs and read only by the signal handler
    // on that same thread's crash, so nothing races.
    nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 18)
    nonisolated(unsafe) static var length = 0
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>? = nil
    static let signals = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE]

    static func install(name: String) {
        path = strdup("crash-\(name).bin")
        // An alternate stack, so that a stack overflow (deep recursion) is captured too.
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        stack.ss_size = 1 << 16
        sigaltstack(&stack, nil)
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handler
            action.sa_flags = SA_ONSTACK
            sigaction(signal, &action, nil)
        }
    }

    static func uninstall() {
        for signal in signals { _ = Foundation.signal(signal, SIG_DFL) }
    }

    static func remember(_ input: [UInt8]) {
        length = min(input.count, 1 << 18)
        input.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: length) }
    }

    private static let handler: @convention(c) (Int32) -> Void = { signal in
        if let path = CrashCapture.path {
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if file >= 0 {
                _ = write(file, CrashCapture.buffer, CrashCapture.length)
                close(file)
            }
        }
        _ = Foundation.signal(signal, SIG_DFL)
        raise(signal)
    }
}
