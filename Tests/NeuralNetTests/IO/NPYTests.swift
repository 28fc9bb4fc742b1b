import Foundation
import Testing
@testable import NeuralNet

struct NPYTests {
    func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Fixtures"))
    }

    @Test func filesWrittenByNumPyAreRead() throws {
        #expect(try Tensor(npy: fixture("numpy-f64")) == Tensor([[0, 0.25, 0.5], [0.75, 1, 1.25]]))
        #expect(try Tensor(npy: fixture("numpy-u8")) == Tensor([[0, 7, 255]]))
        #expect(try Tensor(npy: fixture("numpy-i64-1d")) == Tensor([3, -2, 5]))
    }

    @Test func writtenFilesReadBack() throws {
        let url = URL(fileURLWithPath: try temporaryDirectory() + "/x.npy")
        for tensor in [randomTensor([2, 3, 4]), Tensor([1, 2, 3]), Tensor(5), Tensor.zeros([0, 3])] {
            try tensor.write(npy: url)
            #expect(try Tensor(npy: url) == tensor)
            let bytes = try Data(contentsOf: url)
            #expect((bytes.count - 4 * tensor.count) % 64 == 0)      // the header is padded to 64 bytes
        }
    }

    /// A version 1.0 file of `header` and `data`, with the header's true length.
    static func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
        [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8) + data
    }

    @Test(arguments: [
        ([0x93] + Array("NUMPX".utf8) + [1, 0, 0, 0], "magic"),
        ([0x93] + Array("NUMPY".utf8) + [1, 0, 200, 0] + Array("{'descr'".utf8), "truncated"),
        (file("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n", data: [0, 0, 0, 0]), ">f4"),
        (file("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }\n", data: [0, 0, 0, 0]), "Fortran"),
        (file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", data: [0, 0, 0, 0]), "needs 8 data bytes"),
        (file("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }\n"), "outside 0...2147483647"),
        (file("{'descr': '<f4', 'shape': (1,), }\n", data: [0, 0, 0, 0]), "lacks"),
    ] as [([UInt8], String)])
    func badFilesAreExplained(bytes: [UInt8], message: String) {
        #expect {
            try NPY.decode(bytes, path: "bad.npy")
        } throws: { "\($0)".contains(message) && "\($0)".contains("bad.npy") }
    }
}
