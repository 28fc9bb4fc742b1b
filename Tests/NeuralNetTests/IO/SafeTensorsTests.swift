import Foundation
import Testing
@testable import NeuralNet

struct SafeTensorsTests {
    @Test func roundTripsTensorsAndMetadata() throws {
        let path = try temporaryDirectory() + "/t.safetensors"
        let a = randomTensor([3, 4]), b = Tensor([1, 2, 3])
        try SafeTensors.write([("a", a), ("b", b), ("empty", .zeros([0, 5]))], metadata: ["k": "v"], to: path)
        let (tensors, metadata) = try SafeTensors.read(from: path)
        #expect(tensors.map(\.name) == ["a", "b", "empty"])
        #expect(tensors[0].tensor == a && tensors[1].tensor == b && tensors[2].tensor.shape == [0, 5])
        #expect(metadata == ["k": "v"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect((8 + headerLength) % 8 == 0)
    }

    @Test func readsDoubleAndBFloat16Data() throws {
        let header = #"{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
        bytes += withUnsafeBytes(of: (2.5 as Double).bitPattern.littleEndian, Array.init)
        bytes += [0xC0, 0x3F]                // bfloat16 1.5 = 0x3FC0
        let (tensors, _) = try SafeTensors.decode(bytes)
        #expect(tensors.first { $0.name == "d" }?.tensor.scalars == [2.5])
        #expect(tensors.first { $0.name == "h" }?.tensor.scalars == [1.5])
    }

    @Test(arguments: [
        ("short", [UInt8]([1, 2, 3]), "too short"),
        ("huge header", [UInt8]([255, 255, 255, 0, 0, 0, 0, 0, 123]), "truncated"),
        ("not json", [UInt8]([2, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7B]), "not a JSON object"),
    ])
    func corruptFilesGiveErrorsNotCrashes(name: String, bytes: [UInt8], message: String) {
        do {
            _ = try SafeTensors.decode(bytes, path: name)
            Issue.record("\(name) was accepted")
        } catch {
            #expect("\(error)".contains(message))
            #expect("\(error)".contains(name))
        }
    }

    @Test func offsetsBeyondTheDataAreRejected() throws {
        let path = try temporaryDirectory() + "/t.safetensors"
        try SafeTensors.write([("w", randomTensor([100]))], to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(throws: NeuralNetError.self) { try SafeTensors.decode(Array(bytes.dropLast(4))) }
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        let mismatched = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8) + [UInt8](repeating: 0, count: 8)
        #expect(throws: NeuralNetError.self) { try SafeTensors.decode(mismatched) }
        let unknownType = header.replacingOccurrences(of: "F32", with: "I8")
        let other = withUnsafeBytes(of: UInt64(unknownType.utf8.count).littleEndian, Array.init) + Array(unknownType.utf8) + [UInt8](repeating: 0, count: 8)
        do { _ = try SafeTensors.decode(other) } catch { #expect("\(error)".contains("dtype I8")) }
    }
}

struct PersistenceTests {
    func model() -> Sequential {
        Sequential(inputShape: [4], loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 0.01), metrics: [.accuracy]) {
            Dense(8, activation: .leakyRelu(slope: 0.2))
            Dropout(0.1)
            Dense(3)
        }
    }

    @Test func aSavedModelLoadsWithItsArchitectureAndGivesTheSameOutputs() throws {
        let original = model()
        let x = randomTensor([6, 4])
        try original.fit(x, Tensor([0, 1, 2, 0, 1, 2]), epochs: 2, batchSize: 3, progress: .silent)
        let path = try temporaryDirectory() + "/model.safetensors"
        try original.save(to: path)
        let loaded = try Sequential.load(from: path)
        #expect(loaded.predict(x) == original.predict(x))
        #expect(loaded.loss == .sparseSoftmaxCrossEntropy)
        #expect(loaded.metrics == [.accuracy])
        #expect(loaded.optimizer is Adam && loaded.optimizer.learningRate == 0.01)
        #expect(loaded.layers.map(\.description) == original.layers.map(\.description))
    }

    @Test func strictLoadingListsEveryProblemAtOnce() throws {
        let path = try temporaryDirectory() + "/weights.safetensors"
        try SafeTensors.write([("0.weight", .zeros([4, 9])), ("2.bias", .zeros([3])), ("extra", .zeros([1]))], to: path)
        let target = model()
        try target.build()
        do {
            try target.loadWeights(from: path)
            Issue.record("mismatched weights were loaded")
        } catch {
            let message = "\(error)"
            #expect(message.contains("0.weight: the model has shape [4, 8], the file [4, 9]"))
            #expect(message.contains("missing 0.bias"))
            #expect(message.contains("missing 2.weight"))
            #expect(message.contains("unexpected extra"))
        }
    }

    @Test func savingAnUnbuiltModelSaysHowToFixIt() {
        let unbuilt = Sequential(loss: .meanSquaredError) { Dense(3) }
        do {
            try unbuilt.save(to: NSTemporaryDirectory() + "never.safetensors")
            Issue.record("an unbuilt model was saved")
        } catch {
            #expect("\(error)".contains("build(inputShape:)"))
        }
        #expect(!FileManager.default.fileExists(atPath: NSTemporaryDirectory() + "never.safetensors"))
    }

    @Test func aFileWithoutArchitectureCannotBeLoadedAsAModel() throws {
        let path = try temporaryDirectory() + "/plain.safetensors"
        try SafeTensors.write([("w", .zeros([1]))], to: path)
        do { _ = try Sequential.load(from: path) } catch { #expect("\(error)".contains("no architecture")) }
    }
}
