import Foundation
import Testing
@testable import NeuralNet

/// `fit(..., compile: true)` replays a planned step for small dense networks and gives the
/// weights and history of eager training, bit for bit; other models train eagerly.
struct CompiledStepTests {
    static func train(
        _ make: () -> Sequential, _ x: Tensor, _ y: Tensor, batch: Int, validationSplit: Double = 0, callbacks: [any Callback] = [],
        compile: Bool
    ) throws -> ([Tensor], [[String: Float]]) {
        let model = make()
        let history = try model.fit(x, y, epochs: 30, batchSize: batch, validationSplit: validationSplit, callbacks: callbacks, seed: 4,
                                    progress: .silent, compile: compile)
        return (model.namedParameters.map(\.parameter.value), history.epochs)
    }

    static func expectSame(_ a: ([Tensor], [[String: Float]]), _ b: ([Tensor], [[String: Float]]), _ label: String) {
        #expect(a.0.count == b.0.count, "\(label)")
        for (p, q) in zip(a.0, b.0) { #expect(p.scalars.map(\.bitPattern) == q.scalars.map(\.bitPattern), "\(label)") }
        #expect(a.1 == b.1, "\(label)")
    }

    @Test func xorCompiledIsBitIdenticalToEager() throws {
        let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Tensor([[0], [1], [1], [0]])
        let make = {
            Sequential([Dense(2, 3, activation: .tanh), Dense(3, 1, activation: .tanh)], loss: .meanSquaredError,
                       optimizer: SGD(learningRate: 0.1), seed: 1)
        }
        #expect(CompiledStep(make(), batch: 1) != nil)
        let eager = try Self.train(make, x, y, batch: 1, compile: false)
        Self.expectSame(try Self.train(make, x, y, batch: 1, compile: true), eager, "xor")
        #expect(eager.1.last!["loss"]! < eager.1.first!["loss"]!)                    // it learned
    }

    /// Layers of eight units or more: the eager forward pass sums eight columns at a time
    /// (`tiny_wide` in gemm.c), and the plan runs eight sums side by side in every product;
    /// each must still add in the eager order, partial eights included. Batches of five (and
    /// the one row left) make the order of the sums over rows show.
    @Test func widerLayersMatchToo() throws {
        let x = randomTensor([6, 3], seed: 8), y = randomTensor([6, 1], in: 0..<1, seed: 9)
        let make = {
            Sequential([Dense(3, 19, activation: .tanh), Dense(19, 8, activation: .relu), Dense(8, 1)],
                       loss: .meanSquaredError, optimizer: SGD(learningRate: 0.05), seed: 10)
        }
        for batch in [2, 5] {
            #expect(CompiledStep(make(), batch: batch) != nil)
            let eager = try Self.train(make, x, y, batch: batch, compile: false)
            Self.expectSame(try Self.train(make, x, y, batch: batch, compile: true), eager, "wider layers, batch \(batch)")
            #expect(eager.1.last!["loss"]! < eager.1.first!["loss"]!)
        }
    }

    /// One-row descent through chains no wider than four runs in registers
    /// (`dense_chain_narrow.c`), one instantiation per stage count and shared kind: one to
    /// three stages, one kind or mixed, with and without biases, must match eager training bit
    /// for bit, as must a five-wide chain, which takes the general kernel.
    @Test func narrowChainsMatchEagerTraining() throws {
        let x = randomTensor([8, 4], seed: 11), y = randomTensor([8, 2], in: 0..<1, seed: 12)
        let chains: [(String, () -> [any Layer])] = [
            ("relu then linear", { [Dense(4, 4, activation: .relu), Dense(4, 2)] }),
            ("three tanh, one without bias", {
                [Dense(4, 3, activation: .tanh), Dense(3, 4, activation: .tanh, useBias: false), Dense(4, 2, activation: .tanh)]
            }),
            ("two relu", { [Dense(4, 3, activation: .relu), Dense(3, 2, activation: .relu)] }),
            ("one linear", { [Dense(4, 2)] }),
            ("five wide", { [Dense(4, 5, activation: .tanh), Dense(5, 2)] }),
        ]
        for (name, layers) in chains {
            let make = { Sequential(layers(), loss: .meanSquaredError, optimizer: SGD(learningRate: 0.05), seed: 13) }
            let eager = try Self.train(make, x, y, batch: 1, compile: false)
            Self.expectSame(try Self.train(make, x, y, batch: 1, compile: true), eager, name)
            #expect(eager.1.last!["loss"]! < eager.1.first!["loss"]!, "\(name)")
        }
    }

    @Test func otherActivationsOptimizersAndPartialBatchesMatchToo() throws {
        let x = randomTensor([10, 3], seed: 2), y = randomTensor([10, 2], in: 0..<1, seed: 3)
        let optimizers: [() -> any Optimizer] = [{ Adam(learningRate: 0.01) }, { SGD(learningRate: 0.05, momentum: 0.9) }, { RMSProp() }]
        for (index, optimizer) in optimizers.enumerated() {
            let make = {
                Sequential([Dense(3, 4, activation: .relu), Dense(4, 4, activation: .sigmoid, useBias: false), Dense(4, 2, activation: .swish)],
                           loss: .meanSquaredError, optimizer: optimizer(), metrics: [.meanAbsoluteError], seed: 7)
            }
            // Batches of 4: the last of each epoch has 2 samples and its own plan.
            Self.expectSame(try Self.train(make, x, y, batch: 4, compile: true), try Self.train(make, x, y, batch: 4, compile: false),
                            "optimizer \(index)")
        }
    }

    /// No metrics and no callbacks: whole epochs run inside the plan (`CompiledStep.runEpochs`)
    /// with every built-in rule, with gradient clipping and L2 decay too, partial last batches
    /// and unshuffled epochs included; weights, history and the optimizer's state match eager
    /// training bit for bit.
    @Test func wholeEpochsInsideThePlanMatchEager() throws {
        let x = randomTensor([10, 3], seed: 5), y = randomTensor([10, 2], in: 0..<1, seed: 6)
        let optimizers: [() -> any Optimizer] = [
            { SGD(learningRate: 0.2) }, { SGD(learningRate: 0.05, momentum: 0.9) },
            { SGD(learningRate: 0.05, momentum: 0.9, nesterov: true) }, { Adam(learningRate: 0.01) },
            { AdamW(learningRate: 0.01, weightDecay: 0.1) }, { RMSProp(learningRate: 0.01) }, { Adagrad(learningRate: 0.1) },
            // Clipping that bites (checked below) and L2 decay, alone and together.
            { SGD(learningRate: 0.2, clipNorm: 0.1) }, { SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 0.05) },
            { Adam(learningRate: 0.01, weightDecay: 0.02, clipNorm: 0.1) }, { RMSProp(learningRate: 0.01, clipNorm: 0.2) },
        ]
        for (index, optimizer) in optimizers.enumerated() {
            #expect(CompiledStep.canRunEpochs(with: optimizer()), "optimizer \(index)")
            let make = {
                Sequential([Dense(3, 4, activation: .relu), Dense(4, 3, activation: .sigmoid, useBias: false), Dense(3, 2, activation: .tanh)],
                           loss: .meanSquaredError, optimizer: optimizer(), seed: 9)
            }
            for batch in [1, 4, 10] {
                Self.expectSame(try Self.train(make, x, y, batch: batch, compile: true), try Self.train(make, x, y, batch: batch, compile: false),
                                "optimizer \(index), batch \(batch)")
            }
            let unshuffled = { (compile: Bool) throws -> ([Tensor], [[String: Float]]) in
                let model = make()
                let history = try model.fit(x, y, epochs: 5, batchSize: 3, shuffle: false, seed: 4, progress: .silent, compile: compile)
                let state = model.namedParameters.flatMap { model.optimizer.stateTensors(for: $0.parameter) ?? [] }
                // Adam's step count too: compiled epochs count steps on their own and hand them back.
                let scalars = Tensor(model.optimizer.stateScalars.sorted { $0.key < $1.key }.map { Float($0.value) })
                return (model.namedParameters.map(\.parameter.value) + state + [scalars], history.epochs)
            }
            Self.expectSame(try unshuffled(true), try unshuffled(false), "optimizer \(index), unshuffled, with its state")
        }
        // Clipping and decay change the compiled weights (so the matches above test them).
        let plain = { Sequential([Dense(3, 4, activation: .relu), Dense(4, 2, activation: .tanh)], loss: .meanSquaredError,
                                 optimizer: SGD(learningRate: 0.2), seed: 9) }
        let adjusted = { (optimizer: any Optimizer) in
            Sequential([Dense(3, 4, activation: .relu), Dense(4, 2, activation: .tanh)], loss: .meanSquaredError, optimizer: optimizer, seed: 9)
        }
        let reference = try Self.train(plain, x, y, batch: 4, compile: true).0
        for optimizer in [SGD(learningRate: 0.2, clipNorm: 0.1), SGD(learningRate: 0.2, weightDecay: 0.05)] {
            let weights = try Self.train({ adjusted(optimizer) }, x, y, batch: 4, compile: true).0
            #expect(zip(weights, reference).contains { $0.scalars != $1.scalars }, "\(optimizer.clipNorm ?? 0) \(optimizer.weightDecay)")
        }
    }

