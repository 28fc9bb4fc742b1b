import Foundation
import Testing
import NeuralNetKernels
@testable import NeuralNet

/// The tensor and tape operations that sequence models are made of, each checked for its values
/// and gradient-checked against finite differences.
struct SequencePrimitiveTests {
    @Test func batchedProductsEqualOneProductPerMatrixAndBroadcast() {
        let a = randomTensor([2, 3, 4, 5], seed: 1), b = randomTensor([2, 3, 5, 6], seed: 2)
        let product = a.matmul(b)
        #expect(product.shape == [2, 3, 4, 6])
        let aMatrices = a.reshaped(to: [6, 4, 5]), bMatrices = b.reshaped(to: [6, 5, 6])
        for item in 0..<6 {
            let expected = aMatrices.sliced(item..<(item + 1), alongAxis: 0).reshaped(to: [4, 5])
                .matmul(bMatrices.sliced(item..<(item + 1), alongAxis: 0).reshaped(to: [5, 6]))
            #expect(isClose(product.reshaped(to: [6, 4, 6]).sliced(item..<(item + 1), alongAxis: 0).reshaped(to: [4, 6]), expected))
        }
        // One matrix shared by every batch entry, and a transposed right-hand side.
        let shared = randomTensor([5, 6], seed: 3)
        #expect(isClose(a.matmul(shared), a.matmul(Tensor.stacked(Array(repeating: shared, count: 3), alongAxis: 0))))
        #expect(isClose(a.matmul(b, transposeOther: false), a.matmul(b.permuted([0, 1, 3, 2]), transposeOther: true)))
    }

    @Test func batchedProductGradients() {
        expectGradientsMatch([randomTensor([2, 3, 4], seed: 1), randomTensor([2, 4, 2], seed: 2)]) { $0[0].matmul($0[1]) }
        expectGradientsMatch([randomTensor([2, 3, 4], seed: 1), randomTensor([4, 2], seed: 2)]) { $0[0].matmul($0[1]) }
        expectGradientsMatch([randomTensor([2, 1, 3, 4], seed: 1), randomTensor([3, 5, 4], seed: 2)]) {
            $0[0].matmul($0[1], transposeOther: true)
        }
    }

    @Test func permutingSlicingStackingGradients() {
        let x = randomTensor([2, 3, 4], seed: 4)
        #expect(x.permuted([2, 0, 1]).shape == [4, 2, 3])
        expectGradientsMatch([x]) { $0[0].permuted([2, 0, 1]) }
        expectGradientsMatch([x]) { $0[0].transposed(0, 2) }
        #expect(x.sliced(1..<3, alongAxis: 1).shape == [2, 2, 4])
        #expect(x.sliced(1..<3, alongAxis: 1)[1, 0, 2] == x[1, 1, 2])
        for axis in 0..<3 { expectGradientsMatch([x]) { $0[0].sliced(1..<2, alongAxis: axis) } }
        expectGradientsMatch([x]) { v in
            let parts = v[0].split(sizes: [1, 3], alongAxis: -1)
            return parts[0] * parts[1].sum(alongAxis: -1, keepingDimension: true)
        }
        let y = randomTensor([2, 3, 4], seed: 5)
        #expect(Tensor.stacked([x, y], alongAxis: 1).shape == [2, 2, 3, 4])
        #expect(Tensor.stacked([x, y], alongAxis: -1)[1, 2, 3, 1] == y[1, 2, 3])
        expectGradientsMatch([x, y]) { Variable.stacked([$0[0], $0[1]], alongAxis: 1) }
    }

    @Test func gatheringLooksUpRowsAndScattersGradientsBack() {
        let table = randomTensor([5, 3], seed: 6)
        let ids = Tensor([[0, 4, 4], [2, 0, 1]])
        let embedded = table.gathering(ids)
        #expect(embedded.shape == [2, 3, 3])
        #expect(embedded[0, 1, 2] == table[4, 2] && embedded[1, 0, 0] == table[2, 0])
        // Repeated ids (4 twice, 0 twice) receive the sum of their gradients.
        expectGradientsMatch([table]) { $0[0].gathering(ids) }
        expectGradientsMatch([randomTensor([2, 4, 3], seed: 7)]) { $0[0].gathering(Tensor([3, 1]), alongAxis: 1) }
    }

