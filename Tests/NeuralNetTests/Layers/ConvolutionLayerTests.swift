import Testing
@testable import NeuralNet

struct Conv2DTests {
    @Test func gradientsOfInputKernelAndBiasMatchFiniteDifferences() throws {
        let layer = Conv2D(filters: 2, kernelSize: [2, 3], strides: [1, 2], padding: .same, activation: .tanh)
        var generator = SeededGenerator(seed: 1)
        #expect(try layer.build(inputShape: [4, 5, 2], generator: &generator) == [4, 3, 2])
        let x = randomTensor([2, 4, 5, 2], seed: 3)
        expectGradientsMatch([x, layer.kernel.value, randomTensor([2], seed: 4)]) { v in
            (v[0].conv2d(kernel: v[1], strides: [1, 2], padding: .same) + v[2]).tanh()
        }
        let output = try layer(Variable(x), mode: .training)
        output.sum().backward()
        #expect(layer.kernel.gradient?.shape == [2, 3, 2, 2])
        #expect(layer.bias?.gradient?.shape == [2])
    }

    @Test func infersChannelsAndReportsMisfits() throws {
        var generator = SeededGenerator(seed: 0)
        let layer = Conv2D(filters: 8, kernelSize: 3, activation: .relu)
        #expect(try layer.build(inputShape: [28, 28, 3], generator: &generator) == [26, 26, 8])
        #expect(layer.kernel.shape == [3, 3, 3, 8])
        #expect(layer.parameterCount == 3 * 3 * 3 * 8 + 8)
        #expect(layer.description == "Conv2D(3 → 8, 3×3, relu)")
        do {
            _ = try Conv2D(filters: 4, kernelSize: 3).build(inputShape: [784], generator: &generator)
            Issue.record("a flat vector was accepted by Conv2D")
        } catch { #expect("\(error)".contains("Reshape([28, 28, 1])")) }
        #expect(throws: NeuralNetError.self) { try Conv2D(filters: 4, kernelSize: 5).build(inputShape: [3, 3, 1], generator: &generator) }
        #expect(throws: NeuralNetError.self) {
            try Conv2D(filters: 4, kernelSize: 3, inputChannels: 2).build(inputShape: [8, 8, 1], generator: &generator)
        }
        #expect(try Conv2D(filters: 4, kernelSize: 3, strides: 2, padding: .same).build(inputShape: [7, 7, 1], generator: &generator) == [4, 4, 4])
    }
}

