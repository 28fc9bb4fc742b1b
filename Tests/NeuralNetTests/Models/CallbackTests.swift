import Foundation
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

struct ProgressFigureTests {
    /// The progress lines' own formatting writes what `%.Nf` writes of a Float's value (the
    /// logs are Floats), ties and signs included.
    @Test func figuresReadAsPrintfWritesThem() {
        var generator = SeededGenerator(seed: 7)
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.000_05, 0.000_15, 0.999_95, 9.999_95, 123_456.789, -0.000_01, 1e17, 1e19,
                                .nan, .infinity, -.infinity, 0.125, 0.375]
        for _ in 0..<400 {
            let magnitude = Float.random(in: -6..<8, using: &generator)
            values.append(Double(Float(Foundation.pow(10, Double(magnitude))) * (Bool.random(using: &generator) ? 1 : -1)))
        }
        for value in values.map({ Double(Float($0)) }) {
            for decimals in 0...4 {
                let expected = String(format: "%.\(decimals)f", value)
                #expect(ProgressReporter.fixed(value, decimals: decimals) == expected, "\(value), \(decimals) decimals")
            }
        }
    }
}

struct ProgressThrottleTests {
    /// What a reporter writes over `epochs` epochs of `batches` batches, told as fast as a
    /// loop can.
    static func written(_ style: ProgressStyle, epochs: Int, batches: Int = 3) -> String {
        var text = ""
        let reporter = ProgressReporter(style: style, isTerminal: true) { text += $0 }
        reporter.trainingWillBegin(Sequential(loss: .meanSquaredError), epochs: epochs, batchesPerEpoch: batches)
        for epoch in 1...epochs {
            reporter.epochWillBegin(epoch)
            for batch in 1...batches { reporter.batchDidEnd(batch, of: batches, epoch: epoch, logs: ["loss": 1 / Float(epoch)]) }
            _ = reporter.epochDidEnd(epoch, logs: ["loss": 1 / Float(epoch)])
        }
        return text
    }

    /// A bar leaves a line for every epoch of a short run; over thousands of short epochs it
    /// keeps about one a second and the last, and draws little else. Lines are one an epoch.
    @Test func aBarOverManyShortEpochsKeepsFewLines() {
        let short = Self.written(.bar, epochs: 50)
        #expect(short.filter { $0 == "\n" }.count == 50)
        #expect(short.contains("Epoch 50/50") && short.contains("Epoch 1/50"))
        let long = Self.written(.bar, epochs: 5000)
        let kept = long.split(separator: "\n")
        #expect(kept.count >= 2 && kept.count < 20, "\(kept.count) lines")
        #expect(kept.last?.contains("Epoch 5000/5000") == true && kept.first?.contains("Epoch 1/5000") == true)
        #expect(long.count < 20_000, "\(long.count) characters written")
        #expect(Self.written(.lines, epochs: 200).filter { $0 == "\n" }.count == 200)
    }
}