    @Test func softmaxAndReductionsAlongAnyAxis() {
        let x = randomTensor([2, 3, 4], in: -2..<2, seed: 8)
        for axis in 0..<3 {
            let y = x.softmax(alongAxis: axis)
            #expect(isClose(y.sum(alongAxis: axis), Tensor(repeating: 1, shape: y.sum(alongAxis: axis).shape)))
            expectGradientsMatch([x]) { $0[0].softmax(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].logSoftmax(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].max(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].sum(alongAxis: axis) }
            expectGradientsMatch([x]) { $0[0].mean(alongAxis: axis, keepingDimension: true) }
        }
        #expect(isClose(x.logSoftmax(alongAxis: 1), x.softmax(alongAxis: 1).map { Foundation.log($0) }))
    }

    @Test func maskingFillsAndAFullyMaskedRowGivesZeros() {
        let scores = randomTensor([2, 3, 3], seed: 9)
        let causal = Tensor([[0, 1, 1], [0, 0, 1], [0, 0, 0]])        // 1: masked
        let masked = scores.filled(where: causal, with: -.infinity)
        let weights = masked.softmax()
        #expect(weights[1, 0, 0] == 1 && weights[1, 0, 1] == 0)
        let everything = Tensor.ones([3, 3])
        let none = scores.filled(where: everything, with: -.infinity).softmax()
        #expect(none.scalars.allSatisfy { $0 == 0 })
        expectGradientsMatch([scores]) { $0[0].filled(where: causal, with: -1e9).softmax() }
        expectGradientsMatch([scores]) { $0[0].filled(where: everything, with: -.infinity).softmax() + $0[0] }
        #expect(Tensor.where(Tensor([1, 0]), Tensor([1, 2]), Tensor(7)) == Tensor([1, 7]))
    }

    @Test func sequenceCrossEntropyAveragesOverPositionsAndIgnoresPadding() throws {
        let logits = randomTensor([2, 3, 4], seed: 10)
        let labels = Tensor([[1, 0, 3], [2, 2, 0]])
        let flat = sparseSoftmaxCrossEntropy(logits: Variable(logits.reshaped(to: [6, 4])), labels: labels.reshaped(to: [6]))
        #expect(abs(sparseSoftmaxCrossEntropy(logits: Variable(logits), labels: labels).value.scalar - flat.value.scalar) < 1e-6)
        expectGradientsMatch([logits]) { sparseSoftmaxCrossEntropy(logits: $0[0], labels: labels) }
        // Ignoring class 0: the mean over the four other positions.
        let kept = Tensor([[1, 3], [2, 2]]).reshaped(to: [4])
        let keptLogits = Tensor.stacked([logits[0..<1].reshaped(to: [3, 4]).sliced(0..<1, alongAxis: 0).reshaped(to: [4]),
                                         logits.reshaped(to: [6, 4]).sliced(2..<3, alongAxis: 0).reshaped(to: [4]),
                                         logits.reshaped(to: [6, 4]).sliced(3..<4, alongAxis: 0).reshaped(to: [4]),
                                         logits.reshaped(to: [6, 4]).sliced(4..<5, alongAxis: 0).reshaped(to: [4])], alongAxis: 0)
        let expected = sparseSoftmaxCrossEntropy(logits: Variable(keptLogits), labels: kept).value.scalar
        let ignoring = Loss.sparseSoftmaxCrossEntropy(ignoring: 0)
        #expect(abs(ignoring(predicted: Variable(logits), expected: labels).value.scalar - expected) < 1e-6)
        expectGradientsMatch([logits]) { ignoring(predicted: $0[0], expected: labels) }
        #expect(try Loss(named: ignoring.name) == ignoring)
        try ignoring.validate(outputShape: [3, 4], targets: labels)
        #expect(throws: NeuralNetError.self) { try Loss.sparseSoftmaxCrossEntropy.validate(outputShape: [3, 4], targets: Tensor([[1, 0]])) }
    }