struct PoolingLayerTests {
    @Test func poolsHalveImagesAndGlobalPoolingAverages() throws {
        var generator = SeededGenerator(seed: 0)
        #expect(try MaxPool2D(2).build(inputShape: [13, 13, 32], generator: &generator) == [6, 6, 32])
        #expect(try AvgPool2D(2, padding: .same).build(inputShape: [13, 13, 32], generator: &generator) == [7, 7, 32])
        #expect(throws: NeuralNetError.self) { try MaxPool2D(2).build(inputShape: [10], generator: &generator) }
        let x = Tensor(shape: [1, 2, 2, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
        #expect(try GlobalAveragePooling2D()(x) == Tensor([[2.5, 25]]))
        #expect(try MaxPool2D(2)(x) == Tensor(shape: [1, 1, 1, 2], scalars: [4, 40]))
        expectGradientsMatch([randomTensor([2, 3, 3, 2])]) { (try? GlobalAveragePooling2D().forward($0[0], mode: .training))! }
    }

    @Test func reshapeChecksTheCountAndInfersOneSize() throws {
        var generator = SeededGenerator(seed: 0)
        #expect(try Reshape([28, 28, 1]).build(inputShape: [784], generator: &generator) == [28, 28, 1])
        #expect(try Reshape([-1, 7]).build(inputShape: [28], generator: &generator) == [4, 7])
        #expect(throws: NeuralNetError.self) { try Reshape([5, 5]).build(inputShape: [24], generator: &generator) }
        let x = randomTensor([2, 12])
        #expect(try Reshape([3, 4])(x).shape == [2, 3, 4])
    }
}

struct BatchNormTests {
    func built(_ features: Int) throws -> BatchNorm {
        let layer = BatchNorm(momentum: 0.9)
        var generator = SeededGenerator(seed: 0)
        _ = try layer.build(inputShape: [features], generator: &generator)
        return layer
    }

    @Test func trainingNormalisesEachFeatureOfTheBatch() throws {
        let layer = try built(3)
        let x = randomTensor([50, 3], in: 2..<6, seed: 12)
        let y = try layer.forward(Variable(x), mode: .training).value
        for mean in y.mean(alongAxis: 0).scalars { #expect(abs(mean) < 1e-4) }
        let variance = (y * y).mean(alongAxis: 0)
        for v in variance.scalars { #expect(abs(v - 1) < 0.01) }
    }

    @Test func trainingModeGradientsMatchFiniteDifferences() throws {
        let layer = try built(3)
        let x = randomTensor([2, 2, 2, 3], seed: 13)
        expectGradientsMatch([x, randomTensor([3], in: 0.5..<1.5, seed: 14), randomTensor([3], seed: 15)]) { v in
            let rows = v[0].reshaped(to: [-1, 3])
            let mean = rows.mean(alongAxis: 0)
            let centered = rows - mean
            let variance = centered.squared().mean(alongAxis: 0)
            return (centered / (variance + layer.epsilon).squareRoot() * v[1] + v[2]).reshaped(to: [2, 2, 2, 3])
        }
        // The layer on the tape gives the same gradient for its input.
        let input = Variable(x, requiresGradient: true)
        let weights = randomTensor([2, 2, 2, 3], seed: 16)
        (try layer.forward(input, mode: .training) * Variable(weights)).sum().backward()
        let step: Float = 1e-2
        var numeric = Tensor.zeros(x.shape)
        for i in 0..<x.count {
            var plus = x, minus = x
            plus.scalars[i] += step
            minus.scalars[i] -= step
            let fPlus = (try layer.forward(Variable(plus), mode: .training).value * weights).sum()
            let fMinus = (try layer.forward(Variable(minus), mode: .training).value * weights).sum()
            numeric.scalars[i] = (fPlus - fMinus) / (2 * step)
        }
        #expect(isClose(input.gradient!, numeric, tolerance: 2e-2))
    }

    @Test func inferenceUsesTheRunningStatisticsAndItsGradientsMatch() throws {
        let layer = try built(2)
        let x = Tensor([[1, 10], [3, 30]])
        _ = try layer.forward(Variable(x), mode: .training)
        // running ← 0.9 · running + 0.1 · batch: mean from 0 to (0.2, 2); variance from 1 to (1.0, 10.9).
        #expect(isClose(layer.runningMean.value, Tensor([0.2, 2])))
        #expect(isClose(layer.runningVariance.value, Tensor([1.0, 10.9])))
        let y = try layer.forward(Variable(x), mode: .inference).value
        #expect(abs(y[0, 0] - (1 - 0.2) / Float(1.0 + 1e-3).squareRoot()) < 1e-5)
        layer.gamma.value = Tensor([2, 0.5])
        expectGradientsMatch([randomTensor([4, 2], seed: 17)]) { (try? layer.forward($0[0], mode: .inference))! }
        #expect(layer.namedParameters.filter { !$0.parameter.isTrainable }.map(\.name) == ["runningMean", "runningVariance"])
    }
}

struct ShapeInferenceTests {
    @Test func aSequentialKnowsEveryShapeBeforeTraining() throws {
        let model = Sequential(inputShape: [28, 28, 1], loss: .sparseSoftmaxCrossEntropy) {
            Conv2D(filters: 32, kernelSize: 3, activation: .relu)
            MaxPool2D(2)
            Conv2D(filters: 64, kernelSize: 3, activation: .relu)
            MaxPool2D(2)
            Flatten()
            Dense(128, activation: .relu)
            Dense(10)
        }
        let summary = model.summary()
        #expect(summary.contains("Total parameters: 225,034"))
        #expect(model.outputShapes == [[26, 26, 32], [13, 13, 32], [11, 11, 64], [5, 5, 64], [1600], [128], [10]])
    }

    @Test func denseAfterConvolutionWithoutFlattenIsCaughtBeforeTheFirstBatch() throws {
        let model = Sequential(inputShape: [6, 6, 1], loss: .sparseSoftmaxCrossEntropy) {
            Conv2D(filters: 8, kernelSize: 3)
            Dense(10)
        }
        // Dense acts on the last axis (as in Keras): one prediction per pixel.
        #expect(try model.build() == [[4, 4, 10]])
        do {
            try model.fit(randomTensor([2, 6, 6, 1]), Tensor([1, 2]), progress: .silent)
            Issue.record("labels per image were accepted for predictions per pixel")
        } catch {
            #expect("\(error)".contains("[4, 4, 10]"))
            #expect("\(error)".contains("add Flatten()"))
        }
    }

    @Test func aSmallConvolutionalNetworkTrainsAndSavesBatchStatistics() throws {
        let data = try FashionMNIST.sample()
        let model = Sequential(loss: .sparseSoftmaxCrossEntropy, optimizer: Adam(learningRate: 3e-3), metrics: [.accuracy]) {
            Conv2D(filters: 4, kernelSize: 3, strides: 2, activation: .relu)
            BatchNorm()
            MaxPool2D(2)
            Flatten()
            Dense(10)
        }
        let history = try model.fit(data.train.prefix(600), epochs: 2, batchSize: 32, seed: 2, progress: .silent)
        #expect(history.loss[1] < history.loss[0])
        #expect(try model.evaluate(data.test.prefix(300))["accuracy"]! > 0.5)
        let path = try temporaryDirectory() + "/cnn.safetensors"
        try model.save(to: path)
        let loaded = try Sequential.load(from: path)
        let x = data.test.inputs.gatheringRows(0..<5)
        #expect(loaded.predict(x) == model.predict(x))
    }
}
