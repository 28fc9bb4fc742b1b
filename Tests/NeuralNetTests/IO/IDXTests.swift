import Foundation
import Testing
@testable import NeuralNet

struct IDXTests {
    func header(type: UInt8, shape: [Int]) -> [UInt8] {
        [0, 0, type, UInt8(shape.count)] + shape.flatMap { d in [24, 16, 8, 0].map { UInt8((d >> $0) & 0xFF) } }
    }

    @Test func decodesUnsignedBytes() throws {
        let bytes = header(type: 0x08, shape: [2, 3]) + [0, 1, 2, 253, 254, 255]
        let tensor = try IDX.decode(bytes)
        #expect(tensor.shape == [2, 3])
        #expect(tensor.scalars == [0, 1, 2, 253, 254, 255])
    }

    @Test func decodesBigEndianWiderTypes() throws {
        let shorts = header(type: 0x0B, shape: [2]) + [0xFF, 0xFE, 0x01, 0x00]
        #expect(try IDX.decode(shorts).scalars == [-2, 256])
        let floats = header(type: 0x0D, shape: [1]) + [0x3F, 0xC0, 0x00, 0x00]
        #expect(try IDX.decode(floats).scalars == [1.5])
        let signed = header(type: 0x09, shape: [1]) + [0xFF]
        #expect(try IDX.decode(signed).scalars == [-1])
    }

    @Test func aBadMagicNumberIsNamed() {
        do {
            _ = try IDX.decode([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0], path: "images.idx")
            Issue.record("a zip header was read as IDX")
        } catch {
            #expect("\(error)".contains("images.idx"))
            #expect("\(error)".contains("bad magic number 50 4b 03 04"))
        }
    }

    @Test func aSizeMismatchIsNamed() {
        let bytes = header(type: 0x08, shape: [10, 10]) + [UInt8](repeating: 0, count: 99)
        do {
            _ = try IDX.decode(bytes, path: "short.idx")
            Issue.record("a short file was accepted")
        } catch {
            #expect("\(error)".contains("size mismatch"))
            #expect("\(error)".contains("needs 112 bytes, the file has 111"))
        }
        #expect(throws: NeuralNetError.self) { try IDX.decode([0, 0]) }
        #expect(throws: NeuralNetError.self) { try IDX.decode(header(type: 0x08, shape: [1, 2, 3]).dropLast(2).map { $0 }) }
    }

    @Test func readsGzipAndReportsTruncatedOrCorruptArchives() throws {
        let directory = try temporaryDirectory()
        let source = try sampleFile("t10k-labels-idx1-ubyte.gz")
        let labels = try IDX.read(contentsOf: source)
        #expect(labels.shape == [1000])
        #expect(labels.scalars.allSatisfy { $0 >= 0 && $0 <= 9 && $0 == $0.rounded() })

        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        let truncated = directory + "/truncated.gz"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        do {
            _ = try IDX.read(contentsOf: truncated)
            Issue.record("a truncated archive was read")
        } catch {
            #expect("\(error)".contains("truncated.gz"))
            #expect("\(error)".contains("truncated"))
        }
        var corrupt = [UInt8](bytes)
        for i in 20..<60 { corrupt[i] ^= 0x5A }
        let corruptPath = directory + "/corrupt.gz"
        try Data(corrupt).write(to: URL(fileURLWithPath: corruptPath))
        #expect(throws: NeuralNetError.self) { try IDX.read(contentsOf: corruptPath) }
        #expect(throws: NeuralNetError.self) { try IDX.read(contentsOf: directory + "/missing.gz") }
    }
}

/// A fresh empty directory for a test's files, inside one directory per test run that is
/// removed when the process exits.
func temporaryDirectory() throws -> String {
    let path = testFilesRoot + "/" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func testFilesRoot(process: Int32) -> String {
    NSTemporaryDirectory() + "neuralnet-tests-\(process)"
}

private let testFilesRoot: String = {
    // A C callback captures nothing, so it finds the directory again from the process id.
    atexit { try? FileManager.default.removeItem(atPath: testFilesRoot(process: getpid())) }
    return testFilesRoot(process: getpid())
}()

/// The path of a file of the embedded Fashion-MNIST sample.
func sampleFile(_ name: String) throws -> String {
    try #require(FashionMNIST.sampleDirectory) + "/" + name
}
