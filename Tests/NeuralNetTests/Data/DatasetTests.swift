import Testing
@testable import NeuralNet

struct DatasetTests {
    let data = try! Dataset(inputs: Tensor(shape: [10, 2], scalars: (0..<20).map(Float.init)),
                            labels: Tensor((0..<10).map(Float.init)))

    @Test func mismatchedCountsAreRejected() {
        #expect(throws: NeuralNetError.self) { try Dataset(inputs: .zeros([3, 2]), labels: .zeros([4])) }
    }

    @Test func splitsAndPrefixesKeepPairsTogether() {
        let (train, validation) = data.split(0.8)
        #expect(train.count == 8 && validation.count == 2)
        #expect(validation.labels.scalars == [8, 9])
        #expect(validation.inputs.scalars == [16, 17, 18, 19])
        #expect(data.prefix(3).labels.scalars == [0, 1, 2])
        #expect(data.prefix(99).count == 10)
    }

    @Test func shufflingIsASeededPermutation() {
        let shuffled = data.shuffled(seed: 4)
        #expect(shuffled.labels.scalars.sorted() == data.labels.scalars)
        #expect(shuffled.labels.scalars != data.labels.scalars)
        #expect(shuffled.labels == data.shuffled(seed: 4).labels)
        for i in 0..<10 { #expect(shuffled.inputs[i, 0] == 2 * shuffled.labels[i]) }
    }

    @Test func batchesCoverEverySampleOnce() {
        let batches = data.batches(of: 4, order: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(batches.map(\.indices.count) == [4, 4, 2])
        #expect(batches.flatMap(\.labels.scalars) == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(batches[2].inputs.shape == [2, 2])
    }
}
