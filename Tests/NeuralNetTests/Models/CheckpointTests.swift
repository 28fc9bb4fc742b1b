import Foundation
import Testing
@testable import NeuralNet

struct CheckpointTests {
    let data = try! Dataset(inputs: randomTensor([40, 6], seed: 1), labels: Tensor((0..<40).map { Float($0 % 3) }))

    func makeModel() -> Sequential {
        Sequential(inputShape: [6], loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 1e-2), metrics: [.accuracy]) {
            Dense(8, activation: .relu)
            Dropout(0.3)
            Dense(3)
        }
    }

    func directory() throws -> URL { URL(fileURLWithPath: try temporaryDirectory() + "/checkpoints") }

    func weights(_ model: any Network) -> [Tensor] { model.namedParameters.map(\.parameter.value) }

    @Test func resumingAfterAnEpochEndsWithTheSameWeights() throws {
        let straight = makeModel()
        let history = try straight.fit(data, epochs: 3, batchSize: 8, callbacks: [LearningRateScheduler(.cosine(epochs: 3))],
                                       seed: 9, progress: .silent)
        let dir = try directory()
        let first = makeModel()
        try first.fit(data, epochs: 2, batchSize: 8, callbacks: [ModelCheckpoint(directory: dir), LearningRateScheduler(.cosine(epochs: 3))],
                      seed: 9, progress: .silent)
        let resumed = makeModel()
        let resumedHistory = try resumed.fit(
            data, epochs: 3, batchSize: 8, callbacks: [ModelCheckpoint(directory: dir), LearningRateScheduler(.cosine(epochs: 3))],
            seed: 9, resumeFrom: dir, progress: .silent)
        #expect(weights(resumed) == weights(straight))
        #expect(resumedHistory == history)
        #expect(Checkpoint.files(in: dir).count == 2)          // keepLast: 2
    }

    /// Compiled training (its plan takes this model's Dropout, its epochs bind Adam and hand
    /// the step count back) checkpoints and resumes to the weights of eager training.
    @Test func resumingCompiledTrainingEndsWithTheSameWeights() throws {
        let straight = makeModel()
        let history = try straight.fit(data, epochs: 3, batchSize: 8, callbacks: [LearningRateScheduler(.cosine(epochs: 3))],
                                       seed: 9, progress: .silent)
        let dir = try directory()
        try makeModel().fit(data, epochs: 2, batchSize: 8, callbacks: [ModelCheckpoint(directory: dir), LearningRateScheduler(.cosine(epochs: 3))],
                            seed: 9, progress: .silent, compile: true)
        let probe = makeModel()
        try probe.build()
        #expect(CompiledStep(probe, batch: 8) != nil)                             // planned, Dropout and all
        let resumed = makeModel()
        let resumedHistory = try resumed.fit(
            data, epochs: 3, batchSize: 8, callbacks: [ModelCheckpoint(directory: dir), LearningRateScheduler(.cosine(epochs: 3))],
            seed: 9, resumeFrom: dir, progress: .silent, compile: true)
        #expect(weights(resumed).map { $0.scalars.map(\.bitPattern) } == weights(straight).map { $0.scalars.map(\.bitPattern) })
        #expect(resumedHistory == history)
    }

    @Test func resumingMidEpochEndsWithTheSameWeights() throws {
        let straight = makeModel()
        try straight.fit(data, epochs: 2, batchSize: 8, callbacks: [EarlyStopping(monitor: "loss", patience: 5)], seed: 4, progress: .silent)
        let dir = try directory()
        // A run stopped after epoch 1 and 2 batches of epoch 2: its last checkpoint is mid-epoch.
        let first = makeModel()
        let stopper = StopAfter(epoch: 2, batch: 2)
        #expect(throws: StopAfter.Stop.self) {
            try first.fit(data, epochs: 2, batchSize: 8,
                          callbacks: [EarlyStopping(monitor: "loss", patience: 5), ModelCheckpoint(directory: dir, every: .batches(2)), stopper],
                          seed: 4, progress: .silent)
        }
        #expect(Checkpoint.files(in: dir).last!.hasSuffix("checkpoint-e000002-b000000002.safetensors"))
        let resumed = makeModel()
        try resumed.fit(data, epochs: 2, batchSize: 8,
                        callbacks: [EarlyStopping(monitor: "loss", patience: 5), ModelCheckpoint(directory: dir, every: .batches(2))],
                        seed: 4, resumeFrom: dir, progress: .silent)
        #expect(weights(resumed) == weights(straight))
    }

    @Test func aGraphModelResumesToo() throws {
        func graph() -> Model {
            let input = Input(shape: [6])
            let a = Dense(8, activation: .tanh)(input)
            return Model(inputs: input, outputs: Dense(3)(Dropout(0.2)(a + Dense(8)(a))), loss: .sparseSoftmaxCrossEntropy,
                         optimizer: SGD(learningRate: 0.05, momentum: 0.9), seed: 3)
        }
        let straight = graph()
        try straight.fit(data, epochs: 3, batchSize: 16, seed: 2, progress: .silent)
        let dir = try directory()
        try graph().fit(data, epochs: 1, batchSize: 16, callbacks: [ModelCheckpoint(directory: dir)], seed: 2, progress: .silent)
        let resumed = graph()
        try resumed.fit(data, epochs: 3, batchSize: 16, callbacks: [ModelCheckpoint(directory: dir)], seed: 2, resumeFrom: dir, progress: .silent)
        #expect(weights(resumed) == weights(straight))
    }

    @Test func aCheckpointOfAnotherModelOrRunIsExplained() throws {
        let dir = try directory()
        try makeModel().fit(data, epochs: 1, batchSize: 8, callbacks: [ModelCheckpoint(directory: dir)], seed: 1, progress: .silent)
        let wider = Sequential(inputShape: [6], loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 1e-2)) {
            Dense(9, activation: .relu)
            Dropout(0.3)
            Dense(3)
        }
        #expect {
            try wider.fit(data, epochs: 2, batchSize: 8, resumeFrom: dir, progress: .silent)
        } throws: { "\($0)".contains("layer 0 (Dense) has units 8 against 9") }
        #expect {
            try makeModel().fit(data, epochs: 2, batchSize: 4, resumeFrom: dir, progress: .silent)
        } throws: { "\($0)".contains("same data and batch size") }
        // A truncated checkpoint names the file.
        let file = Checkpoint.files(in: dir).last!
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: file))
        #expect {
            try makeModel().fit(data, epochs: 2, batchSize: 8, resumeFrom: dir, progress: .silent)
        } throws: { "\($0)".contains(file) }
    }

    @Test func initialEpochStartsTheScheduleThere() throws {
        let model = makeModel()
        let history = try model.fit(data, epochs: 3, batchSize: 8, initialEpoch: 2, progress: .silent)
        #expect(history.epochs.count == 1)
        #expect(throws: NeuralNetError.self) { try model.fit(data, epochs: 3, initialEpoch: 4, progress: .silent) }
    }
}

/// Ends training after `batch` batches of `epoch`, as a kill would (the run just stops).
final class StopAfter: SessionCallback {
    let epoch: Int, batch: Int
    init(epoch: Int, batch: Int) { (self.epoch, self.batch) = (epoch, batch) }
    struct Stop: Error {}
    func batchDidSettle(_ session: TrainingSession) throws {
        if session.epoch == epoch, session.batchesDone == batch { throw Stop() }
    }
}