    /// Callbacks that hear only of epochs (a schedule by epoch, early stopping on a metric,
    /// checkpoints by epoch, one that stops training, the progress lines) leave whole epochs
    /// inside the plan, with validation between them or without; they hear the same epochs,
    /// logs (the metric's and validation's too) and rates as in eager training, and the weights
    /// and history match bit for bit.
    @Test func epochCallbacksHearWhatEagerTrainingTellsThem() throws {
        /// Records each epoch's logs, stops after `last`, and (claiming not to observe batches)
        /// counts the batches it is told of anyway.
        final class Listener: Callback {
            var logs: [[String: Float]] = [], batches = 0, validations: [Int] = []
            let last: Int
            init(last: Int) { self.last = last }
            func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float]) { self.batches += 1 }
            func validationWillBegin(_ epoch: Int) { validations.append(epoch) }
            func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
                self.logs.append(logs)
                return epoch == last
            }
            var observesBatches: Bool { false }
        }
        let x = randomTensor([10, 3], seed: 5), y = randomTensor([10, 2], in: 0..<1, seed: 6)
        let optimizers: [() -> any Optimizer] = [{ SGD(learningRate: 0.2) }, { Adam(learningRate: 0.01) }]
        for (index, optimizer) in optimizers.enumerated() {
            for validationSplit in [0, 0.2] {
                let label = "optimizer \(index), validation \(validationSplit)", prefix = validationSplit > 0 ? "val_" : ""
                var runs: [(weights: [Tensor], history: [[String: Float]], listener: Listener)] = []
                for compile in [true, false] {
                    let model = Sequential([Dense(3, 4, activation: .tanh), Dense(4, 2)], loss: .meanSquaredError, optimizer: optimizer(),
                                           metrics: [.meanAbsoluteError], seed: 9)
                    let listener = Listener(last: 7)
                    // Early stopping copies the best weights after each epoch and a checkpoint
                    // writes them: the whole-epoch path must have closed them by then.
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compiled-callbacks-\(UUID())")
                    defer { try? FileManager.default.removeItem(at: directory) }
                    let callbacks: [any Callback] = [
                        LearningRateScheduler(.step(every: 3, factor: 0.5)), EarlyStopping(monitor: prefix + "mean_absolute_error", patience: 2),
                        ModelCheckpoint(directory: directory), listener,
                    ]
                    let history = try model.fit(x, y, epochs: 30, batchSize: 4, validationSplit: validationSplit, callbacks: callbacks, seed: 4,
                                                progress: .silent, compile: compile)
                    #expect(!Checkpoint.files(in: directory).isEmpty)
                    runs.append((model.namedParameters.map(\.parameter.value), history.epochs, listener))
                }
                Self.expectSame((runs[0].weights, runs[0].history), (runs[1].weights, runs[1].history), label)
                #expect(runs[0].listener.logs == runs[1].listener.logs, "\(label)")
                #expect(runs[0].history.count == 7 && runs[0].listener.logs.count == 7, "\(label)")
                #expect(runs[0].listener.logs.allSatisfy { $0[prefix + "mean_absolute_error"] != nil }, "\(label)")
                #expect(runs[0].listener.validations == (validationSplit > 0 ? Array(1...7) : []), "\(label)")
                #expect(runs[1].listener.validations == runs[0].listener.validations, "\(label)")
                #expect(Set(runs[0].history.compactMap { $0["learning_rate"] }).count == 3, "\(label)")   // the schedule acted
                let batches = validationSplit > 0 ? 2 : 3                                   // 8 or 10 rows in batches of 4
                #expect(runs[0].listener.batches == 0 && runs[1].listener.batches == 7 * batches, "\(label)")  // whole epochs when compiled
            }
        }
        // Progress lines are written once an epoch; a bar is drawn batch by batch.
        #expect(!ProgressReporter(style: .lines).observesBatches && ProgressReporter(style: .bar).observesBatches)
        #expect(!ProgressReporter(style: .automatic, isTerminal: false).observesBatches)
        #expect(ModelCheckpoint(directory: URL(fileURLWithPath: "/tmp"), every: .batches(5)).observesBatches)
    }

    /// The error message and the weights after training a fresh `make()` compiled, then eagerly,
    /// until a loss stops it.
    static func stopped(_ make: () -> Sequential, _ x: Tensor, _ y: Tensor, epochs: Int) throws -> [(String, [Tensor])] {
        try [true, false].map { compile in
            let model = make()
            var message = ""
            do {
                try model.fit(x, y, epochs: epochs, batchSize: 1, seed: 1, progress: .silent, compile: compile)
            } catch let error as NeuralNetError {
                message = "\(error)"
            }
            return (message, model.namedParameters.map(\.parameter.value))
        }
    }

    static func expectSameStop(_ outcomes: [(String, [Tensor])]) {
        #expect(outcomes[0].0.contains("loss"), "\(outcomes[0].0)")
        #expect(outcomes[0].0 == outcomes[1].0)
        for (p, q) in zip(outcomes[0].1, outcomes[1].1) { #expect(p.scalars.map(\.bitPattern) == q.scalars.map(\.bitPattern)) }
    }

    /// A loss that overflows stops both paths at the same batch with the same weights.
    @Test func aNonFiniteLossStopsAtTheSameStepWithTheSameWeights() throws {
        let x = Tensor([[1e18, -1e18], [2e18, 1e18]]), y = Tensor([[1e19], [-1e19]])
        let make = { Sequential([Dense(2, 2), Dense(2, 1)], loss: .meanSquaredError, optimizer: SGD(learningRate: 0.5), seed: 2) }
        Self.expectSameStop(try Self.stopped(make, x, y, epochs: 3))
    }

    /// A diverging run whose loss overflows in a later epoch, mid-epoch: the whole-epoch kernel
    /// (which runs a block of epochs at once) stops where eager training stops, with the same
    /// epoch, batch and weights.
    @Test func aLaterOverflowStopsWholeEpochsWhereEagerStops() throws {
        let x = Tensor([[1], [2], [3]]), y = Tensor([[1], [-2], [3]])
        let make = { Sequential([Dense(1, 1)], loss: .meanSquaredError, optimizer: SGD(learningRate: 1), seed: 2) }
        let outcomes = try Self.stopped(make, x, y, epochs: 200)
        #expect(!outcomes[0].0.contains("epoch 1,"), "\(outcomes[0].0)")
        Self.expectSameStop(outcomes)
    }

    /// Every loss the plan computes, each with the last activation it goes with, matches eager
    /// training bit for bit, weights and history: without metrics (whole epochs inside the
    /// plan, plain SGD in one kernel call), with one (whole epochs, plain SGD a step at a time,
    /// the metric from each batch's output), with one and validation (whole epochs, Adam,
    /// validation between them) and with one and a callback that observes batches (a planned
    /// step a batch through Swift, Adam), in batches of one, of four (the last one partial) and
    /// of all ten rows.
    @Test func everyLossThePlanComputesMatchesEager() throws {
        let x = randomTensor([10, 3], seed: 21)
        let regression = randomTensor([10, 2], seed: 22)
        let binary = Tensor(shape: [10, 1], scalars: (0..<10).map { $0 % 3 == 0 ? 1 : 0 })
        let soft = randomTensor([10, 3], in: 0..<1, seed: 23)                      // rows not summing to one
        let classes = Tensor((0..<10).map { Float($0 % 3) })
        let cases: [(Loss, Activation, Int, Tensor, Metric)] = [
            (.meanSquaredError, .tanh, 2, regression, .meanAbsoluteError),
            (.meanAbsoluteError, .linear, 2, regression, .meanAbsoluteError),
            (.binaryCrossEntropy, .sigmoid, 1, binary, .accuracy),
            (.sigmoidCrossEntropy, .linear, 1, binary, .accuracy),
            (.softmaxCrossEntropy, .linear, 3, soft, .accuracy),
            (.sparseSoftmaxCrossEntropy, .linear, 3, classes, .accuracy),
            (.categoricalCrossEntropy, .softmax, 3, soft, .accuracy),                // Keras's softmax and cross-entropy
            (.meanSquaredError, .softmax, 3, soft, .meanAbsoluteError),
        ]
        for (loss, activation, outputs, y, metric) in cases {
            for (metrics, validationSplit, observer) in [([], 0.0, false), ([metric], 0, false), ([metric], 0.2, false), ([metric], 0, true)] {
                let adam = validationSplit > 0 || observer
                let make = {
                    Sequential([Dense(3, 5, activation: .tanh), Dense(5, outputs, activation: activation)], loss: loss,
                               optimizer: adam ? Adam(learningRate: 0.02) : SGD(learningRate: 0.1), metrics: metrics, seed: 5)
                }
                #expect(CompiledStep(make(), batch: 4) != nil, "\(loss)")
                for batch in [1, 4, 10] {
                    let label = "\(loss), metrics \(metrics), validation \(validationSplit), observer \(observer), batch \(batch)"
                    let counters = [BatchCounter(), BatchCounter()]
                    let run = { (compile: Bool) in
                        try Self.train(make, x, y, batch: batch, validationSplit: validationSplit,
                                       callbacks: observer ? [counters[compile ? 1 : 0]] : [], compile: compile)
                    }
                    let eager = try run(false)
                    Self.expectSame(try run(true), eager, label)
                    #expect(counters[1].batches == counters[0].batches && counters[0].batches == (observer ? 30 * ((10 + batch - 1) / batch) : 0),
                            "\(label)")
                    #expect(eager.1.last!.keys.contains("val_loss") == (validationSplit > 0), "\(label)")
                    #expect(eager.1.last!["loss"]! < eager.1.first!["loss"]!, "\(label)")  // it learned
                    #expect(eager.1.last!.keys.contains(metric.name) == !metrics.isEmpty, "\(label)")
                }
            }
        }
        // The kernel indexes rows by label: one out of range is the same error as in eager training.
        let model = Sequential([Dense(3, 5, activation: .tanh), Dense(5, 3)], loss: .sparseSoftmaxCrossEntropy, seed: 5)
        let badLabels = Tensor((0..<10).map { Float($0 == 6 ? 3 : $0 % 3) })
        #expect(throws: NeuralNetError.self) { try model.fit(x, badLabels, batchSize: 4, progress: .silent, compile: true) }
    }

    @Test func modelsWithoutAPlanTrainEagerly() throws {
        let hiddenSoftmax = Sequential([Dense(3, 4, activation: .softmax), Dense(4, 2)], loss: .meanSquaredError)
        #expect(CompiledStep(hiddenSoftmax, batch: 4) == nil)                         // softmax on the last layer only
        let logSoftmax = Sequential([Dense(3, 4, activation: .relu), Dense(4, 2, activation: .logSoftmax)], loss: .meanSquaredError)
        #expect(CompiledStep(logSoftmax, batch: 4) == nil)
        let ignoring = Sequential([Dense(3, 4, activation: .relu), Dense(4, 2)], loss: .sparseSoftmaxCrossEntropy(ignoring: 0))
        #expect(CompiledStep(ignoring, batch: 4) == nil)
        let wide = Sequential([Dense(300, 300), Dense(300, 1)], loss: .meanSquaredError)
        #expect(CompiledStep(wide, batch: 64) == nil)                                 // not tiny
        let x = randomTensor([8, 3], seed: 1), labels = randomTensor([8, 2], seed: 2)
        let make = {
            Sequential([Dense(3, 4, activation: .softmax), Dense(4, 2)], loss: .meanSquaredError, seed: 3)
        }
        Self.expectSame(try Self.train(make, x, labels, batch: 4, compile: true), try Self.train(make, x, labels, batch: 4, compile: false),
                        "fallback")
    }
}

/// Counts the batches it hears of (and so makes training go a batch at a time).
final class BatchCounter: Callback {
    var batches = 0
    func batchDidEnd(_ batch: Int, of batches: Int, epoch: Int, logs: [String: Float]) { self.batches += 1 }
}

/// Epochs recorded compactly by compiled training read back as the same dictionaries.
struct CompactHistoryTests {
    @Test func compactEpochsReadAsDictionariesInOrder() {
        var history = History(epochs: [["loss": 3, "learning_rate": 0.1, "accuracy": 0.5]])
        history.append(loss: 2, learningRate: 0.1)
        history.append(loss: 1, learningRate: 0.05)
        #expect(history.epochs == [["loss": 3, "learning_rate": 0.1, "accuracy": 0.5],
                                   ["loss": 2, "learning_rate": 0.1], ["loss": 1, "learning_rate": 0.05]])
        #expect(history.loss == [3, 2, 1])
        #expect(history == History(epochs: history.epochs))
        history.append(["loss": 0.5, "learning_rate": 0.05])
        #expect(history.loss == [3, 2, 1, 0.5])
        #expect(history != History(epochs: Array(history.epochs.prefix(3))))
    }
}
