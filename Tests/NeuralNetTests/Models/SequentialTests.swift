import Testing
@testable import NeuralNet

struct SequentialTests {
    let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
    let y = Tensor([[0], [1], [1], [0]])

    func xorNet(seed: UInt64 = 0) -> Sequential {
        let net = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), seed: seed)
        net.add(Dense(2, 3))
        net.add(Activation("tanh"))
        net.add(Dense(3, 1))
        net.add(Activation("tanh"))
        return net
    }

    @Test func theOriginalXORNetworkConverges() throws {
        let net = xorNet()
        let history = try net.fit(x, y, epochs: 1000, batchSize: 1, seed: 42, progress: .silent)
        let prediction = net.predict(x)
        #expect(prediction.shape == [4, 1])
        #expect(history.loss.count == 1000)
        #expect(history.loss.last! < 0.05)
        #expect(history.loss.last! < history.loss.first!)
        for (p, t) in zip(prediction.scalars, y.scalars) { #expect(abs(p - t) < 0.35) }
    }

    @Test func xorConvergesForMostSeeds() throws {
        var converged = 0
        for seed in UInt64(1)...10 {
            let history = try xorNet().fit(x, y, epochs: 1000, batchSize: 1, seed: seed, progress: .silent)
            if history.loss.last! < 0.05 { converged += 1 }
        }
        #expect(converged >= 8)
    }

    @Test func listedAndBuiltModelsTrain() throws {
        let listed = Sequential([Dense(2, 3, activation: .tanh), Dense(3, 1, activation: .tanh)],
                                loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1))
        let built = Sequential(loss: "mse", optimizer: SGD(learningRate: 0.1, momentum: 0.9)) {
            Dense(2, 8, activation: "relu")
            Dense(8, 1, activation: .sigmoid)
        }
        let first = try listed.fit(x, y, epochs: 1000, batchSize: 1, seed: 7, progress: .silent)
        let second = try built.fit(x, y, epochs: 500, batchSize: 4, seed: 7, progress: .silent)
        #expect(first.loss.last! < first.loss.first!)
        #expect(second.loss.last! < second.loss.first!)
        #expect(listed.namedParameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias"])
    }

    @Test func aDeclaredInputSizeIsTheModelsInputShape() throws {
        let net = xorNet()
        #expect(net.inputShapes == [[2]])
        #expect(net.summary().contains("[batch, 1]"))
        #expect(!net.summary().contains("Not built"))
    }

    @Test func theBuilderAcceptsIfAndFor() throws {
        let deep = true
        let model = Sequential(loss: .meanSquaredError) {
            Dense(2, 4, activation: .relu)
            for _ in 0..<2 { Dense(4, activation: .relu) }
            if deep { Dense(4, activation: .tanh) } else { Flatten() }
            Dense(1)
        }
        #expect(model.layers.count == 5)
        #expect(try model.build(inputShape: [2]) == [1])
        #expect(model.outputShapes == [[4], [4], [4], [4], [1]])
    }

    @Test func theSameSeedGivesTheSameWeights() throws {
        func train() throws -> [Float] {
            let net = xorNet()
            try net.fit(x, y, epochs: 20, batchSize: 2, seed: 5, progress: .silent)
            return net.namedParameters.flatMap(\.parameter.value.scalars)
        }
        #expect(try train() == train())
        let other = xorNet()
        try other.fit(x, y, epochs: 20, batchSize: 2, seed: 6, progress: .silent)
        #expect(try train() != other.namedParameters.flatMap(\.parameter.value.scalars))
    }

    @Test func aClassifierReachesHighAccuracyOnSpirals() throws {
        let data = Spirals.make(count: 200, noise: 0.02, seed: 3)
        let model = Sequential(loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 0.02), metrics: [.accuracy]) {
            Dense(2, 32, activation: .relu)
            Dense(32, 32, activation: .relu)
            Dense(2)
        }
        let history = try model.fit(data.x, data.y, epochs: 100, batchSize: 32, seed: 1, progress: .silent)
        #expect(history["accuracy"].last! > 0.9)
        let scores = try model.evaluate(data.x, data.y)
        #expect(scores["accuracy"]! > 0.9)
        #expect(abs(scores["loss"]! - history.loss.last!) < 0.2)
    }

    @Test func predictInBatchesMatchesOneBatch() throws {
        let model = Sequential(loss: .meanSquaredError) { Dense(2, 3, activation: .tanh); Dense(3, 2) }
        let inputs = randomTensor([10, 2])
        #expect(isClose(model.predict(inputs, batchSize: 3), model.predict(inputs, batchSize: 100)))
    }

    @Test func validationDataIsEvaluatedEachEpoch() throws {
        let history = try xorNet().fit(x, y, epochs: 3, batchSize: 2, validation: (x, y), progress: .silent)
        #expect(history["val_loss"].count == 3)
        #expect(history.keys == ["learning_rate", "loss", "val_loss"])
    }

    @Test func callbacksSeeEveryEpochAndCanStop() throws {
        final class StopAtTwo: Callback {
            var seen: [Int] = []
            func epochDidEnd(_ epoch: Int, logs: [String: Float]) -> Bool {
                seen.append(epoch)
                return epoch == 2
            }
        }
        let stopper = StopAtTwo()
        let history = try xorNet().fit(x, y, epochs: 10, callbacks: [stopper], progress: .silent)
        #expect(stopper.seen == [1, 2])
        #expect(history.loss.count == 2)
    }
}

