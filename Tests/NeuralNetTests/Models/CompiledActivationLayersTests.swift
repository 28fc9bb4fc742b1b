import Testing
@testable import NeuralNet

/// `fit(..., compile: true)` plans networks that write each activation as a layer of its own
/// after a linear `Dense` (the tutorial's `net.add(Activation("tanh"))`, Keras's
/// `Activation("softmax")`), with the weights and history of eager training bit for bit.
struct CompiledActivationLayersTests {
    @Test func theTutorialsXORIsPlannedAndMatchesEager() throws {
        let x = Tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Tensor([[0], [1], [1], [0]])
        let make = {
            let net = Sequential(loss: .meanSquaredError, optimizer: SGD(learningRate: 0.1), seed: 1)
            net.add(Dense(2, 3))
            net.add(Activation("tanh"))
            net.add(Dense(3, 1))
            net.add(Activation("tanh"))
            return net
        }
        for batch in [1, 4] {
            #expect(CompiledStep(make(), batch: batch) != nil)
            let eager = try CompiledStepTests.train(make, x, y, batch: batch, compile: false)
            CompiledStepTests.expectSame(try CompiledStepTests.train(make, x, y, batch: batch, compile: true), eager, "xor, batch \(batch)")
            #expect(eager.1.last!["loss"]! < eager.1.first!["loss"]!)                // it learned
        }
    }

    /// Every kind the plan takes as a layer: ReLU through the table's `max` (not the
    /// kernel's), the rest as the fused layer computes them (those whose f' needs the input
    /// from the input the stage keeps, GELU by the eager kernel), softmax on the last layer; in
    /// batches of one (the narrow kernel), three (the last one partial) and all nine rows;
    /// plain SGD, and Adam with a metric.
    @Test func everyKindAsALayerMatchesEager() throws {
        let x = randomTensor([9, 3], seed: 31)
        let classes = Tensor((0..<9).map { Float($0 % 3) }), oneHot = Tensor(shape: [9, 3], scalars: (0..<27).map { $0 % 4 == 0 ? 1 : 0 })
        // Through the kernel, the table with f' from the output, and from the input the stage keeps.
        let hidden: [Activation] = [.relu, .tanh, .sigmoid, Activation(.leakyRelu, alpha: 0.2), Activation(.elu, alpha: 0.5),
                                    .swish, .selu, .softplus, .softsign, Activation(.leakyRelu, alpha: -0.1), .gelu]
        for kind in hidden {
            for (last, loss, y) in [(Activation.linear, Loss.sparseSoftmaxCrossEntropy, classes), (.softmax, .categoricalCrossEntropy, oneHot)] {
                for adam in [false, true] {
                    let make = {
                        Sequential([Dense(3, 6), kind, Dense(6, 5), Activation(kind.kind, alpha: kind.alpha), Dense(5, 3), last],
                                   loss: loss, optimizer: adam ? Adam(learningRate: 0.02) : SGD(learningRate: 0.1),
                                   metrics: adam ? [.accuracy] : [], seed: 6)
                    }
                    #expect(CompiledStep(make(), batch: 3) != nil, "\(kind)")
                    for batch in [1, 3, 9] {
                        let label = "\(kind), last \(last), adam \(adam), batch \(batch)"
                        let eager = try CompiledStepTests.train(make, x, y, batch: batch, compile: false)
                        CompiledStepTests.expectSame(try CompiledStepTests.train(make, x, y, batch: batch, compile: true), eager, label)
                        #expect(eager.1.last!["loss"]! < eager.1.first!["loss"]!, "\(label)")
                    }
                }
            }
        }
    }

    /// Dense layers with those activations fused (their f' from the input the stage keeps),
    /// GELU too, as the last layer's activation under the squared error as well.
    @Test func fusedActivationsThatNeedTheirInputMatchEager() throws {
        let x = randomTensor([7, 3], seed: 33), y = randomTensor([7, 2], seed: 34)
        for kind in [Activation.swish, .selu, .softplus, .softsign, Activation(.elu, alpha: -0.3), .gelu] {
            let make = {
                Sequential([Dense(3, 9, activation: kind), Dense(9, 2, activation: kind)], loss: .meanSquaredError,
                           optimizer: Adam(learningRate: 0.02), seed: 12)
            }
            #expect(CompiledStep(make(), batch: 3) != nil, "\(kind)")
            for batch in [1, 3] {
                let eager = try CompiledStepTests.train(make, x, y, batch: batch, compile: false)
                CompiledStepTests.expectSame(try CompiledStepTests.train(make, x, y, batch: batch, compile: true), eager, "\(kind), batch \(batch)")
                #expect(eager.1.last!["loss"]! < eager.1.first!["loss"]!, "\(kind)")
            }
        }
    }

    @Test func layersThatDoNotPairTrainEagerly() {
        let orders: [(String, [any Layer])] = [
            ("an activation first", [Activation("tanh"), Dense(3, 2)]),
            ("two activations", [Dense(3, 4), Activation("tanh"), Activation("relu"), Dense(4, 2)]),
            ("an activation after an activated Dense", [Dense(3, 4, activation: .relu), Activation("tanh"), Dense(4, 2)]),
            ("a hidden softmax layer", [Dense(3, 4), Activation("softmax"), Dense(4, 2)]),
            ("log-softmax", [Dense(3, 4), Activation("logSoftmax")]),
        ]
        for (name, layers) in orders {
            #expect(CompiledStep(Sequential(layers, loss: .meanSquaredError), batch: 2) == nil, "\(name)")
        }
    }
}
