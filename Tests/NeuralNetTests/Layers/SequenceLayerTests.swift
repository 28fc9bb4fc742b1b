import Foundation
import Testing
@testable import NeuralNet

/// The sequence layers: shapes, values against their definitions, gradients against finite
/// differences, errors, and saving.
struct SequenceLayerTests {
    func built<L: Layer>(_ layer: L, _ shape: [Int], seed: UInt64 = 3) throws -> L {
        var generator = SeededGenerator(seed: seed)
        _ = try layer.build(inputShape: shape, generator: &generator)
        return layer
    }

    @Test func embeddingLooksUpRowsAndRejectsUnknownIds() throws {
        let embedding = try built(Embedding(vocabularySize: 5, dimensions: 3), [4])
        let ids = Tensor([[0, 4, 4, 1], [2, 2, 3, 0]])
        let vectors = try embedding(ids)
        #expect(vectors.shape == [2, 4, 3])
        #expect(vectors[0, 1, 2] == embedding.table.value[4, 2])
        expectLayerGradientsMatch(embedding, input: ids, differentiateInput: false)
        do {
            _ = try embedding(Tensor([[0, 5, 1, 1]]))
            Issue.record("id 5 was accepted by a vocabulary of 5")
        } catch {
            #expect("\(error)".contains("token id 5.0") && "\(error)".contains("0..<5") && "\(error)".contains("Embedding(5 → 3)"))
        }
    }

    @Test func positionEmbeddingAddsATableAndRejectsLongSequences() throws {
        let positions = try built(PositionEmbedding(maxLength: 6), [4, 3])
        let x = randomTensor([2, 4, 3], seed: 1)
        let y = try positions(x)
        #expect(isClose(y - x, Tensor.stacked([positions.table.value.sliced(0..<4, alongAxis: 0)] + [positions.table.value.sliced(0..<4, alongAxis: 0)], alongAxis: 0)))
        expectLayerGradientsMatch(positions, input: x)
        var generator = SeededGenerator(seed: 0)
        #expect(throws: NeuralNetError.self) { try positions.build(inputShape: [7, 3], generator: &generator) }
        do {
            _ = try positions(randomTensor([1, 7, 3]))
            Issue.record("7 steps were accepted by a table of 6")
        } catch {
            #expect("\(error)".contains("at most 6 steps"))
        }
    }

    @Test func layerNormNormalisesEachPositionAndMatchesItsGradient() throws {
        let norm = try built(LayerNorm(), [3, 5])
        let x = randomTensor([2, 3, 5], in: -3..<3, seed: 2)
        let y = try norm(x)
        let rows = y.reshaped(to: [6, 5])
        for row in 0..<6 {
            let values = rows.sliced(row..<(row + 1), alongAxis: 0)
            #expect(abs(values.mean()) < 1e-5)
            #expect(abs(values.map { $0 * $0 }.mean() - 1) < 1e-3)
        }
        norm.gamma.value = randomTensor([5], in: 0.5..<1.5, seed: 4)
        norm.beta.value = randomTensor([5], seed: 5)
        expectLayerGradientsMatch(norm, input: x)
    }

    @Test func attentionIsGradientCheckedWithEachMask() throws {
        for causal in [false, true] {
            let attention = try built(MultiHeadAttention(heads: 2, dimensions: 4, causal: causal), [3, 5])
            #expect(attention.parameterCount == 5 * 12 + 12 + 4 * 5 + 5)
            expectLayerGradientsMatch(attention, input: randomTensor([2, 3, 5], seed: 6))
        }
    }

