import Testing
@testable import NeuralNet

struct OptimizerStateTests {
    static let makers: [@Sendable () -> any Optimizer] = [
        { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true) }, { SGD(learningRate: 0.1) }, { Adam(learningRate: 0.01) },
        { AdamW(learningRate: 0.01) }, { RMSProp(learningRate: 0.01) }, { Adagrad(learningRate: 0.1) },
    ]

    func model(_ optimizer: any Optimizer) -> Sequential {
        Sequential([Dense(3, 4, activation: .tanh), Dense(4, 2)], inputShape: [3], loss: .meanSquaredError, optimizer: optimizer, seed: 2)
    }

    /// Training on with a fresh optimizer given the saved state equals training on with the old one.
    @Test(arguments: 0..<6)
    func aRestoredOptimizerContinuesExactly(which: Int) throws {
        let x = randomTensor([8, 3], seed: 1), y = randomTensor([8, 2], seed: 2)
        let original = model(Self.makers[which]())
        try original.fit(x, y, epochs: 3, batchSize: 4, seed: 1, progress: .silent)
        let state = original.optimizer.state(of: original.namedParameters)
        #expect(state.tensors.count == original.namedParameters.count * original.optimizer.stateSlots.count)

        let copy = model(Self.makers[which]())
        try copy.build()
        for ((_, a), (_, b)) in zip(original.namedParameters, copy.namedParameters) { b.value = a.value }
        try copy.optimizer.restore(state, of: copy.namedParameters)
        #expect(copy.optimizer.state(of: copy.namedParameters) == state)
        try original.fit(x, y, epochs: 2, batchSize: 4, shuffle: false, progress: .silent)
        try copy.fit(x, y, epochs: 2, batchSize: 4, shuffle: false, progress: .silent)
        #expect(original.namedParameters.map(\.parameter.value) == copy.namedParameters.map(\.parameter.value))
    }

    @Test func aStateThatDoesNotFitIsExplained() throws {
        let adam = Adam()
        let parameter = Parameter(.zeros([2, 2]))
        let wrong = OptimizerState(tensors: ["w/firstMoment": .zeros([3]), "w/secondMoment": .zeros([3])])
        #expect {
            try adam.restore(wrong, of: [("w", parameter)])
        } throws: { "\($0)".contains("w: the state has shape [3], the parameter [2, 2]") }
        let stray = OptimizerState(tensors: ["v/firstMoment": .zeros([1])])
        #expect {
            try adam.restore(stray, of: [("w", parameter)])
        } throws: { "\($0)".contains("unexpected optimizer state v/firstMoment") }
    }
}
