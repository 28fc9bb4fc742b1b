import Foundation
import NeuralNetFuzz

// nn-fuzz [TARGET ...] [--inputs N] [--seed S] [--verbose] | nn-fuzz TARGET --replay FILE: reads N mutated inputs per reader (default all
// readers, 1,000,000 inputs each). A crash leaves crash-TARGET.bin in the current directory.
var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, default value: UInt64) -> UInt64 {
    guard let index = arguments.firstIndex(of: name) else { return value }
    guard index + 1 < arguments.count, let parsed = UInt64(arguments[index + 1]) else {
        FileHandle.standardError.write(Data("nn-fuzz: \(name) needs a whole number\n".utf8))
        exit(2)
    }
    arguments.removeSubrange(index...(index + 1))
    return parsed
}
let verbose = arguments.contains("--verbose")
arguments.removeAll { $0 == "--verbose" }
// --replay FILE: read one saved input (a crash-*.bin) with each named reader and print the result.
if let index = arguments.firstIndex(of: "--replay"), index + 1 < arguments.count {
    let input = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[index + 1])))
    arguments.removeSubrange(index...(index + 1))
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fuzz-replay-\(getpid())")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    for target in FuzzTarget.all where arguments.contains(target.name) {
        do { try target.read(input, scratch); print("\(target.name): read without error") } catch { print("\(target.name): \(error)") }
    }
    try? FileManager.default.removeItem(at: scratch)
    exit(0)
}
let count = Int(option("--inputs", default: 1_000_000))
let seed = option("--seed", default: 1)
let names = Set(arguments)
let known = Set(FuzzTarget.all.map(\.name))
if let unknown = names.subtracting(known).first {
    FileHandle.standardError.write(Data("nn-fuzz: unknown reader '\(unknown)'; readers: \(known.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}
for target in FuzzTarget.all where names.isEmpty || names.contains(target.name) {
    let start = Date()
    let report = try FuzzRun.run(target, count: count, seed: seed, keepSlowest: verbose) { report in
        FileHandle.standardError.write(Data("\r\(target.name): \(report.inputs) inputs".utf8))
    }
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    print(String(format: "\r%@: %d inputs, %d errors, no crash; slowest %.1f ms; %.0f s; peak RSS %d MB",
                 target.name, report.inputs, report.errors, report.slowest * 1000, Date().timeIntervalSince(start),
                 usage.ru_maxrss / 1024))
    if verbose {
        for (message, times) in report.messages.sorted(by: { $0.value > $1.value }).prefix(20) { print("  \(times)× \(message)…") }
    }
}
