import Foundation
import Testing
import NeuralNet
import NeuralNetFuzz

/// The readers against hostile files: every input that once crashed one (found by `nn-fuzz`,
/// kept in `Fixtures/fuzz/READER-what.bin`) now ends in an error, and a short fuzzing run per
/// reader with a fixed seed finds no crash. The long runs (a million inputs per reader) are
/// `swift run -c release nn-fuzz`.
struct FuzzTests {
    static let fixtures: [URL] = {
        let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/fuzz")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.sorted().map { directory.appendingPathComponent($0) }
    }()

    @Test func everyInputThatOnceCrashedAReaderIsNowAnError() throws {
        #expect(Self.fixtures.count >= 2)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-regression-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for url in Self.fixtures {
            let name = url.lastPathComponent
            let target = try #require(FuzzTarget.all.first { name.hasPrefix($0.name + "-") }, "no reader for \(name)")
            #expect(throws: NeuralNetError.self, "\(name)") { try target.read(Array(try Data(contentsOf: url)), scratch) }
        }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func aShortFuzzingRunFindsNoCrash(reader: String) throws {
        let target = try #require(FuzzTarget.all.first { $0.name == reader })
        let count = ["checkpoint", "model-file"].contains(reader) ? 60 : 300
        let report = try FuzzRun.run(target, count: count, seed: 12)
        #expect(report.inputs == count)
        // Most mutations break the format, some keep it valid: both paths ran.
        #expect(report.errors > count / 4 && report.errors < count)
    }
}