    @Test func causalAttentionIgnoresTheFutureAndPaddingIsHidden() throws {
        let attention = try built(MultiHeadAttention(heads: 2, dimensions: 4, causal: true), [4, 3])
        let x = randomTensor([1, 4, 3], seed: 7)
        var changed = x
        changed.scalars[3 * 3] += 5                        // the last step only
        let (a, b) = (try attention(x), try attention(changed))
        #expect(isClose(a.sliced(0..<3, alongAxis: 1), b.sliced(0..<3, alongAxis: 1)))
        #expect(!isClose(a.sliced(3..<4, alongAxis: 1), b.sliced(3..<4, alongAxis: 1)))

        let open = try built(MultiHeadAttention(heads: 1, dimensions: 2), [3, 2])
        var generator = SeededGenerator(seed: 0)
        let padding = Tensor([[1, 1, 0]])
        let y = randomTensor([1, 3, 2], seed: 8)
        var padded = y
        padded.scalars[4] += 9                              // a padded key's value changes nothing
        let first = try open.attend(Variable(y), paddingMask: padding, mode: .inference, generator: &generator).value
        let second = try open.attend(Variable(padded), paddingMask: padding, mode: .inference, generator: &generator).value
        #expect(isClose(first.sliced(0..<2, alongAxis: 1), second.sliced(0..<2, alongAxis: 1)))
        // Every key padded: finite outputs (the bias), no NaN.
        let none = try open.attend(Variable(y), paddingMask: .zeros([1, 3]), mode: .inference, generator: &generator).value
        #expect(none.scalars.allSatisfy { $0.isFinite })
        #expect(throws: NeuralNetError.self) {
            _ = try open.attend(Variable(y), paddingMask: .zeros([1, 4]), mode: .inference, generator: &generator)
        }
    }

    @Test func transformerBlockIsALayerOfLayersAndGradientChecked() throws {
        let block = try built(TransformerBlock(heads: 2, dimensions: 4, feedForwardWidth: 6, causal: true), [3, 4])
        #expect(block.parametersByPath.map(\.name).contains("attention.qkvWeight"))
        #expect(block.parametersByPath.map(\.name).contains("feedForward2.bias"))
        expectLayerGradientsMatch(block, input: randomTensor([2, 3, 4], seed: 9))
        var generator = SeededGenerator(seed: 0)
        #expect(throws: NeuralNetError.self) { try TransformerBlock(heads: 2, dimensions: 4).build(inputShape: [3, 5], generator: &generator) }
    }

    @Test func lstmMatchesItsEquationsAndIsGradientChecked() throws {
        let lstm = try built(LSTM(units: 3, returnSequences: true), [4, 2])
        let x = randomTensor([2, 4, 2], seed: 10)
        let y = try lstm(x)
        #expect(y.shape == [2, 4, 3])
        // The equations step by step for sample 1.
        let (wih, whh) = (lstm.weightIH.value, lstm.weightHH.value)
        let bias = lstm.biasIH.value + lstm.biasHH.value
        var (h, c) = (Tensor.zeros([1, 3]), Tensor.zeros([1, 3]))
        for t in 0..<4 {
            let xt = x.sliced(1..<2, alongAxis: 0).sliced(t..<(t + 1), alongAxis: 1).reshaped(to: [1, 2])
            let z = xt.matmul(wih, transposeOther: true) + h.matmul(whh, transposeOther: true) + bias
            let gates = z.split(sizes: [3, 3, 3, 3], alongAxis: 1)
            let sigmoid = { (v: Tensor) in v.map { 1 / (1 + Foundation.exp(-$0)) } }
            c = sigmoid(gates[1]) * c + sigmoid(gates[0]) * gates[2].map(Foundation.tanh)
            h = sigmoid(gates[3]) * c.map(Foundation.tanh)
            #expect(isClose(y.sliced(1..<2, alongAxis: 0).sliced(t..<(t + 1), alongAxis: 1).reshaped(to: [1, 3]), h, tolerance: 1e-5))
        }
        expectLayerGradientsMatch(lstm, input: x)
        expectLayerGradientsMatch(try built(LSTM(units: 3), [4, 2]), input: x)
        let state = try built(LSTM(units: 3, returnState: true), [4, 2])
        #expect(try state(x).shape == [2, 2, 3])
        expectLayerGradientsMatch(state, input: x)
    }

    @Test func gruMatchesItsEquationsAndIsGradientChecked() throws {
        let gru = try built(GRU(units: 3, returnSequences: true), [4, 2])
        let x = randomTensor([2, 4, 2], seed: 11)
        let y = try gru(x)
        let (wih, whh, bih, bhh) = (gru.weightIH.value, gru.weightHH.value, gru.biasIH.value, gru.biasHH.value)
        var h = Tensor.zeros([1, 3])
        let sigmoid = { (v: Tensor) in v.map { 1 / (1 + Foundation.exp(-$0)) } }
        for t in 0..<4 {
            let xt = x.sliced(0..<1, alongAxis: 0).sliced(t..<(t + 1), alongAxis: 1).reshaped(to: [1, 2])
            let a = (xt.matmul(wih, transposeOther: true) + bih).split(sizes: [3, 3, 3], alongAxis: 1)
            let b = (h.matmul(whh, transposeOther: true) + bhh).split(sizes: [3, 3, 3], alongAxis: 1)
            let (r, z) = (sigmoid(a[0] + b[0]), sigmoid(a[1] + b[1]))
            let n = (a[2] + r * b[2]).map(Foundation.tanh)
            h = (1 - z) * n + z * h
            #expect(isClose(y.sliced(0..<1, alongAxis: 0).sliced(t..<(t + 1), alongAxis: 1).reshaped(to: [1, 3]), h, tolerance: 1e-5))
        }
        expectLayerGradientsMatch(gru, input: x)
        expectLayerGradientsMatch(try built(GRU(units: 3, returnState: true), [4, 2]), input: x)
    }

    @Test func sequenceLayersSaveAndLoad() throws {
        let model = Sequential(inputShape: [6], loss: .sparseSoftmaxCrossEntropy(ignoring: 0), seed: 2) {
            Embedding(vocabularySize: 7, dimensions: 4)
            PositionEmbedding(maxLength: 8)
            TransformerBlock(heads: 2, dimensions: 4, dropout: 0.1, causal: true)
            LSTM(units: 5, returnSequences: true)
            GRU(units: 4, returnSequences: true)
            LayerNorm()
            Dense(7)
        }
        try model.build()
        let ids = Tensor([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sequence-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.save(to: file)
        let loaded = try Sequential.load(from: file)
        #expect(loaded.predict(ids) == model.predict(ids))
        #expect(loaded.loss == .sparseSoftmaxCrossEntropy(ignoring: 0))
        #expect(loaded.summary().contains("TransformerBlock"))
    }
}