struct SequentialErrorTests {
    let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
    let y = Tensor([[0], [1], [1], [0]])

    @Test func mismatchedLayersNameTheLayerAndShapes() {
        let model = Sequential(loss: .meanSquaredError) {
            Dense(2, 3)
            Dense(4, 1)
        }
        do {
            try model.fit(x, y, progress: .silent)
            Issue.record("mismatched layers trained")
        } catch {
            let message = "\(error)"
            #expect(message.contains("layer 1"))
            #expect(message.contains("Dense(4 → 1)"))
            #expect(message.contains("[3]"))
        }
    }

    @Test func wrongLabelShapeForTheLossIsReported() {
        let model = Sequential(loss: .meanSquaredError) { Dense(2, 1) }
        #expect(throws: NeuralNetError.self) { try model.fit(x, Tensor([[0, 1], [1, 0], [1, 0], [0, 1]])) }
    }

    @Test func emptyOrMismatchedDataIsRejected() {
        let model = Sequential(loss: .meanSquaredError) { Dense(2, 1) }
        #expect(throws: NeuralNetError.self) { try model.fit(Tensor.zeros([0, 2]), Tensor.zeros([0, 1])) }
        #expect(throws: NeuralNetError.self) { try model.fit(x, Tensor([[0], [1]])) }
        #expect(throws: NeuralNetError.self) { try model.fit(x, y, batchSize: 0) }
        #expect(throws: NeuralNetError.self) { try model.output(for: Tensor.zeros([3, 5])) }
    }

    @Test func aDivergingLossStopsWithAHint() {
        let model = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 1e6)) { Dense(2, 1) }
        do {
            try model.fit(x * 1000, y * 1000, epochs: 50, batchSize: 4, progress: .silent)
            Issue.record("training diverged silently")
        } catch {
            #expect("\(error)".contains("lower the learning rate"))
        }
        // The step that produced the bad loss changed nothing: the weights are still numbers.
        #expect(model.namedParameters.allSatisfy { $0.parameter.value.scalars.allSatisfy(\.isFinite) })
    }

    @Test func emptyModelsAreReported() {
        let model = Sequential(loss: .meanSquaredError)
        #expect(throws: NeuralNetError.self) { try model.fit(x, y) }
    }
}
