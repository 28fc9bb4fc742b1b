import Foundation
import Testing
@testable import NeuralNet

struct ModelTests {
    /// The residual classifier on small inputs.
    func residual(seed: UInt64 = 0) -> Model {
        let input = Input(shape: [4, 4, 1])
        let flat = Flatten()(input)
        let a = Dense(8, activation: .relu)(flat)
        let b = Dense(8, activation: .relu)(a)
        let output = Dense(3)(a + b)
        return Model(inputs: input, outputs: output, loss: .sparseSoftmaxCrossEntropy,
                     optimizer: Adam(learningRate: 1e-2), metrics: [.accuracy], seed: seed)
    }

    /// Two inputs, a shared encoder, two outputs.
    func twin() -> Model {
        let left = Input(shape: [8]), right = Input(shape: [8])
        let encoder = Dense(16, activation: .tanh)
        let joined = Concatenate(axis: -1)([encoder(left), encoder(right)])
        let same = Dense(1, activation: .sigmoid)(joined)
        let difference = Dense(1)(encoder(left) - encoder(right))
        return Model(inputs: [left, right], outputs: [same, difference],
                     losses: [.binaryCrossEntropy, .meanSquaredError], lossWeights: [1, 0.5],
                     optimizer: Adam(learningRate: 1e-2))
    }

    @Test func aResidualGraphCountsAndSummarisesItsLayers() throws {
        let model = residual()
        #expect(model.parameterCount == (16 * 8 + 8) + (8 * 8 + 8) + (8 * 3 + 3))
        #expect(model.layers.count == 5)
        let summary = model.summary()
        #expect(summary.contains("Connected to"))
        #expect(summary.contains("Add()"))
        #expect(summary.contains("1, 2"))        // Add takes layer 1 and layer 2
        #expect(!summary.contains("Not built"))
        #expect(model.namedParameters.map(\.name) == ["1.weight", "1.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
    }

    @Test func aResidualGraphTrainsAndMatchesItsHandWrittenForward() throws {
        let model = residual(seed: 4)
        let x = randomTensor([6, 4, 4, 1])
        let dense = model.layers.compactMap { $0 as? Dense }
        let flat = x.reshaped(to: [6, 16])
        let a = (flat.matmul(dense[0].weight.value) + dense[0].bias!.value).map { max($0, 0) }
        let b = (a.matmul(dense[1].weight.value) + dense[1].bias!.value).map { max($0, 0) }
        let expected = (a + b).matmul(dense[2].weight.value) + dense[2].bias!.value
        #expect(isClose(model.predict(x), expected, tolerance: 1e-5))
        let labels = Tensor((0..<6).map { Float($0 % 3) })
        let history = try model.fit(x, labels, epochs: 30, batchSize: 6, progress: .silent)
        #expect(history.loss.last! < history.loss.first! * 0.5)
    }

    @Test func aSharedLayerIsCountedOnceAndGetsTheSumOfBothGradients() throws {
        let model = twin()
        #expect(model.parameterCount == 144 + 33 + 17)
        let encoder = model.layers[0] as! Dense
        #expect(model.namedParameters.filter { $0.parameter === encoder.weight }.count == 1)
        // The encoder's gradient against finite differences through the whole two-output loss.
        let inputs = [randomTensor([3, 8], seed: 1), randomTensor([3, 8], seed: 2)]
        let targets = [Tensor([[1], [0], [1]]), randomTensor([3, 1], seed: 3)]
        let start = encoder.weight.value
        func loss(_ weight: Tensor) throws -> Float {
            encoder.weight.value = weight
            let outputs = try model.forward(inputs.map { Variable($0) }, mode: .training)
            return model.totalLoss(of: outputs, targets: targets).total.value.scalar
        }
        encoder.weight.value = start
        let outputs = try model.forward(inputs.map { Variable($0) }, mode: .training)
        model.totalLoss(of: outputs, targets: targets).total.backward()
        let analytic = encoder.weight.gradient!
        for i in stride(from: 0, to: start.count, by: 7) {
            var plus = start, minus = start
            plus.scalars[i] += 1e-2
            minus.scalars[i] -= 1e-2
            let numeric = (try loss(plus) - loss(minus)) / 2e-2
            #expect(abs(numeric - analytic.scalars[i]) <= 2e-3 + 2e-2 * abs(numeric), "weight \(i)")
        }
        encoder.weight.value = start
    }

    @Test func severalInputsAndOutputsTrainAndLogEachOutput() throws {
        let model = twin()
        let x = [randomTensor([20, 8], seed: 1), randomTensor([20, 8], seed: 2)]
        let y = [Tensor(shape: [20, 1], scalars: (0..<20).map { Float($0 % 2) }), randomTensor([20, 1], seed: 3)]
        let history = try model.fit(x, y, epochs: 5, batchSize: 5, seed: 1, progress: .silent)
        let last = history.epochs.last!
        #expect(last["output0_loss"] != nil && last["output1_loss"] != nil)
        #expect(abs(last["loss"]! - (last["output0_loss"]! + 0.5 * last["output1_loss"]!)) < 1e-3)
        let predictions = model.predict(x)
        #expect(predictions.map(\.shape) == [[20, 1], [20, 1]])
        let scores = try model.evaluate(x, y)
        #expect(scores["output1_loss"] != nil)
    }

