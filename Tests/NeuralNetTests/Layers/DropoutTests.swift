import Testing
@testable import NeuralNet

struct DropoutTests {
    @Test func inferencePassesInputsThrough() throws {
        let x = randomTensor([4, 5])
        #expect(try Dropout(0.5)(x, mode: .inference) == x)
    }

    @Test func trainingDropsTheRateAndScalesTheRest() throws {
        let layer = Dropout(0.25)
        var generator = SeededGenerator(seed: 2)
        _ = try layer.build(inputShape: [1000], generator: &generator)
        let output = try layer.forward(Variable(Tensor.ones([10, 1000])), mode: .training).value
        let dropped = output.scalars.filter { $0 == 0 }.count
        #expect(abs(Float(dropped) / 10_000 - 0.25) < 0.02)
        #expect(output.scalars.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
    }

    @Test func gradientFlowsThroughTheKeptInputsOnly() throws {
        let layer = Dropout(0.5)
        let x = Variable(randomTensor([3, 8], in: 1..<2), requiresGradient: true)
        let output = try layer(x, mode: .training)
        output.sum().backward()
        // d(sum(x · mask))/dx = mask, and mask = output / x.
        #expect(isClose(x.gradient!, output.value / x.value, tolerance: 1e-5))
    }
}
