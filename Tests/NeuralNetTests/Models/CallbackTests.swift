import Testing
@testable import NeuralNet

struct CallbackTests {
    let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
    let y = Tensor([[0], [1], [1], [0]])

    @Test func earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() throws {
        final class Recorder: Callback {
            var weights: [[Float]] = []
            weak var model: (any Network)?
            func trainingWillBegin(_ model: any Network, epochs: Int, batchesPerEpoch: Int) { self.model = model }
            func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
                weights.append(model!.namedParameters.flatMap(\.parameter.value.scalars))
                return false
            }
        }
        // A learning rate this large makes the loss bounce, so the best epoch is not the last.
        let model = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 2.5)) { Dense(2, 1) }
        let stopper = EarlyStopping(monitor: "loss", patience: 2)
        let recorder = Recorder()
        let history = try model.fit(x, y, epochs: 50, batchSize: 4, callbacks: [recorder, stopper], seed: 1, progress: .silent)
        let best = try #require(stopper.bestEpoch)
        let stopped = try #require(stopper.stoppedEpoch)
        #expect(stopped == best + 2 + 1)
        #expect(history.loss.count == stopped)
        #expect(history.loss[best - 1] == history.loss.min())
        #expect(model.namedParameters.flatMap(\.parameter.value.scalars) == recorder.weights[best - 1])
    }

    @Test func earlyStoppingWatchesValidationScoresWhenGiven() throws {
        let stopper = EarlyStopping(patience: 100)
        let model = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1)) { Dense(2, 1) }
        try model.fit(x, y, epochs: 3, validation: (x, y), callbacks: [stopper], progress: .silent)
        #expect(stopper.bestEpoch != nil)
        #expect(stopper.stoppedEpoch == nil)
    }

    @Test func schedulesFollowTheirFormulas() {
        #expect(LearningRateSchedule.step(every: 2, factor: 0.5).learningRate(initial: 1, epochIndex: 3) == 0.5)
        #expect(LearningRateSchedule.step(every: 2, factor: 0.5).learningRate(initial: 1, epochIndex: 4) == 0.25)
        #expect(abs(LearningRateSchedule.exponential(rate: 0.9).learningRate(initial: 2, epochIndex: 2) - 1.62) < 1e-6)
        let cosine = LearningRateSchedule.cosine(epochs: 10, minimum: 0.1)
        #expect(cosine.learningRate(initial: 1, epochIndex: 0) == 1)
        #expect(abs(cosine.learningRate(initial: 1, epochIndex: 5) - 0.55) < 1e-6)
        #expect(abs(cosine.learningRate(initial: 1, epochIndex: 10) - 0.1) < 1e-6)
        #expect(abs(cosine.learningRate(initial: 1, epochIndex: 20) - 0.1) < 1e-6)
    }

    @Test func theSchedulerSetsTheOptimizersRateEachEpoch() throws {
        var rates: [Float] = []
        let optimizer = SGD(learningRate: 0.4)
        let model = Sequential(loss: .meanSquaredError, optimizer: optimizer) { Dense(2, 1) }
        let spy = EpochCallback { _, _ in rates.append(optimizer.learningRate) }
        try model.fit(x, y, epochs: 4, callbacks: [LearningRateScheduler(.step(every: 1, factor: 0.5)), spy], progress: .silent)
        #expect(rates == [0.4, 0.2, 0.1, 0.05])
    }
}

struct ProgressTests {
    @Test func logsPutTrainingFirstAndLossFirst() {
        let text = ProgressReporter.format(["val_accuracy": 0.5, "accuracy": 0.25, "loss": 1, "val_loss": 2])
        #expect(text == "loss 1.0000  accuracy 0.2500  val_loss 2.0000  val_accuracy 0.5000")
    }

    @Test func durationsUseReadableUnits() {
        #expect(ProgressReporter.duration(0.000_25) == "250µs")
        #expect(ProgressReporter.duration(0.0123) == "12.3ms")
        #expect(ProgressReporter.duration(4.21) == "4.2s")
        #expect(ProgressReporter.duration(185) == "3m05s")
    }
}

struct ProgressLineTests {
    @Test func aLineFitsTheTerminalByDroppingDetail() {
        let candidates = ["Epoch 1/1 [====] 10/10  loss 0.1234  accuracy 0.9000  12ms/step  ETA 0µs", "Epoch 1/1 10/10  loss 0.123  ETA 0µs"]
        #expect(ProgressReporter.fitting(candidates, columns: 120) == candidates[0])
        #expect(ProgressReporter.fitting(candidates, columns: 60) == candidates[1])
        #expect(ProgressReporter.fitting(candidates, columns: 20).count == 19)
        #expect(ProgressReporter.format(["loss": 0.5, "accuracy": 0.25], decimals: 3) == "loss 0.500 accuracy 0.250")
    }
}