    @Test func accuracyOfASequenceCountsPositions() {
        // Two samples of two positions; 3 of 4 positions right.
        let output = Tensor([[[1, 0], [0, 1]], [[1, 0], [1, 0]]])
        let labels = Tensor([[0, 1], [0, 1]])
        #expect(Metric.accuracy.correctCount(output: output, targets: labels, loss: .sparseSoftmaxCrossEntropy) == 1.5)
        // Ignoring class 1 leaves the two positions labelled 0, both right.
        #expect(Metric.accuracy.correctCount(output: output, targets: labels, loss: .sparseSoftmaxCrossEntropy(ignoring: 1)) == 2)
    }

    @Test func fusedAttentionMatchesTheComposedOneAndIsGradientChecked() {
        let (batch, time, heads, width) = (2, 4, 2, 6)
        let qkv = randomTensor([batch, time, 3 * width], seed: 12)
        let padding = Tensor([[1, 1, 1, 0], [1, 0, 1, 1]])
        // The composition of primitives it replaces.
        func composed(_ x: Variable, causal: Bool) -> Variable {
            let parts = x.reshaped(to: [batch, time, 3, heads, width / heads]).permuted([2, 0, 3, 1, 4])
                .split(sizes: [1, 1, 1], alongAxis: 0).map { $0.reshaped(to: [batch, heads, time, width / heads]) }
            var scores = parts[0].matmul(parts[1], transposeOther: true) * (1 / Float(width / heads).squareRoot())
            var hidden = Tensor.zeros([batch, 1, time, time])
            for b in 0..<batch { for q in 0..<time { for k in 0..<time where (causal && k > q) || padding[b, k] == 0 {
                hidden.scalars[(b * time + q) * time + k] = 1 } } }
            scores = scores.filled(where: hidden, with: -.infinity)
            return scores.softmax(alongAxis: -1).matmul(parts[2]).permuted([0, 2, 1, 3]).reshaped(to: [batch, time, width])
        }
        for causal in [false, true] {
            let fused = Variable(qkv).attention(heads: heads, causal: causal, paddingMask: padding, dropout: 0, dropoutSeed: 0).value
            #expect(isClose(fused, composed(Variable(qkv), causal: causal).value))
            expectGradientsMatch([qkv]) { $0[0].attention(heads: heads, causal: causal, paddingMask: padding, dropout: 0, dropoutSeed: 0) }
        }
        // With dropout the masks come from the seed, so the node is a fixed function to check.
        expectGradientsMatch([qkv]) { $0[0].attention(heads: heads, causal: true, paddingMask: nil, dropout: 0.3, dropoutSeed: 9) }
        let a = Variable(qkv).attention(heads: heads, causal: true, paddingMask: nil, dropout: 0.3, dropoutSeed: 9).value
        let b = ComputeThreads.$count.withValue(1) {
            Variable(qkv).attention(heads: heads, causal: true, paddingMask: nil, dropout: 0.3, dropoutSeed: 9).value
        }
        #expect(a == b)
    }

    @Test func vectorisedKernelsMatchTheirDefinitions() {
        let x = Tensor((0..<2001).map { Float($0 - 1000) / 100 })     // -10 ... 10
        let table = x.map { Activation.Kind.gelu.value($0, alpha: 0) }
        let fast = Variable(x).activated(by: .gelu).value
        #expect(isClose(fast, table, tolerance: 2e-6))
        expectGradientsMatch([randomTensor([3, 5], in: -3..<3, seed: 13)]) { $0[0].activated(by: .gelu) }
        var exps = Tensor.zeros([6])
        let inputs = Tensor([-100, -20, -1e-3, 0, 5, 80])
        inputs.scalars.withUnsafeBufferPointer { i in exps.scalars.withUnsafeMutableBufferPointer { o in
            Elementwise.exp(i.baseAddress!, into: o.baseAddress!, count: 6) } }
        for (value, input) in zip(exps.scalars, inputs.scalars) {
            #expect(abs(value - Foundation.exp(input)) <= 4 * Foundation.exp(input).ulp + .leastNormalMagnitude)
        }
        let rows = randomTensor([3, 7], in: -30..<30, seed: 14)
        let softmax = rows.softmax()
        let reference = rows.map { Foundation.exp($0) }
        for r in 0..<3 {
            let row = reference.sliced(r..<(r + 1), alongAxis: 0)
            #expect(isClose(softmax.sliced(r..<(r + 1), alongAxis: 0), row / row.sum(), tolerance: 1e-5))
        }
    }
}
