import Foundation
import Testing
@testable import NeuralNet

struct FashionMNISTTests {
    @Test func theEmbeddedSampleLoadsAsScaledImagesAndClassIndices() throws {
        let data = try FashionMNIST.sample()
        #expect(data.train.inputs.shape == [3000, 28, 28, 1])
        #expect(data.test.inputs.shape == [1000, 28, 28, 1])
        #expect(data.train.labels.shape == [3000])
        #expect(data.train.inputs.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(data.train.inputs.max() == 1)
        #expect(Set(data.train.labels.scalars) == Set((0..<10).map(Float.init)))
        #expect(data.source == "embedded sample")
    }

    @Test func searchesTheEnvironmentTheWorkingDirectoryAndDebiansPath() {
        let places = FashionMNIST.searchDirectories(environment: ["NEURALNET_DATA": "/data/fm"], currentDirectory: "/home/me")
        #expect(places.map(\.path) == ["/data/fm", "/home/me/data/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
        #expect(FashionMNIST.searchDirectories(environment: [:], currentDirectory: "/x").count == 2)
    }

    @Test func readsADirectoryOfPlainOrCompressedFiles() throws {
        let directory = try temporaryDirectory()
        for name in IDXImageSet.fileNames {
            let source = try sampleFile(name + ".gz")
            if name.hasPrefix("t10k") {
                // Store the test files uncompressed, to read both forms in one set.
                let tensorBytes = try Gzip.decompress([UInt8](Data(contentsOf: URL(fileURLWithPath: source))), path: source)
                try Data(tensorBytes).write(to: URL(fileURLWithPath: directory + "/" + name))
            } else {
                try FileManager.default.copyItem(atPath: source, toPath: directory + "/" + name + ".gz")
            }
        }
        let data = try FashionMNIST(directory: directory)
        #expect(data.test.count == 1000)
        #expect(data.train.count == 3000)
        #expect(try MNIST(directory: directory).train.count == 3000)
    }

    @Test func missingFilesSayWhereToGetThem() throws {
        let directory = try temporaryDirectory()
        do {
            _ = try FashionMNIST(directory: directory)
            Issue.record("an empty directory was accepted")
        } catch {
            #expect("\(error)".contains("train-images-idx3-ubyte"))
            #expect("\(error)".contains("apt-get install dataset-fashion-mnist"))
        }
        #expect(throws: NeuralNetError.self) { try FashionMNIST(directory: directory + "/nowhere") }
    }

    @Test func aTruncatedImageFileIsNamed() throws {
        let directory = try temporaryDirectory()
        for name in IDXImageSet.fileNames {
            try FileManager.default.copyItem(atPath: try sampleFile(name + ".gz"), toPath: directory + "/" + name + ".gz")
        }
        let images = directory + "/train-images-idx3-ubyte.gz"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: images))
        try bytes.prefix(5000).write(to: URL(fileURLWithPath: images))
        do {
            _ = try FashionMNIST(directory: directory)
            Issue.record("a truncated file was accepted")
        } catch {
            #expect("\(error)".contains("train-images-idx3-ubyte.gz"))
        }
    }
}
