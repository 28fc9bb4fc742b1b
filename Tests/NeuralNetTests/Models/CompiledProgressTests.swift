import Testing
@testable import NeuralNet

/// A progress bar over short epochs keeps compiled training in whole epochs: it hears of each
/// epoch's last batch alone, with the logs eager training gives that batch.
struct CompiledProgressTests {
    /// Records the batches it hears of, as a bar would draw them.
    final class Watcher: ShowsProgressWithinEpochs {
        var heard: [[String: Float]] = [], positions: [[Int]] = []
        func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float]) {
            heard.append(logs)
            positions.append([batch, batches, epoch])
        }
    }

    @Test func aBarHearsEachEpochsLastBatchWithEagerTrainingsLogs() throws {
        let x = randomTensor([10, 3], seed: 41), y = Tensor((0..<10).map { Float($0 % 3) })
        for validationSplit in [0, 0.2] {
            var runs: [(result: ([Tensor], [[String: Float]]), watcher: Watcher)] = []
            for compile in [false, true] {
                let watcher = Watcher()
                let make = {
                    Sequential([Dense(3, 6, activation: .tanh), Dense(6, 3)], loss: .sparseSoftmaxCrossEntropy,
                               optimizer: Adam(learningRate: 0.02), metrics: [.accuracy], seed: 7)
                }
                let result = try CompiledStepTests.train(make, x, y, batch: 4, validationSplit: validationSplit, callbacks: [watcher],
                                                         compile: compile)
                runs.append((result, watcher))
            }
            let label = "validation \(validationSplit)"
            CompiledStepTests.expectSame(runs[1].result, runs[0].result, label)
            let batches = validationSplit > 0 ? 2 : 3
            #expect(runs[0].watcher.positions.count == 30 * batches, "\(label)")        // eager: every batch
            let lastBatches = runs[0].watcher.positions.indices.filter { runs[0].watcher.positions[$0][0] == batches }
            #expect(runs[1].watcher.positions == lastBatches.map { runs[0].watcher.positions[$0] }, "\(label)")
            #expect(runs[1].watcher.heard == lastBatches.map { runs[0].watcher.heard[$0] }, "\(label)")
            #expect(runs[1].watcher.heard.allSatisfy { $0["accuracy"] != nil && $0["learning_rate"] == nil }, "\(label)")
        }
    }

    /// Epochs of more than 10^7 multiply-adds go a batch at a time, so that a bar moves.
    @Test func longEpochsGoBatchByBatch() throws {
        let plan = try #require(CompiledStep(Sequential([Dense(64, 60, activation: .relu), Dense(60, 4)], loss: .meanSquaredError), batch: 1))
        let perSample = 64 * 60 + 60 * 4
        #expect(plan.epochIsShort(samples: 10_000_000 / perSample))
        #expect(!plan.epochIsShort(samples: 10_000_000 / perSample + 1))
    }
}

/// A rule of the user's own that works on buffers (no binding of its own) runs inside whole
/// compiled epochs a parameter at a time, and its steps count and weights match eager ones.
struct CompiledCustomRuleTests {
    /// Sign descent, `w ← w - η · sign(g)`, counting its steps and parameter updates.
    final class SignDescent: Optimizer {
        var learningRate: Float = 0.01
        var steps = 0, updates = 0
        func beginStep() { steps += 1 }
        func update(_ parameter: Parameter, gradient: Tensor) { updateThroughBuffers(parameter, gradient: gradient) }
        var updatesBuffers: Bool { true }
        func update(_ parameter: Parameter, value: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int) {
            updates += 1
            for i in 0..<count { value[i] -= learningRate * (gradient[i] > 0 ? 1 : gradient[i] < 0 ? -1 : 0) }
        }
    }

    @Test func aCustomRuleOnBuffersTrainsWholeEpochs() throws {
        let x = randomTensor([9, 3], seed: 61), y = randomTensor([9, 2], seed: 62)
        var runs: [(weights: [Tensor], history: [[String: Float]], rule: SignDescent)] = []
        for compile in [false, true] {
            let rule = SignDescent()
            let model = Sequential([Dense(3, 5, activation: .tanh), Dense(5, 2)], loss: .meanSquaredError, optimizer: rule, seed: 4)
            let history = try model.fit(x, y, epochs: 10, batchSize: 4, seed: 2, progress: .silent, compile: compile)
            runs.append((model.namedParameters.map(\.parameter.value), history.epochs, rule))
        }
        #expect(CompiledStep.canRunEpochs(with: SignDescent()))
        CompiledStepTests.expectSame((runs[1].weights, runs[1].history), (runs[0].weights, runs[0].history), "sign descent")
        #expect(runs[1].rule.steps == 10 * 3 && runs[0].rule.steps == 30)
        #expect(runs[1].rule.updates == 30 * 4 && runs[0].rule.updates == 30 * 4)
    }
}
