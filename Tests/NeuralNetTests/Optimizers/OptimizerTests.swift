import Foundation
import Testing
@testable import NeuralNet

struct OptimizerTests {
    func parameter(_ value: [Float], gradient: [Float]) -> Parameter {
        let p = Parameter(Tensor(value))
        p.gradient = Tensor(gradient)
        return p
    }

    @Test func sgdStepsAgainstTheGradientAndClearsIt() {
        let p = parameter([1, 2], gradient: [0.5, -1])
        SGD(learningRate: 0.1).step([p])
        #expect(isClose(p.value, Tensor([0.95, 2.1])))
        #expect(p.gradient == nil)
    }

    @Test func momentumAccumulatesVelocity() {
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        let p = parameter([0], gradient: [1])
        sgd.step([p])                       // v = 1, w = -0.1
        p.gradient = Tensor([1])
        sgd.step([p])                       // v = 1.9, w = -0.29
        #expect(isClose(p.value, Tensor([-0.29])))
    }

    @Test func nesterovLooksAhead() {
        let sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        let p = parameter([0], gradient: [1])
        sgd.step([p])                       // v = 1, w = -0.1 · (1 + 0.9)
        #expect(isClose(p.value, Tensor([-0.19])))
    }

    @Test func adamFirstStepMovesByTheLearningRate() {
        let adam = Adam(learningRate: 0.01)
        let p = parameter([1, 1, 1], gradient: [3, -0.2, 50])
        adam.step([p])
        // m̂ = g and v̂ = g², so each weight moves by lr · sign(g).
        #expect(isClose(p.value, Tensor([0.99, 1.01, 0.99]), tolerance: 1e-5))
    }

    @Test func adamMatchesItsRecurrenceOverSeveralSteps() {
        let adam = Adam(learningRate: 0.1, beta1: 0.8, beta2: 0.9, epsilon: 1e-8)
        let p = parameter([0.5], gradient: [0])
        var (w, m, v): (Double, Double, Double) = (0.5, 0, 0)
        for t in 1...5 {
            let g = 2 * w                   // gradient of w²
            p.gradient = Tensor([Float(g)])
            adam.step([p])
            m = 0.8 * m + 0.2 * g
            v = 0.9 * v + 0.1 * g * g
            let mHat = m / (1 - pow(0.8, Double(t))), vHat = v / (1 - pow(0.9, Double(t)))
            w -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
        }
        #expect(abs(Double(p.value.scalar) - w) < 1e-5)
    }

    @Test func frozenParametersAndMissingGradientsAreSkipped() {
        let frozen = Parameter(Tensor([1]), trainable: false)
        frozen.gradient = Tensor([1])
        let untouched = Parameter(Tensor([2]))
        SGD(learningRate: 1).step([frozen, untouched])
        #expect(frozen.value == Tensor([1]))
        #expect(untouched.value == Tensor([2]))
    }
}

struct MoreOptimizerTests {
    func parameter(_ value: [Float], gradient: [Float]) -> Parameter {
        let p = Parameter(Tensor(value))
        p.gradient = Tensor(gradient)
        return p
    }

    @Test func rmspropScalesByTheRootMeanSquare() {
        let p = parameter([1], gradient: [2])
        RMSProp(learningRate: 0.1, rho: 0.9, epsilon: 0).step([p])
        // v = 0.1 · 4 = 0.4, step = 0.1 · 2 / √0.4
        #expect(isClose(p.value, Tensor([1 - 0.2 / Float(0.4).squareRoot()])))
    }

    @Test func adagradShrinksStepsWithHistory() {
        let adagrad = Adagrad(learningRate: 1, epsilon: 0)
        let p = parameter([0], gradient: [3])
        adagrad.step([p])                   // G = 9, step 1
        p.gradient = Tensor([4])
        adagrad.step([p])                   // G = 25, step 4/5
        #expect(isClose(p.value, Tensor([-1.8])))
    }

    @Test func adamwDecaysWeightsApartFromTheGradient() {
        let p = parameter([2], gradient: [0])
        AdamW(learningRate: 0.1, weightDecay: 0.5).step([p])
        // With a zero gradient only the decay acts: 2 · (1 - 0.1 · 0.5).
        #expect(isClose(p.value, Tensor([1.9])))
    }

    @Test func l2WeightDecayAddsToTheGradient() {
        let p = parameter([2], gradient: [1])
        SGD(learningRate: 0.1, weightDecay: 0.5).step([p])
        #expect(isClose(p.value, Tensor([2 - 0.1 * (1 + 0.5 * 2)])))
    }

    @Test func clippingBoundsTheGlobalNorm() {
        let a = parameter([0, 0], gradient: [3, 0])
        let b = parameter([0], gradient: [4])
        SGD(learningRate: 1, clipNorm: 1).step([a, b])
        #expect(isClose(a.value, Tensor([-0.6, 0])))
        #expect(isClose(b.value, Tensor([-0.8])))
        let small = parameter([0], gradient: [0.5])
        SGD(learningRate: 1, clipNorm: 1).step([small])
        #expect(isClose(small.value, Tensor([-0.5])))
    }

    @Test func optimizersByName() throws {
        #expect(try OptimizerSpec(type: "AdamW").makeOptimizer() is AdamW)
        #expect(try OptimizerSpec(type: "rmsprop", arguments: ["learningRate": .number(0.5)]).makeOptimizer().learningRate == 0.5)
        #expect(try OptimizerSpec(type: "sgd").makeOptimizer() is SGD)
        #expect(throws: NeuralNetError.self) { try OptimizerSpec(type: "adamm").makeOptimizer() }
        #expect(throws: NeuralNetError.self) { try OptimizerSpec(type: "adam", arguments: ["learningRate": .number(-1)]).makeOptimizer() }
        #expect(throws: NeuralNetError.self) { try OptimizerSpec(type: "sgd", arguments: ["momentum": .number(1.5)]).makeOptimizer() }
    }
}
