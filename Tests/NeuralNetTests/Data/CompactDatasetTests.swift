import Testing
@testable import NeuralNet

/// Inputs kept as bytes train exactly as the same values given as `Float`s, and contiguous
/// parts of them share the bytes rather than copy them.
struct CompactDatasetTests {
    static let bytes: [UInt8] = (0..<(40 * 6)).map { UInt8(($0 * 37) % 256) }
    static let labels = Tensor(shape: [40], scalars: (0..<40).map { Float($0 % 3) })

    @Test func bytesTrainLikeTheirFloats() throws {
        let compact = try Dataset(byteInputs: Self.bytes, shape: [40, 6], scale: 1 / 255, labels: Self.labels)
        let floats = try Dataset(inputs: Tensor(shape: [40, 6], scalars: Self.bytes.map { Float($0) * (1 / 255) }), labels: Self.labels)
        #expect(compact.hasCompactInputs && !floats.hasCompactInputs)
        #expect(compact.inputs == floats.inputs && compact.sampleShape == [6])
        func train(_ data: Dataset) throws -> [Tensor] {
            let model = Sequential([Dense(8, activation: .relu), Dense(3)], loss: .sparseSoftmaxCrossEntropy, seed: 2)
            try model.fit(data, epochs: 2, batchSize: 8, validationSplit: 0.2, seed: 5, progress: .silent)
            _ = try model.evaluate(data.shuffled(seed: 3))
            return model.namedParameters.map(\.parameter.value)
        }
        #expect(try train(compact) == train(floats))
        let batches = compact.shuffled(seed: 1).batches(of: 16)
        #expect(batches[1].inputs == floats.shuffled(seed: 1).batches(of: 16)[1].inputs)
    }

    @Test func contiguousPartsShareTheBytes() throws {
        let compact = try Dataset(byteInputs: Self.bytes, shape: [40, 6], scale: 0.5, labels: Self.labels)
        let (first, second) = compact.split(0.75)
        #expect(first.count == 30 && second.count == 10)
        guard case .bytes(let whole, _) = compact.inputColumns[0].storage,
              case .bytes(let tail, _) = second.inputColumns[0].storage else {
            Issue.record("the split lost the bytes")
            return
        }
        #expect(tail.startIndex == 180 && whole.withUnsafeBufferPointer { $0.baseAddress } == tail.withUnsafeBufferPointer { $0.baseAddress! - 180 })
        #expect(second.inputs.scalars[0] == Float(Self.bytes[180]) * 0.5)
        #expect(compact.prefix(3).inputs.shape == [3, 6])
    }

    @Test func bytesThatDoNotFillTheShapeAreAnError() {
        #expect(throws: NeuralNetError.self) { try Dataset(byteInputs: [1, 2, 3], shape: [2, 2], scale: 1, labels: Tensor([0, 1])) }
        #expect(throws: NeuralNetError.self) { try Dataset(byteInputs: [1, 2, 3, 4], shape: [2, 2], scale: 1, labels: Tensor([0, 1, 2])) }
    }
}
