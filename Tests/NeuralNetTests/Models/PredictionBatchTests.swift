import Testing
@testable import NeuralNet

/// `predict` chooses its batch size by memory when none is given, and a call split into
/// batches writes each batch's rows into place: the same outputs whatever the split.
struct PredictionBatchTests {
    @Test func theDefaultBatchHoldsASmallModelsCallInOnePass() throws {
        let model = Sequential([Dense(256, activation: .relu), Dense(10)], inputShape: [784], loss: .sparseSoftmaxCrossEntropy)
        try model.build()
        // The layers output 256 + 10 values per sample: 64 MB holds about 63,000 samples.
        #expect(model.outputValuesPerSample == 266)
        #expect(model.inferenceBatchSize() == (64 << 20) / (4 * 266))
    }

    @Test func splitCallsGiveTheOutputsOfOnePass() throws {
        let x = Input(shape: [5])
        let hidden = Dense(6, activation: .tanh)(x)
        let model = Model(inputs: x, outputs: [Dense(3)(hidden), Dense(2, activation: .sigmoid)(hidden)], losses: [.meanSquaredError, .meanSquaredError])
        let input = randomTensor([23, 5], seed: 4)
        let whole = try model.outputs(for: [input])
        for batchSize in [1, 4, 7, 22, 23, 100] {
            let split = try model.outputs(for: [input], batchSize: batchSize)
            #expect(split.map(\.shape) == [[23, 3], [23, 2]])
            for (a, b) in zip(split, whole) { #expect(isClose(a, b, tolerance: 1e-6), "batch \(batchSize)") }
        }
    }
}
