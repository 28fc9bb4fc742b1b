import Foundation
import Testing
@testable import NeuralNet

struct TrainingCallbackTests {
    let data = try! Dataset(inputs: randomTensor([24, 4], seed: 1), labels: randomTensor([24, 1], seed: 2))

    func model(_ rate: Float = 0.1) -> Sequential {
        Sequential([Dense(4, 1)], inputShape: [4], loss: .meanSquaredError, optimizer: SGD(learningRate: rate))
    }

    /// Records the learning rate of every batch.
    final class RateRecorder: Callback {
        weak var model: (any Network)?
        var rates: [Float] = []
        func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) { self.model = model }
        func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float]) { rates.append(model!.optimizer.learningRate) }
    }

    @Test func warmupThenCosineStepsEveryBatch() throws {
        let recorder = RateRecorder()
        let schedule = LearningRateSchedule.warmupCosine(warmupSteps: 4, totalSteps: 12)
        try model().fit(data, epochs: 3, batchSize: 6, callbacks: [LearningRateScheduler(schedule), recorder], progress: .silent)
        #expect(recorder.rates.count == 12)
        #expect(isClose(Tensor(Array(recorder.rates.prefix(4))), Tensor([0.025, 0.05, 0.075, 0.1])))
        #expect(abs(recorder.rates[4] - 0.1) < 1e-6)                // the decay starts at the peak
        #expect(zip(recorder.rates.dropFirst(4), recorder.rates.dropFirst(5)).allSatisfy { $0 > $1 })
        #expect(abs(schedule.learningRate(initial: 0.1, step: 12)) < 1e-7)
    }

    @Test func aPerBatchScheduleResumesMidEpochExactly() throws {
        let dir = URL(fileURLWithPath: try temporaryDirectory() + "/warmup")
        let schedule = LearningRateSchedule.warmupCosine(warmupSteps: 3, totalSteps: 8)
        let straight = model()
        try straight.fit(data, epochs: 2, batchSize: 6, callbacks: [LearningRateScheduler(schedule)], seed: 3, progress: .silent)
        #expect(throws: StopAfter.Stop.self) {
            try model().fit(data, epochs: 2, batchSize: 6,
                            callbacks: [LearningRateScheduler(schedule), ModelCheckpoint(directory: dir, every: .batches(1)), StopAfter(epoch: 2, batch: 1)],
                            seed: 3, progress: .silent)
        }
        let resumed = model()
        try resumed.fit(data, epochs: 2, batchSize: 6, callbacks: [LearningRateScheduler(schedule), ModelCheckpoint(directory: dir, every: .batches(1))],
                        seed: 3, resumeFrom: dir, progress: .silent)
        #expect(resumed.namedParameters.map(\.parameter.value) == straight.namedParameters.map(\.parameter.value))
    }

    @Test func csvRowsSurviveAResume() throws {
        let directory = try temporaryDirectory()
        let file = URL(fileURLWithPath: directory + "/log.csv"), dir = URL(fileURLWithPath: directory + "/ck")
        try model().fit(data, epochs: 2, batchSize: 6, callbacks: [CSVLogger(file: file), ModelCheckpoint(directory: dir)], seed: 1, progress: .silent)
        let history = try model().fit(data, epochs: 3, batchSize: 6, callbacks: [CSVLogger(file: file), ModelCheckpoint(directory: dir)],
                                      seed: 1, resumeFrom: dir, progress: .silent)
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "epoch,learning_rate,loss")
        #expect(lines.count == 4)
        #expect(lines.last == "3,0.1,\(history.loss[2])")
    }

    @Test func reduceLROnPlateauLowersTheRateAfterPatience() throws {
        let callback = ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 2)
        let net = model(0.2)
        callback.trainingWillBegin(net, epochs: 10, batchesPerEpoch: 1)
        for (epoch, loss) in [1.0, 0.5, 0.6, 0.7, 0.4, 0.45].enumerated() { _ = callback.epochDidEnd(epoch + 1, logs: ["loss": Float(loss)]) }
        #expect(net.optimizer.learningRate == 0.1)                   // lowered once, after epochs 3 and 4
        let saved = callback.checkpointState()
        let again = ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 2)
        try again.restore(values: saved.values, tensors: saved.tensors)
        #expect(again.checkpointState().values == saved.values)
    }
}