    @Test func badGraphsAreReportedBeforeAnyData() {
        let input = Input(shape: [4])
        let wide = Dense(8)(input), narrow = Dense(3)(input)
        let mismatched = Model(inputs: input, outputs: wide + narrow, loss: .meanSquaredError)
        #expect(throws: NeuralNetError.self) { try mismatched.build() }
        #expect("\(mismatched.problem!)".contains("[8] and [3]"))
        #expect(mismatched.summary().contains("Not built"))

        let flat = Input(shape: [28, 28, 1])
        let misfit = Model(inputs: flat, outputs: Dense(2, 10)(flat), loss: .meanSquaredError)
        #expect("\(misfit.problem!)".contains("[..., 2] per sample"))

        let other = Input(shape: [4])
        let undeclared = Model(inputs: input, outputs: Add()([Dense(4)(input), other]), loss: .meanSquaredError)
        #expect("\(undeclared.problem!)".contains("not among the model's inputs"))
        #expect(throws: NeuralNetError.self) { try undeclared.fit(randomTensor([2, 4]), randomTensor([2, 4]), progress: .silent) }

        let tooFewLosses = Model(inputs: input, outputs: [wide, narrow], losses: [.meanSquaredError, .meanSquaredError, .meanAbsoluteError])
        #expect("\(tooFewLosses.problem!)".contains("losses"))

        let notAnInput = Model(inputs: wide, outputs: narrow, loss: .meanSquaredError)
        #expect("\(notAnInput.problem!)".contains("Input(shape:)"))
    }

    @Test func dataOfTheWrongShapeOrCountIsExplained() {
        let model = twin()
        #expect(throws: NeuralNetError.self) { try model.fit([randomTensor([4, 8])], [Tensor.zeros([4, 1])], progress: .silent) }
        #expect(throws: NeuralNetError.self) {
            try model.fit([randomTensor([4, 7]), randomTensor([4, 8])], [Tensor.zeros([4, 1]), Tensor.zeros([4, 1])], progress: .silent)
        }
    }

    @Test func aSequentialFileLoadsAsAGraphModel() throws {
        let sequential = Sequential(inputShape: [3], loss: .meanSquaredError, seed: 2) {
            Dense(4, activation: .relu)
            Dense(2)
        }
        try sequential.build()
        let path = try temporaryDirectory() + "/chain.safetensors"
        try sequential.save(to: path)
        let graph = try Model.load(from: path)
        let x = randomTensor([5, 3])
        #expect(graph.predict(x) == sequential.predict(x))
        #expect(try loadModel(from: path) is Sequential)
    }
}

struct SharedLayerTests {
    @Test func aSharedLayersGradientIsTheSumOfBothUses() throws {
        let shared = Dense(3, 2, activation: .tanh)
        let left = Input(shape: [3]), right = Input(shape: [3])
        let model = Model(inputs: [left, right], outputs: Add()([shared(left), shared(right)]), loss: .meanSquaredError)
        let x = [randomTensor([4, 3], seed: 1), randomTensor([4, 3], seed: 2)]
        let target = randomTensor([4, 2], seed: 3)
        let outputs = try model.forward(x.map { Variable($0) }, mode: .training)
        model.totalLoss(of: outputs, targets: [target]).total.backward()
        let together = try #require(shared.weight.gradient)
        shared.weight.gradient = nil
        shared.bias!.gradient = nil

        // The same loss with each use's gradient taken on its own (the other use a constant).
        let first = try Variable.withoutRecording { try shared.forward(Variable(x[1]), mode: .training) }
        let alone = try shared.forward(Variable(x[0]), mode: .training)
        meanSquaredError(predicted: alone + Variable(first.value), expected: target).backward()
        let fromLeft = try #require(shared.weight.gradient)
        shared.weight.gradient = nil
        shared.bias!.gradient = nil
        let second = try Variable.withoutRecording { try shared.forward(Variable(x[0]), mode: .training) }
        let other = try shared.forward(Variable(x[1]), mode: .training)
        meanSquaredError(predicted: Variable(second.value) + other, expected: target).backward()
        let fromRight = try #require(shared.weight.gradient)
        #expect(isClose(together, fromLeft + fromRight, tolerance: 1e-6))
    }

    @Test func errorsNameTheLayerAndBothShapes() {
        let input = Input(shape: [4])
        let hidden = Dense(8)(input)
        let model = Model(inputs: input, outputs: Dense(2, 1)(hidden), loss: .meanSquaredError)
        let message = "\(model.problem!)"
        #expect(message.contains("Dense(2 → 1)"))
        #expect(message.contains("[2]") && message.contains("[8]"))
        #expect(message.contains("layer 1 called on 0"))
    }
}
