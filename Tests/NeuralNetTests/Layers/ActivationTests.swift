import Foundation
import Testing
@testable import NeuralNet

struct ActivationTests {
    @Test(arguments: Activation.allCases)
    func gradientMatchesFiniteDifferences(activation: Activation) {
        // Inputs stay away from 0, where ReLU-like functions have a kink.
        var x = randomTensor([3, 5], in: -2..<2, seed: 11)
        x = x.map { abs($0) < 0.05 ? $0 + 0.2 : $0 }
        expectGradientsMatch([x]) { activation.apply($0[0]) }
    }

    @Test func valuesAtKnownPoints() throws {
        let x = Variable(Tensor([-1, 0, 2]))
        #expect(Activation.relu.apply(x).value == Tensor([0, 0, 2]))
        #expect(Activation.leakyRelu(slope: 0.1).apply(x).value == Tensor([-0.1, 0, 2]))
        #expect(isClose(Activation.sigmoid.apply(x).value, Tensor([0.268_941_4, 0.5, 0.880_797_1])))
        #expect(isClose(Activation.tanh.apply(x).value, Tensor([-0.761_594_2, 0, 0.964_027_6])))
        #expect(isClose(Activation.gelu.apply(x).value, Tensor([-0.158_655_3, 0, 1.954_5])))
        #expect(isClose(Activation.softplus.apply(x).value, Tensor([0.313_261_7, 0.693_147_2, 2.126_928])))
        #expect(isClose(Activation.elu.apply(x).value, Tensor([-0.632_120_6, 0, 2])))
        #expect(isClose(Activation.swish.apply(x).value, Tensor([-0.268_941_4, 0, 1.761_594])))
        #expect(Activation.linear.apply(x).value == x.value)
        #expect(isClose(Activation.softmax.apply(x).value.sum(alongAxis: -1), Tensor(1)))
    }

    @Test func namesAndAliasesAreLookedUpLoosely() throws {
        #expect(try Activation(named: "tanh") == .tanh)
        #expect(try Activation(named: "leaky_relu") == .leakyRelu)
        #expect(try Activation(named: "LeakyReLU") == .leakyRelu)
        #expect(try Activation(named: "silu") == .swish)
        #expect(try Activation(named: "identity") == .linear)
        #expect(Activation("relu") == .relu)
        let literal: Activation = "sigmoid"
        #expect(literal == .sigmoid)
    }

    @Test func anUnknownNameListsTheValidOnes() {
        #expect(throws: NeuralNetError.self) { try Activation(named: "tanhh") }
        do {
            _ = try Activation(named: "rleu")
        } catch {
            let message = "\(error)"
            #expect(message.contains("unknown activation 'rleu'"))
            #expect(message.contains("relu, leakyRelu"))
            #expect(message.contains("tanh"))
        }
        #expect((try? Activation(named: "tanhh")) == nil)
    }

    @Test func encodesAsANameAndDecodesEitherForm() throws {
        let encoded = try JSONEncoder().encode([Activation.relu, .leakyRelu(slope: 0.2)])
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.contains("\"relu\""))
        let decoded = try JSONDecoder().decode([Activation].self, from: encoded)
        #expect(decoded == [.relu, .leakyRelu(slope: 0.2)])
        #expect(throws: NeuralNetError.self) { try JSONDecoder().decode([Activation].self, from: Data("[\"rleu\"]".utf8)) }
    }

    @Test func worksAsALayer() throws {
        let layer = Activation("tanh")
        let output = try layer(Tensor([[0, 100]]))
        #expect(isClose(output, Tensor([[0, 1]])))
        #expect(layer.description == "tanh")
    }
}
