import Testing
@testable import NeuralNet

struct AccumulationTests {
    let data = try! Dataset(inputs: randomTensor([21, 5], seed: 1), labels: Tensor((0..<21).map { Float($0 % 3) }))

    func model() -> Sequential {
        Sequential(inputShape: [5], loss: .sparseSoftmaxCrossEntropy, optimizer: SGD(learningRate: 0.1, momentum: 0.9), metrics: [.accuracy], seed: 2) {
            Dense(6, activation: .tanh)
            Dense(3)
        }
    }

    func weights(_ model: any Network) -> [Tensor] { model.namedParameters.map(\.parameter.value) }

    @Test func accumulatedMicroBatchesTakeTheWholeBatchesStep() throws {
        let plain = model(), accumulated = model()
        let a = try plain.fit(data, epochs: 3, batchSize: 8, seed: 1, progress: .silent)
        let b = try accumulated.fit(data, epochs: 3, batchSize: 8, seed: 1, accumulationSteps: 3, progress: .silent)
        for (x, y) in zip(weights(plain), weights(accumulated)) { #expect(isClose(x, y, tolerance: 1e-5)) }
        // The logs count every sample once, the last uneven batch (5 samples) included.
        for (x, y) in zip(a.loss, b.loss) { #expect(abs(x - y) < 1e-5) }
        #expect(a["accuracy"] == b["accuracy"])
    }

    @Test func theSeamsGiveTheSameStepAsFit() throws {
        // Two parts of a batch of 8 by hand: 4 and 4 samples, each weighted 1/2.
        let byHand = model(), byFit = model()
        try byHand.build()
        let rows = Array(0..<8)
        for part in [rows[0..<4], rows[4..<8]] {
            let batch = data[part]
            try byHand.computeGradients([batch.inputs], [batch.labels], weight: 0.5)
        }
        byHand.applyGradients()
        try byFit.fit(data.prefix(8), epochs: 1, batchSize: 8, shuffle: false, accumulationSteps: 2, progress: .silent)
        #expect(weights(byHand) == weights(byFit))
        #expect(byHand.namedParameters.allSatisfy { $0.parameter.gradient == nil })
    }

    @Test func moreStepsThanSamplesAndBadCountsAreHandled() throws {
        let tiny = model()
        try tiny.fit(data.prefix(2), epochs: 1, batchSize: 2, accumulationSteps: 5, progress: .silent)
        #expect(throws: NeuralNetError.self) { try tiny.fit(data, accumulationSteps: 0, progress: .silent) }
    }
}
