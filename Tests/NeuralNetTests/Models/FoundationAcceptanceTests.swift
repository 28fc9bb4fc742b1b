import Testing
import NeuralNet

/// The foundation issue's acceptance program, verbatim apart from the checks on what it prints.
@Test func foundationAcceptanceProgram() throws {
    let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])        // shape [4, 2]
    let y = Tensor([[0], [1], [1], [0]])                    // shape [4, 1]

    let net = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1))
    net.add(Dense(2, 3))
    net.add(Activation("tanh"))
    net.add(Dense(3, 1))
    net.add(Activation("tanh"))
    let history = try net.fit(x, y, epochs: 1000, batchSize: 1, seed: 42)
    let prediction = net.predict(x)
    print(prediction)            // close to [[0], [1], [1], [0]]
    print(prediction.shape, prediction.scalars)   // [4, 1] and the row-major [Float]
    print(history.loss.last!)    // the final epoch's mean loss: under 0.05 (as for at least 8 of seeds 1...10)

    let listed = Sequential([Dense(2, 3, activation: .tanh), Dense(3, 1, activation: .tanh)],
                            loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1))
    let built = Sequential(loss: "mse", optimizer: SGD(learningRate: 0.1, momentum: 0.9)) {
        Dense(2, 8, activation: "relu")
        Dense(8, 1, activation: .sigmoid)
    }
    try listed.fit(x, y, epochs: 1000, batchSize: 1, seed: 7)
    try built.fit(x, y, epochs: 500, batchSize: 4, seed: 7)
    let unknown = try? Activation(named: "tanhh")   // nil: the thrown error lists the valid names

    #expect(prediction.shape == [4, 1])
    #expect(prediction.scalars.count == 4)
    #expect(zip(prediction.scalars, y.scalars).allSatisfy { abs($0 - $1) < 0.3 })
    #expect(history.loss.last! < 0.05)
    #expect(unknown == nil)
    #expect(listed.predict(x).shape == [4, 1])
    #expect(built.predict(x).scalars.allSatisfy { $0 > 0 && $0 < 1 })
}
