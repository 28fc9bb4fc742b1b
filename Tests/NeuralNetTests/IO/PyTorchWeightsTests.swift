import Foundation
import Testing
@testable import NeuralNet

/// Weights saved by PyTorch (see `Fixtures/make_pytorch_fixture.py`) in the equivalent model.
struct PyTorchWeightsTests {
    func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"))
    }

    /// PyTorch's `Net`: conv 3×3 (2 → 3), BatchNorm, ReLU, max pool 2, flatten, Linear 12 → 5,
    /// ReLU, Linear 5 → 4, on 6×6 images of 2 channels.
    func model() -> Sequential {
        Sequential(inputShape: [6, 6, 2], loss: .softmaxCrossEntropy) {
            Conv2D(filters: 3, kernelSize: 3)
            BatchNorm(epsilon: 1e-5)
            Activation(.relu)
            MaxPool2D(2)
            Flatten()
            Dense(5, activation: .relu)
            Dense(4)
        }
    }

    func expected() throws -> (input: Tensor, logits: Tensor) {
        let tensors = Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: fixture("pytorch-cnn-expected").path).tensors)
        // PyTorch's images are channels first, NeuralNet's channels last.
        return (tensors["input"]!.permuted([0, 2, 3, 1]), tensors["logits"]!)
    }

    @Test func aStateDictGivesPyTorchsLogits() throws {
        let net = model()
        try net.loadWeights(from: fixture("pytorch-cnn"), convention: .pytorch)
        let (input, logits) = try expected()
        let ours = net.predict(input)
        let largest = zip(ours.scalars, logits.scalars).map { abs($0 - $1) }.max()!
        #expect(largest <= 1e-4, "largest logit difference \(largest)")
    }

    /// `Fixtures/make_pytorch_sequence_fixture.py`: Embedding, a 2-layer LSTM, a GRU, LayerNorm,
    /// MultiheadAttention and Linear, batch first.
    @Test func recurrentAndAttentionWeightsGivePyTorchsLogits() throws {
        let net = Sequential(inputShape: [5], loss: .sparseSoftmaxCrossEntropy) {
            Embedding(vocabularySize: 11, dimensions: 6)
            LSTM(units: 8, returnSequences: true)
            LSTM(units: 8, returnSequences: true)
            GRU(units: 6, returnSequences: true)
            LayerNorm()
            MultiHeadAttention(heads: 2, dimensions: 6)
            Dense(11)
        }
        try net.loadWeights(from: fixture("pytorch-sequence"), convention: .pytorch)
        let tensors = Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: fixture("pytorch-sequence-expected").path).tensors)
        let ours = net.predict(tensors["ids"]!)
        #expect(ours.shape == [3, 5, 11])
        let largest = zip(ours.scalars, tensors["logits"]!.scalars).map { abs($0 - $1) }.max()!
        #expect(largest <= 1e-4, "largest logit difference \(largest)")
    }

    @Test func halfPrecisionWeightsAreConverted() throws {
        let net = model()
        try net.loadWeights(from: fixture("pytorch-cnn-f16"), convention: .pytorch)
        let (input, logits) = try expected()
        #expect(isClose(net.predict(input), logits, tolerance: 2e-2))
    }

    @Test func aModelThatDoesNotFitIsExplained() throws {
        let wrong = Sequential(inputShape: [6, 6, 2], loss: .softmaxCrossEntropy) {
            Conv2D(filters: 3, kernelSize: 3)
            Flatten()
            Dense(4)
        }
        #expect {
            try wrong.loadWeights(from: fixture("pytorch-cnn"), convention: .pytorch)
        } throws: { "\($0)".contains("4 modules with parameters (conv1, bn1, fc1, fc2)") }
        let narrow = Sequential(inputShape: [6, 6, 2], loss: .softmaxCrossEntropy) {
            Conv2D(filters: 3, kernelSize: 3)
            BatchNorm()
            MaxPool2D(2)
            Flatten()
            Dense(6)
            Dense(4)
        }
        #expect {
            try narrow.loadWeights(from: fixture("pytorch-cnn"), convention: .pytorch)
        } throws: { "\($0)".contains("fc1 → Dense(12 → 6) 4.weight: the file gives [12, 5], the model has [12, 6]") }
    }

    @Test func namesSortWithNumbersAsNumbers() {
        #expect(PyTorchModule.naturalOrder("features.2", "features.10"))
        #expect(PyTorchModule.naturalOrder("conv2", "fc1"))
        #expect(!PyTorchModule.naturalOrder("layer10", "layer9"))
    }

    @Test func halfFloatsDecodeExactly() {
        #expect(SafeTensors.float(half: 0x3C00) == 1)
        #expect(SafeTensors.float(half: 0xC000) == -2)
        #expect(SafeTensors.float(half: 0x0001) == 0x1p-24)
        #expect(SafeTensors.float(half: 0x7C00) == .infinity)
        #expect(SafeTensors.float(half: 0x7E00).isNaN)
        #expect(SafeTensors.float(half: 0x7BFF) == 65504)
    }

    @Test func permutingAxesMovesEveryElement() {
        let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let y = x.permuted([2, 0, 1])
        #expect(y.shape == [4, 2, 3])
        for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { #expect(y[c, a, b] == x[a, b, c]) } } }
        #expect(y.permuted([1, 2, 0]) == x)
        // The last axis kept last: whole rows move (time-major sequences, attention's heads).
        let z = x.permuted([1, 0, 2])
        #expect(z.shape == [3, 2, 4])
        for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { #expect(z[b, a, c] == x[a, b, c]) } } }
        let w = Tensor(shape: [2, 3, 2, 5], scalars: (0..<60).map(Float.init))
        let v = w.permuted([0, 2, 1, 3])
        #expect(v.shape == [2, 2, 3, 5])
        for a in 0..<2 { for b in 0..<3 { for c in 0..<2 { for d in 0..<5 { #expect(v[a, c, b, d] == w[a, b, c, d]) } } } }
        #expect(Tensor(shape: [2, 0, 3], scalars: []).permuted([1, 0, 2]).shape == [0, 2, 3])
        #expect(Tensor(shape: [3, 2, 0], scalars: []).permuted([1, 0, 2]).shape == [2, 3, 0])
    }
}
