import Testing
@testable import NeuralNet

struct DenseTests {
    @Test(arguments: [Activation.linear, .tanh, .relu, .sigmoid])
    func gradientsMatchFiniteDifferences(activation: Activation) throws {
        let layer = Dense(4, 3, activation: activation)
        var generator = SeededGenerator(seed: 3)
        _ = try layer.build(inputShape: [4], generator: &generator)
        layer.bias!.value = randomTensor([3], seed: 9)
        let input = randomTensor([5, 4], seed: 4)
        // Check the input, the weight and the bias, each as a leaf.
        expectGradientsMatch([input, layer.weight.value, layer.bias!.value]) { v in
            activation.apply(v[0].matmul(v[1]) + v[2])
        }
        // And the layer itself: its parameters get the tape's gradients.
        let output = try layer(Variable(input, requiresGradient: true), mode: .training)
        output.sum().backward()
        let expectedBias = Dense.referenceBiasGradient(layer: layer, input: input)
        #expect(isClose(layer.bias!.gradient!, expectedBias, tolerance: 1e-2))
    }

    @Test func outputIsInputTimesWeightPlusBias() throws {
        let layer = Dense(2, 2)
        var generator = SeededGenerator(seed: 0)
        _ = try layer.build(inputShape: [2], generator: &generator)
        layer.weight.value = Tensor([[1, 2], [3, 4]])
        layer.bias!.value = Tensor([10, 20])
        #expect(try layer(Tensor([[1, 1], [0, 1]])) == Tensor([[14, 26], [13, 24]]))
    }

    @Test func inputSizeIsInferredAtBuild() throws {
        let layer = Dense(8, activation: .relu)
        #expect(layer.inputSize == nil)
        var generator = SeededGenerator(seed: 0)
        #expect(try layer.build(inputShape: [5], generator: &generator) == [8])
        #expect(layer.inputSize == 5)
        #expect(layer.weight.shape == [5, 8])
        #expect(layer.parameterCount == 48)
        #expect(layer.description == "Dense(5 → 8, relu)")
    }

    @Test func initialisationFollowsGlorotAndHe() throws {
        var generator = SeededGenerator(seed: 1)
        let glorot = Dense(300, 200, activation: .tanh)
        _ = try glorot.build(inputShape: [300], generator: &generator)
        let glorotLimit = Float(6.0 / 500).squareRoot()
        #expect(glorot.weight.value.scalars.allSatisfy { abs($0) <= glorotLimit })
        #expect(glorot.weight.value.max() > 0.9 * glorotLimit)
        #expect(glorot.bias!.value == .zeros([200]))

        let he = Dense(300, 200, activation: .relu)
        _ = try he.build(inputShape: [300], generator: &generator)
        let heLimit = Float(6.0 / 300).squareRoot()
        #expect(he.weight.value.max() > glorotLimit && he.weight.value.max() <= heLimit)
        let variance = he.weight.value.map { $0 * $0 }.mean()
        #expect(abs(variance - 2.0 / 300) < 0.1 * 2.0 / 300)

        let custom = Dense(inputSize: 3, outputSize: 2, weightInitializer: .constant(0.5))
        _ = try custom.build(inputShape: [3], generator: &generator)
        #expect(custom.weight.value == Tensor(repeating: 0.5, shape: [3, 2]))
    }

    @Test func wrongInputSizesNameTheLayerAndTheFix() {
        var generator = SeededGenerator(seed: 0)
        #expect(throws: NeuralNetError.self) { try Dense(3, 1).build(inputShape: [4], generator: &generator) }
        do {
            _ = try Dense(3, 10).build(inputShape: [5, 4], generator: &generator)
            Issue.record("4 features were accepted by Dense(3 → 10)")
        } catch {
            #expect("\(error)".contains("[..., 3]"))
            #expect("\(error)".contains("Dense(3 → 10)"))
        }
        do {
            _ = try Dense(10).build(inputShape: [5, 0], generator: &generator)
            Issue.record("no features were accepted by Dense")
        } catch {
            #expect("\(error)".contains("Dense(? → 10)"))
        }
    }

    @Test func denseActsOnTheLastAxisOfAnyRank() throws {
        for activation in [Activation.linear, .relu, .tanh] {
            let layer = Dense(4, 3, activation: activation)
            var generator = SeededGenerator(seed: 2)
            #expect(try layer.build(inputShape: [2, 5, 4], generator: &generator) == [2, 5, 3])
            let x = randomTensor([3, 2, 5, 4], seed: 5)
            let y = try layer(x)
            #expect(y.shape == [3, 2, 5, 3])
            #expect(isClose(y.reshaped(to: [30, 3]), try layer(x.reshaped(to: [30, 4]))))
            expectGradientsMatch([x, layer.weight.value, layer.bias!.value]) { v in
                let shaped = v[0].reshaped(to: [-1, 4]).matmul(v[1]) + v[2]
                return shaped.activated(by: activation).reshaped(to: [3, 2, 5, 3])
            }
            // The layer's own (fused) path against the same finite differences.
            expectGradientsMatch([x]) { v in try! layer.forward(v[0], mode: .training) }
        }
    }

    @Test func withoutBiasThereIsOnlyAWeight() throws {
        let layer = Dense(3, 2, useBias: false)
        var generator = SeededGenerator(seed: 0)
        _ = try layer.build(inputShape: [3], generator: &generator)
        #expect(layer.namedParameters.map(\.name) == ["weight"])
    }
}

extension Dense {
    /// `∂ sum(activation(x·W + b)) / ∂b` computed with finite differences on the layer itself.
    static func referenceBiasGradient(layer: Dense, input: Tensor) -> Tensor {
        var result = Tensor.zeros(layer.bias!.shape)
        let step: Float = 1e-2
        for j in 0..<result.count {
            let original = layer.bias!.value
            layer.bias!.value.scalars[j] = original.scalars[j] + step
            let plus = try! layer(input).sum()
            layer.bias!.value.scalars[j] = original.scalars[j] - step
            let minus = try! layer(input).sum()
            layer.bias!.value = original
            result.scalars[j] = (plus - minus) / (2 * step)
        }
        return result
    }
}

struct FlattenTests {
    @Test func flattensEachSampleAndPassesGradientsBack() throws {
        let layer = Flatten()
        var generator = SeededGenerator(seed: 0)
        #expect(try layer.build(inputShape: [2, 3, 4], generator: &generator) == [24])
        let x = randomTensor([2, 2, 3, 4])
        #expect(try layer(x).shape == [2, 24])
        expectGradientsMatch([x]) { (try? layer.forward($0[0], mode: .training))! }
    }
}
